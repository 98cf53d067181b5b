"""The administrators' page for API tokens: list, create (secret shown once), revoke."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access.decorators import administrator_required
from api import services
from api.forms import TokenForm
from api.models import ApiToken


@administrator_required
def tokens(request):
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _token, secret = services.issue_token(
            actor=request.user, name=form.cleaned_data["name"], user=form.cleaned_data["user"]
        )
        form = TokenForm()
    rows = ApiToken.objects.select_related("user", "created_by")
    return render(request, "api/tokens.html", {"form": form, "tokens": rows, "secret": secret})


@administrator_required
@require_POST
def revoke_token(request, pk):
    token = get_object_or_404(ApiToken, pk=pk)
    if services.revoke_token(actor=request.user, token=token):
        messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("api:tokens")

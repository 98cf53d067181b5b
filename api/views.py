"""The administrators' page for API tokens: list, create (secret shown once), revoke."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access.decorators import administrator_required
from api.forms import TokenForm
from api.models import ApiToken
from audit.models import record


@administrator_required
def tokens(request):
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            token, secret = ApiToken.issue(
                name=form.cleaned_data["name"], user=form.cleaned_data["user"], created_by=request.user
            )
            record(
                actor=request.user,
                action="api.token.create",
                obj=token,
                after={"name": token.name, "user": token.user.username, "prefix": token.prefix},
            )
        form = TokenForm()
    rows = ApiToken.objects.select_related("user", "created_by")
    return render(request, "api/tokens.html", {"form": form, "tokens": rows, "secret": secret})


@administrator_required
@require_POST
def revoke_token(request, pk):
    token = get_object_or_404(ApiToken, pk=pk)
    if token.is_active:
        with transaction.atomic():
            token.revoke()
            record(
                actor=request.user,
                action="api.token.revoke",
                obj=token,
                before={"active": True},
                after={"active": False},
            )
        messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("api:tokens")

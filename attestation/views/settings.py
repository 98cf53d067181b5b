"""Conducting online attestation. Settings (SET-1…SET-5)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from access.policy import access_for
from attestation import selectors
from attestation.forms import ModuleSettingsForm
from attestation.models import ModuleSettings
from attestation.services import Refused
from attestation.services.module_settings import settings_save


@login_required
def module_settings(request):
    """ "Conducting online attestation. Settings" (SET-1…SET-5)."""
    tabs = selectors.settings_tabs(request)
    if not tabs:
        if not access_for(request).license_ia:
            raise Http404
        raise PermissionDenied
    kinds = [t["kind"] for t in tabs]
    kind = request.GET.get("tab") or request.POST.get("tab") or kinds[0]
    if kind not in kinds:
        raise Http404
    tab = next(t for t in tabs if t["kind"] == kind)
    instance = ModuleSettings.for_kind(kind)
    form = ModuleSettingsForm(request.POST or None, instance=instance, read_only=not tab["editable"])
    status = 200
    if request.method == "POST":
        if not tab["editable"]:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                settings_save(
                    actor=request.user,
                    kind=kind,
                    distribute_whole_stream=data["distribute_whole_stream"],
                    distribution_form=data["distribution_form"],
                    study_periods=data["allowed_study_periods"],
                    version=data["version"],
                )
            except Refused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("The settings are saved."))
                return redirect(f"{reverse('attestation:settings')}?tab={kind}")
        messages.error(request, _("Nothing was saved: correct the errors below."))
        status = 400
    chosen = _chosen_study_periods(form, instance)
    context = {"tabs": tabs, "tab": tab, "form": form, "chosen": chosen}
    return render(request, "attestation/settings.html", context, status=status)


def _chosen_study_periods(form, instance):
    """SET-4's summary: what is ticked now — the user's own choice after a refused save."""
    from college.models import StudyPeriod

    if not form.is_bound:
        return list(StudyPeriod.objects.filter(pk__in=instance.allowed_period_ids()))
    posted = form.data.getlist(form.add_prefix("allowed_study_periods"))
    return list(StudyPeriod.objects.filter(pk__in=[v for v in posted if v.isdigit()]))

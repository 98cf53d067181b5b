"""SET-1…SET-5: saving the module's settings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from access.policy import access_for
from attestation.models import ModuleSettings
from attestation.services import Refused
from audit.models import record

if TYPE_CHECKING:
    from access.models import User
    from college.models import Journal, StudyPeriod


def snapshot(obj: ModuleSettings) -> dict[str, bool | str | list[int]]:
    return {
        "distribute_whole_stream": obj.distribute_whole_stream,
        "distribution_form": obj.distribution_form,
        "allowed_study_periods": sorted(obj.allowed_period_ids()),
    }


def version_of(obj: ModuleSettings | Journal) -> str:
    """A token of the row's last change; a form carries it so a stale save is refused."""
    return obj.updated_at.isoformat() if obj.updated_at else ""


def settings_save(
    *,
    actor: User,
    kind: str,
    distribute_whole_stream: bool,
    distribution_form: str,
    study_periods: Iterable[StudyPeriod | int],
    version: str,
) -> ModuleSettings:
    module = ModuleSettings.Kind(kind)
    from access.models import Module

    access = access_for(actor, Module.FSA_STAFF if module == ModuleSettings.Kind.FSA else Module.OIA_STAFF)
    if not access.can_edit_settings:
        raise Refused(_("You may not change the module's settings."))
    obj: ModuleSettings
    with transaction.atomic():
        obj, created = ModuleSettings.locked(module)
        if version != ("" if created else version_of(obj)):
            raise Refused(_("Someone else changed these settings meanwhile. Reload the page and try again."))
        before = snapshot(obj)
        obj.distribute_whole_stream = distribute_whole_stream
        obj.distribution_form = distribution_form
        obj.updated_by = actor
        obj.save()
        obj.allowed_study_periods.set(study_periods)
        record(actor=actor, action="settings.update", obj=obj, before=before, after=snapshot(obj))
    return obj

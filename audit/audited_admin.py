"""Changes made through Django's admin, written into the app's audit log (X-7, #16.1).

:class:`AuditedModelAdmin` writes an entry for each object added, changed or deleted through the
admin — before and after, in the same transaction as the change (Django runs each admin change in
one). Passwords never enter the log: a password change is recorded as the names of the changed
fields. Every app's ``admin.py`` registers its models with it; the admin site itself (behind the
app's login) is ``access.admin_site``.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder

from audit.models import record

SECRET_FIELDS = {"password"}
_BEFORE = "_audit_before"


class _Encoder(DjangoJSONEncoder):
    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return str(o)  # files, ranges and the like: as the admin shows them


def snapshot(obj) -> dict:
    """The object's fields (many-to-many as sorted keys) as JSON-ready values, without secrets."""
    values = {
        field.name: field.value_from_object(obj)
        for field in obj._meta.concrete_fields
        if field.name not in SECRET_FIELDS
    }
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return json.loads(json.dumps(values, cls=_Encoder))


def _changed_fields(message) -> list[str]:
    """The field labels of Django's change message (a JSON list, or a list of dicts)."""
    if isinstance(message, str):
        try:
            message = json.loads(message) if message else []
        except ValueError:
            return []
    return [name for part in message or [] for name in part.get("changed", {}).get("fields", [])]


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every addition, change and deletion lands in the app's audit log."""

    def save_model(self, request, obj, form, change):
        if change:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            setattr(obj, _BEFORE, snapshot(stored) if stored else None)
        super().save_model(request, obj, form, change)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        record(actor=request.user, action="admin.add", obj=obj, after=snapshot(obj))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if hasattr(obj, _BEFORE):
            before = obj.__dict__.pop(_BEFORE)
            record(actor=request.user, action="admin.change", obj=obj, before=before, after=snapshot(obj))
        else:
            # A change made by a view of its own, without save_model: Django's password form.
            record(
                actor=request.user,
                action="admin.change",
                obj=obj,
                after={"changed": _changed_fields(message)},
            )
        return entry

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            record(actor=request.user, action="admin.delete", obj=obj, before=snapshot(obj))
        return entries

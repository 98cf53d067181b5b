"""Users in Django's admin, audited (audit.audited_admin). Roles, their modules and the licenses are
not here: the Role editor and the Licenses page are their screens, and they keep the audit trail
and the policy's caches right (#16.1)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from access.models import User
from audit.audited_admin import AuditedModelAdmin


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):  # type: ignore[type-arg]
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), (None, {"fields": ("patronymic", "language")}))

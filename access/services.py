"""The administrators' changes to the policy's data: the Role editor and the licenses (ADM-1…ADM-6).

One function per change, with an explicit actor, like the module's ``attestation/services``: each
checks the actor against the policy, writes, and leaves its audit record in the same transaction.
Views only read the request, call these and answer.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from access.forms import LicensesForm, RoleForm, RoleMembersForm, RoleModuleForm
from access.models import License, Role
from access.policy import access_for
from audit.models import record


def require_administrator(actor: Any) -> None:
    """Roles and licenses are the administrators' (ADM-1)."""
    if not access_for(actor).is_administrator:
        raise PermissionDenied


def role_snapshot(role: Role) -> dict[str, Any]:
    """What the audit log keeps of a role: its name, its modules with their rights and scopes, its members."""
    return {
        "name": role.name,
        "may_import": role.may_import,
        "modules": {rm.module: rm.snapshot() for rm in role.modules.all()},
        "members": sorted(role.users.values_list("pk", flat=True)),
    }


def save_role(
    *,
    actor: Any,
    role_form: RoleForm,
    module_forms: list[RoleModuleForm],
    members_form: RoleMembersForm | None,
) -> Role:
    """Create or change a role from the Role editor's valid forms: its name, each module's attachment
    and its members; audited as ``role.create`` or ``role.update`` with the role before and after."""
    require_administrator(actor)
    role: Role = role_form.instance
    # The stored role: a valid ModelForm has already put its new values on role_form.instance.
    before = role_snapshot(Role.objects.get(pk=role.pk)) if role.pk else None
    with transaction.atomic():
        created = not role.pk
        role = role_form.save()
        for form in module_forms:
            form.save()
        if members_form:
            members_form.save()
        record(
            actor=actor,
            action="role.create" if created else "role.update",
            obj=role,
            before=before,
            after=role_snapshot(role),
        )
    return role


def save_licenses(*, actor: Any, form: LicensesForm) -> None:
    """Install or remove licenses from the Licenses page's valid form; each license that changed is
    audited as ``license.update``."""
    require_administrator(actor)
    with transaction.atomic():
        before = dict(License.objects.values_list("code", "enabled"))
        form.save()
        after = dict(License.objects.values_list("code", "enabled"))
        for lic in License.objects.all():
            if before.get(lic.code) != after[lic.code]:
                record(
                    actor=actor,
                    action="license.update",
                    obj=lic,
                    before={"enabled": before.get(lic.code)},
                    after={"enabled": after[lic.code]},
                )

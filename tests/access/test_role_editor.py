"""The Role editor page of the application (ADM-1…ADM-6)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from access import services
from access.forms import LicensesForm, RoleForm, RoleModuleForm
from access.models import License, Module, Role, RoleModule
from audit.models import AuditEntry
from tests.html import is_checked, shown_page
from tests.personas import PERSONAS


def _module_post(prefix, **fields):
    data = {}
    for key, value in fields.items():
        if isinstance(value, list):
            data[f"{prefix}-{key}"] = [str(v) for v in value]
        elif value is True:
            data[f"{prefix}-{key}"] = "on"
        elif value not in (False, None):
            data[f"{prefix}-{key}"] = value
    return data


def _role_post(role, modules=None, members=None):
    data = {"name": role.name}
    for module, fields in (modules or {}).items():
        data.update(_module_post(module, **fields))
    if members is not None:
        data["members-members"] = [str(u.pk) for u in members]
    return data


ADMIN_PAGES = ["role_list", "role_create", "licenses"]


@pytest.mark.req("ADM-2")
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_only_administrators_reach_the_administration(college, login, persona, page):
    client = login(college.users.get(persona))
    response = client.get(reverse(page))
    if persona == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif persona == "admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.req("ADM-2")
def test_non_administrator_cannot_post_to_the_role_editor(college, login):
    role = college.roles.teacher
    client = login(college.users["registrar"])
    post = _role_post(role, {Module.OIA_STAFF: {"attached": True, "mode": "read"}})
    assert client.post(reverse("role_edit", args=[role.pk]), post).status_code == 403
    assert role.modules.get().mode == "edit"


@pytest.mark.req("ADM-2", "ADM-3", "ADM-4", "ADM-6")
def test_administrator_attaches_staff_module_with_rights_and_scopes(college, login):
    client = login(college.users["admin"])
    response = client.post(reverse("role_create"), {"name": "Deputy director", "kind": "custom"})
    role = Role.objects.get(name="Deputy director")
    assert response.status_code == 302 and response["Location"] == reverse("role_edit", args=[role.pk])

    page = client.get(reverse("role_edit", args=[role.pk])).content.decode()
    assert "Online intermediate attestation (staff)" in page
    assert "Online intermediate attestation (student)" not in page  # ADM-2: not offered to staff roles

    post = _role_post(
        role,
        {
            Module.OIA_STAFF: {
                "attached": True,
                "mode": "edit",
                "may_define_settings": True,
                "may_view_all": True,
                "study_periods": [college.study_periods[0].pk],
                "departments": [college.departments[0].pk],
                "pccs": [college.pccs[0].pk],
            }
        },
        members=[college.users["reader"]],
    )
    response = client.post(reverse("role_edit", args=[role.pk]), post)
    assert response.status_code == 302
    rm = role.modules.get(module=Module.OIA_STAFF)
    assert (rm.mode, rm.may_define_settings, rm.may_view_all) == ("edit", True, True)
    assert list(rm.study_periods.all()) == [college.study_periods[0]]
    assert list(rm.departments.all()) == [college.departments[0]]
    assert list(rm.pccs.all()) == [college.pccs[0]]
    assert list(role.users.all()) == [college.users["reader"]]
    entry = AuditEntry.objects.filter(action="role.update").latest("at")
    assert entry.actor == college.users["admin"]
    assert entry.after["modules"]["oia_staff"]["may_define_settings"] is True


@pytest.mark.req("ADM-3")
def test_mode_defaults_to_edit(college, login):
    role = Role.objects.create(name="Curator")
    client = login(college.users["admin"])
    page = client.get(reverse("role_edit", args=[role.pk])).content.decode()
    assert is_checked(page, "oia_staff-mode", "edit")
    assert not is_checked(page, "oia_staff-mode", "read")
    client.post(
        reverse("role_edit", args=[role.pk]), _role_post(role, {Module.OIA_STAFF: {"attached": True}})
    )
    assert role.modules.get().mode == RoleModule.Mode.EDIT


@pytest.mark.req("ADM-4")
def test_settings_right_in_read_mode_is_refused_and_nothing_changes(college, login):
    role = college.roles.reader
    client = login(college.users["admin"])
    post = _role_post(
        role,
        {
            Module.OIA_STAFF: {
                "attached": True,
                "mode": "read",
                "may_define_settings": True,
                "may_view_all": False,
            }
        },
        members=[college.users["reader"]],
    )
    response = client.post(reverse("role_edit", args=[role.pk]), post)
    assert response.status_code == 400
    assert "needs edit mode" in response.content.decode()
    rm = role.modules.get()
    assert (rm.mode, rm.may_define_settings, rm.may_view_all) == ("read", False, True)
    # Nothing the administrator typed is lost: the form comes back with their choices.
    assert is_checked(response.content.decode(), "oia_staff-may_define_settings")


@pytest.mark.req("ADM-2")
def test_student_role_is_offered_only_the_student_module(college, login):
    role = college.roles.student
    client = login(college.users["admin"])
    page = shown_page(client.get(reverse("role_edit", args=[role.pk])))
    assert "Online intermediate attestation (student)" in page
    assert "Online intermediate attestation (staff)" not in page
    # A crafted post for a staff module on the Student role is ignored.
    post = _role_post(role, {Module.OIA_STUDENT: {"attached": True}, Module.OIA_STAFF: {"attached": True}})
    assert client.post(reverse("role_edit", args=[role.pk]), post).status_code == 302
    assert list(role.modules.values_list("module", flat=True)) == [Module.OIA_STUDENT]


@pytest.mark.req("ADM-2", "ADM-4")
def test_detaching_the_module_removes_the_users_access(college, login):
    client = login(college.users["admin"])
    role = college.roles.reader
    client.post(reverse("role_edit", args=[role.pk]), _role_post(role, {}, members=[college.users["reader"]]))
    assert not role.modules.exists()
    reader = login(college.users["reader"])
    assert reader.get(reverse("attestation:stream_list")).status_code == 403


@pytest.mark.req("ADM-4", "LST-2")
def test_role_editor_changes_what_a_user_sees(college, login):
    """Un-ticking "may view all" in the editor turns the reader's list of all streams into nothing."""
    reader = login(college.users["reader"])
    assert "History — EK-31" in reader.get(reverse("attestation:stream_list")).content.decode()
    admin = login(college.users["admin"])
    role = college.roles.reader
    post = _role_post(
        role, {Module.OIA_STAFF: {"attached": True, "mode": "read"}}, members=[college.users["reader"]]
    )
    assert admin.post(reverse("role_edit", args=[role.pk]), post).status_code == 302
    reader = login(college.users["reader"])
    page = shown_page(reader.get(reverse("attestation:stream_list")))
    assert "History — EK-31" not in page
    assert "No streams with online final control are visible to you." in page


@pytest.mark.req("ADM-1")
def test_licenses_switch_the_module_on_and_off(college, login):
    admin = login(college.users["admin"])
    assert admin.post(reverse("licenses"), {"online_fsa": "on"}).status_code == 302
    assert not License.objects.get(code="online_ia").enabled
    assert License.objects.get(code="online_fsa").enabled
    assert AuditEntry.objects.filter(action="license.update").count() == 2

    teacher = login(college.users["teacher"])
    home = shown_page(teacher.get(reverse("home")))
    assert reverse("attestation:stream_list") not in home
    assert teacher.get(reverse("attestation:stream_list")).status_code == 404
    student = login(college.users["student"])
    assert student.get(reverse("attestation:my_exams")).status_code == 404

    admin = login(college.users["admin"])
    admin.post(reverse("licenses"), {"online_ia": "on"})
    teacher = login(college.users["teacher"])
    assert reverse("attestation:stream_list") in teacher.get(reverse("home")).content.decode()
    assert teacher.get(reverse("attestation:stream_list")).status_code == 200


@pytest.mark.req("ADM-2")
def test_role_service_refuses_an_actor_who_is_not_an_administrator(college):
    """access.services.save_role checks its actor itself: valid forms change nothing for a registrar."""
    role = college.roles.teacher
    data = _role_post(role, {Module.OIA_STAFF: {"attached": True, "mode": "read"}})
    role_form = RoleForm(data, instance=role)
    module_forms = [RoleModuleForm(data, role=role, module=Module.OIA_STAFF)]
    assert role_form.is_valid() and all(f.is_valid() for f in module_forms)
    with pytest.raises(PermissionDenied):
        registrar = college.users["registrar"]
        services.save_role(actor=registrar, role_form=role_form, module_forms=module_forms, members_form=None)
    assert role.modules.get().mode == "edit"
    assert not AuditEntry.objects.filter(action__startswith="role.").exists()


@pytest.mark.req("ADM-1")
def test_licenses_service_refuses_an_actor_who_is_not_an_administrator(college):
    form = LicensesForm({})  # every license off
    assert form.is_valid()
    with pytest.raises(PermissionDenied):
        services.save_licenses(actor=college.users["teacher"], form=form)
    assert License.objects.get(code=License.Code.ONLINE_IA).enabled
    assert not AuditEntry.objects.filter(action="license.update").exists()

"""#18.6: roles add up, and the sum is shown — a user's effective rights with the role behind each,
on the user's page and in the role editor, and a warning where a role changes nothing (ADM-1…ADM-6)."""

import re

import pytest
from django.urls import reverse

from access.models import Module
from access.policy import access_for, explain_rights, ineffective_grants
from tests.access.test_role_editor import _role_post
from tests.personas import PERSONAS

pytestmark = pytest.mark.req("ADM-1", "ADM-3", "ADM-4")


def staff_rights(user):
    return next(m for m in explain_rights(user) if m.module == Module.OIA_STAFF)


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_sum_of_roles_names_the_role_behind_each_right(college):
    rights = staff_rights(college.users["head_dept"])
    assert (rights.mode, rights.mode_roles) == ("edit", ("Teacher",))
    assert rights.view_all_roles == ("Head of department",)
    assert rights.settings_roles == () and rights.grade_roles == ()
    assert dict(rights.scopes) == {"Head of department": (), "Teacher": ()}


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_the_explanation_agrees_with_the_policys_checks(college, persona):
    user = college.users[persona]
    rights, access = staff_rights(user), access_for(user)
    assert (rights.mode == "edit") == access.can_edit_module
    assert bool(rights.mode) == access.has_staff_module
    assert bool(rights.settings_roles) == access.can_edit_settings


def test_read_mode_under_another_roles_edit_mode_is_flagged(college):
    found = ineffective_grants(college.roles.head_dept)
    assert [(n.user.username, n.what, n.other_roles) for n in found] == [("head_dept", "read", ("Teacher",))]
    assert ineffective_grants(college.roles.reader) == []  # the reader has no other role


def test_the_users_page_shows_effective_rights_and_what_has_no_effect(college, login):
    admin = login(college.users["admin"])
    listing = admin.get(reverse("user_list"), {"q": "head_dept"}).content.decode()
    url = reverse("user_detail", args=[college.users["head_dept"].pk])
    assert f'href="{url}"' in listing
    page = text(admin.get(url).content.decode())
    assert "Effective rights" in page
    assert "Mode: edit Teacher" in page
    assert "May view all final controls Head of department" in page
    assert "read mode has no effect — Teacher gives edit mode." in page


@pytest.mark.parametrize("persona", ["teacher", "registrar", "reader"])
def test_users_pages_are_for_administrators(college, login, persona):
    client = login(college.users[persona])
    assert client.get(reverse("user_list")).status_code == 403
    assert client.get(reverse("user_detail", args=[college.users["teacher"].pk])).status_code == 403


def test_adding_a_teacher_to_a_read_mode_role_warns_it_has_no_effect(college, login):
    admin = login(college.users["admin"])
    role, teacher = college.roles.reader, college.users["teacher"]
    post = _role_post(
        role,
        {Module.OIA_STAFF: {"attached": True, "mode": "read", "may_view_all": True}},
        members=[college.users["reader"], teacher],
    )
    response = admin.post(reverse("role_edit", args=[role.pk]), post, follow=True)
    page = text(response.content.decode())
    assert "change nothing for some members" in page
    assert "read mode has no effect — Teacher gives edit mode." in page
    assert staff_rights(teacher).mode == "edit"  # and so it is: the sum says edit


def test_a_read_mode_roles_grading_right_is_not_shown_as_a_right(college, login):
    """The effective-rights page listed "may set grades" for a user whose only role is read mode,
    while their grading page was read-only: it says what the user can really do."""
    from access.models import RoleModule

    RoleModule.objects.filter(role=college.roles.reader).update(may_grade=True)  # saved before the rule
    reader = college.users["reader"]
    assert staff_rights(reader).grade_roles == ()
    assert not access_for(reader).can_grade_stream(college.streams.teacher_a)
    page = text(login(college.users["admin"]).get(reverse("user_detail", args=[reader.pk])).content.decode())
    assert "May set grades —" in page


def test_the_role_editor_refuses_the_grading_right_in_read_mode(college, login):
    from access.models import RoleModule

    role = college.roles.reader
    post = _role_post(
        role,
        {Module.OIA_STAFF: {"attached": True, "mode": "read", "may_grade": True}},
        members=[college.users["reader"]],
    )
    response = login(college.users["admin"]).post(reverse("role_edit", args=[role.pk]), post)
    assert response.status_code == 400
    assert "The right to set grades needs edit mode." in response.content.decode()
    assert not RoleModule.objects.get(role=role, module=Module.OIA_STAFF).may_grade

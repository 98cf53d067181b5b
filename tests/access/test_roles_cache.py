"""#8: each user's roles are cached (eight queries less per request) — and every change the policy
reads takes effect on the very next request (ADM-1…ADM-6)."""

import pytest
from django.urls import reverse

from access.models import License, Module, Role
from access.policy import UserRoles
from tests.access.test_role_editor import _role_post

STREAMS = reverse("attestation:stream_list")


@pytest.mark.req("ADM-1", "ADM-3")
def test_roles_are_loaded_once_then_served_from_the_cache(college, login, monkeypatch):
    loads = []
    original = UserRoles.load.__func__
    monkeypatch.setattr(
        UserRoles, "load", classmethod(lambda cls, user: loads.append(user) or original(cls, user))
    )
    client = login(college.users["teacher"])
    for _ in range(3):
        assert client.get(STREAMS).status_code == 200
    assert loads == [college.users["teacher"]]


@pytest.mark.req("ADM-2", "ADM-3")
def test_removing_a_member_in_the_role_editor_takes_effect_at_once(college, login):
    reader = college.users["reader"]
    assert login(reader).get(STREAMS).status_code == 200  # cached now
    role = college.roles.reader
    admin = login(college.users["admin"])
    post = _role_post(
        role, {Module.OIA_STAFF: {"attached": True, "mode": "read", "may_view_all": True}}, members=[]
    )
    assert admin.post(reverse("role_edit", args=[role.pk]), post).status_code == 302
    assert login(reader).get(STREAMS).status_code == 403


@pytest.mark.req("ADM-2", "ADM-3")
def test_detaching_the_module_takes_effect_at_once(college, login):
    reader = college.users["reader"]
    assert login(reader).get(STREAMS).status_code == 200
    role = college.roles.reader
    admin = login(college.users["admin"])
    assert (
        admin.post(reverse("role_edit", args=[role.pk]), _role_post(role, {}, members=[reader])).status_code
        == 302
    )
    assert login(reader).get(STREAMS).status_code == 403


@pytest.mark.req("ADM-1")
def test_switching_the_license_off_takes_effect_at_once(college, login):
    teacher = college.users["teacher"]
    assert login(teacher).get(STREAMS).status_code == 200
    admin = login(college.users["admin"])
    assert admin.post(reverse("licenses"), {"online_fsa": ""}).status_code == 302
    assert not License.objects.get(code=License.Code.ONLINE_IA).enabled
    assert login(teacher).get(STREAMS).status_code == 404  # an unlicensed module does not exist


@pytest.mark.req("ADM-6")
def test_a_new_department_head_sees_the_department_at_once(college, login, scheduled_stream_of_dept_a):
    """The head-of-department role sees its department's streams; the head is whoever heads it now."""
    stream = scheduled_stream_of_dept_a
    url = reverse("attestation:stream", args=[stream.pk])
    head = college.users["head_dept"]
    assert login(head).get(url).status_code == 200
    department = college.departments[0]
    department.head = college.users["other_teacher"]
    department.save()
    assert login(head).get(url).status_code == 404


@pytest.fixture
def scheduled_stream_of_dept_a(college):
    from college.models import Stream

    return Stream.objects.filter(groups__department=college.departments[0], is_main=True).first()


@pytest.mark.req("ADM-1")
def test_roles_still_work_when_the_cache_is_down(college, login, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert login(college.users["teacher"]).get(STREAMS).status_code == 200
    assert login(college.users["student"]).get(STREAMS).status_code == 403
    assert Role.objects.filter(users=college.users["teacher"]).exists()

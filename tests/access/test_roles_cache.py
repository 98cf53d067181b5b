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


# --- the signed-in user, read from the cache (access/backends.py) ------------------------------


@pytest.mark.req("X-10")
def test_the_signed_in_user_is_read_once_then_from_the_cache(college, login, django_assert_num_queries):
    client = login(college.users["student"])
    client.get(STREAMS)
    with django_assert_num_queries(0):
        from django.contrib.auth import get_user

        request = type("R", (), {"session": client.session})()
        assert get_user(request) == college.users["student"]


@pytest.mark.req("X-10")
def test_a_deactivated_or_repassworded_user_is_out_at_the_next_request(college, login):
    client = login(college.users["teacher"])
    assert client.get(STREAMS).status_code == 200  # cached now
    teacher = college.users["teacher"]
    teacher.is_active = False
    teacher.save()
    assert client.get(STREAMS).status_code == 302  # to the login page
    teacher.is_active = True
    teacher.save()
    client = login(teacher)
    assert client.get(STREAMS).status_code == 200
    teacher.set_password("a brand new passphrase")
    teacher.save()
    assert client.get(STREAMS).status_code == 302  # the old session no longer matches the password


@pytest.mark.req("X-8")
def test_a_language_change_shows_at_the_next_request(college, login):
    from access.models import User

    client = login(college.users["teacher"])
    client.get(STREAMS)
    user = User.objects.get(pk=college.users["teacher"].pk)
    user.language = "ru"
    user.save()
    assert 'lang="ru"' in client.get(STREAMS).content.decode()


@pytest.mark.req("X-10")
def test_signed_in_users_without_a_cache(college, login, monkeypatch):
    from django.core.cache import cache

    client = login(college.users["teacher"])

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert client.get(STREAMS).status_code == 200

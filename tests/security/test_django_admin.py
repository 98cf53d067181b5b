"""Django's admin (#16.1): no login of its own (the app's throttled login is the only way in), every
change made there is in the app's audit log, and models with screens of their own are not there."""

import datetime

import pytest
import time_machine
from django.contrib import admin
from django.urls import reverse

from access.models import License, Role, RoleModule, User
from audit.models import AuditEntry
from college.models import Department, Journal, JournalColumn, JournalMark
from core import throttle
from tests import factories as f

NOW = datetime.datetime(2026, 11, 28, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.kz", "a long root passphrase", language="en")


@pytest.fixture
def root_client(client, superuser):
    client.force_login(superuser)
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.req("X-10")
def test_the_admin_login_page_sends_to_the_app_login(client, superuser):
    response = client.get("/django-admin/login/?next=/django-admin/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/django-admin/"
    # Opening the admin signed out ends on the app's login page too.
    response = client.get("/django-admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/login/?next=")
    assert response.status_code == 200 and b'name="password"' in response.content


@pytest.mark.req("X-10")
def test_a_password_posted_to_the_admin_login_is_never_checked(client, superuser):
    """Unlimited guesses of the superuser's password went to /django-admin/login/ unthrottled."""
    with time_machine.travel(NOW, tick=False):
        for _ in range(20):
            response = client.post(
                "/django-admin/login/", {"username": "root", "password": "guess"}, REMOTE_ADDR="10.0.0.1"
            )
            assert response.status_code == 302 and response["Location"].startswith("/login/")
        response = client.post(
            "/django-admin/login/",
            {"username": "root", "password": "a long root passphrase"},
            REMOTE_ADDR="10.0.0.1",
        )
        assert "_auth_user_id" not in client.session
        # The app's login counts the guesses made there, for the superuser as for anyone.
        for _ in range(6):
            client.post(reverse("login"), {"username": "root", "password": "guess"}, REMOTE_ADDR="10.0.0.1")
        assert throttle.seconds_to_wait("root", "10.0.0.1") > 0
        response = client.post(
            reverse("login"),
            {"username": "root", "password": "a long root passphrase"},
            REMOTE_ADDR="10.0.0.1",
        )
        assert response.status_code == 429


@pytest.mark.req("X-10")
def test_a_signed_in_non_staff_user_is_refused_by_the_admin_not_looped(college, login):
    client = login(college.users["teacher"])
    assert client.get("/django-admin/login/").status_code == 403
    assert client.get("/django-admin/", follow=True).status_code == 403


@pytest.mark.req("X-10")
def test_the_admin_password_change_is_the_app_page(root_client):
    response = root_client.get("/django-admin/password_change/")
    assert response.status_code == 302 and response["Location"] == reverse("password_change")


@pytest.mark.req("X-7", "ADM-1")
def test_models_with_screens_of_their_own_are_not_in_the_admin():
    registered = set(admin.site._registry)
    for model in (Role, RoleModule, License, Journal, JournalColumn, JournalMark):
        assert model not in registered, model
    assert User in registered and Department in registered


# --- every change made in the admin is audited -----------------------------------------------------


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


@pytest.mark.req("X-7")
def test_adding_changing_and_deleting_in_the_admin_is_audited(root_client, superuser):
    add_url = reverse("admin:college_department_add")
    assert root_client.post(add_url, {"name": "IT department", "code": "IT"}).status_code == 302
    department = Department.objects.get(name="IT department")
    [added] = entries("admin.add")
    assert added.actor == superuser and added.object_id == str(department.pk)
    assert added.after["name"] == "IT department" and added.before is None

    change_url = reverse("admin:college_department_change", args=[department.pk])
    assert root_client.post(change_url, {"name": "Information technology", "code": "IT"}).status_code == 302
    [changed] = entries("admin.change")
    assert changed.before["name"] == "IT department" and changed.after["name"] == "Information technology"

    delete_url = reverse("admin:college_department_delete", args=[department.pk])
    assert root_client.post(delete_url, {"post": "yes"}).status_code == 302
    [deleted] = entries("admin.delete")
    assert deleted.before["name"] == "Information technology" and deleted.after is None
    assert not Department.objects.exists()


@pytest.mark.req("X-7")
def test_a_bulk_delete_in_the_admin_is_audited_per_object(root_client):
    first, second = f.DepartmentFactory(name="A"), f.DepartmentFactory(name="B")
    response = root_client.post(
        reverse("admin:college_department_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert sorted(e.before["name"] for e in entries("admin.delete")) == ["A", "B"]


@pytest.mark.req("X-7")
def test_user_changes_in_the_admin_are_audited_without_the_password(root_client, db):
    user = f.UserFactory(username="clerk", first_name="Aigul")
    url = reverse("admin:access_user_change", args=[user.pk])
    page = root_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)}
    data |= {"first_name": "Aiгүл", "username": "clerk", "language": "en", "date_joined_0": "2026-01-01"}
    data |= {"date_joined_1": "10:00:00", "last_login_0": "", "last_login_1": ""}
    data.pop("password", None)
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    assert root_client.post(url, data).status_code == 302, data
    [changed] = entries("admin.change")
    assert changed.after["first_name"] == "Aiгүл" and changed.before["first_name"] == "Aigul"
    assert "password" not in changed.after and "password" not in changed.before

    password_url = reverse("admin:auth_user_password_change", args=[user.pk])
    response = root_client.post(
        password_url,
        {"password1": "a new long phrase 7", "password2": "a new long phrase 7", "usable_password": "true"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a new long phrase 7")
    password_entry = entries("admin.change")[-1]
    assert password_entry.object_id == str(user.pk) and password_entry.after["changed"]
    assert "a new long phrase 7" not in str(password_entry.after) and user.password not in str(
        password_entry.after
    )

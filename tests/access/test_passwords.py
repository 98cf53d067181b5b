"""Passwords (#16.11) and helping a student log in (#16.5): one's own password change, a staff
member's reset of a student's password, and "Release login" — audited, throttled, per the policy."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from access.models import Module, Role
from audit.models import AuditEntry
from core import throttle
from tests import factories as f
from tests.html import shown_page
from tests.personas import PERSONAS

NOW = datetime.datetime(2026, 11, 28, 9, 0, tzinfo=datetime.UTC)
OLD = "pass12345"
NEW = "quiet river 2026"


def english(client):
    client.cookies["django_language"] = "en"
    return client


def signed_in_client(user, password=OLD):
    client = english(Client())
    assert client.login(username=user.username, password=password)
    return client


def change(client, old=OLD, new=NEW, again=None, address="10.0.0.1"):
    data = {"old_password": old, "new_password1": new, "new_password2": again or new}
    return client.post(reverse("password_change"), data, REMOTE_ADDR=address)


def still_signed_in(client):
    response = client.get(reverse("notifications:inbox"))
    return response.status_code == 200


# --- one's own password --------------------------------------------------------------------------


@pytest.mark.req("X-10")
def test_a_student_changes_their_own_password(college):
    student = college.users["student"]
    client, other_device = signed_in_client(student), signed_in_client(student)
    page = client.get(reverse("password_change")).content.decode()
    for label in ("Current password", "New password", "New password again", "At least 8 characters."):
        assert label in page
    response = change(client)
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    student.refresh_from_db()
    assert student.check_password(NEW)
    assert still_signed_in(client)  # this device stays signed in…
    assert not still_signed_in(other_device)  # …the others are signed out
    [entry] = AuditEntry.objects.filter(action="password.change")
    assert entry.actor == student and entry.object_id == str(student.pk)
    assert NEW not in str(entry.after) and student.password not in str(entry.after)


@pytest.mark.req("X-10")
def test_a_wrong_current_password_or_a_weak_new_one_is_refused_with_the_reason(college):
    client = signed_in_client(college.users["teacher"])
    response = change(client, old="not-it")
    assert response.status_code == 400
    assert "The current password is wrong." in response.content.decode()
    page = change(client, new="12345678").content.decode()
    assert "This password is too common" in page and "This password is only digits." in page
    assert (
        "This password is too short: it needs at least 8 characters."
        in change(client, new="k7").content.decode()
    )
    assert "The two new passwords differ." in change(client, again="something else").content.decode()
    assert (
        "This password is too like your login, name or e-mail address."
        in change(client, new="teacher1").content.decode()
    )
    college.users["teacher"].refresh_from_db()
    assert college.users["teacher"].check_password(OLD)


@pytest.mark.req("X-10")
def test_guessing_the_current_password_is_throttled_like_the_login(college):
    """Signed in on a shared computer someone else left: the current password is not guessable."""
    client = signed_in_client(college.users["teacher"])
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            assert change(client, old="guess").status_code == 400
        response = change(client)  # the right one, but it must wait and is not checked
        assert response.status_code == 429
        assert "wait 1 second" in response.content.decode()
        college.users["teacher"].refresh_from_db()
        assert college.users["teacher"].check_password(OLD)
        # The same counter as the login page's: that address now waits there too.
        assert throttle.seconds_to_wait("teacher", "10.0.0.1") == 1


@pytest.mark.req("X-10")
def test_the_password_pages_need_a_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- a staff member resets a student's password ------------------------------------------------------


def reset(client, student_user):
    return client.post(reverse("student_password_reset", args=[student_user.student.pk]))


def shown_password(response):
    match = re.search(r'<p class="password-value"><code>([^<]+)</code>', response.content.decode())
    assert match, response.content.decode()
    return match.group(1)


@pytest.mark.req("X-10")
def test_the_teacher_resets_a_students_password_shown_once_and_the_students_sessions_end(college, login):
    student = college.users["student"]
    students_phone = signed_in_client(student)
    teacher = english(login(college.users["teacher"]))
    response = reset(teacher, student)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = shown_password(response)
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
    assert "it is shown only once" in response.content.decode()
    student.refresh_from_db()
    assert student.check_password(password) and not student.check_password(OLD)
    assert not still_signed_in(students_phone)
    # The student logs in with it.
    assert Client().post(reverse("login"), {"username": "student", "password": password}).status_code == 302
    [entry] = AuditEntry.objects.filter(action="password.reset")
    assert entry.actor == college.users["teacher"] and entry.object_id == str(student.pk)
    assert password not in str(entry.after) and student.password not in str(entry.after)
    # Shown once: the student's page does not show it again.
    again = shown_page(teacher.get(reverse("student_login", args=[student.student.pk])))
    assert password not in again


WHO_MAY_HELP = {"teacher", "other_teacher", "registrar", "admin"}  # other_teacher teaches the student too


@pytest.mark.req("ADM-3", "X-10")
@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_who_may_reset_a_students_password(college, login, persona):
    student = college.users["student"]
    response = reset(login(college.users[persona]), student)
    if persona in WHO_MAY_HELP:
        assert response.status_code == 200
    else:
        # read mode only, students, outsiders: 403; staff in edit mode who do not teach them: 404
        assert response.status_code == (404 if persona in ("head_dept", "head_pcc") else 403)
    student.refresh_from_db()
    assert student.check_password(OLD) == (persona not in WHO_MAY_HELP)


@pytest.mark.req("ADM-3")
def test_a_teacher_in_read_mode_may_not_reset_their_own_students_password(college, login):
    teacher = college.users["teacher"]
    teacher.roles.clear()
    role = f.RoleFactory(name="Teacher (read)", kind=Role.Kind.TEACHER)
    f.attach(role, Module.OIA_STAFF, mode="read")
    role.users.add(teacher)
    client = login(teacher)
    assert reset(client, college.users["student"]).status_code == 403
    assert client.get(reverse("student_logins")).status_code == 403
    assert "Students' logins" not in client.get(reverse("home")).content.decode()


@pytest.mark.req("X-10")
def test_resets_are_throttled_per_staff_member(college, login, settings):
    settings.PASSWORD_RESETS_PER_WINDOW = 2
    client = english(login(college.users["registrar"]))
    assert reset(client, college.users["student"]).status_code == 200
    assert reset(client, college.users["other_student"]).status_code == 200
    response = reset(client, college.users["student_b"])
    assert response.status_code == 429
    assert "You have reset many passwords in a short time." in response.content.decode()
    college.users["student_b"].refresh_from_db()
    assert college.users["student_b"].check_password(OLD)


# --- Release login ----------------------------------------------------------------------------------


@pytest.mark.req("X-10")
def test_the_teacher_releases_a_students_login_and_it_is_audited(college, login):
    student = college.users["student"]
    with time_machine.travel(NOW, tick=False) as clock:
        guesser = english(Client())
        for _ in range(8):
            clock.shift(datetime.timedelta(seconds=throttle.seconds_to_wait("student", "10.0.0.1")))
            guesser.post(reverse("login"), {"username": "student", "password": "x"}, REMOTE_ADDR="10.0.0.1")
        assert throttle.seconds_to_wait("student", "10.0.0.1") > 0
        teacher = english(login(college.users["teacher"]))
        page = teacher.get(reverse("student_login", args=[student.student.pk])).content.decode()
        assert "8 failed logins in the last 15 minutes." in page
        response = teacher.post(reverse("student_login_release", args=[student.student.pk]), follow=True)
        assert "The login of" in response.content.decode() and "8 failed attempts are forgotten" in (
            response.content.decode()
        )
        assert throttle.seconds_to_wait("student", "10.0.0.1") == 0
        assert throttle.recent_failures("student") == 0
    [entry] = AuditEntry.objects.filter(action="login.release")
    assert entry.before == {"failed_logins": 8} and entry.after == {"failed_logins": 0}
    assert entry.actor == college.users["teacher"]


# --- the Students' logins page ---------------------------------------------------------------------------


@pytest.mark.req("X-10", "ADM-3")
def test_the_students_logins_page_lists_only_the_students_one_may_help(college, login):
    teacher = english(login(college.users["teacher"]))
    page = teacher.get(reverse("student_logins")).content.decode()
    assert college.users["student"].full_name in page
    assert college.users["student_b"].full_name in page  # teacher_b_offline: EK-31
    other = english(login(college.users["other_teacher"]))
    page = other.get(reverse("student_logins") + "?q=student_b").content.decode()
    assert college.users["student_b"].full_name in page
    page = other.get(reverse("student_logins") + "?q=other_student").content.decode()
    assert (
        college.users["other_student"].full_name in page and college.users["student_b"].full_name not in page
    )
    assert "Students' logins" in page  # the menu item


@pytest.mark.req("X-10", "JRN-1")
def test_the_journal_links_a_students_name_to_their_login_page(college, login):
    teacher = login(college.users["teacher"])
    stream = college.streams.teacher_a
    page = teacher.get(reverse("journals:journal", args=[stream.pk])).content.decode()
    assert reverse("student_login", args=[college.users["student"].student.pk]) in page
    reader = login(college.users["reader"])
    page = shown_page(reader.get(reverse("journals:journal", args=[stream.pk])))
    assert reverse("student_login", args=[college.users["student"].student.pk]) not in page


# --- wholly in the user's language (#16.12) ------------------------------------------------------------

LATIN = re.compile(r"[A-Za-z]")


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def main_form(page: str) -> str:
    main = page[page.index('<main id="main">') :]
    return main[main.index("<form") : main.index("</form>")]


@pytest.mark.req("X-8")
def test_the_kazakh_login_error_is_wholly_kazakh(college, client):
    """It read "Please enter a correct Қолданушы атауы and password" (Django's sentence)."""
    page = client.post(reverse("login"), {"username": "teacher", "password": "wrong"}).content.decode()
    assert '<html lang="kk">' in page
    error = text_of(re.search(r'<div class="errors" role="alert">(.*?)</div>', page, re.S).group(1))
    assert error and not LATIN.search(error), error


@pytest.mark.req("X-8")
def test_the_kazakh_password_page_and_its_errors_are_wholly_kazakh(college, login):
    user = college.users["teacher"]
    user.language = "kk"
    user.save()
    client = login(user)
    for response in (
        client.get(reverse("password_change")),
        change(client, old="wrong", new="teacher1", again="other"),
        change(client, new="1234"),
    ):
        text = text_of(main_form(response.content.decode()))
        assert text and not LATIN.search(text), text

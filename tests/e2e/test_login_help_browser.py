"""A student who cannot log in on exam day, in Chromium, as people click it (#16.5, #16.11).

The student mistypes the password until the login page asks to wait a few seconds; the teacher
(another browser) opens "Students' logins" from the menu, finds the student, releases the login,
then gives a new password, shown once; the student logs in with it and changes it to their own
under "Change password". After the login, only visible controls are clicked and visible fields
typed into. Screenshots of every step go to test-artifacts/screenshots/.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def type_login(page, username, password):
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("button[type=submit].primary").click()


@pytest.mark.req("X-10", "X-8")
def test_the_teacher_gets_a_locked_out_student_back_in(college, new_page, guard, screenshot):
    student_user = college.users["student"]
    student = guard(new_page())
    guard.expect(429, "/login/")  # the login page answers "wait" with 429, on purpose
    student.goto("/login/")
    student.get_by_role("button", name="English").click()
    for _ in range(6):
        type_login(student, "student", "wrong-guess")
    expect(student.get_by_role("alert")).to_contain_text("Too many failed logins. For your safety, wait")
    screenshot(student, "01-student-asked-to-wait")

    teacher = login(guard(new_page()), college.users["teacher"])
    teacher.get_by_role("link", name="Students' logins").click()
    teacher.get_by_role("searchbox").fill(student_user.last_name)
    teacher.get_by_role("button", name="Search").click()
    row = teacher.get_by_role("row").filter(has_text=student_user.full_name)
    expect(row.get_by_role("cell").last).to_have_text("5")  # the sixth try was asked to wait, not counted
    screenshot(teacher, "02-students-logins")
    row.get_by_role("link", name=student_user.full_name).click()
    expect(teacher.get_by_text("5 failed logins in the last 15 minutes.")).to_be_visible()
    screenshot(teacher, "03-student-login-page")

    teacher.get_by_role("button", name="Release login").click()
    expect(teacher.get_by_text("5 failed attempts are forgotten")).to_be_visible()
    expect(teacher.get_by_text("0 failed logins in the last 15 minutes.")).to_be_visible()
    teacher.get_by_role("button", name="Reset password").click()
    teacher.get_by_role("dialog").get_by_role("button", name="Reset the password").click()
    shown = teacher.locator(".password-value code")
    expect(shown).to_be_visible()
    password = shown.inner_text()
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
    screenshot(teacher, "04-new-password-shown-once")

    # The student types the new password at once: no wait, signed in.
    type_login(student, "student", password)
    student.wait_for_url(lambda url: "/login/" not in url)
    student.get_by_role("link", name="Change password").click()
    student.get_by_label("Current password").fill(password)
    student.get_by_label("New password", exact=True).fill("my own 2026 phrase")
    student.get_by_label("New password again").fill("my own 2026 phrase")
    screenshot(student, "05-change-password")
    student.get_by_role("button", name="Change password").click()
    expect(student.get_by_role("heading", name="Your password is changed")).to_be_visible()
    screenshot(student, "06-password-changed")
    student_user.refresh_from_db()
    assert student_user.check_password("my own 2026 phrase")


@pytest.mark.req("X-10", "X-8")
def test_a_wrong_current_password_is_explained_in_kazakh(college, new_page, guard, screenshot):
    user = college.users["teacher"]
    user.language = "kk"
    user.save()
    page = login(guard(new_page()), user)
    page.locator("a.password-link").click()
    guard.expect(400, "/password/")  # the refused form answers 400 with the reasons
    page.locator("#id_old_password").fill("not-my-password")
    page.locator("#id_new_password1").fill("12345678")
    page.locator("#id_new_password2").fill("12345679")
    page.locator("form button[type=submit].primary").click()
    expect(page.locator(".field.has-error").first).to_be_visible()
    screenshot(page, "kk-password-errors")

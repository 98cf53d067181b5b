"""Login sheets and the first password (X-13, X-10): a group's new students get their login and a
one-time password on a sheet (PDF to print or XLSX), shown once, audited, never stored in clear; at
the first sign-in they choose their own password before anything else opens."""

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from access.models import User
from audit.models import AuditEntry
from tests import factories as f
from tests.personas import PERSONAS

pytestmark = pytest.mark.req("X-13", "X-10")

PASSWORD = re.compile(r"\b[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}\b")


@pytest.fixture
def newcomers(college):
    """Two students of PO-21 who have never signed in; the personas' students have."""
    group = college.groups[0]
    for user in User.objects.filter(student__group=group):
        user.last_login = user.date_joined
        user.save()
    made = [
        f.StudentFactory(user=f.UserFactory(username=f"new{n}", last_name=f"Жаңа{n}"), group=group)
        for n in (1, 2)
    ]
    college.roles.student.users.add(*(s.user for s in made))
    return group, made


def sheet(client, group, fmt="pdf", students="new"):
    return client.post(reverse("login_sheet"), {"group": group.pk, "students": students, "format": fmt})


def pdf_text(response) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


@pytest.mark.parametrize("persona", PERSONAS)
def test_login_sheets_are_for_the_import_right(college, login, persona):
    expected = dict.fromkeys(PERSONAS, 403) | {"anonymous": 302, "admin": 200, "registrar": 200}
    assert login(college.users.get(persona)).get(reverse("login_sheet")).status_code == expected[persona]


def test_a_pdf_sheet_gives_each_new_student_a_one_time_password_shown_once(college, login, newcomers):
    group, made = newcomers
    response = sheet(login(college.users["registrar"]), group)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response)
    assert "Login sheet: group PO-21" in text
    passwords = PASSWORD.findall(text)
    assert len(passwords) == 2 and len(set(passwords)) == 2  # only the two who never signed in
    for student, password in zip(sorted(made, key=lambda s: s.user.last_name), passwords, strict=True):
        assert student.user.username in text
        student.user.refresh_from_db()
        assert student.user.check_password(password) and student.user.must_change_password
        assert password not in student.user.password  # a hash, never the clear text
    entry = AuditEntry.objects.get(action="students.login_sheet")
    assert entry.actor == college.users["registrar"]
    assert sorted(entry.after["students"]) == sorted(s.pk for s in made)
    assert not any(p in str(entry.before) + str(entry.after) for p in passwords)


def test_an_xlsx_sheet_for_every_student_resets_the_others_too(college, login, newcomers):
    group, made = newcomers
    response = sheet(login(college.users["admin"]), group, fmt="xlsx", students="everyone")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    logins = {row[2]: row[3] for row in rows if row and isinstance(row[0], int)}
    assert set(logins) == {"student", "other_student", "new1", "new2"}
    student = User.objects.get(username="student")
    assert student.check_password(logins["student"]) and student.must_change_password


def test_a_group_whose_students_all_signed_in_is_told_so_and_nothing_changes(college, login):
    group = college.groups[0]
    User.objects.filter(student__group=group).update(last_login="2026-11-01T10:00:00Z")
    before = dict(User.objects.filter(student__group=group).values_list("pk", "password"))
    response = sheet(login(college.users["registrar"]), group)
    assert response.status_code == 400
    assert "has signed in already" in response.content.decode()
    assert dict(User.objects.filter(student__group=group).values_list("pk", "password")) == before


def test_the_first_sign_in_asks_for_the_students_own_password_before_anything_else(college, login, newcomers):
    group, made = newcomers
    password = PASSWORD.findall(pdf_text(sheet(login(college.users["registrar"]), group)))[0]
    first = sorted(made, key=lambda s: s.user.last_name)[0].user
    student = Client()
    student.cookies["django_language"] = "en"
    signed_in = student.post(reverse("login"), {"username": first.username, "password": password})
    assert signed_in.status_code == 302
    page = student.get(reverse("home"), follow=True)
    assert page.redirect_chain[-1][0] == reverse("first_password")
    assert "Choose your password" in page.content.decode()
    assert student.get(reverse("attestation:my_exams"))["Location"] == reverse("first_password")
    short = student.post(reverse("first_password"), {"new_password1": "abc", "new_password2": "abc"})
    assert short.status_code == 400  # Django's validators, with the app's words
    chosen = "green valley 2026"
    done = student.post(reverse("first_password"), {"new_password1": chosen, "new_password2": chosen})
    assert done.status_code == 302
    first.refresh_from_db()
    assert (
        first.check_password(chosen) and not first.must_change_password and not first.check_password(password)
    )
    assert student.get(reverse("attestation:my_exams")).status_code == 200  # still signed in
    assert AuditEntry.objects.filter(action="password.change", actor=first).exists()


def test_the_import_job_offers_the_new_students_login_sheets(college, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(college.users["registrar"])
    csv = "last_name,first_name,record_book_number,group\nӘбенов,Арман,ZK-701,PO-21\nКім,Лия,ZK-702,PO-21\n"
    upload = client.post(
        reverse("imports:index"), {"kind": "students", "file": SimpleUploadedFile("s.csv", csv.encode())}
    )
    job = client.post(upload["Location"])
    page = client.get(job["Location"]).content.decode()
    link = f"{reverse('login_sheet')}?group={college.groups[0].pk}"
    assert f'href="{link}"' in page and "Login sheet for PO-21 (2 new students)" in page
    form = client.get(link).content.decode()
    assert f'<option value="{college.groups[0].pk}" selected>' in form

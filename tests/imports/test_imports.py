"""X-13: import from CSV/XLSX — templates, preview with per-row errors, confirm, all or nothing,
idempotent re-runs, Kazakh/Russian/English headers, the management command and a round trip."""

import io
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from access.models import User
from api.models import ApiToken
from college import models as c
from imports.columns import column_label
from imports.entities import ENTITIES
from tests.personas import PERSONAS

pytestmark = pytest.mark.req("X-13")

ERROR_ROW = r'<tr><td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>'
HEADER = "external_id,last_name,first_name,patronymic,email,record_book_number,group"


def students_csv(*lines, header=HEADER):
    return "\n".join([header, *lines]).encode()


GOOD = [
    "N1,Abenov,Arman,Serikuly,arman@example.kz,ZK-101,G1",
    "N2,Bekova,Dana,,dana@example.kz,ZK-102,G1",
    "N3,Tulegenov,Ermek,,,ZK-103,G1",
]


def upload(client, content, name="students.csv", kind="students"):
    return client.post(reverse("imports:index"), {"kind": kind, "file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize("persona", PERSONAS)
def test_import_page_is_for_the_import_right(college, login, persona):
    expected = dict.fromkeys(PERSONAS, 403) | {"anonymous": 302, "admin": 200, "registrar": 200}
    assert login(college.users.get(persona)).get(reverse("imports:index")).status_code == expected[persona]


@pytest.mark.parametrize("kind", ["groups", "students", "staff", "streams", "admissions", "schedules"])
def test_templates_download_as_csv_and_xlsx(admin_client, kind):
    csv_response = admin_client.get(reverse("imports:template", args=[kind, "csv"]))
    assert csv_response.status_code == 200
    assert csv_response.content.decode().splitlines()[0].split(",")[0] in ("external id", "group", "stream")
    xlsx = admin_client.get(reverse("imports:template", args=[kind, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in sheet[1]] == [
        column_label(col.name, "en", kind) for col in ENTITIES[kind].columns
    ]


def test_preview_lists_bad_rows_then_a_fixed_file_imports(admin_client):
    bad = students_csv(GOOD[0], "N2,,Dana,,dana@example.kz,ZK-102,G1", GOOD[2], "N4,Kim,Lee,,,ZK-104,NOPE")
    response = upload(admin_client, bad)
    preview_url = response["Location"]
    page = admin_client.get(preview_url)
    assert page.status_code == 422
    html = page.content.decode()
    rows = re.findall(ERROR_ROW, html)
    assert rows == [
        ("3", "last name", "This value is required."),
        ("5", "group", "No group “NOPE” (by external ID or name)."),
    ]
    # Confirming a file with errors anyway (a crafted POST: the page offers no button) queues a job
    # that fails with the same errors and saves nothing.
    confirm = admin_client.post(preview_url)
    assert confirm.status_code == 302 and confirm["Location"].startswith("/imports/jobs/")
    job_page = admin_client.get(confirm["Location"]).content.decode()
    assert "Nothing was imported: the file has errors." in job_page
    assert re.findall(ERROR_ROW, job_page) == rows
    assert not c.Student.objects.filter(record_book_number__in=["ZK-101", "ZK-103"]).exists()

    fixed = upload(admin_client, students_csv(*GOOD))
    page = admin_client.get(fixed["Location"])
    assert page.status_code == 200 and "3 rows will be created" in page.content.decode()
    assert not c.Student.objects.filter(record_book_number="ZK-101").exists()  # preview writes nothing
    done = admin_client.post(fixed["Location"])
    assert done.status_code == 302
    assert c.Student.objects.filter(record_book_number__in=["ZK-101", "ZK-102", "ZK-103"]).count() == 3
    summary = "Imported students.csv: 3 created, 0 updated, 0 unchanged."
    assert summary in admin_client.get(done["Location"]).content.decode()
    assert admin_client.get(fixed["Location"]).status_code == 404  # the pending file is gone


def test_import_is_all_or_nothing(admin_client):
    before = c.Student.objects.count(), User.objects.count()
    upload_url = upload(admin_client, students_csv(*GOOD, "N9,X,Y,,bad-email,ZK-109,G1"))["Location"]
    job = admin_client.post(upload_url)
    assert "Enter a valid e-mail address." in admin_client.get(job["Location"]).content.decode()
    assert (c.Student.objects.count(), User.objects.count()) == before


def test_reimporting_the_same_file_changes_nothing(admin_client, tmp_path):
    path = tmp_path / "students.csv"
    path.write_bytes(students_csv(*GOOD))
    first = ENTITIES["students"].run  # noqa: F841 — same engine as the page and the command
    out = io.StringIO()
    call_command("import_college", "students", str(path), "--language", "en", stdout=out)
    assert "Imported: 3 created, 0 updated, 0 unchanged." in out.getvalue()
    snapshot = list(c.Student.objects.values_list("pk", "record_book_number", "group_id", "user__last_name"))
    out = io.StringIO()
    call_command("import_college", "students", str(path), "--language", "en", stdout=out)
    assert "Imported: 0 created, 0 updated, 3 unchanged." in out.getvalue()
    assert (
        list(c.Student.objects.values_list("pk", "record_book_number", "group_id", "user__last_name"))
        == snapshot
    )


def test_command_dry_run_saves_nothing_and_errors_fail(admin_client, tmp_path):
    path = tmp_path / "students.csv"
    path.write_bytes(students_csv(*GOOD))
    out = io.StringIO()
    call_command("import_college", "students", str(path), "--dry-run", "--language", "en", stdout=out)
    assert "Would import: 3 created, 0 updated, 0 unchanged." in out.getvalue()
    assert not c.Student.objects.filter(record_book_number="ZK-101").exists()
    path.write_bytes(students_csv("N1,A,B,,,ZK-1,NOPE"))
    with pytest.raises(CommandError):
        call_command("import_college", "students", str(path), stderr=io.StringIO())


def test_xlsx_with_russian_headers(admin_client):
    book = Workbook()
    sheet = book.active
    sheet.append(["Внешний ID", "Фамилия", "Имя", "Отчество", "Номер зачетной книжки", "Группа"])
    sheet.append(["X1", "Иванов", "Иван", "Иванович", "ZK-201", "G1"])
    sheet.append(["X2", "Петрова", "Анна", None, 202, "G1"])  # a number typed as a number
    buffer = io.BytesIO()
    book.save(buffer)
    url = upload(admin_client, buffer.getvalue(), name="students.xlsx")["Location"]
    assert admin_client.post(url).status_code == 302
    ivanov = c.Student.objects.get(record_book_number="ZK-201")
    assert ivanov.user.full_name == "Иванов Иван Иванович" and ivanov.group.name == "PO-99"
    assert c.Student.objects.filter(record_book_number="202").exists()


def test_csv_with_kazakh_headers_and_semicolons(admin_client):
    content = "Сыртқы ID;Тегі;Аты;Сынақ кітапшасының нөмірі;Топ\nK1;Әлиев;Нұрлан;ZK-301;G1\n".encode()
    url = upload(admin_client, content)["Location"]
    assert admin_client.post(url).status_code == 302
    assert c.Student.objects.get(record_book_number="ZK-301").user.last_name == "Әлиев"


def test_unknown_and_missing_columns_are_row_1_errors(admin_client):
    url = upload(admin_client, b"external_id,surname,group\nA,B,G1\n")["Location"]
    html = admin_client.get(url).content.decode()
    assert "Unknown column." in html and "A required column is missing." in html


def test_export_then_import_round_trip(admin_client, college):
    """Export students as CSV through the API's export, import it → the same data."""
    cache.clear()
    _token, secret = ApiToken.issue(name="rt", user=college.users["admin"])
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    exported = api.get("/api/v1/export/students").content
    assert exported.decode().startswith("external_id,last_name,first_name,patronymic,email,username")
    before = list(c.Student.objects.values_list("pk", "record_book_number", "group_id", "user__username"))

    # Someone edits a name and moves a student locally; importing the export restores the data.
    student = c.Student.objects.get(record_book_number="ZK-001")
    student.user.last_name = "Changed"
    student.user.save()
    url = upload(admin_client, exported)["Location"]
    assert "1 updated" in admin_client.get(url).content.decode()
    assert admin_client.post(url).status_code == 302
    assert (
        list(c.Student.objects.values_list("pk", "record_book_number", "group_id", "user__username"))
        == before
    )
    assert c.Student.objects.get(record_book_number="ZK-001").user.last_name == "Surname1"
    assert api.get("/api/v1/export/students").content == exported


def test_streams_import_with_groups_and_students(admin_client):
    content = (
        b"external_id,name,discipline,teacher,academic_year,academic_period,groups,students\n"
        b"STR2,Algorithms 2,DS1,T1,2026-2027,1,G1,ST1;ST2\n"
    )
    url = upload(admin_client, content, kind="streams")["Location"]
    assert admin_client.post(url).status_code == 302
    stream = c.Stream.objects.get(name="Algorithms 2")
    assert stream.students.count() == 2 and stream.journal is not None

"""#18: the registrar's first day — a college's own files, under its own names (X-13).

Natural keys when a file has no external IDs, references by name (Cyrillic and Kazakh), every
error of every row in one preview, the IIN with its check digit, parent moves said aloud."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from college import models as c
from imports.columns import iin_is_valid
from imports.entities import ENTITIES

pytestmark = pytest.mark.req("X-13")

ERROR_ROW = r'<tr><td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>'
VALID_IIN = "000101500011"  # weights 1..11: 4 + 6 + 35 + 11 = 56, remainder 1


def upload(client, text, kind, name="file.csv"):
    content = text.encode() if isinstance(text, str) else text
    response = client.post(
        reverse("imports:index"), {"kind": kind, "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302, response.content
    return response["Location"]


def confirm(client, url):
    return client.get(client.post(url)["Location"]).content.decode()


def test_a_department_named_like_a_stored_one_is_matched_not_copied(admin_client):
    stored = c.Department.objects.get(name="IT department (ext)")
    page = admin_client.get(
        upload(admin_client, "name\nIT department (ext)\nЭкономика бөлімі\n", "departments")
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 rows will be created, 0 updated, 1 are unchanged" in html
    assert "matches a stored row, unchanged" in html and "will be created" in html
    assert "Imported file.csv: 1 created, 0 updated, 1 unchanged." in confirm(
        admin_client, page.request["PATH_INFO"]
    )
    assert c.Department.objects.filter(name="IT department (ext)").get() == stored
    assert c.Department.objects.filter(name="Экономика бөлімі").exists()


def test_a_group_moved_to_another_department_is_said_in_the_preview(admin_client):
    c.Department.objects.create(name="Бағдарламалау бөлімі")
    header = "name,department,specialty,qualification,study_period,technology,language,course\n"
    row = "PO-99,Бағдарламалау бөлімі,X0613,X4S0613,1 y 10 m,credit,ru,2\n"
    page = admin_client.get(upload(admin_client, header + row, "groups"))
    html = page.content.decode()
    assert page.status_code == 200, html
    assert "1 row moves to another parent:" in html
    assert "department: from “IT department (ext)” to “Бағдарламалау бөлімі”" in html
    assert c.Group.objects.get(name="PO-99").department.name == "IT department (ext)"  # not yet


def test_students_reference_a_group_by_its_cyrillic_name_with_a_hint_when_unknown(admin_client):
    c.Group.objects.filter(name="PO-99").update(name="ПО-25")
    header = "last_name,first_name,email,record_book_number,group\n"
    ok = upload(admin_client, header + "Әбенов,Арман,arman@example.kz,ZK-501,ПО-25\n", "students")
    assert "Imported file.csv: 1 created" in confirm(admin_client, ok)
    assert c.Student.objects.get(record_book_number="ZK-501").group.name == "ПО-25"
    page = admin_client.get(upload(admin_client, header + "Кім,Лі,,ZK-502,ПО-52\n", "students"))
    assert re.findall(ERROR_ROW, page.content.decode()) == [
        ("2", "group", "No group “ПО-52” (by external ID or name). Closest existing: ПО-25."),
    ]


def test_every_problem_of_every_row_comes_in_one_preview(admin_client):
    header = "last_name,first_name,email,record_book_number,group,iin\n"
    rows = ",Dana,not-an-email,ZK-601,NOPE,123456789012\nKim,,also-bad,ZK-602,PO-99,\n"
    page = admin_client.get(upload(admin_client, header + rows, "students"))
    assert page.status_code == 422
    assert sorted(re.findall(ERROR_ROW, page.content.decode())) == [
        ("2", "email", "Enter a valid e-mail address."),
        ("2", "group", "No group “NOPE” (by external ID or name)."),
        ("2", "iin", "An IIN is 12 digits with a valid check digit: 123456789012"),
        ("2", "last_name", "This value is required."),
        ("3", "email", "Enter a valid e-mail address."),
        ("3", "first_name", "This value is required."),
    ]


@pytest.mark.parametrize(
    ("iin", "valid"),
    [
        (VALID_IIN, True),
        ("000101500018", False),  # wrong check digit
        ("00010150001", False),  # 11 digits
        ("00010150001a", False),
        ("000000000000", True),
    ],
)
def test_iin_check_digit(iin, valid):
    assert iin_is_valid(iin) is valid


def test_iin_second_weights_when_the_first_give_ten():
    # 10 × 1 at the tenth digit: remainder 10, so weights 3..11, 1, 2 decide (remainder 1).
    assert iin_is_valid("000000000101")
    assert not iin_is_valid("000000000100")
    # Both weightings give 10: no valid IIN has these first 11 digits.
    assert not any(iin_is_valid(f"00000000281{d}") for d in range(10))


def test_a_student_is_matched_by_iin_then_by_login(admin_client):
    student = c.Student.objects.get(record_book_number="ZK-001")
    student.iin = VALID_IIN
    student.save()
    header = "last_name,first_name,record_book_number,group,iin\n"
    html = confirm(
        admin_client, upload(admin_client, header + f"Renamed,Name1,ZK-001,PO-99,{VALID_IIN}\n", "students")
    )
    assert "0 created, 1 updated" in html
    student.refresh_from_db()
    assert student.user.last_name == "Renamed"
    header = "last_name,first_name,record_book_number,group,username\n"
    login = student.user.username
    html = confirm(
        admin_client, upload(admin_client, header + f"Again,Name1,ZK-001,PO-99,{login}\n", "students")
    )
    assert "0 created, 1 updated" in html
    assert c.Student.objects.filter(user__last_name="Again").get() == student


def test_the_api_validates_the_iin_too(admin_client):
    rows = [
        (
            1,
            {
                "external_id": "ST1",
                "last_name": "S",
                "first_name": "N",
                "record_book_number": "ZK-001",
                "group": "G1",
                "iin": "123456789012",
            },
        )
    ]
    outcome = ENTITIES["students"].run(rows, dry_run=True)
    assert [(e.column, e.message[:10]) for e in outcome.errors] == [("iin", "An IIN is ")]


def test_staff_without_external_ids_are_matched_by_login(admin_client):
    header = "last_name,first_name,username,pcc\n"
    html = confirm(admin_client, upload(admin_client, header + "Сейітова,Әйгерім,aigerim,P1\n", "staff"))
    assert "1 created" in html
    html = confirm(
        admin_client,
        upload(admin_client, header + "Сейітова,Әйгерім,aigerim,Programming PCC (ext)\n", "staff"),
    )
    assert "0 created, 0 updated, 1 unchanged" in html
    assert c.Staff.objects.filter(user__username="aigerim").count() == 1


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
@pytest.mark.parametrize("kind", list(ENTITIES))
def test_templates_speak_the_users_language_with_an_example_and_a_legend(admin_client, language, kind):
    """#18.4: headers in the user's language that the upload reads back, one example row, a legend."""
    import io

    from openpyxl import load_workbook

    from imports.tables import to_rows

    admin_client.post(reverse("set_language"), {"language": language, "next": "/"})
    entity = ENTITIES[kind]
    xlsx = load_workbook(
        io.BytesIO(admin_client.get(reverse("imports:template", args=[kind, "xlsx"])).content)
    )
    sheet, legend = xlsx.worksheets
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert len(cells) == 2  # the header and one example row
    rows, errors = to_rows(entity, cells)
    assert errors == [] and len(rows) == 1
    if language != "en" and kind == "students":
        assert cells[0][1] == {"ru": "фамилия", "kk": "тегі"}[language]
    assert legend.max_row == len(entity.columns) + 1
    assert all(row[2] for row in legend.iter_rows(min_row=2, values_only=True))  # every column explained
    csv_text = admin_client.get(reverse("imports:template", args=[kind, "csv"])).content.decode()
    assert len(csv_text.strip().splitlines()) == 2
    assert csv_text.splitlines()[0].split(",") == [str(h) for h in cells[0]]


def test_the_students_template_example_imports_as_it_is(admin_client):
    """The example row is real data in the right shape: a registrar who tries it sees it pass."""
    c.Group.objects.filter(name="PO-99").update(name="ПО-25")
    admin_client.post(reverse("set_language"), {"language": "kk", "next": "/"})
    content = admin_client.get(reverse("imports:template", args=["students", "csv"])).content
    admin_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = admin_client.get(upload(admin_client, content, "students"))
    assert page.status_code == 200, re.findall(ERROR_ROW, page.content.decode())


def test_the_preview_runs_as_a_job_with_the_progress_bar(admin_client, settings):
    """#18.5: the upload answers at once; the preview page polls a dry-run job, then shows its rows."""
    from django_tasks import default_task_backend

    from imports import jobs
    from imports.models import ImportJob

    immediate = settings.TASKS
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued only
    url = upload(admin_client, "name\nЭкономика бөлімі\n", "departments")
    page = admin_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and 'class="upload-progress job-progress"' in html
    assert f'hx-get="{url}"' in html  # the bar polls the preview itself
    check = ImportJob.objects.get(dry_run=True)
    [queued] = default_task_backend.results
    assert queued.args == [str(check.pk)] and check.status == ImportJob.Status.QUEUED
    assert admin_client.get(url).content.decode().count("job-progress") == 1  # no second job
    assert ImportJob.objects.filter(dry_run=True).count() == 1
    jobs.run(check.pk)  # what the worker does
    polled = admin_client.get(url, headers={"HX-Request": "true"})
    assert polled.status_code == 204 and polled["HX-Refresh"] == "true"
    html = admin_client.get(url).content.decode()
    assert "1 rows will be created, 0 updated, 0 are unchanged" in html and "will be created" in html
    assert not c.Department.objects.filter(name="Экономика бөлімі").exists()
    assert check.path.exists()  # the preview keeps the file for the confirm
    settings.TASKS = immediate
    assert "Imported file.csv: 1 created" in confirm(admin_client, url)
    assert c.Department.objects.filter(name="Экономика бөлімі").exists()
    assert not check.path.exists()


def test_the_same_name_twice_in_a_file_without_external_ids_is_an_error(admin_client):
    page = admin_client.get(upload(admin_client, "name\nЭкономика\nЭкономика\n", "departments"))
    assert re.findall(ERROR_ROW, page.content.decode()) == [("3", "name", "The same key as row 2: Экономика")]

"""Errors a registrar can act on in one pass, in one language (X-13, X-8): the kind kept on a
re-upload, another kind's file recognised, columns named by the headers of the user's language, no
string of another catalogue on any import page or message, and the command in the same words."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from college import models as c
from imports.columns import column_label
from tests.catalogues import strings_of_another_language, visible_text
from tests.html import shown_page

pytestmark = pytest.mark.req("X-13", "X-8")

LANGUAGES = ["kk", "ru", "en"]
ERROR_ROW = r'<tr><td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>'
GOOD = "last_name,first_name,record_book_number,group\nӘбенов,Арман,ZK-801,PO-21\n"
BAD = "last_name,first_name,record_book_number,group\n,Арман,ZK-802,PO-21\nКім,Лия,ZK-803,ЖОҚ-1\n"


@pytest.fixture
def registrar(scheduled, login):
    def signed_in(language="en"):
        user = scheduled.users["registrar"]
        user.language = language
        user.save()
        return login(user)

    return signed_in


def upload(client, text, kind="students", name="file.csv"):
    response = client.post(
        reverse("imports:index"), {"kind": kind, "file": SimpleUploadedFile(name, text.encode())}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    return response["Location"]


def assert_one_language(page, language):
    assert strings_of_another_language(page, language) == [], visible_text(page)[-2000:]


def test_upload_a_corrected_file_comes_back_with_the_kind_it_left_with(registrar):
    client = registrar()
    page = shown_page(client.get(upload(client, BAD)), 422)
    link = f'href="{reverse("imports:index")}?kind=students"'
    assert link in page
    form = client.get(f"{reverse('imports:index')}?kind=students").content.decode()
    assert '<option value="students" selected>' in form


def test_another_kinds_file_is_recognised_and_previewed_as_that_kind(registrar):
    client = registrar()
    preview = upload(client, GOOD, kind="groups")
    page = shown_page(client.get(preview), 422)
    text = visible_text(page)
    assert "This looks like a “Students” file, not “Groups”." in text
    assert "Unknown column" not in text  # one sentence, not one error per column
    token = preview.rstrip("/").rsplit("/", 1)[-1]
    retyped = client.post(reverse("imports:retype", args=[token]), {"kind": "students"})
    assert retyped.status_code == 302
    assert "1 rows will be created" in visible_text(shown_page(client.get(retyped["Location"])))
    assert not c.Student.objects.filter(record_book_number="ZK-801").exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_errors_name_columns_by_the_headers_of_the_users_language(registrar, language):
    client = registrar(language)
    rows = re.findall(ERROR_ROW, shown_page(client.get(upload(client, BAD)), 422))
    assert [(row, column) for row, column, _message in rows] == [
        ("2", column_label("last_name", language)),
        ("3", column_label("group", language)),
    ]
    assert column_label("group", language) in rows[1][2]  # the sentence names it too


def test_the_preview_is_checked_again_when_the_page_changes_language(registrar):
    client = registrar("ru")
    preview = upload(client, BAD)
    assert "Это значение обязательно." in client.get(preview).content.decode()
    client.post(reverse("set_language"), {"language": "kk", "next": preview})
    page = client.get(preview).content.decode()
    assert "Бұл мәнді толтыру міндетті." in page and "Это значение обязательно." not in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_import_page_and_message_speaks_one_language(registrar, language, scheduled):
    client = registrar(language)
    assert_one_language(shown_page(client.get(reverse("imports:index"))), language)
    bad = upload(client, BAD)
    assert_one_language(shown_page(client.get(bad), 422), language)
    other_kind = upload(client, GOOD, kind="groups")
    assert_one_language(shown_page(client.get(other_kind), 422), language)
    good = upload(client, GOOD)
    preview = shown_page(client.get(good))
    assert "Әбенов Арман" in visible_text(preview) and "PO-21" in visible_text(preview)
    assert_one_language(preview, language)
    job = client.post(good)
    assert_one_language(shown_page(client.get(job["Location"])), language)
    failed = client.post(bad)  # a crafted confirm of the bad file: the job fails with its errors
    assert_one_language(shown_page(client.get(failed["Location"])), language)
    assert_one_language(shown_page(client.get(reverse("login_sheet"))), language)
    for kind in ("students", "streams"):
        book = load_workbook(io.BytesIO(client.get(reverse("imports:template", args=[kind, "xlsx"])).content))
        cells = " ".join(
            str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v
        )
        assert strings_of_another_language(cells, language) == [], cells


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_command_speaks_the_pages_words(registrar, language, tmp_path):
    client = registrar(language)
    page_rows = re.findall(ERROR_ROW, shown_page(client.get(upload(client, BAD)), 422))
    path = tmp_path / "students.csv"
    path.write_text(BAD, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_college", "students", str(path), "--language", language, stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == len(page_rows)
    for line, (row, column, message) in zip(lines, page_rows, strict=True):
        assert row in line and f"«{column}»" in line and message in line
        assert strings_of_another_language(line, language) == []


def test_a_stored_row_keeps_what_the_file_has_no_column_for(registrar, scheduled):
    student = scheduled.users["student"].student
    student.user.email = "student@example.kz"
    student.user.save()
    client = registrar()
    header = "last_name,first_name,record_book_number,group\n"
    row = header + f"Renamed,{student.user.first_name},{student.record_book_number},PO-21\n"
    url = upload(client, row)
    text = visible_text(shown_page(client.get(url)))
    assert "last name: from" in text and "patronymic" not in text and "e-mail" not in text
    client.post(url)
    student.user.refresh_from_db()
    assert student.user.last_name == "Renamed" and student.user.patronymic and student.user.email


def test_the_language_check_itself_finds_what_it_looks_for(db):
    """The check above can fail: a Russian sentence on a Kazakh page, English left untranslated, a
    Kazakh column header on a Russian page."""
    assert strings_of_another_language("<p>Это значение обязательно.</p>", "kk") == [
        "Это значение обязательно."
    ]
    assert strings_of_another_language("<p>Nothing was imported: the file has errors.</p>", "ru") != []
    assert strings_of_another_language("<td>сынақ кітапшасының нөмірі</td>", "ru") == [
        "сынақ кітапшасының нөмірі"
    ]
    assert strings_of_another_language("<p>Бұл мәнді толтыру міндетті.</p>", "kk") == []

"""#18: the files a registrar brings — XLSX as Excel and as LibreOffice save it, CSV in UTF-8 with
and without BOM, in Windows-1251 as Russian Excel saves it; never garbled (X-13)."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from college import models as c

pytestmark = pytest.mark.req("X-13")

ERROR_ROW = r'<tr><td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>'
RU_HEADER = ["фамилия", "имя", "номер зачетной книжки", "группа"]
KK_HEADER = ["тегі", "аты", "сынақ кітапшасының нөмірі", "топ"]


@pytest.fixture
def group(admin_client):
    c.Group.objects.filter(name="PO-99").update(name="ПО-25")
    return "ПО-25"


def preview(client, content, name):
    response = client.post(
        reverse("imports:index"), {"kind": "students", "file": SimpleUploadedFile(name, content)}
    )
    return client.get(response["Location"])


def openpyxl_book(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite(content: bytes, parts: dict) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = parts.pop(info.filename, None)
            target.writestr(info, source.read(info) if data is None else data)
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def libreoffice_book(rows) -> bytes:
    """Strings inline in the sheet (t="inlineStr"), as openpyxl writes and as LibreOffice can; a
    record-book number typed as digits is a number cell."""
    content = openpyxl_book(rows)
    assert "inlineStr" in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    return content


def excel_book(rows) -> bytes:
    """As Excel saves: every string in the shared-strings table, the cells holding its index."""
    content = openpyxl_book(rows)
    source = zipfile.ZipFile(io.BytesIO(content))
    strings: list[str] = []

    def shared(match):
        strings.append(match.group(2))
        return f'<c r="{match.group(1)}" t="s"><v>{len(strings) - 1}</v></c>'

    sheet = re.sub(
        r'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>([^<]*)</t></is></c>',
        shared,
        source.read("xl/worksheets/sheet1.xml").decode(),
    )
    table = "".join(f"<si><t>{text}</t></si>" for text in strings)
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    types = (
        source.read("[Content_Types].xml")
        .decode()
        .replace(
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
    )
    rels = (
        source.read("xl/_rels/workbook.xml.rels")
        .decode()
        .replace(
            "</Relationships>",
            '<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
    )
    assert "inlineStr" not in sheet and strings
    return rewrite(
        content,
        {
            "xl/worksheets/sheet1.xml": sheet.encode(),
            "xl/sharedStrings.xml": (
                f'<sst xmlns="{main}" count="{len(strings)}" uniqueCount="{len(strings)}">{table}</sst>'
            ).encode(),
            "[Content_Types].xml": types.encode(),
            "xl/_rels/workbook.xml.rels": rels.encode(),
        },
    )


def csv_bytes(rows, encoding, bom=False, delimiter=";"):
    text = "\r\n".join(delimiter.join(str(v) for v in row) for row in rows) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


KAZAKH = [KK_HEADER, ["Әбенов", "Ұлжан", "ZK-701", "ПО-25"], ["Қасымов", "Ерғали", "ZK-702", "ПО-25"]]
RUSSIAN = [RU_HEADER, ["Иванов", "Пётр", "ZK-801", "ПО-25"], ["Ёлкина", "Анна", "ZK-802", "ПО-25"]]


@pytest.mark.parametrize(
    ("name", "make", "rows"),
    [
        ("excel.xlsx", excel_book, KAZAKH),
        ("libreoffice.xlsx", libreoffice_book, KAZAKH),
        ("utf8.csv", lambda rows: csv_bytes(rows, "utf-8"), KAZAKH),
        ("utf8-bom.csv", lambda rows: csv_bytes(rows, "utf-8", bom=True), KAZAKH),
        ("utf16.csv", lambda rows: "\r\n".join("\t".join(r) for r in rows).encode("utf-16"), KAZAKH),
        ("cp1251.csv", lambda rows: csv_bytes(rows, "cp1251"), RUSSIAN),
    ],
)
def test_the_files_a_registrar_brings_import_without_garbling(admin_client, group, name, make, rows):
    page = preview(admin_client, make(rows), name)
    assert page.status_code == 200, re.findall(ERROR_ROW, page.content.decode())
    admin_client.post(page.request["PATH_INFO"])
    stored = {s.record_book_number: (s.user.last_name, s.user.first_name) for s in c.Student.objects.all()}
    for row in rows[1:]:
        assert stored[row[2]] == (row[0], row[1])


def test_libreoffice_numbers_in_text_columns_read_as_typed(admin_client, group):
    content = libreoffice_book([RU_HEADER, ["Иванов", "Пётр", 101, "ПО-25"]])
    page = preview(admin_client, content, "numbers.xlsx")
    assert page.status_code == 200
    admin_client.post(page.request["PATH_INFO"])
    assert c.Student.objects.filter(record_book_number="101").exists()


def test_kazakh_letters_lost_to_windows_1251_are_said_not_imported(admin_client, group):
    # What Russian Excel's "CSV (comma delimited)" writes for Kazakh names: "?" for ә, ұ, қ, ғ.
    content = "\r\n".join(";".join(r) for r in KAZAKH).encode("cp1251", errors="replace")
    page = preview(admin_client, content, "kazakh-1251.csv")
    assert page.status_code == 422
    html = page.content.decode()
    assert "saved in Windows-1251, which cannot hold the Kazakh letters" in html
    assert "CSV UTF-8" in html
    assert not c.Student.objects.filter(record_book_number="ZK-701").exists()


def test_a_question_mark_at_a_words_end_is_not_a_lost_letter(admin_client, group):
    rows = [RU_HEADER + ["отчество"], ["Иванов", "Пётр", "ZK-901", "ПО-25", "Кто?"]]
    page = preview(admin_client, csv_bytes(rows, "cp1251"), "question.csv")
    assert page.status_code == 200


def test_unconfirmed_uploads_are_deleted_after_a_day(admin_client, group):
    """#18.5: by the command, and when the next upload arrives; a queued job's file stays."""
    import os
    import time

    from django.core.management import call_command

    from imports.models import ImportJob, pending_dir

    day_ago = time.time() - 25 * 3600
    stale, queued, fresh = (pending_dir() / f"{name}.csv" for name in ("a" * 32, "b" * 32, "c" * 32))
    for path in (stale, queued, fresh):
        path.write_text("x")
    os.utime(stale, (day_ago, day_ago))
    os.utime(queued, (day_ago, day_ago))
    ImportJob.objects.create(upload="b" * 32, kind="students", file_name="q.csv")
    out = io.StringIO()
    call_command("clean_imports", stdout=out)
    assert "Removed 1 unconfirmed upload(s)." in out.getvalue()
    assert not stale.exists() and queued.exists() and fresh.exists()
    os.utime(fresh, (day_ago, day_ago))
    preview(admin_client, csv_bytes(RUSSIAN, "utf-8"), "next.csv")  # a new upload clears it
    assert not fresh.exists() and queued.exists()

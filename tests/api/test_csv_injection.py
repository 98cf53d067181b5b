"""CSV formula injection (#16.7): every CSV the app writes goes through one writer
(``core/csv_writer.py``) that neutralises cells a spreadsheet would run as a formula, and the
import reads such a cell back as it was, so an export still imports unchanged."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import record
from college import models as c
from core.csv_writer import csv_text, safe_cell, unescape_cell
from imports.entities import ENTITIES
from tests.api.seed import seed

V1 = "/api/v1"
FORMULAS = ['=HYPERLINK("http://evil.example","open")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.req("X-12", "X-13", "X-7")
def test_formula_cells_get_an_apostrophe_and_numbers_stay_numbers():
    for formula in FORMULAS:
        assert safe_cell(formula) == "'" + formula
        assert unescape_cell(safe_cell(formula)) == formula
    assert safe_cell(-5) == -5 and safe_cell(2.5) == 2.5 and safe_cell(None) == ""
    assert safe_cell("Abenov") == "Abenov" and safe_cell("it's") == "it's"
    assert unescape_cell("'quoted on purpose") == "'quoted on purpose"
    assert csv_text(["a", "b"], [["=1+1", 7]]) == "a,b\r\n'=1+1,7\r\n"


@pytest.mark.req("X-12")
def test_the_api_export_neutralises_formulas(college, token_client):
    seed()
    student = c.Student.objects.get(record_book_number="ZK-001")
    student.user.last_name, student.user.first_name = FORMULAS[0], "-Arman"
    student.user.save()
    response = token_client("admin").get(f"{V1}/export/students")
    assert response.status_code == 200
    rows = rows_of(response.content)
    row = next(r for r in rows if "ZK-001" in r)
    header = rows[0]
    assert row[header.index("last_name")] == "'" + FORMULAS[0]
    assert row[header.index("first_name")] == "'-Arman"
    for cells in rows:
        for cell in cells:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.mark.req("X-13")
def test_an_export_with_formula_like_values_imports_unchanged(college, token_client, login, settings):
    seed()
    student = c.Student.objects.get(record_book_number="ZK-002")
    student.user.last_name, student.user.first_name = "=Bekova", "+Dana"
    student.user.save()
    exported = token_client("admin").get(f"{V1}/export/students").content
    rows = ENTITIES["students"].export_rows()
    admin = login(college.users["admin"])
    upload = SimpleUploadedFile("students.csv", exported)
    preview = admin.post(reverse("imports:index"), {"kind": "students", "file": upload})
    page = admin.get(preview["Location"]).content.decode()
    assert "0 rows will be created, 0 updated" in page  # the apostrophes are read back off
    assert admin.post(preview["Location"]).status_code == 302
    student.user.refresh_from_db()
    assert (student.user.last_name, student.user.first_name) == ("=Bekova", "+Dana")
    assert ENTITIES["students"].export_rows() == rows


@pytest.mark.req("X-7")
def test_the_audit_csv_still_neutralises_formulas(college, login):
    department = college.departments[0]
    department.name = "=cmd|' /C calc'!A0"
    department.save()
    record(
        actor=college.users["admin"], action="admin.change", obj=department, after={"name": department.name}
    )
    response = login(college.users["admin"]).get(reverse("audit:csv"))
    rows = rows_of(b"".join(response.streaming_content))
    assert rows[1][6] == "'=cmd|' /C calc'!A0"

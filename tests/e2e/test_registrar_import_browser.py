"""#18 in real Chromium: the registrar's first day — a departments workbook without external IDs
(one name already stored), then a groups file that moves a group to another department. The
preview (a job, with the progress bar) says which rows are created, matched or updated and names
the move before anything is saved; confirming imports exactly that (X-13)."""

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from college import models as c
from tests.api.seed import seed
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def workbook(path, rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def upload(page, kind, path):
    page.get_by_label("What the file holds").select_option(label=kind)
    page.get_by_label("File (.csv or .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()


@pytest.mark.req("X-13")
def test_registrar_imports_departments_and_groups_by_name_with_a_preview(
    college, new_page, guard, screenshot, tmp_path
):
    seed()  # department "IT department (ext)" with the group PO-99
    page = guard(new_page())
    login(page, college.users["admin"])
    page.get_by_text("Administration", exact=True).click()
    page.get_by_role("link", name="Import", exact=True).click()

    # Departments in Russian headers, no external IDs: one is stored already, one is new.
    path = workbook(
        tmp_path / "отделения.xlsx", [["название"], ["IT department (ext)"], ["Бағдарламалау бөлімі"]]
    )
    upload(page, "Departments", path)
    expect(
        page.get_by_text("The file is valid: 1 rows will be created, 0 updated, 1 are unchanged.")
    ).to_be_visible(timeout=20_000)
    rows = page.locator("table.import-rows tbody tr")
    expect(rows.nth(0).locator("td")).to_have_text(
        ["2", "IT department (ext)", "matches a stored row, unchanged", ""]
    )
    expect(rows.nth(1).locator("td")).to_have_text(["3", "Бағдарламалау бөлімі", "will be created", ""])
    screenshot(page, "departments-preview")
    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_text("Imported отделения.xlsx: 1 created, 0 updated, 1 unchanged.")).to_be_visible(
        timeout=20_000
    )
    assert c.Department.objects.filter(name="IT department (ext)").count() == 1  # no copy

    # Groups by name, referencing the department by its name: PO-99 moves — said, not silent.
    page.get_by_role("link", name="Import another file").click()
    header = [
        "топ",
        "бөлімше",
        "мамандық",
        "біліктілік",
        "оқу мерзімі",
        "оқыту технологиясы",
        "оқыту тілі",
        "курс",
    ]
    row = ["PO-99", "Бағдарламалау бөлімі", "X0613", "X4S0613", "1 y 10 m", "credit", "ru", 2]
    upload(page, "Groups", workbook(tmp_path / "топтар.xlsx", [header, row]))
    moves = page.locator(".import-moves")
    expect(moves).to_contain_text("1 row moves to another parent:", timeout=20_000)
    expect(moves).to_contain_text("department: from “IT department (ext)” to “Бағдарламалау бөлімі”")
    expect(page.locator("table.import-rows tbody tr td").nth(2)).to_have_text("will be updated")
    assert c.Group.objects.get(name="PO-99").department.name == "IT department (ext)"  # nothing saved yet
    screenshot(page, "groups-preview-move")
    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_text("Imported топтар.xlsx: 0 created, 1 updated, 0 unchanged.")).to_be_visible(
        timeout=20_000
    )
    assert c.Group.objects.get(name="PO-99").department.name == "Бағдарламалау бөлімі"

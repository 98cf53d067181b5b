"""The registrar's day as a person clicks it, in real Chromium (ADM-2…ADM-6, SET-1…SET-3, X-13).

From the login page the college's administrator — who also keeps the module's settings — only
clicks visible controls and types into visible fields: creates a role in the Role editor (the staff
module in edit mode, extended rights, a department scope, themself as a member), which brings them
Online attestation → Settings; changes a setting there; then on Administration → Import downloads
the students template and imports a students file written here, through the preview, to the job's
counts. Every step leaves a screenshot.
"""

import pytest
from playwright.sync_api import expect

from access.models import Role
from attestation.models import ModuleSettings
from college.models import Student
from tests.api.seed import seed
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

STUDENTS = [  # external_id, last_name, first_name, patronymic, email, username, record_book_number, group
    "J1,Қасымов,Нұрлан,Серікұлы,,,JR-001,G1",
    "J2,Әлиева,Айгерім,,,,JR-002,G1",
    "J3,Ахметов,Ерлан,,,,JR-003,G1",
]


@pytest.mark.req("ADM-2", "ADM-3", "ADM-4", "ADM-6", "SET-1", "SET-2", "X-13")
def test_registrar_sets_up_a_role_a_setting_and_imports_students(
    college, new_page, guard, screenshot, tmp_path
):
    seed()  # the group G1 the imported students join
    admin = college.users["admin"]
    page = guard(new_page(viewport={"width": 1366, "height": 900}))
    login(page, admin)
    expect(page.get_by_role("heading", name=f"Welcome, {admin.full_name}")).to_be_visible()
    expect(page.get_by_text("Online attestation", exact=True)).to_have_count(0)  # no module yet
    screenshot(page, "1-home")

    # --- Role editor: a new role with the staff module, its rights and a scope -------------------
    page.get_by_text("Administration", exact=True).click()
    page.locator(".menu").get_by_role("link", name="Role editor").click()
    page.get_by_role("link", name="Add role").click()
    page.get_by_label("Name").fill("Academic office")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The role “Academic office” is saved.")).to_be_visible()
    block = page.locator("fieldset[data-module=oia_staff]")
    block.get_by_label("Attached").check()
    block.get_by_label("Edit", exact=True).check()
    block.get_by_label("May define the module's settings (edit mode only)").check()
    block.get_by_label("May view all final controls").check()
    block.locator(".scope", has_text="Departments").get_by_label("IT department", exact=True).check()
    page.get_by_label(admin.full_name, exact=True).check()
    screenshot(page, "2-role")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The role “Academic office” is saved.")).to_be_visible()
    expect(block.get_by_label("May define the module's settings (edit mode only)")).to_be_checked()
    expect(
        block.locator(".scope", has_text="Departments").get_by_label("IT department", exact=True)
    ).to_be_checked()
    role = Role.objects.get(name="Academic office")
    attached = role.modules.get(module="oia_staff")
    assert (attached.mode, attached.may_define_settings, attached.may_view_all) == ("edit", True, True)
    assert list(attached.departments.values_list("name", flat=True)) == ["IT department"]
    assert list(role.users.all()) == [admin]
    screenshot(page, "3-role-saved")

    # --- Online attestation → Settings: the new right shows the page; one setting changes ---------
    page.get_by_text("Online attestation", exact=True).click()
    page.locator(".menu").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Conducting online attestation. Settings")).to_be_visible()
    whole_stream = page.get_by_label("Distribute tickets over the whole stream")
    expect(whole_stream).to_be_checked()  # the default
    whole_stream.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The settings are saved.")).to_be_visible()
    expect(page.get_by_label("Distribute tickets over the whole stream")).not_to_be_checked()
    assert ModuleSettings.objects.get(kind="intermediate").distribute_whole_stream is False
    screenshot(page, "4-settings")

    # --- Administration → Import: the template, a students file, the preview, the job -------------
    page.get_by_text("Administration", exact=True).click()
    page.locator(".menu").get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Import college data")).to_be_visible()
    students_row = page.get_by_role("row").filter(has=page.get_by_role("cell", name="Students", exact=True))
    with page.expect_download() as download:
        students_row.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    header, example = download.value.path().read_text(encoding="utf-8-sig").strip().splitlines()[:2]
    assert header == "external id,last name,first name,patronymic,email,username,iin,record book number,group"
    assert example.count(",") == header.count(",")  # one example row under the headers (#18.4)
    screenshot(page, "5-import")

    students_file = tmp_path / "students.csv"
    # The IIN column is optional: a file without it (the rows below) imports as well.
    columns = header.replace(",iin,", ",")
    students_file.write_text("\n".join([columns, *STUDENTS]) + "\n", encoding="utf-8")
    page.get_by_label("What the file holds").select_option(label="Students")
    page.get_by_label("File (.csv or .xlsx)").set_input_files(str(students_file))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_text("The file is valid: 3 rows will be created")).to_be_visible()
    screenshot(page, "6-preview")
    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_role("heading", name="Import: Students — students.csv")).to_be_visible()
    expect(page.get_by_text("Imported students.csv: 3 created, 0 updated, 0 unchanged.")).to_be_visible(
        timeout=30_000
    )
    screenshot(page, "7-imported")
    imported = Student.objects.filter(record_book_number__startswith="JR-").select_related("user", "group")
    assert {(s.user.last_name, s.group.name) for s in imported} == {
        ("Қасымов", "PO-99"),
        ("Әлиева", "PO-99"),
        ("Ахметов", "PO-99"),
    }

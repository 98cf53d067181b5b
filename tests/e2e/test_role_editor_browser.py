"""In real Chromium: the administrator changes a role and the reader sees the difference (ADM-4, X-8)."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.req("ADM-3", "ADM-4", "LST-2")
def test_administrator_unticks_view_all_and_reader_loses_the_streams(college, new_page, screenshot):
    reader = new_page(college.users["reader"])
    reader.goto("/attestation/streams/")
    assert reader.get_by_role("cell", name="History — EK-31").is_visible()

    admin = new_page(college.users["admin"])
    admin.goto("/")
    admin.get_by_text("Administration", exact=True).click()
    admin.locator("nav").get_by_role("link", name="Role editor").click()
    admin.get_by_role("link", name="Methodologist").click()
    block = admin.locator("fieldset[data-module=oia_staff]")
    assert block.get_by_label("Attached").is_checked()
    assert block.get_by_label("Read").is_checked()
    block.get_by_label("May view all final controls").uncheck()
    screenshot(admin, "role-editor")
    admin.get_by_role("button", name="Save").click()
    assert admin.get_by_text("The role “Methodologist” is saved.").is_visible()
    assert (
        not admin.locator("fieldset[data-module=oia_staff]")
        .get_by_label("May view all final controls")
        .is_checked()
    )

    reader.reload()
    assert reader.get_by_text("No streams with online final control are visible to you.").is_visible()
    screenshot(reader, "reader-after")


@pytest.mark.req("ADM-4")
def test_settings_right_in_read_mode_shows_the_error_and_keeps_the_input(college, new_page):
    admin = new_page(college.users["admin"])
    admin.goto(f"/administration/roles/{college.roles.reader.pk}/")
    block = admin.locator("fieldset[data-module=oia_staff]")
    block.get_by_label("May define the module's settings (edit mode only)").check()
    admin.get_by_role("button", name="Save").click()
    assert admin.get_by_text("Nothing was saved: correct the errors below.").is_visible()
    assert admin.get_by_text("The right to define the module's settings needs edit mode.").is_visible()
    assert block.get_by_label("May define the module's settings (edit mode only)").is_checked()


@pytest.mark.req("X-8")
def test_interface_switches_between_kazakh_russian_and_english(college, new_page):
    page = new_page()
    page.goto("/login/")
    assert page.locator("html").get_attribute("lang") == "kk"
    assert page.get_by_role("heading", name="Кіру").is_visible()
    page.get_by_role("button", name="Русский").click()
    assert page.get_by_role("heading", name="Вход").is_visible()
    page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", name="Log in").is_visible()

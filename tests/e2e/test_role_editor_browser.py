"""In real Chromium: the administrator changes a role and the reader sees the difference (ADM-4, X-8).

After logging in, every step is a click on a visible control or typing into a visible field.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def open_role(page, name):
    page.get_by_text("Administration", exact=True).click()
    page.locator("nav").get_by_role("link", name="Role editor").click()
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=f"Role “{name}”")).to_be_visible()


@pytest.mark.req("ADM-3", "ADM-4", "LST-2")
def test_administrator_unticks_view_all_and_reader_loses_the_streams(college, new_page, guard, screenshot):
    reader = guard(new_page())
    login(reader, college.users["reader"])
    reader.get_by_text("Online attestation", exact=True).click()
    reader.locator(".menu").get_by_role("link", name="Intermediate attestation").click()
    expect(reader.get_by_role("cell", name="History — EK-31")).to_be_visible()

    admin = guard(new_page())
    login(admin, college.users["admin"])
    open_role(admin, "Methodologist")
    block = admin.locator("fieldset[data-module=oia_staff]")
    expect(block.get_by_label("Attached")).to_be_checked()
    expect(block.get_by_label("Read")).to_be_checked()
    block.get_by_label("May view all final controls").uncheck()
    screenshot(admin, "role-editor")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("The role “Methodologist” is saved.")).to_be_visible()
    expect(
        admin.locator("fieldset[data-module=oia_staff]").get_by_label("May view all final controls")
    ).not_to_be_checked()

    reader.get_by_text("Online attestation", exact=True).click()  # the list again, from the menu
    reader.locator(".menu").get_by_role("link", name="Intermediate attestation").click()
    expect(reader.get_by_text("No streams with online final control are visible to you.")).to_be_visible()
    screenshot(reader, "reader-after")


@pytest.mark.req("ADM-4")
def test_settings_right_in_read_mode_shows_the_error_and_keeps_the_input(college, new_page, guard):
    admin = guard(new_page())
    login(admin, college.users["admin"])
    open_role(admin, "Methodologist")
    block = admin.locator("fieldset[data-module=oia_staff]")
    block.get_by_label("May define the module's settings (edit mode only)").check()
    guard.expect(400, "/administration/roles/")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Nothing was saved: correct the errors below.")).to_be_visible()
    expect(admin.get_by_text("The right to define the module's settings needs edit mode.")).to_be_visible()
    expect(block.get_by_label("May define the module's settings (edit mode only)")).to_be_checked()


@pytest.mark.req("ADM-2", "X-8")
def test_role_members_are_listed_in_the_administrators_alphabet(college, new_page, guard, screenshot):
    """#14.8: the Role editor's staff list in Kazakh order for a Kazakh reader (Ә, Қ, І in place)."""
    from tests import factories as f

    for username, last_name in [
        ("ya", "Яковлев"),
        ("i", "Іскаков"),
        ("q", "Қасымов"),
        ("ae", "Әлиев"),
        ("a", "Ахметов"),
    ]:
        f.StaffFactory(
            user=f.UserFactory(username=username, last_name=last_name, first_name="Нұр", patronymic="")
        )
    admin = college.users["admin"]
    admin.language = "kk"
    admin.save()
    page = guard(new_page())
    login(page, admin)
    page.get_by_text("Әкімшілендіру", exact=True).click()
    page.locator("nav").get_by_role("link", name="Рөлдер редакторы").click()
    page.get_by_role("link", name="Methodologist").click()
    names = [
        name for name in page.locator(".choices.columns label").all_inner_texts() if name.endswith(" Нұр")
    ]
    screenshot(page, "members-kk")
    assert [name.split()[0] for name in names] == ["Ахметов", "Әлиев", "Қасымов", "Іскаков", "Яковлев"]


@pytest.mark.req("X-8")
def test_interface_switches_between_kazakh_russian_and_english(college, new_page, guard):
    page = guard(new_page())
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.get_by_role("heading", name="Кіру")).to_be_visible()
    page.get_by_role("button", name="Русский").click()
    expect(page.get_by_role("heading", name="Вход")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

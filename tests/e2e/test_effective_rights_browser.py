"""#18.6 in real Chromium: an administrator finds a user under Administration → Users and sees the
sum of their roles — each right with the role that gives it — and what a role changes nothing of
(ADM-1, ADM-3, ADM-4)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.req("ADM-1", "ADM-3", "ADM-4")
def test_administrator_sees_a_users_effective_rights(college, new_page, guard, screenshot):
    page = guard(new_page())
    login(page, college.users["admin"])
    page.get_by_text("Administration", exact=True).click()
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_label("Login or name").fill("head_dept")
    page.get_by_role("button", name="Find").click()
    page.locator("table.users").get_by_role("link").first.click()
    rights = page.locator("table.effective-rights")
    expect(rights).to_contain_text("Mode: edit")
    mode_row = rights.locator("tr.module-row").first
    expect(mode_row.locator("td").nth(1)).to_have_text("Teacher")
    view_all = rights.locator("tr").filter(has_text="May view all final controls").first
    expect(view_all.locator("td").nth(1)).to_have_text("Head of department")
    expect(page.locator(".no-effect")).to_contain_text("read mode has no effect — Teacher gives edit mode.")
    screenshot(page, "user-rights")
    page.get_by_role("link", name="Head of department").click()
    expect(page.locator(".no-effect")).to_contain_text("read mode has no effect")
    screenshot(page, "role-no-effect")

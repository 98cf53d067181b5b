"""In real Chromium: settings saved, the journal turned online, "Go" followed (SET-5, JRN-1, JRN-2)."""

import pytest
from playwright.sync_api import expect

from attestation.models import ModuleSettings
from college.models import JournalColumn

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.req("SET-4", "SET-5", "JRN-1", "JRN-2")
def test_registrar_allows_a_period_and_teacher_turns_the_journal_online(college, new_page, screenshot):
    journal = college.streams.teacher_a.journal
    journal.conduct_online = False
    journal.save()
    JournalColumn.objects.create(journal=journal, kind="current", title="01.10", position=1)

    registrar = new_page(college.users["registrar"])
    registrar.goto("/")
    registrar.get_by_text("Online attestation", exact=True).click()
    registrar.get_by_role("link", name="Settings").click()
    assert registrar.get_by_role("heading", name="Conducting online attestation. Settings").is_visible()
    registrar.locator("details.multiselect summary").click()
    registrar.get_by_label(college.study_periods[0].name).check()
    assert registrar.locator(".multiselect-summary").inner_text().strip() == college.study_periods[0].name
    registrar.get_by_label("Students choose tickets themselves").check()
    screenshot(registrar, "settings")
    registrar.get_by_role("button", name="Save").click()
    registrar.locator("#confirm-dialog").get_by_role(
        "button", name="Change the form"
    ).click()  # it asks first
    expect(registrar.get_by_text("The settings are saved.")).to_be_visible()
    settings = ModuleSettings.for_kind()
    assert list(settings.allowed_study_periods.all()) == [college.study_periods[0]]
    assert settings.distribution_form == "self_choice"

    teacher = new_page(college.users["teacher"])
    teacher.goto("/")
    teacher.get_by_role("link", name="Journals").click()
    teacher.get_by_role("link", name=journal.stream.name).click()
    teacher.get_by_role("link", name="Settings").click()
    teacher.get_by_label("Conduct final control online").check()
    teacher.get_by_role("button", name="Save").click()
    assert teacher.get_by_text("The journal settings are saved.").is_visible()
    screenshot(teacher, "journal-settings")
    teacher.get_by_role("link", name="Go").click()
    expect(teacher.get_by_role("heading", name="Conducting online intermediate attestation")).to_be_visible()

    teacher.goto(f"/college/journals/{journal.stream_id}/")
    assert teacher.get_by_text("final-control grades are set in the Online attestation module").is_visible()
    screenshot(teacher, "journal-grades")

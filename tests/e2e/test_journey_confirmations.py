"""What cannot be undone asks first, in the page's own dialog (X-9, X-10, SET-1): revoking an API
token, giving a student a new password (which signs them out of a running exam), changing how
tickets are handed out. "Cancel" changes nothing; the dialog's button names the action."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from api.models import ApiToken
from attestation.models import ExamSession, ModuleSettings, Slot
from tests import factories as f
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.req("X-12", "X-9")
def test_journey_revoking_an_api_token_asks_first(college, new_page, guard):
    ApiToken.issue(name="College ERP", user=college.users["admin"])
    page = guard(new_page())
    login(page, college.users["admin"])
    page.get_by_text("Administration", exact=True).click()
    page.get_by_role("link", name="API tokens").click()
    row = page.get_by_role("row", name="College ERP")
    row.get_by_role("button", name="Revoke").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("Revoke the token “College ERP”? Every program that uses it is refused")
    dialog.get_by_role("button", name="Cancel").click()
    assert ApiToken.objects.get(name="College ERP").is_active
    row.get_by_role("button", name="Revoke").click()
    dialog.get_by_role("button", name="Revoke the token").click()
    expect(page.get_by_text("The token College ERP is revoked.")).to_be_visible()
    assert not ApiToken.objects.get(name="College ERP").is_active


@pytest.mark.req("X-10", "X-9")
def test_journey_a_password_reset_says_it_signs_the_student_out_of_a_running_exam(college, new_page, guard):
    stream = college.streams.teacher_a
    now = timezone.now()
    slot = Slot.objects.create(
        stream=stream,
        starts_at=now - datetime.timedelta(minutes=10),
        ends_at=now + datetime.timedelta(hours=1),
    )
    student = college.users["student"].student
    ExamSession.objects.create(stream=stream, student=student, slot=slot)
    page = guard(new_page())
    login(page, college.users["teacher"])
    page.get_by_role("link", name="Students' logins").click()
    page.get_by_role("link", name=student.full_name).click()
    page.get_by_role("button", name="Reset password").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("also from a final control under way: what they typed is saved")
    dialog.get_by_role("button", name="Reset the password").click()
    expect(page.get_by_text("Give it to the student now: it is shown only once.")).to_be_visible()


@pytest.mark.req("SET-1", "X-9")
def test_journey_changing_how_tickets_are_handed_out_asks_first(college, new_page, guard):
    f.stored_settings()
    page = guard(new_page())
    login(page, college.users["registrar"])
    page.get_by_text("Online attestation", exact=True).click()
    page.locator(".menu").get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Save").click()  # nothing changed in the form: no question
    expect(page.locator("#confirm-dialog")).to_be_hidden()
    page.get_by_label("Students choose tickets themselves").check()
    page.get_by_role("button", name="Save").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("Change how tickets are handed out?")
    dialog.get_by_role("button", name="Change the form").click()
    expect(page.get_by_label("Students choose tickets themselves")).to_be_checked()
    assert ModuleSettings.for_kind().distribution_form == ModuleSettings.DistributionForm.SELF_CHOICE

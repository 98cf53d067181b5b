"""In real Chromium: a teacher grades two students — one answered, one absent with an excuse — and the
journal shows both (GRD-1, GRD-2, GRD-6, JRN-4). Real clock."""

import datetime

import pytest
from playwright.sync_api import expect

from attestation import clock
from attestation.models import ExamSession, Slot
from attestation.services.journal import sync_final_columns

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.req("GRD-1", "GRD-2", "GRD-6", "JRN-4")
def test_teacher_grades_two_students_and_the_journal_shows_both(college, new_page, screenshot):
    stream = college.streams.teacher_a
    sync_final_columns(stream.journal)
    now = clock.now()
    slot = Slot.objects.create(
        stream=stream,
        starts_at=now - datetime.timedelta(hours=2),
        ends_at=now - datetime.timedelta(minutes=5),
    )
    student, other = college.users["student"].student, college.users["other_student"].student
    answered = ExamSession.objects.create(
        stream=stream,
        student=student,
        slot=slot,
        answer="<p>My answer</p>",
        answer_sent_at=now - datetime.timedelta(hours=1),
    )
    absent = ExamSession.objects.create(stream=stream, student=other, slot=slot)

    page = new_page(college.users["teacher"])
    page.goto(f"/attestation/sessions/{answered.pk}/")
    expect(page.get_by_text("My answer")).to_be_visible()
    page.locator("#assessment").get_by_text("Edit", exact=True).click()
    page.get_by_label("Written").fill("4")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The grade is saved and is in the journal.")).to_be_visible()
    expect(page.locator("#assessment .grade")).to_have_text("4 (good)")

    page.goto(f"/attestation/sessions/{absent.pk}/")
    page.locator("#assessment").get_by_text("Edit", exact=True).click()
    page.get_by_label("Absent, excused").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The grade is saved and is in the journal.")).to_be_visible()
    screenshot(page, "graded")

    page.goto(f"/college/journals/{stream.pk}/")
    expect(page.get_by_role("row", name=student.full_name)).to_contain_text("4 (good)")
    expect(page.get_by_role("row", name=other.full_name)).to_contain_text("Absent, excused")
    expect(page.get_by_text("final-control grades are set in the Online attestation module")).to_be_visible()
    screenshot(page, "journal")

"""In real Chromium: a teacher authors 3 tickets (one with a file), copies them to another stream,
generates ticket numbers for a slot and sends the questions (TKT, CPY, GEN, SND). Real clock."""

import datetime

import pytest
from playwright.sync_api import expect

from attestation import clock
from attestation.models import ExamSession, Slot, StreamExam, Ticket
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.req("TKT-2", "TKT-4", "TKT-5", "CPY-1", "CPY-3", "GEN-1", "SND-1")
def test_author_copy_generate_and_send(college, new_page, screenshot, tmp_path):
    stream = college.streams.teacher_a
    sibling = f.StreamFactory(
        name="Programming — EK-31",
        teacher=stream.teacher,
        discipline=stream.discipline,
        academic_period=stream.academic_period,
        groups=[college.groups[1]],
    )
    sibling.journal.conduct_online = True
    sibling.journal.save()
    now = clock.now()
    slot = Slot.objects.create(
        stream=stream,
        starts_at=now - datetime.timedelta(minutes=2),
        ends_at=now + datetime.timedelta(hours=1),
    )
    for student in stream.students.all():
        ExamSession.objects.create(stream=stream, student=student, slot=slot)
    questions = tmp_path / "questions.pdf"
    questions.write_bytes(b"%PDF-1.4\n%%EOF\n")

    page = new_page(college.users["teacher"])
    page.goto(f"/attestation/streams/{stream.pk}/tickets/")
    expect(
        page.get_by_role("heading", name=f"Tickets for discipline {stream.discipline.name}")
    ).to_be_visible()
    page.get_by_text("Edit", exact=True).first.click()
    page.get_by_label("Number of tickets").fill("3")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("The number of tickets is saved.")).to_be_visible()

    for number, text, attach in [(1, "What is a stream?", False), (2, "", True), (3, "Explain slots.", True)]:
        page.get_by_role("button", name="Add").click()
        dialog = page.locator("#dialog-add")
        dialog.get_by_label("Ticket").select_option(str(number))
        if text:
            editor = dialog.get_by_role("textbox", name="Questions")
            editor.click()
            page.keyboard.type(text)
        if attach:
            dialog.get_by_label("Upload file").set_input_files(str(questions))
        dialog.get_by_role("button", name="Save").click()
        expect(page.get_by_text("The ticket is saved.")).to_be_visible()
    expect(page.locator(".tickets-table tbody tr")).to_have_count(3)
    expect(page.get_by_text("Entered 3 of 3 tickets")).to_be_visible()
    screenshot(page, "tickets")

    page.get_by_label("Select all").first.check()
    page.get_by_role("button", name="Copy tickets").click()
    dialog = page.locator("#dialog-copy")
    dialog.get_by_label(sibling.name).check()
    dialog.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("3 ticket copies are made.")).to_be_visible()
    assert list(Ticket.objects.filter(stream=sibling).values_list("number", flat=True)) == [1, 2, 3]
    assert StreamExam.for_stream(sibling).ticket_count == 3

    page.goto(f"/attestation/streams/{stream.pk}/?tab=slot-{slot.pk}")
    page.get_by_role("button", name="Generate ticket numbers").click()
    dialog = page.locator("#dialog-generate")
    dialog.get_by_label("Select all").check()
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Ticket numbers are generated for 2 students.")).to_be_visible()
    page.get_by_role("button", name="Send questions to students").click()
    dialog = page.locator("#dialog-send")
    dialog.get_by_label("Select all").check()
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The questions are sent to 2 students.")).to_be_visible()
    screenshot(page, "sent")
    sessions = ExamSession.objects.filter(slot=slot)
    assert all(s.ticket_id and s.questions_sent_at for s in sessions)
    assert len({s.ticket_id for s in sessions}) == 2
    # Tickets are frozen now.
    page.goto(f"/attestation/streams/{stream.pk}/tickets/")
    expect(page.get_by_text("Ticket numbers have already been given to students")).to_be_visible()

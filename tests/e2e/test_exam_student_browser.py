"""In real Chromium on a phone-sized screen: a student picks a ticket, waits for the questions, types an
answer, reloads (the draft is back), attaches a file and sends; staff see the student online and the times.
(STU-3, STU-4, ANS-1, ANS-2, X-1, SLT-6, X-9). Runs on the real clock."""

import datetime

import pytest
from playwright.sync_api import expect

from attestation import clock
from attestation.models import ExamSession, ModuleSettings, Slot
from attestation.services import tickets as tickets_service
from tests import factories as f
from tests.attestation.test_tickets import author

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def running_slot(college):
    """A slot that started a minute ago; self-choice; tickets placed for the student."""
    settings = f.stored_settings()
    settings.distribution_form = ModuleSettings.DistributionForm.SELF_CHOICE
    settings.save()
    stream = author(college, count=3)
    now = clock.now()
    slot = Slot.objects.create(
        stream=stream,
        starts_at=now - datetime.timedelta(minutes=1),
        ends_at=now + datetime.timedelta(hours=1),
    )
    session = ExamSession.objects.create(stream=stream, student=college.users["student"].student, slot=slot)
    tickets_service.tickets_place(actor=college.users["teacher"], slot=slot, session_ids=[session.pk])
    return session


@pytest.mark.req("STU-3", "STU-4", "ANS-1", "ANS-2", "X-1", "SLT-6", "X-9")
def test_student_exam_on_a_phone(college, running_slot, new_page, screenshot, tmp_path):
    session = running_slot
    student = new_page(college.users["student"], viewport=PHONE)
    student.goto("/attestation/my/")
    student.get_by_role("link", name=session.stream.discipline.name).click()
    expect(student.get_by_role("heading", name="Choose a ticket")).to_be_visible()
    expect(student.locator(".tile-ticket.free")).to_have_count(3)
    screenshot(student, "board")
    student.locator(".tile-ticket.free").first.click()
    expect(student.get_by_text("You have a ticket.")).to_be_visible()
    expect(student.get_by_role("heading", name="Choose a ticket")).to_have_count(0)
    student.get_by_role("button", name="Show questions by ticket").click()
    expect(student.get_by_text("Please wait. The questions have not been sent yet.")).to_be_visible()

    # Staff see the student online and send the questions.
    teacher = new_page(college.users["teacher"])
    teacher.goto(f"/attestation/streams/{session.stream_id}/?tab=slot-{session.slot_id}")
    expect(teacher.locator(".slot-table .dot.online")).to_have_count(1)
    teacher.get_by_role("button", name="Send questions to students").click()
    dialog = teacher.locator("#dialog-send")
    dialog.get_by_label("Select all").check()
    dialog.get_by_role("button", name="Save").click()
    expect(teacher.get_by_text("The questions are sent to 1 students.")).to_be_visible()

    # The student's page notices within a few seconds and reloads by itself.
    expect(student.get_by_role("button", name="Show questions by ticket")).to_be_visible(timeout=15_000)
    student.get_by_role("button", name="Show questions by ticket").click()
    expect(student.get_by_text("Question", exact=False).first).to_be_visible()
    editor = student.locator("#answers [contenteditable=true]")
    expect(editor).to_be_visible(timeout=20_000)  # the editor's modules may take a moment on a busy machine
    expect(editor).to_be_visible()
    editor.click()
    student.keyboard.type("My answer: the stream page lists slots.")
    student.locator("h1").click()  # leaving the field saves at once
    expect(student.locator(".autosave-status")).to_contain_text("Saved at", timeout=10_000)
    screenshot(student, "typed")

    student.reload()
    expect(student.locator("#answers [contenteditable=true]")).to_contain_text(
        "My answer: the stream page lists slots."
    )

    upload = tmp_path / "work.pdf"
    upload.write_bytes(b"%PDF-1.4\n%%EOF\n")
    student.locator("#answer-upload").set_input_files(str(upload))
    student.get_by_role("button", name="Upload", exact=True).click()
    expect(student.get_by_role("link", name="work.pdf")).to_be_visible(timeout=10_000)
    expect(student.locator("#answers [contenteditable=true]")).to_contain_text("My answer")
    student.get_by_role("button", name="Send answer").click()
    expect(student.get_by_text("Your answer was sent at")).to_be_visible()
    screenshot(student, "sent")

    session.refresh_from_db()
    assert "My answer: the stream page lists slots." in session.answer
    assert session.answer_files.count() == 1 and session.questions_viewed_at

    teacher.reload()
    row = teacher.locator(".slot-table tbody tr").first
    expect(row).to_contain_text(
        session.answer_sent_at.astimezone(clock.local_now().tzinfo).strftime("%d.%m.%Y %H:%M")
    )
    screenshot(teacher, "staff")

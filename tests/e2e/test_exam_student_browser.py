"""In real Chromium on a phone-sized screen: a student picks a ticket, waits for the questions, types an
answer, reloads (the draft is back), attaches a file and sends; staff see the student online and the times.
(STU-3, STU-4, ANS-1, ANS-2, X-1, SLT-6, X-9). Runs on the real clock."""

import datetime
import os

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from attestation.models import ExamSession, ModuleSettings, Slot
from attestation.services import tickets as tickets_service
from core import clock
from tests import factories as f
from tests.attestation.test_tickets import author
from tests.e2e.conftest import login

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
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    slot = Slot.objects.create(
        stream=stream,
        starts_at=max(now - datetime.timedelta(minutes=1), midnight),  # today, also at 00:00 in Almaty
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
    student.get_by_role("dialog").get_by_role("button", name="Take the ticket").click()
    expect(student.get_by_text("You have a ticket.")).to_be_visible()
    expect(student.get_by_role("heading", name="Choose a ticket")).to_have_count(0)
    # Not sent yet: the page says so, and offers no button that would only say "please wait".
    expect(student.get_by_text("The teacher has not sent the questions yet.")).to_be_visible()
    expect(student.get_by_role("button", name="Show questions by ticket")).to_be_hidden()

    # Staff see the student online and send the questions.
    teacher = new_page(college.users["teacher"])
    teacher.goto(f"/attestation/streams/{session.stream_id}/?tab=slot-{session.slot_id}")
    expect(teacher.locator(".slot-table .dot.online")).to_have_count(1)
    teacher.get_by_role("button", name="Send questions to students").click()
    dialog = teacher.locator("#dialog-send")
    dialog.get_by_label("Select all").check()
    dialog.get_by_role("button", name="Send questions").click()
    expect(teacher.get_by_text("The questions are sent to 1 students.")).to_be_visible()

    # The student's page notices within a few seconds: the button comes, the waiting notice goes.
    expect(student.get_by_role("button", name="Show questions by ticket")).to_be_visible(timeout=15_000)
    expect(student.get_by_text("The teacher has not sent the questions yet.")).to_be_hidden()
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
    student.locator("#answer-upload").set_input_files(str(upload))  # attached as soon as chosen
    expect(student.get_by_role("link", name="work.pdf")).to_be_visible(timeout=10_000)
    expect(student.locator("#answers [contenteditable=true]")).to_contain_text("My answer")
    student.get_by_role("button", name="Send answer").click()
    student.get_by_role("dialog").get_by_role("button", name="Send answer").click()
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


# --- #14.3: a chosen file is never dropped by "Send answer" ------------------------------------------


@pytest.fixture
def answering(running_slot, college):
    """The student holds a ticket and has opened the questions."""
    session = running_slot
    ticket = session.stream.tickets.get(number=1)
    tickets_service.ticket_choose(
        actor=college.users["student"], session=session, tile=tickets_service.tile_token(session, ticket.pk)
    )
    tickets_service.questions_send(
        actor=college.users["teacher"], slot=session.slot, session_ids=[session.pk]
    )
    session.refresh_from_db()
    tickets_service.questions_open(actor=college.users["student"], session=session)
    return session


def open_answer(page, college, session):
    login(page, college.users["student"])
    page.get_by_role("link", name=session.stream.discipline.name).click()
    expect(page.get_by_role("heading", name="Answers")).to_be_visible()


def photo(tmp_path, name="page.png", size=(64, 48)):
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))  # noise: PNG cannot shrink it
    path = tmp_path / name
    image.save(path, format="PNG")
    return path


@pytest.mark.req("ANS-1", "ANS-2", "X-1")
def test_send_waits_for_a_file_still_uploading(college, answering, new_page, guard, screenshot, tmp_path):
    """Chosen, not yet uploaded, "Send answer" pressed: the page says to wait and sends nothing; once
    the file is attached, the answer goes with it."""
    session = answering
    page = guard(new_page(viewport=PHONE))
    open_answer(page, college, session)
    editor = page.locator("#answers [contenteditable=true]")
    expect(editor).to_be_visible(timeout=20_000)
    editor.click()
    page.keyboard.type("An answer with a photo of my notes.")
    # A slow upload (30 KB/s for ~400 KB): still running when "Send answer" is pressed.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    throttle = {"offline": False, "latency": 0, "downloadThroughput": -1}
    cdp.send("Network.emulateNetworkConditions", throttle | {"uploadThroughput": 30 * 1024})
    page.locator("#answer-upload").set_input_files(str(photo(tmp_path, size=(360, 360))))
    expect(page.locator(".upload-progress")).to_be_visible()
    expect(page.locator(".upload-status")).to_contain_text("Uploading “page.png”")
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator(".upload-error")).to_contain_text("Wait: a file is still uploading.")
    screenshot(page, "uploading")
    expect(page.get_by_role("dialog")).to_have_count(0)
    session.refresh_from_db()
    assert session.answer_sent_at is None
    cdp.send("Network.emulateNetworkConditions", throttle | {"uploadThroughput": -1})
    expect(page.locator("#answers .files").get_by_role("link", name="page.png")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Send answer").click()
    page.get_by_role("dialog").get_by_role("button", name="Send answer").click()
    expect(page.locator("#answers .notice-ok")).to_contain_text("Your answer was sent at")
    expect(page.locator("#answers").get_by_role("link", name="page.png")).to_be_visible()
    session.refresh_from_db()
    assert session.answer_sent_at and list(session.answer_files.values_list("file_name", flat=True)) == [
        "page.png"
    ]


@pytest.mark.req("ANS-1", "ANS-2", "X-1")
def test_a_failed_upload_holds_send_until_tried_again(
    college, answering, new_page, guard, screenshot, tmp_path
):
    """The connection breaks during the upload: the page says so, "Send answer" is refused while the
    file is not attached, and "Try again" attaches it when the connection is back."""
    session = answering
    page = guard(new_page(viewport=PHONE))
    open_answer(page, college, session)
    editor = page.locator("#answers [contenteditable=true]")
    expect(editor).to_be_visible(timeout=20_000)
    editor.click()
    page.keyboard.type("An answer with a photo of my notes.")
    page.locator("h1").click()
    expect(page.locator(".autosave-status")).to_contain_text("Saved at", timeout=10_000)
    page.context.set_offline(True)
    page.locator("#answer-upload").set_input_files(str(photo(tmp_path)))
    error = page.locator(".upload-error")
    expect(error).to_contain_text("The file was not attached: the connection broke off.")
    page.get_by_role("button", name="Send answer").click()
    expect(error).to_contain_text(
        "The file “page.png” is not attached yet. Try again, or press “Do not attach”"
    )
    expect(page.get_by_role("dialog")).to_have_count(0)
    screenshot(page, "upload-failed")
    page.context.set_offline(False)
    page.get_by_role("button", name="Try again").click()
    expect(page.locator("#answers .files").get_by_role("link", name="page.png")).to_be_visible()
    expect(error).to_be_hidden()
    page.get_by_role("button", name="Send answer").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Files: page.png")
    dialog.get_by_role("button", name="Send answer").click()
    expect(page.locator("#answers").get_by_role("link", name="page.png")).to_be_visible()
    session.refresh_from_db()
    assert session.answer_sent_at and session.answer_files.count() == 1


@pytest.mark.req("ANS-1", "ANS-2")
def test_without_script_send_takes_the_chosen_file_along(
    college, answering, new_page, browser, live_server, screenshot, tmp_path
):
    """No script on the page: a file chosen and "Send answer" pressed (no "Upload") is attached first."""
    session = answering
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        open_answer(page, college, session)
        page.get_by_role("textbox", name="Answer").fill("An answer typed without any script.")
        page.locator("#answer-upload").set_input_files(str(photo(tmp_path)))
        screenshot(page, "chosen")
        page.get_by_role("button", name="Send answer").click()
        expect(page.locator("#answers .notice-ok")).to_contain_text("Your answer was sent at")
        expect(page.locator("#answers").get_by_role("link", name="page.png")).to_be_visible()
        screenshot(page, "sent")
    finally:
        context.close()
    session.refresh_from_db()
    assert "without any script" in session.answer and session.answer_files.count() == 1

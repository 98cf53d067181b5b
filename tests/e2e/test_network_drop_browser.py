"""In real Chromium: a student's network drops for two minutes around the deadline (X-1, TIM-1).

A minute and a half before the end the student types and the draft is saved; the network goes;
the student keeps typing; the deadline passes on the server; the network comes back. The draft in
the database is the one saved before the end, the text typed offline is still in the student's
editor (and on the device), and the page says exactly what happened: time is over, the answer was
not sent, the last draft saved at HH:MM is kept, what was typed after HH:MM was not saved.

The server's clock travels with time-machine (ticking); the browser keeps its own and learns the
server's from the page's heartbeat, as a real one does.

And a file over the limit (X-11): the server stops storing it at the limit and reads the small rest
only to throw it away, so the browser gets the clear message — not a broken connection.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attestation import files
from attestation.models import AnswerFile, ExamSession, Slot
from attestation.services import tickets as tickets_service
from core import clock
from tests.attestation.test_tickets import author
from tests.e2e.conftest import travel

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = "Saved before the drop."
OFFLINE = " Typed while offline."


@pytest.fixture
def answering(college):
    """The student holds a ticket and has opened the questions; the slot ends in half an hour."""
    stream = author(college, count=2)
    now = clock.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    slot = Slot.objects.create(
        stream=stream,
        starts_at=max(now - datetime.timedelta(minutes=1), midnight),  # today: tickets are handed out today
        ends_at=now + datetime.timedelta(minutes=30),
    )
    session = ExamSession.objects.create(stream=stream, student=college.users["student"].student, slot=slot)
    teacher, student = college.users["teacher"], college.users["student"]
    tickets_service.tickets_generate(actor=teacher, slot=slot, session_ids=[session.pk])
    tickets_service.questions_send(actor=teacher, slot=slot, session_ids=[session.pk])
    session.refresh_from_db()
    tickets_service.questions_open(actor=student, session=session)
    session.refresh_from_db()
    return session


@pytest.mark.req("X-1", "TIM-1")
def test_network_drops_for_two_minutes_over_the_deadline(college, answering, new_page, screenshot):
    session = answering
    page = new_page(college.users["student"])
    page.goto(f"/attestation/sessions/{session.pk}/")
    editor = page.locator("#answers [contenteditable=true]")
    expect(editor).to_be_visible(timeout=20_000)  # the editor's modules may take a moment on a busy machine
    clock_value = page.locator("#exam-clock .exam-clock-value")

    with travel(session.ends_at - datetime.timedelta(seconds=90)):
        # The heartbeat brings the server's clock: a minute and a half left.
        expect(clock_value).to_have_text(re.compile(r"^01:\d\d$"), timeout=15_000)
        editor.click()
        page.keyboard.type(BEFORE)
        page.locator("h1").click()  # leaving the field saves at once
        expect(page.locator(".autosave-status")).to_contain_text("Saved at", timeout=10_000)
        session.refresh_from_db()
        assert BEFORE in session.draft
        saved_at = session.draft_saved_at
        screenshot(page, "saved-near-the-deadline")

        page.context.set_offline(True)
        editor.click()
        page.keyboard.press("End")
        page.keyboard.type(OFFLINE)
        page.locator("h1").click()
        expect(page.locator(".autosave-status")).to_contain_text("No connection", timeout=10_000)
        screenshot(page, "offline")

    # Two minutes later, on the server: the deadline has passed while the student was offline.
    with travel(session.ends_at + datetime.timedelta(seconds=30)):
        page.context.set_offline(False)
        notice = page.locator("#answers .answer-refused")
        expect(notice).to_be_visible(timeout=15_000)
        at = timezone.localtime(saved_at).strftime("%H:%M")
        expect(notice).to_contain_text(
            f"Time is over: your answer was not sent. Your last draft, saved at {at}, is kept,"
            " and the teacher sees it."
        )
        expect(notice).to_contain_text(f"What you typed after {at} could not be saved.")
        expect(notice).to_contain_text("It is still in the editor below: copy it if you need it.")
        # Nothing typed is lost: the whole text is still in the editor (read-only now) and on the device.
        answer = page.locator("#answers").get_by_role("textbox", name="Answer")
        expect(answer).to_have_text(BEFORE + OFFLINE)
        expect(answer).to_have_attribute("contenteditable", "false")
        kept = page.evaluate(f"localStorage.getItem('attestation-draft-{session.pk}')")
        assert OFFLINE.strip() in kept
        expect(page.locator("#exam-clock .exam-clock-label")).to_have_text("Time is over", timeout=10_000)
        expect(page.get_by_role("button", name="Send answer")).to_be_disabled()
        screenshot(page, "back-online-after-the-deadline")

        # The server kept the draft saved before the end; nothing after it, nothing sent.
        session.refresh_from_db()
        assert BEFORE in session.draft and OFFLINE.strip() not in session.draft
        assert session.draft_saved_at == saved_at and session.answer_sent_at is None

        # The teacher reads that draft, marked as not sent.
        teacher = new_page(college.users["teacher"])
        teacher.goto(f"/attestation/sessions/{session.pk}/")
        expect(teacher.get_by_text("Not sent. The last draft was saved at")).to_be_visible()
        expect(teacher.locator(".rich.answer")).to_contain_text(BEFORE)
        expect(teacher.locator(".rich.answer")).not_to_contain_text(OFFLINE.strip())


@pytest.mark.req("X-11")
def test_a_file_over_the_limit_gets_the_message_not_a_broken_connection(
    college, answering, new_page, screenshot, tmp_path
):
    session = answering
    film = tmp_path / "lecture.pdf"
    with film.open("wb") as fh:
        fh.write(b"%PDF-1.4\n")
        fh.truncate(files.MAX_UPLOAD_BYTES + 1024 * 1024)  # 21 MB: over the limit, within a proxy's
    page = new_page(college.users["student"])
    page.goto(f"/attestation/sessions/{session.pk}/")
    expect(page.locator("#answers [contenteditable=true]")).to_be_visible(timeout=20_000)
    page.locator("#answer-upload").set_input_files(str(film))  # a chosen file is uploaded at once
    error = page.locator(".upload-error")
    expect(error).to_have_text("The file “lecture.pdf” is too large: at most 20 MB.", timeout=30_000)
    screenshot(page, "too-large")
    assert not AnswerFile.objects.filter(session=session).exists()

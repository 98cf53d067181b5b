"""The student's exam day on a phone, the second round of what got in the way (TIM-1, ANS-1, ANS-2,
X-1, X-9), in real Chromium (390×844) as a student taps: after sending, the countdown runs on and
"One minute left!" still comes; at the end the page stops saying "in progress" and the file chooser
is switched off at once; a lost connection is said where the student looks; deleting a file asks
first. Real clock."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attestation.models import ExamSession, Slot
from attestation.services import tickets as tickets_service
from tests.attestation.test_tickets import author
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def answering(college, ends_in):
    """The student holds ticket 1 and may answer; their slot ends ``ends_in`` seconds from now."""
    stream = author(college, count=2)
    now = timezone.now()
    slot = Slot.objects.create(
        stream=stream,
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(seconds=ends_in),
    )
    session = ExamSession.objects.create(stream=stream, student=college.users["student"].student, slot=slot)
    teacher = college.users["teacher"]
    tickets_service.tickets_generate(actor=teacher, slot=slot, session_ids=[session.pk])
    tickets_service.questions_send(actor=teacher, slot=slot, session_ids=[session.pk])
    session = ExamSession.objects.get(pk=session.pk)
    tickets_service.questions_open(actor=college.users["student"], session=session)
    return session


def open_exam(page, college, session):
    login(page, college.users["student"])
    page.get_by_role("link", name=session.stream.discipline.name).click()
    editor = page.locator("#answers [contenteditable=true]")
    expect(editor).to_be_visible(timeout=20_000)
    return editor


@pytest.mark.req("TIM-1", "ANS-2", "X-9")
def test_journey_after_sending_the_countdown_runs_on_and_the_last_minute_is_announced(
    college, new_page, guard, screenshot
):
    session = answering(college, ends_in=75)
    page = guard(new_page(viewport=PHONE))
    editor = open_exam(page, college, session)
    editor.click()
    page.keyboard.type("My answer, long enough to be sent.")
    page.get_by_role("button", name="Send answer").click()
    page.get_by_role("dialog").get_by_role("button", name="Send answer").click()
    expect(page.get_by_text("Your answer was sent at")).to_be_visible()
    value = page.locator("#exam-clock .exam-clock-value")
    first = value.inner_text()
    expect(value).not_to_have_text(first, timeout=3000)  # it runs
    expect(page.locator("#exam-clock .exam-clock-alert")).to_have_text("One minute left!", timeout=25_000)
    assert_accessible(page, "exam page on a phone, answer sent")
    screenshot(page, "sent-last-minute")


@pytest.mark.req("TIM-1", "ANS-1", "X-1", "X-9")
def test_journey_at_the_end_the_page_stops_saying_in_progress_and_takes_no_more_files(
    college, new_page, guard, screenshot, tmp_path
):
    session = answering(college, ends_in=25)
    page = guard(new_page(viewport=PHONE))
    editor = open_exam(page, college, session)
    assert_accessible(page, "exam page on a phone, during the exam")
    expect(page.get_by_text("The final control is in progress.")).to_be_visible()
    upload = tmp_path / "page.pdf"
    upload.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.locator("#answer-upload").set_input_files(str(upload))
    expect(page.get_by_role("link", name="page.pdf")).to_be_visible(timeout=10_000)
    # Deleting it asks first; "Cancel" keeps it.
    page.locator("[data-answer-files]").get_by_role("button", name="Delete").click()
    dialog = page.locator("#confirm-delete-file")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("page.pdf")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("link", name="page.pdf")).to_be_visible()
    # The connection drops: the page says it where the student looks.
    page.context.set_offline(True)
    editor.click()
    page.keyboard.type("typed while offline")
    page.locator("h1").click()
    status = page.locator(".autosave-status")
    expect(status).to_have_class("autosave-status hint offline", timeout=10_000)
    expect(status).to_contain_text("No connection")
    screenshot(page, "offline")
    page.context.set_offline(False)
    expect(status).to_contain_text("Saved at", timeout=15_000)
    # The end comes on the page's own clock.
    expect(page.locator("#exam-clock .exam-clock-label")).to_have_text("Time is over", timeout=30_000)
    expect(page.get_by_text("The final control is in progress.")).to_be_hidden()
    expect(page.locator("#answer-upload")).to_be_disabled()
    screenshot(page, "over")


@pytest.mark.req("X-8", "X-9")
@pytest.mark.parametrize(
    ("language", "bold", "table"), [("kk", "Қалың", "Кесте қою"), ("ru", "Полужирный", "Вставить таблицу")]
)
def test_journey_the_editors_toolbar_speaks_the_pages_language(
    college, new_page, guard, language, bold, table
):
    """Screen readers read the toolbar: its titles were English on every page."""
    session = answering(college, ends_in=600)
    student = college.users["student"]
    student.language = language
    student.save()
    page = guard(new_page(viewport=PHONE))
    login(page, student)
    page.get_by_role("link", name=session.stream.discipline.name).click()
    expect(page.locator("#answers [contenteditable=true]")).to_be_visible(timeout=20_000)
    toolbar = page.locator("#answers .prose-menubar")
    expect(toolbar.get_by_role("button", name=bold, exact=True)).to_be_visible()
    expect(toolbar.get_by_role("button", name=table, exact=True)).to_be_visible()
    assert not toolbar.locator('[title="bold"], [title="Bold"]').count()

"""#15 in Chromium: the exam by push. A teacher and a student on a phone, each in their own browser:
the student's presence shows on the teacher's table as the exam page opens and goes grey when it
closes — without a heartbeat request; the questions and extra time reach the student's page without
a reload; typed text is never replaced. And the fallback: where the stream cannot open, the page
polls and the same things still arrive, with nothing alarming shown (SLT-6, SND-1, X-4, X-5)."""

import datetime

import pytest
from playwright.sync_api import expect

from attestation.models import ModuleSettings, StreamExam
from attestation.services import tickets as tickets_service
from core import clock
from tests import factories as f
from tests.attestation.test_tickets import author
from tests.e2e.conftest import login, running_session

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def documents(page):
    """Every document the page loads (a reload, a navigation); htmx's and fetch requests are not."""
    loaded = []
    page.on("request", lambda request: request.resource_type == "document" and loaded.append(request.url))
    return loaded


def requests_to(page, part):
    seen = []
    page.on("request", lambda request: part in request.url and seen.append(request.url))
    return seen


def open_stream_page(page, college, session):
    login(page, college.users["teacher"])
    page.get_by_text("Online attestation", exact=True).click()
    page.locator(".menu").get_by_role("link", name="Intermediate attestation").click()
    page.get_by_role("link", name=session.stream.name).click()
    expect(
        page.get_by_role("heading", name=f"for discipline {session.stream.discipline.name}")
    ).to_be_visible()
    starts = f"{session.slot.starts_at.astimezone(clock.local_now().tzinfo):%d.%m.%Y %H:%M}"
    page.locator("nav.tabs a").filter(has_text=starts).click()
    expect(page.locator("nav.tabs a[aria-current=page]")).to_contain_text(starts)


def open_exam_page(page, college, session):
    login(page, college.users["student"])
    page.get_by_role("link", name=session.stream.discipline.name).click()
    expect(
        page.get_by_role("heading", name=f"Final control: {session.stream.discipline.name}")
    ).to_be_visible()


def send_questions(teacher):
    teacher.get_by_role("button", name="Send questions to students").click()
    dialog = teacher.locator("#dialog-send")
    dialog.get_by_label("Select all").check()
    dialog.get_by_role("button", name="Send questions").click()
    expect(teacher.get_by_text("The questions are sent to 1 students.")).to_be_visible()


def give_extra_time(teacher, minutes):
    row = teacher.locator(".slot-table tbody tr").first
    row.get_by_text("More", exact=True).click()
    row.get_by_label("Extra time, minutes").fill(str(minutes))
    row.locator(".row-menu-body").get_by_role("button", name="Save").first.click()


@pytest.mark.req("SLT-6", "SND-1", "X-4", "X-5")
def test_presence_questions_and_extra_time_by_push(college, generated, new_page, guard, screenshot):
    session = generated
    teacher = guard(new_page())
    open_stream_page(teacher, college, session)
    expect(teacher.locator("html[data-live=push]")).to_have_count(1)
    dot = teacher.locator(f'[data-presence="{session.pk}"]')
    expect(dot).to_have_class("dot offline")
    teacher_documents = documents(teacher)

    student = guard(new_page(viewport=PHONE))
    open_exam_page(student, college, session)
    heartbeats = requests_to(student, "/status/")
    student_documents = documents(student)
    expect(student.locator("html[data-live=push]")).to_have_count(1)

    # The open stream is the presence: green on the teacher's table without a reload or a poll.
    expect(dot).to_have_class("dot online", timeout=10_000)
    expect(teacher.locator("[data-online-count] strong")).to_have_text("1")
    screenshot(teacher, "online")

    # Questions sent: the student's page says so in place — no reload, and no fetch of the page
    # either (#15: a college's pages would all fetch themselves in the same second).
    page_path = f"/attestation/sessions/{session.pk}/"
    page_fetches = []
    student.on("request", lambda r: r.url.split("?")[0].endswith(page_path) and page_fetches.append(r.url))
    arrived = student.get_by_text("The questions have been sent: press “Show questions by ticket”.")
    expect(arrived).to_be_hidden()
    send_questions(teacher)
    expect(arrived).to_be_visible(timeout=10_000)
    show = student.get_by_role("button", name="Show questions by ticket")
    expect(show).to_be_visible()
    assert student_documents == [], student_documents
    assert page_fetches == [], page_fetches
    show.click()
    editor = student.locator("#answers [contenteditable=true]")
    expect(editor).to_be_visible(timeout=20_000)
    editor.click()
    student.keyboard.type("Typed before the extra time.")
    screenshot(student, "answering")

    # Extra time while the student types: the countdown and a notice change, the text stays.
    give_extra_time(teacher, 20)
    ends = (session.slot.ends_at + datetime.timedelta(minutes=20)).astimezone(clock.local_now().tzinfo)
    expect(student.locator(".exam-clock-alert")).to_contain_text(f"{ends:%H:%M}", timeout=10_000)
    expect(editor).to_contain_text("Typed before the extra time.")
    screenshot(student, "extra-time")
    assert heartbeats == [], heartbeats  # no heartbeat while the stream is healthy

    # The student closes the page: grey within seconds.
    student.close()
    expect(dot).to_have_class("dot offline", timeout=30_000)
    assert [url for url in teacher_documents if "/events/" not in url] == []


@pytest.mark.req("SLT-6", "SND-1")
def test_without_a_stream_the_pages_poll_and_still_get_the_news(
    college, generated, new_page, guard, settings
):
    settings.LIVE_STREAMS_ON_WSGI = False  # what a production WSGI worker answers: 503
    guard.expect(503, "/events/")
    session = generated
    student = guard(new_page(viewport=PHONE))
    open_exam_page(student, college, session)
    expect(student.locator("html[data-live=polling]")).to_have_count(1)
    teacher = guard(new_page())
    open_stream_page(teacher, college, session)
    # Presence from the status poll; the teacher's table from its own poll.
    expect(teacher.locator(f'[data-presence="{session.pk}"]')).to_have_class("dot online", timeout=15_000)
    send_questions(teacher)
    arrived = student.get_by_text("The questions have been sent: press “Show questions by ticket”.")
    expect(arrived).to_be_visible(timeout=15_000)  # the status poll's news, shown in place
    expect(student.get_by_role("button", name="Show questions by ticket")).to_be_visible()
    expect(student.locator(".exam-clock-alert")).to_be_hidden()  # nothing alarming: no error shown


@pytest.mark.req("TSK-1", "ANS-1", "X-1")
def test_a_task_written_while_the_page_is_open_brings_a_working_editor_in_place(college, new_page, guard):
    """Without tickets: the teacher writes the task after the student opened the page. The task and
    the answer's editor arrive in place (no reload); the editor works and autosaves — its import
    map was in the document from the first load, so the swapped-in form starts (#15)."""
    stream = college.streams.teacher_a
    StreamExam.objects.update_or_create(stream=stream, defaults={"mode": StreamExam.Mode.NO_TICKETS})
    session = running_session(college, stream)
    student = guard(new_page(viewport=PHONE))
    open_exam_page(student, college, session)
    expect(student.locator("html[data-live=push]")).to_have_count(1)
    expect(student.get_by_text("The task will appear here when the final control starts.")).to_be_visible()
    loaded = documents(student)

    # The teacher's save, elsewhere (its own page is tested in test_whole_exams_browser.py).
    tickets_service.task_save(actor=college.users["teacher"], session=session, body="<p>Describe a slot.</p>")

    expect(student.get_by_text("Describe a slot.")).to_be_visible(timeout=10_000)
    editor = student.locator("#answers [contenteditable=true]")
    expect(editor).to_be_visible(timeout=10_000)
    editor.click()
    student.keyboard.type("My answer, typed in the editor that arrived in place.")
    editor.blur()  # leaving the field saves at once
    expect(student.locator(".autosave-status")).to_contain_text("Saved at", timeout=10_000)
    assert loaded == [], loaded
    session.refresh_from_db()
    assert "typed in the editor that arrived in place" in session.draft


@pytest.mark.req("PLC-1", "STU-3", "SLT-6")
def test_tickets_placed_before_the_stream_opened_still_bring_the_board(college, new_page, guard):
    """The teacher places the tickets after the student's page was rendered but before its stream
    said hello (a slow connection, a busy server): no event can reach a stream not yet open. The
    hello is compared with what the page was rendered with, so the board comes in place, no reload
    (#15: in the 2,000-student bench two students waited forever for a board)."""
    stored = f.stored_settings()
    stored.distribution_form = ModuleSettings.DistributionForm.SELF_CHOICE
    stored.save()
    stream = author(college, count=3)
    session = running_session(college, stream)
    student = guard(new_page(viewport=PHONE))
    held = []
    student.route("**/events/", lambda route: held.append(route))  # held until the tickets are placed
    open_exam_page(student, college, session)
    expect(student.locator("#exam-clock")).to_be_visible()
    expect(student.get_by_role("heading", name="Choose a ticket")).to_have_count(0)
    loaded = documents(student)
    for _ in range(50):  # the page asks for its stream once its scripts ran
        if held:
            break
        student.wait_for_timeout(100)
    assert held, "the page did not open its stream"

    tickets_service.tickets_place(actor=college.users["teacher"], slot=session.slot, session_ids=[session.pk])
    for route in held:
        route.continue_()
    student.unroute("**/events/")

    expect(student.get_by_role("heading", name="Choose a ticket")).to_be_visible(timeout=10_000)
    expect(student.locator(".tile-ticket.free")).to_have_count(3)
    expect(student.locator("html[data-live=push]")).to_have_count(1)
    assert loaded == [], loaded


@pytest.mark.req("X-10", "SLT-6")
def test_a_second_tab_takes_the_stream_and_the_first_polls_without_taking_it_back(
    college, generated, new_page, guard, settings
):
    """A login holds a few streams (here 1): the exam page opened in a second tab takes the stream,
    the first is told goodbye and polls — it does not reconnect, so the two never take the stream
    from each other in turn; the teacher still sees the student online."""
    settings.LIVE_STREAMS_PER_LOGIN = 1
    session = generated
    first = guard(new_page(viewport=PHONE))
    open_exam_page(first, college, session)
    expect(first.locator("html[data-live=push]")).to_have_count(1)
    events = requests_to(first, "/events/")
    link = first.get_by_role("link", name="My final controls")
    with first.context.expect_page() as opened:
        link.click(modifiers=["Control"])  # the student opens another tab, as people do
    second = guard(opened.value)
    second.get_by_role("link", name=session.stream.discipline.name).click()
    expect(second.locator("html[data-live=push]")).to_have_count(1)
    expect(first.locator("html[data-live=polling]")).to_have_count(1, timeout=10_000)
    second.wait_for_timeout(8_000)  # longer than the browser's own reconnection delay (2–6 s)
    expect(first.locator("html[data-live=polling]")).to_have_count(1)
    expect(second.locator("html[data-live=push]")).to_have_count(1)
    assert events == [], events  # the first tab never asked for a stream again
    teacher = guard(new_page())
    open_stream_page(teacher, college, session)
    expect(teacher.locator(f'[data-presence="{session.pk}"]')).to_have_class("dot online", timeout=10_000)

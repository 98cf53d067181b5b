"""The teacher's exam day in Chromium, as a person clicks it (#14, defects 1, 2, 4, 7, 14).

From the login page, only clicking visible controls and typing into visible fields: the menu → the
streams list → the stream → "Distribute students" (first refused: the end before the start, the reason
shown in the open dialog; then saved) → the Tickets page in a new tab (the count and two tickets) →
back: the counter caught up without a reload → "Send notification" (when, to how many) → the server's
clock travels to the exam's morning: "Generate ticket numbers" → to the start: "Send questions"
appears without a reload → a student (a second browser) answers → the live table shows it → the
student's name opens the session page → the grade → back to the stream → the slot's and the
stream's grade sheets downloaded as XLSX and PDF.

The server's clock travels with time-machine (ticking), as in test_whole_exams_browser.py; cookies
stay valid because time only moves forward. ``E2E_DEBUG=1`` runs the same journey against a live
server in DEBUG (what ``make demo`` serves): the same scripts, CSP and dialogs must work there.
Screenshots of every step go to test-artifacts/screenshots/.
"""

import io
import re

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attestation.models import ExamSession, Slot
from tests.e2e.conftest import at, login, travel

pytestmark = pytest.mark.django_db(transaction=True)
ANSWER = "A slot is a start and an end for some students of the stream."


class Steps:
    """Numbered screenshots, so the folder reads as the day went."""

    def __init__(self, screenshot):
        self.screenshot, self.number = screenshot, 0

    def __call__(self, page, name):
        self.number += 1
        self.screenshot(page, f"{self.number:02d}-{name}")


def documents(page):
    """Every document the page loads (a reload, a navigation); htmx's requests are not documents."""
    loaded = []
    page.on("request", lambda request: request.resource_type == "document" and loaded.append(request.url))
    return loaded


def distribute(page, day, start, end):
    page.get_by_role("button", name="Distribute students").click()
    dialog = page.locator("#dialog-distribute")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Date and start time of the final control").fill(f"{day:%Y-%m-%d}T{start}")
    dialog.get_by_label("End time of the final control").fill(end)
    select_all = dialog.get_by_label("Select all")
    if not select_all.is_checked():
        select_all.check()
    dialog.get_by_role("button", name="Save").click()
    return dialog


def add_ticket(tickets, number, text):
    tickets.get_by_role("button", name="Add").click()
    dialog = tickets.locator("#dialog-add")
    dialog.get_by_label("Ticket").select_option(str(number))
    editor = dialog.get_by_role("textbox", name="Questions")
    expect(editor).to_be_visible(timeout=20_000)  # the editor's modules may take a moment
    editor.click()
    tickets.keyboard.type(text)
    dialog.get_by_role("button", name="Save").click()
    expect(tickets.get_by_text("The ticket is saved.")).to_be_visible()


SUBMITS = {"generate": "Generate", "place": "Place", "cancel": "Cancel placement", "send": "Send questions"}


def hand_out(page, button, action, done):
    page.locator("#slot-head").get_by_role("button", name=button).click()
    dialog = page.locator(f"#dialog-{action}")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Select all").check()
    dialog.get_by_role("button", name=SUBMITS[action], exact=True).click()
    expect(page.get_by_text(done)).to_be_visible()


def student_answers(student, stream, text, steps):
    """The student's part, through the student's own pages."""
    student.get_by_role("link", name=stream.discipline.name).click()
    student.get_by_role("button", name="Show questions by ticket").click()
    editor = student.locator("#answers [contenteditable=true]")
    expect(editor).to_be_visible(timeout=20_000)
    editor.click()
    student.keyboard.type(text)
    student.get_by_role("button", name="Send answer").click()
    sent = student.get_by_text("Your answer was sent at")
    confirm = student.locator("dialog[open]").get_by_role("button", name="Send answer")
    expect(sent.or_(confirm)).to_be_visible()
    if confirm.is_visible():  # a second look before sending
        confirm.click()
    expect(sent).to_be_visible()
    steps(student, "student-sent")


def download(page, link):
    with page.expect_download() as info:
        link.click()
    file = info.value
    assert file.failure() is None
    return file.suggested_filename, file.path().read_bytes()


@pytest.mark.req("SLT-1", "SLT-6", "TKT-2", "TKT-3", "NTF-1", "GEN-1", "SND-1", "GRD-1", "X-4", "X-5", "X-6")
def test_teacher_journey_through_an_exam_day(college, exam_day, new_page, guard, screenshot):
    stream = college.streams.teacher_a
    teacher, student_user = college.users["teacher"], college.users["student"]
    steps = Steps(screenshot)
    page = guard(new_page())
    guard.expect(400, f"/attestation/streams/{stream.pk}/slots/")  # the refused dialog, on purpose

    # Login → the menu → the streams list → the stream.
    login(page, teacher)
    steps(page, "home")
    page.get_by_text("Online attestation", exact=True).click()
    page.locator(".menu").get_by_role("link", name="Intermediate attestation").click()
    expect(page.get_by_role("link", name=stream.name)).to_be_visible()
    steps(page, "streams")
    page.get_by_role("link", name=stream.name).click()
    expect(page.get_by_role("heading", name=f"for discipline {stream.discipline.name}")).to_be_visible()
    loaded = documents(page)
    steps(page, "stream")

    # Distribute: the end before the start is refused, with the reason in the open dialog (#14.4).
    dialog = distribute(page, exam_day, "12:00", "10:00")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("alert")).to_contain_text("The end time must be later than the start.")
    steps(page, "refused-in-the-dialog")
    assert not Slot.objects.filter(stream=stream).exists()
    dialog.get_by_label("Date and start time of the final control").fill(f"{exam_day:%Y-%m-%d}T10:00")
    dialog.get_by_label("End time of the final control").fill("12:00")
    if not dialog.get_by_label("Select all").is_checked():
        dialog.get_by_label("Select all").check()
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Students are scheduled.")).to_be_visible()
    slot = Slot.objects.get(stream=stream)
    expect(page.locator("#slot-head")).to_contain_text(f"{exam_day:%d.%m.%Y}, 10:00–12:00")
    expect(page.get_by_text("The number of tickets is not set yet.")).to_be_visible()
    steps(page, "scheduled")

    # The Tickets page opens in a new tab: the count, then both tickets.
    with page.expect_popup() as popup:
        page.get_by_role("link", name="Tickets", exact=True).click()
    tickets = popup.value
    expect(
        tickets.get_by_role("heading", name=f"Tickets for discipline {stream.discipline.name}")
    ).to_be_visible()
    tickets.get_by_text("Edit", exact=True).first.click()
    tickets.get_by_label("Number of tickets").fill("2")
    tickets.get_by_role("button", name="Save").first.click()
    expect(tickets.get_by_text("The number of tickets is saved.")).to_be_visible()
    add_ticket(tickets, 1, "What is a slot?")
    add_ticket(tickets, 2, "What is a ticket?")
    expect(tickets.get_by_text("Entered 2 of 2 tickets")).to_be_visible()
    steps(tickets, "tickets-entered")
    tickets.close()

    # Back on the stream page: the counter caught up by itself (#14.7).
    expect(page.get_by_text("Entered 2 of 2 tickets")).to_be_visible(timeout=10_000)
    steps(page, "counter-caught-up")

    # The notification: the slot then says when it went and to how many (#14.7).
    page.locator("#slot-head").get_by_role("button", name="Send notification").click()
    expect(page.get_by_text("The notification is sent to 2 students.")).to_be_visible()
    sent_at = timezone.localtime(Slot.objects.get(pk=slot.pk).notified_at).strftime("%H:%M")
    expect(page.locator("#slot-head")).to_contain_text(f"Notification sent at {sent_at} to 2 students.")
    expect(page.locator("#slot-head").get_by_role("button", name="Send notification")).to_have_count(0)
    steps(page, "notified")

    with travel(at(exam_day, 9, 50)):
        # The exam's morning: "Generate ticket numbers" appears with the poll.
        generate = page.locator("#slot-head").get_by_role("button", name="Generate ticket numbers")
        expect(generate).to_be_visible(timeout=10_000)
        expect(page.locator("#slot-head .state")).to_have_text("not started")
        steps(page, "exam-morning")
        hand_out(page, "Generate ticket numbers", "generate", "Ticket numbers are generated for 2 students.")
        send = page.locator("#slot-head").get_by_role("button", name="Send questions to students")
        expect(send).to_have_count(0)

        with travel(at(exam_day, 10, 0)):
            # The start: "Send questions" appears by itself.
            expect(send).to_be_visible(timeout=10_000)
            expect(page.locator("#slot-head .state")).to_have_text("in progress")
            steps(page, "started")
            hand_out(page, "Send questions to students", "send", "The questions are sent to 2 students.")
            assert loaded == [], f"the stream page was reloaded: {loaded}"
            steps(page, "questions-sent")

            # A student answers in their own browser.
            student = guard(new_page())
            login(student, student_user)
            student_answers(student, stream, ANSWER, steps)

            # The live table shows it, without a reload.
            expect(page.locator(".live-counts")).to_contain_text("answers sent: 1", timeout=10_000)
            row = page.locator(".slot-table tr", has_text=student_user.full_name)
            session = ExamSession.objects.get(slot=slot, student__user=student_user)
            sent = timezone.localtime(session.answer_sent_at).strftime("%d.%m.%Y %H:%M")
            expect(row).to_contain_text(sent)
            steps(page, "live-table-answered")

            # The student's name opens their session page (#14.2): the answer, then the grade.
            row.get_by_role("link", name=student_user.full_name).click()
            expect(page).to_have_url(re.compile(rf"/attestation/sessions/{session.pk}/$"))
            expect(
                page.get_by_role("heading", name=f"Final control: {stream.discipline.name}")
            ).to_be_visible()
            expect(page.get_by_text(ANSWER)).to_be_visible()
            steps(page, "session-page")
            page.locator("#assessment").get_by_text("Edit", exact=True).click()
            page.locator("#assessment").get_by_label("Written").fill("5")
            page.locator("#assessment").get_by_role("button", name="Save").click()
            expect(page.get_by_text("The grade is saved and is in the journal.")).to_be_visible()
            steps(page, "graded")

            # Back to the stream, on the slot's tab: the grade is in the table.
            page.locator(".crumbs").get_by_role("link", name=stream.discipline.name).click()
            expect(page.locator(".live-counts")).to_contain_text("graded: 1")
            expect(page.locator(".slot-table tr", has_text=student_user.full_name)).to_contain_text("5")
            steps(page, "back-on-the-stream")

            # The grade sheets, downloaded as files (#14.1).
            sheet = page.locator(".grade-sheet")
            for row_name in ("This slot", "Whole stream"):
                line = sheet.locator("li", has_text=row_name)
                name, content = download(page, line.get_by_role("link", name="XLSX"))
                assert name.endswith(".xlsx") and content, name
                workbook = openpyxl.load_workbook(io.BytesIO(content))
                cells = " ".join(
                    str(c.value) for ws in workbook for r in ws.iter_rows() for c in r if c.value
                )
                assert student_user.last_name in cells, f"{name}: the student is not in the sheet"
                name, content = download(page, line.get_by_role("link", name="PDF"))
                assert name.endswith(".pdf") and content.startswith(b"%PDF"), name
            expect(page.locator("#stream-page .slot-table")).to_be_visible()  # nothing was wiped
            steps(page, "after-downloads")

"""Three complete exams in real Chromium, staff and two students in parallel browser contexts, from
scheduling to the grade in the journal: random tickets; self-chosen tickets (both students click the
same tile together — one gets it); without tickets (individual tasks).

The server's clock travels forward with time-machine (ticking), so the slot can be scheduled in the
future and then started; cookies stay valid because time only moves forward.
"""

import pytest
from playwright.sync_api import expect

from attestation.models import ExamSession, ModuleSettings, Slot, Ticket
from attestation.services.tickets import tile_token
from tests.attestation.test_tickets import author
from tests.e2e.conftest import at, travel

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def schedule_both(teacher, stream, day, screenshot, name):
    teacher.goto(f"/attestation/streams/{stream.pk}/")
    teacher.get_by_role("button", name="Distribute students").click()
    dialog = teacher.locator("#dialog-distribute")
    dialog.get_by_label("Date and start time of the final control").fill(f"{day:%Y-%m-%d}T10:00")
    dialog.get_by_label("End time of the final control").fill("12:00")
    dialog.get_by_label("Select all").check()
    dialog.get_by_role("button", name="Save").click()
    expect(teacher.get_by_text("Students are scheduled.")).to_be_visible()
    screenshot(teacher, f"{name}-scheduled")
    return Slot.objects.get(stream=stream)


SUBMITS = {"generate": "Generate", "place": "Place", "cancel": "Cancel placement", "send": "Send questions"}


def hand_out(teacher, slot, action, button, done):
    teacher.goto(f"/attestation/streams/{slot.stream_id}/?tab=slot-{slot.pk}")
    teacher.get_by_role("button", name=button).click()
    dialog = teacher.locator(f"#dialog-{action}")
    dialog.get_by_label("Select all").check()
    dialog.get_by_role("button", name=SUBMITS[action], exact=True).click()
    expect(teacher.get_by_text(done)).to_be_visible()


def answer(student_page, session, text):
    student_page.goto(f"/attestation/sessions/{session.pk}/")
    if student_page.get_by_role("button", name="Show questions by ticket").count():
        student_page.get_by_role("button", name="Show questions by ticket").click()
    editor = student_page.locator("#answers [contenteditable=true]")
    expect(editor).to_be_visible(timeout=20_000)  # the editor's modules may take a moment on a busy machine
    editor.click()
    student_page.keyboard.type(text)
    student_page.get_by_role("button", name="Send answer").click()
    student_page.locator("#confirm-send").get_by_role("button", name="Send answer").click()
    expect(student_page.get_by_text("Your answer was sent at")).to_be_visible()


def grade(teacher, session, value):
    teacher.goto(f"/attestation/sessions/{session.pk}/")
    teacher.locator("#assessment").get_by_text("Edit", exact=True).click()
    teacher.get_by_label("Written").fill(value)
    teacher.get_by_role("button", name="Save").click()
    expect(teacher.get_by_text("The grade is saved and is in the journal.")).to_be_visible()


def journal_shows(teacher, stream, college, screenshot, name):
    teacher.goto(f"/college/journals/{stream.pk}/")
    expect(teacher.get_by_role("row", name=college.users["student"].full_name)).to_contain_text(
        "5 (excellent)"
    )
    expect(teacher.get_by_role("row", name=college.users["other_student"].full_name)).to_contain_text(
        "4 (good)"
    )
    screenshot(teacher, f"{name}-journal")


@pytest.mark.req("GEN-1", "GEN-2", "SND-1", "SND-2", "ANS-2", "GRD-6")
def test_whole_exam_with_random_tickets(college, exam_day, new_page, screenshot):
    stream = author(college, count=3)
    teacher = new_page(college.users["teacher"])
    slot = schedule_both(teacher, stream, exam_day, screenshot, "random")
    with travel(at(exam_day, 9, 50)):
        hand_out(
            teacher,
            slot,
            "generate",
            "Generate ticket numbers",
            "Ticket numbers are generated for 2 students.",
        )
        with travel(at(exam_day, 10, 1)):
            hand_out(
                teacher, slot, "send", "Send questions to students", "The questions are sent to 2 students."
            )
            mine, theirs = (
                ExamSession.objects.get(slot=slot, student__user=college.users[p])
                for p in ("student", "other_student")
            )
            student = new_page(college.users["student"], viewport=PHONE)
            other = new_page(college.users["other_student"], viewport=PHONE)
            answer(student, mine, "Random ticket answer, first student.")
            answer(other, theirs, "Random ticket answer, second student.")
            screenshot(student, "random-sent")
            grade(teacher, mine, "5")
            grade(teacher, theirs, "4")
            journal_shows(teacher, stream, college, screenshot, "random")


@pytest.mark.req("PLC-1", "PLC-2", "STU-3", "X-3", "GRD-6")
def test_whole_exam_with_self_chosen_tickets_and_a_contested_tile(college, exam_day, new_page, screenshot):
    settings = ModuleSettings.for_kind()
    settings.distribution_form = ModuleSettings.DistributionForm.SELF_CHOICE
    settings.save()
    stream = author(college, count=3)
    teacher = new_page(college.users["teacher"])
    slot = schedule_both(teacher, stream, exam_day, screenshot, "choice")
    with travel(at(exam_day, 10, 1)):
        hand_out(teacher, slot, "place", "Place tickets", "Tickets are placed for 2 students.")
        mine, theirs = (
            ExamSession.objects.get(slot=slot, student__user=college.users[p])
            for p in ("student", "other_student")
        )
        student = new_page(college.users["student"], viewport=PHONE)
        other = new_page(college.users["other_student"], viewport=PHONE)
        student.goto(f"/attestation/sessions/{mine.pk}/")
        other.goto(f"/attestation/sessions/{theirs.pk}/")
        wanted = Ticket.objects.get(stream=stream, number=2).pk
        # The same ticket is a different (opaque) tile on each student's board.
        tile, their_tile = (f'.tile-ticket[value="{tile_token(s, wanted)}"]' for s in (mine, theirs))
        expect(student.locator(tile)).to_be_enabled()
        expect(other.locator(their_tile)).to_be_enabled()
        screenshot(student, "choice-board")
        # Both click the same free tile at (nearly) the same moment.
        student.locator(tile).click()  # each is asked "Take this ticket?" first
        other.locator(their_tile).click()
        student.get_by_role("button", name="Take the ticket").click(no_wait_after=True)
        other.get_by_role("button", name="Take the ticket").click(no_wait_after=True)
        winner_texts = []
        for page in (student, other):
            said = page.locator(".messages[role=status]")
            expect(said).to_be_visible(timeout=15_000)
            winner_texts.append(said.inner_text())
        assert sum("You have a ticket." in t for t in winner_texts) == 1
        assert sum("Someone has just taken this ticket" in t for t in winner_texts) == 1
        loser, loser_tile = (other, their_tile) if "Someone" in winner_texts[1] else (student, tile)
        expect(loser.locator(f"{loser_tile}.taken")).to_be_visible()
        loser.locator(".tile-ticket.free").first.click()
        loser.get_by_role("button", name="Take the ticket").click()
        expect(loser.get_by_text("You have a ticket.")).to_be_visible()
        mine.refresh_from_db()
        theirs.refresh_from_db()
        assert mine.ticket_id != theirs.ticket_id and wanted in {mine.ticket_id, theirs.ticket_id}
        hand_out(teacher, slot, "send", "Send questions to students", "The questions are sent to 2 students.")
        answer(student, mine, "Chosen ticket answer, first student.")
        answer(other, theirs, "Chosen ticket answer, second student.")
        grade(teacher, mine, "5")
        grade(teacher, theirs, "4")
        journal_shows(teacher, stream, college, screenshot, "choice")


@pytest.mark.req("TSK-1", "STU-2", "ANS-1", "GRD-6")
def test_whole_exam_without_tickets_with_individual_tasks(college, exam_day, new_page, screenshot):
    stream = college.streams.teacher_a
    teacher = new_page(college.users["teacher"])
    teacher.goto(f"/attestation/streams/{stream.pk}/")
    teacher.get_by_text("Edit", exact=True).first.click()
    teacher.get_by_label("Conduct final control").select_option("no_tickets")
    teacher.get_by_role("button", name="Save").first.click()
    expect(teacher.locator(".field-row strong").first).to_have_text("Without tickets")
    slot = schedule_both(teacher, stream, exam_day, screenshot, "tasks")
    mine, theirs = (
        ExamSession.objects.get(slot=slot, student__user=college.users[p])
        for p in ("student", "other_student")
    )
    for session, task in [(mine, "Task A: describe a slot."), (theirs, "Task B: describe a ticket.")]:
        teacher.goto(f"/attestation/sessions/{session.pk}/")
        teacher.get_by_text("Edit text").click()
        task_editor = teacher.locator("#task-title ~ details [contenteditable=true]")
        expect(task_editor).to_be_visible(timeout=20_000)
        task_editor.click()
        teacher.keyboard.type(task)
        teacher.get_by_role("button", name="Save").click()
        expect(teacher.get_by_text("The task is saved.")).to_be_visible()
    student = new_page(college.users["student"], viewport=PHONE)
    student.goto(f"/attestation/sessions/{mine.pk}/")
    expect(student.get_by_text("The task will appear here when the final control starts.")).to_be_visible()
    expect(student.get_by_text("Task A")).to_have_count(0)
    with travel(at(exam_day, 10, 1)):
        other = new_page(college.users["other_student"], viewport=PHONE)
        student.goto(f"/attestation/sessions/{mine.pk}/")
        expect(student.get_by_text("Task A: describe a slot.")).to_be_visible()
        screenshot(student, "tasks-student")
        answer(student, mine, "A slot is a start and an end for some students.")
        answer(other, theirs, "A ticket is a numbered set of questions.")
        grade(teacher, mine, "5")
        grade(teacher, theirs, "4")
        journal_shows(teacher, stream, college, screenshot, "tasks")

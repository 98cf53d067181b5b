"""In real Chromium: a teacher authors 3 tickets (one with a file), copies them to another stream,
generates ticket numbers for a slot and sends the questions (TKT, CPY, GEN, SND). Real clock."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attestation.models import ExamSession, Slot, StreamExam, Ticket
from attestation.services import tickets as tickets_service
from core import clock
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
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    slot = Slot.objects.create(
        stream=stream,
        starts_at=max(now - datetime.timedelta(minutes=2), midnight),  # today, also at 00:01 in Almaty
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
    dialog.get_by_role("button", name="Generate").click()
    expect(page.get_by_text("Ticket numbers are generated for 2 students.")).to_be_visible()
    page.get_by_role("button", name="Send questions to students").click()
    dialog = page.locator("#dialog-send")
    dialog.get_by_label("Select all").check()
    dialog.get_by_role("button", name="Send questions").click()
    expect(page.get_by_text("The questions are sent to 2 students.")).to_be_visible()
    screenshot(page, "sent")
    sessions = ExamSession.objects.filter(slot=slot)
    assert all(s.ticket_id and s.questions_sent_at for s in sessions)
    assert len({s.ticket_id for s in sessions}) == 2
    # Tickets are frozen now.
    page.goto(f"/attestation/streams/{stream.pk}/tickets/")
    expect(page.get_by_text("Ticket numbers have already been given to students")).to_be_visible()


def open_tickets_page(page, stream):
    """After login, by clicking: the menu → Intermediate attestation → the stream → Tickets (a new tab)."""
    page.get_by_text("Online attestation", exact=True).click()
    page.locator(".menu").get_by_role("link", name="Intermediate attestation").click()
    page.get_by_role("link", name=stream.name).click()
    with page.expect_popup() as popup:
        page.locator("#tickets-summary").get_by_role("link", name="Tickets").click()
    tickets = popup.value
    heading = tickets.get_by_role("heading", name=f"Tickets for discipline {stream.discipline.name}")
    expect(heading).to_be_visible()
    return tickets


def set_count(page, count):
    page.locator(".stream-fields").get_by_text("Edit", exact=True).click()
    page.get_by_label("Number of tickets").fill(str(count))
    page.locator(".stream-fields").get_by_role("button", name="Save").click()


@pytest.mark.req("TKT-4")
def test_disabled_add_says_to_set_the_count_first(college, new_page, guard, screenshot):
    """#14.10: before any count, "Add" is disabled and says so (tooltip and beside it), not that every
    number already has questions."""
    from tests.e2e.conftest import login

    stream = college.streams.teacher_a
    page = guard(new_page())
    login(page, college.users["teacher"])
    tickets = open_tickets_page(page, stream)
    add = tickets.get_by_role("button", name="Add", exact=True)
    expect(add).to_be_disabled()
    expect(add).to_have_attribute("title", "Set the number of tickets first.")
    expect(add).to_have_accessible_description("Set the number of tickets first.")
    expect(tickets.locator("#add-blocked")).to_be_visible()
    screenshot(tickets, "no-count")
    set_count(tickets, 2)
    expect(tickets.get_by_text("The number of tickets is saved.")).to_be_visible()
    expect(tickets.get_by_role("button", name="Add", exact=True)).to_be_enabled()
    expect(tickets.locator("#add-blocked")).to_have_count(0)


@pytest.mark.req("TKT-2")
def test_fewer_tickets_after_a_delete_names_the_ticket_and_renumbers(college, new_page, guard, screenshot):
    """#14.10: 11 tickets, No. 5 deleted, the count set to 10: the refusal names No. 11 and offers
    "Renumber 1…10"; after renumbering the count of 10 is accepted."""
    from tests.e2e.conftest import login

    stream = college.streams.teacher_a
    teacher = college.users["teacher"]
    tickets_service.ticket_count_set(actor=teacher, stream=stream, count=11)
    for number in range(1, 12):
        body = f"<p>Question {number}</p>"
        tickets_service.ticket_save(actor=teacher, stream=stream, number=number, body=body)
    page = guard(new_page())
    login(page, teacher)
    tickets = open_tickets_page(page, stream)

    row = tickets.locator(".tickets-table tbody tr", has=tickets.get_by_role("cell", name="5", exact=True))
    row.get_by_role("button", name="Delete").click()
    tickets.locator("#confirm-dialog").get_by_role("button", name="Delete the ticket").click()
    expect(tickets.get_by_text("Ticket No. 5 is deleted.")).to_be_visible()

    guard.expect(400, "/tickets/count/")
    set_count(tickets, 10)
    refusal = "Ticket No. 11 has questions. To keep 10 tickets, delete No. 11 or press “Renumber 1…10”."
    expect(tickets.get_by_text(refusal)).to_be_visible()
    screenshot(tickets, "refused")
    assert StreamExam.for_stream(stream).ticket_count == 11

    tickets.get_by_role("button", name="Renumber 1…10").click()
    expect(tickets.get_by_text("The tickets are renumbered 1…10.")).to_be_visible()
    expect(tickets.get_by_role("button", name="Renumber 1…10")).to_have_count(0)
    numbers = tickets.locator(".tickets-table tbody td.num")
    expect(numbers).to_have_text([str(n) for n in range(1, 11)])
    expect(tickets.locator(".tickets-table tbody tr").nth(4)).to_contain_text("Question 6")
    set_count(tickets, 10)
    expect(tickets.get_by_text("The number of tickets is saved.")).to_be_visible()
    screenshot(tickets, "renumbered")
    assert StreamExam.for_stream(stream).ticket_count == 10
    assert list(Ticket.objects.filter(stream=stream).values_list("number", flat=True)) == list(range(1, 11))

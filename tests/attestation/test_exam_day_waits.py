"""What a student waits for is said, and the teacher sees who cannot choose (STU-3, STU-4, PLC-2,
SND-1, GEN-1): before the board, after choosing and before the questions, a full board."""

import re

import pytest
from django.urls import reverse

from attestation.models import ExamSession, Ticket
from attestation.services import tickets as service
from tests.attestation.test_tickets import self_choice
from tests.exams import at, author, slot_for
from tests.html import shown_page


def visible(page):
    """The page's text without what carries ``hidden``."""
    page = re.sub(r"<(p|form|div)[^>]*\shidden[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


@pytest.fixture
def running(scheduled, clock):
    author(scheduled)
    slot = slot_for(scheduled)
    clock.move_to(at(1, 10, 1))
    return slot


def student_page(scheduled, login, slot, who="student"):
    session = ExamSession.objects.get(slot=slot, student__user=scheduled.users[who])
    client = login(scheduled.users[who])
    return session, client, visible(shown_page(client.get(reverse("attestation:session", args=[session.pk]))))


@pytest.mark.req("STU-3", "PLC-2")
def test_before_the_board_the_student_is_told_what_comes(scheduled, login, running):
    self_choice()
    _session, _client, page = student_page(scheduled, login, running)
    assert "Your teacher will open the ticket board: it appears on this page by itself" in page


@pytest.mark.req("GEN-2")
def test_without_self_choice_the_student_waits_for_a_number(scheduled, login, running):
    _session, _client, page = student_page(scheduled, login, running)
    assert "Your teacher will give you a ticket number: it appears on this page by itself." in page


@pytest.mark.req("STU-3", "STU-4", "SND-1")
def test_a_chosen_ticket_waits_for_the_questions_with_a_clear_state(scheduled, login, running):
    self_choice()
    teacher = scheduled.users["teacher"]
    service.tickets_place(actor=teacher, slot=running, session_ids=[s.pk for s in running.sessions.all()])
    session = ExamSession.objects.get(slot=running, student__user=scheduled.users["student"])
    ticket = Ticket.objects.get(stream=running.stream, number=1)
    service.ticket_choose(
        actor=scheduled.users["student"], session=session, tile=service.tile_token(session, ticket.pk)
    )
    _session, client, page = student_page(scheduled, login, running)
    assert "The teacher has not sent the questions yet. They open here as soon as they are sent" in page
    assert "Show questions by ticket" not in page  # no button that only says "please wait"
    service.questions_send(actor=teacher, slot=running, session_ids=[session.pk])
    _session, client, page = student_page(scheduled, login, running)
    assert "Show questions by ticket" in page and "has not sent the questions yet" not in page


@pytest.mark.req("PLC-2", "GEN-1")
def test_a_full_board_tells_the_teacher_who_needs_a_number(scheduled, login, running):
    """Three tickets, four students choosing: the fourth cannot choose; the table says so and the
    generation dialog explains what it is for in self-choice."""
    from tests import factories as f

    self_choice()
    stream = running.stream
    teacher = scheduled.users["teacher"]
    extra = [f.StudentFactory(group=scheduled.groups[0]) for _ in range(2)]
    stream.students.add(*extra)
    scheduled.roles.student.users.add(*(s.user for s in extra))
    for student in extra:
        ExamSession.objects.create(stream=stream, student=student, slot=running)
    service.tickets_place(actor=teacher, slot=running, session_ids=[s.pk for s in running.sessions.all()])
    sessions = list(running.sessions.order_by("pk"))
    for session, ticket in zip(
        sessions[:3], Ticket.objects.filter(stream=stream).order_by("number"), strict=True
    ):
        service.ticket_choose(
            actor=session.student.user, session=session, tile=service.tile_token(session, ticket.pk)
        )
    page = shown_page(
        login(teacher).get(reverse("attestation:stream", args=[stream.pk]) + f"?tab=slot-{running.pk}")
    )
    text = visible(page)
    assert text.count("every ticket is taken: give a number") == 1 and "choosing…" not in text
    assert "Students choose their tickets on the board themselves. Give a random number here" in page
    dialog = re.search(r'<dialog id="dialog-generate".*?</dialog>', page, re.S).group(0)
    assert ">Generate</button>" in dialog and ">Save</button>" not in dialog

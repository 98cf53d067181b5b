"""Tickets: authoring, copying, handing out and sending (TKT, CPY, GEN, PLC, SND, STU-3, STU-4, TSK, X-11)."""

import re
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attestation.models import ExamSession, ModuleSettings, StreamExam, Ticket
from attestation.services import Refused
from attestation.services import slots as slots_service
from attestation.services import tickets as service
from audit.models import AuditEntry
from notifications.models import Notification
from tests import factories as f
from tests.exams import at, author, slot_for
from tests.html import shown_page
from tests.personas import PERSONAS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="questions.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def tickets_url(stream, name="attestation:tickets", *args):
    return reverse(name, args=[stream.pk, *args])


def self_choice():
    settings = f.stored_settings()
    settings.distribution_form = ModuleSettings.DistributionForm.SELF_CHOICE
    settings.save()


# --- TKT-1…TKT-5 ------------------------------------------------------------------------------

TICKETS_PAGE = dict.fromkeys(PERSONAS, 403) | {
    "anonymous": 302,
    "teacher": 200,
    "registrar": 200,
    "head_dept": 200,
    "head_pcc": 200,
    "reader": 200,
    "other_teacher": 404,
}


@pytest.mark.req("TKT-1")
@pytest.mark.parametrize("persona", PERSONAS)
def test_tickets_page_per_persona(scheduled, login, persona):
    stream = scheduled.streams.teacher_a
    response = login(scheduled.users.get(persona)).get(tickets_url(stream))
    assert response.status_code == TICKETS_PAGE[persona]
    if response.status_code == 200:
        assert f"Tickets for discipline {stream.discipline.name}" in response.content.decode()


@pytest.mark.req("TKT-1")
def test_tickets_button_opens_a_new_tab_only_in_ticket_mode(scheduled, login):
    stream = scheduled.streams.teacher_a
    client = login(scheduled.users["teacher"])
    page = client.get(reverse("attestation:stream", args=[stream.pk])).content.decode()
    assert f'href="{tickets_url(stream)}" target="_blank"' in page
    slots_service.stream_mode_set(actor=scheduled.users["teacher"], stream=stream, mode="no_tickets")
    page = shown_page(client.get(reverse("attestation:stream", args=[stream.pk])))
    assert tickets_url(stream) not in page and "Entered" not in page
    assert client.get(tickets_url(stream)).status_code == 404


@pytest.mark.req("TKT-2")
def test_count_may_only_shrink_to_the_saved_tickets(scheduled, login):
    stream = author(scheduled, count=11)
    client = login(scheduled.users["teacher"])
    response = client.post(tickets_url(stream, "attestation:ticket_count"), {"count": "10"})
    assert response.status_code == 400
    assert "11 tickets have questions, more than 10: delete 1 of them first (for example No. 11)." in (
        response.content.decode()
    )
    assert StreamExam.for_stream(stream).ticket_count == 11
    assert client.post(tickets_url(stream, "attestation:ticket_count"), {"count": "15"}).status_code == 302
    assert StreamExam.for_stream(stream).ticket_count == 15


@pytest.mark.req("TKT-2", "TKT-5")
def test_tickets_freeze_once_a_student_has_a_number(scheduled, login, clock):
    stream = author(scheduled)
    slot = slot_for(scheduled)
    clock.move_to(at(1, 9))
    service.tickets_generate(
        actor=scheduled.users["teacher"], slot=slot, session_ids=[s.pk for s in slot.sessions.all()]
    )
    client = login(scheduled.users["teacher"])
    page = shown_page(client.get(tickets_url(stream)))
    assert tickets_url(stream, "attestation:ticket_count") not in page
    assert "?edit=" not in page and ">Delete<" not in page
    assert client.post(tickets_url(stream, "attestation:ticket_count"), {"count": "9"}).status_code == 400
    ticket = Ticket.objects.get(stream=stream, number=1)
    assert client.post(tickets_url(stream, "attestation:ticket_delete", ticket.pk)).status_code == 400
    assert Ticket.objects.filter(pk=ticket.pk).exists()


@pytest.mark.req("TKT-3")
def test_stream_page_shows_entered_of_count_with_the_date(scheduled, login, clock):
    stream = scheduled.streams.teacher_a
    service.ticket_count_set(actor=scheduled.users["teacher"], stream=stream, count=5)
    service.ticket_save(actor=scheduled.users["teacher"], stream=stream, number=1, body="<p>Q</p>")
    service.ticket_save(actor=scheduled.users["teacher"], stream=stream, number=2, body="", upload=pdf())
    page = (
        login(scheduled.users["teacher"])
        .get(reverse("attestation:stream", args=[stream.pk]))
        .content.decode()
    )
    assert "Entered 2 of 5 tickets (28.11.2026 09:00)" in page


@pytest.mark.req("TKT-4", "X-11")
def test_add_ticket_with_text_file_or_both_and_sanitised(scheduled, login):
    stream = scheduled.streams.teacher_a
    client = login(scheduled.users["teacher"])
    client.post(tickets_url(stream, "attestation:ticket_count"), {"count": "3"})
    add = tickets_url(stream, "attestation:ticket_add")
    hostile = '<p>Q1 <img src=x onerror="alert(1)"><script>alert(2)</script><a href="javascript:x">l</a></p>'
    assert client.post(add, {"number": "1", "body": hostile}).status_code == 302
    assert client.post(add, {"number": "2", "body": "", "upload": pdf()}).status_code == 302
    assert (
        client.post(add, {"number": "3", "body": "<p>Q3</p>", "upload": pdf("Билет 3.pdf")}).status_code
        == 302
    )
    one, two, three = Ticket.objects.filter(stream=stream).order_by("number")
    assert "onerror" not in one.body and "<script" not in one.body and "javascript:" not in one.body
    assert two.file and not two.body and two.file_name == "questions.pdf"
    assert three.file and three.body == "<p>Q3</p>" and three.file_name == "Билет 3.pdf"
    page = client.get(tickets_url(stream)).content.decode()
    assert "disabled" in page.split('data-open-dialog="dialog-add"')[1][:40]  # every number has questions


@pytest.mark.req("TKT-4")
@pytest.mark.parametrize(
    "data, reason",
    [
        ({"number": "1", "body": ""}, "Enter the questions or attach a file."),
        ({"number": "1", "body": "<p></p>"}, "Enter the questions or attach a file."),
        ({"number": "7", "body": "<p>Q</p>"}, "Select a valid choice"),
        (
            {"number": "1", "upload": SimpleUploadedFile("x.pdf", b"<html><script>", "application/pdf")},
            "not accepted",
        ),
        ({"number": "1", "upload": SimpleUploadedFile("empty.pdf", b"", "application/pdf")}, "is empty"),
    ],
)
def test_bad_ticket_is_refused_and_nothing_saved(scheduled, login, data, reason):
    stream = scheduled.streams.teacher_a
    client = login(scheduled.users["teacher"])
    client.post(tickets_url(stream, "attestation:ticket_count"), {"count": "3"})
    response = client.post(tickets_url(stream, "attestation:ticket_add"), data)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.req("TKT-5")
def test_table_edit_and_delete(scheduled, login):
    stream = author(scheduled)
    client = login(scheduled.users["teacher"])
    ticket = Ticket.objects.get(stream=stream, number=2)
    page = client.get(tickets_url(stream) + f"?edit={ticket.pk}").content.decode()
    assert "Question 2" in page and "data-autoshow" in page
    edit = tickets_url(stream, "attestation:ticket_edit", ticket.pk)
    assert client.post(edit, {"body": "<p>Changed</p>", "upload": pdf()}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.body == "<p>Changed</p>" and ticket.file
    assert client.post(edit, {"body": "<p>Changed</p>", "remove_file": "on"}).status_code == 302
    ticket.refresh_from_db()
    assert not ticket.file
    assert client.post(tickets_url(stream, "attestation:ticket_delete", ticket.pk)).status_code == 302
    assert list(Ticket.objects.filter(stream=stream).values_list("number", flat=True)) == [1, 3]
    assert AuditEntry.objects.filter(action="ticket.delete").exists()


@pytest.mark.req("TKT-5", "ADM-3")
def test_read_mode_cannot_change_tickets(scheduled, login):
    stream = author(scheduled)
    client = login(scheduled.users["reader"])
    page = shown_page(client.get(tickets_url(stream)))
    assert "Question 1" in page and "dialog-add" not in page
    ticket = Ticket.objects.get(stream=stream, number=1)
    for url, data in [
        (tickets_url(stream, "attestation:ticket_count"), {"count": "9"}),
        (tickets_url(stream, "attestation:ticket_add"), {"number": "1", "body": "x"}),
        (tickets_url(stream, "attestation:ticket_edit", ticket.pk), {"body": "x"}),
        (tickets_url(stream, "attestation:ticket_delete", ticket.pk), {}),
        (tickets_url(stream, "attestation:tickets_copy"), {}),
    ]:
        assert client.post(url, data).status_code == 403


# --- CPY-1…CPY-4 ------------------------------------------------------------------------------


@pytest.fixture
def sibling(scheduled):
    """Another online main stream of the same teacher and discipline, in the same period."""
    source = scheduled.streams.teacher_a
    target = f.StreamFactory(
        name="Programming — EK-31",
        teacher=source.teacher,
        discipline=source.discipline,
        academic_period=source.academic_period,
        groups=[scheduled.groups[1]],
    )
    target.journal.conduct_online = True
    target.journal.save()
    return target


@pytest.mark.req("CPY-1", "CPY-2")
def test_copy_dialog_lists_only_eligible_streams(scheduled, sibling, login):
    source = author(scheduled)
    other_discipline = scheduled.streams.teacher_b_offline
    page = shown_page(login(scheduled.users["teacher"]).get(tickets_url(source)))
    assert "Copy tickets" in page
    assert f"Copy tickets for discipline {source.discipline.name}" in page
    assert sibling.name in page and other_discipline.name not in page
    assert list(service.copy_targets(source, source.academic_period)) == [sibling]
    sibling.journal.conduct_online = False
    sibling.journal.save()
    assert not service.copy_targets(source, source.academic_period).exists()


@pytest.mark.req("CPY-3", "X-11")
def test_copy_appends_renumbers_and_copies_files(scheduled, sibling, login):
    source = author(scheduled, count=2)
    service.ticket_save(
        actor=scheduled.users["teacher"],
        stream=source,
        number=2,
        body="<p>Question 2</p>",
        upload=pdf(),
        ticket=Ticket.objects.get(stream=source, number=2),
    )
    author(scheduled, stream=sibling, count=3)
    client = login(scheduled.users["teacher"])
    ids = list(Ticket.objects.filter(stream=source).values_list("pk", flat=True))
    response = client.post(
        tickets_url(source, "attestation:tickets_copy"),
        {
            "tickets": [str(i) for i in ids],
            "targets": [str(sibling.pk)],
            "period": str(source.academic_period_id),
        },
    )
    assert response.status_code == 302
    copies = list(Ticket.objects.filter(stream=sibling).order_by("number"))
    assert [t.number for t in copies] == [1, 2, 3, 4, 5]
    assert StreamExam.for_stream(sibling).ticket_count == 5
    original = Ticket.objects.get(stream=source, number=2)
    copy = copies[4]
    assert copy.body == original.body and copy.file.name != original.file.name
    service.ticket_delete(actor=scheduled.users["teacher"], ticket=original)
    with copy.file.open("rb") as fh:
        assert fh.read() == PDF


@pytest.mark.req("CPY-4")
def test_registrar_copies_for_the_teacher(scheduled, sibling, login):
    source = author(scheduled, count=1)
    client = login(scheduled.users["registrar"])
    ticket = Ticket.objects.get(stream=source)
    response = client.post(
        tickets_url(source, "attestation:tickets_copy"),
        {"tickets": [str(ticket.pk)], "targets": [str(sibling.pk)], "period": str(source.academic_period_id)},
    )
    assert response.status_code == 302
    assert Ticket.objects.filter(stream=sibling).count() == 1


@pytest.mark.req("CPY-2")
def test_copy_to_a_stream_with_numbers_generated_is_refused(scheduled, sibling, clock):
    source = author(scheduled, count=1)
    author(scheduled, stream=sibling, count=1)
    slot = slot_for(scheduled, stream=sibling)
    clock.move_to(at(1, 9))
    service.tickets_generate(
        actor=scheduled.users["teacher"], slot=slot, session_ids=[s.pk for s in slot.sessions.all()]
    )
    assert not service.copy_targets(source, source.academic_period).exists()
    with pytest.raises(Refused):
        service.tickets_copy(
            actor=scheduled.users["teacher"],
            source=source,
            ticket_ids=list(Ticket.objects.filter(stream=source).values_list("pk", flat=True)),
            targets=[sibling],
        )


# --- GEN-1, GEN-2, SET-2 -------------------------------------------------------------------------


@pytest.mark.req("GEN-1", "X-2")
def test_generation_only_on_the_slot_day_with_all_questions(scheduled, login, clock):
    stream = scheduled.streams.teacher_a
    service.ticket_count_set(actor=scheduled.users["teacher"], stream=stream, count=2)
    service.ticket_save(actor=scheduled.users["teacher"], stream=stream, number=1, body="<p>Q</p>")
    slot = slot_for(scheduled)
    ids = [s.pk for s in slot.sessions.all()]
    clock.move_to(at(1, 9))
    with pytest.raises(Refused, match="questions of every ticket"):
        service.tickets_generate(actor=scheduled.users["teacher"], slot=slot, session_ids=ids)
    service.ticket_save(actor=scheduled.users["teacher"], stream=stream, number=2, body="<p>Q</p>")
    clock.move_to(at(2, 9))
    with pytest.raises(Refused, match="on the day"):
        service.tickets_generate(actor=scheduled.users["teacher"], slot=slot, session_ids=ids)
    clock.move_to(at(1, 9))
    client = login(scheduled.users["teacher"])
    page = client.get(
        reverse("attestation:stream", args=[stream.pk]) + f"?tab=slot-{slot.pk}"
    ).content.decode()
    assert "Generate ticket numbers" in page and "Choose who gets a ticket number at random" in page
    response = client.post(
        reverse("attestation:slot_hand_out", args=[slot.pk, "generate"]), {"sessions": ids}
    )
    assert response.status_code == 302
    assert not ExamSession.objects.filter(slot=slot, ticket__isnull=True).exists()
    page = client.get(
        reverse("attestation:stream", args=[stream.pk]) + f"?tab=slot-{slot.pk}"
    ).content.decode()
    assert "Generate ticket numbers" not in page
    reader = login(scheduled.users["reader"])
    assert (
        reader.post(
            reverse("attestation:slot_hand_out", args=[slot.pk, "generate"]), {"sessions": ids}
        ).status_code
        == 403
    )


def _many_students(college, stream, n):
    group = college.groups[0]
    while stream.students.count() < n:
        stream.students.add(f.StudentFactory(group=group))
    return list(stream.students.order_by("pk"))


@pytest.mark.req("SET-2", "GEN-2")
def test_whole_stream_later_slot_gets_the_unused_tickets(scheduled, clock):
    stream = author(scheduled, count=25)
    students = _many_students(scheduled, stream, 25)
    morning = slot_for(scheduled, students=students[:12], start=at(1, 10), end=at(1, 12))
    afternoon = slot_for(scheduled, students=students[12:], start=at(1, 13), end=at(1, 15))
    clock.move_to(at(1, 9))
    actor = scheduled.users["teacher"]
    service.tickets_generate(actor=actor, slot=morning, session_ids=[s.pk for s in morning.sessions.all()])
    service.tickets_generate(
        actor=actor, slot=afternoon, session_ids=[s.pk for s in afternoon.sessions.all()]
    )
    first = set(morning.sessions.values_list("ticket_id", flat=True))
    second = set(afternoon.sessions.values_list("ticket_id", flat=True))
    assert len(first) == 12 and len(second) == 13 and not first & second


@pytest.mark.req("SET-2", "GEN-2")
def test_without_whole_stream_each_slot_draws_from_all_tickets(scheduled, clock):
    settings = f.stored_settings()
    settings.distribute_whole_stream = False
    settings.save()
    stream = author(scheduled, count=3)
    students = _many_students(scheduled, stream, 6)
    morning = slot_for(scheduled, students=students[:3], start=at(1, 10), end=at(1, 12))
    afternoon = slot_for(scheduled, students=students[3:], start=at(1, 13), end=at(1, 15))
    clock.move_to(at(1, 9))
    actor = scheduled.users["teacher"]
    service.tickets_generate(actor=actor, slot=morning, session_ids=[s.pk for s in morning.sessions.all()])
    service.tickets_generate(
        actor=actor, slot=afternoon, session_ids=[s.pk for s in afternoon.sessions.all()]
    )
    # Within each slot every ticket once: the afternoon reused all three.
    assert set(afternoon.sessions.values_list("ticket_id", flat=True)) == set(
        morning.sessions.values_list("ticket_id", flat=True)
    )


@pytest.mark.req("GEN-2")
def test_reuse_is_even_when_students_outnumber_tickets(scheduled, clock):
    stream = author(scheduled, count=4)
    students = _many_students(scheduled, stream, 11)
    slot = slot_for(scheduled, students=students)
    clock.move_to(at(1, 9))
    service.tickets_generate(
        actor=scheduled.users["teacher"], slot=slot, session_ids=[s.pk for s in slot.sessions.all()]
    )
    uses = Counter(slot.sessions.values_list("ticket_id", flat=True))
    assert sorted(uses.values()) == [2, 3, 3, 3]


@pytest.mark.req("GEN-2", "SET-2")
def test_neighbours_in_a_slot_get_different_tickets_whatever_the_streams_count(scheduled, clock):
    """Five students and five tickets in one slot get five different tickets, though earlier slots
    used 2 and 4 twice each (chosen, or handed out while SET-2 was off): the stream's count decided
    alone and gave 1, 3, 3, 5, 5."""
    stream = author(scheduled, count=5)
    students = _many_students(scheduled, stream, 9)
    tickets = list(Ticket.objects.filter(stream=stream).order_by("number"))
    for hour, pair in ((8, students[:2]), (9, students[2:4])):
        earlier = slot_for(scheduled, students=pair, start=at(1, hour), end=at(1, hour, 50))
        for session, ticket in zip(earlier.sessions.order_by("pk"), (tickets[1], tickets[3]), strict=True):
            ExamSession.objects.filter(pk=session.pk).update(ticket=ticket, ticket_source="chosen")
    slot = slot_for(scheduled, students=students[4:], start=at(1, 13), end=at(1, 15))
    clock.move_to(at(1, 12))
    service.tickets_generate(
        actor=scheduled.users["teacher"], slot=slot, session_ids=[s.pk for s in slot.sessions.all()]
    )
    numbers = sorted(slot.sessions.values_list("ticket__number", flat=True))
    assert numbers == [1, 2, 3, 4, 5]


@pytest.mark.req("GEN-2")
def test_random_assignment_is_fair():
    """Over many draws every ticket is equally likely (chi-square, 9 degrees of freedom, p≈0.001)."""
    tickets = list(range(10))
    draws = Counter(service.pick_fair(tickets, service.Usage()) for _ in range(20000))
    expected = 20000 / len(tickets)
    chi2 = sum((draws[t] - expected) ** 2 / expected for t in tickets)
    assert chi2 < 27.88


# --- PLC-1…PLC-3, STU-3 ------------------------------------------------------------------------


@pytest.mark.req("PLC-1", "PLC-2", "X-10")
def test_place_tickets_from_the_start_and_notify(scheduled, login, clock):
    self_choice()
    stream = author(scheduled)
    slot = slot_for(scheduled)
    ids = [s.pk for s in slot.sessions.all()]
    clock.move_to(at(1, 9, 59))
    with pytest.raises(Refused, match="once the final control has started"):
        service.tickets_place(actor=scheduled.users["teacher"], slot=slot, session_ids=ids)
    clock.move_to(at(1, 10))
    client = login(scheduled.users["teacher"])
    page = client.get(
        reverse("attestation:stream", args=[stream.pk]) + f"?tab=slot-{slot.pk}"
    ).content.decode()
    assert "Place tickets" in page and "Generate ticket numbers" in page
    assert (
        client.post(
            reverse("attestation:slot_hand_out", args=[slot.pk, "place"]), {"sessions": ids}
        ).status_code
        == 302
    )
    assert not ExamSession.objects.filter(slot=slot, placed_at__isnull=True).exists()
    note = Notification.objects.filter(kind="tickets_placed").first()
    assert note.text == (
        f"Tickets of final control for discipline {stream.discipline.name} are placed, "
        f"teacher: {stream.teacher.full_name}. You need to choose a ticket number. "
        "Date and time of final control: 01.12.2026 10:00"
    )
    page = client.get(
        reverse("attestation:stream", args=[stream.pk]) + f"?tab=slot-{slot.pk}"
    ).content.decode()
    assert "Place tickets" not in page.split("<dialog")[0]
    assert "Cancel placement" in page


@pytest.mark.req("PLC-1")
def test_place_refused_in_random_form(scheduled, clock):
    author(scheduled)
    slot = slot_for(scheduled)
    clock.move_to(at(1, 10))
    with pytest.raises(Refused, match="at random"):
        service.tickets_place(
            actor=scheduled.users["teacher"], slot=slot, session_ids=[s.pk for s in slot.sessions.all()]
        )


@pytest.fixture
def placed(scheduled, clock):
    self_choice()
    author(scheduled)
    slot = slot_for(scheduled)
    clock.move_to(at(1, 10, 1))
    service.tickets_place(
        actor=scheduled.users["teacher"], slot=slot, session_ids=[s.pk for s in slot.sessions.all()]
    )
    return slot


@pytest.mark.req("STU-3", "PLC-2")
def test_student_sees_the_board_and_chooses_one_ticket(scheduled, placed, login):
    session = placed.sessions.get(student__user=scheduled.users["student"])
    client = login(scheduled.users["student"])
    url = reverse("attestation:session", args=[session.pk])
    page = client.get(url).content.decode()
    assert "Choose a ticket" in page
    assert page.count('class="tile-ticket free"') == 3
    assert "Question" not in page  # no numbers, no questions on the board
    ticket = Ticket.objects.get(stream=placed.stream, number=2)
    response = client.post(
        reverse("attestation:ticket_choose", args=[session.pk]),
        {"ticket": service.tile_token(session, ticket.pk)},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.ticket == ticket and session.ticket_source == "chosen"
    page = client.get(url).content.decode()
    assert "Choose a ticket" not in page and "№ 2" in page and "Show questions by ticket" in page
    # The other student sees it grey.
    other = placed.sessions.get(student__user=scheduled.users["other_student"])
    board = service.board(other)
    assert [t["free"] for t in board if t["tile"] == service.tile_token(other, ticket.pk)] == [False]


@pytest.mark.req("STU-3", "STU-4")
def test_posted_in_place_the_answer_is_the_page_itself(scheduled, placed, login, clock):
    """#15: the page's htmx posts (taking a ticket, showing the questions) are answered with the page
    as it now stands and its message — one request, no redirect; refusals too (nothing changes)."""
    session = placed.sessions.get(student__user=scheduled.users["student"])
    client = login(scheduled.users["student"])
    ticket = Ticket.objects.get(stream=placed.stream, number=2)
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "main"}  # the forms' hx-target="#main"
    response = client.post(
        reverse("attestation:ticket_choose", args=[session.pk]),
        {"ticket": service.tile_token(session, ticket.pk)},
        **htmx,
    )
    page = shown_page(response)
    assert "You have a ticket." in page and "№ 2" in page and "Show questions by ticket" in page
    assert "Choose a ticket" not in page
    # Only #main comes back: the layout around it stays on the page (no menu, no head, no second
    # import map), and is not built (its queries).
    assert page.lstrip().startswith('<main id="main">') and page.rstrip().endswith("</main>")
    assert 'id="topbar"' not in page and "<head>" not in page
    # The page fetched in place by exam.js (its target #main) is #main alone too; a plain load is whole.
    fetched = shown_page(client.get(reverse("attestation:session", args=[session.pk]), **htmx))
    assert fetched.lstrip().startswith('<main id="main">') and "№ 2" in fetched
    whole = shown_page(client.get(reverse("attestation:session", args=[session.pk])))
    assert 'id="topbar"' in whole and "<head>" in whole and "№ 2" in whole
    response = client.post(reverse("attestation:questions_open", args=[session.pk]), **htmx)
    page = shown_page(response)
    assert "Please wait. The questions have not been sent yet." in page
    assert ticket.body not in page
    session.refresh_from_db()
    assert session.questions_viewed_at is None
    service.questions_send(actor=scheduled.users["teacher"], slot=placed, session_ids=[session.pk])
    response = client.post(reverse("attestation:questions_open", args=[session.pk]), **htmx)
    page = shown_page(response)
    assert ticket.body in page and 'id="answer-form"' in page
    session.refresh_from_db()
    assert session.questions_viewed_at is not None
    # Another student's session: the same 404 as without htmx, nothing rendered.
    other = placed.sessions.get(student__user=scheduled.users["other_student"])
    refused = client.post(reverse("attestation:questions_open", args=[other.pk]), **htmx)
    assert refused.status_code == 404


@pytest.mark.req("STU-3", "X-3")
def test_a_taken_ticket_is_refused_and_a_second_choice_too(scheduled, placed):
    mine = placed.sessions.get(student__user=scheduled.users["student"])
    theirs = placed.sessions.get(student__user=scheduled.users["other_student"])
    one, two = Ticket.objects.filter(stream=placed.stream).order_by("number")[:2]
    service.ticket_choose(
        actor=scheduled.users["student"], session=mine, tile=service.tile_token(mine, one.pk)
    )
    service.ticket_choose(
        actor=scheduled.users["student"], session=mine, tile=service.tile_token(mine, one.pk)
    )  # a retry: same answer
    with pytest.raises(Refused, match="Someone has just taken"):
        service.ticket_choose(
            actor=scheduled.users["other_student"], session=theirs, tile=service.tile_token(theirs, one.pk)
        )
    with pytest.raises(Refused, match="already have a ticket"):
        service.ticket_choose(
            actor=scheduled.users["student"], session=mine, tile=service.tile_token(mine, two.pk)
        )
    with pytest.raises(Refused, match="not your final control"):
        service.ticket_choose(
            actor=scheduled.users["student"], session=theirs, tile=service.tile_token(theirs, two.pk)
        )


@pytest.mark.req("PLC-3", "X-2")
def test_cancel_placement_is_refused_once_the_slot_is_over(scheduled, placed, clock):
    """The page offers "Cancel placement" only while the slot runs; the service refuses it after."""
    clock.move_to(at(1, 12, 1))
    ids = [s.pk for s in placed.sessions.all()]
    with pytest.raises(Refused, match="This final control is over."):
        service.placement_cancel(actor=scheduled.users["teacher"], slot=placed, session_ids=ids)
    assert placed.sessions.filter(placed_at__isnull=False).count() == len(ids)


@pytest.mark.req("PLC-3")
def test_cancel_placement_keeps_chosen_tickets(scheduled, placed, login):
    mine = placed.sessions.get(student__user=scheduled.users["student"])
    theirs = placed.sessions.get(student__user=scheduled.users["other_student"])
    ticket = Ticket.objects.filter(stream=placed.stream).first()
    service.ticket_choose(
        actor=scheduled.users["student"], session=mine, tile=service.tile_token(mine, ticket.pk)
    )
    client = login(scheduled.users["teacher"])
    response = client.post(
        reverse("attestation:slot_hand_out", args=[placed.pk, "cancel"]), {"sessions": [mine.pk, theirs.pk]}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.placed_at and mine.ticket_id == ticket.pk
    assert theirs.placed_at is None
    page = client.get(
        reverse("attestation:stream", args=[placed.stream_id]) + f"?tab=slot-{placed.pk}"
    ).content.decode()
    assert "Place tickets" in page and "Cancel placement" not in page
    page = (
        login(scheduled.users["other_student"])
        .get(reverse("attestation:session", args=[theirs.pk]))
        .content.decode()
    )
    assert "Choose a ticket" not in page


# --- SND-1, SND-2, STU-4 ------------------------------------------------------------------------


def arrived_notice(page):
    """The student's "the questions have been sent" notice: hidden, shown or absent from the page."""
    found = re.search(r"<p [^>]*data-questions-arrived[^>]*>", page)
    if not found:
        return "absent"
    assert "The questions have been sent: press “Show questions by ticket”." in page
    return "hidden" if " hidden" in found.group(0) else "shown"


@pytest.mark.req("SND-1", "SND-2", "STU-4", "X-2")
def test_questions_wait_until_sent_then_viewing_time_is_recorded(scheduled, login, clock):
    stream = author(scheduled)
    slot = slot_for(scheduled)
    clock.move_to(at(1, 9, 30))
    ids = [s.pk for s in slot.sessions.all()]
    service.tickets_generate(actor=scheduled.users["teacher"], slot=slot, session_ids=ids)
    with pytest.raises(Refused, match="from its start"):
        service.questions_send(actor=scheduled.users["teacher"], slot=slot, session_ids=ids)
    clock.move_to(at(1, 10, 5))
    session = slot.sessions.get(student__user=scheduled.users["student"])
    student = login(scheduled.users["student"])
    url = reverse("attestation:session", args=[session.pk])
    page = student.get(url).content.decode()
    session.refresh_from_db()
    assert session.ticket.body not in page  # never in the HTML before it is sent
    assert arrived_notice(page) == "hidden"  # #15: the "questions" event reveals it in place
    response = student.post(reverse("attestation:questions_open", args=[session.pk]), follow=True)
    assert "Please wait. The questions have not been sent yet." in response.content.decode()
    session.refresh_from_db()
    assert session.questions_viewed_at is None
    teacher = login(scheduled.users["teacher"])
    page = teacher.get(
        reverse("attestation:stream", args=[stream.pk]) + f"?tab=slot-{slot.pk}"
    ).content.decode()
    assert "Send questions to students" in page
    assert (
        teacher.post(
            reverse("attestation:slot_hand_out", args=[slot.pk, "send"]), {"sessions": ids}
        ).status_code
        == 302
    )
    clock.move_to(at(1, 10, 7))
    student = login(scheduled.users["student"])
    assert arrived_notice(student.get(url).content.decode()) == "shown"  # sent, not opened yet
    student.post(reverse("attestation:questions_open", args=[session.pk]))
    session.refresh_from_db()
    assert session.questions_viewed_at == at(1, 10, 7)
    page = student.get(url).content.decode()
    assert session.ticket.body in page
    assert arrived_notice(page) == "absent"
    page = (
        login(scheduled.users["teacher"])
        .get(reverse("attestation:stream", args=[stream.pk]) + f"?tab=slot-{slot.pk}")
        .content.decode()
    )
    assert "01.12.2026 10:07" in page
    assert "Send questions to students" not in page


# --- ticket files ---------------------------------------------------------------------


@pytest.mark.req("X-11", "STU-4")
def test_ticket_file_reaches_staff_and_only_the_student_who_opened_its_questions(scheduled, login, clock):
    stream = author(scheduled, count=1)
    ticket = Ticket.objects.get(stream=stream)
    service.ticket_save(
        actor=scheduled.users["teacher"], stream=stream, number=1, body="", upload=pdf(), ticket=ticket
    )
    slot = slot_for(scheduled, students=[scheduled.users["student"].student])
    url = reverse("attestation:ticket_file", args=[ticket.pk])
    response = login(scheduled.users["teacher"]).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert login(scheduled.users["student"]).get(url).status_code == 404
    clock.move_to(at(1, 10))
    session = slot.sessions.get()
    service.tickets_generate(actor=scheduled.users["teacher"], slot=slot, session_ids=[session.pk])
    assert login(scheduled.users["student"]).get(url).status_code == 404  # not sent yet
    service.questions_send(actor=scheduled.users["teacher"], slot=slot, session_ids=[session.pk])
    # Sent, not opened: the file is part of the questions — no download that leaves "viewed" empty.
    assert login(scheduled.users["student"]).get(url).status_code == 404
    session.refresh_from_db()
    assert session.questions_viewed_at is None
    clock.move_to(at(1, 10, 4))
    service.questions_open(actor=scheduled.users["student"], session=session)
    assert login(scheduled.users["student"]).get(url).status_code == 200
    session.refresh_from_db()
    assert session.questions_viewed_at == at(1, 10, 4)
    assert login(scheduled.users["other_student"]).get(url).status_code == 404
    assert login(scheduled.users["other_teacher"]).get(url).status_code == 404


# --- TSK-1 ---------------------------------------------------------------------------------------


@pytest.mark.req("TSK-1", "STU-2")
def test_task_without_tickets_edited_by_staff_until_the_answer(scheduled, login, clock):
    stream = scheduled.streams.teacher_a
    slots_service.stream_mode_set(actor=scheduled.users["teacher"], stream=stream, mode="no_tickets")
    slot = slot_for(scheduled)
    session = slot.sessions.get(student__user=scheduled.users["student"])
    teacher = login(scheduled.users["teacher"])
    url = reverse("attestation:task_save", args=[session.pk])
    assert teacher.post(url, {"body": "<p>Write an essay<script>x</script></p>"}).status_code == 302
    session.refresh_from_db()
    assert session.task == "<p>Write an essay</p>"
    student = login(scheduled.users["student"])
    page = student.get(reverse("attestation:session", args=[session.pk])).content.decode()
    assert "Write an essay" not in page and "when the final control starts" in page
    clock.move_to(at(1, 10))
    student = login(scheduled.users["student"])
    assert "Write an essay" in student.get(reverse("attestation:session", args=[session.pk])).content.decode()
    assert student.post(url, {"body": "x"}).status_code == 404  # students never edit tasks
    ExamSession.objects.filter(pk=session.pk).update(answer_sent_at=at(1, 10, 30))
    teacher = login(scheduled.users["teacher"])
    assert teacher.post(url, {"body": "<p>Other</p>"}).status_code == 400
    page = shown_page(teacher.get(reverse("attestation:session", args=[session.pk])))
    assert "Edit text" not in page
    reader = login(scheduled.users["reader"])
    assert reader.post(url, {"body": "<p>x</p>"}).status_code == 403  # read mode (#16.3)
    session.refresh_from_db()
    assert session.task == "<p>Write an essay</p>"


# --- #8: the board is polled every 3 s as a fragment of its own ---------------------------------


def board_poll(client, session):
    url = reverse("attestation:session", args=[session.pk]) + "?partial=board"
    return client.get(url, headers={"hx-request": "true"})


@pytest.mark.req("STU-3", "X-3")
def test_board_fragment_greys_a_taken_ticket_and_stops_once_chosen(scheduled, placed, login):
    mine = placed.sessions.get(student__user=scheduled.users["student"])
    theirs = placed.sessions.get(student__user=scheduled.users["other_student"])
    other = login(scheduled.users["other_student"])
    body = board_poll(other, theirs).content.decode()
    assert body.lstrip().startswith('<div id="board"') and body.count("tile-ticket free") == 3
    assert "hx-trigger" in body and "<html" not in body
    ticket = Ticket.objects.get(stream=placed.stream, number=2)
    service.ticket_choose(
        actor=scheduled.users["student"], session=mine, tile=service.tile_token(mine, ticket.pk)
    )
    body = board_poll(other, theirs).content.decode()
    assert body.count("tile-ticket free") == 2 and body.count("tile-ticket taken") == 1
    assert f'value="{service.tile_token(theirs, ticket.pk)}" class="tile-ticket taken"' in body
    # The chooser's own board stops polling: no tiles, no trigger (the page reloads by its status).
    body = board_poll(login(scheduled.users["student"]), mine).content.decode()
    assert "hx-trigger" not in body and "tile-ticket" not in body


@pytest.mark.req("STU-3", "X-11")
@pytest.mark.parametrize("persona", ["other_student", "outsider", "other_teacher", "anonymous"])
def test_board_fragment_is_the_students_own(scheduled, placed, login, persona):
    mine = placed.sessions.get(student__user=scheduled.users["student"])
    response = board_poll(login(scheduled.users.get(persona)), mine)
    if persona == "anonymous":  # htmx is sent to the login page (HX-Redirect)
        assert response.status_code == 204 and response["HX-Redirect"].startswith("/login/")
    else:
        assert response.status_code == 404
    assert "tile-ticket" not in response.content.decode()


@pytest.mark.req("STU-3")
def test_board_fragment_runs_a_few_fixed_queries(scheduled, placed, login, django_assert_max_num_queries):
    theirs = placed.sessions.get(student__user=scheduled.users["other_student"])
    client = login(scheduled.users["other_student"])
    board_poll(client, theirs)  # the session is cached, as while polling
    with django_assert_max_num_queries(7):
        assert board_poll(client, theirs).status_code == 200


@pytest.mark.req("STU-3", "X-3", "X-10")
def test_tiles_reveal_no_ticket_identity(scheduled, placed, login):
    """#16.2: a tile's value is an opaque token of this student's board — no key, no number, no order
    a student could map to ticket numbers; another student's tokens differ; a ticket's key is refused."""
    mine = placed.sessions.get(student__user=scheduled.users["student"])
    theirs = placed.sessions.get(student__user=scheduled.users["other_student"])
    tickets = list(Ticket.objects.filter(stream=placed.stream).order_by("number"))
    page = login(scheduled.users["student"]).get(reverse("attestation:session", args=[mine.pk]))
    values = re.findall(r'name="ticket" value="([^"]*)" class="tile-ticket', page.content.decode())
    assert len(values) == len(tickets) == len(set(values))
    assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in values)
    assert {str(t.pk) for t in tickets}.isdisjoint(values)
    assert values == sorted(values)  # ordered by the token itself, i.e. at random
    assert set(values).isdisjoint(service.tile_token(theirs, t.pk) for t in tickets)
    # A key, a number, or another student's token is not a tile of this board.
    client = login(scheduled.users["student"])
    url = reverse("attestation:ticket_choose", args=[mine.pk])
    for forged in (str(tickets[0].pk), "1", service.tile_token(theirs, tickets[0].pk), "", "x" * 5000):
        response = client.post(url, {"ticket": forged}, follow=True)
        assert "There is no such ticket." in response.content.decode()
    mine.refresh_from_db()
    assert mine.ticket_id is None
    client.post(url, {"ticket": service.tile_token(mine, tickets[1].pk)})
    mine.refresh_from_db()
    assert mine.ticket_id == tickets[1].pk


@pytest.mark.req("STU-3")
def test_a_tile_token_changes_with_the_slot(scheduled, placed):
    mine = placed.sessions.get(student__user=scheduled.users["student"])
    ticket = Ticket.objects.filter(stream=placed.stream).first()
    token = service.tile_token(mine, ticket.pk)
    mine.slot_id += 1000
    assert service.tile_token(mine, ticket.pk) != token


def rendered_state(page):
    """The exam page's rendered state (its [data-live-url] element), as exam.js reads it."""
    element = re.search(r"<div hidden data-live-url=[^>]*>", page).group(0)
    keys = {
        "placed": "placed",
        "has-ticket": "has_ticket",
        "questions-sent": "questions_sent",
        "task": "task",
        "answer-sent": "answer_sent",
    }
    return {key: f'data-{attr}="1"' in element for attr, key in keys.items()}


@pytest.mark.req("STU-3", "SND-1", "SLT-6")
def test_the_page_is_rendered_with_the_state_the_stream_says(scheduled, placed, login):
    """#15: exam.js compares the stream's first hello with the state the page was rendered with, so
    what happened in between still arrives: both must say the same of the same session."""
    session = placed.sessions.get(student__user=scheduled.users["student"])
    client = login(scheduled.users["student"])
    page_url = reverse("attestation:session", args=[session.pk])
    status_url = reverse("attestation:session_status", args=[session.pk])

    def agree():
        state = rendered_state(shown_page(client.get(page_url)))
        status = client.get(status_url).json()
        assert state == {key: status[key] for key in state}
        return state

    assert agree() == {
        "placed": True, "has_ticket": False, "questions_sent": False, "task": False, "answer_sent": False
    }  # fmt: skip
    ticket = Ticket.objects.get(stream=placed.stream, number=1)
    service.ticket_choose(
        actor=scheduled.users["student"], session=session, tile=service.tile_token(session, ticket.pk)
    )
    assert agree()["has_ticket"]
    service.questions_send(actor=scheduled.users["teacher"], slot=placed, session_ids=[session.pk])
    assert agree()["questions_sent"]

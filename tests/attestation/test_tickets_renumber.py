"""#14.10: the tickets page says which tickets stand in the way of a smaller count and offers
"Renumber 1…N"; "Add" says what is missing when it is disabled (TKT-2, TKT-4)."""

import pytest
from django.urls import reverse

from attestation.models import StreamExam, Ticket
from attestation.services import Refused
from attestation.services import tickets as service
from audit.models import AuditEntry
from tests.exams import at, author, slot_for
from tests.html import shown_page


def url(stream, name="attestation:tickets"):
    return reverse(name, args=[stream.pk])


def delete_number(stream, actor, number):
    service.ticket_delete(actor=actor, ticket=Ticket.objects.get(stream=stream, number=number))


@pytest.mark.req("TKT-2")
def test_a_smaller_count_names_the_tickets_above_it(scheduled, login):
    stream = author(scheduled, count=11)
    delete_number(stream, scheduled.users["teacher"], 5)
    response = login(scheduled.users["teacher"]).post(
        url(stream, "attestation:ticket_count"), {"count": "10"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ticket No. 11 has questions. To keep 10 tickets, delete No. 11 or press “Renumber 1…10”." in page
    assert f'action="{url(stream, "attestation:tickets_renumber")}"' in page
    assert StreamExam.for_stream(stream).ticket_count == 11


@pytest.mark.req("TKT-2")
def test_a_count_below_the_saved_tickets_says_how_many_to_delete(scheduled):
    stream = author(scheduled, count=6)
    with pytest.raises(Refused) as refused:
        service.ticket_count_set(actor=scheduled.users["teacher"], stream=stream, count=4)
    assert refused.value.message == (
        "6 tickets have questions, more than 4: delete 2 of them first (for example No. 5, 6)."
    )


@pytest.mark.req("TKT-2")
def test_renumber_closes_the_gaps_keeping_the_order_and_is_audited(scheduled, login):
    stream = author(scheduled, count=11)
    teacher = scheduled.users["teacher"]
    for number in (2, 5):
        delete_number(stream, teacher, number)
    bodies = list(Ticket.objects.filter(stream=stream).values_list("body", flat=True))
    client = login(teacher)
    assert "Renumber 1…9" in client.get(url(stream)).content.decode()
    response = client.post(url(stream, "attestation:tickets_renumber"), follow=True)
    assert "The tickets are renumbered 1…9." in response.content.decode()
    assert list(Ticket.objects.filter(stream=stream).values_list("number", "body")) == list(
        zip(range(1, 10), bodies, strict=True)
    )
    entry = AuditEntry.objects.get(action="tickets.renumber")
    assert entry.before == {"numbers": [1, 3, 4, 6, 7, 8, 9, 10, 11]}
    assert entry.after == {"numbers": list(range(1, 10))}
    assert client.post(url(stream, "attestation:ticket_count"), {"count": "9"}).status_code == 302
    assert "Renumber 1…" not in client.get(url(stream)).content.decode()


@pytest.mark.req("TKT-2", "TKT-5")
def test_renumber_is_refused_once_tickets_are_handed_out(scheduled, clock):
    stream = author(scheduled, count=4)
    slot = slot_for(scheduled)
    clock.move_to(at(1, 9))
    service.tickets_generate(
        actor=scheduled.users["teacher"], slot=slot, session_ids=[s.pk for s in slot.sessions.all()]
    )
    Ticket.objects.filter(stream=stream, number=4).update(number=6)  # a gap (no service makes one now)
    with pytest.raises(Refused, match="can no longer change"):
        service.tickets_renumber(actor=scheduled.users["teacher"], stream=stream)
    assert sorted(Ticket.objects.filter(stream=stream).values_list("number", flat=True)) == [1, 2, 3, 6]


@pytest.mark.req("TKT-2", "ADM-3")
def test_renumber_needs_edit_mode_and_gaps(scheduled, login):
    stream = author(scheduled, count=3)
    assert (
        login(scheduled.users["reader"]).post(url(stream, "attestation:tickets_renumber")).status_code == 403
    )
    with pytest.raises(Refused, match="already numbered 1…3"):
        service.tickets_renumber(actor=scheduled.users["teacher"], stream=stream)


@pytest.mark.req("TKT-4")
def test_disabled_add_says_to_set_the_count_first(scheduled, login):
    stream = scheduled.streams.teacher_a
    client = login(scheduled.users["teacher"])
    page = shown_page(client.get(url(stream)))
    assert 'title="Set the number of tickets first."' in page
    assert "Every ticket number already has questions" not in page
    author(scheduled, count=2)
    page = client.get(url(stream)).content.decode()
    assert (
        'title="Every ticket number already has questions. Raise the number of tickets to add more."' in page
    )

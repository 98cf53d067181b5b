"""#14.7: the stream page's polls bring the slot's toolbar, its hand-out dialogs and the ticket counter,
and the slot says when its notification went and to how many students (SLT-6, TKT-3, NTF-1)."""

import pytest
from django.urls import reverse

from attestation.services import slots as slots_service
from attestation.services import tickets as tickets_service
from tests.attestation.conftest import at
from tests.attestation.test_stream_page import live, make_slot, page_url
from tests.attestation.test_tickets import author


def poll_tickets(client, stream):
    url = reverse("attestation:stream", args=[stream.pk]) + "?partial=tickets"
    return client.get(url, headers={"hx-request": "true"})


@pytest.mark.req("SLT-6", "SND-1", "GEN-1")
def test_the_live_poll_brings_the_toolbar_and_its_dialogs_as_the_slot_starts(scheduled, login, clock):
    stream = author(scheduled, count=2)
    slot = make_slot(scheduled, start=at(28, 10), end=at(28, 12))  # today, from 10:00
    teacher = scheduled.users["teacher"]
    tickets_service.tickets_generate(
        actor=teacher, slot=slot, session_ids=[s.pk for s in slot.sessions.all()]
    )
    client = login(teacher)
    body = live(client, stream, slot).content.decode()
    for part in ('id="slot-live"', 'id="slot-head"', 'id="slot-hand-outs"', 'id="tickets-summary"'):
        assert part in body
    assert "not started" in body and 'data-open-dialog="dialog-send"' not in body

    clock.move_to(at(28, 10, 1))
    body = live(client, stream, slot).content.decode()
    assert "in progress" in body
    assert 'data-open-dialog="dialog-send"' in body and '<dialog id="dialog-send"' in body


@pytest.mark.req("SLT-6", "X-2")
def test_read_mode_polls_the_same_parts_without_actions(scheduled, login, clock):
    stream = author(scheduled, count=2)
    slot = make_slot(scheduled, start=at(28, 10), end=at(28, 12))
    clock.move_to(at(28, 10, 1))
    body = live(login(scheduled.users["reader"]), stream, slot).content.decode()
    assert 'id="slot-head"' in body and '<div id="slot-hand-outs"></div>' in body
    assert "<dialog" not in body and "Send notification" not in body


@pytest.mark.req("TKT-3")
def test_the_counter_is_polled_on_a_tab_without_a_slot(scheduled, login):
    stream = scheduled.streams.teacher_a
    teacher = scheduled.users["teacher"]
    client = login(teacher)
    whole = client.get(page_url(stream)).content.decode()
    assert "?partial=tickets" in whole and "The number of tickets is not set yet." in whole
    tickets_service.ticket_count_set(actor=teacher, stream=stream, count=2)
    tickets_service.ticket_save(actor=teacher, stream=stream, number=1, body="<p>Q</p>")
    response = poll_tickets(client, stream)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="tickets-summary"' in body and "Entered 1 of 2 tickets" in body
    assert poll_tickets(login(scheduled.users["other_teacher"]), stream).status_code == 404


@pytest.mark.req("NTF-1")
def test_the_slot_says_when_and_to_how_many_the_notification_went(scheduled, login, clock):
    stream = scheduled.streams.teacher_a
    slot = make_slot(scheduled)  # 1 December, 10:00; the clock says 28 November, 09:00
    clock.move_to(at(28, 9, 5))
    assert slots_service.slot_notify(actor=scheduled.users["teacher"], slot=slot) == 2
    slot.refresh_from_db()
    assert slot.notified_count == 2 and slot.notified_at == at(28, 9, 5)
    client = login(scheduled.users["teacher"])
    body = client.get(page_url(stream, f"slot-{slot.pk}")).content.decode()
    assert "Notification sent at 09:05 to 2 students." in body and "Send notification" not in body

    clock.move_to(at(29, 8, 0))  # another day: the date is said too
    client = login(scheduled.users["teacher"])  # a new day's sign-in
    assert (
        "Notification sent on 28.11.2026 at 09:05 to 2 students."
        in live(client, stream, slot).content.decode()
    )

    slots_service.slot_update(
        actor=scheduled.users["teacher"], slot=slot, starts_at=at(2, 10), ends_at=at(2, 12)
    )
    body = live(client, stream, slot).content.decode()
    assert "The start has changed since: send the notification again." in body and "Send notification" in body

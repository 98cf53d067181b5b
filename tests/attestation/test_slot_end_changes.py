"""A running exam is never cut short with one click, and students hear of every new end (SLT-3,
TIM-1, X-4, X-10): an earlier end while students are still writing asks for an explicit
confirmation that says how many; the students get a notification and their page says it."""

import pytest
from django.urls import reverse

from attestation.models import ExamSession
from attestation.services import slots as slots_service
from notifications.models import Notification
from tests.exams import at, slot_for

pytestmark = pytest.mark.req("SLT-3", "TIM-1", "X-4")


@pytest.fixture
def running(scheduled, clock):
    slot = slot_for(scheduled)  # 1 December 10:00–12:00, both students of PO-21
    clock.move_to(at(1, 10, 30))
    return slot


def edit(client, slot, end, shorten=False):
    data = {"starts_at": "2026-12-01T10:00", "end_time": end}
    if shorten:
        data["shorten"] = "on"
    return client.post(reverse("attestation:slot_edit", args=[slot.pk]), data)


def test_an_earlier_end_while_students_write_asks_first_and_names_how_many(running, scheduled, login):
    client = login(scheduled.users["teacher"])
    response = edit(client, running, "11:07")
    assert response.status_code == 400
    page = " ".join(response.content.decode().split())
    assert (
        "2 students are still writing: the final control would end at 11:07 instead of 12:00, 53 minutes "
        "earlier. Tick the box below to confirm." in page
    )
    assert 'name="shorten"' in page and "Yes, end the final control earlier" in page
    running.refresh_from_db()
    assert running.ends_at == at(1, 12)  # nothing changed
    assert not Notification.objects.exists()
    assert edit(client, running, "11:07", shorten=True).status_code == 302
    running.refresh_from_db()
    assert running.ends_at == at(1, 11, 7)


def test_students_who_sent_or_were_absent_do_not_count_and_alone_need_no_question(running, scheduled):
    ExamSession.objects.filter(slot=running).update(absence="excused")
    slots_service.slot_update(
        actor=scheduled.users["teacher"], slot=running, starts_at=at(1, 10), ends_at=at(1, 11)
    )
    running.refresh_from_db()
    assert running.ends_at == at(1, 11)


@pytest.mark.req("X-10")
def test_every_new_end_reaches_the_students_inbox_earlier_or_later(running, scheduled):
    teacher = scheduled.users["teacher"]
    slots_service.slot_update(actor=teacher, slot=running, starts_at=at(1, 10), ends_at=at(1, 12, 30))
    student = scheduled.users["student"]
    later = Notification.objects.get(recipient=student)
    assert later.text == (
        f"The end of final control {running.stream.discipline.name} has changed: it now ends at "
        "01.12.2026 12:30 (before: 01.12.2026 12:00)."
    )
    slots_service.slot_update(
        actor=teacher, slot=running, starts_at=at(1, 10), ends_at=at(1, 11, 30), shorten=True
    )
    assert Notification.objects.filter(recipient=student).count() == 2
    session = ExamSession.objects.get(slot=running, student__user=student)
    slots_service.session_extra_time(actor=teacher, session=session, minutes=15)
    latest = Notification.objects.filter(recipient=student).latest("pk")
    assert "it now ends at 01.12.2026 11:45 (before: 01.12.2026 11:30)" in latest.text


def test_a_slot_not_yet_started_nor_announced_changes_without_notifications(scheduled, clock):
    slot = slot_for(scheduled)
    slots_service.slot_update(
        actor=scheduled.users["teacher"], slot=slot, starts_at=at(1, 10), ends_at=at(1, 11)
    )
    assert not Notification.objects.exists()  # "Send notification" announces it, with the new times

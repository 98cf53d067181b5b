"""Helpers that set up an exam for tests in several folders (attestation, faults, security,
notifications): the tests' clock, an Almaty moment, tickets authored, a slot, the questions handed
out. The fixtures built on them (``clock``, ``scheduled``, ``exam``) are in tests/conftest.py."""

import datetime
import json

from django.urls import reverse

from attestation.services import slots as slots_service
from attestation.services import tickets as tickets_service

# The clock of these tests: Saturday 28 November 2026, 09:00 in Almaty (UTC+5).
NOW = datetime.datetime(2026, 11, 28, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=5)))

PDF = b"%PDF-1.4\n%%EOF\n"


def at(day, hour, minute=0):
    """An aware Almaty date-time in December 2026 (or November for day > 27)."""
    month = 11 if day > 27 else 12
    return datetime.datetime(
        2026, month, day, hour, minute, tzinfo=datetime.timezone(datetime.timedelta(hours=5))
    )


def author(college, stream=None, count=3, teacher="teacher"):
    """Save a count and questions for every ticket of the stream."""
    stream = stream or college.streams.teacher_a
    actor = college.users[teacher]
    tickets_service.ticket_count_set(actor=actor, stream=stream, count=count)
    for number in range(1, count + 1):
        tickets_service.ticket_save(
            actor=actor, stream=stream, number=number, body=f"<p>Question {number}</p>"
        )
    return stream


def slot_for(college, students=None, start=None, end=None, stream=None):
    stream = stream or college.streams.teacher_a
    students = students if students is not None else list(stream.students.all())
    return slots_service.slot_create(
        actor=college.users["teacher"],
        stream=stream,
        student_ids=[s.pk for s in students],
        starts_at=start or at(1, 10),
        ends_at=end or at(1, 12),
    )


def questions_viewed(college, clock):
    """The student has a ticket, the questions were sent at 10:02 and viewed at 10:03."""
    author(college, count=2)
    slot = slot_for(college)
    clock.move_to(at(1, 10, 1))
    ids = [s.pk for s in slot.sessions.all()]
    tickets_service.tickets_generate(actor=college.users["teacher"], slot=slot, session_ids=ids)
    clock.move_to(at(1, 10, 2))
    tickets_service.questions_send(actor=college.users["teacher"], slot=slot, session_ids=ids)
    clock.move_to(at(1, 10, 3))
    session = slot.sessions.get(student__user=college.users["student"])
    tickets_service.questions_open(actor=college.users["student"], session=session)
    session.refresh_from_db()
    return session


def draft(client, session, text, version):
    return client.post(
        reverse("attestation:draft_save", args=[session.pk]),
        json.dumps({"text": text, "version": version}),
        content_type="application/json",
    )

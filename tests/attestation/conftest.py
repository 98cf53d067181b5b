import datetime

import pytest
import time_machine

from college.models import AcademicSchedule

# The clock of these tests: Saturday 28 November 2026, 09:00 in Almaty (UTC+5).
NOW = datetime.datetime(2026, 11, 28, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=5)))


@pytest.fixture
def clock():
    """The frozen clock; ``clock.move_to(...)``/``clock.shift(...)`` travel in time."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def scheduled(college, clock):
    """The persona college with academic schedules: attestation from 25 Nov to 28 Dec 2026."""
    period = college.streams.teacher_a.academic_period
    for group in college.groups:
        AcademicSchedule.objects.create(
            group=group,
            academic_period=period,
            attestation_starts_on=datetime.date(2026, 11, 25),
            attestation_ends_on=datetime.date(2026, 12, 28),
        )
    return college


def at(day, hour, minute=0):
    """An aware Almaty date-time in December 2026 (or November for day > 27)."""
    month = 11 if day > 27 else 12
    return datetime.datetime(
        2026, month, day, hour, minute, tzinfo=datetime.timezone(datetime.timedelta(hours=5))
    )

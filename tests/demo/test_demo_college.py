"""The demo-college generator: big enough to try everything, idempotent, with working logins."""

import io
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command

from access.models import User
from college.models import (
    AcademicSchedule,
    AcademicYear,
    Department,
    Group,
    Pcc,
    Specialty,
    Staff,
    Stream,
    Student,
)
from core.clock import local_today
from demo.management.commands.demo_college import academic_year_start, current_period_number

DEMO_PASSWORD = "demo12345"


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo_college", *args, stdout=out)
    return out.getvalue()


def model_counts() -> dict[str, int]:
    """Rows of every model of the access and college apps, many-to-many tables included."""
    return {
        model._meta.label: model.objects.count()
        for label in ("access", "college")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }


def current_main_streams():
    return Stream.objects.filter(is_main=True, academic_period__year=AcademicYear.current())


@pytest.mark.django_db
def test_demo_college_has_the_minimum_size():
    run_demo()

    assert Department.objects.count() >= 3
    assert Pcc.objects.count() >= 4
    assert Specialty.objects.count() >= 6
    assert Group.objects.count() >= 12
    assert Group.objects.values("language").distinct().count() == 2
    assert Student.objects.count() >= 300
    assert (
        Staff.objects.filter(user__username__startswith="teacher")
        .exclude(user__username="teacher_read")
        .count()
        >= 20
    )
    streams = current_main_streams()
    assert streams.filter(journal__isnull=False).count() >= 40
    assert streams.filter(journal__conduct_online=True).exists()
    for period in AcademicYear.current().periods.all():
        assert AcademicSchedule.objects.filter(academic_period=period).count() == Group.objects.count()


@pytest.mark.django_db
def test_current_attestation_covers_today_and_the_next_two_weeks():
    run_demo()

    today = local_today()
    online = current_main_streams().filter(journal__conduct_online=True)
    for stream in online:
        for group in stream.groups.all():
            schedule = AcademicSchedule.objects.get(group=group, academic_period=stream.academic_period)
            assert schedule.attestation_starts_on <= today
            assert schedule.attestation_ends_on >= today + timedelta(days=14)


@pytest.mark.django_db
def test_running_twice_duplicates_nothing():
    first_output = run_demo()
    counts = model_counts()

    second_output = run_demo()

    assert model_counts() == counts
    assert second_output == first_output


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["admin", "teacher01", "student001"])
def test_printed_logins_authenticate(username):
    output = run_demo()

    assert f" {username} " in output
    assert authenticate(username=username, password=DEMO_PASSWORD) == User.objects.get(username=username)


@pytest.mark.django_db
def test_demo_logins_have_something_to_try():
    run_demo()

    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    teacher_streams = current_main_streams().filter(teacher__user__username="teacher01")
    assert teacher_streams.filter(journal__conduct_online=True).count() >= 2
    assert teacher_streams.filter(journal__conduct_online=False).exists()
    student = Student.objects.get(user__username="student001")
    assert current_main_streams().filter(students=student, journal__conduct_online=True).exists()
    assert Department.objects.filter(head__username="head_dept").exists()
    assert Pcc.objects.filter(head__username="head_pcc").exists()


@pytest.mark.django_db
def test_password_option_sets_every_demo_password():
    run_demo("--password", "another-secret")

    assert authenticate(username="student300", password="another-secret") is not None
    assert authenticate(username="teacher20", password=DEMO_PASSWORD) is None


@pytest.mark.parametrize(
    ("today", "year_start", "period"),
    [
        (date(2026, 11, 28), 2026, 1),
        (date(2027, 1, 10), 2026, 1),
        (date(2027, 1, 11), 2026, 2),
        (date(2027, 6, 30), 2026, 2),
        (date(2027, 7, 15), 2027, 1),
        (date(2027, 8, 31), 2027, 1),
    ],
)
def test_academic_year_and_period_follow_the_calendar(today, year_start, period):
    assert academic_year_start(today) == year_start
    assert current_period_number(today) == period

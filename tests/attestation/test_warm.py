"""The exam minute finds its students' rows and roles in the cache (X-10, SLT-6): signing in
lands on the right page at once and fills them; a slot's own task fills them before its start."""

import datetime

import pytest
from django.core.cache import cache
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.policy import policy_changed
from attestation import warm
from tests.exams import at, slot_for


def _forget(user):
    from access.backends import forget_users

    forget_users([user.pk])
    policy_changed()


@pytest.mark.req("X-10")
def test_a_student_signing_in_lands_on_their_final_controls_in_one_hop(college, client):
    student = college.users["student"]
    student.set_password("pass12345")
    student.save()
    response = client.post(reverse("login"), {"username": "student", "password": "pass12345"})
    assert response.status_code == 302 and response["Location"] == reverse("attestation:my_exams")
    # …and the policy's roles are cached: the page it leads to loads none of them.
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        assert client.get(response["Location"]).status_code == 200
    assert not [q for q in queries.captured_queries if "access_rolemodule" in q["sql"]]


@pytest.mark.req("X-10")
def test_staff_land_on_the_home_page_and_the_home_page_sends_students_on(college, client, login):
    teacher = college.users["teacher"]
    teacher.set_password("pass12345")
    teacher.save()
    response = client.post(reverse("login"), {"username": "teacher", "password": "pass12345"})
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    student = login(college.users["student"])
    assert student.get(reverse("home"))["Location"] == reverse("attestation:my_exams")


@pytest.mark.req("SLT-6", "X-10")
def test_a_slot_warms_its_students_before_it_starts(scheduled, settings, django_capture_on_commit_callbacks):
    college = scheduled
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with django_capture_on_commit_callbacks(execute=True):
        slot = slot_for(college, start=at(1, 10), end=at(1, 12))
    [queued] = DBTaskResult.objects.filter(task_path="attestation.warm.warm_slot")
    assert queued.run_after == at(1, 10) - warm.BEFORE
    assert queued.args_kwargs["args"] == [slot.pk]

    students = [s.student.user for s in slot.sessions.select_related("student__user")]
    for user in students:
        _forget(user)
    assert warm.warm_slot.call(slot.pk) == len(students)
    for user in students:
        assert cache.get(f"auth:user:{user.pk}") == user

    # Moved to another start: warmed again before that one.
    from attestation.services import slots as slots_service

    with django_capture_on_commit_callbacks(execute=True):
        slots_service.slot_update(
            actor=college.users["teacher"], slot=slot, starts_at=at(1, 14), ends_at=at(1, 16)
        )
    runs = sorted(
        DBTaskResult.objects.filter(task_path="attestation.warm.warm_slot").values_list(
            "run_after", flat=True
        )
    )
    assert runs[-1] == at(1, 14) - warm.BEFORE


@pytest.mark.req("SLT-6")
def test_a_slot_scheduled_inside_the_quarter_hour_is_warmed_at_once(
    scheduled, settings, clock, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    now = at(28, 9)
    with django_capture_on_commit_callbacks(execute=True):
        slot_for(scheduled, start=now + datetime.timedelta(minutes=5), end=now + datetime.timedelta(hours=2))
    [queued] = DBTaskResult.objects.filter(task_path="attestation.warm.warm_slot")
    assert abs(queued.run_after - now) < datetime.timedelta(seconds=1)

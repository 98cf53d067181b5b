"""#14.14: refusals say why, in the app's layout and the user's language.

A crafted distribution POST gets the module's own message naming the student (not Django's "Select a
valid choice. 3 is not one of the available choices"); 403, 404, CSRF failures and 500 are the app's
pages (layout, menu where there is a request, the user's language), not Django's bare English ones.
"""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from attestation.models import Slot
from college.models import Admission
from tests import factories as f
from tests.attestation.test_stream_page import distribute, make_slot, page_url


def scheduled_refusal(response):
    assert response.status_code == 400
    body = response.content.decode()
    assert "Select a valid choice" not in body and "is not one of the available choices" not in body
    assert 'id="dialog-distribute"' in body and "data-autoshow" in body  # the dialog re-opens with it
    return body


@pytest.mark.req("SLT-1", "X-4")
def test_a_crafted_distribution_with_a_not_admitted_student_names_the_rule(scheduled, login):
    stream = scheduled.streams.teacher_a
    student = stream.students.get(user=scheduled.users["student"])
    Admission.objects.create(stream=stream, student=student, admitted=False, reason="Low rating")
    client = login(scheduled.users["teacher"])
    body = scheduled_refusal(distribute(client, stream, [student]))
    assert f"Not admitted to the exam, so cannot be scheduled: {student.full_name} (Low rating)." in body
    assert not Slot.objects.filter(stream=stream).exists()


@pytest.mark.req("SLT-1", "X-4")
def test_a_crafted_distribution_with_foreign_or_scheduled_students_says_so(scheduled, login):
    stream = scheduled.streams.teacher_a
    client = login(scheduled.users["teacher"])
    outsider = f.StudentFactory(group=scheduled.groups[1])
    body = scheduled_refusal(distribute(client, stream, [outsider]))
    assert "Some chosen students are not in this stream. Reload the page." in body

    response = client.post(
        reverse("attestation:slot_create", args=[stream.pk]),
        {"starts_at": "2026-12-01T10:00", "end_time": "12:00", "students": ["abc"]},
    )
    assert "Some chosen students are not in this stream. Reload the page." in scheduled_refusal(response)

    first = stream.students.get(user=scheduled.users["student"])
    make_slot(scheduled, students=[first])
    body = scheduled_refusal(distribute(client, stream, [first], start="2026-12-02T10:00"))
    assert f"{first.full_name} is already scheduled. Reload the page." in body


@pytest.mark.req("SLT-2", "X-13")
def test_a_date_outside_the_attestation_period_names_every_student_group_by_group(scheduled, login):
    """Two groups in one stream, the date outside both periods: one refusal names all of them."""
    import datetime

    from college.models import AcademicSchedule

    group_a, group_b = scheduled.groups
    stream = scheduled.streams.teacher_a
    stream.groups.add(group_b)
    extra = f.StudentFactory(group=group_b)
    stream.students.add(scheduled.users["student_b"].student, extra)
    AcademicSchedule.objects.filter(group=group_b).update(
        attestation_starts_on=datetime.date(2026, 12, 20), attestation_ends_on=datetime.date(2026, 12, 30)
    )
    AcademicSchedule.objects.filter(group=group_a).update(
        attestation_starts_on=datetime.date(2026, 12, 10), attestation_ends_on=datetime.date(2026, 12, 30)
    )
    client = login(scheduled.users["teacher"])
    body = " ".join(scheduled_refusal(distribute(client, stream, list(stream.students.all()))).split())
    names = lambda group: ", ".join(  # noqa: E731
        s.full_name for s in sorted(stream.students.filter(group=group), key=lambda s: s.full_name)
    )
    assert "The date 01.12.2026 is outside the attestation period of the academic schedule for:" in body
    assert f"Group EK-31: the attestation period is 20.12.2026 – 30.12.2026: {names(group_b)}." in body
    assert f"Group PO-21: the attestation period is 10.12.2026 – 30.12.2026: {names(group_a)}." in body


@pytest.mark.req("SLT-1", "X-13")
def test_the_distribute_dialog_says_why_a_student_is_not_admitted(scheduled, login):
    stream = scheduled.streams.teacher_a
    student = stream.students.get(user=scheduled.users["student"])
    Admission.objects.create(stream=stream, student=student, admitted=False, reason="Academic debt")
    page = login(scheduled.users["teacher"]).get(page_url(stream)).content.decode()
    assert "Not admitted to exam: cannot be scheduled (Academic debt)" in page


def app_layout(body):
    return 'class="topbar"' in body and 'href="/static/css/app.css"' in body


@pytest.mark.req("X-10", "X-8")
def test_403_is_the_apps_page_in_the_users_language(scheduled, login):
    reader = scheduled.users["reader"]
    stream = scheduled.streams.teacher_a
    slot = make_slot(scheduled)
    client = login(reader)
    response = client.post(reverse("attestation:slot_notify", args=[slot.pk]))
    assert response.status_code == 403
    body = response.content.decode()
    assert app_layout(body) and 'aria-label="Main menu"' in body  # the app's layout, with the menu
    assert "You are not allowed to do this" in body and "In read mode you can view" in body
    assert "<h1>403 Forbidden</h1>" not in body

    reader.language = "ru"
    reader.save(update_fields=["language"])
    body = client.post(reverse("attestation:slot_notify", args=[slot.pk])).content.decode()
    assert '<html lang="ru">' in body and "Информационная система колледжа" in body
    assert client.get(page_url(stream)).status_code == 200  # reading is still allowed


@pytest.mark.req("X-10", "X-8")
def test_404_is_the_apps_page_in_the_users_language(scheduled, login):
    other = scheduled.users["other_teacher"]
    other.language = "kk"
    other.save(update_fields=["language"])
    response = login(other).get(page_url(scheduled.streams.teacher_a))
    assert response.status_code == 404
    body = response.content.decode()
    assert app_layout(body) and '<html lang="kk">' in body and "Колледждің ақпараттық жүйесі" in body
    assert 'id="error-title"' in body and "Not Found</h1>" not in body


@pytest.mark.req("X-10")
def test_an_expired_form_is_the_apps_page_not_djangos_csrf_text(college):
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "ru"
    response = client.post(reverse("login"), {"username": "teacher", "password": "pass12345"})
    assert response.status_code == 403
    body = response.content.decode()
    assert app_layout(body) and '<html lang="ru">' in body
    assert "CSRF verification failed" not in body
    assert "<form" not in body  # a form here would carry no token and fail the same way


@pytest.mark.req("X-10", "X-8")
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_500_is_the_apps_page_without_touching_the_database(language):
    """No ``db`` fixture: pytest-django fails any query, so the page needs no database (it may be down)."""
    request = RequestFactory().get("/")
    with translation.override(language):
        response = server_error(request)
    body = response.content.decode()
    assert response.status_code == 500 and app_layout(body) and f'<html lang="{language}">' in body
    assert "<h1>Server Error (500)</h1>" not in body

"""The student hears of what concerns them (GRD-4, X-10): a grade set or changed reaches their inbox,
and "My final controls" says where each final control stands, with its grade."""

import pytest
from django.urls import reverse

from attestation.models import ExamSession
from attestation.services import grades as grades_service
from attestation.services.journal import sync_final_columns
from notifications.models import Notification
from tests.exams import at, slot_for

pytestmark = pytest.mark.req("GRD-4", "X-10")


@pytest.fixture
def over(scheduled, clock):
    sync_final_columns(scheduled.streams.teacher_a.journal)
    slot = slot_for(scheduled)
    clock.move_to(at(1, 12, 30))
    return slot


def test_a_grade_set_and_a_grade_changed_reach_the_students_inbox(scheduled, over):
    teacher, student = scheduled.users["teacher"], scheduled.users["student"]
    session = ExamSession.objects.get(slot=over, student__user=student)
    grades_service.grade_set(actor=teacher, session=session, written="4", version=0)
    note = Notification.objects.get(recipient=student)
    discipline = over.stream.discipline.name
    assert note.text == (
        f"Your final control {discipline} is graded: open “My final controls” to see the grade and the "
        "teacher's comment."
    )
    assert note.link == reverse("attestation:my_exams")
    grades_service.grade_set(actor=teacher, session=session, written="5", reason="Re-checked", version=1)
    latest = Notification.objects.filter(recipient=student).latest("pk")
    assert latest.text.startswith(f"The grade of your final control {discipline} has changed")
    assert not Notification.objects.filter(recipient=scheduled.users["other_student"]).exists()


def test_my_final_controls_say_where_each_stands_and_its_grade(scheduled, over, login, clock):
    teacher, student = scheduled.users["teacher"], scheduled.users["student"]
    client = login(student)
    clock.move_to(at(1, 9))
    page = client.get(reverse("attestation:my_exams")).content.decode()
    assert "scheduled" in page
    clock.move_to(at(1, 10, 30))
    client = login(student)
    assert "in progress" in client.get(reverse("attestation:my_exams")).content.decode()
    clock.move_to(at(1, 12, 30))
    client = login(student)
    assert "time over, no answer sent" in client.get(reverse("attestation:my_exams")).content.decode()
    session = ExamSession.objects.get(slot=over, student__user=student)
    grades_service.grade_set(actor=teacher, session=session, written="4", version=0)
    page = client.get(reverse("attestation:my_exams")).content.decode()
    assert ">graded<" in page and '<strong class="grade">4 (good)</strong>' in page

"""One student's final-control page: who may open it and what its header shows (STU-1, STU-2, STU-5)."""

import pytest
from django.urls import reverse

from attestation.models import RecordingLink
from attestation.services import slots as service
from tests.exams import at
from tests.html import shown_page
from tests.personas import PERSONAS

EXPECTED = dict.fromkeys(PERSONAS, 404) | {
    "anonymous": 302,
    "student": 200,
    "teacher": 200,
    "registrar": 200,
    "head_dept": 200,
    "head_pcc": 200,
    "reader": 200,
}


@pytest.fixture
def session(scheduled):
    stream = scheduled.streams.teacher_a
    student = scheduled.users["student"].student
    slot = service.slot_create(
        actor=scheduled.users["teacher"],
        stream=stream,
        student_ids=[student.pk],
        starts_at=at(1, 10),
        ends_at=at(1, 12),
    )
    return slot.sessions.get()


@pytest.mark.req("STU-1")
@pytest.mark.parametrize("persona", PERSONAS)
def test_session_page_per_persona(scheduled, session, login, persona):
    response = login(scheduled.users.get(persona)).get(reverse("attestation:session", args=[session.pk]))
    assert response.status_code == EXPECTED[persona]


@pytest.mark.req("STU-1", "SLT-4")
def test_reached_from_the_cabinet_and_from_the_slot_table(scheduled, session, login):
    url = reverse("attestation:session", args=[session.pk])
    assert url in login(scheduled.users["student"]).get(reverse("attestation:my_exams")).content.decode()
    stream_page = reverse("attestation:stream", args=[session.stream_id]) + f"?tab=slot-{session.slot_id}"
    assert url in login(scheduled.users["teacher"]).get(stream_page).content.decode()


@pytest.mark.req("STU-2", "X-4")
def test_header_shows_year_period_discipline_teacher_date_and_times(scheduled, session, login):
    service.session_extra_time(actor=scheduled.users["teacher"], session=session, minutes=20)
    page = (
        login(scheduled.users["student"])
        .get(reverse("attestation:session", args=[session.pk]))
        .content.decode()
    )
    stream = session.stream
    for text in [
        stream.academic_period.year.name,
        stream.discipline.name,
        stream.teacher.full_name,
        "01.12.2026",
        "10:00",
        "12:20",
        "+20 min extra time",
    ]:
        assert text in page


@pytest.mark.req("STU-5", "PLT-1", "PLT-2")
def test_platform_block_and_recordings_only_when_allowed(scheduled, session, login):
    slot = session.slot
    slot.platform, slot.platform_login, slot.platform_password = "Zoom", "exam-7", "pa55"
    slot.conference_url, slot.has_recording = "https://zoom.example/j/7", True
    slot.save()
    RecordingLink.objects.create(slot=slot, url="https://video.example/r/1")
    url = reverse("attestation:session", args=[session.pk])
    page = shown_page(login(scheduled.users["student"]).get(url))
    assert "exam-7" in page and "pa55" in page and 'href="https://zoom.example/j/7"' in page
    assert "https://video.example/r/1" not in page
    slot.show_recording = True
    slot.save()
    assert "https://video.example/r/1" in login(scheduled.users["student"]).get(url).content.decode()


def test_unscheduled_session_says_so(scheduled, session, login):
    service.session_unschedule(actor=scheduled.users["teacher"], session=session)
    page = (
        login(scheduled.users["student"])
        .get(reverse("attestation:session", args=[session.pk]))
        .content.decode()
    )
    assert "are not set yet" in page

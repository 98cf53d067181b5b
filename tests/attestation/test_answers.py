"""The student's answer: drafts, files, sending, the deadline, presence (ANS-1, ANS-2, TIM-1, X-1, SLT-6)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from attestation import presence
from attestation.models import AnswerFile, ExamSession
from attestation.services import Refused
from attestation.services import answers as service
from attestation.services import slots as slots_service
from attestation.services import tickets as tickets_service
from tests.exams import PDF, at, draft, slot_for
from tests.html import shown_page


@pytest.mark.req("ANS-1")
def test_answers_block_appears_once_the_questions_were_viewed(scheduled, exam, login):
    other = ExamSession.objects.get(slot=exam.slot, student__user=scheduled.users["other_student"])
    assert service.answers_open(exam) and not service.answers_open(other)
    page = (
        login(scheduled.users["student"]).get(reverse("attestation:session", args=[exam.pk])).content.decode()
    )
    assert 'id="answer-form"' in page and "Send answer" in page and "Upload file" in page
    page = (
        login(scheduled.users["other_student"])
        .get(reverse("attestation:session", args=[other.pk]))
        .content.decode()
    )
    assert 'id="answer-form"' not in page


@pytest.mark.req("X-1")
def test_autosave_keeps_the_newest_draft_and_ignores_retries(scheduled, exam, login):
    client = login(scheduled.users["student"])
    response = draft(client, exam, "<p>first</p>", 1)
    assert response.status_code == 200 and response.json()["version"] == 1
    draft(client, exam, "<p>second <script>x</script></p>", 3)
    draft(client, exam, "<p>late retry of an older version</p>", 2)
    exam.refresh_from_db()
    assert exam.draft == "<p>second </p>" and exam.draft_version == 3
    # The draft comes back on reload, on any device.
    page = (
        login(scheduled.users["student"]).get(reverse("attestation:session", args=[exam.pk])).content.decode()
    )
    assert "second" in page


@pytest.mark.req("X-1", "TIM-1", "X-2")
def test_after_the_end_drafts_are_refused_and_the_last_one_stays_for_the_teacher(
    scheduled, exam, login, clock
):
    client = login(scheduled.users["student"])
    draft(client, exam, "<p>before the end</p>", 1)
    clock.move_to(at(1, 12))
    client = login(scheduled.users["student"])
    response = draft(client, exam, "<p>after the end</p>", 2)
    assert response.status_code == 409
    assert "Time is over" in response.json()["error"]
    exam.refresh_from_db()
    assert exam.draft == "<p>before the end</p>"
    teacher_page = (
        login(scheduled.users["teacher"]).get(reverse("attestation:session", args=[exam.pk])).content.decode()
    )
    assert "before the end" in teacher_page and "Not sent" in teacher_page


@pytest.mark.req("ANS-2")
@pytest.mark.parametrize(
    "text, files, expected",
    [("<p>short</p>", 0, False), ("<p>ten chars!</p>", 0, True), ("", 1, True), ("<p>   </p>", 0, False)],
)
def test_send_rule(scheduled, exam, text, files, expected):
    for i in range(files):
        AnswerFile.objects.create(session=exam, file_name=f"{i}.pdf", size=1, file="x")
    assert service.can_send(exam, text, files) is expected


@pytest.mark.req("ANS-2", "X-3")
def test_send_locks_the_answer_and_is_idempotent(scheduled, exam, login, clock):
    client = login(scheduled.users["student"])
    url = reverse("attestation:answer_send", args=[exam.pk])
    assert client.post(url, {"text": "<p>My full answer here</p>"}).status_code == 302
    clock.move_to(at(1, 10, 30))
    assert client.post(url, {"text": "<p>A second click with other text</p>"}).status_code == 302
    exam.refresh_from_db()
    assert exam.answer == "<p>My full answer here</p>" and exam.answer_sent_at == at(1, 10, 3)
    assert draft(client, exam, "<p>changed</p>", 9).status_code == 409
    page = shown_page(client.get(reverse("attestation:session", args=[exam.pk])))
    assert "Your answer was sent at 01.12.2026 10:03:00." in page and 'id="answer-form"' not in page
    staff = (
        login(scheduled.users["teacher"])
        .get(reverse("attestation:stream", args=[exam.stream_id]) + f"?tab=slot-{exam.slot_id}")
        .content.decode()
    )
    assert "01.12.2026 10:03" in staff


@pytest.mark.req("ANS-2", "TIM-1")
def test_too_short_or_too_late_is_refused_with_the_text_kept(scheduled, exam, login, clock):
    client = login(scheduled.users["student"])
    url = reverse("attestation:answer_send", args=[exam.pk])
    response = client.post(url, {"text": "<p>short</p>"})
    assert response.status_code == 400 and "at least 10 characters" in response.content.decode()
    assert "short" in response.content.decode()
    slots_service.session_extra_time(actor=scheduled.users["teacher"], session=exam, minutes=15)
    clock.move_to(at(1, 12, 10))
    client = login(scheduled.users["student"])
    assert client.post(url, {"text": "<p>long enough answer</p>"}).status_code == 302  # extra time counts
    other = ExamSession.objects.get(slot=exam.slot, student__user=scheduled.users["other_student"])
    tickets_service.questions_open(actor=scheduled.users["other_student"], session=other)
    with pytest.raises(Refused, match="Time is over"):
        service.answer_send(
            actor=scheduled.users["other_student"], session=other, text="<p>long enough answer</p>"
        )


@pytest.mark.req("ANS-1", "X-11")
def test_files_attach_remove_and_stay_private(scheduled, exam, login):
    client = login(scheduled.users["student"])
    add = reverse("attestation:answer_file_add", args=[exam.pk])
    assert client.post(add, {"upload": SimpleUploadedFile("work.pdf", PDF)}).status_code == 302
    bad = client.post(
        add, {"upload": SimpleUploadedFile("evil.pdf", b"<html>x</html>")}, HTTP_ACCEPT="application/json"
    )
    assert bad.status_code == 400 and "not accepted" in bad.json()["error"]
    attached = exam.answer_files.get()
    url = reverse("attestation:answer_file", args=[attached.pk])
    assert client.get(url).status_code == 200
    assert login(scheduled.users["teacher"]).get(url).status_code == 200
    assert login(scheduled.users["other_student"]).get(url).status_code == 404
    assert login(scheduled.users["other_teacher"]).get(url).status_code == 404
    client = login(scheduled.users["student"])
    assert (
        client.post(reverse("attestation:answer_file_delete", args=[exam.pk, attached.pk])).status_code == 302
    )
    assert not exam.answer_files.exists()
    # A file alone is enough to send (ANS-2).
    client.post(add, {"upload": SimpleUploadedFile("work.pdf", PDF)})
    assert client.post(reverse("attestation:answer_send", args=[exam.pk]), {"text": ""}).status_code == 302
    exam.refresh_from_db()
    assert exam.answer_sent_at
    assert client.post(add, {"upload": SimpleUploadedFile("late.pdf", PDF)}).status_code == 302
    assert exam.answer_files.count() == 1  # locked after sending


@pytest.mark.req("X-11")
def test_students_never_reach_answer_endpoints_of_others(scheduled, exam, login):
    other = login(scheduled.users["other_student"])
    for name in ["attestation:draft_save", "attestation:answer_send", "attestation:answer_file_add"]:
        assert other.post(reverse(name, args=[exam.pk]), {}).status_code == 404
    assert other.get(reverse("attestation:session_status", args=[exam.pk])).status_code == 404
    teacher = login(scheduled.users["teacher"])
    assert (
        teacher.post(reverse("attestation:answer_send", args=[exam.pk]), {"text": "x" * 20}).status_code
        == 404
    )


@pytest.mark.req("TIM-1", "X-4")
def test_status_gives_the_server_clock_and_extra_time(scheduled, exam, login):
    client = login(scheduled.users["student"])
    status = client.get(reverse("attestation:session_status", args=[exam.pk])).json()
    assert status["server_now"] == at(1, 10, 3).isoformat() or status["server_now"].startswith(
        "2026-12-01T05:03"
    )
    assert status["ends_at"].startswith("2026-12-01T07:00")
    slots_service.session_extra_time(actor=scheduled.users["teacher"], session=exam, minutes=20)
    status = client.get(reverse("attestation:session_status", args=[exam.pk])).json()
    assert status["ends_at"].startswith("2026-12-01T07:20") and status["extra_minutes"] == 20
    # An instant the browser cannot misread: with its offset, equal to the slot's end plus 20 minutes.
    ends_at = datetime.datetime.fromisoformat(status["ends_at"])
    assert ends_at.tzinfo is not None and ends_at == at(1, 12, 20)


@pytest.mark.req("SLT-6", "X-5")
def test_presence_dot_turns_green_with_the_heartbeat_and_grey_after(scheduled, exam, login, clock):
    staff_url = reverse("attestation:stream", args=[exam.stream_id]) + f"?tab=slot-{exam.slot_id}"
    teacher = login(scheduled.users["teacher"])
    assert 'class="dot online" role="img"' not in teacher.get(staff_url).content.decode()
    login(scheduled.users["student"]).get(reverse("attestation:session_status", args=[exam.pk]))
    page = login(scheduled.users["teacher"]).get(staff_url).content.decode()
    assert page.count('class="dot online" role="img"') == 1
    assert "online: <strong>1</strong>" in page
    clock.shift(presence.FRESH_SECONDS + 1)
    page = login(scheduled.users["teacher"]).get(staff_url).content.decode()
    assert page.count('class="dot online" role="img"') == 0


# --- #8: the two endpoints every student calls every few seconds ------------------------------


def status(client, session):
    return client.get(reverse("attestation:session_status", args=[session.pk]))


@pytest.mark.req("X-1", "SLT-6")
def test_heartbeat_and_autosave_cost_one_query(scheduled, exam, login, django_assert_num_queries):
    """ONE statement for the session with the whole policy folded in (attestation/fast_paths.py); the
    session and the signed-in user come from the cache (core/sessions.py, access/backends.py)."""
    client = login(scheduled.users["student"])
    client.get(reverse("attestation:session", args=[exam.pk]))  # the session cache is warm, as in use
    with django_assert_num_queries(1):
        assert status(client, exam).status_code == 200
    with django_assert_num_queries(1):
        assert draft(client, exam, "<p>typed</p>", 5).json()["version"] == 5
    exam.refresh_from_db()
    assert exam.draft == "<p>typed</p>"


@pytest.mark.req("X-1", "TIM-1", "X-4")
def test_autosave_counts_the_students_extra_time(scheduled, exam, login, clock):
    slots_service.session_extra_time(actor=scheduled.users["teacher"], session=exam, minutes=15)
    clock.move_to(at(1, 12, 14))
    client = login(scheduled.users["student"])
    assert draft(client, exam, "<p>in my extra time</p>", 1).status_code == 200
    clock.move_to(at(1, 12, 15))
    client = login(scheduled.users["student"])
    response = draft(client, exam, "<p>too late</p>", 2)
    assert response.status_code == 409 and "Time is over" in response.json()["error"]
    exam.refresh_from_db()
    assert exam.draft == "<p>in my extra time</p>" and exam.draft_version == 1


@pytest.mark.req("X-1", "ANS-1")
def test_autosave_before_the_questions_are_viewed_is_refused(scheduled, exam, login):
    other = ExamSession.objects.get(slot=exam.slot, student__user=scheduled.users["other_student"])
    response = draft(login(scheduled.users["other_student"]), other, "<p>early</p>", 1)
    assert response.status_code == 409 and "once you have the questions" in response.json()["error"]
    other.refresh_from_db()
    assert other.draft == "" and other.draft_version == 0


@pytest.mark.req("X-1", "TSK-1")
def test_autosave_without_tickets_needs_the_task(scheduled, login, clock):
    stream = scheduled.streams.teacher_a
    slots_service.stream_mode_set(actor=scheduled.users["teacher"], stream=stream, mode="no_tickets")
    slot = slot_for(scheduled)
    session = slot.sessions.get(student__user=scheduled.users["student"])
    clock.move_to(at(1, 10, 5))
    client = login(scheduled.users["student"])
    assert draft(client, session, "<p>no task yet</p>", 1).status_code == 409
    tickets_service.task_save(actor=scheduled.users["teacher"], session=session, body="<p>Essay</p>")
    assert draft(client, session, "<p>my essay</p>", 2).status_code == 200
    session.refresh_from_db()
    assert session.draft == "<p>my essay</p>"


@pytest.mark.req("X-1", "ADM-2", "X-11")
@pytest.mark.parametrize("taken", ["role", "license", "online"])
def test_heartbeat_and_autosave_follow_the_policy(scheduled, exam, login, taken):
    """Without the student module, its license, or the online flag: 404, and nothing is written."""
    from access.models import License, Role
    from access.policy import policy_changed
    from college.models import Journal

    client = login(scheduled.users["student"])
    if taken == "role":
        scheduled.users["student"].roles.remove(*Role.objects.filter(kind=Role.Kind.STUDENT))
    elif taken == "license":
        License.objects.filter(code=License.Code.ONLINE_IA).update(enabled=False)
    else:
        Journal.objects.filter(stream=exam.stream).update(conduct_online=False)
    policy_changed()  # .update() sends no signal: tell the cached roles, as the license screen does
    assert status(client, exam).status_code == 404
    assert draft(client, exam, "<p>should not land</p>", 7).status_code == 404
    exam.refresh_from_db()
    assert exam.draft_version == 0


@pytest.mark.req("X-1", "X-11")
def test_others_cannot_autosave_into_a_session(scheduled, exam, login):
    for persona in ["other_student", "teacher"]:
        client = login(scheduled.users[persona])
        assert status(client, exam).status_code == 404
        assert draft(client, exam, "<p>not yours</p>", 9).status_code == 404
        assert (
            client.post(
                reverse("attestation:draft_save", args=[exam.pk]), "[1]", content_type="application/json"
            ).status_code
            == 404
        )
    exam.refresh_from_db()
    assert exam.draft_version == 0


@pytest.mark.req("STU-1", "X-1")
def test_exam_page_runs_a_fixed_number_of_queries(scheduled, exam, login, django_assert_max_num_queries):
    """The student's page costs the same whatever the number of files and tickets."""
    from attestation.models import Ticket

    client = login(scheduled.users["student"])
    url = reverse("attestation:session", args=[exam.pk])
    client.get(url)  # the roles and the session are cached, as in use

    def measure():
        with django_assert_max_num_queries(40) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = measure()
    for i in range(5):
        AnswerFile.objects.create(session=exam, file_name=f"{i}.pdf", size=1, file=f"answers/{i}.pdf")
    for number in range(10, 30):
        Ticket.objects.create(stream=exam.stream, number=number, body="<p>q</p>")
    assert measure() == small
    assert small <= 20


@pytest.mark.req("ADM-2", "X-10", "STU-3", "STU-4", "ANS-2")
@pytest.mark.parametrize("taken", ["role", "license", "online"])
def test_the_students_services_ask_the_policy_not_only_ownership(scheduled, exam, taken):
    """#16.10: called directly (the API, a command), the student's own services refuse a student who
    lost the student module, its license, or the online flag — the view is not the only guard."""
    from access.models import License, Role
    from access.policy import policy_changed
    from college.models import Journal

    student = scheduled.users["student"]
    if taken == "role":
        student.roles.remove(*Role.objects.filter(kind=Role.Kind.STUDENT))
    elif taken == "license":
        License.objects.filter(code=License.Code.ONLINE_IA).update(enabled=False)
    else:
        Journal.objects.filter(stream=exam.stream).update(conduct_online=False)
    policy_changed()
    student = type(student).objects.get(pk=student.pk)  # a fresh user: no per-request access cache
    session = ExamSession.objects.select_related("student", "stream__journal").get(pk=exam.pk)
    text = "<p>an answer long enough to be sent</p>"
    for call in (
        lambda: tickets_service.questions_open(actor=student, session=session),
        lambda: tickets_service.ticket_choose(
            actor=student, session=session, tile=tickets_service.tile_token(session, exam.ticket_id)
        ),
        lambda: service.answer_send(actor=student, session=session, text=text),
    ):
        with translation.override("en"), pytest.raises(Refused, match="This is not your final control."):
            call()
    session.refresh_from_db()
    assert session.answer_sent_at is None


@pytest.mark.req("TSK-1", "X-1", "ANS-1", "ANS-2")
@pytest.mark.parametrize("empty", ["<p><br></p>", "", "<p>\u200b</p>", "<p>&nbsp;</p><hr><p></p>"])
def test_an_empty_task_is_refused_and_the_students_work_goes_on(scheduled, clock, empty):
    """Emptying the task while the student writes would close their answer (autosave 409, Send
    400): refused with the reason, the task kept; a real change of the task leaves them writing."""
    stream = scheduled.streams.teacher_a
    slots_service.stream_mode_set(actor=scheduled.users["teacher"], stream=stream, mode="no_tickets")
    slot = slot_for(scheduled)
    session = slot.sessions.get(student__user=scheduled.users["student"])
    tickets_service.task_save(actor=scheduled.users["teacher"], session=session, body="<p>Essay</p>")
    clock.move_to(at(1, 10, 5))
    student, teacher = Client(), Client()
    student.force_login(scheduled.users["student"])
    teacher.force_login(scheduled.users["teacher"])
    assert draft(student, session, "<p>my essay, first lines</p>", 1).status_code == 200
    response = teacher.post(reverse("attestation:task_save", args=[session.pk]), {"body": empty})
    assert "The task is empty: write what the student must do." in shown_page(response, 400)
    session.refresh_from_db()
    assert session.task == "<p>Essay</p>"
    assert draft(student, session, "<p>my essay, more lines</p>", 2).status_code == 200
    tickets_service.task_save(actor=scheduled.users["teacher"], session=session, body="<p>Essay, 2 pages</p>")
    assert draft(student, session, "<p>my essay, still more lines</p>", 3).status_code == 200
    send = student.post(
        reverse("attestation:answer_send", args=[session.pk]), {"text": "<p>my whole essay</p>"}
    )
    assert send.status_code == 302
    session.refresh_from_db()
    assert session.answer == "<p>my whole essay</p>" and session.answer_sent_at == at(1, 10, 5)


@pytest.mark.req("ANS-2")
def test_a_retried_send_shows_its_message_once(scheduled, exam, login):
    """The first answer's page never arrived (a slow network) and the browser sent again: one
    "Your answer is sent." on the next page, not two."""
    client = login(scheduled.users["student"])
    url = reverse("attestation:answer_send", args=[exam.pk])
    text = "<p>" + "my answer " * 5 + "</p>"
    assert client.post(url, {"text": text}).status_code == 302
    assert client.post(url, {"text": text}).status_code == 302  # the retry: sent once, said once
    page = shown_page(client.get(reverse("attestation:session", args=[exam.pk])))
    assert page.count("Your answer is sent.") == 1

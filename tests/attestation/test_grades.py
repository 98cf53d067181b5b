"""Grading into the journal (GRD-1…GRD-6, JRN-4, X-7)."""

import pytest
from django.urls import reverse

from attestation import grade_scales
from attestation.models import ExamSession, GradeChange
from attestation.services import Refused
from attestation.services import grades as service
from college.models import JournalColumn, JournalMark, TrainingTechnology
from tests.exams import at
from tests.html import shown_page
from tests.personas import PERSONAS


def post(client, session, **data):
    session.refresh_from_db()
    payload = {
        "version": session.grade_version,
        "absence": "",
        "written": "",
        "oral": "",
        "total": "",
        "reason": "",
    }
    return client.post(reverse("attestation:grade_set", args=[session.pk]), payload | data)


@pytest.fixture
def answered(exam, scheduled, clock):
    from attestation.services import answers

    answers.answer_send(actor=scheduled.users["student"], session=exam, text="<p>A long enough answer</p>")
    from attestation.services.journal import sync_final_columns

    sync_final_columns(exam.stream.journal)
    exam.refresh_from_db()
    return exam


@pytest.mark.req("GRD-1")
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_grade(answered, scheduled, login, persona):
    response = post(login(scheduled.users.get(persona)), answered, written="5")
    answered.refresh_from_db()
    if persona in {"teacher", "registrar"}:
        assert response.status_code == 302 and answered.grade_total == "5"
    else:
        assert answered.grade_total == ""
        expected = {"anonymous": 302, "head_dept": 403, "head_pcc": 403, "reader": 403}.get(persona, 404)
        assert response.status_code == expected  # read mode: 403 (#16.3); the others never see it


@pytest.mark.req("GRD-1", "X-2")
def test_not_before_the_answer_or_the_end(exam, scheduled, clock):
    with pytest.raises(Refused, match="once the answer is sent or the time is over"):
        service.grade_set(actor=scheduled.users["teacher"], session=exam, written="4", version=0)
    clock.move_to(at(1, 12))
    session = service.grade_set(
        actor=scheduled.users["teacher"], session=exam, absence="unexcused", version=0
    )
    assert session.absence == "unexcused"


@pytest.mark.req("GRD-3", "GRD-6", "JRN-4")
def test_written_grade_lands_in_the_journal_and_the_slot_table(answered, scheduled, login):
    client = login(scheduled.users["teacher"])
    assert post(client, answered, written="4").status_code == 302
    final = answered.stream.journal.columns.get(kind=JournalColumn.Kind.FINAL)
    assert JournalMark.objects.get(column=final, student=answered.student).value == "4"
    journal_page = client.get(reverse("journals:journal", args=[answered.stream_id])).content.decode()
    assert "4 (good)" in journal_page
    slot_page = client.get(
        reverse("attestation:stream", args=[answered.stream_id]) + f"?tab=slot-{answered.slot_id}"
    ).content.decode()
    assert "4 (good)" in slot_page and "graded: <strong>1</strong>" in slot_page


@pytest.mark.req("GRD-3")
def test_written_and_oral_give_a_total(answered, scheduled, login):
    journal = answered.stream.journal
    journal.final_form = "written_oral"
    journal.save()
    from attestation.services.journal import sync_final_columns

    sync_final_columns(journal)
    client = login(scheduled.users["teacher"])
    page = client.get(reverse("attestation:session", args=[answered.pk])).content.decode()
    assert 'name="written"' in page and 'name="oral"' in page
    assert post(client, answered, written="5", oral="4").status_code == 302
    answered.refresh_from_db()
    assert (answered.grade_written, answered.grade_oral, answered.grade_total) == ("5", "4", "5")
    marks = dict(JournalMark.objects.filter(student=answered.student).values_list("column__kind", "value"))
    assert marks == {"final_written": "5", "final_oral": "4", "final": "5"} | {
        k: v for k, v in marks.items() if k == "current"
    }


@pytest.mark.req("GRD-3")
def test_credit_scale_shows_points_letter_and_traditional(answered, scheduled, login):
    technology = answered.student.group.technology
    technology.scale = TrainingTechnology.Scale.CREDIT
    technology.save()
    client = login(scheduled.users["teacher"])
    assert post(client, answered, written="91").status_code == 302
    assert grade_scales.display("91", "credit") == "91 (A-, 5)"
    assert "91 (A-, 5)" in client.get(reverse("attestation:session", args=[answered.pk])).content.decode()
    assert post(client, answered, written="101", reason="typo").status_code == 400


@pytest.mark.req("GRD-4")
def test_undefined_form_shows_the_seed_text_and_refuses(answered, scheduled, login):
    journal = answered.stream.journal
    journal.final_form = ""
    journal.save()
    client = login(scheduled.users["teacher"])
    page = shown_page(client.get(reverse("attestation:session", args=[answered.pk])))
    assert "Define the form of final control in the journal settings" in page
    assert 'name="written"' not in page
    assert post(client, answered, written="5").status_code == 400


@pytest.mark.req("GRD-5")
def test_pass_fail_is_one_choice(answered, scheduled, login):
    journal = answered.stream.journal
    journal.final_form = "pass_fail"
    journal.save()
    client = login(scheduled.users["teacher"])
    page = client.get(reverse("attestation:session", args=[answered.pk])).content.decode()
    assert "Passed" in page and "Not passed" in page
    assert post(client, answered, total="maybe").status_code == 400
    assert post(client, answered, total="passed").status_code == 302
    answered.refresh_from_db()
    assert answered.grade_total == "passed"
    assert "Passed" in client.get(reverse("journals:journal", args=[answered.stream_id])).content.decode()


@pytest.mark.req("GRD-2")
def test_absence_excused(answered, scheduled, login):
    client = login(scheduled.users["teacher"])
    assert post(client, answered, absence="excused").status_code == 302
    answered.refresh_from_db()
    assert answered.absence == "excused" and answered.grade_total == ""
    assert (
        "Absent, excused"
        in client.get(reverse("journals:journal", args=[answered.stream_id])).content.decode()
    )


@pytest.mark.req("GRD-1", "X-7")
def test_a_change_needs_a_reason_keeps_history_and_refuses_stale_forms(answered, scheduled, login):
    client = login(scheduled.users["teacher"])
    post(client, answered, written="3")
    answered.refresh_from_db()
    stale = answered.grade_version
    assert post(client, answered, written="4").status_code == 400  # no reason
    assert post(client, answered, written="4", reason="Re-checked question 2").status_code == 302
    response = client.post(
        reverse("attestation:grade_set", args=[answered.pk]),
        {"version": stale, "written": "5", "reason": "x", "absence": "", "oral": "", "total": ""},
    )
    assert response.status_code == 400 and "changed this grade meanwhile" in response.content.decode()
    answered.refresh_from_db()
    assert answered.grade_total == "4"
    history = list(GradeChange.objects.filter(session=answered).order_by("at", "id"))
    assert [(h.before["total"], h.after["total"], h.reason) for h in history] == [
        ("", "3", ""),
        ("3", "4", "Re-checked question 2"),
    ]
    page = client.get(reverse("attestation:session", args=[answered.pk])).content.decode()
    assert "History of the grade" in page and "Re-checked question 2" in page


@pytest.mark.req("STU-2", "GRD-6")
def test_student_sees_the_grade_once_set(answered, scheduled, login):
    student = login(scheduled.users["student"])
    assert (
        "Assessment" not in student.get(reverse("attestation:session", args=[answered.pk])).content.decode()
    )
    post(login(scheduled.users["teacher"]), answered, written="5")
    page = (
        login(scheduled.users["student"])
        .get(reverse("attestation:session", args=[answered.pk]))
        .content.decode()
    )
    assert "5 (excellent)" in page
    other = ExamSession.objects.get(slot=answered.slot, student__user=scheduled.users["other_student"])
    assert (
        login(scheduled.users["other_student"])
        .get(reverse("attestation:session", args=[answered.pk]))
        .status_code
        == 404
    )
    assert other.grade_total == ""


@pytest.mark.req("GRD-1", "X-7")
@pytest.mark.parametrize("reason", ["\u200b", " \u200b\u200d ", "\u202e\u2066", "\u00a0\t", "...", "—"])
def test_a_changed_grades_reason_must_say_something(answered, scheduled, login, reason):
    """An invisible or letterless reason is no reason: refused, the grade and its history unchanged."""
    client = login(scheduled.users["teacher"])
    post(client, answered, written="3")
    response = post(client, answered, written="4", reason=reason)
    assert response.status_code == 400 and "Say why the grade is changed." in response.content.decode()
    answered.refresh_from_db()
    assert answered.grade_total == "3"
    assert GradeChange.objects.filter(session=answered).count() == 1


@pytest.mark.req("GRD-1", "X-7")
def test_a_reason_is_kept_normalised_without_invisible_characters(answered, scheduled, login):
    client = login(scheduled.users["teacher"])
    post(client, answered, written="3")
    assert post(client, answered, written="4", reason=" Re\u200bchecked\u00a0 \u2460 ").status_code == 302
    assert GradeChange.objects.filter(session=answered).order_by("at", "id").last().reason == "Rechecked 1"

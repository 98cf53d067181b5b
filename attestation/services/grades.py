"""Grading a student's final control into the journal (GRD-1…GRD-6, JRN-4, X-7).

Who: the stream's teacher, or staff in edit mode with the grading right (``can_grade_stream``).
When: once the answer is sent, or the student's end time has passed without one.
What: parts per the journal's form; pass/fail; or an absence mark. A change of an existing grade
needs a reason and is kept in the history; a stale form (someone graded meanwhile) is refused.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from access.policy import access_for
from attestation import clock, grading
from attestation.models import ExamSession, GradeChange
from attestation.services import Refused
from audit.models import record
from college.models import Journal, JournalColumn, JournalMark

Form = Journal.FinalForm
Kind = JournalColumn.Kind


def may_grade(actor, session) -> bool:
    """GRD-1: the right, and the moment."""
    if not access_for(actor).can_grade_stream(session.stream):
        return False
    return bool(session.answer_sent_at) or (session.slot_id is not None and clock.now() >= session.ends_at)


def parts(journal) -> list[str]:
    """GRD-3: the tabs of the form: written / oral / total."""
    return {
        Form.WRITTEN: ["written"],
        Form.ORAL: ["oral"],
        Form.WRITTEN_ORAL: ["written", "oral", "total"],
        Form.PASS_FAIL: ["total"],
    }.get(journal.final_form, [])


def snapshot(session) -> dict:
    return {
        "absence": session.absence,
        "written": session.grade_written,
        "oral": session.grade_oral,
        "total": session.grade_total,
    }


def _normalise(journal, scale, *, absence, written, oral, total):
    if absence:
        if absence not in grading.ABSENCE:
            raise Refused(_("Choose an absence mark from the list."))
        return {"absence": absence, "written": "", "oral": "", "total": ""}
    form = journal.final_form
    if form == Form.UNDEFINED:
        raise Refused(_("Define the form of final control in the journal settings"))
    try:
        if form == Form.PASS_FAIL:
            if total not in grading.PASS_FAIL:
                raise ValueError(_("Choose Passed or Not passed."))
            return {"absence": "", "written": "", "oral": "", "total": total}
        if form == Form.WRITTEN:
            written = grading.validate(written, scale)
            return {"absence": "", "written": written, "oral": "", "total": written}
        if form == Form.ORAL:
            oral = grading.validate(oral, scale)
            return {"absence": "", "written": "", "oral": oral, "total": oral}
        written, oral = grading.validate(written, scale), grading.validate(oral, scale)
        return {
            "absence": "",
            "written": written,
            "oral": oral,
            "total": grading.total_of(written, oral, scale),
        }
    except ValueError as error:
        raise Refused(str(error.args[0])) from error


def _to_journal(journal, session, grade):
    """GRD-6: the grade lands in the journal's final-control columns at once."""
    values = {
        Kind.FINAL_WRITTEN: grade["written"],
        Kind.FINAL_ORAL: grade["oral"],
        Kind.FINAL: grade["absence"] or grade["total"],
    }
    for column in journal.columns.exclude(kind=Kind.CURRENT):
        value = values.get(column.kind, "")
        if value:
            JournalMark.objects.update_or_create(
                column=column, student=session.student, defaults={"value": value}
            )
        else:
            JournalMark.objects.filter(column=column, student=session.student).delete()


def grade_set(
    *, actor, session, absence="", written="", oral="", total="", reason="", version
) -> ExamSession:
    with transaction.atomic():
        session = (
            ExamSession.objects.select_for_update(of=("self",))
            .select_related("slot", "stream__journal", "student__group__technology")
            .get(pk=session.pk)
        )
        if not access_for(actor).can_grade_stream(session.stream):
            raise Refused(_("You may not grade this final control."))
        if not may_grade(actor, session):
            raise Refused(_("The grade can be set once the answer is sent or the time is over."))
        if version != session.grade_version:
            raise Refused(_("Someone else changed this grade meanwhile. Reload the page and check it."))
        journal = session.stream.journal
        grade = _normalise(
            journal,
            session.student.group.technology.scale,
            absence=absence,
            written=written,
            oral=oral,
            total=total,
        )
        before = snapshot(session)
        if grade == before:
            return session
        if session.graded_at and not reason.strip():
            raise Refused(_("Say why the grade is changed."))
        session.absence = grade["absence"]
        session.grade_written, session.grade_oral, session.grade_total = (
            grade["written"],
            grade["oral"],
            grade["total"],
        )
        session.graded_at, session.graded_by = clock.now(), actor
        session.grade_version += 1
        session.save()
        GradeChange.objects.create(
            session=session, actor=actor, before=before, after=grade, reason=reason.strip()
        )
        _to_journal(journal, session, grade)
        record(actor=actor, action="grade.set", obj=session, before=before, after=grade | {"reason": reason})
    return session

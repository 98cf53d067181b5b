"""Grading a student's final control into the journal (GRD-1…GRD-6, JRN-4, X-7).

Who: the stream's teacher, or staff in edit mode with the grading right (``can_grade_stream``).
When: once the answer is sent, or the student's end time has passed without one.
What: parts per the journal's form; pass/fail; or an absence mark; and a comment to the student.
A change of an existing grade needs a reason and is kept in the history; a stale form (someone
graded meanwhile) is refused. The slot's grading table (``slot_grades_set``) saves each of its rows
through the same ``grade_set``, so one row, one page or the whole slot obey the same rules.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from access.policy import access_for
from attestation import grade_scales, live
from attestation.models import ExamSession, GradeChange
from attestation.services import NotAllowed, Refused
from audit.models import record
from college.models import Journal, JournalColumn, JournalMark
from core import clock
from core.text import says_something, visible

if TYPE_CHECKING:
    from access.models import User
    from attestation.models import Slot
    from college.models import Stream

Form = Journal.FinalForm
Kind = JournalColumn.Kind


COMMENT_MAX_CHARS = 1000


def grading_open(session: ExamSession, now: datetime.datetime | None = None) -> bool:
    """GRD-1, the moment: the answer is sent, or the student's own end time has passed without one."""
    if session.answer_sent_at:
        return True
    return session.slot_id is not None and (now or clock.now()) >= session.ends_at


def may_grade(actor: User, session: ExamSession) -> bool:
    """GRD-1: the right, and the moment."""
    return access_for(actor).can_grade_stream(session.stream) and grading_open(session)


def parts(journal: Journal) -> list[str]:
    """GRD-3: the tabs of the form: written / oral / total."""
    by_form: dict[str, list[str]] = {
        Form.WRITTEN: ["written"],
        Form.ORAL: ["oral"],
        Form.WRITTEN_ORAL: ["written", "oral", "total"],
        Form.PASS_FAIL: ["total"],
    }
    return by_form.get(journal.final_form, [])


def typed_parts(journal: Journal) -> list[str]:
    """The parts a grader types: a written-and-oral total is computed, never typed."""
    if journal.final_form == Form.WRITTEN_ORAL:
        return ["written", "oral"]
    return parts(journal)


def snapshot(session: ExamSession) -> dict[str, str]:
    return {
        "absence": session.absence,
        "written": session.grade_written,
        "oral": session.grade_oral,
        "total": session.grade_total,
    }


def _normalise(
    journal: Journal, scale: str, *, absence: str, written: str, oral: str, total: str
) -> dict[str, str]:
    """The grade as stored, or Refused naming the field at fault (``Refused.field``)."""
    if absence:
        if absence not in grade_scales.ABSENCE:
            raise Refused(_("Choose an absence mark from the list."), field="absence")
        return {"absence": absence, "written": "", "oral": "", "total": ""}
    form = journal.final_form
    if form == Form.UNDEFINED:
        raise Refused(_("Define the form of final control in the journal settings"))
    if form == Form.PASS_FAIL:
        if total not in grade_scales.PASS_FAIL:
            raise Refused(_("Choose Passed or Not passed."), field="total")
        return {"absence": "", "written": "", "oral": "", "total": total}
    if form == Form.WRITTEN:
        written = _valid(written, scale, "written")
        return {"absence": "", "written": written, "oral": "", "total": written}
    if form == Form.ORAL:
        oral = _valid(oral, scale, "oral")
        return {"absence": "", "written": "", "oral": oral, "total": oral}
    written, oral = _valid(written, scale, "written"), _valid(oral, scale, "oral")
    return {
        "absence": "",
        "written": written,
        "oral": oral,
        "total": grade_scales.total_of(written, oral, scale),
    }


def _valid(value: str, scale: str, field: str) -> str:
    try:
        return grade_scales.validate(value, scale)
    except ValueError as error:
        raise Refused(str(error.args[0]), field=field) from error


def _clean_comment(comment: str) -> str:
    """The comment to the student is plain text (escaped wherever it is shown), of bounded length."""
    comment = "".join(ch for ch in (comment or "") if ch in "\n\t" or ch.isprintable()).strip()
    if len(comment) > COMMENT_MAX_CHARS:
        raise Refused(
            _("The comment is too long: at most %(count)s characters.") % {"count": COMMENT_MAX_CHARS},
            field="comment",
        )
    return comment


def _clean_reason(reason: str, *, required: bool) -> str:
    """GRD-1, X-7: the reason of a grade change is kept as it shows (``core.text.visible``); a
    required one must hold a letter or a digit — ``"\u200b"`` or ``"..."`` is no reason."""
    if required and not says_something(reason):
        raise Refused(_("Say why the grade is changed."), field="reason")
    return visible(reason)


def _to_journal(journal: Journal, session: ExamSession, grade: dict[str, str]) -> None:
    """GRD-6: the grade lands in the journal's final-control columns at once."""
    values: dict[str, str] = {
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


def require_grader(actor: User, stream: Stream) -> None:
    """GRD-1, ADM-4(c), X-10: only who may grade the stream gets further; read mode is refused
    before any input is looked at (403 in the views)."""
    if not access_for(actor).can_grade_stream(stream):
        raise NotAllowed(_("You may not grade this final control."))


def grade_set(
    *,
    actor: User,
    session: ExamSession,
    absence: str = "",
    written: str = "",
    oral: str = "",
    total: str = "",
    reason: str = "",
    version: int,
    comment: str | None = None,
) -> ExamSession:
    """Set (or change) one student's grade; ``comment`` None leaves the comment to the student as is.

    A comment alone may change without a reason: it is not the grade, and the grade's history
    records grades only (the audit log keeps the comment's change).
    """
    with transaction.atomic():
        session = (
            ExamSession.objects.select_for_update(of=("self",))
            .select_related("slot", "stream__journal", "student__group__technology")
            .get(pk=session.pk)
        )
        require_grader(actor, session.stream)
        if not grading_open(session):
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
        comment = session.grade_comment if comment is None else _clean_comment(comment)
        before = snapshot(session)
        if grade == before and comment == session.grade_comment:
            return session
        if grade != before:
            reason = _clean_reason(reason, required=bool(session.graded_at))
            _change_grade(actor, session, journal, before, grade, reason)
        if comment != session.grade_comment:
            record(
                actor=actor,
                action="grade.comment",
                obj=session,
                before={"comment": session.grade_comment},
                after={"comment": comment},
            )
            session.grade_comment = comment
        session.grade_version += 1
        session.save()
        live.publish(live.Event.GRADE, slot_id=session.slot_id, sessions=[session.pk])
    return session


def _change_grade(
    actor: User,
    session: ExamSession,
    journal: Journal,
    before: dict[str, str],
    grade: dict[str, str],
    reason: str,
) -> None:
    """The grade's fields, its history row, the journal's marks and the audit row, all at once."""
    session.absence = grade["absence"]
    session.grade_written, session.grade_oral, session.grade_total = (
        grade["written"],
        grade["oral"],
        grade["total"],
    )
    session.graded_at, session.graded_by = clock.now(), actor
    GradeChange.objects.create(session=session, actor=actor, before=before, after=grade, reason=reason)
    _to_journal(journal, session, grade)
    record(actor=actor, action="grade.set", obj=session, before=before, after=grade | {"reason": reason})


# --- the slot's grading table ---------------------------------------------------------------


@dataclass
class GradeEntry:
    """One row of the slot's grading table as typed: the session, the grade version the row was
    typed against (a stale row is refused), and the fields; a part the form lacks stays empty."""

    session_id: int
    version: int
    absence: str = ""
    written: str = ""
    oral: str = ""
    total: str = ""
    reason: str = ""
    comment: str = ""


def _untouched(session: ExamSession, entry: GradeEntry, journal: Journal) -> bool:
    """Nothing typed differs from what is stored: the row is left alone (an empty row of a student
    not graded yet is no error, and a row saved earlier is not saved again)."""
    stored = snapshot(session)
    typed = [entry.absence.strip() == stored["absence"], entry.comment.strip() == session.grade_comment]
    if not entry.absence:
        typed += [getattr(entry, part).strip() == stored[part] for part in typed_parts(journal)]
    return all(typed)


def slot_grades_set(
    *, actor: User, slot: Slot, entries: Sequence[GradeEntry]
) -> tuple[list[ExamSession], dict[int, Refused]]:
    """Grade a whole slot from its table: every changed row through ``grade_set`` on its own, so
    each valid row is saved and each invalid one refused with its own reason (by session id)."""
    require_grader(actor, slot.stream)
    sessions = {
        s.pk: s
        for s in ExamSession.objects.filter(slot=slot, pk__in=[e.session_id for e in entries])
        .select_related("slot")
        .defer("task", "draft", "answer")
    }
    journal = slot.stream.journal
    saved: list[ExamSession] = []
    refused: dict[int, Refused] = {}
    for entry in entries:
        session = sessions.get(entry.session_id)
        if session is None:
            refused[entry.session_id] = Refused(
                _("This student is not in this slot any more. Reload the page.")
            )
            continue
        if _untouched(session, entry, journal):
            continue
        try:
            saved.append(_grade_entry(actor, session, entry))
        except Refused as refusal:
            refused[entry.session_id] = refusal
    return saved, refused


def _grade_entry(actor: User, session: ExamSession, entry: GradeEntry) -> ExamSession:
    return grade_set(
        actor=actor,
        session=session,
        absence=entry.absence.strip(),
        written=entry.written,
        oral=entry.oral,
        total=entry.total.strip(),
        reason=entry.reason,
        version=entry.version,
        comment=entry.comment,
    )

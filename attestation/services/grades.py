"""Grading a student's final control into the journal (GRD-1…GRD-6, JRN-4, X-7).

Who: the stream's teacher, or staff in edit mode with the grading right (``can_grade_stream``).
When: once the answer is sent, or the student's end time has passed without one.
What: parts per the journal's form; pass/fail; or an absence mark; and a comment to the student.
A change of an existing grade needs a reason and is kept in the history; a stale form (someone
graded meanwhile) is refused. One student's form (``grade_set``) and the slot's grading table
(``slot_grades_set``) judge each row by the same rules (``_judge``) and write through the same
``_write``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from access.policy import access_for
from attestation import grade_scales, live
from attestation.models import ExamSession, GradeChange
from attestation.services import NotAllowed, Refused
from audit.models import AuditEntry
from audit.models import entry as audit_entry
from college.models import Journal, JournalColumn, JournalMark
from core import clock
from core.text import says_something, visible
from notifications import kinds
from notifications.services import notify

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


def require_grader(actor: User, stream: Stream) -> None:
    """GRD-1, ADM-4(c), X-10: only who may grade the stream gets further; read mode is refused
    before any input is looked at (403 in the views)."""
    if not access_for(actor).can_grade_stream(stream):
        raise NotAllowed(_("You may not grade this final control."))


@dataclass
class _Judged:
    """One student's grade as judged before anything is written: what it was, what it becomes."""

    session: ExamSession
    before: dict[str, str]
    grade: dict[str, str]
    reason: str
    comment: str

    @property
    def grade_changes(self) -> bool:
        return self.grade != self.before

    @property
    def comment_changes(self) -> bool:
        return self.comment != self.session.grade_comment


def _judge(
    session: ExamSession,
    journal: Journal,
    *,
    absence: str,
    written: str,
    oral: str,
    total: str,
    reason: str,
    version: int,
    comment: str | None,
) -> _Judged | None:
    """Every rule of a grade (the moment, a stale form, the scale, a reason for a change) before any
    write; None when nothing would change."""
    if not grading_open(session):
        raise Refused(_("The grade can be set once the answer is sent or the time is over."))
    if version != session.grade_version:
        raise Refused(_("Someone else changed this grade meanwhile. Reload the page and check it."))
    grade = _normalise(
        journal,
        session.student.group.technology.scale,
        absence=absence,
        written=written,
        oral=oral,
        total=total,
    )
    judged = _Judged(
        session,
        snapshot(session),
        grade,
        reason.strip(),
        session.grade_comment if comment is None else _clean_comment(comment),
    )
    if not judged.grade_changes and not judged.comment_changes:
        return None
    if judged.grade_changes:
        judged.reason = _clean_reason(reason, required=bool(session.graded_at))
    return judged


def _write(actor: User, journal: Journal, judged: Sequence[_Judged]) -> None:
    """The judged grades, all at once: the sessions, the grades' history, the journal's final-control
    marks (GRD-6), the audit trail — a fixed number of statements however many rows — and one
    event for the slot's table and the students' pages."""
    if not judged:
        return
    now = clock.now()
    columns = list(journal.columns.exclude(kind=Kind.CURRENT))
    history, audit, marks, emptied = [], [], [], Q(pk__in=[])
    first_grades: list[User] = []
    changed_grades: list[User] = []
    for item in judged:
        session = item.session
        if item.grade_changes:
            (changed_grades if session.graded_at else first_grades).append(session.student.user)
            grade = item.grade
            session.absence = grade["absence"]
            session.grade_written, session.grade_oral = grade["written"], grade["oral"]
            session.grade_total = grade["total"]
            session.graded_at, session.graded_by = now, actor
            history.append(
                GradeChange(session=session, actor=actor, before=item.before, after=grade, reason=item.reason)
            )
            after = grade | {"reason": item.reason}
            audit.append(audit_entry(actor, "grade.set", session, item.before, after))
            values: dict[str, str] = {
                Kind.FINAL_WRITTEN: grade["written"],
                Kind.FINAL_ORAL: grade["oral"],
                Kind.FINAL: grade["absence"] or grade["total"],
            }
            for column in columns:
                value = values.get(column.kind, "")
                if value:
                    marks.append(JournalMark(column=column, student_id=session.student_id, value=value))
                else:
                    emptied |= Q(column=column, student_id=session.student_id)
        if item.comment_changes:
            before = {"comment": session.grade_comment}
            audit.append(audit_entry(actor, "grade.comment", session, before, {"comment": item.comment}))
            session.grade_comment = item.comment
        session.grade_version += 1
    ExamSession.objects.bulk_update([item.session for item in judged], GRADE_FIELDS)
    GradeChange.objects.bulk_create(history)
    JournalMark.objects.bulk_create(
        marks, update_conflicts=True, unique_fields=["column", "student"], update_fields=["value"]
    )
    JournalMark.objects.filter(emptied).delete()
    AuditEntry.objects.bulk_create(audit)
    # GRD-4, X-10: the students hear of their grade (the inbox, and e-mail where they have one).
    discipline = judged[0].session.stream.discipline.name
    for kind, users in ((kinds.GRADE_SET, first_grades), (kinds.GRADE_CHANGED, changed_grades)):
        if users:
            notify(
                recipients=users,
                kind=kind,
                params={"discipline": discipline},
                link=reverse("attestation:my_exams"),
            )
    by_slot: dict[int | None, list[int]] = {}
    for item in judged:
        by_slot.setdefault(item.session.slot_id, []).append(item.session.pk)
    for slot_id, session_ids in by_slot.items():
        live.publish(live.Event.GRADE, slot_id=slot_id, sessions=session_ids)


GRADE_FIELDS = [
    "absence",
    "grade_written",
    "grade_oral",
    "grade_total",
    "graded_at",
    "graded_by",
    "grade_comment",
    "grade_version",
]


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
            .select_related(
                "slot", "stream__journal", "stream__discipline", "student__user", "student__group__technology"
            )
            .get(pk=session.pk)
        )
        require_grader(actor, session.stream)
        journal = session.stream.journal
        judged = _judge(
            session,
            journal,
            absence=absence,
            written=written,
            oral=oral,
            total=total,
            reason=reason,
            version=version,
            comment=comment,
        )
        if judged is not None:
            _write(actor, journal, [judged])
    return session


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
    """Grade a whole slot from its table by the single grade's rules (``_judge``): each valid row is
    saved and each invalid one refused with its own reason (by session id). The right is asked once,
    the rows locked and written together: a slot of 30 saves in a fixed number of statements."""
    require_grader(actor, slot.stream)
    journal = slot.stream.journal
    refused: dict[int, Refused] = {}
    judged: list[_Judged] = []
    with transaction.atomic():
        sessions = {
            s.pk: s
            for s in ExamSession.objects.select_for_update(of=("self",))
            .filter(slot=slot, pk__in=[e.session_id for e in entries])
            .select_related("slot", "stream__discipline", "student__user", "student__group__technology")
            .defer("task", "draft", "answer")
        }
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
                verdict = _judge(
                    session,
                    journal,
                    absence=entry.absence.strip(),
                    written=entry.written,
                    oral=entry.oral,
                    total=entry.total.strip(),
                    reason=entry.reason,
                    version=entry.version,
                    comment=entry.comment,
                )
            except Refused as refusal:
                refused[entry.session_id] = refusal
                continue
            if verdict is not None:
                judged.append(verdict)
        _write(actor, journal, judged)
    return [item.session for item in judged], refused

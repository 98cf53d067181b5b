"""JRN-1…JRN-4: the journal's "Conduct final control online" switch and the journal's grades."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.policy import access_for
from attestation.models import ExamSession, ModuleSettings
from attestation.services import Refused
from attestation.services.module_settings import version_of
from audit.models import record
from college.models import Journal, JournalColumn, JournalMark, TrainingTechnology

if TYPE_CHECKING:
    from access.models import User
    from college.models import Stream

Kind = JournalColumn.Kind
PASS_FAIL_VALUES = {"passed": gettext_lazy("Passed"), "failed": gettext_lazy("Not passed")}


@dataclass(frozen=True)
class OnlineSwitch:
    """What the journal's Settings tab may show and change for this viewer (JRN-1, JRN-3)."""

    shown: bool
    locked: bool
    editable: bool


def stream_is_scheduled(stream: Stream) -> bool:
    """JRN-3: at least one student of the stream is in a slot."""
    return ExamSession.objects.filter(stream=stream, slot__isnull=False).exists()


def study_periods_allowed(stream: Stream) -> bool:
    """SET-4: every study period among the stream's groups is allowed for online attestation."""
    allowed = ModuleSettings.for_kind().allowed_period_ids()
    periods = set(stream.groups.values_list("study_period_id", flat=True))
    return bool(periods) and periods <= allowed


def online_switch(*, actor: User, journal: Journal) -> OnlineSwitch:
    access = access_for(actor)
    has_module = access.shows_staff_module
    shown = has_module and (
        journal.conduct_online or (journal.final_grade_set and study_periods_allowed(journal.stream))
    )
    locked = stream_is_scheduled(journal.stream)
    editable = shown and not locked and access.can_edit_journal(journal.stream)
    return OnlineSwitch(shown=bool(shown), locked=locked, editable=bool(editable))


def final_kinds(journal: Journal) -> list[str]:
    """The final-control columns a journal has for its form of final attestation."""
    if not journal.final_grade_set:
        return []
    if journal.final_form == Journal.FinalForm.WRITTEN_ORAL:
        return [Kind.FINAL_WRITTEN, Kind.FINAL_ORAL, Kind.FINAL]
    return [Kind.FINAL]


def sync_final_columns(journal: Journal) -> None:
    """Make the final columns match the form; a column that holds grades is never dropped silently."""
    wanted = final_kinds(journal)
    existing = {col.kind: col for col in journal.columns.exclude(kind=Kind.CURRENT)}
    for kind, col in existing.items():
        if kind not in wanted:
            if col.marks.exists():
                raise Refused(
                    _("The column “%(column)s” holds grades; remove them before changing the form.")
                    % {"column": col.get_kind_display()},
                    field="final_form",
                )
            col.delete()
    last = journal.columns.filter(kind=Kind.CURRENT).order_by("-position").first()
    position = (last.position if last else 0) + 100
    for offset, kind in enumerate(wanted):
        if kind not in existing:
            JournalColumn.objects.create(
                journal=journal, kind=kind, title=str(Kind(kind).label), position=position + offset
            )


def _snapshot(journal: Journal) -> dict[str, str | bool]:
    return {
        "final_form": journal.final_form,
        "final_grade_set": journal.final_grade_set,
        "conduct_online": journal.conduct_online,
    }


def journal_settings_save(
    *,
    actor: User,
    journal: Journal,
    final_form: str,
    final_grade_set: bool,
    conduct_online: bool,
    version: str,
) -> Journal:
    """Save the journal's Settings tab, refusing every change the rules forbid (JRN-1, JRN-3)."""
    access = access_for(actor)
    if not access.can_edit_journal(journal.stream):
        raise Refused(_("You may not change this journal."))
    with transaction.atomic():
        journal = Journal.objects.select_for_update().select_related("stream").get(pk=journal.pk)
        if version != version_of(journal):
            raise Refused(_("Someone else changed this journal meanwhile. Reload the page and try again."))
        locked = stream_is_scheduled(journal.stream)
        if locked and (conduct_online, final_grade_set) != (journal.conduct_online, journal.final_grade_set):
            raise Refused(
                _(
                    "Students of this stream are already scheduled for the online final control: "
                    "“Conduct final control online” and “Grading by final attestation” can no longer change."
                )
            )
        if conduct_online and not final_grade_set:
            raise Refused(
                _("An online final control needs “Grading by final attestation” to be set."),
                field="final_grade_set",
            )
        if conduct_online != journal.conduct_online:
            if not access.shows_staff_module:
                raise Refused(_("Your role has no Online intermediate attestation (staff) module."))
            if conduct_online and not study_periods_allowed(journal.stream):
                raise Refused(
                    _(
                        "Online final control is not allowed for the study period of this stream's groups. "
                        "It is allowed in Online attestation → Settings."
                    ),
                    field="conduct_online",
                )
        before = _snapshot(journal)
        journal.final_form = final_form
        journal.final_grade_set = final_grade_set
        journal.conduct_online = conduct_online
        if _snapshot(journal) == before:
            return journal  # nothing changed: nothing saved, nothing in the audit log
        journal.save()
        sync_final_columns(journal)
        record(actor=actor, action="journal.settings", obj=journal, before=before, after=_snapshot(journal))
    return journal


# --- grades in the journal --------------------------------------------------------------------


def validate_mark(value: str, *, scale: str, column: JournalColumn, final_form: str) -> str:
    """Normalise one typed mark, or raise Refused with the reason."""
    value = value.strip()
    if column.is_final and final_form == Journal.FinalForm.PASS_FAIL:
        if value not in PASS_FAIL_VALUES:
            raise Refused(_("Choose Passed or Not passed."))
        return value
    if scale == TrainingTechnology.Scale.CREDIT:
        if not value.isdigit() or not 0 <= int(value) <= 100:
            raise Refused(_("Enter points from 0 to 100."))
        return str(int(value))
    if value not in {"2", "3", "4", "5"}:
        raise Refused(_("Enter a grade from 2 to 5."))
    return value


def journal_marks_save(*, actor: User, journal: Journal, typed: dict[tuple[int, int], str]) -> int:
    """Save typed marks, all or nothing. ``typed`` maps (column id, student id) → text ('' clears).

    Returns the number of changed cells; raises Refused with ``errors`` (cell → message) otherwise.
    """
    access = access_for(actor)
    stream = journal.stream
    if not access.can_edit_journal(stream):
        raise Refused(_("You may not change this journal."))
    columns = {c.pk: c for c in journal.columns.all()}
    students = {s.pk: s for s in stream.students.select_related("group__technology")}
    current = {(m.column_id, m.student_id): m for m in JournalMark.objects.filter(column__journal=journal)}
    errors: dict[str | tuple[int, int], str] = {}
    changes: dict[tuple[int, int], str] = {}
    for (col_id, student_id), text in typed.items():
        column, student = columns.get(col_id), students.get(student_id)
        if column is None or student is None:
            raise Refused(_("The journal changed meanwhile. Reload the page and try again."))
        old = current.get((col_id, student_id))
        if (old.value if old else "") == text.strip():
            continue
        if column.is_final and journal.conduct_online:
            # JRN-4: grades of an online final control are set in the module, never here.
            errors[(col_id, student_id)] = _(
                "Final-control grades of this stream are set in Online attestation."
            )
            continue
        try:
            changes[(col_id, student_id)] = (
                validate_mark(
                    text, scale=student.group.technology.scale, column=column, final_form=journal.final_form
                )
                if text.strip()
                else ""
            )
        except Refused as refused:
            errors[(col_id, student_id)] = refused.message
    if errors:
        nothing_saved = Refused(_("Nothing was saved: correct the highlighted grades."))
        nothing_saved.errors = errors
        raise nothing_saved
    with transaction.atomic():
        for (col_id, student_id), value in changes.items():
            old = current.get((col_id, student_id))
            if value:
                JournalMark.objects.update_or_create(
                    column_id=col_id, student_id=student_id, defaults={"value": value}
                )
            elif old:
                old.delete()
        if changes:
            record(
                actor=actor,
                action="journal.marks",
                obj=journal,
                before={f"{c}:{s}": (current[(c, s)].value if (c, s) in current else "") for c, s in changes},
                after={f"{c}:{s}": v for (c, s), v in changes.items()},
            )
    return len(changes)

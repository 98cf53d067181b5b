"""A stream built on groups keeps their members (X-13, SLT-1): group changes flow into streams.

The rule, stated once:

* Only streams that follow their groups (``Stream.follows_groups``: built on groups, not a list of
  students) and whose academic period has not ended take part — a past period's streams are the
  record of what was, and a group change never rewrites them.
* A student who joins a group (imported, sent by the API, or edited) joins each such stream of
  that group that they are not yet in — also a stream whose slots are running or over: they join
  unscheduled, and the teacher schedules them (a new slot, or the journal).
* A student who leaves a group leaves each such stream of it that none of their new groups keeps
  them in — unless the stream already holds something of theirs: a slot, an answer, a grade or an
  absence mark. Then they stay, and the preview names them as needing a person's decision.

:func:`plan` says what would happen (the import's preview shows it per stream); :func:`apply`
does it inside the caller's transaction, with one audit entry per stream.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from attestation.models import ExamSession
from audit.models import AuditEntry
from college.models import JournalColumn, JournalMark, Stream, Student
from core import clock

# student pk → (the group they were in or None for a new student, the group they are in now)
Moves = Mapping[int, tuple[int | None, int | None]]


@dataclass
class StreamChange:
    """What a set of group changes does to one stream."""

    stream: Stream
    joined: list[Student] = field(default_factory=list)
    left: list[Student] = field(default_factory=list)
    kept: list[tuple[Student, str]] = field(default_factory=list)  # (student, why they stay)

    @property
    def changes_members(self) -> bool:
        return bool(self.joined or self.left)

    def summary(self) -> dict[str, Any]:
        """The change as the import's report keeps it (JSON): names, counts and reasons."""
        return {
            "stream": self.stream.name,
            "joined": len(self.joined),
            "left": len(self.left),
            "kept": [{"student": s.full_name, "reason": why} for s, why in self.kept],
        }


def following_streams(group_ids: Iterable[int]) -> list[Stream]:
    """The streams that follow these groups now: built on them, of a period not yet ended."""
    return list(
        Stream.objects.filter(
            groups__in=list(group_ids),
            follows_groups=True,
            academic_period__ends_on__gte=clock.local_today(),
        )
        .distinct()
        .prefetch_related("groups")
        .order_by("name", "pk")
    )


def held_reasons(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """(stream pk, student pk) → why a group change must not take the student out of the stream by
    itself: scheduled there, answered, graded or marked absent (online or in the journal's final
    control). Pairs holding nothing are absent."""
    pairs = set(pairs)
    if not pairs:
        return {}
    stream_ids = {stream for stream, _student in pairs}
    student_ids = {student for _stream, student in pairs}
    reasons: dict[tuple[int, int], str] = {}
    sessions = ExamSession.objects.filter(
        stream_id__in=stream_ids, student_id__in=student_ids
    ).select_related("slot")
    for session in sessions:
        key = (session.stream_id, session.student_id)
        if key not in pairs:
            continue
        if session.grade_total or session.grade_written or session.grade_oral or session.absence:
            reasons[key] = _("graded")
        elif session.answer_sent_at or session.draft:
            reasons[key] = _("has answered")
        elif session.slot is not None:
            when = formats.date_format(timezone.localtime(session.slot.starts_at), "d.m.Y H:i")
            reasons[key] = _("scheduled for %(when)s") % {"when": when}
    marks = JournalMark.objects.filter(
        column__journal__stream_id__in=stream_ids, student_id__in=student_ids
    ).exclude(column__kind=JournalColumn.Kind.CURRENT)
    for stream_id, student_id in marks.values_list("column__journal__stream_id", "student_id"):
        if (stream_id, student_id) in pairs:
            reasons.setdefault((stream_id, student_id), _("graded"))
    return reasons


def plan(moves: Moves) -> list[StreamChange]:
    """What the group changes do to the streams that follow the groups (nothing is written)."""
    moves = {pk: pair for pk, pair in moves.items() if pair[0] != pair[1]}
    groups = {g for pair in moves.values() for g in pair if g is not None}
    streams = following_streams(groups)
    if not streams:
        return []
    Through = Stream.students.through
    members = set(
        Through.objects.filter(stream__in=streams, student_id__in=list(moves)).values_list(
            "stream_id", "student_id"
        )
    )
    joining, leaving = [], []
    for stream in streams:
        group_ids = {g.pk for g in stream.groups.all()}
        for student_id, (old, new) in moves.items():
            member = (stream.pk, student_id) in members
            if new in group_ids and not member:
                joining.append((stream.pk, student_id))
            elif new not in group_ids and old in group_ids and member:
                leaving.append((stream.pk, student_id))
    held = held_reasons(leaving)
    people = Student.objects.select_related("user").in_bulk([s for _p, s in joining + leaving])
    changes = {stream.pk: StreamChange(stream) for stream in streams}
    for stream_id, student_id in joining:
        changes[stream_id].joined.append(people[student_id])
    for key in leaving:
        stream_id, student_id = key
        if key in held:
            changes[stream_id].kept.append((people[student_id], held[key]))
        else:
            changes[stream_id].left.append(people[student_id])
    return [c for c in changes.values() if c.joined or c.left or c.kept]


def apply(changes: list[StreamChange], actor: Any = None) -> None:
    """Write the planned changes (inside the caller's transaction): members added and removed, the
    leavers' empty exam sessions deleted, one audit entry per changed stream."""
    Through = Stream.students.through
    Through.objects.bulk_create(
        [Through(stream_id=c.stream.pk, student_id=s.pk) for c in changes for s in c.joined],
        batch_size=500,
        ignore_conflicts=True,
    )
    audit = []
    for change in changes:
        if change.left:
            left_ids = [s.pk for s in change.left]
            Through.objects.filter(stream_id=change.stream.pk, student_id__in=left_ids).delete()
            # Only sessions holding nothing leave with them (held_reasons kept the others).
            ExamSession.objects.filter(stream_id=change.stream.pk, student_id__in=left_ids).delete()
        if change.changes_members:
            audit.append(
                AuditEntry(
                    actor=actor if actor is not None and actor.is_authenticated else None,
                    action="stream.members_follow_groups",
                    object_type=Stream._meta.label_lower,
                    object_id=str(change.stream.pk),
                    object_repr=str(change.stream)[:200],
                    before=None,
                    after={
                        "joined": sorted(s.pk for s in change.joined),
                        "left": sorted(s.pk for s in change.left),
                        "kept": sorted(s.pk for s, _why in change.kept),
                    },
                )
            )
    AuditEntry.objects.bulk_create(audit, batch_size=500)


def follow_groups(moves: Moves, actor: Any = None) -> list[StreamChange]:
    """Plan and apply: the streams after a set of group changes. Returns what changed."""
    changes = plan(moves)
    apply(changes, actor)
    return changes


def on_students_moved(sender: Any, *, moves: Moves, actor: Any = None, **kwargs: Any) -> None:
    """``college.signals.students_moved``: a single edit follows the same rule as an import."""
    follow_groups(moves, actor)

"""Scheduling students into slots and the slot's own actions (STR-2, SLT-1…SLT-5, X-4, NTF-1, PLT-1, PLT-2).

Every function takes the acting user, checks the policy (edit mode on this stream) and the time
rules against the one clock, writes an audit entry in the same transaction, and raises
:class:`Refused` — changing nothing — when anything is wrong.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from attestation import live, rules, warm
from attestation.models import ExamSession, RecordingLink, Slot, StreamExam
from attestation.services import Refused, require_edit
from audit.models import record
from college.models import AcademicSchedule, Admission
from core import clock
from notifications import kinds
from notifications.services import notify

if TYPE_CHECKING:
    from access.models import User
    from college.models import Stream, Student

MAX_EXTRA_MINUTES = 600


def local(dt: datetime, fmt: str = "d.m.Y H:i") -> str:
    return formats.date_format(timezone.localtime(dt), fmt)


def _slot_snapshot(slot: Slot) -> dict[str, str | list[int]]:
    return {
        "starts_at": slot.starts_at.isoformat(),
        "ends_at": slot.ends_at.isoformat(),
        "students": sorted(slot.sessions.values_list("student_id", flat=True)),
    }


def first_start(stream: Stream) -> datetime | None:
    return (
        Slot.objects.filter(stream=stream).order_by("starts_at").values_list("starts_at", flat=True).first()
    )


# --- STR-2: by tickets / without tickets -------------------------------------------------------


def stream_mode_set(*, actor: User, stream: Stream, mode: str) -> StreamExam:
    require_edit(actor, stream)
    mode = StreamExam.Mode(mode)
    with transaction.atomic():
        exam: StreamExam = StreamExam.locked(stream)
        start = first_start(stream)
        if start is not None and clock.now() >= start:
            raise Refused(
                _("The final control has already started: the way it is conducted can no longer change.")
            )
        if exam.mode != mode:
            record(
                actor=actor, action="stream.mode", obj=exam, before={"mode": exam.mode}, after={"mode": mode}
            )
            exam.mode = mode
            exam.save()
    return exam


# --- checks shared by creating and editing a slot -------------------------------------------


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise Refused(_("The end time must be later than the start."), field="ends_at")
    if starts_at <= clock.now():
        raise Refused(_("The start must be in the future."), field="starts_at")


def _check_schedule(stream: Stream, students: Iterable[Student], starts_at: datetime) -> None:
    """SLT-2: the slot's date lies in each student's academic-schedule attestation period. A refusal
    names every student it concerns, group by group, so one correction fixes them all."""
    day = timezone.localtime(starts_at).date()
    schedules = {
        s.group_id: s for s in AcademicSchedule.objects.filter(academic_period=stream.academic_period)
    }
    outside: dict[str, list[str]] = {}
    for student in sorted(students, key=lambda s: (s.group.name, s.full_name)):
        schedule = schedules.get(student.group_id)
        if schedule is None:
            reason = _("Group %(group)s has no academic schedule for this academic period") % {
                "group": student.group.name
            }
        elif not schedule.attestation_starts_on <= day <= schedule.attestation_ends_on:
            reason = _("Group %(group)s: the attestation period is %(first)s – %(last)s") % {
                "group": student.group.name,
                "first": formats.date_format(schedule.attestation_starts_on, "d.m.Y"),
                "last": formats.date_format(schedule.attestation_ends_on, "d.m.Y"),
            }
        else:
            continue
        outside.setdefault(reason, []).append(student.full_name)
    if outside:
        lines = [f"{reason}: {', '.join(names)}." for reason, names in outside.items()]
        raise Refused(
            _("The date %(date)s is outside the attestation period of the academic schedule for:")
            % {"date": formats.date_format(day, "d.m.Y")}
            + " "
            + " ".join(lines),
            field="starts_at",
        )


def _check_overlaps(
    students: Sequence[Student], starts_at: datetime, ends_at: datetime, exclude_slot: Slot | None = None
) -> None:
    """No student sits two final controls at once (in any stream)."""
    clashes = (
        ExamSession.objects.filter(student__in=students, slot__isnull=False)
        .filter(slot__starts_at__lt=ends_at, slot__ends_at__gt=starts_at)
        .select_related("slot__stream__discipline", "student__user")
    )
    if exclude_slot is not None:
        clashes = clashes.exclude(slot=exclude_slot)
    clash = clashes.first()
    if clash and clash.slot:
        raise Refused(
            _("%(student)s already has the final control “%(discipline)s” at %(start)s.")
            % {
                "student": clash.student.full_name,
                "discipline": clash.slot.stream.discipline.name,
                "start": local(clash.slot.starts_at),
            },
            field="students",
        )


# --- SLT-1, SLT-2: distribute students -------------------------------------------------------


def slot_create(
    *, actor: User, stream: Stream, student_ids: Collection[int], starts_at: datetime, ends_at: datetime
) -> Slot:
    require_edit(actor, stream)
    if not student_ids:
        raise Refused(_("Choose at least one student."), field="students")
    _check_times(starts_at, ends_at)
    with transaction.atomic():
        # Lock the stream's sessions so two staff cannot schedule the same student twice.
        list(ExamSession.objects.select_for_update().filter(stream=stream))
        students = list(stream.students.filter(pk__in=student_ids).select_related("group", "user"))
        if len(students) != len(set(student_ids)):
            raise Refused(
                _("Some chosen students are not in this stream. Reload the page."), field="students"
            )
        not_admitted = list(
            Admission.objects.filter(stream=stream, student__in=students, admitted=False).select_related(
                "student__user"
            )
        )
        if not_admitted:
            names = [
                f"{a.student.full_name} ({a.reason})" if a.reason else a.student.full_name
                for a in not_admitted
            ]
            raise Refused(
                _("Not admitted to the exam, so cannot be scheduled: %(students)s.")
                % {"students": "; ".join(sorted(names))},
                field="students",
            )
        scheduled = ExamSession.objects.filter(stream=stream, student__in=students, slot__isnull=False)
        taken = scheduled.select_related("student__user").first()
        if taken:
            raise Refused(
                _("%(student)s is already scheduled. Reload the page.")
                % {"student": taken.student.full_name},
                field="students",
            )
        _check_schedule(stream, students, starts_at)
        _check_overlaps(students, starts_at, ends_at)
        slot = Slot.objects.create(stream=stream, starts_at=starts_at, ends_at=ends_at)
        session_ids: list[int] = []
        for student in students:
            session, _created = ExamSession.objects.update_or_create(
                stream=stream, student=student, defaults={"slot": slot}
            )
            session_ids.append(session.pk)
        record(actor=actor, action="slot.create", obj=slot, after=_slot_snapshot(slot))
        live.publish(live.Event.MOVED, sessions=session_ids)  # an open page without a date gets one
        warm.schedule(slot)
    return slot


# --- SLT-3: edit and delete a slot ------------------------------------------------------------


def _locked_slot(slot: Slot) -> Slot:
    return Slot.objects.select_for_update().select_related("stream").get(pk=slot.pk)


class Unchanged(Refused):
    """The change asked for is what is already stored: nothing is written, nothing audited."""


class ShortenUnconfirmed(Refused):
    """A running slot would end earlier while students are still writing: say how many, and ask."""

    def __init__(self, message: str, writing: int) -> None:
        super().__init__(message, field="shorten")
        self.writing = writing


def still_writing(slot: Slot, now: datetime | None = None) -> int:
    """Students of the slot whose own time runs and who have neither sent an answer nor been marked
    absent: those an earlier end takes time from."""
    now = now or clock.now()
    sessions = slot.sessions.filter(answer_sent_at__isnull=True, absence="").only("extra_minutes")
    return sum(1 for s in sessions if slot.ends_at + timedelta(minutes=s.extra_minutes) > now)


def _end_changed(slot: Slot, before: datetime, actor: User) -> None:
    """TIM-1: the students of a slot that has started (or was announced) hear of a new end, in
    their inbox as on their page — an earlier end never comes without a word."""
    if slot.ends_at == before or not (slot.notified_at or clock.now() >= slot.starts_at):
        return
    by_extra: dict[int, list[User]] = {}
    for session in slot.sessions.select_related("student__user").filter(answer_sent_at__isnull=True):
        by_extra.setdefault(session.extra_minutes, []).append(session.student.user)
    for minutes, users in by_extra.items():
        extra = timedelta(minutes=minutes)
        notify(
            recipients=users,
            kind=kinds.END_CHANGED,
            params={
                "discipline": slot.stream.discipline.name,
                "end_at": slot.ends_at + extra,
                "before_at": before + extra,
            },
            link=reverse("attestation:my_exams"),
        )


def slot_update(
    *, actor: User, slot: Slot, starts_at: datetime, ends_at: datetime, shorten: bool = False
) -> Slot:
    """Before the start: date and times; after the start, until the end: only the end time.

    ``starts_at`` is what the form sent: after the start, a different start is refused with the
    reason (never silently replaced by the stored one); the same times raise :class:`Unchanged`.
    An earlier end while students are still writing needs ``shorten`` (:class:`ShortenUnconfirmed`
    names how many first); the students hear of any new end (``_end_changed``)."""
    require_edit(actor, slot.stream)
    with transaction.atomic():
        slot = _locked_slot(slot)
        before = _slot_snapshot(slot)
        state = rules.slot_state(slot)
        if not rules.slot_times_editable(state):
            raise Refused(_("This final control is over: it can no longer be edited."))
        students = [s.student for s in slot.sessions.select_related("student__group", "student__user")]
        if not rules.slot_start_editable(state):
            if starts_at != slot.starts_at:
                raise Refused(
                    _("The final control has started: only its end time can change."), field="starts_at"
                )
            if ends_at <= clock.now():
                raise Refused(_("The new end time has already passed."), field="ends_at")
            writing = still_writing(slot)
            if ends_at < slot.ends_at and writing and not shorten:
                raise ShortenUnconfirmed(
                    ngettext(
                        "%(n)s student is still writing: the final control would end at %(new)s instead "
                        "of %(old)s, %(minutes)s minutes earlier. Tick the box below to confirm.",
                        "%(n)s students are still writing: the final control would end at %(new)s instead "
                        "of %(old)s, %(minutes)s minutes earlier. Tick the box below to confirm.",
                        writing,
                    )
                    % {
                        "n": writing,
                        "new": local(ends_at, "H:i"),
                        "old": local(slot.ends_at, "H:i"),
                        "minutes": int((slot.ends_at - ends_at).total_seconds() // 60),
                    },
                    writing,
                )
        else:
            _check_times(starts_at, ends_at)
            _check_schedule(slot.stream, students, starts_at)
        if (starts_at, ends_at) == (slot.starts_at, slot.ends_at):
            raise Unchanged(_("Nothing to save: the slot keeps its times."))
        _check_overlaps(students, starts_at, ends_at, exclude_slot=slot)
        started_at, ended_at = slot.starts_at, slot.ends_at
        slot.starts_at, slot.ends_at = starts_at, ends_at
        slot.save(update_fields=["starts_at", "ends_at"])
        record(actor=actor, action="slot.update", obj=slot, before=before, after=_slot_snapshot(slot))
        _end_changed(slot, ended_at, actor)
        if starts_at != started_at:
            warm.schedule(slot)
        live.publish(
            live.Event.SLOT,
            slot_id=slot.pk,
            everyone=True,
            starts_at=slot.starts_at.isoformat(),
            ends_at=slot.ends_at.isoformat(),
        )
    return slot


def slot_delete(*, actor: User, slot: Slot) -> None:
    """Before the start only; its students go back to "Undistributed"."""
    require_edit(actor, slot.stream)
    with transaction.atomic():
        slot = _locked_slot(slot)
        if not rules.slot_membership_editable(rules.slot_state(slot)):
            raise Refused(_("The final control has started: the slot can no longer be deleted."))
        record(actor=actor, action="slot.delete", obj=slot, before=_slot_snapshot(slot))
        live.publish(live.Event.MOVED, slot_id=slot.pk, sessions=slot.sessions.values_list("pk", flat=True))
        slot.sessions.update(slot=None, extra_minutes=0)
        slot.delete()


# --- SLT-5, X-4: one student ------------------------------------------------------------------


def session_unschedule(*, actor: User, session: ExamSession) -> None:
    require_edit(actor, session.stream)
    with transaction.atomic():
        session = (
            ExamSession.objects.select_for_update(of=("self",))
            .select_related("slot", "stream")
            .get(pk=session.pk)
        )
        if session.slot is None:
            return
        if not rules.slot_membership_editable(rules.slot_state(session.slot)):
            raise Refused(_("The final control has started: the student can no longer be removed from it."))
        record(
            actor=actor,
            action="session.unschedule",
            obj=session,
            before={"slot": session.slot_id},
            after={"slot": None},
        )
        live.publish(live.Event.MOVED, slot_id=session.slot_id, sessions=[session.pk])
        session.slot, session.extra_minutes = None, 0
        session.save(update_fields=["slot", "extra_minutes"])


def session_extra_time(*, actor: User, session: ExamSession, minutes: int) -> ExamSession:
    """X-4: extra time for one student, until their own deadline has passed."""
    require_edit(actor, session.stream)
    if not 0 <= minutes <= MAX_EXTRA_MINUTES:
        raise Refused(
            _("Extra time must be between 0 and %(max)s minutes.") % {"max": MAX_EXTRA_MINUTES},
            field="minutes",
        )
    with transaction.atomic():
        session = (
            ExamSession.objects.select_for_update(of=("self",))
            .select_related("slot", "stream__discipline", "student__user")
            .get(pk=session.pk)
        )
        if session.slot is None:
            raise Refused(_("The student is not scheduled."))
        if rules.time_over(session, clock.now()):
            raise Refused(_("This student's time is already over."))
        if session.slot.ends_at + timedelta(minutes=minutes) <= clock.now():
            raise Refused(
                _("With this extra time the student's end would already be in the past."), field="minutes"
            )
        before = {"extra_minutes": session.extra_minutes}
        old_end = session.slot.ends_at + timedelta(minutes=session.extra_minutes)
        session.extra_minutes = minutes
        session.save(update_fields=["extra_minutes"])
        record(
            actor=actor,
            action="session.extra_time",
            obj=session,
            before=before,
            after={"extra_minutes": minutes},
        )
        ends_at = session.slot.ends_at + timedelta(minutes=minutes)
        live.publish(
            live.Event.EXTRA_TIME, slot_id=session.slot_id, sessions=[session.pk], ends_at=ends_at.isoformat()
        )
        slot = session.slot
        announced = slot.notified_at or clock.now() >= slot.starts_at
        if ends_at != old_end and not session.answer_sent_at and announced:
            notify(
                recipients=[session.student.user],
                kind=kinds.END_CHANGED,
                params={
                    "discipline": session.stream.discipline.name,
                    "end_at": ends_at,
                    "before_at": old_end,
                },
                link=reverse("attestation:my_exams"),
            )
    return session


def session_move(*, actor: User, session: ExamSession, target: Slot) -> ExamSession:
    """X-4: reschedule one student to another slot of the stream that has not started."""
    require_edit(actor, session.stream)
    with transaction.atomic():
        session = (
            ExamSession.objects.select_for_update(of=("self",))
            .select_related("slot", "stream", "student__group")
            .get(pk=session.pk)
        )
        target = _locked_slot(target)
        if target.stream_id != session.stream_id:
            raise Refused(_("The student can only move to a slot of the same stream."))
        if target.pk == session.slot_id:
            return session
        if not rules.slot_membership_editable(rules.slot_state(target)):
            raise Refused(_("The chosen slot has already started."), field="target")
        if session.questions_viewed_at or session.answer_sent_at:
            raise Refused(_("The student has already seen the questions: they cannot move to another slot."))
        _check_schedule(session.stream, [session.student], target.starts_at)
        _check_overlaps([session.student], target.starts_at, target.ends_at, exclude_slot=session.slot)
        record(
            actor=actor,
            action="session.move",
            obj=session,
            before={"slot": session.slot_id},
            after={"slot": target.pk},
        )
        live.publish(live.Event.MOVED, slot_id=session.slot_id, sessions=[session.pk])
        live.publish(live.Event.MOVED, slot_id=target.pk, sessions=(), staff=True)
        session.slot, session.extra_minutes = target, 0
        session.save(update_fields=["slot", "extra_minutes"])
    return session


# --- NTF-1: send notification -----------------------------------------------------------------


def slot_notify(*, actor: User, slot: Slot) -> int:
    """Every student of the slot gets the seed's message; the button hides until the start changes."""
    require_edit(actor, slot.stream)
    with transaction.atomic():
        slot = _locked_slot(slot)
        if not rules.slot_times_editable(rules.slot_state(slot)):
            raise Refused(_("This final control is over."))
        if not slot.needs_notification:
            raise Refused(_("The students have already been notified of this start."))
        users = [s.student.user for s in slot.sessions.select_related("student__user")]
        notify(
            recipients=users,
            kind=kinds.SLOT_ANNOUNCED,
            params={
                "name": slot.stream.discipline.name,
                "start_at": slot.starts_at,
                "end": local(slot.ends_at, "H:i"),
            },
            link=reverse("attestation:my_exams"),
        )
        slot.notified_start = slot.starts_at
        slot.notified_at = clock.now()
        slot.notified_count = len(users)
        slot.save(update_fields=["notified_start", "notified_at", "notified_count"])
        record(actor=actor, action="slot.notify", obj=slot, after={"recipients": len(users)})
        live.publish(live.Event.NOTIFIED, slot_id=slot.pk)
    return len(users)


# --- PLT-1, PLT-2: the conducting platform ---------------------------------------------------


def slot_platform_save(
    *,
    actor: User,
    slot: Slot,
    platform: str,
    login: str,
    password: str,
    conference_url: str,
    has_recording: bool,
    show_recording: bool,
    recording_urls: Sequence[str],
) -> Slot:
    require_edit(actor, slot.stream)
    for url in [conference_url, *recording_urls]:
        if url and not url.lower().startswith(("http://", "https://")):
            raise Refused(_("Links must start with http:// or https://."), field="conference_url")
    with transaction.atomic():
        slot = _locked_slot(slot)
        had_platform = slot.has_platform
        before = {
            "platform": slot.platform,
            "conference_url": slot.conference_url,
            "has_recording": slot.has_recording,
        }
        slot.platform, slot.platform_login, slot.conference_url = platform, login, conference_url
        slot.platform_password = password
        # PLT-2: recordings exist only for a platform that was saved before.
        recordings_allowed = had_platform and slot.has_platform
        slot.has_recording = has_recording and recordings_allowed
        slot.show_recording = show_recording and slot.has_recording
        slot.save()
        if recordings_allowed:
            slot.recordings.all().delete()
            if slot.has_recording:
                RecordingLink.objects.bulk_create(
                    RecordingLink(slot=slot, url=u) for u in recording_urls if u
                )
        after = {
            "platform": slot.platform,
            "conference_url": slot.conference_url,
            "has_recording": slot.has_recording,
        }
        # The password never goes into the audit log.
        record(actor=actor, action="slot.platform", obj=slot, before=before, after=after)
    return slot

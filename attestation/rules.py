"""The exam session's rules, in one place (#17): the slot's state, when answers are open, when the
student may send, what the exam page shows to whom, and when each hand-out action is allowed.

Pure functions of the session, the slot and the moment: no queries, no rights. Views turn their
answers into plain booleans for the templates; services ask the same functions before they write
(and say why when they refuse); ``attestation/fast_paths.py`` writes the autosave's rules in SQL,
and ``tests/attestation/test_fast_paths_agree.py`` proves both say the same.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import clock

if TYPE_CHECKING:
    from attestation.models import ExamSession, Slot

MIN_ANSWER_CHARS = 10


class SlotState(models.TextChoices):
    """Where a slot is in its day: not started, in progress (start ≤ now < end), finished."""

    BEFORE = "before", _("not started")
    RUNNING = "running", _("in progress")
    OVER = "over", _("finished")


def slot_state(slot: Slot | None, now: datetime.datetime | None = None) -> SlotState:
    # ``Slot | None``: views/session_page.py passes ``session.slot`` after checking ``session.slot_id``.
    assert slot is not None
    now = now or clock.now()
    if now < slot.starts_at:
        return SlotState.BEFORE
    if now < slot.ends_at:
        return SlotState.RUNNING
    return SlotState.OVER


def is_slot_day(slot: Slot) -> bool:
    """The slot starts today, in the college's time zone (GEN-1, SND-1)."""
    return timezone.localtime(slot.starts_at).date() == clock.local_today()


def slot_day_starts(slot: Slot) -> datetime.datetime:
    """When the slot's day begins in the college's time zone: hand-outs open then (GEN-1)."""
    return timezone.localtime(slot.starts_at).replace(hour=0, minute=0, second=0, microsecond=0)


# --- SLT-3, SLT-5, X-4, NTF-1: what may change in a slot ------------------------------------------


def slot_times_editable(state: SlotState) -> bool:
    """SLT-3: before the start the date and times, while it runs the end; never once it is over.
    The same holds for notifying its students and giving one of them extra time."""
    return state != SlotState.OVER


def slot_start_editable(state: SlotState) -> bool:
    """SLT-3: the start (and the date) changes only before the start."""
    return state == SlotState.BEFORE


def slot_membership_editable(state: SlotState) -> bool:
    """SLT-3, SLT-5, X-4: a slot is deleted, a student removed from it or moved into it only before
    its start."""
    return state == SlotState.BEFORE


class ExamStatus(models.TextChoices):
    """Where a student's final control stands, as "My final controls" lists it."""

    NOT_SET = "not_set", _("date not set yet")
    SCHEDULED = "scheduled", _("scheduled")
    RUNNING = "running", _("in progress")
    SENT = "sent", _("answer sent")
    NOT_SENT = "not_sent", _("time over, no answer sent")
    GRADED = "graded", _("graded")


def exam_status(session: ExamSession | None, now: datetime.datetime) -> ExamStatus:
    if session is None or session.slot_id is None or session.slot is None:
        return ExamStatus.NOT_SET
    if session.graded_at or session.absence:
        return ExamStatus.GRADED
    if session.answer_sent_at:
        return ExamStatus.SENT
    if time_over(session, now):
        return ExamStatus.NOT_SENT
    if now >= session.slot.starts_at:
        return ExamStatus.RUNNING
    return ExamStatus.SCHEDULED


def did_not_show(session: ExamSession) -> bool:
    """GRD-5: the student took no part — chose no ticket, never opened the questions, saved no draft
    and sent no answer. The grading table offers to mark such students absent at once."""
    return not (
        session.questions_viewed_at
        or session.answer_sent_at
        or session.draft_saved_at
        or session.ticket_source == "chosen"
    )


# --- ANS-1, ANS-2, TIM-1: answering -------------------------------------------------------------


def answers_open(session: ExamSession, *, by_tickets: bool, now: datetime.datetime) -> bool:
    """ANS-1: the slot has started and the questions were viewed (by tickets) or a task is given
    (without tickets)."""
    if session.slot_id is None or session.slot is None or now < session.slot.starts_at:
        return False
    if by_tickets:
        return bool(session.ticket_id and session.questions_viewed_at)
    return bool(session.task)


def time_over(session: ExamSession, now: datetime.datetime) -> bool:
    """TIM-1, X-4: the student's own end (the slot's end plus their extra time, ``session.ends_at``)
    has come; never, without a slot."""
    return session.slot_id is not None and now >= session.ends_at


def choosing_open(session: ExamSession, now: datetime.datetime) -> bool:
    """STU-3: a ticket is chosen from the slot's start until the student's own end."""
    return session.slot is not None and session.slot.starts_at <= now < session.ends_at


def may_write(session: ExamSession, *, by_tickets: bool, now: datetime.datetime) -> bool:
    """X-1, ANS-2: a draft or a file is accepted — not sent, open for answers, before the own end."""
    return (
        not session.answer_sent_at
        and answers_open(session, by_tickets=by_tickets, now=now)
        and not time_over(session, now)
    )


def draft_accepted(session: ExamSession, *, by_tickets: bool, now: datetime.datetime, version: int) -> bool:
    """X-1: an autosave lands when the student may write and its version is newer than the stored."""
    return may_write(session, by_tickets=by_tickets, now=now) and session.draft_version < version


def may_send(
    session: ExamSession, *, by_tickets: bool, now: datetime.datetime, chars: int, file_count: int
) -> bool:
    """ANS-2: (questions viewed or task given) and (≥10 characters or a file) and the time is not over."""
    return (
        answers_open(session, by_tickets=by_tickets, now=now)
        and (chars >= MIN_ANSWER_CHARS or file_count > 0)
        and not time_over(session, now)
    )


# --- STU-2…STU-4, TSK-1: what the exam page shows to whom ----------------------------------------


def ticket_shown(session: ExamSession, *, viewer: str, by_tickets: bool, state: SlotState | None) -> bool:
    """STU-2: the ticket's number shows once the slot has started (to staff at once)."""
    return bool(by_tickets and session.ticket_id and (_started(state) or viewer == "staff"))


def task_shown(session: ExamSession, *, viewer: str, by_tickets: bool, state: SlotState | None) -> bool:
    """STU-2, TSK-1: the task shows once the slot has started (to staff at once)."""
    return bool(not by_tickets and session.task and (_started(state) or viewer == "staff"))


def board_shown(session: ExamSession, *, viewer: str, by_tickets: bool, state: SlotState | None) -> bool:
    """STU-3: the board, for a placed student without a ticket, while the slot runs."""
    return bool(
        viewer == "student"
        and by_tickets
        and session.placed_at
        and not session.ticket_id
        and state == SlotState.RUNNING
    )


def questions_shown(session: ExamSession, *, viewer: str) -> bool:
    """STU-4: the questions reach the page only once sent AND opened by the student (or for staff)."""
    return bool(
        session.ticket_id
        and (session.questions_viewed_at or (viewer == "staff" and session.questions_sent_at))
    )


def recordings_shown(slot: Slot | None, *, viewer: str) -> bool:
    """PLT-2, STU-5: the slot's recording links show to staff, and to the student when allowed."""
    return bool(slot and slot.has_recording and (viewer == "staff" or slot.show_recording))


def task_editable(session: ExamSession, *, by_tickets: bool, state: SlotState | None) -> bool:
    """TSK-1: the page offers the task's editor until the answer is sent or the slot is over."""
    return not by_tickets and not session.answer_sent_at and state != SlotState.OVER


def _started(state: SlotState | None) -> bool:
    return state in (SlotState.RUNNING, SlotState.OVER)


# --- GEN-1, PLC-1, PLC-3, SND-1: handing tickets out ----------------------------------------------


def generation_open(slot: Slot, state: SlotState) -> bool:
    """GEN-1: ticket numbers are generated on the slot's day, until it is over."""
    return is_slot_day(slot) and state != SlotState.OVER


def placement_open(state: SlotState) -> bool:
    """PLC-1, PLC-3: tickets are placed (and the placement cancelled) while the slot runs."""
    return state == SlotState.RUNNING


def questions_sending_open(slot: Slot, state: SlotState) -> bool:
    """SND-1: the questions are sent on the slot's day, from its start until it is over."""
    return is_slot_day(slot) and state == SlotState.RUNNING

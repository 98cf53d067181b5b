"""Tickets: authoring (TKT), copying (CPY), handing out (GEN, PLC, STU-3) and sending (SND); tasks (TSK).

Handing out is the contended part: generation by staff and choices by students lock the slot's
row first (one short transaction per claim), re-check, then write; a partial unique constraint on
(slot, ticket) for chosen tickets is the last guard (X-3).
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import random
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from access.policy import access_for
from attestation import live, rules
from attestation.files import copy_of, safe_name, stored_form, validate_upload
from attestation.models import ExamSession, ModuleSettings, Slot, StreamExam, Ticket
from attestation.services import Refused, require_edit
from audit.models import record
from core import clock
from core.richtext import plain_text, sanitize
from core.text import says_something

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile
    from django.db.models import QuerySet

    from access.models import User
    from college.models import AcademicPeriod, Stream

MAX_TICKETS = 300
RENUMBER_OFFSET = 1000  # above MAX_TICKETS
logger = logging.getLogger(__name__)
_random = random.SystemRandom()

# The lock of a claim; the control test switches it off to show the race is real.
LOCK_CLAIMS = True


def numbers_generated(stream: Stream) -> bool:
    """TKT-2, TKT-5: once any student of the stream has a ticket, the tickets are frozen."""
    return ExamSession.objects.filter(stream=stream, ticket__isnull=False).exists()


def _require_not_frozen(stream: Stream) -> None:
    if numbers_generated(stream):
        raise Refused(
            _("Ticket numbers have already been given to students: the tickets can no longer change.")
        )


def tickets_ready(stream: Stream, exam: StreamExam | None = None) -> bool:
    """GEN-1, PLC-1: a count is saved and every number up to it has questions."""
    exam = exam or StreamExam.for_stream(stream)
    if not exam.ticket_count:
        return False
    numbers = {t.number for t in Ticket.objects.filter(stream=stream) if t.has_content}
    return numbers >= set(range(1, exam.ticket_count + 1))


def summary(stream: Stream, exam: StreamExam | None = None) -> tuple[int, int, datetime.datetime | None]:
    """TKT-3: (entered, count, date of the last saved ticket)."""
    exam = exam or StreamExam.for_stream(stream)
    tickets = list(Ticket.objects.filter(stream=stream))
    entered = sum(1 for t in tickets if t.has_content)
    last = max((t.updated_at for t in tickets), default=None)
    return entered, exam.ticket_count or 0, last


# --- TKT-2 ------------------------------------------------------------------------------------


def ticket_count_set(*, actor: User, stream: Stream, count: int) -> StreamExam:
    require_edit(actor, stream)
    if not 1 <= count <= MAX_TICKETS:
        raise Refused(_("The number of tickets must be from 1 to %(max)s.") % {"max": MAX_TICKETS})
    with transaction.atomic():
        exam: StreamExam = StreamExam.locked(stream)
        _require_not_frozen(stream)
        saved = sorted(Ticket.objects.filter(stream=stream).values_list("number", flat=True))
        if saved and count < saved[-1]:
            raise Refused(count_refusal(saved, count))
        record(
            actor=actor,
            action="tickets.count",
            obj=exam,
            before={"count": exam.ticket_count},
            after={"count": count},
        )
        exam.ticket_count = count
        exam.save(update_fields=["ticket_count"])
        live.tickets_changed(stream.pk)
    return exam


def count_refusal(saved: Sequence[int], count: int) -> str:
    """TKT-2, #14.10: why ``count`` is refused while tickets numbered ``saved`` (sorted) have questions,
    naming the tickets in the way: the count must reach the highest saved number, not just their
    number."""
    if len(saved) > count:
        excess = len(saved) - count
        return ngettext(
            "%(saved)s tickets have questions, more than %(count)s: delete %(excess)s of them first "
            "(for example No. %(numbers)s).",
            "%(saved)s tickets have questions, more than %(count)s: delete %(excess)s of them first "
            "(for example No. %(numbers)s).",
            excess,
        ) % {"saved": len(saved), "count": count, "excess": excess, "numbers": _numbers(saved[-excess:])}
    above = [number for number in saved if number > count]
    return ngettext(
        "Ticket No. %(numbers)s has questions. To keep %(count)s tickets, delete No. %(numbers)s "
        "or press “Renumber 1…%(saved)s”.",
        "Tickets No. %(numbers)s have questions. To keep %(count)s tickets, delete No. %(numbers)s "
        "or press “Renumber 1…%(saved)s”.",
        len(above),
    ) % {"numbers": _numbers(above), "count": count, "saved": len(saved)}


def _numbers(numbers: Sequence[int], shown: int = 10) -> str:
    listed = ", ".join(str(n) for n in numbers[:shown])
    return f"{listed}, …" if len(numbers) > shown else listed


def has_gaps(numbers: Sequence[int]) -> bool:
    """Whether the saved ticket numbers (sorted) are not exactly 1…N."""
    return list(numbers) != list(range(1, len(numbers) + 1))


def tickets_renumber(*, actor: User, stream: Stream) -> int:
    """TKT-2, #14.10: number the saved tickets 1…N in their order, closing the gaps deleted tickets
    left (so the count can come down to N). Refused once numbers are handed out. Returns N."""
    require_edit(actor, stream)
    with transaction.atomic():
        exam = StreamExam.locked(stream)
        _require_not_frozen(stream)
        tickets = list(Ticket.objects.filter(stream=stream).order_by("number"))
        before = [t.number for t in tickets]
        if not has_gaps(before):
            raise Refused(_("The tickets are already numbered 1…%(count)s.") % {"count": len(tickets)})
        moving = [t for index, t in enumerate(tickets, start=1) if t.number != index]
        # Two steps past the unique (stream, number): out of the way (above any real number), then home.
        Ticket.objects.filter(pk__in=[t.pk for t in moving]).update(number=F("number") + RENUMBER_OFFSET)
        for index, ticket in enumerate(tickets, start=1):
            ticket.number = index
        Ticket.objects.bulk_update(moving, ["number"])
        record(
            actor=actor,
            action="tickets.renumber",
            obj=exam,
            before={"numbers": before},
            after={"numbers": [t.number for t in tickets]},
        )
        live.tickets_changed(stream.pk)
    return len(tickets)


# --- TKT-4, TKT-5 -----------------------------------------------------------------------------


def free_numbers(stream: Stream, exam: StreamExam | None = None) -> list[int]:
    exam = exam or StreamExam.for_stream(stream)
    used = set(Ticket.objects.filter(stream=stream).values_list("number", flat=True))
    return [n for n in range(1, (exam.ticket_count or 0) + 1) if n not in used]


def ticket_save(
    *,
    actor: User,
    stream: Stream,
    number: int,
    body: str,
    upload: UploadedFile | None = None,
    remove_file: bool = False,
    ticket: Ticket | None = None,
) -> Ticket:
    """Add (ticket=None) or edit a ticket: text, one file, or both."""
    require_edit(actor, stream)
    body = sanitize(body)
    kind = validate_upload(upload) if upload else None
    if upload is not None and kind is not None:
        upload = stored_form(upload, kind)
    with transaction.atomic():
        exam = StreamExam.locked(stream)
        _require_not_frozen(stream)
        if ticket is None:
            if number not in free_numbers(stream, exam):
                raise Refused(_("Ticket No. %(number)s is not free. Reload the page.") % {"number": number})
            ticket = Ticket(stream=stream, number=number)
            before = None
        else:
            ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, stream=stream)
            before = {"body": ticket.body, "file": ticket.file_name}
        keeps_file = bool(ticket.file) and not remove_file and upload is None
        if not body and upload is None and not keeps_file:
            raise Refused(_("Enter the questions or attach a file."))
        old_file = ticket.file.name if ticket.file and (remove_file or upload) else None
        ticket.body = body
        if upload is not None:
            ticket.file_name = safe_name(upload.name or "")
            ticket.file.save(ticket.file_name, upload, save=False)
        elif remove_file:
            ticket.file, ticket.file_name = None, ""
        ticket.save()
        if old_file:
            storage = ticket.file.storage
            transaction.on_commit(lambda: storage.delete(old_file))
        record(
            actor=actor,
            action="ticket.save",
            obj=ticket,
            before=before,
            after={"body": ticket.body, "file": ticket.file_name, "kind": kind},
        )
        live.tickets_changed(stream.pk)
    return ticket


def ticket_delete(*, actor: User, ticket: Ticket) -> None:
    require_edit(actor, ticket.stream)
    with transaction.atomic():
        StreamExam.locked(ticket.stream)
        _require_not_frozen(ticket.stream)
        record(
            actor=actor,
            action="ticket.delete",
            obj=ticket,
            before={"body": ticket.body, "file": ticket.file_name},
        )
        name, storage = ticket.file.name, ticket.file.storage
        live.tickets_changed(ticket.stream_id)
        ticket.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))


# --- CPY-1…CPY-4 --------------------------------------------------------------------------------


# QuerySet[Any], not QuerySet[Stream]: views/tickets.py hangs ``student_count`` and ``entered`` on
# these streams, which Stream does not declare.
def copy_targets(source: Stream, period: AcademicPeriod) -> QuerySet[Any]:
    """CPY-2: the same teacher's online main streams of this discipline in that period, not yet handed out."""
    from college.models import Stream

    return (
        Stream.objects.filter(
            teacher=source.teacher,
            discipline=source.discipline,
            is_main=True,
            journal__conduct_online=True,
            academic_period=period,
        )
        .exclude(pk=source.pk)
        .exclude(exam_sessions__ticket__isnull=False)
        .distinct()
    )


def tickets_copy(
    *, actor: User, source: Stream, ticket_ids: Iterable[int], targets: Collection[Stream]
) -> int:
    """CPY-3: append copies after each target's own tickets and raise its count; files are copied."""
    require_edit(actor, source)
    tickets = [
        t for t in Ticket.objects.filter(stream=source, pk__in=ticket_ids).order_by("number") if t.has_content
    ]
    if not tickets:
        raise Refused(_("Choose at least one ticket with questions."))
    if not targets:
        raise Refused(_("Choose at least one stream."))
    copied = 0
    with transaction.atomic():
        for target in targets:
            require_edit(actor, target)
            exam = StreamExam.locked(target)
            if numbers_generated(target) or target.teacher_id != source.teacher_id:
                raise Refused(_("Tickets cannot be copied to “%(stream)s”.") % {"stream": target.name})
            start = Ticket.objects.filter(stream=target).aggregate(m=Max("number"))["m"] or 0
            for offset, ticket in enumerate(tickets, 1):
                copy = Ticket(
                    stream=target, number=start + offset, body=ticket.body, file_name=ticket.file_name
                )
                if ticket.file:
                    copy.file.save(ticket.file_name or "file", copy_of(ticket.file), save=False)
                copy.save()
            before = exam.ticket_count
            exam.ticket_count = (exam.ticket_count or 0) + len(tickets)
            exam.ticket_count = max(exam.ticket_count, start + len(tickets))
            exam.save(update_fields=["ticket_count"])
            record(
                actor=actor,
                action="tickets.copy",
                obj=exam,
                before={"count": before},
                after={"count": exam.ticket_count, "from": source.pk, "numbers": [t.number for t in tickets]},
            )
            live.tickets_changed(exam.stream_id)
            copied += len(tickets)
    return copied


# --- time rules of a slot's day -----------------------------------------------------------------


def _lock_slot(slot: Slot) -> Slot:
    if LOCK_CLAIMS:
        return Slot.objects.select_for_update().select_related("stream").get(pk=slot.pk)
    return Slot.objects.select_related("stream").get(pk=slot.pk)


def _slot_sessions(slot: Slot, ids: Iterable[int] | None = None) -> QuerySet[ExamSession]:
    sessions = ExamSession.objects.filter(slot=slot).select_related("student__user")
    return sessions.filter(pk__in=ids) if ids is not None else sessions


def _settings() -> ModuleSettings:
    module_settings: ModuleSettings = ModuleSettings.for_kind(ModuleSettings.Kind.INTERMEDIATE)
    return module_settings


def self_choice() -> bool:
    """SET-1: the students choose their tickets on a board (else numbers are generated)."""
    return _settings().distribution_form == ModuleSettings.DistributionForm.SELF_CHOICE


def _require_tickets_mode(stream: Stream) -> StreamExam:
    exam: StreamExam = StreamExam.for_stream(stream)
    if exam.mode != StreamExam.Mode.TICKETS:
        raise Refused(_("This final control is conducted without tickets."))
    if not tickets_ready(stream, exam):
        raise Refused(_("Save the number of tickets and the questions of every ticket first."))
    return exam


# --- GEN-1, GEN-2: generate ticket numbers -----------------------------------------------------


@dataclasses.dataclass
class Usage:
    """How often each ticket is already held: in the slot being handed out, and — with SET-2 on —
    in the whole stream (off: the slot alone counts, every slot draws from all tickets)."""

    here: Counter[int] = dataclasses.field(default_factory=Counter)
    stream: Counter[int] = dataclasses.field(default_factory=Counter)
    whole_stream: bool = True

    def rank(self, ticket_id: int) -> tuple[int, int]:
        """Lower goes first. The slot comes first — within a slot no ticket repeats while one unused
        there exists (neighbours never share a ticket by chance of the stream's count); then the
        stream — with SET-2 on no ticket of another slot until every ticket is used, evenly."""
        return self.here[ticket_id], self.stream[ticket_id] if self.whole_stream else 0

    def take(self, ticket_id: int) -> None:
        self.here[ticket_id] += 1
        self.stream[ticket_id] += 1


def _usage(slot: Slot, whole_stream: bool) -> Usage:
    held = ExamSession.objects.filter(stream_id=slot.stream_id, ticket__isnull=False)
    pairs = list(held.values_list("ticket_id", "slot_id"))
    return Usage(
        here=Counter(ticket for ticket, slot_id in pairs if slot_id == slot.pk),
        stream=Counter(ticket for ticket, _slot in pairs),
        whole_stream=whole_stream,
    )


def pick_fair(ticket_ids: Sequence[int], usage: Usage, rng: random.Random = _random) -> int:
    """GEN-2: a ticket among those of the lowest rank (:meth:`Usage.rank`), uniformly at random."""
    least = min(usage.rank(t) for t in ticket_ids)
    return rng.choice([t for t in ticket_ids if usage.rank(t) == least])


def deal(ticket_ids: Sequence[int], usage: Usage, count: int, rng: random.Random = _random) -> list[int]:
    """GEN-2, SET-2: tickets for ``count`` students of one slot, each taken before the next is picked."""
    dealt: list[int] = []
    while len(dealt) < count:
        ticket_id = pick_fair(ticket_ids, usage, rng)
        usage.take(ticket_id)
        dealt.append(ticket_id)
    return dealt


def tickets_generate(*, actor: User, slot: Slot, session_ids: Iterable[int]) -> int:
    require_edit(actor, slot.stream)
    with transaction.atomic():
        slot = _lock_slot(slot)
        _require_tickets_mode(slot.stream)
        if not rules.is_slot_day(slot):
            raise Refused(_("Ticket numbers are generated on the day of the final control."))
        if not rules.generation_open(slot, rules.slot_state(slot)):
            raise Refused(_("This final control is over."))
        sessions = list(_slot_sessions(slot, session_ids).filter(ticket__isnull=True))
        if not sessions:
            raise Refused(_("Every chosen student already has a ticket number."))
        ticket_ids = list(Ticket.objects.filter(stream=slot.stream).values_list("pk", flat=True))
        usage = _usage(slot, _settings().distribute_whole_stream)
        now = clock.now()
        _random.shuffle(sessions)
        for session, ticket_id in zip(sessions, deal(ticket_ids, usage, len(sessions)), strict=True):
            session.ticket_id, session.ticket_source, session.ticket_at = ticket_id, "generated", now
            session.save(update_fields=["ticket", "ticket_source", "ticket_at"])
        record(
            actor=actor,
            action="tickets.generate",
            obj=slot,
            after={"sessions": sorted(s.pk for s in sessions)},
        )
        live.publish(live.Event.TICKET, slot_id=slot.pk, sessions=[s.pk for s in sessions])
    return len(sessions)


# --- PLC-1…PLC-3: place tickets, cancel placement ------------------------------------------------


def tickets_place(*, actor: User, slot: Slot, session_ids: Iterable[int]) -> int:
    from notifications import kinds
    from notifications.services import notify

    require_edit(actor, slot.stream)
    with transaction.atomic():
        slot = _lock_slot(slot)
        _require_tickets_mode(slot.stream)
        if _settings().distribution_form != ModuleSettings.DistributionForm.SELF_CHOICE:
            raise Refused(
                _("Tickets are handed out at random: students do not choose them (see the settings).")
            )
        now = clock.now()
        state = rules.slot_state(slot, now)
        if not rules.placement_open(state):
            if state == rules.SlotState.BEFORE:
                raise Refused(_("Tickets can be placed once the final control has started."))
            raise Refused(_("This final control is over."))
        sessions = list(_slot_sessions(slot, session_ids).filter(placed_at__isnull=True, ticket__isnull=True))
        if not sessions:
            raise Refused(_("Choose at least one student without placed tickets."))
        ExamSession.objects.filter(pk__in=[s.pk for s in sessions]).update(placed_at=now)
        stream = slot.stream
        notify(
            recipients=[s.student.user for s in sessions],
            kind=kinds.TICKETS_PLACED,
            params={
                "discipline": stream.discipline.name,
                "teacher": stream.teacher.full_name,
                "start_at": slot.starts_at,
            },
            link=reverse("attestation:my_exams"),
        )
        record(
            actor=actor, action="tickets.place", obj=slot, after={"sessions": sorted(s.pk for s in sessions)}
        )
        live.publish(live.Event.PLACED, slot_id=slot.pk, sessions=[s.pk for s in sessions])
    return len(sessions)


def placement_cancel(*, actor: User, slot: Slot, session_ids: Iterable[int]) -> int:
    """PLC-3: for placed students who have not chosen; a chosen ticket stays."""
    require_edit(actor, slot.stream)
    with transaction.atomic():
        slot = _lock_slot(slot)
        if not rules.placement_open(rules.slot_state(slot)):
            # The page offers it only while the slot runs; the server says so too.
            raise Refused(_("This final control is over."))
        sessions = list(
            _slot_sessions(slot, session_ids).filter(placed_at__isnull=False, ticket__isnull=True)
        )
        if not sessions:
            raise Refused(
                _("Nobody chosen can have the placement cancelled: they have already chosen a ticket.")
            )
        ExamSession.objects.filter(pk__in=[s.pk for s in sessions]).update(placed_at=None)
        record(
            actor=actor,
            action="tickets.unplace",
            obj=slot,
            after={"sessions": sorted(s.pk for s in sessions)},
        )
        live.publish(live.Event.PLACED, slot_id=slot.pk, sessions=[s.pk for s in sessions])
    return len(sessions)


# --- STU-3: the student chooses a ticket -------------------------------------------------------


class Tile(TypedDict):
    """A tile of the board: its opaque token, and whether its ticket may still be chosen."""

    tile: str
    free: bool


def board(session: ExamSession) -> list[Tile]:
    """STU-3: the tiles of the "Choose ticket" block: every ticket, free or taken, without numbers.

    A tile carries an opaque token (:func:`tile_token`), never the ticket's key, and the tiles are
    ordered by their tokens: a random order of this student's own, that the student cannot
    reproduce to learn which tile is which number, nor which numbers are taken.
    """
    tickets = list(Ticket.objects.filter(stream_id=session.stream_id).values_list("pk", flat=True))
    assert session.slot is not None  # the board shows only while the slot runs (rules.board_shown)
    free = free_tickets(session.slot, tickets)
    tiles: list[Tile] = [{"tile": tile_token(session, ticket), "free": ticket in free} for ticket in tickets]
    return sorted(tiles, key=lambda tile: tile["tile"])


def tile_token(session: ExamSession, ticket_id: int) -> str:
    """#16: one ticket's tile on one student's board in one slot — a keyed hash (the secret key):
    unguessable, unordered, and never the same for another student or another slot."""
    value = f"{session.pk}:{session.slot_id}:{ticket_id}"
    return salted_hmac("attestation.board.tile", value, algorithm="sha256").hexdigest()[:32]


def _ticket_of_tile(session: ExamSession, tile: str | None, ticket_ids: Iterable[int]) -> int | None:
    """The ticket behind a tile of this student's board, or None for a token that is not one."""
    tile = str(tile or "")
    for ticket_id in ticket_ids:
        if constant_time_compare(tile_token(session, ticket_id), tile):
            return ticket_id
    return None


def free_tickets(slot: Slot, ticket_ids: Iterable[int]) -> set[int]:
    """Free for choosing: not held in this slot and, with SET-2 on, not used by earlier slots first."""
    held_here = set(
        ExamSession.objects.filter(slot=slot, ticket__isnull=False).values_list("ticket_id", flat=True)
    )
    free = set(ticket_ids) - held_here
    if _settings().distribute_whole_stream:
        earlier = ExamSession.objects.filter(
            stream_id=slot.stream_id, ticket__isnull=False, slot__starts_at__lt=slot.starts_at
        ).values_list("ticket_id", flat=True)
        unused = free - set(earlier)
        if unused:
            return unused
    return free


def ticket_choose(*, actor: User, session: ExamSession, tile: str | None) -> ExamSession:
    """STU-3: the student takes the ticket behind a tile of their board (:func:`board`)."""
    if not access_for(actor).owns_session(session):
        raise Refused(_("This is not your final control."))
    if session.slot is None:  # unscheduled meanwhile (a crafted or stale post)
        raise Refused(_("Tickets can be chosen only during the final control."))
    ticket_id = None
    try:
        with transaction.atomic():
            slot = _lock_slot(session.slot)
            session = ExamSession.objects.select_for_update().get(pk=session.pk)
            tickets = list(Ticket.objects.filter(stream=slot.stream).values_list("pk", flat=True))
            ticket_id = _ticket_of_tile(session, tile, tickets)
            if session.ticket_id:
                if session.ticket_id == ticket_id:
                    return session  # a double click or a retry: the same answer, once
                raise Refused(_("You already have a ticket."))
            if not session.placed_at:
                raise Refused(_("The tickets have not been placed for you."))
            now = clock.now()
            if not rules.choosing_open(session, now):
                raise Refused(_("Tickets can be chosen only during the final control."))
            if ticket_id is None:
                raise Refused(_("There is no such ticket."))
            if ticket_id not in free_tickets(slot, tickets):
                raise Refused(_("Someone has just taken this ticket. Please choose another one."))
            session.ticket_id, session.ticket_source, session.ticket_at = ticket_id, "chosen", now
            session.save(update_fields=["ticket", "ticket_source", "ticket_at"])
            record(actor=actor, action="ticket.choose", obj=session, after={"ticket": ticket_id})
            live.publish(live.Event.BOARD, slot_id=slot.pk, board=True)  # the tile turns grey for all
            live.publish(live.Event.TICKET, slot_id=slot.pk, sessions=[session.pk])
    except IntegrityError as error:
        # Only reachable when two claims raced past the lock: the constraint kept the data right.
        logger.warning(
            "ticket claim stopped by the unique constraint: session %s, ticket %s", session.pk, ticket_id
        )
        raise Refused(_("Someone has just taken this ticket. Please choose another one.")) from error
    return session


# --- SND-1, SND-2: send questions; the student opens them ------------------------------------


def questions_send(*, actor: User, slot: Slot, session_ids: Iterable[int]) -> int:
    require_edit(actor, slot.stream)
    with transaction.atomic():
        slot = _lock_slot(slot)
        state = rules.slot_state(slot)
        if not rules.questions_sending_open(slot, state):
            if state == rules.SlotState.OVER and rules.is_slot_day(slot):
                raise Refused(_("This final control is over."))
            raise Refused(_("Questions can be sent on the day of the final control, from its start."))
        sessions = list(
            _slot_sessions(slot, session_ids).filter(ticket__isnull=False, questions_sent_at__isnull=True)
        )
        if not sessions:
            raise Refused(
                _("Choose at least one student with a ticket number whose questions were not sent.")
            )
        ExamSession.objects.filter(pk__in=[s.pk for s in sessions]).update(questions_sent_at=clock.now())
        record(
            actor=actor, action="questions.send", obj=slot, after={"sessions": sorted(s.pk for s in sessions)}
        )
        live.publish(live.Event.QUESTIONS, slot_id=slot.pk, sessions=[s.pk for s in sessions])
    return len(sessions)


def questions_open(*, actor: User, session: ExamSession) -> ExamSession:
    """STU-4: the first opening time is recorded, once."""
    if not access_for(actor).owns_session(session):
        raise Refused(_("This is not your final control."))
    if not session.questions_sent_at:
        raise Refused(_("Please wait. The questions have not been sent yet."))
    first = ExamSession.objects.filter(pk=session.pk, questions_viewed_at__isnull=True).update(
        questions_viewed_at=clock.now()
    )
    if first:  # SLT-6: the teacher's table shows "questions viewed" at once
        live.publish(live.Event.VIEWED, slot_id=session.slot_id, session=session.pk)
    session.refresh_from_db(fields=["questions_viewed_at"])
    return session


# --- TSK-1: without tickets, an individual task ---------------------------------------------------


def task_save(*, actor: User, session: ExamSession, body: str) -> ExamSession:
    require_edit(actor, session.stream)
    with transaction.atomic():
        session = (
            ExamSession.objects.select_for_update(of=("self",)).select_related("stream").get(pk=session.pk)
        )
        if StreamExam.for_stream(session.stream).mode != StreamExam.Mode.NO_TICKETS:
            raise Refused(_("Tasks are given only when the final control is conducted without tickets."))
        if session.answer_sent_at:
            raise Refused(_("The student has already sent an answer: the task can no longer change."))
        if rules.time_over(session, clock.now()):
            raise Refused(_("This final control is over."))
        task = sanitize(body)
        if not says_something(plain_text(task)):
            # An empty task would close the student's answer (ANS-1 needs a task) while they write.
            raise Refused(_("The task is empty: write what the student must do."), field="body")
        before = {"task": session.task}
        session.task, session.task_updated_at = task, clock.now()
        session.save(update_fields=["task", "task_updated_at"])
        record(actor=actor, action="task.save", obj=session, before=before, after={"task": session.task})
        live.publish(live.Event.TASK, slot_id=session.slot_id, sessions=[session.pk], staff=False)
    return session

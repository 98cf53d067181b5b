"""Live exam by push (#15, SLT-6, X-4, X-5): what happened, told to the pages that show it.

A service that changes what an open page shows publishes an event after its transaction commits
(:func:`publish`). Every event goes to one or more *channels*:

- ``session:<id>`` — one student's page (every tab of it): placed, ticket, questions, task,
  extra time, answer sent, grade, moved;
- ``slot:<id>`` — everyone watching the slot, students and staff: a tile taken on the board, the
  slot's times edited;
- ``staff:<id>`` — the slot's live table only: presence, answers, grades, what was handed out.

With ``REDIS_URL`` set an event is one Redis round trip (a Lua script numbers it per channel and
PUBLISHes it), so any process can publish and every process delivers. Without Redis (``make
demo`` on one process, the tests) the same events go through an in-process hub.

Each process holds one :class:`Hub`: one thread that reads every channel (``PSUBSCRIBE``) and hands
each event to the open streams of this process that listen to its channel, and refreshes the
presence of the students whose stream is open here — presence is the open connection, no
heartbeat request. The streams themselves are served by :mod:`attestation.live_asgi` (ASGI
workers, production) or :mod:`attestation.views.live` (the development server).

Every event carries ``seq`` (its number on its channel: a gap means a missed event) and ``t`` (when
it was published, epoch milliseconds: the benchmark measures delivery with it).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import enum
import itertools
import json
import logging
import queue
import random
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import redis
from django.conf import settings
from django.db import transaction
from django.utils.dateparse import parse_datetime

from access.policy import access_for
from attestation import fast_paths, presence
from attestation.models import ExamSession, Slot
from college.models import Stream as CourseStream
from core import clock
from core.metrics import EVENTS_DELIVERED, EVENTS_PUBLISHED, LIVE_STREAMS, LIVE_STUDENTS

if TYPE_CHECKING:
    from redis.commands.core import Script

    from access.models import User

logger = logging.getLogger(__name__)


class Event(enum.StrEnum):
    HELLO = "hello"  # the stream is open: the state the page should show now
    PLACED = "placed"  # tickets placed for the student (the board opens) or the placement cancelled
    TICKET = "ticket"  # the student has a ticket (generated, or chosen in another tab)
    QUESTIONS = "questions"  # the questions were sent
    TASK = "task"  # the individual task changed
    EXTRA_TIME = "extra_time"
    MOVED = "moved"  # moved to another slot or unscheduled
    ANSWER = "answer"  # the answer was sent
    GRADE = "grade"
    BOARD = "board"  # a tile was taken: choosing students refresh their board
    SLOT = "slot"  # the slot's times were edited
    TIME_OVER = "time_over"  # the stream's own clock: this student's time is over
    PRESENCE = "presence"  # staff: a student's page connected or went away
    NOTIFIED = "notified"  # staff: the slot's students were notified
    TICKETS = "tickets"  # staff: the stream's tickets changed (the counter on each slot's tab)
    CLOCK = "clock"  # the keep-alive: the server's time, so the countdown stays on the server's clock


def session_channel(session_id: int) -> str:
    return f"session:{session_id}"


def slot_channel(slot_id: int) -> str:
    return f"slot:{slot_id}"


def staff_channel(slot_id: int) -> str:
    return f"staff:{slot_id}"


def _prefix() -> str:
    """The channels' numbers live under the cache's key prefix, so test runs side by side do not
    count each other's events."""
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}live:"


def _channel_prefix() -> str:
    """Pub/sub ignores Redis's database number: the channels say it, so a college's deployments,
    its test runs and its benchmark on one Redis server (db 0, 13, 15…) never hear each other."""
    db = redis.connection.parse_url(redis_url()).get("db", 0) if redis_url() else 0
    return f"{_prefix()}{db}:"


# --- publishing ----------------------------------------------------------------------------------

# KEYS: channels; ARGV: one JSON payload per channel. Numbers each event on its channel and
# publishes "<seq> <payload>"; the numbers expire two days after the channel's last event.
_PUBLISH_LUA = """
local prefix = ARGV[#ARGV - 1]
local channels = ARGV[#ARGV]
for i, channel in ipairs(KEYS) do
  local counter = prefix .. 'seq:' .. channel
  local n = redis.call('INCR', counter)
  redis.call('EXPIRE', counter, 172800)
  redis.call('PUBLISH', channels .. channel, n .. ' ' .. ARGV[i])
end
return #KEYS
"""

_redis_lock = threading.Lock()
_redis_client: redis.Redis | None = None
_script: Script | None = None
_local_seq: dict[str, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
_local_lock = threading.Lock()


def redis_url() -> str:
    return settings.REDIS_URL


def _redis() -> tuple[redis.Redis, Script]:
    global _redis_client, _script
    with _redis_lock:
        if _redis_client is None or _script is None:
            _redis_client = redis.Redis.from_url(redis_url(), socket_timeout=5, socket_connect_timeout=2)
            _script = _redis_client.register_script(_PUBLISH_LUA)
        return _redis_client, _script


def _send(messages: list[tuple[str, dict[str, object]]]) -> None:
    """Deliver now: ``messages`` are (channel, payload) pairs."""
    if not messages:
        return
    stamp = int(time.time() * 1000)
    for _channel, payload in messages:
        payload["t"] = stamp
        EVENTS_PUBLISHED.labels(str(payload.get("event", ""))).inc()
    if redis_url():
        try:
            _, script = _redis()
            script(
                keys=[channel for channel, _ in messages],
                args=[
                    *(json.dumps(p, separators=(",", ":")) for _, p in messages),
                    _prefix(),
                    _channel_prefix(),
                ],
            )
        except Exception:  # noqa: BLE001 — an event lost must never undo the action that caused it
            logger.warning("Live event not published: Redis is unavailable", exc_info=True)
        return
    for channel, payload in messages:
        with _local_lock:
            seq = next(_local_seq[channel])
        hub().dispatch(channel, seq, json.dumps(payload, separators=(",", ":")))


def _messages(
    event: Event,
    slot_id: int | None,
    sessions: Iterable[int],
    board: bool,
    staff: bool,
    everyone: bool,
    data: dict[str, object],
) -> list[tuple[str, dict[str, object]]]:
    session_ids = sorted(set(sessions))
    messages: list[tuple[str, dict[str, object]]] = [
        (session_channel(pk), {"event": str(event), **data}) for pk in session_ids
    ]
    if slot_id is not None and (board or everyone):
        messages.append((slot_channel(slot_id), {"event": str(event), **data}))
    if slot_id is not None and staff and not (board or everyone):
        messages.append((staff_channel(slot_id), {"event": str(event), "sessions": session_ids, **data}))
    return messages


def publish(
    event: Event,
    *,
    slot_id: int | None = None,
    sessions: Iterable[int] = (),
    board: bool = False,
    staff: bool = True,
    everyone: bool = False,
    **data: object,
) -> None:
    """Tell the open pages, once the current transaction commits (at once outside one).

    ``sessions``: the students' pages concerned (each gets the event on its own channel);
    ``staff``: the slot's live table hears it too, with the sessions named; ``board``/``everyone``:
    every page watching the slot hears it (a tile taken; the slot's times edited).
    """
    messages = _messages(event, slot_id, sessions, board, staff, everyone, data)
    transaction.on_commit(lambda: _send(messages))


def tickets_changed(stream_id: int) -> None:
    """TKT-3: the ticket counter on every slot tab of the stream (after the commit)."""
    slots = list(Slot.objects.filter(stream_id=stream_id).values_list("pk", flat=True))
    messages: list[tuple[str, dict[str, object]]] = [
        (staff_channel(pk), {"event": str(Event.TICKETS)}) for pk in slots
    ]
    transaction.on_commit(lambda: _send(messages))


def _presence(slot_id: int | None, session_id: int, online: bool) -> None:
    """Staff: a student's page connected or went away — a fact about the connection, not the data:
    told at once, whatever transaction may be open."""
    if slot_id:
        _send(
            _messages(
                Event.PRESENCE, slot_id, (), False, True, False, {"session": session_id, "online": online}
            )
        )


# --- the hub: one per process ----------------------------------------------------------------------


# What the hub hands a stream: (channel, seq, payload JSON); None ends the stream.
Item = tuple[str, int, str]


@dataclasses.dataclass(eq=False)
class Subscription:
    """One open stream: the channels it hears and where its events go."""

    channels: tuple[str, ...]
    session_id: int | None = None  # a student's stream: their presence while it is open
    loop: asyncio.AbstractEventLoop | None = None  # set for an ASGI stream
    inbox: Any = None  # asyncio.Queue for an ASGI stream, queue.Queue for a thread

    def __post_init__(self) -> None:
        self.inbox = asyncio.Queue() if self.loop is not None else queue.Queue()

    def put(self, item: Item | None) -> None:
        if self.loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: the stream is gone
                self.loop.call_soon_threadsafe(self.inbox.put_nowait, item)
        else:
            self.inbox.put(item)

    def close(self) -> None:
        """The hub lost events (Redis went away): end the stream; the page reconnects and catches up."""
        self.put(None)


def _kind(subscription: Subscription) -> str:
    return "student" if subscription.session_id is not None else "staff"


class Hub:
    """This process's open streams by channel, fed by Redis (or by :func:`publish` without it)."""

    PRESENCE_EVERY = 10  # seconds; presence.FRESH_SECONDS is 30: two refreshes may be missed

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_channel: dict[str, set[Subscription]] = defaultdict(set)
        self.students: dict[int, int] = defaultdict(int)  # session id → streams open here
        self.healthy = not redis_url()
        self.thread: threading.Thread | None = None
        self.stopping = False

    # streams
    def subscribe(self, subscription: Subscription) -> None:
        self.start()
        with self.lock:
            for channel in subscription.channels:
                self.by_channel[channel].add(subscription)
            if subscription.session_id is not None:
                self.students[subscription.session_id] += 1
            LIVE_STREAMS.labels(_kind(subscription)).inc()
            LIVE_STUDENTS.set(len(self.students))

    def unsubscribe(self, subscription: Subscription) -> bool:
        """Forget the stream; True when it was the last one of its student in this process."""
        with self.lock:
            for channel in subscription.channels:
                listeners = self.by_channel.get(channel)
                if listeners is not None:
                    listeners.discard(subscription)
                    if not listeners:
                        del self.by_channel[channel]
            LIVE_STREAMS.labels(_kind(subscription)).dec()
            if subscription.session_id is None:
                return False
            self.students[subscription.session_id] -= 1
            last = self.students[subscription.session_id] <= 0
            if last:
                del self.students[subscription.session_id]
            LIVE_STUDENTS.set(len(self.students))
            return last

    def dispatch(self, channel: str, seq: int, payload: str) -> None:
        with self.lock:
            listeners = list(self.by_channel.get(channel, ()))
        item = (channel, seq, payload)
        for subscription in listeners:
            subscription.put(item)

    # the thread
    def start(self) -> None:
        with self.lock:
            if self.thread is not None and self.thread.is_alive():
                return
            self.thread = threading.Thread(target=self._run, name="live-hub", daemon=True)
            self.thread.start()

    def _refresh_presence(self) -> None:
        with self.lock:
            sessions = list(self.students)
        if sessions:
            presence.touch_many(sessions)

    def _run(self) -> None:
        next_presence = time.monotonic() + self.PRESENCE_EVERY
        pubsub = None
        while not self.stopping:
            if time.monotonic() >= next_presence:
                next_presence = time.monotonic() + self.PRESENCE_EVERY
                self._refresh_presence()
            if not redis_url():
                time.sleep(1)
                continue
            try:
                if pubsub is None:
                    client, _ = _redis()
                    pubsub = client.pubsub()
                    pubsub.psubscribe(_channel_prefix() + "*")
                message = pubsub.get_message(timeout=1.0)
                if message and message["type"] == "psubscribe":
                    self.healthy = True  # Redis confirmed: from now on nothing published is missed
                elif message and message["type"] == "pmessage":
                    self._deliver(message)
            except Exception:  # noqa: BLE001 — Redis went away: streams end and reconnect later
                logger.warning("Live hub lost Redis; open streams are closed", exc_info=True)
                self.healthy = False
                if pubsub is not None:
                    with contextlib.suppress(Exception):
                        pubsub.close()
                pubsub = None
                self._close_all()
                time.sleep(1)

    def _deliver(self, message: dict[str, Any]) -> None:  # as redis-py hands it over
        channel = message["channel"]
        data = message["data"]
        if isinstance(channel, bytes):
            channel = channel.decode()
        if isinstance(data, bytes):
            data = data.decode()
        seq, _, payload = data.partition(" ")
        self.dispatch(channel.removeprefix(_channel_prefix()), int(seq), payload)

    def _close_all(self) -> None:
        with self.lock:
            every = {s for listeners in self.by_channel.values() for s in listeners}
        for subscription in every:
            subscription.close()


_hub: Hub | None = None
_hub_lock = threading.Lock()


def hub() -> Hub:
    global _hub
    with _hub_lock:
        if _hub is None:
            _hub = Hub()
        return _hub


# --- opening a stream ------------------------------------------------------------------------------


@dataclasses.dataclass
class Opened:
    """A stream the user may open: what it hears and what it says first."""

    channels: tuple[str, ...]
    hello: dict[str, Any]  # with fast_paths.heartbeat's status for a student
    session_id: int | None = None
    ends_at: float | None = None  # epoch seconds: the stream says "time over" then (students)
    slot_id: int | None = None


def student_status(user: User, session_id: int) -> dict[str, Any] | None:
    """The exam page's state now (TIM-1, SLT-6): the server's clock, the student's end and what has
    happened — what the status poll answers and what a stream's hello says. None when the session
    is not this user's (→ 404)."""
    news = fast_paths.heartbeat(session_id, user)
    if news is None:
        return None
    ends_at = news.pop("ends_at")
    return {
        "server_now": clock.now().isoformat(),
        "ends_at": ends_at.isoformat() if ends_at else None,
        **news,
    }


def open_student(user: User, session_id: int, *, check_only: bool = False) -> Opened | None:
    """The student's own exam page (SLT-6): None when it is not theirs (→ 404).

    ``check_only``: only whether they may — no presence, nothing told."""
    status = student_status(user, session_id)
    if status is None or check_only:
        return None if status is None else Opened(channels=(), hello={})
    slot_id = ExamSession.objects.filter(pk=session_id).values_list("slot_id", flat=True).first()
    ends_at = parse_datetime(status["ends_at"] or "")
    channels = [session_channel(session_id)] + ([slot_channel(slot_id)] if slot_id else [])
    presence.touch(session_id)
    _presence(slot_id, session_id, online=True)
    return Opened(
        channels=tuple(channels),
        hello={"event": str(Event.HELLO), **status},
        session_id=session_id,
        ends_at=ends_at.timestamp() if ends_at else None,
        slot_id=slot_id,
    )


def open_staff(user: User, slot_id: int, *, check_only: bool = False) -> Opened | None:
    """The slot's live table (SLT-6, X-5) for staff who may see its stream; None otherwise (→ 404)."""
    access = access_for(user)
    if not access.shows_staff_module:
        return None
    visible = access.visible_streams(CourseStream.objects.filter(journal__conduct_online=True))
    if not Slot.objects.filter(pk=slot_id, stream__in=visible).exists():
        return None
    return Opened(
        channels=(slot_channel(slot_id), staff_channel(slot_id)),
        hello={"event": str(Event.HELLO), "server_now": clock.now().isoformat()},
        slot_id=slot_id,
    )


def closed(opened: Opened, last_here: bool) -> None:
    """A stream ended: a student whose last stream in this process closed is no longer online."""
    if opened.session_id is None or not last_here:
        return
    presence.leave(opened.session_id)
    _presence(opened.slot_id, opened.session_id, online=False)


# --- one open stream, whichever server carries it ------------------------------------------------

# Sent first: some proxies hold back the first kilobytes of a response; this pushes them through.
PADDING = b":" + b" " * 2048 + b"\n"


def frame(payload: dict[str, object]) -> bytes:
    event = payload.get("event", "message")
    return f"event: {event}\ndata: {json.dumps(payload, separators=(',', ':'))}\n\n".encode()


class LiveStream:
    """What one open stream says and when: the hello, each event of its channels, a keep-alive
    when it has been quiet — the server's time (the countdown keeps to it; a closed connection shows
    when it is written) — and "time over"
    when the student's own end passes (kept in step with extra time and slot edits).

    :mod:`attestation.live_asgi` and :mod:`attestation.views.live` carry it; this decides."""

    def __init__(self, opened: Opened) -> None:
        self.opened = opened
        self.subscription = Subscription(opened.channels, opened.session_id)
        self.keepalive = settings.LIVE_KEEPALIVE_SECONDS
        self.next_keepalive = time.monotonic() + self.keepalive
        self.over_told = False

    def attach(self, loop: asyncio.AbstractEventLoop | None = None) -> Subscription:
        self.subscription = Subscription(self.opened.channels, self.opened.session_id, loop)
        hub().subscribe(self.subscription)
        return self.subscription

    def detach(self) -> None:
        """Off the hub; the student's presence ends with their last stream in this process."""
        last_here = hub().unsubscribe(self.subscription)
        closed(self.opened, last_here)

    def first(self) -> bytes:
        retry = random.randint(2000, 6000)  # noqa: S311 — reconnection jitter, not a secret
        return (
            PADDING
            + f"retry: {retry}\n\n".encode()
            + frame({**self.opened.hello, "keepalive": self.keepalive})
        )

    def wait(self) -> float:
        """Seconds until something is due without an event."""
        due = self.next_keepalive - time.monotonic()
        if self.opened.ends_at is not None and not self.over_told:
            due = min(due, self.opened.ends_at - clock.now().timestamp())
        return max(0.0, due)

    def event(self, item: Item) -> bytes:
        channel, seq, payload = item
        self._follow(payload)
        self.next_keepalive = time.monotonic() + self.keepalive
        body = payload[:-1] + f',"seq":{seq},"ch":"{channel}"}}'
        event = json.loads(payload).get("event", "message")
        EVENTS_DELIVERED.labels(event).inc()
        return f"event: {event}\ndata: {body}\n\n".encode() + self.due()

    def due(self) -> bytes:
        """What the clock asks for now: "time over" once, and a keep-alive after a quiet while."""
        out = b""
        ends_at = self.opened.ends_at
        if ends_at is not None and not self.over_told and clock.now().timestamp() >= ends_at:
            self.over_told = True
            out += frame({"event": str(Event.TIME_OVER)})
        if time.monotonic() >= self.next_keepalive:
            self.next_keepalive = time.monotonic() + self.keepalive
            out += frame({"event": str(Event.CLOCK), "server_now": clock.now().isoformat()})
        return out

    def _follow(self, payload: str) -> None:
        """Keep the student's end in step with the events they get (extra time, a slot edit)."""
        if self.opened.session_id is None:
            return
        data = json.loads(payload)
        ends = parse_datetime(data.get("ends_at") or "")
        if ends is None:
            return
        if data.get("event") == Event.EXTRA_TIME:
            self.opened.ends_at = ends.timestamp()
        elif data.get("event") == Event.SLOT:
            self.opened.ends_at = ends.timestamp() + 60 * (self.opened.hello.get("extra_minutes") or 0)
        else:
            return
        if self.opened.ends_at > clock.now().timestamp():
            self.over_told = False  # the end moved past now: "time over" is due again when it comes


HEADERS = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Accel-Buffering": "no",  # nginx: pass each event on at once
    "X-Content-Type-Options": "nosniff",
}

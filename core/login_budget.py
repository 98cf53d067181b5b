"""What anonymous logins may spend, whatever user names they try (X-10).

A password check costs an Argon2 hash (19 MiB, a few hundred milliseconds of a core under load), and
it runs for unknown user names too — rightly, or the answer's timing would tell which names exist.
:mod:`core.throttle` slows guessing *per name*; a guesser who uses a new name each time is never
slowed there. Two bounds close that, neither of which ever locks an account:

* **per address** — every login attempt from one address, whatever the name and whatever the
  outcome, is counted in a sliding minute (``LOGIN_ADDRESS_PER_MINUTE``, 40: a classroom of 30
  behind one NAT address signs in within a minute with 10 mistypes to spare). Past it, an attempt
  is refused *before* its password is checked, with the seconds until the minute has room again
  (429). The count is two cache counters (this minute's and the last one's, weighted by how much
  of the last one is still inside the sliding minute — the usual sliding-window counter), changed
  with the cache's atomic ``incr``: parallel requests cannot overshoot it.
* **per process** — at most ``LOGIN_HASHES_PER_PROCESS`` (1) password checks run at once in one
  app process; another waits up to ``LOGIN_HASH_WAIT_SECONDS`` (3) for its turn and is then
  refused with a short wait (429). With gunicorn's sync workers a process serves one request at a
  time, so this bound is the number of workers; it matters for threaded workers.

Like the throttle, the address budget steps aside when the cache is unreachable: an exam must not
stop because Redis did.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

MINUTE = 60


class Busy(Exception):
    """Refused before the password is checked; ``seconds`` is how long to wait. ``network``: the
    address's budget is spent (else this process's password checks are all taken)."""

    def __init__(self, seconds: float, *, network: bool) -> None:
        super().__init__(seconds)
        self.seconds = max(1, math.ceil(seconds))
        self.network = network

    @property
    def message(self) -> str:
        if self.network:
            return ngettext(
                "Many people are signing in from your network right now. Wait %(n)s second and try again.",
                "Many people are signing in from your network right now. Wait %(n)s seconds and try again.",
                self.seconds,
            ) % {"n": self.seconds}
        return ngettext(
            "The server is checking many passwords at once. Wait %(n)s second and try again.",
            "The server is checking many passwords at once. Wait %(n)s seconds and try again.",
            self.seconds,
        ) % {"n": self.seconds}


def _counter(address: str, window: int) -> str:
    return f"login-budget:{address}:{window}"


def _add_one(key: str) -> int:
    cache.add(key, 0, 2 * MINUTE + 5)  # lives through the next minute, where it is the "last" one
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr: start again
        cache.add(key, 0, 2 * MINUTE + 5)
        return int(cache.incr(key))


def spend(address: str) -> None:
    """Count one login attempt from ``address``; :class:`Busy` when its minute is spent."""
    limit = settings.LOGIN_ADDRESS_PER_MINUTE
    if limit <= 0:
        return
    now = time.time()
    window = int(now // MINUTE)
    key = _counter(address, window)
    try:
        mine = _add_one(key)
        last = int(cache.get(_counter(address, window - 1)) or 0)
    except Exception:  # noqa: BLE001 — any cache backend's connection error: fail open, but say so
        logger.warning("Login budget skipped: the cache is unavailable", exc_info=True)
        return
    still_counted = 1 - (now - window * MINUTE) / MINUTE  # the part of the last minute still inside
    if mine + last * still_counted <= limit:
        return
    try:
        cache.decr(key)  # a refused attempt costs nothing: only checked passwords are counted
    except Exception:  # noqa: BLE001 — the counter expired or the cache went away: nothing to undo
        logger.warning("Login budget not refunded", exc_info=True)
    raise Busy(_seconds_until_room(now, window, mine - 1, last, limit), network=True)


def _seconds_until_room(now: float, window: int, mine: int, last: int, limit: int) -> int:
    """Seconds until one more attempt fits: ``mine`` (this minute's, this one refunded) plus the
    last minute's ``last`` weighted by the part of it still inside the sliding minute."""
    next_minute = (window + 1) * MINUTE
    if last and mine + 1 <= limit:  # this minute has room once the last one's weight falls far enough
        room_at = next_minute - MINUTE * (limit - mine - 1) / last
    else:  # this minute alone is full: it must slide out, next minute
        room_at = next_minute + MINUTE * (1 - (limit - 1) / mine)
    return max(1, math.ceil(room_at - now))


_hashing = threading.local()
_slots_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None
_slots_size = 0


def _semaphore() -> threading.BoundedSemaphore:
    global _slots, _slots_size
    size = max(1, settings.LOGIN_HASHES_PER_PROCESS)
    with _slots_lock:
        if _slots is None or _slots_size != size:
            _slots, _slots_size = threading.BoundedSemaphore(size), size
        return _slots


@contextmanager
def hashing() -> Iterator[None]:
    """Around a password check: one of this process's ``LOGIN_HASHES_PER_PROCESS`` turns, or
    :class:`Busy` after ``LOGIN_HASH_WAIT_SECONDS`` without one."""
    if getattr(_hashing, "inside", False):  # a check within a check (a form calling a form)
        yield
        return
    slots = _semaphore()
    wait = settings.LOGIN_HASH_WAIT_SECONDS
    if not slots.acquire(timeout=wait):
        raise Busy(max(1, wait), network=False)
    _hashing.inside = True
    try:
        yield
    finally:
        _hashing.inside = False
        slots.release()

"""Login throttling that slows guessing without handing anyone a denial of service (X-10, #16).

Failed logins are counted in Django's cache (Redis in production, so every app process shares the
counts), in sliding windows of ``LOGIN_THROTTLE_WINDOW`` seconds (15 minutes), under three keys:

* **user name and address** — the guesser's own counter. The first ``LOGIN_THROTTLE_USER`` (5)
  failures cost nothing; after the n-th, the next attempt for that name from that address waits
  2^(n−5) seconds after the last failure: 1, 2, 4, 8 … up to ``LOGIN_THROTTLE_MAX_DELAY`` (60 s).
* **user name**, from every address — someone who guesses one account from many machines. From
  ``LOGIN_THROTTLE_ACCOUNT`` (20) failures on, the wait grows the same way but stops at
  ``LOGIN_THROTTLE_ACCOUNT_MAX_DELAY`` (10 s): a small delay, never a lock.
* **address**, for every user name — someone who tries many names from one room. From
  ``LOGIN_THROTTLE_ADDRESS`` (300) failures on, a name's free failures at that address drop to
  none: its first failure there already starts the growing wait.

What the throttle never does: refuse an attempt for a name from an address where that name has no
failure in the window. The right password typed at once is always checked, so a student guessing
in a computer room that shares one address, or anyone guessing a student's password from
elsewhere, cannot keep that student out. An attempt that must wait is refused *without checking
the password* (guessing gains nothing, and the slow hasher is no lever) and says how many seconds
to wait. A success clears its own name-and-address counter. Staff may *release* a student
(:func:`release`): every failure counted for that name so far is forgotten.

If the cache is unreachable the throttle steps aside (and logs it): an exam must not stop because
Redis did.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import ngettext

from core.metrics import LOGINS_REFUSED

logger = logging.getLogger(__name__)

RELEASE_PREFIX = "login-release:"


@dataclass(frozen=True)
class Limits:
    window: int
    user: int
    account: int
    address: int
    max_delay: int
    account_max_delay: int


def limits() -> Limits:
    return Limits(
        window=settings.LOGIN_THROTTLE_WINDOW,
        user=settings.LOGIN_THROTTLE_USER,
        account=settings.LOGIN_THROTTLE_ACCOUNT,
        address=settings.LOGIN_THROTTLE_ADDRESS,
        max_delay=settings.LOGIN_THROTTLE_MAX_DELAY,
        account_max_delay=settings.LOGIN_THROTTLE_ACCOUNT_MAX_DELAY,
    )


def client_address(request: HttpRequest) -> str:
    """The client's address; behind a reverse proxy name its header in ``CLIENT_ADDRESS_HEADER``.

    Only trust a header the proxy overwrites (e.g. ``HTTP_X_REAL_IP``): a client can forge any
    other. The first address of a comma-separated list is the original client.
    """
    header = settings.CLIENT_ADDRESS_HEADER
    value = request.META.get(header, "") if header else ""
    value = value.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")
    return value or "unknown"


def _name(username: str) -> str:
    """User names compare as the login form does: spaces and letter case do not make a new name."""
    return hashlib.sha256((username or "").strip().casefold().encode()).hexdigest()[:32]


def _keys(username: str, address: str) -> dict[str, str]:
    name = _name(username)
    return {
        "pair": f"login-fail:pair:{name}:{address}",
        "account": f"login-fail:user:{name}",
        "address": f"login-fail:addr:{address}",
        "release": f"{RELEASE_PREFIX}{name}",
    }


def _cache_call(method: str, *args: Any) -> Any:
    try:
        return getattr(cache, method)(*args)
    except Exception:  # noqa: BLE001 — any cache backend's connection error: fail open, but say so
        logger.warning("Login throttle skipped: the cache is unavailable", exc_info=True)
        return None


def _recent(stamps: list[float] | None, since: float) -> list[float]:
    return [t for t in (stamps or []) if t > since]


def growing_delay(failures: int, free: int, cap: int) -> int:
    """Seconds to wait after ``failures``: none up to ``free``, then 1, 2, 4 … capped at ``cap``."""
    if failures < free:
        return 0
    return min(cap, 1 << (failures - free))


def _kept(free: int, cap: int) -> int:
    """How many stamps a key needs: enough to reach its limit and the capped delay beyond it."""
    return free + max(1, math.ceil(math.log2(max(cap, 1)))) + 1


@dataclass(frozen=True)
class Counts:
    pair: list[float]
    account: list[float]
    address: list[float]


def _counts(username: str, address: str, now: float, window: int) -> Counts | None:
    keys = _keys(username, address)
    stored = _cache_call("get_many", list(keys.values()))
    if stored is None:
        return None
    since = max(now - window, float(stored.get(keys["release"]) or 0))
    return Counts(
        pair=_recent(stored.get(keys["pair"]), since),
        account=_recent(stored.get(keys["account"]), since),
        address=_recent(stored.get(keys["address"]), now - window),
    )


def seconds_to_wait(username: str, address: str) -> int:
    """How long this attempt must wait before its password is checked (0: check it now)."""
    lim = limits()
    now = time.time()
    counts = _counts(username, address, now, lim.window)
    if counts is None or not counts.pair:
        return 0  # this name never failed here lately: always checked
    free = 1 if len(counts.address) >= lim.address else lim.user
    until = counts.pair[-1] + growing_delay(len(counts.pair), max(free, 1), lim.max_delay)
    if counts.account:
        delay = growing_delay(len(counts.account), lim.account, lim.account_max_delay)
        until = max(until, counts.account[-1] + delay)
    wait = max(0, math.ceil(until - now))
    if wait:
        LOGINS_REFUSED.labels("throttled").inc()
    return wait


def record_failure(username: str, address: str) -> None:
    LOGINS_REFUSED.labels("wrong_password").inc()
    lim = limits()
    now = time.time()
    keys = _keys(username, address)
    counts = _counts(username, address, now, lim.window)
    if counts is None:
        return
    stored = {
        keys["pair"]: [*counts.pair, now][-_kept(lim.user, lim.max_delay) :],
        keys["account"]: [*counts.account, now][-_kept(lim.account, lim.account_max_delay) :],
        keys["address"]: [*counts.address, now][-_kept(lim.address, lim.max_delay) :],
    }
    _cache_call("set_many", stored, lim.window)


def record_success(username: str, address: str) -> None:
    _cache_call("delete", _keys(username, address)["pair"])


def release(username: str) -> None:
    """Forget every failure counted for this user name so far, from every address (staff's help)."""
    _cache_call("set", _keys(username, "")["release"], time.time(), limits().window)


def recent_failures(username: str) -> int:
    """Failed logins for this name in the window, from every address (for the staff's page)."""
    counts = _counts(username, "", time.time(), limits().window)
    return len(counts.account) if counts else 0


def wait_message(seconds: int) -> str:
    seconds = max(1, int(seconds))
    return ngettext(
        "Too many failed logins. For your safety, wait %(n)s second and try again.",
        "Too many failed logins. For your safety, wait %(n)s seconds and try again.",
        seconds,
    ) % {"n": seconds}

"""Whose login holds which live streams (X-10, SLT-6): a few per login and per user, and none after
the login ends.

**Limits.** A login (one browser's session) holds at most ``LIVE_STREAMS_PER_LOGIN`` (4) open
streams and a user, over all their logins, at most ``LIVE_STREAMS_PER_USER`` (8). A new stream
always opens; when it is one too many, the *oldest* of that login (or user) is told ``bye``
(``replaced``) and closes — so a reload or a new tab never locks anyone out, and one session cannot
hold thousands of connections (each is a socket in nginx and uvicorn). The page told ``replaced``
stops streaming and polls (live.js), so two tabs never take the stream from each other in turn.

**Ending with the login.** Logout ends the login's streams; a staff password reset ends all the
user's streams; changing one's own password ends those of the user's other logins (this one
stays); a stream whose login expires (``SESSION_COOKIE_AGE``) ends then. Each is a ``bye``
(``ended``); the stream closes and the student's presence goes grey.

Across processes the registry is two Redis sorted sets per stream (the login's, the user's; scores
are the opening times) changed by one Lua script that also PUBLISHes the ``bye`` to the streams it
evicts, on channels the hub already hears (``PSUBSCRIBE``). Without Redis (``make demo``, the
tests) the same registry lives in this process. Where Redis fails the limit steps aside (logged):
an exam must not stop because Redis did.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import uuid
from collections import defaultdict
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction

from attestation import live

if TYPE_CHECKING:
    from redis.commands.core import Script

logger = logging.getLogger(__name__)


def login_of(session_key: str) -> str:
    """A login's name in channels and in Redis: a keyed digest, never the session key itself."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:live-login:{session_key}".encode()).hexdigest()[:32]


def login_channel(login: str) -> str:
    return f"login:{login}"


def user_channel(user_id: int) -> str:
    return f"user:{user_id}"


def stream_channel(stream_id: str) -> str:
    return f"stream:{stream_id}"


def identify(opened: live.Opened, *, session_key: str, user_id: int) -> live.Opened:
    """The stream's login: it hears its own, its login's and its user's goodbyes, and ends when the
    login expires (the session's row says when)."""
    opened.stream_id = uuid.uuid4().hex
    opened.login = login_of(session_key)
    opened.user_id = user_id
    expires = Session.objects.filter(session_key=session_key).values_list("expire_date", flat=True).first()
    opened.login_ends_at = expires.timestamp() if expires else None
    opened.channels = (
        *opened.channels,
        stream_channel(opened.stream_id),
        login_channel(opened.login),
        user_channel(user_id),
    )
    return opened


def _bye(reason: live.Bye, keep: str = "") -> dict[str, object]:
    return {"event": str(live.Event.BYE), "reason": str(reason), **({"keep": keep} if keep else {})}


# --- the registry: which streams each login and user hold, oldest first ------------------------------

# KEYS: the login's set, the user's set. ARGV: stream id, now, login limit, user limit, lifetime,
# channel prefix, goodbye payload. Adds the stream; evicts the oldest beyond each limit (from both
# sets) and tells them goodbye; returns how many were evicted.
_OPEN_LUA = """
local id, now, ttl, prefix, bye = ARGV[1], ARGV[2], ARGV[5], ARGV[6], ARGV[7]
local limits = {tonumber(ARGV[3]), tonumber(ARGV[4])}
local evicted = 0
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, id)
  redis.call('EXPIRE', key, ttl)
end
for i, key in ipairs(KEYS) do
  local over = redis.call('ZCARD', key) - limits[i]
  if over > 0 then
    for _, old in ipairs(redis.call('ZRANGE', key, 0, over - 1)) do
      for _, other in ipairs(KEYS) do redis.call('ZREM', other, old) end
      redis.call('PUBLISH', prefix .. 'stream:' .. old, '0 ' .. bye)
      evicted = evicted + 1
    end
  end
end
return evicted
"""

_script_lock = threading.Lock()
_open_script: Script | None = None
_local_lock = threading.Lock()
_local: dict[str, list[tuple[float, str]]] = defaultdict(list)  # set key → (opened, stream id)


def _keys(opened: live.Opened) -> list[str]:
    prefix = f"{live._prefix()}streams:"
    return [f"{prefix}login:{opened.login}", f"{prefix}user:{opened.user_id}"]


def _limits() -> list[int]:
    return [settings.LIVE_STREAMS_PER_LOGIN, settings.LIVE_STREAMS_PER_USER]


def register(opened: live.Opened) -> int:
    """The stream is open: count it, and tell the oldest streams beyond the limits goodbye."""
    if not opened.stream_id:
        return 0
    bye = json.dumps(_bye(live.Bye.REPLACED), separators=(",", ":"))
    if live.redis_url():
        global _open_script
        try:
            client, _ = live._redis()
            with _script_lock:
                if _open_script is None:
                    _open_script = client.register_script(_OPEN_LUA)
                script = _open_script
            lifetime = settings.SESSION_COOKIE_AGE + 3600
            args: list[str | int | float] = [
                opened.stream_id, time.time(), *_limits(), lifetime, live._channel_prefix(), bye,
            ]  # fmt: skip
            return int(script(keys=_keys(opened), args=args))
        except Exception:  # noqa: BLE001 — Redis away: no limit rather than no stream
            logger.warning("Live stream not counted: Redis is unavailable", exc_info=True)
            return 0
    evicted = []
    with _local_lock:
        sets = [_local[key] for key in _keys(opened)]
        for held in sets:
            held.append((time.monotonic(), opened.stream_id))
        for held, limit in zip(sets, _limits(), strict=True):
            while len(held) > limit:
                _opened, old = held[0]
                for other in sets:
                    other[:] = [entry for entry in other if entry[1] != old]
                evicted.append(old)
    for old in evicted:
        live.hub().dispatch(stream_channel(old), 0, bye)
    return len(evicted)


def unregister(opened: live.Opened) -> None:
    if not opened.stream_id:
        return
    if live.redis_url():
        try:
            client, _ = live._redis()
            pipe = client.pipeline(transaction=False)
            for key in _keys(opened):
                pipe.zrem(key, opened.stream_id)
            pipe.execute()
        except Exception:  # noqa: BLE001 — the entry expires with the set; the oldest goes first anyway
            logger.warning("Live stream not uncounted: Redis is unavailable", exc_info=True)
        return
    with _local_lock:
        for key in _keys(opened):
            held = _local.get(key)
            if held is not None:
                held[:] = [entry for entry in held if entry[1] != opened.stream_id]
                if not held:
                    del _local[key]


# --- the login ends ----------------------------------------------------------------------------------


def end_login(session_key: str | None) -> None:
    """Logout: the login's streams end (after the commit, in every process)."""
    if session_key:
        message = (login_channel(login_of(session_key)), _bye(live.Bye.ENDED))
        transaction.on_commit(lambda: live._send([message]))


def end_user(user_id: int, *, keep_session_key: str | None = None) -> None:
    """A password reset or change: the user's streams end — except those of ``keep_session_key``
    (one's own change keeps one's own login)."""
    keep = login_of(keep_session_key) if keep_session_key else ""
    message = (user_channel(user_id), _bye(live.Bye.ENDED, keep))
    transaction.on_commit(lambda: live._send([message]))

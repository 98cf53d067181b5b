"""SLT-6: presence is a heartbeat. The student's open, visible exam page pings; staff see green
while the last ping is fresh. Stored in the cache — Redis when REDIS_URL is set, so every app
process sees the same presence."""

import logging

from django.core.cache import cache

from access import resilience
from core import clock

logger = logging.getLogger(__name__)

# Presence is the one thing allowed to degrade when the cache (Redis) is down: the exam page,
# answers and grades must keep working, so cache errors are logged and swallowed here. Presence
# recovers by itself with the next heartbeat once Redis is back.
CACHE_ERRORS = resilience.CACHE_ERRORS

FRESH_SECONDS = 30  # pings come every 5 s; grey well within a minute after the page closes


def _key(session_id):
    return f"presence:{session_id}"


def touch(session_id) -> None:
    try:
        cache.set(_key(session_id), clock.now().timestamp(), FRESH_SECONDS)
    except CACHE_ERRORS:
        logger.warning("Presence not recorded: the cache is unavailable", exc_info=True)


def online(session_ids) -> set[int]:
    """The sessions whose student has the exam page open now (one cache round trip)."""
    keys = {_key(pk): pk for pk in session_ids}
    if not keys:
        return set()
    now = clock.now().timestamp()
    try:
        seen_at = cache.get_many(list(keys))
    except CACHE_ERRORS:
        logger.warning("Presence unknown: the cache is unavailable", exc_info=True)
        return set()
    return {keys[key] for key, seen in seen_at.items() if now - seen < FRESH_SECONDS}

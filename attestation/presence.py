"""SLT-6: presence is the student's open exam page. While its live stream is open the process
serving it refreshes the mark every 10 s (attestation/live.py) and removes it when the stream
closes; a page that cannot stream polls its status every 5 s instead, and each poll refreshes a
shorter mark (POLLED_FRESH_SECONDS: three polls). Staff see green while the mark is fresh: their
table hears every change by push — a stream opening or closing, a first poll — and the slot's
stream sends the whole slot's presence every PRESENCE_EVERY seconds, which is how a page that
stopped polling turns grey. Stored in the cache — Redis when REDIS_URL is set, so every app
process sees the same presence."""

import logging

from django.core.cache import cache

from core import clock, resilience

logger = logging.getLogger(__name__)

# Presence is the one thing allowed to degrade when the cache (Redis) is down: the exam page,
# answers and grades must keep working, so cache errors are logged and swallowed here. Presence
# recovers by itself with the next heartbeat once Redis is back.
CACHE_ERRORS = resilience.CACHE_ERRORS

FRESH_SECONDS = 30  # refreshed every 10 s while the stream is open: two refreshes may be missed
POLLED_FRESH_SECONDS = 15  # a polling page asks every 5 s: grey after three missed polls


def _key(session_id):
    return f"presence:{session_id}"


def touch(session_id) -> None:
    try:
        cache.set(_key(session_id), clock.now().timestamp(), FRESH_SECONDS)
    except CACHE_ERRORS:
        logger.warning("Presence not recorded: the cache is unavailable", exc_info=True)


def touch_polled(session_id) -> bool:
    """A polling page's status request: its mark for POLLED_FRESH_SECONDS. True when the student was
    not online a moment ago, so staff must be told now."""
    now = clock.now().timestamp()
    try:
        seen = cache.get(_key(session_id))
        cache.set(_key(session_id), now, POLLED_FRESH_SECONDS)
    except CACHE_ERRORS:
        logger.warning("Presence not recorded: the cache is unavailable", exc_info=True)
        return False
    return seen is None or now - seen >= FRESH_SECONDS


def touch_many(session_ids) -> None:
    """The students whose stream is open in this process: one cache round trip for all of them."""
    stamp = clock.now().timestamp()
    try:
        cache.set_many({_key(pk): stamp for pk in session_ids}, FRESH_SECONDS)
    except CACHE_ERRORS:
        logger.warning("Presence not recorded: the cache is unavailable", exc_info=True)


def leave(session_id) -> None:
    """The student's page went away (its stream closed): grey at once, not 30 s later."""
    try:
        cache.delete(_key(session_id))
    except CACHE_ERRORS:
        logger.warning("Presence not cleared: the cache is unavailable", exc_info=True)


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

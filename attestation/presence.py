"""SLT-6: presence is a heartbeat. The student's open, visible exam page pings; staff see green
while the last ping is fresh. Stored in the cache — Redis when REDIS_URL is set, so every app
process sees the same presence."""

from django.core.cache import cache

from attestation import clock

FRESH_SECONDS = 30  # pings come every 5 s; grey well within a minute after the page closes


def _key(session_id):
    return f"presence:{session_id}"


def touch(session_id) -> None:
    cache.set(_key(session_id), clock.now().timestamp(), FRESH_SECONDS)


def online(session_ids) -> set[int]:
    """The sessions whose student has the exam page open now (one cache round trip)."""
    keys = {_key(pk): pk for pk in session_ids}
    if not keys:
        return set()
    now = clock.now().timestamp()
    return {keys[key] for key, seen in cache.get_many(list(keys)).items() if now - seen < FRESH_SECONDS}

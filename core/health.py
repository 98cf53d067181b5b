"""``/healthz`` and ``/readyz`` for the reverse proxy, systemd and any orchestrator.

- ``/healthz``: the process answers — nothing else is asked (no database, no Redis), so a slow
  database never gets a healthy process restarted.
- ``/readyz``: the process can do its work now. JSON with one entry per check, each ``ok`` and
  what it saw; 200 when every *required* check passes, 503 otherwise.

Which checks are required depends on the process: the pages need the database and its migrations
(with Redis down they still work, from the database: Redis is reported, not required); the live
streams (``serve_live``) need Redis too — without it they answer 503 and the pages poll. The task
queue's age (the oldest task that may run, waiting) is reported everywhere and required nowhere: a
stopped worker must not take the pages out of service; ``tasks.ok`` turns false past
``READY_MAX_TASK_AGE`` for monitoring to alert on (and the metrics carry the same age).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse

from core.metrics import gauge_source
from core.resilience import CACHE_ERRORS, DATABASE_ERRORS

logger = logging.getLogger(__name__)

Check = dict[str, Any]

_migrated = threading.Event()  # once every migration is applied it stays so for this code


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DATABASE_ERRORS as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "vendor": connection.vendor}


def connections_in_use() -> int | None:
    """The database server's connections to this database (PostgreSQL); None for SQLite."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        row = cursor.fetchone()
    return int(row[0]) if row else None


@gauge_source("attestation_database_connections", "Connections to the database server (PostgreSQL)")
def _connections_metric() -> dict[tuple[str, ...], float]:
    count = connections_in_use()
    return {} if count is None else {(): float(count)}


def check_migrations() -> Check:
    if _migrated.is_set():
        return {"ok": True}
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DATABASE_ERRORS as error:
        return {"ok": False, "error": type(error).__name__}
    if pending:
        return {"ok": False, "pending": len(pending)}
    _migrated.set()
    return {"ok": True}


def check_redis() -> Check | None:
    """None when Redis is not configured (nothing to check)."""
    if not settings.REDIS_URL:
        return None
    try:
        cache.get("readyz")  # the cache's own client: the connection the pages use
    except CACHE_ERRORS as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}


def check_tasks() -> Check:
    from core.tasks import oldest_ready_age

    try:
        age = oldest_ready_age()
    except DatabaseError as error:  # also the queue's table missing before the first migrate
        return {"ok": False, "error": type(error).__name__}
    return {"ok": age <= settings.READY_MAX_TASK_AGE, "oldest_ready_seconds": round(age, 1)}


def readiness(
    *, live: bool = False, extra: dict[str, Callable[[], Check]] | None = None
) -> tuple[bool, dict[str, Check]]:
    """(ready, checks). ``live``: the streams' process, for which Redis is required."""
    checks: dict[str, Check] = {"database": check_database()}
    checks["migrations"] = check_migrations() if checks["database"]["ok"] else {"ok": False}
    redis = check_redis()
    if redis is not None:
        checks["redis"] = redis
    checks["tasks"] = check_tasks() if checks["database"]["ok"] else {"ok": False}
    for name, check in (extra or {}).items():
        checks[name] = check()
    required = ["database", "migrations", *(["redis"] if live and redis is not None else []), *(extra or {})]
    return all(checks[name]["ok"] for name in required if name in checks), checks


def healthz(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("ok\n", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


def readyz(request: HttpRequest) -> HttpResponse:
    ready, checks = readiness()
    response = JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response

"""The task queue's upkeep: what django-tasks' database backend leaves to its users.

Tasks (imports, e-mails) run in ``manage.py db_worker`` processes — django-tasks-db's own worker. A
worker that is killed mid-task (an OOM kill, ``kill -9``, a machine that reboots) leaves its task
marked RUNNING for ever: the library keeps no lease. So every worker process renews a **lease** on
each task it runs, in the cache that all processes share (``caches["shared"]``: Redis, or files), from
a thread of its own; and every worker, every few seconds, looks for tasks whose lease has lapsed —
their worker is gone — and **recovers** them (:func:`recover_lost`): queued again while they have
runs left (``TASK_MAX_ATTEMPTS``; a task must be safe to run again: an import is one transaction,
an e-mail batch skips the mails already sent), otherwise marked failed with the reason, which the
monitor page shows and the ``task_finished`` signal announces (an import job is then failed too).

The pages run :func:`recover_lost` as well when an administrator watches a job or the monitor, so a
machine whose only worker died and came back idle still settles what the dead one left.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connections, transaction
from django.db.models import Count
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import task_backends
from django_tasks.base import TaskResultStatus
from django_tasks.signals import task_finished, task_started
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from core.metrics import gauge_source
from core.resilience import CACHE_ERRORS

logger = logging.getLogger(__name__)


class WorkerLost(Exception):
    """The worker running the task stopped (killed, crashed) before the task ended."""


def _lease_key(task_id: str) -> str:
    return f"tasks:lease:{task_id}"


def _shared() -> Any:
    return caches["shared"]


# --- the leases of this process's running tasks ---------------------------------------------------

_running: set[str] = set()
_running_lock = threading.Lock()
_watchdog: threading.Thread | None = None


def _renew(task_ids: list[str]) -> None:
    if not task_ids:
        return
    stamp = time.time()
    try:
        _shared().set_many({_lease_key(pk): stamp for pk in task_ids}, settings.TASK_LEASE_SECONDS)
    except CACHE_ERRORS:  # the next beat tries again; a lease only lapses after TASK_LEASE_SECONDS
        logger.warning("Task leases not renewed: the shared cache is unreachable", exc_info=True)


def _in_database(task_result: Any) -> bool:
    try:
        return isinstance(task_backends[task_result.backend], DatabaseBackend)
    except Exception:  # noqa: BLE001 — an unknown backend is not ours to lease
        return False


@receiver(task_started, dispatch_uid="core.tasks.lease")
def _take_lease(sender: Any, task_result: Any, **kwargs: Any) -> None:
    if not _in_database(task_result):
        return
    task_id = str(task_result.id)
    with _running_lock:
        _running.add(task_id)
    _renew([task_id])
    start_watchdog()


@receiver(task_finished, dispatch_uid="core.tasks.release")
def _release_lease(sender: Any, task_result: Any, **kwargs: Any) -> None:
    task_id = str(task_result.id)
    with _running_lock:
        if task_id not in _running:
            return
        _running.discard(task_id)
    try:
        _shared().delete(_lease_key(task_id))
    except CACHE_ERRORS:
        logger.warning("Task lease not released: the shared cache is unreachable", exc_info=True)


def _beat_every() -> float:
    return max(settings.TASK_LEASE_SECONDS / 3, 0.5)


def _watch() -> None:
    """Renew this process's leases; now and then recover what dead workers left (not at once: the
    process is still starting)."""
    next_recovery = time.monotonic() + settings.TASK_LEASE_SECONDS / 2
    while True:
        with _running_lock:
            running = list(_running)
        _renew(running)
        if time.monotonic() >= next_recovery:
            next_recovery = time.monotonic() + settings.TASK_LEASE_SECONDS / 2
            try:
                recover_lost()
            except Exception:  # noqa: BLE001 — the database is away for a moment: try at the next beat
                logger.warning("Lost tasks not recovered this time", exc_info=True)
            finally:
                connections.close_all()  # this thread's own: not held between two looks
        time.sleep(_beat_every())


def start_watchdog() -> None:
    global _watchdog
    with _running_lock:
        if _watchdog is not None and _watchdog.is_alive():
            return
        _watchdog = threading.Thread(target=_watch, name="task-lease", daemon=True)
        _watchdog.start()


def is_worker_process() -> bool:
    """``manage.py db_worker``: its watchdog starts with the process, not with its first task."""
    return sys.argv[1:2] == ["db_worker"]


# --- recovering the tasks of dead workers ---------------------------------------------------------


def _lease_lapsed(task_id: str) -> bool:
    try:
        return _shared().get(_lease_key(task_id)) is None
    except CACHE_ERRORS:  # cannot tell: never take a task from a worker that may still run it
        return False


def _shared_cache_works() -> bool:
    """A lease can only be missed in a cache that keeps what is written: a folder this process cannot
    write, or Redis away, would make every running task look abandoned."""
    try:
        _shared().set("tasks:probe", 1, 60)
        return bool(_shared().get("tasks:probe"))
    except CACHE_ERRORS:
        return False


def recover_lost() -> list[tuple[str, str]]:
    """Requeue or fail the RUNNING tasks whose worker is gone; returns (task id, "requeued"/"failed")."""
    started_before = timezone.now() - timedelta(seconds=settings.TASK_LEASE_SECONDS)
    suspects = list(
        DBTaskResult.objects.running().filter(started_at__lt=started_before).values_list("pk", flat=True)
    )
    if suspects and not _shared_cache_works():
        logger.error(
            "Cannot tell whether %s running tasks lost their worker: the shared cache fails", len(suspects)
        )
        return []
    done = []
    for pk in suspects:
        if not _lease_lapsed(str(pk)):
            continue
        outcome = _recover(pk, started_before)
        if outcome:
            done.append((str(pk), outcome))
    return done


def _recover(pk: Any, started_before: datetime) -> str | None:
    with transaction.atomic():
        row = DBTaskResult.objects.select_for_update().filter(pk=pk).first()
        if row is None or row.status != TaskResultStatus.RUNNING or row.started_at >= started_before:
            return None  # finished, or recovered by another process meanwhile
        if len(row.worker_ids) < settings.TASK_MAX_ATTEMPTS:
            row.status = TaskResultStatus.READY
            row.run_after = timezone.now()
            row.save(update_fields=["status", "run_after"])
            logger.warning("Task %s (%s): its worker stopped; queued again", pk, row.task_path)
            return "requeued"
        runs = len(row.worker_ids)
        row.set_failed(WorkerLost(f"the worker stopped during each of {runs} runs"))
    logger.error("Task %s (%s): its worker stopped %s times; marked failed", pk, row.task_path, runs)
    with contextlib.suppress(ImportError):  # the task's code is gone (an old release): nothing to tell
        task_finished.send(sender=DatabaseBackend, task_result=row.task_result)
    return "failed"


_last_page_recovery = 0.0


def recover_lost_now_and_then() -> None:
    """From a page someone watches: at most once per half lease per process."""
    global _last_page_recovery
    if time.monotonic() - _last_page_recovery < settings.TASK_LEASE_SECONDS / 2:
        return
    _last_page_recovery = time.monotonic()
    try:
        recover_lost()
    except Exception:  # noqa: BLE001 — the page shows what it can; the workers try again anyway
        logger.warning("Lost tasks not recovered from a page", exc_info=True)


# --- what the queue holds (readiness, metrics, the monitor) ---------------------------------------


def ready_tasks() -> Any:
    return DBTaskResult.objects.ready()


def oldest_ready_age() -> float:
    """Seconds the longest-waiting task that may run now has waited (0 when none waits)."""
    oldest = ready_tasks().order_by("enqueued_at").values_list("enqueued_at", "run_after").first()
    if oldest is None:
        return 0.0
    enqueued_at, run_after = oldest
    since = max(enqueued_at, run_after) if run_after.year < 9999 else enqueued_at
    return max(0.0, float((timezone.now() - since).total_seconds()))


def counts() -> dict[str, int]:
    """Tasks by state: ready (may run now), waiting (a retry's later time), running, failed."""
    rows = (
        DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
        .order_by()  # the model's ordering would split the groups
        .values("status")
        .annotate(n=Count("pk"))
    )
    statuses = {row["status"]: row["n"] for row in rows}
    ready = ready_tasks().count()
    return {
        "ready": ready,
        "waiting": statuses.get(TaskResultStatus.READY, 0) - ready,
        "running": statuses.get(TaskResultStatus.RUNNING, 0),
        "failed": DBTaskResult.objects.failed().count(),
    }


def recent_failures(limit: int = 10) -> list[DBTaskResult[Any, Any]]:
    return list(DBTaskResult.objects.failed().order_by("-finished_at")[:limit])


@gauge_source("attestation_tasks", "Tasks in the queue by state", ("state",))
def _tasks_metric() -> dict[tuple[str, ...], float]:
    return {(state,): float(n) for state, n in counts().items()}


@gauge_source("attestation_tasks_oldest_ready_age_seconds", "How long the oldest runnable task has waited")
def _age_metric() -> dict[tuple[str, ...], float]:
    return {(): oldest_ready_age()}

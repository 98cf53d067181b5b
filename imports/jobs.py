"""A confirmed import runs as a job; the administrator watches its progress (X-13).

**Where it runs.** In the task queue (django-tasks, database backend): confirming queues the job's
task (:func:`run_import`) in the same database as the job's row, and a worker process
(``manage.py db_worker``) runs it; the request answers at once with the job page, which polls. A
web worker's restart, or gunicorn's timeout, no longer touches a running import. A worker killed
mid-import loses nothing half-done — the import is one transaction, which the database rolls back —
and the job is not lost either: the queue notices the worker's lapsed lease and runs the task again
(``core.tasks``), up to ``TASK_MAX_ATTEMPTS`` runs; after the last the job is marked failed
(:func:`_task_finished`), and the page says so. Where the task backend runs tasks at once (the
tests' immediate backend), the job runs inside the confirm request. ``manage.py import_college``
runs synchronously and knows no job.

**All or nothing, yet visible progress.** The import is one transaction, so progress written in
the same database connection would stay invisible until the end. The progress therefore goes to
Django's cache, keyed by the job's id (:func:`progress_key`) — Redis in production, shared by all
app processes, so a poll may reach any of them. A second database connection was the alternative
and was rejected: SQLite (the default set-up) takes one writer at a time, so progress writes from
another connection would wait for the very transaction they report on, and on PostgreSQL each
running import would hold two connections. The job's row is written outside the transaction: once
before (running, the row count) and once after (the counts, or why it failed). The cache is the one
the worker shares with the web processes (``caches["shared"]``: Redis, or files on this machine).
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import asdict
from typing import Any

from django.core.cache import caches
from django.dispatch import receiver
from django.utils import timezone, translation
from django_tasks import task, task_backends
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import TaskResultStatus
from django_tasks.signals import task_finished

from core.resilience import CACHE_ERRORS
from core.tasks import recover_lost_now_and_then
from imports.entities import ENTITIES
from imports.models import ImportJob
from imports.tables import moving_rows, read_rows, row_reports

logger = logging.getLogger(__name__)

MAX_ERRORS_KEPT = 500
MAX_ROWS_REPORTED = 500  # a preview's rows kept for its page
PROGRESS_TIMEOUT = 3600  # seconds the cache keeps a job's progress


def progress_key(job_id) -> str:
    return f"imports:job:{job_id}"


def read_progress(job_id) -> dict | None:
    """{"stage", "done", "total"} of a running job, or None (not started, finished, or no cache).

    Someone is watching a job: a good moment to settle tasks whose worker died (``core.tasks``)."""
    recover_lost_now_and_then()
    try:
        return caches["shared"].get(progress_key(job_id))
    except CACHE_ERRORS:  # the cache is down: show no progress
        logger.warning("Import progress unavailable: the cache is unreachable", exc_info=True)
        return None


def _write_progress(job_id, stage: str, done: int, total: int) -> None:
    try:
        caches["shared"].set(
            progress_key(job_id), {"stage": stage, "done": done, "total": total}, PROGRESS_TIMEOUT
        )
    except CACHE_ERRORS:  # an import must not fail because the cache did
        logger.warning("Import progress not stored: the cache is unreachable", exc_info=True)


def runs_inline() -> bool:
    """The task backend runs each task inside the call that queues it (the tests')."""
    return isinstance(task_backends[run_import.backend], ImmediateBackend)


def start(job: ImportJob) -> None:
    """Queue the job's task (committed with the caller's transaction, if any)."""
    run_import.enqueue(str(job.pk))


@task()
def run_import(job_id: str) -> None:
    run(uuid.UUID(job_id))


@receiver(task_finished, dispatch_uid="imports.jobs.task_finished")
def _task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """The task failed without :func:`run` recording it (its worker stopped on every run): the job
    is failed too, so its page stops waiting and says so."""
    if task_result.status != TaskResultStatus.FAILED or task_result.task.func is not run_import.func:
        return
    job_id = uuid.UUID(task_result.args[0])
    unfinished = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    )
    if unfinished.update(
        status=ImportJob.Status.FAILED, failure=ImportJob.Failure.ERROR, finished_at=timezone.now()
    ):
        logger.error("Import job %s failed: its worker stopped on every run", job_id)


def run(job_id) -> None:
    """Read the file, import it in one transaction, and record the outcome on the job's row."""
    # Claim the job. A job already running is run again only when the queue has recovered its task
    # from a worker that stopped (core.tasks): that run was rolled back, so it starts afresh.
    if not ImportJob.objects.filter(
        pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    ).update(status=ImportJob.Status.RUNNING, started_at=timezone.now()):
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    started = time.perf_counter()
    try:
        with translation.override(job.language):
            _import(job)
    except Exception:
        logger.exception("Import job %s failed", job_id)
        try:
            _finish(job, ImportJob.Status.FAILED, failure=ImportJob.Failure.ERROR)
        except Exception:  # the database itself is gone: the page reports the job cut off in time
            logger.exception("Import job %s: the failure could not be recorded", job_id)
    finally:
        if not job.dry_run:  # a preview's file waits for the confirm (or the daily clean-up)
            job.path.unlink(missing_ok=True)
        try:
            caches["shared"].delete(progress_key(job_id))
        except Exception:  # noqa: BLE001
            logger.warning("Import progress not cleared: the cache is unreachable", exc_info=True)
    logger.info("Import job %s (%s rows) ran in %.1f s", job_id, job.total, time.perf_counter() - started)


def _import(job: ImportJob) -> None:
    entity = ENTITIES[job.kind]
    _write_progress(job.pk, "reading", 0, 0)
    rows, errors = read_rows(entity, job.path)
    job.total = len(rows)
    ImportJob.objects.filter(pk=job.pk).update(total=job.total)
    if not errors:

        def report(stage, done, total):
            _write_progress(job.pk, stage, done, total)

        outcome = entity.run(rows, actor=job.created_by, progress=report, by_name=True, dry_run=job.dry_run)
        errors = outcome.errors
        if job.dry_run and not errors:
            job.report = {
                "rows": [asdict(r) for r in row_reports(entity, outcome, MAX_ROWS_REPORTED)],
                "moves": [asdict(r) for r in moving_rows(entity, outcome)[:MAX_ROWS_REPORTED]],
            }
    if errors:
        _finish(job, ImportJob.Status.FAILED, failure=ImportJob.Failure.INVALID, errors=errors)
    else:
        _finish(
            job,
            ImportJob.Status.DONE,
            created=outcome.created,
            updated=outcome.updated,
            unchanged=outcome.unchanged,
        )


def _finish(job: ImportJob, status, *, failure="", errors=(), **counts) -> None:
    job.status, job.failure, job.finished_at = status, failure, timezone.now()
    job.errors = [{"row": e.row, "column": e.column, "message": e.message} for e in errors[:MAX_ERRORS_KEPT]]
    job.error_count = len(errors)
    for name, value in counts.items():
        setattr(job, name, value)
    job.save(
        update_fields=[
            "status",
            "failure",
            "finished_at",
            "errors",
            "error_count",
            "created",
            "updated",
            "unchanged",
            "report",
        ]
    )

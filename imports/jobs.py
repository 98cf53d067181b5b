"""A confirmed import runs as a job; the administrator watches its progress (X-13).

**Where it runs.** In a background thread of the web process that took the confirm, started once
the job's row is committed (``transaction.on_commit``). This deployment has no task queue (no
Celery, no worker processes), and an import is short — 10,000 students in seconds, the file limit
of 50,000 rows well under a minute — so a thread is enough: the request answers at once with the
job page, which polls. The thread is not a daemon, so a graceful restart lets a running import
finish; it closes its database connections when done (``connections.close_all``), because a
thread's connections are its own and would otherwise stay open until the server drops them.
A process killed mid-import loses the job, never half of it: the work is one transaction, which
the database rolls back; the page then reports the job as cut off once ``LOST_AFTER`` has passed.
Setting ``IMPORTS_RUN_INLINE = True`` runs the job inside the confirm request instead (the tests
do, so they stay deterministic). ``manage.py import_college`` runs synchronously and knows no job.

**All or nothing, yet visible progress.** The import is one transaction, so progress written in
the same database connection would stay invisible until the end. The progress therefore goes to
Django's cache, keyed by the job's id (:func:`progress_key`) — Redis in production, shared by all
app processes, so a poll may reach any of them. A second database connection was the alternative
and was rejected: SQLite (the default set-up) takes one writer at a time, so progress writes from
another connection would wait for the very transaction they report on, and on PostgreSQL each
running import would hold two connections. The job's row is written outside the transaction: once
before (running, the row count) and once after (the counts, or why it failed). Without a shared
cache (local memory with several processes) a poll answered by another process finds no progress
and shows an indeterminate bar until the row says the job is done.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from access.policy import access_for
from core.resilience import CACHE_ERRORS
from imports.entities import ENTITIES
from imports.models import ImportJob
from imports.sync import Outcome, RowError
from imports.tables import moving_rows, read_rows, row_reports

logger = logging.getLogger(__name__)

MAX_ERRORS_KEPT = 500
MAX_ROWS_REPORTED = 500  # a preview's rows kept for its page
PROGRESS_TIMEOUT = 3600  # seconds the cache keeps a job's progress


def progress_key(job_id) -> str:
    return f"imports:job:{job_id}"


def read_progress(job_id) -> dict | None:
    """{"stage", "done", "total"} of a running job, or None (not started, finished, or no cache)."""
    try:
        return cache.get(progress_key(job_id))
    except CACHE_ERRORS:  # the cache is down: show no progress
        logger.warning("Import progress unavailable: the cache is unreachable", exc_info=True)
        return None


def _write_progress(job_id, stage: str, done: int, total: int) -> None:
    try:
        cache.set(progress_key(job_id), {"stage": stage, "done": done, "total": total}, PROGRESS_TIMEOUT)
    except CACHE_ERRORS:  # an import must not fail because the cache did
        logger.warning("Import progress not stored: the cache is unreachable", exc_info=True)


def runs_inline() -> bool:
    return settings.IMPORTS_RUN_INLINE


def start(job: ImportJob) -> None:
    """Run the job: inline if ``IMPORTS_RUN_INLINE``, else in a thread once the job row is committed."""
    if runs_inline():
        run(job.pk)
        return

    def launch():
        threading.Thread(target=_thread_main, args=(job.pk,), name=f"import-{job.pk}").start()

    transaction.on_commit(launch)


def _thread_main(job_id) -> None:
    try:
        run(job_id)
    finally:
        connections.close_all()


def run(job_id) -> None:
    """Read the file, import it in one transaction, and record the outcome on the job's row."""
    # Claim the job: of two runs of the same job (cannot happen, but cheap to rule out) one works.
    if not ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    ):
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
            cache.delete(progress_key(job_id))
        except Exception:  # noqa: BLE001
            logger.warning("Import progress not cleared: the cache is unreachable", exc_info=True)
    logger.info("Import job %s (%s rows) ran in %.1f s", job_id, job.total, time.perf_counter() - started)


def _import(job: ImportJob) -> None:
    entity = ENTITIES[job.kind]
    if job.created_by is None or not access_for(job.created_by).can_import_college_data:
        # The right is asked when the job runs too: it may have been taken away since the upload.
        refused = RowError(0, "", _("Whoever started this import no longer holds the right to import."))
        _finish(job, ImportJob.Status.FAILED, failure=ImportJob.Failure.INVALID, errors=[refused])
        return
    _write_progress(job.pk, "reading", 0, 0)
    rows, errors = read_rows(entity, job.path)
    job.total = len(rows)
    ImportJob.objects.filter(pk=job.pk).update(total=job.total)
    job.report = {"looks_like": next((e.suggest_kind for e in errors if e.suggest_kind), "")}
    if not errors:

        def report(stage, done, total):
            _write_progress(job.pk, stage, done, total)

        outcome = entity.run(rows, actor=job.created_by, progress=report, by_name=True, dry_run=job.dry_run)
        errors = outcome.errors
        job.report["memberships"] = outcome.memberships[:MAX_ROWS_REPORTED]
        if job.dry_run and not errors:
            job.report["rows"] = [asdict(r) for r in row_reports(entity, outcome, MAX_ROWS_REPORTED)]
            job.report["moves"] = [asdict(r) for r in moving_rows(entity, outcome)[:MAX_ROWS_REPORTED]]
        if not job.dry_run and not errors and job.kind == "students":
            job.report["new_students"] = _new_students_by_group(outcome)
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
    job.errors = [e.as_dict(job.kind) for e in errors[:MAX_ERRORS_KEPT]]
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


def _new_students_by_group(outcome: Outcome) -> list[dict]:
    """The groups of the students this import created, with how many: the job's page offers their
    login sheets."""
    counts: dict[int, int] = {}
    for item in outcome.items:
        if item.status == "created":
            counts[item.obj.group_id] = counts.get(item.obj.group_id, 0) + 1
    from college.models import Group

    names = dict(Group.objects.filter(pk__in=counts).values_list("pk", "name"))
    return [
        {"group": pk, "name": names[pk], "count": n}
        for pk, n in sorted(counts.items(), key=lambda p: names[p[0]])
    ]

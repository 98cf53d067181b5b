"""#18.5: an upload previewed but never confirmed is deleted after a day.

Run by ``manage.py clean_imports`` (daily, from cron or a systemd timer) and on every new upload,
so a college without a scheduler keeps the folder small as well. A file whose import job is still
waiting or running is kept: the job deletes it when it has run.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from pathlib import Path

from imports.models import ImportJob, pending_dir

logger = logging.getLogger(__name__)

KEEP_UNCONFIRMED = timedelta(days=1)


def remove_stale_uploads(now: float | None = None) -> list[Path]:
    """Delete unconfirmed uploads older than :data:`KEEP_UNCONFIRMED`; returns what was deleted."""
    cutoff = (time.time() if now is None else now) - KEEP_UNCONFIRMED.total_seconds()
    old = [p for p in pending_dir().iterdir() if p.is_file() and p.stat().st_mtime < cutoff]
    if not old:
        return []
    busy = set(
        ImportJob.objects.filter(
            upload__in=[p.stem for p in old],
            status__in=(ImportJob.Status.QUEUED, ImportJob.Status.RUNNING),
        ).values_list("upload", flat=True)
    )
    removed = []
    for path in old:
        if path.stem in busy:
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    if removed:
        logger.info("Removed %s unconfirmed import uploads", len(removed))
    return removed

"""The import engine's data: the college's external IDs, and the import jobs (X-12, X-13).

``ExternalRef`` instead of an ``external_id`` column on every college model: the college domain
stays free of integration concerns, and one table answers "which row is the college's ID X of
kind K" for the API upserts, the file import and the exports alike. A row of a kind has at most
one external ID and an external ID names at most one row (both pairs are unique).

A confirmed import is run as a job whose state the administrator watches. Its row holds what
outlives the run: who started it, its state, the row count, the result counts or why it failed.
The live progress while it runs is in the cache (see ``imports.jobs``).
"""

import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A job still running this long after it started was cut off and nobody recovered it (no worker
# runs any more — the queue requeues or fails a task whose worker died, imports.jobs): the
# transaction never committed, so nothing was imported. 50,000 rows take well under a minute.
# A job waiting in the queue is never "lost": it runs when a worker is there.
LOST_AFTER = timedelta(minutes=30)


def pending_dir() -> Path:
    """The private folder where uploads wait from the preview until their import has run."""
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("In progress")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    class Failure(models.TextChoices):
        INVALID = "invalid"  # the rows did not pass (the data changed since the preview)
        ERROR = "error"  # an unexpected exception (logged)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The preview's upload token: one import job per upload, so a double click starts one import
    # (and one preview job: the dry run whose report the preview page shows).
    upload = models.CharField(max_length=32)
    # A preview: the whole import checked and compared in a transaction rolled back at the end.
    dry_run = models.BooleanField(default=False)
    # A preview's rows as the page shows them (the first rows, and every move to another parent).
    report = models.JSONField(default=dict, blank=True)
    kind = models.CharField(max_length=30)
    file_name = models.CharField(max_length=255)
    # The language of the administrator who confirmed: the job's messages are written in it.
    language = models.CharField(max_length=5, default=settings.LANGUAGE_CODE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failure = models.CharField(max_length=10, choices=Failure.choices, blank=True)
    # The first row errors ({"row", "column", "message"}) and how many there were in all.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["upload", "dry_run"], name="one_job_per_upload")]

    def __str__(self):
        return f"{self.kind}: {self.file_name} ({self.status})"

    @property
    def path(self) -> Path:
        """The uploaded file, waiting in the private folder until the job has run."""
        return pending_dir() / f"{self.upload}{Path(self.file_name).suffix.lower()}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED) or self.lost

    @property
    def status_label(self):
        return self.Status.FAILED.label if self.lost else self.get_status_display()

    @property
    def lost(self) -> bool:
        """Running long after it started: its process ended mid-run and nothing was saved."""
        started = self.started_at or self.created_at
        return self.status == self.Status.RUNNING and timezone.now() - started > LOST_AFTER


class ExternalRef(models.Model):
    """The college's external ID of one row of one kind (kind is an entity name, e.g. "students")."""

    kind = models.CharField(_("kind"), max_length=30)
    external_id = models.CharField(_("external ID"), max_length=64)
    object_id = models.BigIntegerField(_("object id"))

    class Meta:
        db_table = "api_externalref"  # its table from before the import engine left api/ (#17.4)
        constraints = [
            models.UniqueConstraint(fields=["kind", "external_id"], name="uniq_external_id"),
            models.UniqueConstraint(fields=["kind", "object_id"], name="uniq_external_object"),
        ]
        verbose_name = _("external reference")
        verbose_name_plural = _("external references")

    def __str__(self):
        return f"{self.kind}:{self.external_id} → {self.object_id}"

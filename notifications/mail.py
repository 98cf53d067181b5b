"""Notification e-mails leave through the task queue (X-10, NTF-1).

:func:`notifications.services.notify` marks each row that has an address ``queued`` and, once its
transaction commits, queues ONE task for all of them (:func:`send_mails`) — notifying a slot of 300
students costs the teacher's request one row in the queue, not 300 SMTP conversations. The worker
sends them over one SMTP connection, each in its recipient's language, and marks each row ``sent``.
The rows that failed are tried again by a new task after ``EMAIL_RETRY_SECONDS[0]`` seconds, then
after the next delay, and so on; a mail still failing after the last delay — or refused for good
by the server (an address that does not exist) — is marked ``failed`` with the server's reason, and
the monitor page lists it for the administrators. A task that runs again (its worker was killed and
the queue recovered it) sends only the rows still ``queued``: nobody gets a mail twice from it.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task, task_backends

from core.metrics import MAILS, gauge_source
from notifications.models import Notification

logger = logging.getLogger(__name__)

Mail = Notification.Mail


def queue(notification_ids: list[int]) -> None:
    """Send these notifications' e-mails through the queue once the current transaction commits."""
    if notification_ids:
        transaction.on_commit(lambda: send_mails.enqueue(notification_ids, 1))


def _later(attempt: int) -> Any:
    """``send_mails`` deferred by the delay before ``attempt`` — at once where the backend cannot
    defer (the tests' immediate backend: attempts are few, so the recursion is bounded)."""
    delay = settings.EMAIL_RETRY_SECONDS[attempt - 2]
    if not task_backends[send_mails.backend].supports_defer:
        return send_mails
    return send_mails.using(run_after=timezone.now() + timedelta(seconds=delay))


def _refused_for_good(error: Exception) -> bool:
    """The server refused the address or the message itself: sending again changes nothing."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600


def _reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:300]


@task()
def send_mails(notification_ids: list[int], attempt: int) -> dict[str, int]:
    """Send the e-mails of these notifications still waiting; retry the failures later."""
    from notifications.services import email_for

    rows = list(
        Notification.objects.filter(pk__in=notification_ids, mail=Mail.QUEUED).select_related("recipient")
    )
    sent, retry, failed = [], [], {}
    Notification.objects.filter(pk__in=[row.pk for row in rows]).update(mail_attempts=F("mail_attempts") + 1)
    try:
        with get_connection() as connection:
            for row in rows:
                try:
                    connection.send_messages([email_for(row.recipient, row)])
                    sent.append(row.pk)
                except (smtplib.SMTPException, OSError) as error:
                    if _refused_for_good(error):
                        failed[row.pk] = _reason(error)
                    else:
                        retry.append((row.pk, _reason(error)))
    except (smtplib.SMTPException, OSError) as error:  # the server itself: unreachable, refused the login
        done = set(sent) | set(failed) | {pk for pk, _ in retry}
        retry += [(row.pk, _reason(error)) for row in rows if row.pk not in done]
        logger.warning("Mail server unavailable for %s e-mails: %s", len(rows) - len(done), error)
    _record(sent, retry, failed, attempt)
    return {"sent": len(sent), "retried": len(retry), "failed": len(failed)}


def _record(sent: list[int], retry: list[tuple[int, str]], failed: dict[int, str], attempt: int) -> None:
    now = timezone.now()
    Notification.objects.filter(pk__in=sent).update(mail=Mail.SENT, mailed_at=now, mail_error="")
    MAILS.labels("sent").inc(len(sent))
    last = attempt > len(settings.EMAIL_RETRY_SECONDS)
    if retry and last:
        failed.update(retry)
        retry = []
    for pk, reason in retry:
        Notification.objects.filter(pk=pk).update(mail_error=reason)
    for pk, reason in failed.items():
        Notification.objects.filter(pk=pk).update(mail=Mail.FAILED, mail_error=reason)
    if failed:
        MAILS.labels("failed").inc(len(failed))
        logger.error("%s notification e-mails could not be sent (attempt %s)", len(failed), attempt)
    if retry:
        MAILS.labels("retried").inc(len(retry))
        _later(attempt + 1).enqueue([pk for pk, _ in retry], attempt + 1)


def waiting() -> int:
    return Notification.objects.filter(mail=Mail.QUEUED).count()


def failed_count() -> int:
    return Notification.objects.filter(mail=Mail.FAILED).count()


def failures(limit: int = 10) -> Iterable[Notification]:
    return (
        Notification.objects.filter(mail=Mail.FAILED)
        .select_related("recipient")
        .order_by("-created_at")[:limit]
    )


@gauge_source(
    "attestation_mails_pending", "Notification e-mails by state: waiting to be sent, failed", ("state",)
)
def _mails_metric() -> dict[tuple[str, ...], float]:
    return {
        ("queued",): float(waiting()),
        ("failed",): float(failed_count()),
    }

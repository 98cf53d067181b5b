"""In-app notifications (X-10): one row per recipient, rendered in the viewer's language."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications import kinds


class Notification(models.Model):
    """A message to one user. ``kind`` + ``params`` become text at display time (``kinds.render``)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=50)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Mail(models.TextChoices):
        """The e-mail of the notification (notifications/mail.py): none when the user has no address."""

        NONE = "", _("no e-mail")
        QUEUED = "queued", _("waiting to be sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("could not be sent")

    mail = models.CharField(_("e-mail"), max_length=10, choices=Mail.choices, default=Mail.NONE, blank=True)
    mail_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    mail_error = models.CharField(_("e-mail error"), max_length=300, blank=True)
    mailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_read_idx"),
            # The monitor counts the mails waiting and failed; only those rows are indexed.
            models.Index(
                fields=["mail"],
                name="notif_mail_pending_idx",
                condition=models.Q(mail__in=["queued", "failed"]),
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return f"{self.recipient_id} · {self.kind} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def text(self) -> str:
        """The message in the active language."""
        return kinds.render(self)

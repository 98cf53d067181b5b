"""Sending notifications (X-10): in-app rows, and e-mail to those with an address.

Call :func:`notify` inside the transaction of the change it announces: the rows commit or roll back
with it, and the e-mails are queued only after the commit (they leave from the task worker:
``notifications.mail``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from notifications import kinds, mail
from notifications.models import Notification

logger = logging.getLogger(__name__)


def _check_link(link: str) -> str:
    link = link or ""
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link):
        raise ValueError(f"Notification link must be a site-relative URL, got {link!r}.")
    return link


def notify(
    *, recipients: Iterable, kind: str, params: Mapping[str, Any] | None, link: str = ""
) -> list[Notification]:
    """Create one notification per recipient and e-mail those with an address after commit.

    ``recipients``: users (a queryset or any iterable; duplicates are dropped). ``kind``: a key of
    ``notifications.kinds.KINDS``. ``params``: the placeholder values; aware datetimes go under keys
    ending in ``_at`` (see ``notifications.kinds``). ``link``: a site-relative URL, e.g.
    ``reverse("attestation:my_exams")``. Returns the created rows.
    """
    if kind not in kinds.KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    link = _check_link(link)
    encoded = kinds.encode_params(params)
    users = list({user.pk: user for user in recipients}.values())
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=kind,
                params=encoded,
                link=link,
                mail=Notification.Mail.QUEUED if user.email else Notification.Mail.NONE,
            )
            for user in users
        ]
    )
    mail.queue([row.pk for row in rows if row.mail == Notification.Mail.QUEUED])
    return rows


def absolute_link(link: str) -> str | None:
    """A site-relative link as an address a mail reader can open, from ``SITE_URL`` (#16.8).

    None when ``SITE_URL`` is missing or not absolute (``check --deploy`` fails then): an e-mail
    carries no link rather than a path that opens nothing."""
    from notifications.checks import site_url_problem

    site = settings.SITE_URL
    if site_url_problem(site):
        logger.error("Notification e-mail sent without its link: SITE_URL is not a usable address")
        return None
    return site.rstrip("/") + link


def email_for(user, notification: Notification) -> EmailMessage:
    """The e-mail of one notification, in the recipient's own language."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = _("Online attestation")
        body = notification.text
        link = absolute_link(notification.link) if notification.link else None
        if link:
            body += "\n\n" + _("Open in the college information system: %(link)s") % {"link": link}
    return EmailMessage(subject=subject, body=body, to=[user.email])

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttestationConfig(AppConfig):
    name = "attestation"
    verbose_name = _("Online intermediate attestation")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from access.signals import sessions_ended
        from attestation.services import membership
        from college.signals import students_moved

        students_moved.connect(membership.on_students_moved, dispatch_uid="attestation.membership")

        # A live stream ends with its login (attestation.live_logins).
        user_logged_out.connect(_logged_out, dispatch_uid="live-streams-logout")
        sessions_ended.connect(_sessions_ended, dispatch_uid="live-streams-sessions-ended")


def _logged_out(sender: Any, request: Any, **kwargs: Any) -> None:
    from attestation import live_logins

    session = getattr(request, "session", None)
    live_logins.end_login(session.session_key if session is not None else None)


def _sessions_ended(sender: Any, user: Any, keep_session_key: str | None = None, **kwargs: Any) -> None:
    from attestation import live_logins

    live_logins.end_user(user.pk, keep_session_key=keep_session_key)

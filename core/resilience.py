"""A database that drops its connections (a restart at 10:05) costs one polite retry, not a traceback.

:class:`DatabaseUnavailableMiddleware` answers a request that hit ``OperationalError`` or
``InterfaceError`` with 503 and a translated "try again" — JSON for the exam page's autosave and
other ``fetch`` calls, a small HTML page otherwise — and closes the broken connection so the next
request opens a fresh one. Nothing was written by the failed request (its transaction never
committed), and the exam page keeps the draft in the browser and re-sends it.

It sits first in ``MIDDLEWARE``: view errors arrive through ``process_exception``; an error in
another middleware (the session saved on the way out) becomes Django's 500 response before it
reaches us, so a ``got_request_exception`` receiver marks the request and the 500 is replaced.
"""

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)

# What a cache (Redis) that is down raises. Presence, live updates and the roles cache degrade on
# these — the pages, answers and grades keep working from the database.
CACHE_ERRORS = (OSError, RedisError)


def _close_broken_connections() -> None:
    """Close connections that failed and are no longer usable; healthy ones are left alone."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        try:
            usable = not conn.errors_occurred or conn.is_usable()
        except Exception:  # noqa: BLE001 — a dead socket may fail in any way while being probed
            usable = False
        if not usable:
            try:
                conn.close()
            except DATABASE_ERRORS:
                conn.connection = None


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return (
        request.content_type == "application/json"
        or ("application/json" in accept and "text/html" not in accept)
        or request.path.startswith("/api/")
    )


def busy_response(request: HttpRequest) -> HttpResponse:
    message = _("The service is busy for a moment. Nothing was lost — try again.")
    # core.observability gives every request its id: support finds the request's log lines by it.
    request_id = getattr(request, "request_id", "")
    if wants_json(request):
        response: HttpResponse = JsonResponse(
            {"error": message, "retry": True, "request_id": request_id}, status=503
        )
    else:
        title = _("Try again in a moment")
        again = _("Try again")
        reference = (
            f"<p>{escape(_('If you tell support about it, quote this reference:'))} "
            f'<code class="request-id">{escape(request_id)}</code></p>'
            if request_id
            else ""
        )
        response = HttpResponse(
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
            f"<body><main><h1>{escape(title)}</h1><p>{escape(message)}</p>"
            f'<p><a href="{escape(request.get_full_path())}">{escape(again)}</a></p>{reference}'
            "</main></body></html>",
            status=503,
        )
    response["Retry-After"] = "2"
    return response


@receiver(got_request_exception, dispatch_uid="core.resilience.mark_database_error")
def _mark_database_error(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        request._database_unavailable = True  # type: ignore[attr-defined]  # read by the middleware below


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "_database_unavailable", False):
            _close_broken_connections()
            return busy_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.warning("Database unavailable during %s %s: %s", request.method, request.path, exception)
        _close_broken_connections()
        return busy_response(request)

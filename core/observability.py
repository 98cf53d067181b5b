"""What a request leaves behind for the people who run the service: its id, one log line, its latency.

**Request id.** Taken from ``X-Request-ID`` when the proxy sets one (nginx: ``$request_id``) and it
looks like an id, otherwise made here; sent back in the response's ``X-Request-ID`` and shown on the
500 and 503 pages, so a student or teacher can quote it and support finds the request's log lines.

**Logs.** Every record logged while a request runs carries its ``request_id``, ``user_id`` and
``view`` (:class:`RequestContextFilter`, through a context variable: threads and coroutines keep
their own); at the end the middleware writes one line for the request itself (logger
``attestation.requests``) with ``status`` and ``duration_ms``. ``config/settings.py`` formats
records as one JSON object a line (python-json-logger).

**Latency.** The same measurement goes into the ``attestation_request_duration_seconds`` histogram,
by view name (the URL's name, so ``/sessions/17/`` and ``/sessions/18/`` are one series).
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.functional import empty

from core.metrics import REQUEST_LATENCY

logger = logging.getLogger("attestation.requests")

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
# Addresses whose requests are not the users' (probes, scrapes): measured, but logged only on error.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


@dataclass
class RequestContext:
    request_id: str
    user_id: int | None = None
    view: str = ""
    extra: dict[str, object] = field(default_factory=dict)


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("request", default=None)


def current_request_id() -> str:
    context = _current.get()
    return context.request_id if context else ""


def request_id_for(request: HttpRequest) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _ACCEPTABLE_ID.match(given) else uuid.uuid4().hex


class RequestContextFilter(logging.Filter):
    """Adds the running request's id, user and view to every record (empty outside a request).

    Django logs a 4xx/5xx answer ("Not Found: …") once the middleware has returned: that record
    carries the request itself, whose id the middleware left on it."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        request = getattr(record, "request", None)
        for name, value in (
            ("request_id", context.request_id if context else getattr(request, "request_id", "")),
            ("user_id", context.user_id if context else None),
            ("view", context.view if context else ""),
        ):
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return str(match.view_name or match._func_path)


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    # Only a user already loaded by the request: reading it here must not cost a query.
    if user is None or getattr(user, "_wrapped", None) is empty or not user.is_authenticated:
        return None
    pk: int | None = user.pk
    return pk


class RequestObservabilityMiddleware:
    """Outermost middleware: gives the request its id and, once answered, measures and logs it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        context = RequestContext(request_id=request_id_for(request))
        request.request_id = context.request_id  # type: ignore[attr-defined]
        token = _current.set(context)
        try:
            response = self.get_response(request)
            context.view = _view_name(request)
            context.user_id = _user_id(request)
            duration = time.perf_counter() - started
            REQUEST_LATENCY.labels(context.view, request.method or "", str(response.status_code)).observe(
                duration
            )
            response[REQUEST_ID_HEADER] = context.request_id
            self._log(request, response.status_code, duration)
            return response
        finally:
            _current.reset(token)

    def _log(self, request: HttpRequest, status: int, duration: float) -> None:
        if request.path in QUIET_PATHS and status < 500:
            return
        level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
        logger.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            status,
            extra={"status": status, "duration_ms": round(duration * 1000, 1), "method": request.method},
        )


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 page, with the request id to quote (``handler500``); no database, no context."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"request_id": current_request_id()}))

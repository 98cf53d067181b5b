"""The live streams on ASGI workers (#15): ``/attestation/sessions/<id>/events/`` (a student's exam
page) and ``/attestation/slots/<id>/events/`` (the slot's live table).

A stream lives for the whole exam, so it is served here, beside Django's ASGI application rather
than through it: Django would run its (synchronous) middleware for each stream in a thread of its
own and keep that thread for as long as the stream is open — 2,000 streams, 2,000 idle threads. Here a
stream costs a coroutine and a queue; only opening it runs in a thread: the session cookie read
the way Django reads it, the user checked the way every view checks (``live.open_student`` /
``live.open_staff`` ask the policy), then the events of :class:`attestation.live.LiveStream` until the
browser goes away (``http.disconnect``) or this process loses Redis (the page reconnects and
catches up).

``/healthz``, ``/readyz`` and ``/metrics`` of this process are answered here too
(:func:`operations`): the readiness of the streams needs Redis, and the hub's subscription to it.

Everything else goes on to Django (``config/asgi.py``).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from importlib import import_module
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user
from django.db import close_old_connections
from django.http import HttpRequest, parse_cookie
from django.http.request import split_domain_port, validate_host
from prometheus_client import CONTENT_TYPE_LATEST

from attestation import live
from core import health, metrics

if TYPE_CHECKING:
    from access.models import User

# ASGI, as Django's ASGIHandler takes it: the scope, and the messages received and sent.
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
Application = Callable[[Scope, Receive, Send], Awaitable[None]]
# ``live.open_student`` / ``live.open_staff``: the stream this user may open, or None (→ 404).
Opener = Callable[["User", int], live.Opened | None]

ROUTES: tuple[tuple[re.Pattern[str], Opener], ...] = (
    (re.compile(r"^/attestation/sessions/(\d+)/events/$"), live.open_student),
    (re.compile(r"^/attestation/slots/(\d+)/events/$"), live.open_staff),
)


def route(path: str) -> tuple[Opener, int] | None:
    for pattern, opener in ROUTES:
        found = pattern.match(path)
        if found:
            return opener, int(found.group(1))
    return None


def _header(scope: Scope, name: bytes) -> str:
    headers: Iterable[tuple[bytes, bytes]] = scope.get("headers", ())
    for key, value in headers:
        if key == name:
            return value.decode("latin1")
    return ""


def _open(opener: Opener, pk: int, cookie_header: str) -> tuple[int, live.Opened | None]:
    """In a worker thread: who is asking, and may they (the same rules as the pages)."""
    close_old_connections()
    try:
        request = HttpRequest()
        request.COOKIES = parse_cookie(cookie_header)
        engine = import_module(settings.SESSION_ENGINE)
        request.session = engine.SessionStore(request.COOKIES.get(settings.SESSION_COOKIE_NAME))
        user = get_user(request)
        if not user.is_authenticated:
            return 403, None
        opened = opener(user, pk)
        return (200, opened) if opened is not None else (404, None)
    finally:
        close_old_connections()


async def _refuse(send: Send, status: int) -> None:
    await send(
        {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]}
    )
    await send({"type": "http.response.body", "body": b""})


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def serve(scope: Scope, receive: Receive, send: Send, opener: Opener, pk: int) -> None:
    host, _port = split_domain_port(_header(scope, b"host"))
    if not host or not validate_host(host, settings.ALLOWED_HOSTS) or scope.get("method") != "GET":
        await _refuse(send, 400)
        return
    hub = live.hub()
    for _ in range(20):  # a process that has just started connects to Redis within a moment
        if hub.healthy:
            break
        hub.start()
        await asyncio.sleep(0.1)
    else:
        await _refuse(send, 503)  # Redis is away: the page polls until it is back
        return
    status, opened = await sync_to_async(_open, thread_sensitive=False)(opener, pk, _header(scope, b"cookie"))
    if opened is None:
        await _refuse(send, status)
        return
    stream = live.LiveStream(opened)
    inbox = stream.attach(asyncio.get_running_loop()).inbox
    gone = asyncio.ensure_future(_disconnected(receive))
    getter = None
    try:
        headers = [(k.lower().encode(), v.encode()) for k, v in live.HEADERS.items()]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": stream.first(), "more_body": True})
        while True:
            if getter is None:
                getter = asyncio.ensure_future(inbox.get())
            done, _ = await asyncio.wait(
                {getter, gone}, timeout=stream.wait(), return_when=asyncio.FIRST_COMPLETED
            )
            if gone in done:
                break
            if getter in done:
                item, getter = getter.result(), None
                if item is None:  # the hub lost Redis: end; the browser reconnects
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                    break
                chunk = stream.event(item)
            else:
                chunk = stream.due()
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
    finally:
        for task in (getter, gone):
            if task is not None:
                task.cancel()
        await sync_to_async(stream.detach, thread_sensitive=False)()


# --- operations: health and metrics of this process, answered here (no Django middleware, no thread
# for /healthz) so a process whose threads are all busy opening streams still says it is alive ---


async def _answer(send: Send, status: int, body: bytes, content_type: str) -> None:
    headers = [(b"content-type", content_type.encode()), (b"cache-control", b"no-store")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _hub_check() -> health.Check:
    """The streams need the hub's subscription to Redis: without it they answer 503."""
    hub = live.hub()
    return {"ok": hub.healthy, "streams": sum(len(s) for s in list(hub.by_channel.values()))}


def _readiness() -> tuple[bool, dict[str, health.Check]]:
    close_old_connections()
    try:
        return health.readiness(live=True, extra={"hub": _hub_check})
    finally:
        close_old_connections()


async def operations(scope: Scope, send: Send) -> bool:
    """``/healthz``, ``/readyz``, ``/metrics`` of the live process; False for any other path."""
    path = scope.get("path", "")
    if path == "/healthz":
        await _answer(send, 200, b"ok\n", "text/plain")
    elif path == "/readyz":
        ready, checks = await sync_to_async(_readiness, thread_sensitive=False)()
        body = json.dumps({"ready": ready, "checks": checks}).encode()
        await _answer(send, 200 if ready else 503, body, "application/json")
    elif path == "/metrics":
        if not metrics.authorised(_header(scope, b"authorization")):
            await _answer(send, 404, b"", "text/plain")
        else:
            body = await sync_to_async(metrics.exposition, thread_sensitive=False)()
            await _answer(send, 200, body, CONTENT_TYPE_LATEST)
    else:
        return False
    return True


def with_streams(django_application: Application) -> Application:
    """``config/asgi.py``: the streams and the operations' addresses here, every other request to Django."""

    live.hub().start()  # subscribed to Redis before the first page asks

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            found = route(scope.get("path", ""))
            if found is not None:
                await serve(scope, receive, send, *found)
                return
            if await operations(scope, send):
                return
        await django_application(scope, receive, send)

    return application

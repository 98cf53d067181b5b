"""Live streams belong to a login (X-10, SLT-6; attestation/live_logins.py): a few per login and
per user — a new one closes the oldest — and a stream ends when its login ends (logout, a staff
password reset, one's own password change elsewhere, expiry), its student's presence going grey.
Both carriers: the ASGI workers (``serve_live``) and the development server."""

import asyncio
import datetime
import json

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.core.asgi import get_asgi_application
from django.test import Client
from django.urls import reverse

from access import login_help
from attestation import live, live_logins, presence
from attestation.live_asgi import with_streams
from tests.attestation.conftest import at
from tests.attestation.test_live import _scope, prepare, run_apart, session_of

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass12345"


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def cookie_of(client, settings):
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class Stream:
    """One open stream on the ASGI application, read event by event (keep-alives skipped)."""

    def __init__(self, app, path, cookie):
        self.communicator = ApplicationCommunicator(app, _scope(path, cookie))
        self.ended = False

    async def open(self):
        await self.communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
        start = await self.communicator.receive_output(5)
        assert start["status"] == 200, start
        assert (await self.next())[0] == "hello"
        return self

    async def next(self, timeout=5):
        """The next event but keep-alives, within ``timeout`` seconds in all (else TimeoutError)."""
        return await asyncio.wait_for(self._next(), timeout)

    async def _next(self):
        while True:
            message = await self.communicator.receive_output(10)
            assert message["type"] == "http.response.body", message
            self.ended = not message.get("more_body", False)
            text = message["body"].decode()
            if not text.strip() and self.ended:
                return "end", {}
            chunks = [c for c in text.split("\n\n") if c.startswith("event: ")]
            chunks = [c for c in chunks if not c.startswith("event: clock")]
            if chunks:
                event, data = chunks[-1].split("event: ", 1)[1].split("\ndata: ", 1)
                return event, json.loads(data)

    async def close(self):
        await self.communicator.send_input({"type": "http.disconnect"})
        await self.communicator.wait(5)


def _exam(scheduled, clock, settings):
    settings.LIVE_KEEPALIVE_SECONDS = 1
    slot = prepare(scheduled)
    clock.move_to(at(1, 10, 1))
    mine = session_of(scheduled, slot)
    return slot, mine, f"/attestation/sessions/{mine.pk}/events/"


@pytest.mark.req("X-10", "SLT-6")
def test_asgi_one_login_holds_a_few_streams_a_new_one_closes_the_oldest(scheduled, clock, settings):
    """The pen test held ~1,925 streams with one session; now the 3rd of a limit of 2 closes the 1st."""
    settings.LIVE_STREAMS_PER_LOGIN = 2
    _slot, mine, path = _exam(scheduled, clock, settings)
    cookie = cookie_of(browser(scheduled.users["student"]), settings)
    app = with_streams(get_asgi_application())

    async def scenario():
        first = await Stream(app, path, cookie).open()
        second = await Stream(app, path, cookie).open()
        third = await Stream(app, path, cookie).open()
        event, told = await first.next()
        assert (event, told["reason"]) == ("bye", "replaced") and first.ended
        await first.communicator.wait(5)
        assert await sync_to_async(presence.online)([mine.pk]) == {mine.pk}  # still there: newer streams
        for stream in (second, third):
            assert not stream.ended
            await stream.close()

    run_apart(scenario())


@pytest.mark.req("X-10", "SLT-6")
def test_asgi_a_user_holds_a_few_streams_over_all_logins(scheduled, clock, settings):
    settings.LIVE_STREAMS_PER_LOGIN, settings.LIVE_STREAMS_PER_USER = 4, 2
    _slot, _mine, path = _exam(scheduled, clock, settings)
    cookies = [cookie_of(browser(scheduled.users["student"]), settings) for _ in range(3)]
    app = with_streams(get_asgi_application())

    async def scenario():
        streams = [await Stream(app, path, cookie).open() for cookie in cookies]
        event, told = await streams[0].next()
        assert (event, told["reason"]) == ("bye", "replaced") and streams[0].ended
        for stream in streams[1:]:
            await stream.close()

    run_apart(scenario())


@pytest.mark.req("X-10", "SLT-6")
@pytest.mark.parametrize("how", ["logout", "staff reset", "expiry"])
def test_asgi_stream_ends_with_its_login_and_presence_goes_grey(scheduled, clock, settings, how):
    """The pen test: after logout and a staff password reset the stream kept delivering events and
    the teacher still saw the student online."""
    slot, mine, path = _exam(scheduled, clock, settings)
    student = browser(scheduled.users["student"])
    cookie = cookie_of(student, settings)
    app = with_streams(get_asgi_application())
    staff = live.Subscription((live.staff_channel(slot.pk),))
    live.hub().subscribe(staff)

    def end_login():
        if how == "logout":
            assert student.post(reverse("logout")).status_code == 302
        elif how == "staff reset":
            login_help.reset_password(
                actor=scheduled.users["teacher"], student=scheduled.users["student"].student
            )
        else:  # the login's 8 hours pass (SESSION_COOKIE_AGE)
            clock.move_to(at(1, 10, 1) + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))

    async def scenario():
        stream = await Stream(app, path, cookie).open()
        assert await sync_to_async(presence.online)([mine.pk]) == {mine.pk}
        await sync_to_async(end_login)()
        event, told = await stream.next()
        assert (event, told["reason"]) == ("bye", "ended") and stream.ended
        await stream.communicator.wait(5)
        assert await sync_to_async(presence.online)([mine.pk]) == set()

    try:
        run_apart(scenario())
        told = []
        while not staff.inbox.empty():
            told.append(json.loads(staff.inbox.get_nowait()[2]))
        assert told[-1]["event"] == "presence" and told[-1]["online"] is False  # grey on the live table
    finally:
        live.hub().unsubscribe(staff)


@pytest.mark.req("X-10", "SLT-6")
def test_asgi_own_password_change_ends_the_other_logins_streams_and_keeps_this_one(
    scheduled, clock, settings
):
    _slot, _mine, path = _exam(scheduled, clock, settings)
    here, phone = browser(scheduled.users["student"]), browser(scheduled.users["student"])
    cookies = cookie_of(here, settings), cookie_of(phone, settings)
    app = with_streams(get_asgi_application())

    def change():
        form = {
            "old_password": PASSWORD,
            "new_password1": "Qz7-long-new-pass",
            "new_password2": "Qz7-long-new-pass",
        }
        assert here.post(reverse("password_change"), form).status_code == 302

    async def scenario():
        mine = await Stream(app, path, cookies[0]).open()
        other = await Stream(app, path, cookies[1]).open()
        await sync_to_async(change)()
        event, told = await other.next()
        assert (event, told["reason"]) == ("bye", "ended") and other.ended
        with pytest.raises(asyncio.TimeoutError):  # this login's stream goes on: only keep-alives
            await mine.next(timeout=2.5)
        assert not mine.ended
        await mine.close()

    run_apart(scenario())


# --- the development server's streams ----------------------------------------------------------------


def _chunks(response):
    return iter(response.streaming_content)


def _said(chunk):
    text = chunk.decode()
    event, data = text.rsplit("event: ", 1)[1].split("\ndata: ", 1)
    return event, json.loads(data.split("\n", 1)[0])


@pytest.mark.req("X-10", "SLT-6")
def test_dev_server_limits_streams_and_ends_them_with_the_login(scheduled, clock, settings):
    settings.LIVE_STREAMS_ON_WSGI, settings.LIVE_STREAMS_PER_LOGIN = True, 2
    _slot, mine, path = _exam(scheduled, clock, settings)
    student = browser(scheduled.users["student"])
    url = reverse("attestation:session_events", args=[mine.pk])
    streams = []
    for _ in range(3):
        chunks = _chunks(student.get(url))
        assert b"event: hello" in next(chunks)
        streams.append(chunks)
    assert _said(next(streams[0])) == ("bye", {"event": "bye", "reason": "replaced"})
    assert next(streams[0], None) is None  # the response ended
    assert presence.online([mine.pk]) == {mine.pk}
    assert student.post(reverse("logout")).status_code == 302
    for chunks in streams[1:]:
        chunk = next(chunks)
        for _ in range(5):  # a keep-alive may come first (every second here)
            if b"event: bye" in chunk:
                break
            chunk = next(chunks)
        assert _said(chunk) == ("bye", {"event": "bye", "reason": "ended"})
        assert next(chunks, None) is None
    assert presence.online([mine.pk]) == set()


@pytest.mark.req("X-10", "SLT-6")
def test_the_limit_holds_across_processes_through_redis(settings, hub_elsewhere):
    """With REDIS_URL the count is in Redis and the goodbye reaches the stream in any process."""
    import uuid

    settings.LIVE_STREAMS_PER_LOGIN = 2
    elsewhere = hub_elsewhere
    opened = []
    for _ in range(3):
        stream = live.Opened(channels=(), hello={})
        stream.stream_id, stream.login, stream.user_id = uuid.uuid4().hex, "login-x", 10**9
        opened.append(stream)
    oldest = live.Subscription((live_logins.stream_channel(opened[0].stream_id),))
    elsewhere.subscribe(oldest)
    try:
        assert live_logins.register(opened[0]) == 0
        assert live_logins.register(opened[1]) == 0
        assert live_logins.register(opened[2]) == 1
        _channel, _seq, payload = oldest.inbox.get(timeout=5)
        assert json.loads(payload) == {"event": "bye", "reason": "replaced"}
        live_logins.unregister(opened[1])
        assert live_logins.register(opened[1]) == 0  # room again after one closed
    finally:
        for stream in opened:
            live_logins.unregister(stream)
        elsewhere.unsubscribe(oldest)

"""Exam day under load: students and staff of the bench college (see bench/README.md).

Driven by bench/run.py through environment variables:
  BENCH_PLAN      the JSON written by bench/make_college.py
  BENCH_OUT       folder for outcomes.json (what each student last got a 200 for) / ceiling.json
  BENCH_STUDENTS  how many students of the plan to drive (the first N, slot by slot)
  BENCH_DURATION  the run's length in seconds (the scenario's timeline scales with it)
  BENCH_STREAM_PORT  the ASGI server's port (uvicorn, config.asgi): every page opens its live
                  stream there (#15); unset or 0: no streams, the pages poll as before
  BENCH_KEY_PREFIX   the cache's KEY_PREFIX (empty in the bench): where the channels' numbers are
  BENCH_STARTS_AT the slots' start (epoch seconds): every student arrives at a random moment of the
                  BENCH_ARRIVAL seconds before it, signs in, opens "My final controls", then the
                  exam page (unset: everyone arrives at once, as spawned)
  REDIS_URL       the Redis the servers publish through (the channels' numbers are read there)

Every request says what it is (``X-Bench-Kind``: its row's name): bench/wsgi.py counts the CPU of
each kind.

Main classes (scenario): Student, Teacher. Ceiling classes (run alone, one at a time, after the
data check): CeilingPing, CeilingStatus, CeilingDraft — closed loops without waiting.

Streams (#15): each Student and Teacher holds one server-sent event stream (:class:`LiveStream`, a
greenlet on a plain gevent socket: thousands fit in one locust process) and acts on its events as
the page does (attestation/live.py, static/js/live.js, exam.js, stream-page.js) instead of polling;
only while its stream is down does it poll (a fallback, counted). Every connection is recorded —
each channel's number when it opened and when it ended (read from Redis) and every event's number
and delay (receive time − publish time ``t``) — in ``BENCH_OUT/streams.json`` at quitting, with the
requests per second of students and staff; bench/run.py turns them into the figures.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import random
import re
import socket
import time
import uuid
from collections import Counter, defaultdict
from http.cookiejar import Cookie
from pathlib import Path
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from locust import FastHttpUser, constant, events, task

PLAN = json.loads(Path(os.environ["BENCH_PLAN"]).read_text(encoding="utf-8"))
OUT = os.environ.get("BENCH_OUT", ".")
DRIVEN = int(os.environ.get("BENCH_STUDENTS", len(PLAN["students"])))
DURATION = float(os.environ.get("BENCH_DURATION", "60"))
UPLOAD_SHARE = 0.2
LOGIN_SHARE = float(os.environ.get("BENCH_LOGIN_SHARE", "1"))  # students who sign in through the form
STARTS_AT = float(os.environ.get("BENCH_STARTS_AT") or 0)
ARRIVAL = float(os.environ.get("BENCH_ARRIVAL") or 0)
STUDENTS = PLAN["students"][:DRIVEN]
SLOTS_DRIVEN = {s["slot"] for s in STUDENTS}
STAFF = [s for s in PLAN["staff"] if s["slot"] in SLOTS_DRIVEN]
_students = itertools.count()
_staff = itertools.count()
_ceiling = itertools.count()
T0 = time.time()
OUTCOMES: dict[str, dict] = {}
STREAM_PORT = int(os.environ.get("BENCH_STREAM_PORT") or 0)
LIVE_PREFIX = os.environ.get("BENCH_KEY_PREFIX", "") + "live:"  # attestation.live._prefix()
HELLO_WITHIN = 10  # s: as live.js, an open response without its hello is a failed stream
QUIET = 2.5  # keep-alives: a stream silent this many keep-alive periods is reopened (live.js)
END_GRACE = 10  # s: at the end, events published before the channels' numbers were read may arrive
# Events a staff action causes (the delivery target): "ticket" only where staff generate tickets.
STAFF_ACTION_EVENTS = {"placed", "questions", "extra_time", "slot", "board"}
PAGE_EVENTS = {"placed", "ticket", "questions", "task", "answer", "grade", "moved"}  # exam.js refresh()
NEWS_KEYS = ("questions_sent", "placed", "has_ticket", "task", "answer_sent")  # exam.js applyStatus
IN_PLACE = {"HX-Request": "true", "HX-Target": "main"}  # htmx putting the page's #main in place (exam.js)
STATE_RE = re.compile(r"<div hidden data-live-url=[^>]*>")  # the page's rendered state (exam.js)
PAGE_STATE = {
    "data-placed": "placed",
    "data-has-ticket": "has_ticket",
    "data-questions-sent": "questions_sent",
    "data-task": "task",
    "data-answer-sent": "answer_sent",
}
# exam.js shown(): an event the page already shows (its state says so) is not fetched again.
SHOWN_BY_EVENT = {"ticket": "has_ticket", "questions": "questions_sent", "answer": "answer_sent"}
EVENT_STATE = {"placed": "placed", "ticket": "has_ticket", "questions": "questions_sent"}  # what it tells
OPEN_STREAMS: set = set()
SEGMENTS: list[dict] = []  # one per stream connection that said hello
DELAYS: dict[str, list[int]] = defaultdict(list)  # "<event>" or "<event>@staff" (a staff page) → ms
COUNTS = Counter()  # fallbacks, reconnects, keep-alives, refused streams…
REQUESTS: dict[str, Counter] = {"student": Counter(), "teacher": Counter()}  # second of the run → requests
SPAWNED = {"at": None}
FAILURES: list[dict] = []  # every failed request: when, which, what kind (bench/chaos.py classifies)
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FREE_RE = re.compile(r'name="ticket" value="([0-9a-f]{32})" class="tile-ticket free"')
DIALOG_RE = re.compile(r'<dialog id="dialog-(generate|place|cancel|send)".*?</dialog>', re.S)
IDS_RE = re.compile(r'name="sessions" value="(\d+)"')
LANDING = {"/": "home", "/attestation/my/": "my final controls"}
WORDS = [
    "жауап",
    "студент",
    "есеп",
    "формула",
    "мысалы",
    "алгоритм",
    "деректер",
    "кесте",
    "нәтиже",
    "сондықтан",
    "answer",
    "data",
]
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@events.test_start.add_listener
def _started(**_kwargs):
    global T0
    T0 = time.time()


@events.spawning_complete.add_listener
def _spawned(**_kwargs):
    SPAWNED["at"] = time.time()


@events.request.add_listener
def _count_request(context=None, exception=None, name="", response=None, **_kwargs):
    role = (context or {}).get("role")
    if role in REQUESTS:
        REQUESTS[role][int(time.time() - T0)] += 1
    if exception is not None:
        FAILURES.append({"t": time.time(), "name": name, "kind": failure_kind(exception, response)})


def failure_kind(exception, response):
    """What a failed request was, as bench/chaos.py tells the design's fallbacks from failures: the
    app's polite 503 (Retry-After: the page tries again), a stream refused with 503 (the page polls),
    a connection cut or refused, another status, or what the scenario itself refused."""
    status = getattr(response, "status_code", 0) or 0
    if isinstance(exception, StreamClosed):
        return "stream refused 503" if str(exception) == "status 503" else f"stream: {exception}"
    if status == 503 and (getattr(response, "headers", None) or {}).get("Retry-After"):
        return "503 try again"
    if status >= 500:
        return f"server error {status}"
    if status >= 400:
        return f"client error {status}"
    if status == 0:
        return "connection cut"
    return f"refused: {exception}"[:80]


def elapsed():
    return time.time() - T0


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Browser(FastHttpUser):
    """A browser behind the TLS-terminating proxy: it says "https" (X-Forwarded-Proto) and keeps
    the Secure cookies that production settings set, although the bench talks plain HTTP."""

    abstract = True
    connection_timeout = 60.0
    network_timeout = 120.0
    default_headers = {"X-Forwarded-Proto": "https"}
    csrf = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.client.cookiejar._policy.secure_protocols = ("https", "wss", "http")
        self.origin = self.host.replace("http://", "https://", 1)
        request = self.client.request

        def tagged(method, url, name=None, headers=None, **kwargs):
            headers = {**(headers or {}), "X-Bench-Kind": name or url}
            return request(method, url, name=name, headers=headers, **kwargs)

        self.client.request = tagged  # get(), post()… go through it

    def behind(self, address):
        """Where the requests come from, as the proxy tells the app (bench/run.py sets
        ``CLIENT_ADDRESS_HEADER=HTTP_X_REAL_IP``): a classroom's computers share its NAT address."""
        self.address = address
        request = self.client.request

        def from_there(method, url, headers=None, **kwargs):
            return request(method, url, headers={**(headers or {}), "X-Real-IP": address}, **kwargs)

        self.client.request = from_there

    def sign_in(self, person, by_form):
        """Through the login form, or with the session opened before the exam (see make_college)."""
        if by_form or not person.get("cookie"):
            self.login(person["username"])
            return
        host = self.host.split("//", 1)[1].split(":")[0]
        self.client.cookiejar.set_cookie(
            Cookie(0, PLAN["session_cookie"], person["cookie"], None, False, host, False, False, "/", True,
                   True, None, False, None, None, {})
        )  # fmt: skip

    def login(self, username):
        """The login form, then where it leads, as the browser follows it (the home page sends a
        student on to "My final controls"): the last page's HTML."""
        page = self.client.get("/login/", name="login page")
        token = CSRF_RE.search(page.text).group(1)
        response = self.client.post(
            "/login/",
            data={"username": username, "password": PLAN["password"], "csrfmiddlewaretoken": token},
            headers={"Referer": self.origin + "/login/"},
            allow_redirects=False,
            name="login",
        )
        for _ in range(3):
            if response.status_code not in (301, 302, 303) or not response.headers.get("Location"):
                break
            location = response.headers["Location"]
            name = LANDING.get(location.split("?", 1)[0], location)
            response = self.client.get(location, name=name, allow_redirects=False)
        return response.text or ""

    def remember_csrf(self, html):
        found = CSRF_RE.search(html or "")
        if found:
            self.csrf = found.group(1)

    def post(self, url, name, **kwargs):
        headers = {"X-CSRFToken": self.csrf, "Referer": self.origin + url, **kwargs.pop("headers", {})}
        return self.client.post(url, name=name, headers=headers, allow_redirects=False, **kwargs)

    def cookie_header(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.client.cookiejar)


_redis_client = None


def channel_numbers(channels):
    """Each channel's last event number (attestation.live: Redis key ``<prefix>seq:<channel>``)."""
    global _redis_client
    if not channels:
        return {}
    if _redis_client is None:
        import redis  # gevent-friendly: locust has patched the sockets

        pool = redis.BlockingConnectionPool.from_url(
            os.environ["REDIS_URL"], max_connections=32, timeout=60, socket_timeout=30
        )  # thousands of streams saying hello at once share a few connections
        _redis_client = redis.Redis(connection_pool=pool)
    channels = list(channels)
    keys = [f"{LIVE_PREFIX}seq:{ch}" for ch in channels]
    try:
        values = _redis_client.mget(keys)
    except redis_errors():  # a restarted Redis (--chaos): every connection the pool kept is dead
        _redis_client.connection_pool.disconnect()
        values = _redis_client.mget(keys)
    return {ch: int(v or 0) for ch, v in zip(channels, values, strict=True)}


def redis_errors():
    import redis

    return (redis.ConnectionError, redis.TimeoutError)


class StreamClosed(Exception):
    pass


class LiveStream:
    """A page's server-sent event stream (#15), read on a greenlet of its own: like EventSource, it
    reconnects after the server's ``retry:`` when an open stream ends, and falls back to polling
    (the page's ``live-poll``) when a stream cannot be opened or says no hello within 10 s, trying
    again after 60 s, then twice as long each time; a stream silent for 2.5 keep-alives (the
    ``clock`` event, every ``keepalive`` seconds of the hello) is reopened at once (live.js). It
    only tells its page what came (``on_hello``, ``on_event``); the page's own greenlet makes the
    requests.

    Parsing is kept cheap: the chunked body is cut at its chunk sizes, events at blank lines, and
    only an event's data line is decoded as JSON."""

    def __init__(self, page, path, kind, channels, mode=""):
        self.page, self.path, self.kind, self.mode = page, path, kind, mode
        self.channels = tuple(channels)
        self.healthy = False  # said hello and still open
        self.polling = False  # the page's fallback: from a failed opening until the next hello
        self.stopped = False
        self.segment = None
        self.sock = None
        self.retry_in = 60.0
        self.greenlet = gevent.spawn(self.run)

    # the greenlet ----------------------------------------------------------------------------------
    def run(self):
        delay = 0.0
        while not self.stopped:
            if delay:
                gevent.sleep(delay)
                if self.stopped:
                    return
            self.said_hello = False
            try:
                self.connect()
                reason = "closed by the server"
            except gevent.GreenletExit:
                raise
            except TimeoutError:
                reason = "silent" if self.said_hello else "no hello within 10 s"
            except Exception as error:  # noqa: BLE001 — any failure: the page reconnects or polls
                reason = f"{type(error).__name__}: {error}"[:160]
            finally:
                self.close_socket()
            if self.stopped:
                return
            self.healthy = False
            if self.segment is not None:
                self.end_segment(reason, broken=True)
            if self.said_hello:  # EventSource reconnects by itself after the server's retry
                COUNTS["reconnects"] += 1
                COUNTS[f"reconnect: {reason[:60]}"] += 1
                delay = 0 if reason == "silent" else self.retry_ms / 1000  # live.js: silent → open()
            else:  # live.js: poll, and try the stream again later
                self.polling = True
                COUNTS["fallbacks"] += 1
                COUNTS[f"fallback: {reason[:60]}"] += 1
                delay, self.retry_in = self.retry_in, min(self.retry_in * 2, 600.0)

    def connect(self):
        started = time.time()
        self.retry_ms = 3000
        sock = self.sock = socket.create_connection(("127.0.0.1", STREAM_PORT), timeout=HELLO_WITHIN)
        sock.sendall(
            (
                f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1:{STREAM_PORT}\r\n"
                f"Accept: text/event-stream\r\nX-Forwarded-Proto: https\r\nX-Real-IP: {self.page.address}\r\n"
                f"Cookie: {self.page.cookie_header()}\r\n\r\n"
            ).encode()
        )
        raw = bytearray()
        while b"\r\n\r\n" not in raw:
            data = sock.recv(65536)
            if not data:
                raise StreamClosed("closed before the headers")
            raw += data
        end = raw.index(b"\r\n\r\n")
        head = bytes(raw[:end]).lower()
        del raw[: end + 4]
        status = int(head.split(b" ", 2)[1])
        name = f"{self.kind} stream open (hello)"
        if status != 200:
            self.fire(name, started, StreamClosed(f"status {status}"))
            raise StreamClosed(f"status {status}")
        chunked = b"transfer-encoding: chunked" in head
        body = bytearray()
        while True:
            if raw:
                now = time.time()
                if chunked:
                    while True:  # whole chunks out of raw into body
                        line_end = raw.find(b"\r\n")
                        if line_end < 0:
                            break
                        size = int(raw[:line_end].split(b";", 1)[0], 16)
                        if size == 0:
                            raise StreamClosed("the stream ended")
                        if len(raw) < line_end + 4 + size:
                            break
                        body += raw[line_end + 2 : line_end + 2 + size]
                        del raw[: line_end + 4 + size]
                else:
                    body += raw
                    raw.clear()
                while True:
                    cut = body.find(b"\n\n")
                    if cut < 0:
                        break
                    block = bytes(body[:cut])
                    del body[: cut + 2]
                    if block.startswith(b":"):  # the padding (with the retry), or a comment
                        if block.startswith(b": keep-alive"):
                            COUNTS["keep-alives"] += 1
                        if b"\nretry:" in block:
                            self.retry_ms = int(block.rsplit(b"retry:", 1)[1])
                        continue
                    if block.startswith(b"retry:"):
                        self.retry_ms = int(block[6:])
                        continue
                    if block.startswith(b"event: clock"):  # the keep-alive: the server's time
                        COUNTS["keep-alives"] += 1
                        continue
                    if not self.said_hello:
                        self.said_hello = True
                        self.fire(name, started, None)
                        keepalive = self.hello(block, now)
                        sock.settimeout(QUIET * keepalive)
                    else:
                        self.event(block, now)
            data = sock.recv(65536)
            if not data:
                return
            raw += data

    def fire(self, name, started, exception):
        self.page.environment.events.request.fire(
            request_type="GET",
            name=name,
            response_time=(time.time() - started) * 1000,
            response_length=0,
            exception=exception,
            context={"role": "student" if self.kind == "student" else "teacher"},
        )

    @staticmethod
    def data(block):
        at = block.find(b"data: ")
        return json.loads(block[at + 6 :].split(b"\n", 1)[0]) if at >= 0 else {}

    def hello(self, block, now):
        self.healthy, self.polling = True, False
        self.retry_in = 60.0
        self.segment = {
            "user": self.page.me["username"],
            "kind": self.kind,
            "opened": now,
            "base": channel_numbers(self.channels),  # after the hello: the stream already listens
            "seqs": {ch: [] for ch in self.channels},
        }
        OPEN_STREAMS.add(self)
        hello = self.data(block)
        keepalive = hello.get("keepalive") or 15
        COUNTS["keep-alive seconds"] = keepalive
        self.page.on_hello(hello)
        return keepalive

    def event(self, block, now):
        data = self.data(block)
        name = data.get("event", "")
        channel, seq, sent = data.get("ch"), data.get("seq"), data.get("t")
        if channel is not None and seq is not None:
            self.segment["seqs"].setdefault(channel, []).append(seq)
        if sent:
            delay = int(now * 1000 - sent)
            if self.kind != "student":
                DELAYS[name + "@staff"].append(delay)
            elif name == "ticket" and self.mode == "random":
                DELAYS["ticket (generated)"].append(delay)
            else:
                DELAYS[name].append(delay)
        self.page.on_event(name, data)

    # ends ------------------------------------------------------------------------------------------
    def end_segment(self, reason, broken, numbers=None):
        segment, self.segment = self.segment, None
        OPEN_STREAMS.discard(self)
        if segment is None:
            return
        try:
            segment["end"] = numbers if numbers is not None else channel_numbers(self.channels)
        except Exception:  # noqa: BLE001 — Redis unreadable: the segment's due is unknown
            segment["end"] = None
        segment.update(closed=time.time(), reason=reason, broken=broken)
        SEGMENTS.append(segment)

    def close_socket(self):
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
            self.sock = None

    def stop(self, numbers):
        """The run is over: the events numbered up to ``numbers`` were due to this stream."""
        self.stopped = True
        self.greenlet.kill(block=False)
        mine = {ch: numbers.get(ch, 0) for ch in self.channels}
        self.end_segment("end of the run", broken=False, numbers=mine)
        self.close_socket()


class Student(Browser):
    """Opens the exam page and its stream, gets a ticket, waits for questions, types, maybe uploads,
    sends. What staff do reaches it by its stream (#15): it refetches the page on placed, ticket,
    questions… and the board on "board", as exam.js does; it polls the status only while its
    stream is down (the page's fallback)."""

    wait_time = constant(1)
    weight = 100

    def context(self):
        return {"role": "student"}

    def on_start(self):
        me = STUDENTS[next(_students) % len(STUDENTS)]
        self.me, self.base = me, f"/attestation/sessions/{me['session']}/"
        self.behind(f"10.1.{me['slot'] // 250}.{me['slot'] % 250 + 1}")  # the group's classroom
        self.outcome = OUTCOMES.setdefault(
            me["username"], {"session": me["session"], "version": 0, "learned": {}}
        )
        self.failed_save = None  # (version, text) of an autosave that got no answer: sent again as it was
        if STARTS_AT and ARRIVAL:  # the student comes in at some moment of the minutes before the start
            gevent.sleep(max(0.0, STARTS_AT - random.uniform(0, ARRIVAL) - time.time()))
        by_form = random.random() < LOGIN_SHARE
        self.sign_in(me, by_form)
        if not by_form and me.get("cookie"):
            self.client.get("/attestation/my/", name="my final controls")  # where the form would lead
        now = time.time()
        self.next_status = now + random.uniform(0, 5)
        self.next_save = 0.0
        self.choose_at = 0.0
        self.open_at = 0.0
        self.version, self.text = 0, ""
        self.opened = self.sent = False
        self.status = {}
        self.todo: set[str] = set()
        self.board = None  # the free tiles the page shows (None: no board on the page)
        self.submit_at = T0 + random.uniform(0.75, 0.95) * DURATION
        self.upload_at = T0 + random.uniform(0.4, 0.7) * DURATION if random.random() < UPLOAD_SHARE else None
        self.open_page()
        self.stream = None
        if STREAM_PORT:
            channels = [f"session:{me['session']}", f"slot:{me['slot']}"]
            self.stream = LiveStream(self, self.base + "events/", "student", channels, me["mode"])

    def open_page(self):
        self.shows(self.client.get(self.base, name="exam page"))

    def refetch_page(self):
        """exam.js refresh(): the page fetched in place (htmx, target #main): #main alone comes back."""
        self.shows(self.client.get(self.base, name="exam page (in place)", headers=IN_PLACE))

    def shows(self, response):
        """A page that came; an error instead (the 503 "try again" of a database restarting): the
        page stays as it was and the student loads it again a moment later."""
        if response.status_code == 200:
            self.see(response.text or "")
        else:
            self.todo.add("page")

    def see(self, html):
        """What the page shows now (a page view, or the page a form posted in place answered with)."""
        self.remember_csrf(html)
        had_board = self.board is not None
        self.board = FREE_RE.findall(html) if 'id="board"' in html else None
        self.answer_form = "data-draft-url=" in html  # the questions are open: the answer's editor
        # What the page was rendered with (its state element): exam.js does not refetch what it
        # shows when the event comes, and compares the next hello (or poll) with it.
        element = STATE_RE.search(html)
        shows = element.group(0) if element else ""
        state = {key: f'{attr}="1"' in shows for attr, key in PAGE_STATE.items()} if element else {}
        self.shown = {key for key, on in state.items() if on}
        self.status.update(state)
        self.learn(self.shown, "page")
        # "Show questions by ticket" is on the page: the "questions" event only reveals its notice (exam.js).
        self.offers_questions = "data-questions-arrived" in html
        if self.board is not None and not had_board:
            self.choose_at = time.time() + random.uniform(1, 4)  # a look at the board, then a click

    def learn(self, keys, how):
        """When the page first showed each part of the exam's state, and how it learned it (the event,
        the hello compared on reconnection, the status poll, a page fetch): bench/chaos.py checks that
        what a teacher did while the page could not hear it reached the page anyway."""
        learned = self.outcome["learned"]
        for key in keys:
            if key not in learned:
                learned[key] = [time.time(), how]

    # what the stream says (its greenlet): noted here, done by tick()
    def on_hello(self, hello):
        changed = [k for k in NEWS_KEYS if self.status and self.status.get(k) != hello.get(k)]
        self.learn([k for k in NEWS_KEYS if hello.get(k)], "hello")
        self.status = hello
        if changed and not self.in_place(changed):
            self.todo.add("page")

    def in_place(self, changed):
        """exam.js applyStatus: the questions sent, on a page that offers them, is shown in place."""
        return changed == ["questions_sent"] and self.status.get("questions_sent") and self.offers_questions

    def on_event(self, name, data):
        self.learn([k for k in [EVENT_STATE.get(name)] if k], "event")
        if name in PAGE_EVENTS and SHOWN_BY_EVENT.get(name) in getattr(self, "shown", ()):
            return  # exam.js shown(): this page already shows it (its own ticket, its sent answer)
        if name == "questions" and getattr(self, "offers_questions", False):
            self.status["questions_sent"] = True  # exam.js questionsArrived(): the notice, no fetch
            return
        if name in PAGE_EVENTS:
            if self.status:
                key = {"placed": "placed", "ticket": "has_ticket", "questions": "questions_sent"}.get(name)
                if key:
                    self.status[key] = True
                elif name == "answer":
                    self.status["answer_sent"] = True
            self.todo.add("page")
        elif name == "board" and self.board is not None:
            self.todo.add("board")

    @property
    def polling(self):
        """Without a stream, or while it cannot open: the status poll (not while it connects)."""
        return self.stream is None or self.stream.polling

    @task
    def tick(self):
        now = time.time()
        if self.polling and now >= self.next_status:
            self.next_status = now + 5
            self.heartbeat()
        if "page" in self.todo:
            self.todo.discard("page")
            self.todo.discard("board")
            self.refetch_page()
        if "board" in self.todo:
            self.todo.discard("board")
            self.refetch_board()
        status = self.status
        if self.sent or not status:
            return
        if not status["has_ticket"]:
            if self.me["mode"] == "choice" and self.board and now >= self.choose_at:
                self.choose()
            return
        if not self.opened:
            if status["questions_sent"] and not self.open_at:
                self.open_at = now + random.uniform(1, 4)  # reads the notice, then clicks (as the board)
            if self.open_at and now >= self.open_at:
                # Posted in place (hx-post): the answer is the page with the questions (#15).
                html = self.post_in_place(self.base + "questions/", "questions open", {})
                if html is not None:
                    self.see(html)
                if self.answer_form:
                    self.opened = True
                    self.next_save = now + random.uniform(5, 15)
                else:  # refused ("try again"): the button is still there, pressed again
                    self.open_at = now + 3
            return
        if self.upload_at and now >= self.upload_at:
            self.upload_at = None
            self.upload()
        if now >= self.submit_at:
            self.send()
        elif now >= self.next_save:
            self.next_save = now + 15
            self.autosave()

    def heartbeat(self):
        """The status poll: the page's heartbeat without a stream, or its fallback."""
        name = "status (fallback poll)" if self.stream is not None else "status (heartbeat)"
        with self.client.get(self.base + "status/", name=name, catch_response=True) as r:
            if r.status_code == 200:
                status = r.json()
                self.learn([k for k in NEWS_KEYS if status.get(k)], "poll")
                if self.status and any(self.status.get(k) != status.get(k) for k in NEWS_KEYS):
                    self.todo.add("page")  # exam.js applyStatus: news → the page again
                self.status = status
                r.success()
        if self.board is not None:
            self.todo.add("board")  # live-poll refetches the board too

    def refetch_board(self):
        r = self.client.get(
            self.base + "?partial=board", name="board (refetch)", headers={"HX-Request": "true"}
        )
        if r.status_code == 200:  # an error answer swaps nothing (htmx): the board shown stays
            self.board = FREE_RE.findall(r.text or "")

    def choose(self):
        # Posted in place (hx-post): the answer is the page — a ticket (its event follows), or the
        # board again with the reason (the tile was just taken).
        tile = random.choice(self.board)
        html = self.post_in_place(self.base + "choose/", "ticket choose", {"ticket": tile})
        self.board = None
        if html is not None:
            self.see(html)

    def post_in_place(self, url, name, data):
        """A form of the exam page posted by htmx: its answer is the page as it now stands."""
        data = {**data, "csrfmiddlewaretoken": self.csrf}
        r = self.post(url, name, data=data, headers=IN_PLACE)
        if r.status_code == 200:
            return r.text or ""
        self.open_page()  # an error shown: the student reloads
        return None

    def autosave(self):
        if self.failed_save:  # exam.js: no answer (a cut connection, a 503) → the same save again in 3 s
            version, text = self.failed_save
            self.text = text
        else:
            self.text += " " + " ".join(random.choices(WORDS, k=8))
            version = self.version + 1
        self.failed_save = (version, self.text)
        # In flight: if locust stops the user before the answer, the server may still have saved it.
        self.outcome.update(pending_version=version, pending_sha=sha(self.text.strip()))
        with self.client.post(
            self.base + "draft/",
            name="draft (autosave)",
            json={"text": self.text.strip(), "version": version},
            headers={
                "X-CSRFToken": self.csrf,
                "Referer": self.origin + self.base,
                "Accept": "application/json",
            },
            catch_response=True,
        ) as r:
            if r.status_code == 200 and r.json().get("version") == version:
                self.version, self.failed_save = version, None
                self.outcome.update(version=version, draft_sha=sha(self.text.strip()), chars=len(self.text))
                del self.outcome["pending_version"], self.outcome["pending_sha"]
                r.success()
            elif r.status_code == 200:
                self.failed_save = None
                r.failure(f"stale version {r.text[:80]}")
            elif r.status_code in (0, 502, 503, 504):
                self.next_save = time.time() + 3

    def upload(self):
        boundary = uuid.uuid4().hex
        body = (
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{self.csrf}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="upload"; filename="answer.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + PDF
            + f"\r\n--{boundary}--\r\n".encode()
        )
        self.outcome["pending_file"] = True
        r = self.post(
            self.base + "files/",
            "file upload",
            data=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Accept": "application/json",
            },
        )
        if r.status_code == 200:
            self.outcome["files"] = self.outcome.get("files", 0) + 1
        if r.status_code:  # answered; without an answer (cut by the run's end) the server may have done it
            del self.outcome["pending_file"]

    def send(self):
        text = (self.text or "жауап").strip() + " — соңы."
        self.outcome["send_tried"] = True  # got through the exam to sending (run.py's completion check)
        self.outcome["pending_sent_sha"] = sha(text)
        r = self.post(
            self.base + "send/", "answer send", data={"text": text, "csrfmiddlewaretoken": self.csrf}
        )
        if r.status_code == 302:
            self.sent = True
            self.outcome.update(sent_sha=sha(text), sent_at=elapsed())
            self.open_page()  # the browser follows the redirect: the page with "Your answer was sent"
        else:
            self.submit_at = time.time() + 5  # the page would retry
        if r.status_code:  # answered; without an answer (cut by the run's end) the server may have done it
            del self.outcome["pending_sent_sha"]


class Teacher(Browser):
    """The slot's tab of the stream page: its stream says what changed and the live table is
    refetched (at most once every 2 s; presence is put in place, no request) — or polled every 5 s
    while the stream is down. Every 25–35 s the teacher looks at the page as it stands — the live
    table brings the hand-out dialogs too (slot_hand_outs.html) — and hands out what they offer
    (places or generates tickets, sends the questions); a hand-out's answer takes the browser to the
    whole page again (its redirect), and the teacher opens the whole page anew every 2–5 min."""

    wait_time = constant(1)
    fixed_count = len(STAFF)

    def context(self):
        return {"role": "teacher"}

    def on_start(self):
        self.me = STAFF[next(_staff) % len(STAFF)]
        self.behind(
            f"10.2.{self.me['slot'] // 250}.{self.me['slot'] % 250 + 1}"
        )  # the staff room's computers
        self.url = f"/attestation/streams/{self.me['stream']}/?tab=slot-{self.me['slot']}"
        self.sign_in(self.me, True)  # staff sign in on the exam morning too
        self.open_page()
        now = time.time()
        self.dirty = False
        self.last_live = 0.0
        self.next_poll = now + 5
        # Locust spawns the fixed-count staff first, all within a couple of seconds: a fixed 30 s
        # cycle would have all 80 look and hand out in the same second, every cycle, which no staff
        # room does. Each teacher keeps its ~30 s cycle, at its own phase and not to the second.
        self.next_look = now + random.uniform(5, 35)
        self.next_page = now + random.uniform(120, 300)
        self.stream = None
        if STREAM_PORT:
            slot = self.me["slot"]
            path = f"/attestation/slots/{slot}/events/"
            self.stream = LiveStream(self, path, "staff", [f"slot:{slot}", f"staff:{slot}"])

    def on_hello(self, hello):
        self.dirty = True  # (re)connected: catch up with what was missed

    def on_event(self, name, data):
        if name != "presence":  # (the keep-alive, "clock", never comes here)
            self.dirty = True

    @task
    def refresh(self):
        now = time.time()
        if STARTS_AT and not getattr(self, "saw_start", False) and now >= STARTS_AT + 1:
            self.saw_start = self.dirty = True  # stream-page.js: the slot's start refreshes the table
        if (self.stream is None or self.stream.polling) and now >= self.next_poll:
            self.next_poll = now + 5
            self.dirty = True  # live-poll
        if self.dirty and now >= self.last_live + 2:
            self.dirty, self.last_live = False, now
            name = "stream live (refetch)" if self.stream is not None else "stream live (poll)"
            live = self.client.get(self.url + "&partial=live", name=name, headers={"HX-Request": "true"})
            if live.status_code == 200 and 'id="slot-hand-outs"' in (live.text or ""):
                self.shown = live.text  # the parts it puts in place: the hand-out dialogs among them
        if now >= self.next_page:
            self.next_page = now + random.uniform(120, 300)
            self.open_page()
        if now < self.next_look:
            return
        self.next_look = now + random.uniform(25, 35)
        dialogs = {m.group(1): IDS_RE.findall(m.group(0)) for m in DIALOG_RE.finditer(self.shown)}
        mine = set(map(str, self.me["sessions"]))
        if self.me["mode"] == "choice" and dialogs.get("place"):
            self.hand_out("place", dialogs["place"])
        elif self.me["mode"] == "random" and dialogs.get("generate") and elapsed() > 0.1 * DURATION:
            self.hand_out("generate", dialogs["generate"])
        waiting = set(dialogs.get("generate", [])) & mine  # still without a ticket
        if dialogs.get("send") and (not waiting or elapsed() > 0.3 * DURATION):
            self.hand_out("send", dialogs["send"])

    def hand_out(self, action, ids):
        url = f"/attestation/slots/{self.me['slot']}/hand-out/{action}/"
        with self.client.post(
            url,
            name=f"hand-out {action}",
            data=urlencode({"sessions": ids, "csrfmiddlewaretoken": self.csrf}, doseq=True),
            headers={"Referer": self.origin + self.url, "Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code == 302:
                r.success()
            else:
                r.failure(f"status {r.status_code}")
        if r.status_code == 302:
            self.open_page()  # the redirect: the whole page with the result's message
        else:  # an error page ("try again in a moment"): the teacher goes back and presses again soon
            self.next_look = time.time() + random.uniform(3, 6)

    def open_page(self):
        self.shown = self.client.get(self.url, name="stream page").text or ""
        self.remember_csrf(self.shown)


@events.test_stop.add_listener
def _end_streams(**_kwargs):
    """Read every open stream's channel numbers, let what was published before arrive, then close:
    each stream was due every event numbered after its hello and up to these numbers."""
    streams = list(OPEN_STREAMS)
    if not streams:
        return
    COUNTS["open at the end"] = len(streams)
    numbers = channel_numbers({ch for stream in streams for ch in stream.channels})
    COUNTS["end grace seconds"] = END_GRACE
    gevent.sleep(END_GRACE)
    for stream in streams:
        stream.stop(numbers)


@events.quitting.add_listener
def _write_outcomes(environment, **_kwargs):
    if STREAM_PORT and (SEGMENTS or COUNTS):
        with open(os.path.join(OUT, "streams.json"), "w", encoding="utf-8") as fh:
            json.dump(
                {
                    "t0": T0,
                    "spawned_at": SPAWNED["at"],
                    "students": len(STUDENTS),
                    "staff": len(STAFF),
                    "segments": SEGMENTS,
                    "delays": DELAYS,
                    "counts": COUNTS,
                    "requests": {role: sorted(c.items()) for role, c in REQUESTS.items()},
                },
                fh,
            )
    if OUTCOMES:
        with open(os.path.join(OUT, "outcomes.json"), "w", encoding="utf-8") as fh:
            json.dump(OUTCOMES, fh)
    if FAILURES and not CEILING["hits"]:
        with open(os.path.join(OUT, "failures.json"), "w", encoding="utf-8") as fh:
            json.dump(FAILURES, fh)
    if CEILING["hits"]:
        start = CEILING["ready_at"] or T0
        hits = [t for t in CEILING["hits"] if t >= start]
        span = (max(hits) - start) if hits else 0
        with open(os.path.join(OUT, f"ceiling-{CEILING['name']}.json"), "w", encoding="utf-8") as fh:
            json.dump({"requests": len(hits), "seconds": span, "rps": len(hits) / span if span else 0}, fh)


# --- ceiling: closed loops on one endpoint, after the scenario --------------------------------------

CEILING = {"hits": [], "ready_at": None, "name": ""}
_ready = Event()
_logged_in = itertools.count(1)


class Ceiling(Browser):
    abstract = True
    wait_time = constant(0)
    endpoint = ""

    def on_start(self):
        CEILING["name"] = self.endpoint
        self.me = PLAN["ceiling"][next(_ceiling) % len(PLAN["ceiling"])]
        self.base = f"/attestation/sessions/{self.me['session']}/"
        self.version = int(time.time() * 1000) % 1_000_000_000  # beyond anything saved before
        if self.endpoint != "ping":
            self.sign_in(self.me, False)
            self.remember_csrf(self.client.get(self.base, name="exam page").text)
        if next(_logged_in) >= self.environment.runner.target_user_count:
            gevent.sleep(1)
            CEILING["ready_at"] = time.time()
            _ready.set()
        _ready.wait()

    def hit(self, response):
        if response.status_code == 200:
            CEILING["hits"].append(time.time())


class CeilingPing(Ceiling):
    endpoint = "ping"

    @task
    def ping(self):
        self.hit(self.client.get("/bench/ping/", name="ping (trivial)"))


class CeilingStatus(Ceiling):
    endpoint = "status"

    @task
    def status(self):
        self.hit(self.client.get(self.base + "status/", name="status (heartbeat)"))


class CeilingDraft(Ceiling):
    endpoint = "draft"

    @task
    def draft(self):
        self.version += 1
        self.hit(
            self.client.post(
                self.base + "draft/",
                name="draft (autosave)",
                json={"text": f"ceiling draft {self.version}", "version": self.version},
                headers={"X-CSRFToken": self.csrf, "Referer": self.origin + self.base},
            )
        )

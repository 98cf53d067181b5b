"""Scale-out: two app processes on two ports, one database, one Redis, are interchangeable.

A student's heartbeat through server A turns the student's dot green on the staff page served by B;
a ticket chosen through A is grey on the board served by B; questions a teacher sends through A
reach the student's live stream served by an ASGI process B (uvicorn on config.asgi, #15): the
event crosses processes through Redis. The servers are real processes
(gunicorn, or ``manage.py runserver --noreload`` without it) on the test database, so everything
they share goes through the database (sessions, sessions' rows) and Redis (presence). On PostgreSQL,
and on SQLite too (#19): there the processes open the test database's file, as the workers of one
gunicorn on one machine do.
"""

import contextlib
import http.client
import importlib.util
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings

from attestation.models import ExamSession, Slot, Ticket
from attestation.services.tickets import tile_token
from core import clock
from tests.attestation.test_tickets import author, self_choice
from tests.processes import database_url, free_port

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/15"
# Other test runs on this machine may use the same Redis at the same time: this run's servers keep
# their keys under a prefix of its own (config/settings_test.py) and only those are removed.
CACHE_PREFIX = f"scale-{os.getpid()}-{secrets.token_hex(4)}"


def _redis():
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
        return client
    except Exception:  # noqa: BLE001 — any failure means "no Redis here"
        return None


pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(_redis() is None, reason="Redis is not reachable on 127.0.0.1:6379"),
    pytest.mark.skipif(
        bool(os.environ.get("TEST_NOW")), reason="the servers are other processes, on the real clock"
    ),
]


def _env():
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "TEST_CACHE_PREFIX": CACHE_PREFIX,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_DEBUG": "0",
    }


def _start(port, log):
    env = _env()
    if importlib.util.find_spec("gunicorn"):
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
        ]
    else:
        cmd = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2):
                return server
        except (urllib.error.URLError, OSError):
            if server.poll() is not None:
                break
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"the server on port {port} did not start; see {log.name}")


def _stop(server, log):
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def _forget_this_runs_keys(redis):
    # the cache's keys ("<prefix>:…") and the live events' numbers ("<prefix>live:seq:…", #15)
    for key in redis.scan_iter(match=f"{CACHE_PREFIX}*"):
        redis.delete(key)


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    """Servers A and B; stopped before the test database is flushed."""
    redis = _redis()
    _forget_this_runs_keys(redis)
    servers, bases = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = open(tmp_path / f"server-{name}.log", "w")  # noqa: SIM115 — closed below
            servers.append((_start(port, log), log))
            bases.append(f"http://127.0.0.1:{port}")
        yield bases
    finally:
        for server, log in servers:
            _stop(server, log)
        _forget_this_runs_keys(redis)


class Browser:
    """A signed-in user: a session row in the shared database and a CSRF cookie of its own."""

    def __init__(self, user):
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        store.update(
            {
                "_auth_user_id": str(user.pk),
                "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                "_auth_user_hash": user.get_session_auth_hash(),
            }
        )
        store.create()
        self.csrf = secrets.token_hex(16)  # a 32-character secret is a valid token as it is
        self.cookie = (
            f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={self.csrf}"
        )

    def get(self, url, **headers):
        request = urllib.request.Request(url, headers={"Cookie": self.cookie, **headers})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()

    def post(self, url, data):
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf}).encode()
        request = urllib.request.Request(url, data=body, headers={"Cookie": self.cookie})
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def running_slot(college):
    """The teacher's online stream by tickets, a slot running now, every student placed for self-choice."""
    self_choice()
    stream = author(college, count=3)
    now = clock.now()
    slot = Slot.objects.create(
        stream=stream, starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1)
    )
    for student in stream.students.all():
        ExamSession.objects.create(stream=stream, student=student, slot=slot, placed_at=now)
    return slot


def _dot(page, session):
    found = re.search(
        rf'<span class="dot (online|offline)" role="img"[^>]*></span> '
        rf'<a href="/attestation/sessions/{session.pk}/"',
        page,
    )
    assert found, "the student's row is on the staff page"
    return found.group(1)


def _tile(board, session, ticket):
    token = tile_token(session, ticket.pk)
    found = re.search(rf'value="{token}" class="tile-ticket (free|taken)"', board)
    assert found, "the ticket's tile is on the board"
    return found.group(1)


@pytest.mark.req("SLT-6", "STU-3")
def test_a_student_on_server_a_is_online_for_staff_on_server_b(two_servers, running_slot, college):
    a, b = two_servers
    session = ExamSession.objects.get(slot=running_slot, student__user=college.users["student"])
    student, teacher = Browser(college.users["student"]), Browser(college.users["teacher"])
    staff_page = f"{b}/attestation/streams/{running_slot.stream_id}/?tab=slot-{running_slot.pk}"

    assert _dot(teacher.get(staff_page)[1], session) == "offline"
    assert student.get(f"{a}/attestation/sessions/{session.pk}/status/")[0] == 200
    assert _dot(teacher.get(staff_page)[1], session) == "online"


@pytest.mark.req("STU-3", "X-3")
def test_a_ticket_taken_through_server_a_is_grey_on_server_b(two_servers, running_slot, college):
    a, b = two_servers
    mine = ExamSession.objects.get(slot=running_slot, student__user=college.users["student"])
    theirs = ExamSession.objects.get(slot=running_slot, student__user=college.users["other_student"])
    ticket = Ticket.objects.get(stream=running_slot.stream, number=2)
    student, other = Browser(college.users["student"]), Browser(college.users["other_student"])
    board = f"{b}/attestation/sessions/{theirs.pk}/?partial=board"

    assert _tile(other.get(board, **{"HX-Request": "true"})[1], theirs, ticket) == "free"
    chosen = student.post(
        f"{a}/attestation/sessions/{mine.pk}/choose/", {"ticket": tile_token(mine, ticket.pk)}
    )
    assert chosen == 302
    assert _tile(other.get(board, **{"HX-Request": "true"})[1], theirs, ticket) == "taken"
    mine.refresh_from_db()
    assert mine.ticket_id == ticket.pk


@pytest.mark.req("STU-3", "X-3")
def test_two_students_on_two_servers_clicking_one_tile_at_once(two_servers, running_slot, college, tmp_path):
    """The exam's defining moment across processes: one gets the ticket, the other a polite refusal."""
    a, b = two_servers
    students = [college.users["student"], college.users["other_student"]]
    sessions = [ExamSession.objects.get(slot=running_slot, student__user=u) for u in students]
    ticket = Ticket.objects.get(stream=running_slot.stream, number=1)
    browsers = [Browser(u) for u in students]
    barrier, statuses = threading.Barrier(2), [None, None]

    def click(index, base):
        barrier.wait()
        url = f"{base}/attestation/sessions/{sessions[index].pk}/choose/"
        statuses[index] = browsers[index].post(url, {"ticket": tile_token(sessions[index], ticket.pk)})

    threads = [threading.Thread(target=click, args=(i, base)) for i, base in enumerate((a, b))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert statuses == [302, 302]  # both answered (one "You have a ticket", one "Someone has just taken")
    assert ExamSession.objects.filter(slot=running_slot, ticket=ticket).count() == 1
    assert ExamSession.objects.filter(slot=running_slot, ticket__isnull=False).count() == 1
    logs = "".join(path.read_text() for path in tmp_path.glob("server-*.log"))
    assert "Database unavailable" not in logs and "Traceback" not in logs


# --- #15: an event published by process A reaches a stream served by process B -----------------------


def _stream_status(port, cookie=""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/attestation/slots/0/events/", headers={"Cookie": cookie} if cookie else {})
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.fixture
def asgi_server(two_servers, tmp_path):
    """Process B of the live streams: uvicorn on config.asgi, the environment of A and B."""
    if not importlib.util.find_spec("uvicorn"):
        pytest.skip("uvicorn is not installed")
    port = free_port()
    log = open(tmp_path / "server-asgi.log", "w")  # noqa: SIM115 — closed below
    cmd = [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
           "--port", str(port), "--lifespan", "off", "--no-access-log"]  # fmt: skip
    server = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=log, stderr=subprocess.STDOUT)
    try:
        # A stranger is refused 403 once the process listens to Redis (503 while its hub connects).
        deadline, status = time.monotonic() + 30, None
        while time.monotonic() < deadline and status != 403:
            if server.poll() is not None:
                break
            with contextlib.suppress(OSError):
                status = _stream_status(port)
            time.sleep(0.2)
        if status != 403:
            raise RuntimeError(f"the ASGI server did not start (last answer {status}); see {log.name}")
        yield f"127.0.0.1:{port}"
    finally:
        _stop(server, log)


class Stream:
    """A page's server-sent event stream, read line by line (http.client undoes the chunking)."""

    def __init__(self, address, path, browser):
        host, port = address.split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=15)
        self.conn.request("GET", path, headers={"Cookie": browser.cookie, "Accept": "text/event-stream"})
        self.response = self.conn.getresponse()

    def next_event(self):
        """The next event's name and data (comments and the retry line skipped)."""
        name = None
        while True:
            line = self.response.readline()
            if not line:
                raise AssertionError("the stream ended")
            line = line.decode().rstrip("\n")
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: ") and name:
                return name, json.loads(line[6:])

    def close(self):
        self.conn.close()


@pytest.mark.req("SLT-6", "SND-1", "X-4")
def test_questions_sent_through_server_a_reach_a_stream_served_by_process_b(
    two_servers, asgi_server, running_slot, college
):
    a, _b = two_servers
    session = ExamSession.objects.get(slot=running_slot, student__user=college.users["student"])
    ticket = Ticket.objects.get(stream=running_slot.stream, number=1)
    ExamSession.objects.filter(pk=session.pk).update(
        ticket=ticket, ticket_source=ExamSession.TicketSource.GENERATED, ticket_at=clock.now()
    )
    student, teacher = Browser(college.users["student"]), Browser(college.users["teacher"])

    stream = Stream(asgi_server, f"/attestation/sessions/{session.pk}/events/", student)
    try:
        assert stream.response.status == 200
        assert stream.response.getheader("Content-Type").startswith("text/event-stream")
        name, hello = stream.next_event()
        assert (name, hello["has_ticket"], hello["questions_sent"]) == ("hello", True, False)

        sent = teacher.post(
            f"{a}/attestation/slots/{running_slot.pk}/hand-out/send/", {"sessions": session.pk}
        )
        assert sent == 302
        name, event = stream.next_event()  # within the stream's 15 s timeout
    finally:
        stream.close()

    assert name == "questions"
    assert event["event"] == "questions" and event["ch"] == f"session:{session.pk}"
    assert event["seq"] == int(_redis().get(f"{CACHE_PREFIX}live:seq:session:{session.pk}"))
    assert abs(event["t"] / 1000 - time.time()) < 30  # published just now, on the real clock
    session.refresh_from_db()
    assert session.questions_sent_at is not None

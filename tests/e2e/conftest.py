"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded browser).

They run against pytest-django's live server in this process — or, with ``E2E_BASE_URL`` set,
against a deployment of their own: CI's deployment stage (``.ci/deployment``) starts nginx (TLS,
HTTP/2) from ``deploy/nginx`` in front of gunicorn, ``serve_live`` and the task worker from
``deploy/systemd`` under ``config.settings_production``, and runs the journeys and the live tests
through it. Then the data a test makes here is the data those servers read:

- the test run uses the servers' database as it is (``DATABASE_URL``, its name must say ``e2e``:
  every test empties it when it ends, as the live server's tests empty theirs) — the release
  migrated it, the run only checks that and starts from empty tables;
- it shares their Redis (``REDIS_URL``: the live events, the cache each test clears), their files
  (``MEDIA_ROOT``), their secret key and their password hashing (config/settings_test.py);
- their clock follows the tests' time travel (:func:`travel`, ``E2E_CLOCK_FILE``,
  tests/e2e/server_clock/);
- Chromium accepts the stage's self-signed certificate, and no other (``E2E_TLS_CERT``);
- a test that changes the live server's settings (it asks for pytest-django's ``settings`` itself)
  cannot change theirs and is skipped; their environment sets what the live server's tests set (a 5 s
  keep-alive, week-long sessions); the ``task_worker`` fixture leaves their tasks to their worker.
"""

import contextlib
import datetime
import inspect
import os
import shutil
import time
from pathlib import Path

import pytest
import time_machine

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

E2E_BASE_URL = os.environ.get("E2E_BASE_URL", "").rstrip("/")
E2E_CLOCK_FILE = os.environ.get("E2E_CLOCK_FILE", "")

# Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if E2E_BASE_URL and "settings" in inspect.signature(item.function).parameters:
                item.add_marker(pytest.mark.skip(reason="changes the live server's settings (E2E_BASE_URL)"))


def tls_flags():
    """Chromium trusts the deployment stage's self-signed certificate — that one, by its key."""
    path = os.environ.get("E2E_TLS_CERT")
    if not path:
        return []
    import base64
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    key = x509.load_pem_x509_certificate(Path(path).read_bytes()).public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    pin = base64.b64encode(hashlib.sha256(der).digest()).decode()
    return [f"--ignore-certificate-errors-spki-list={pin}"]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = (
            "Chromium is not installed: `sudo apt-get install chromium` (Debian) to run the browser tests"
        )
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS + tls_flags())
        yield browser
        browser.close()


class Deployment:
    """``E2E_BASE_URL`` in the place of pytest-django's live server (its ``url``); the settings it
    changes for a test are the live server's, so there is nothing to change here."""

    class _NoSettings:
        def enable(self):
            pass

        def disable(self):
            pass

    def __init__(self, url):
        self.url = url
        self._live_server_modified_settings = self._NoSettings()  # what pytest-django's helper toggles


if E2E_BASE_URL:

    @pytest.fixture(scope="session")
    def live_server():
        return Deployment(E2E_BASE_URL)

    @pytest.fixture(scope="session")
    def django_db_setup(django_db_blocker):
        """The deployment's database, as its release left it: migrated (checked, not done here —
        a release that forgot is a failure), and emptied of anything an interrupted run left."""
        from django.core.management import call_command
        from django.db import connection

        name = connection.settings_dict["NAME"]
        if "e2e" not in name:
            pytest.exit(f"E2E_BASE_URL: the tests empty the servers' database; its name must say e2e: {name}")
        with django_db_blocker.unblock():
            try:
                call_command("migrate", check_unapplied=True, verbosity=0)
            except SystemExit:
                pytest.exit(f"E2E_BASE_URL: the database {name} has unapplied migrations (run the release)")
            call_command("flush", interactive=False, verbosity=0)
        yield

    @pytest.fixture(autouse=True)
    def _real_clock_after_each_test():
        yield
        if E2E_CLOCK_FILE:
            set_server_clock(Path(E2E_CLOCK_FILE), 0.0)


@contextlib.contextmanager
def travel(destination):
    """The clock moves to ``destination`` and ticks on from there — this process's (time-machine)
    and, against a deployment, its servers' (each follows ``E2E_CLOCK_FILE`` within 50 ms)."""
    with time_machine.travel(destination, tick=True):
        if not E2E_BASE_URL:
            yield
            return
        if not E2E_CLOCK_FILE:
            pytest.fail("E2E_BASE_URL: the servers' clock cannot move without E2E_CLOCK_FILE")
        clock_file = Path(E2E_CLOCK_FILE)
        before = clock_file.read_text() if clock_file.exists() else "0"
        real = time_machine.escape_hatch.time.time()
        set_server_clock(clock_file, time.time() - real)
        try:
            yield
        finally:
            set_server_clock(clock_file, float(before or 0))


def set_server_clock(clock_file, offset):
    """The servers' offset from the real clock, written whole (never half a file): read within 50 ms."""
    fresh = clock_file.with_suffix(".new")
    fresh.write_text(f"{offset:.3f}")
    fresh.replace(clock_file)
    time.sleep(0.3)  # not travelled: time-machine leaves sleeping alone


@pytest.fixture
def new_page(browser, live_server):
    """``new_page(user=None, viewport=None)`` → a page in a fresh context, optionally signed in."""
    contexts = []

    def _new_page(user=None, password="pass12345", viewport=None):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport or {"width": 1280, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        if user is not None:
            page.goto("/login/")
            page.fill("#id_username", user.username)
            page.fill("#id_password", password)
            page.click("button[type=submit].primary")
            page.wait_for_url(lambda url: "/login/" not in url)
        return page

    yield _new_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request):
    """``screenshot(page, "step")`` saves a PNG into test-artifacts/screenshots/ (kept by CI)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, step):
        path = ARTIFACTS / f"{request.node.name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


@pytest.fixture(autouse=True)
def e2e_debug_mode(request):
    """``E2E_DEBUG=1`` runs the browser tests against a live server in DEBUG mode (what ``make demo``
    runs): the same scripts, CSP and dialogs must work there as in production (CI runs both)."""
    if os.environ.get("E2E_DEBUG") == "1" and "live_server" in request.fixturenames and not E2E_BASE_URL:
        settings = request.getfixturevalue("settings")
        settings.DEBUG = True
    yield


@pytest.fixture(autouse=True)
def live_push(request):
    """#15: the live server (a threaded development server) carries the pages' event streams, as
    ``make demo`` does: the browser tests run the push path. A test of the fallback turns it off.
    A deployment's streams are served by serve_live, with the keep-alive its environment sets."""
    if "live_server" in request.fixturenames and not E2E_BASE_URL:
        settings = request.getfixturevalue("settings")
        settings.LIVE_STREAMS_ON_WSGI = True
        settings.LIVE_KEEPALIVE_SECONDS = 5
    yield


def login(page, user, password="pass12345"):
    """Sign in through the visible login form, as a person does (the only `goto` a journey makes)."""
    page.goto("/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(password)
    page.locator("button[type=submit].primary").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


class Guard:
    """Records what a person would see as breakage: console errors, uncaught page errors, CSP
    violations and HTTP responses >= 400 that the step did not expect.

    ``guard(page)`` watches a page (and returns it); ``guard.expect(status, url_part="")`` allows a
    response a step provokes on purpose (a refused dialog answers 400, say); the test fails at the end
    if anything else was recorded. "Failed to load resource" console lines are judged by their
    response instead, so an expected 400 is not counted twice.
    """

    def __init__(self):
        self.problems = []
        self.expected = []

    def __call__(self, page):
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"page error on {page.url}: {error}"))
        page.on("response", self._response)
        page.on("popup", self.__call__)
        return page

    def expect(self, status, url_part=""):
        self.expected.append((status, url_part))

    def _console(self, page, message):
        text = message.text
        if "Content Security Policy" in text:
            self.problems.append(f"CSP violation on {page.url}: {text}")
        elif message.type == "error" and not text.startswith("Failed to load resource"):
            self.problems.append(f"console error on {page.url}: {text}")

    def _response(self, response):
        if response.status < 400:
            return
        if any(response.status == status and part in response.url for status, part in self.expected):
            return
        self.problems.append(f"{response.status} {response.request.method} {response.url}")

    def check(self):
        assert not self.problems, "The browser saw:\n" + "\n".join(self.problems)


@pytest.fixture
def guard():
    """See :class:`Guard`; checked when the test ends (a failing test keeps its own failure)."""
    watcher = Guard()
    yield watcher
    watcher.check()


@pytest.fixture
def exam_day(college, settings):
    """Tomorrow (Almaty), inside every group's attestation period, with the journal's final columns.

    Sessions live a week here: the server's clock jumps a day ahead during these tests."""
    from attestation.services.journal import sync_final_columns
    from core import clock

    settings.SESSION_COOKIE_AGE = 7 * 24 * 3600
    stream = college.streams.teacher_a
    tomorrow = clock.local_today() + datetime.timedelta(days=1)
    attestation_period(college, tomorrow - datetime.timedelta(days=3), tomorrow + datetime.timedelta(days=10))
    sync_final_columns(stream.journal)
    return tomorrow


def attestation_period(college, starts_on, ends_on):
    """Every group of the persona college attests in the teacher's stream's period on these days."""
    from college.models import AcademicSchedule

    period = college.streams.teacher_a.academic_period
    for group in college.groups:
        AcademicSchedule.objects.create(
            group=group, academic_period=period, attestation_starts_on=starts_on, attestation_ends_on=ends_on
        )


def at(day, hour, minute=0):
    """An aware Almaty date-time on ``day``."""
    from core import clock

    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=clock.local_now().tzinfo)


def running_session(college, stream):
    """The student's session in a slot of ``stream`` that started a minute ago (not before midnight)."""
    from django.utils import timezone

    from attestation.models import ExamSession, Slot
    from core import clock

    now = clock.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    slot = Slot.objects.create(
        stream=stream,
        starts_at=max(now - datetime.timedelta(minutes=1), midnight),
        ends_at=now + datetime.timedelta(hours=1),
    )
    return ExamSession.objects.create(stream=stream, student=college.users["student"].student, slot=slot)


@pytest.fixture
def generated(college):
    """A slot that started a minute ago; two tickets; the student's number generated."""
    from attestation.services import tickets as tickets_service

    stream = college.streams.teacher_a
    teacher = college.users["teacher"]
    tickets_service.ticket_count_set(actor=teacher, stream=stream, count=2)
    for number in (1, 2):
        tickets_service.ticket_save(
            actor=teacher, stream=stream, number=number, body=f"<p>Question {number}</p>"
        )
    session = running_session(college, stream)
    tickets_service.tickets_generate(actor=teacher, slot=session.slot, session_ids=[session.pk])
    return session

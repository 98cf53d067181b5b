"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded browser)."""

import datetime
import os
import shutil
from pathlib import Path

import pytest

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

# Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


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
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


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
    if os.environ.get("E2E_DEBUG") == "1" and "live_server" in request.fixturenames:
        settings = request.getfixturevalue("settings")
        settings.DEBUG = True
    yield


@pytest.fixture(autouse=True)
def live_push(request):
    """#15: the live server (a threaded development server) carries the pages' event streams, as
    ``make demo`` does: the browser tests run the push path. A test of the fallback turns it off."""
    if "live_server" in request.fixturenames:
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

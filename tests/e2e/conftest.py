"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded browser)."""

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

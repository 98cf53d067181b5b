"""In real Chromium: the administrator opens Administration → Monitor on exam morning, in Kazakh and
Russian; the figures refresh by themselves (htmx polling) without a console error or a CSP
violation, and an e-mail that could not be sent is listed with its reason."""

import pytest
from playwright.sync_api import expect

from notifications import kinds
from notifications.models import Notification
from tests import factories as f
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

TEXTS = {
    "kk": ("Мониторинг", "Қазір қосылған студенттер", "Жіберілмеген хаттар"),
    "ru": ("Мониторинг", "Студентов на связи сейчас", "Письма, которые не удалось отправить"),
}


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_administrator_watches_the_monitor(college, new_page, guard, screenshot, language):
    admin = college.users["admin"]
    admin.language = language
    admin.save()
    student = f.UserFactory(username="mailless", email="nobody@example.kz", language=language)
    Notification.objects.create(
        recipient=student,
        kind=kinds.SLOT_SCHEDULED,
        mail="failed",
        mail_attempts=4,
        mail_error="SMTPRecipientsRefused: 550 5.1.1 No such mailbox here",
    )
    title, students, failed = TEXTS[language]
    page = guard(new_page())
    login(page, admin)
    page.locator(".menu-section summary").last.click()
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=students)).to_be_visible()
    expect(page.get_by_role("heading", name=failed)).to_be_visible()
    expect(page.get_by_text("nobody@example.kz")).to_be_visible()
    # The region is replaced by its poll: the requests figure gets a number once two readings exist.
    with page.expect_response(
        lambda r: "/administration/monitor/" in r.url and r.request.headers.get("hx-request")
    ):
        pass
    expect(page.locator('[data-figure="requests"]')).not_to_have_text("—", timeout=15_000)
    screenshot(page, language)

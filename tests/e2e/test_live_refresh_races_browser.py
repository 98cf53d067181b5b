"""A live refresh never swaps into a part of the stream page while a form of that part is being
answered (SLT-6, NTF-1): the teacher's "Send notification" once came back as the whole page inside
the page, because a refresh replaced the slot's head — and the form in it — while the form's answer
was on its way."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attestation import live
from attestation.models import ExamSession, Slot
from tests.e2e.conftest import attestation_period, login
from tests.e2e.test_stream_page_browser import open_slot_tab, open_stream_page

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.req("NTF-1", "SLT-6")
def test_send_notification_while_the_live_table_refreshes_shows_the_page_once(
    college, new_page, guard, screenshot
):
    stream = college.streams.teacher_a
    today = timezone.localdate()
    attestation_period(college, today - datetime.timedelta(days=1), today + datetime.timedelta(days=10))
    starts = timezone.now() + datetime.timedelta(days=1)
    slot = Slot.objects.create(stream=stream, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2))
    for student in stream.students.all():
        ExamSession.objects.create(stream=stream, student=student, slot=slot)
    page = guard(new_page())
    login(page, college.users["teacher"])
    open_stream_page(page, stream)
    open_slot_tab(page, slot)
    expect(page.locator("html[data-live=push]")).to_have_count(1)  # the slot's stream is open

    held = []
    page.route("**/slots/*/notify/", lambda route: held.append(route))  # the answer is on its way…
    page.get_by_role("button", name="Send notification").click()
    page.wait_for_function("() => document.querySelector('#slot-head form.htmx-request') !== null")
    # …while the table hears of a change and refreshes its parts.
    refreshed = []
    page.on("request", lambda request: "partial=live" in request.url and refreshed.append(request.url))
    live._send([(live.staff_channel(slot.pk), {"event": "answer", "sessions": []})])
    page.wait_for_timeout(2500)
    held[0].continue_()
    expect(page.get_by_text("Notification sent at")).to_be_visible()
    expect(page.locator("header.topbar")).to_have_count(1)  # never a page inside the page
    expect(page.locator("#stream-page")).to_have_count(1)
    expect(page.get_by_role("button", name="Send notification")).to_have_count(0)
    page.wait_for_timeout(5500)  # the held refresh comes afterwards, into the new page
    assert refreshed, "the live refresh was held back until the form's answer, not dropped"
    expect(page.locator("header.topbar")).to_have_count(1)
    screenshot(page, "notified")

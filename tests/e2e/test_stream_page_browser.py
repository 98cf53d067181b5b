"""In real Chromium: a teacher schedules two slots, edits one, deletes one, notifies, sets the platform.

Runs on the real clock (the browser's cookies do too): dates are relative to today.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attestation.clock import local_today
from attestation.models import Slot
from college.models import AcademicSchedule
from notifications.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.req("SLT-1", "SLT-3", "NTF-1", "PLT-1", "PLT-2", "STR-3")
def test_teacher_schedules_edits_deletes_notifies_and_sets_platform(college, new_page, screenshot):
    stream = college.streams.teacher_a
    today = local_today()
    for group in college.groups:
        AcademicSchedule.objects.create(
            group=group,
            academic_period=stream.academic_period,
            attestation_starts_on=today,
            attestation_ends_on=today + datetime.timedelta(days=30),
        )
    day1, day2 = today + datetime.timedelta(days=2), today + datetime.timedelta(days=3)
    first = stream.students.order_by("user__last_name").first().full_name

    page = new_page(college.users["teacher"])
    page.goto(f"/attestation/streams/{stream.pk}/")
    expect(page.get_by_role("heading", name=f"for discipline {stream.discipline.name}")).to_be_visible()

    # Slot 1: the first student only. "Save" stays disabled until a student is ticked.
    page.get_by_role("button", name="Distribute students").click()
    dialog = page.locator("#dialog-distribute")
    dialog.get_by_label("Date and start time of the final control").fill(f"{day1:%Y-%m-%d}T10:00")
    dialog.get_by_label("End time of the final control").fill("12:00")
    assert dialog.get_by_role("button", name="Save").is_disabled()
    dialog.get_by_label(first).check()
    assert dialog.get_by_role("button", name="Save").is_enabled()
    screenshot(page, "distribute")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Students are scheduled.")).to_be_visible()

    # Slot 2: the rest, through select-all.
    page.get_by_role("link", name="Undistributed").click()
    expect(page.get_by_role("link", name="Undistributed")).to_have_attribute("aria-current", "page")
    page.get_by_role("button", name="Distribute students").click()
    dialog = page.locator("#dialog-distribute")
    dialog.get_by_label("Date and start time of the final control").fill(f"{day2:%Y-%m-%d}T14:00")
    dialog.get_by_label("End time of the final control").fill("15:30")
    dialog.get_by_label("Select all").check()
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Students are scheduled.")).to_be_visible()
    assert Slot.objects.filter(stream=stream).count() == 2
    expect(page.get_by_role("link", name="Undistributed")).to_have_count(0)

    # Edit slot 2: a later end.
    page.get_by_role("button", name="Edit").click()
    page.locator("#dialog-edit").get_by_label("End time of the final control").fill("16:00")
    page.locator("#dialog-edit").get_by_role("button", name="Save").click()
    expect(page.get_by_text("The slot is saved.")).to_be_visible()
    slot2 = Slot.objects.get(stream=stream, starts_at__date=day2)
    assert timezone.localtime(slot2.ends_at).strftime("%H:%M") == "16:00"

    # Send the notification: the button hides afterwards.
    page.get_by_role("button", name="Send notification").click()
    expect(page.get_by_text("The notification is sent to 1 students.")).to_be_visible()
    expect(page.get_by_role("button", name="Send notification")).to_have_count(0)
    assert Notification.objects.filter(kind="slot_scheduled").count() == 1

    # Platform, then a recording link.
    page.get_by_role("button", name="Conducting platform").click()
    dialog = page.locator("#dialog-platform")
    dialog.get_by_label("Platform").fill("Zoom")
    dialog.get_by_label("Login").fill("exam-101")
    dialog.get_by_label("Password").fill("s3cret")
    dialog.get_by_label("Conference link").fill("https://zoom.example/j/101")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The platform is saved.")).to_be_visible()
    expect(page.get_by_text("Platform: Zoom")).to_be_visible()
    page.get_by_role("button", name="Conducting platform").click()
    dialog = page.locator("#dialog-platform")
    dialog.get_by_label("Has video recording").check()
    dialog.get_by_role("button", name="Add").click()
    dialog.get_by_label("Recording link", exact=True).fill("https://video.example/rec/1")
    dialog.get_by_label("Show recording link to students").check()
    screenshot(page, "platform")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator(".platform-line")).to_contain_text("shown to students")
    slot2 = Slot.objects.get(stream=stream, starts_at__date=day2)
    assert slot2.platform == "Zoom" and slot2.show_recording
    assert list(slot2.recordings.values_list("url", flat=True)) == ["https://video.example/rec/1"]

    # Delete slot 1 (confirmed): its student returns to "Undistributed".
    page.get_by_role("link", name=f"{day1:%d.%m.%Y} 10:00").click()
    expect(page.get_by_role("link", name=f"{day1:%d.%m.%Y} 10:00")).to_have_attribute("aria-current", "page")
    page.once("dialog", lambda d: d.accept())
    page.locator(".slot-head").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("The slot is deleted")).to_be_visible()
    expect(page.get_by_role("link", name="Undistributed")).to_be_visible()
    expect(page.get_by_role("cell", name=first)).to_be_visible()
    screenshot(page, "after-delete")


@pytest.mark.req("SLT-6", "X-5")
def test_live_table_updates_without_reload_and_pauses_while_a_menu_is_open(college, new_page, screenshot):
    """#8: counts and times reach the open stream page within 5 s as a small fragment; an open row
    menu holds the poll (nothing typed there is replaced); no CSP violation on the way."""
    from attestation.models import ExamSession

    stream = college.streams.teacher_a
    now = timezone.now()
    slot = Slot.objects.create(
        stream=stream,
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=1),
    )
    sessions = [
        ExamSession.objects.create(stream=stream, student=student, slot=slot)
        for student in stream.students.order_by("user__last_name")[:2]
    ]
    page = new_page(college.users["teacher"])
    violations = []
    page.on(
        "console",
        lambda msg: "Content Security" in msg.text and violations.append(f"{msg.text} {msg.location}"),
    )
    polls = []
    page.on("request", lambda req: "partial=live" in req.url and polls.append(req.url))
    page.goto(f"/attestation/streams/{stream.pk}/?tab=slot-{slot.pk}")
    counts = page.locator(".live-counts")
    expect(counts).to_contain_text("answers sent: 0")

    ExamSession.objects.filter(pk=sessions[0].pk).update(answer_sent_at=now)
    expect(counts).to_contain_text("answers sent: 1", timeout=8_000)
    assert polls, "the live table is fetched as a fragment"
    screenshot(page, "live")

    # A row menu is open: the poll holds, so the extra-time field being typed stays as typed.
    page.locator(".row-menu summary").first.click()
    field = page.locator(".row-menu[open] input[name=minutes]")
    field.fill("25")
    ExamSession.objects.filter(pk=sessions[1].pk).update(answer_sent_at=now)
    page.wait_for_timeout(6_500)
    expect(field).to_have_value("25")
    expect(counts).to_contain_text("answers sent: 1")
    # Closed again: the next poll brings the news.
    page.locator(".row-menu[open] summary").click()
    expect(counts).to_contain_text("answers sent: 2", timeout=8_000)
    assert not violations, "\n".join(violations)


@pytest.mark.req("SLT-6", "X-10")
def test_live_table_after_the_session_expired_goes_to_the_login_page(college, new_page):
    """The next poll of an expired session leads to the login page, and back to the stream page."""
    stream = college.streams.teacher_a
    now = timezone.now()
    slot = Slot.objects.create(
        stream=stream,
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=1),
    )
    page = new_page(college.users["teacher"])
    page.goto(f"/attestation/streams/{stream.pk}/?tab=slot-{slot.pk}")
    expect(page.locator(".live-counts")).to_be_visible()
    page.context.clear_cookies()  # the session is gone, as after eight idle hours
    page.wait_for_url("**/login/?next=*", timeout=10_000)
    page.fill("#id_username", "teacher")
    page.fill("#id_password", "pass12345")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"**/attestation/streams/{stream.pk}/?tab=slot-{slot.pk}")
    expect(page.locator(".live-counts")).to_be_visible()

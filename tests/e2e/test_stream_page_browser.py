"""In real Chromium: a teacher schedules two slots, edits one, deletes one, notifies, sets the platform.

Runs on the real clock (the browser's cookies do too): dates are relative to today.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from attestation import live
from attestation.models import Slot
from core.clock import local_today
from notifications.models import Notification
from tests.e2e.conftest import attestation_period, login, travel

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.req("SLT-1", "SLT-3", "NTF-1", "PLT-1", "PLT-2", "STR-3")
def test_teacher_schedules_edits_deletes_notifies_and_sets_platform(college, new_page, screenshot):
    stream = college.streams.teacher_a
    today = local_today()
    attestation_period(college, today, today + datetime.timedelta(days=30))
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
    assert Notification.objects.filter(kind="slot_announced").count() == 1

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
    page.locator(".slot-head").get_by_role("button", name="Delete").click()
    confirm = page.locator("#confirm-dialog")  # the page's own <dialog>, never window.confirm
    expect(confirm).to_contain_text("Delete this slot? Its students go back to “Undistributed”.")
    confirm.get_by_role("button", name="Delete the slot").click()
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
    live.publish(live.Event.ANSWER, slot_id=slot.pk, sessions=[sessions[0].pk])  # as answer_send does
    expect(counts).to_contain_text("answers sent: 1", timeout=8_000)
    assert polls, "the live table is fetched as a fragment"
    screenshot(page, "live")

    # A row menu is open: the poll holds, so the extra-time field being typed stays as typed.
    page.locator(".row-menu-button").first.click()
    field = page.locator(".row-menu-body:popover-open input[name=minutes]")
    field.fill("25")
    ExamSession.objects.filter(pk=sessions[1].pk).update(answer_sent_at=now)
    live.publish(live.Event.ANSWER, slot_id=slot.pk, sessions=[sessions[1].pk])
    page.wait_for_timeout(6_500)
    expect(field).to_have_value("25")
    expect(counts).to_contain_text("answers sent: 1")
    # Closed again: the refresh held back happens now.
    page.locator(".row-menu-button").first.click()
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
    live.publish(live.Event.ANSWER, slot_id=slot.pk, sessions=[])  # the next refresh (#15: on news)
    page.wait_for_url("**/login/?next=*", timeout=10_000)
    page.fill("#id_username", "teacher")
    page.fill("#id_password", "pass12345")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"**/attestation/streams/{stream.pk}/?tab=slot-{slot.pk}")
    expect(page.locator(".live-counts")).to_be_visible()


# --- #14: the stream page as a teacher clicks it -------------------------------------------------


def open_stream_page(page, stream):
    """From anywhere after login: the menu → Intermediate attestation → the stream, by clicking."""
    page.get_by_text("Online attestation", exact=True).click()
    page.locator(".menu").get_by_role("link", name="Intermediate attestation").click()
    page.get_by_role("link", name=stream.name).click()
    expect(page.get_by_role("heading", name=f"for discipline {stream.discipline.name}")).to_be_visible()


def running_slot(stream, minutes=5):
    """A slot of every student of the stream, started ``minutes`` ago, with their sessions."""
    from attestation.models import ExamSession

    now = timezone.now()
    slot = Slot.objects.create(
        stream=stream,
        starts_at=now - datetime.timedelta(minutes=minutes),
        ends_at=now + datetime.timedelta(hours=1),
    )
    for student in stream.students.order_by("user__last_name"):
        ExamSession.objects.create(stream=stream, student=student, slot=slot)
    return slot


def open_slot_tab(page, slot):
    """Click the slot's tab, unless it is the one shown (a click would swap the page in once more, after
    the test has moved on)."""
    tab = page.get_by_role("link", name=timezone.localtime(slot.starts_at).strftime("%d.%m.%Y %H:%M"))
    if tab.get_attribute("aria-current") != "page":
        tab.click()
    expect(tab).to_have_attribute("aria-current", "page")


@pytest.mark.req("X-6")
def test_grade_sheet_buttons_download_files(college, new_page, guard, screenshot):
    """#14.1: the slot's and the stream's XLSX/PDF buttons download files; the page stays whole."""

    stream = college.streams.teacher_a
    slot = running_slot(stream)
    page = guard(new_page())
    login(page, college.users["teacher"])
    open_stream_page(page, stream)
    open_slot_tab(page, slot)
    sheet = page.locator(".grade-sheet")
    for row, stem in [("This slot", "slot"), ("Whole stream", "stream")]:
        for fmt in ("XLSX", "PDF"):
            with page.expect_download() as info:
                sheet.locator("li", has_text=row).get_by_role("link", name=fmt).click()
            download = info.value
            assert download.suggested_filename.endswith("." + fmt.lower()), download.suggested_filename
            content = download.path().read_bytes()
            assert content.startswith(b"%PDF" if fmt == "PDF" else b"PK"), (stem, fmt)
    # Nothing was swapped away: the page is still the stream page with its live table.
    expect(page.locator("#stream-page .slot-table")).to_be_visible()
    screenshot(page, "after-downloads")


@pytest.mark.req("SLT-6", "GRD-1")
def test_a_students_name_opens_their_session_page(college, new_page, guard, screenshot):
    """#14.2: the name in the live table leads to the student's session page (answer, grading)."""

    stream = college.streams.teacher_a
    slot = running_slot(stream)
    student = college.users["student"]
    page = guard(new_page())
    login(page, college.users["teacher"])
    open_stream_page(page, stream)
    open_slot_tab(page, slot)
    page.locator(".slot-table").get_by_role("link", name=student.full_name).click()
    expect(page.get_by_role("heading", name=f"Final control: {stream.discipline.name}")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/attestation/sessions/\d+/$"))
    expect(page.get_by_role("heading", name="Assessment")).to_be_visible()
    screenshot(page, "session-page")
    # And back through the crumb: the stream page on the same slot's tab.
    page.locator(".crumbs").get_by_role("link", name=stream.discipline.name).click()
    expect(page.locator("#stream-page .slot-table")).to_be_visible()


@pytest.mark.req("SLT-1", "X-4")
@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_refused_dialog_reopens_with_its_reason(college, new_page, guard, screenshot, settings, debug):
    """#14.4: in DEBUG (``make demo``) as in production, a refused dialog re-opens showing why."""

    settings.DEBUG = debug
    stream = college.streams.teacher_a
    today = local_today()
    attestation_period(college, today, today + datetime.timedelta(days=30))
    day = today + datetime.timedelta(days=2)
    page = guard(new_page())
    guard.expect(400, f"/attestation/streams/{stream.pk}/slots/")
    login(page, college.users["teacher"])
    open_stream_page(page, stream)
    page.get_by_role("button", name="Distribute students").click()
    dialog = page.locator("#dialog-distribute")
    dialog.get_by_label("Date and start time of the final control").fill(f"{day:%Y-%m-%d}T12:00")
    dialog.get_by_label("End time of the final control").fill("10:00")
    dialog.get_by_label("Select all").check()
    dialog.get_by_role("button", name="Save").click()
    dialog = page.locator("#dialog-distribute")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("alert")).to_contain_text("The end time must be later than the start.")
    screenshot(page, "refused")
    assert not Slot.objects.filter(stream=stream).exists()


def at_local(day, hour, minute=0):
    from core import clock

    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=clock.local_now().tzinfo)


def reloads(page):
    """Every document the page loads (a reload, a normal navigation); htmx requests are not documents."""
    loaded = []
    page.on("request", lambda request: request.resource_type == "document" and loaded.append(request.url))
    return loaded


@pytest.mark.req("SLT-6", "TKT-3", "GEN-1", "SND-1", "NTF-1")
def test_toolbar_counter_and_notification_follow_the_live_poll(
    college, new_page, guard, screenshot, settings
):
    """#14.7: tickets entered in the Tickets tab show in the counter, "Generate ticket numbers" and —
    at the start — "Send questions" appear, all without a reload; after "Send notification" the slot
    says when and to how many students it went."""
    from attestation.services import tickets as tickets_service
    from attestation.services.slots import slot_create

    settings.SESSION_COOKIE_AGE = 7 * 24 * 3600  # the server's clock jumps a day ahead
    stream = college.streams.teacher_a
    teacher = college.users["teacher"]
    tomorrow = local_today() + datetime.timedelta(days=1)
    attestation_period(college, tomorrow - datetime.timedelta(days=3), tomorrow + datetime.timedelta(days=10))
    tickets_service.ticket_count_set(actor=teacher, stream=stream, count=3)
    for number in (1, 2):
        tickets_service.ticket_save(actor=teacher, stream=stream, number=number, body=f"<p>Q {number}</p>")
    slot = slot_create(
        actor=teacher,
        stream=stream,
        student_ids=list(stream.students.values_list("pk", flat=True)),
        starts_at=at_local(tomorrow, 10),
        ends_at=at_local(tomorrow, 12),
    )
    page = guard(new_page())
    login(page, teacher)
    with travel(at_local(tomorrow, 9, 50)):
        open_stream_page(page, stream)
        open_slot_tab(page, slot)
        loaded = reloads(page)
        toolbar = page.locator("#slot-head .toolbar")
        expect(page.get_by_text("Entered 2 of 3 tickets")).to_be_visible()
        expect(toolbar.get_by_role("button", name="Generate ticket numbers")).to_have_count(0)

        # The third ticket, written in the Tickets tab.
        with page.expect_popup() as popup_info:
            page.get_by_role("link", name="Tickets", exact=True).click()
        tickets = popup_info.value
        tickets.get_by_role("button", name="Add").click()
        dialog = tickets.locator("#dialog-add")
        dialog.get_by_label("Ticket").select_option("3")
        editor = dialog.get_by_role("textbox", name="Questions")
        expect(editor).to_be_visible(timeout=20_000)
        editor.click()
        tickets.keyboard.type("What is a slot?")
        dialog.get_by_role("button", name="Save").click()
        expect(tickets.get_by_text("The ticket is saved.")).to_be_visible()
        tickets.close()

        # Back on the stream page: the counter and the toolbar caught up, with no reload.
        expect(page.get_by_text("Entered 3 of 3 tickets")).to_be_visible(timeout=8_000)
        expect(toolbar.get_by_role("button", name="Generate ticket numbers")).to_be_visible(timeout=8_000)
        screenshot(page, "counter-caught-up")

        # The notification: the button gives way to when and to how many it went.
        toolbar.get_by_role("button", name="Send notification").click()
        expect(page.get_by_text("The notification is sent to 2 students.")).to_be_visible()
        expect(page.locator("#slot-head")).to_contain_text("Notification sent at 09:5")
        expect(page.locator("#slot-head")).to_contain_text("to 2 students.")
        expect(toolbar.get_by_role("button", name="Send notification")).to_have_count(0)

        toolbar.get_by_role("button", name="Generate ticket numbers").click()
        dialog = page.locator("#dialog-generate")
        dialog.get_by_label("Select all").check()
        dialog.get_by_role("button", name="Generate").click()
        expect(page.get_by_text("Ticket numbers are generated for 2 students.")).to_be_visible()
        expect(toolbar.get_by_role("button", name="Send questions to students")).to_have_count(0)
        screenshot(page, "before-start")
        # Nothing changed: a refresh leaves the toolbar's very elements in place (no lost click).
        page.locator("#slot-head").evaluate("head => { head.kept = true; }")  # a mark outside the HTML
        with page.expect_response(lambda response: "partial=live" in response.url, timeout=8_000):
            live.publish(live.Event.NOTIFIED, slot_id=slot.pk)  # news that changes nothing shown
        page.wait_for_timeout(300)
        assert page.locator("#slot-head").evaluate("head => head.kept === true"), "the toolbar was replaced"
        loaded.clear()

        with travel(at_local(tomorrow, 10, 0)):
            # The slot starts: "Send questions" appears by itself (the page refreshes at the start, on
            # the server's clock that the keep-alive brings), and opens its dialog.
            send = toolbar.get_by_role("button", name="Send questions to students")
            expect(send).to_be_visible(timeout=8_000)
            expect(page.locator("#slot-head .state")).to_have_text("in progress")
            expect(page.locator("#slot-head")).to_contain_text("Notification sent at 09:5")
            screenshot(page, "started")
            send.click()
            dialog = page.locator("#dialog-send")
            dialog.get_by_label("Select all").check()
            dialog.get_by_role("button", name="Send questions").click()
            expect(page.get_by_text("The questions are sent to 2 students.")).to_be_visible()
        assert loaded == [], f"the stream page reloaded: {loaded}"


@pytest.mark.req("TKT-2", "STR-1")
def test_the_tickets_pages_crumb_leads_back_to_the_stream_page(college, new_page, guard, screenshot):
    """#14.2 on the other boosted page: the Tickets page's crumb opens the stream page (it wiped the
    Tickets page: its answer has no #tickets-page)."""

    stream = college.streams.teacher_a
    page = guard(new_page())
    login(page, college.users["teacher"])
    open_stream_page(page, stream)
    with page.expect_popup() as popup:
        page.get_by_role("link", name="Tickets", exact=True).click()
    tickets = popup.value
    expect(
        tickets.get_by_role("heading", name=f"Tickets for discipline {stream.discipline.name}")
    ).to_be_visible()
    tickets.locator(".crumbs").get_by_role("link", name=stream.name).click()
    heading = f"Conducting online intermediate attestation for discipline {stream.discipline.name}"
    expect(tickets.get_by_role("heading", name=heading)).to_be_visible()
    expect(tickets.locator("#stream-page .tabs")).to_be_visible()
    expect(tickets).to_have_url(re.compile(rf"/attestation/streams/{stream.pk}/$"))
    screenshot(tickets, "followed")


ADD_LINK = """([href, text]) => {
  const link = Object.assign(document.createElement("a"), {href, textContent: text});
  document.querySelector("#stream-page h1").after(link);
  htmx.process(link);
}"""


@pytest.mark.req("STR-1", "X-6")
def test_a_boosted_link_that_slipped_through_is_followed_not_swapped(college, new_page, guard, screenshot):
    """#14.2's safety net (stream-page.js): should a future link in the boosted region forget to opt
    out, its answer — another page, or a download — is followed as a normal navigation instead of
    being swapped in as nothing. Such links are added to the page here, as a template might."""

    stream = college.streams.teacher_a
    slot = running_slot(stream)
    page = guard(new_page())
    login(page, college.users["teacher"])
    open_stream_page(page, stream)
    open_slot_tab(page, slot)
    page.evaluate(ADD_LINK, [reverse("attestation:grade_sheet_slot", args=[slot.pk, "xlsx"]), "A sheet"])
    with page.expect_download() as info:
        page.get_by_role("link", name="A sheet").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    expect(page.locator("#stream-page .slot-table")).to_be_visible()  # the page is whole

    page.evaluate(ADD_LINK, [reverse("attestation:stream_list"), "The streams"])
    page.get_by_role("link", name="The streams").click()
    expect(page.get_by_role("heading", name="Online intermediate attestation")).to_be_visible()
    expect(page.get_by_role("link", name=stream.name)).to_be_visible()
    screenshot(page, "followed")

"""The teacher's exam day, the second round of what got in the way, in real Chromium as people click:

- "Send notification" while the live table refreshes shows the page once (a refresh had replaced
  the slot's head, and the form in it, while the form's answer was on its way: the whole page came
  back inside the page) (NTF-1, SLT-6);
- a student opening the questions, and a page that can only poll, change the teacher's table by
  push (STU-4, SLT-6, X-5);
- an earlier end of a running exam asks first, naming who is still writing, and the student's page
  says the new end (SLT-3, TIM-1);
- the grading table marks who did not show as absent in one go and computes the total as the parts
  are typed (GRD-3, GRD-5).
"""

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
def test_journey_send_notification_while_the_live_table_refreshes_shows_the_page_once(
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


def _over_slot(college, written_oral=True):
    """The teacher's slot, over ten minutes ago: the student answered; the other student and a third
    one never showed (no ticket chosen, questions never opened, nothing saved)."""
    from attestation.services.journal import sync_final_columns
    from tests import factories as f

    stream = college.streams.teacher_a
    journal = stream.journal
    journal.final_form = "written_oral" if written_oral else "written"
    journal.save()
    sync_final_columns(journal)
    third = f.StudentFactory(
        user=f.UserFactory(username="student_c", last_name="Zhakupov"), group=college.groups[0]
    )
    stream.students.add(third)
    now = timezone.now()
    slot = Slot.objects.create(
        stream=stream,
        starts_at=now - datetime.timedelta(hours=2),
        ends_at=now - datetime.timedelta(minutes=10),
    )
    answered = ExamSession.objects.create(
        stream=stream,
        student=college.users["student"].student,
        slot=slot,
        answer="<p>A</p>",
        answer_sent_at=now - datetime.timedelta(hours=1),
        questions_viewed_at=now - datetime.timedelta(hours=1, minutes=50),
    )
    absent = [
        ExamSession.objects.create(stream=stream, student=student, slot=slot)
        for student in (college.users["other_student"].student, third)
    ]
    return stream, slot, answered, absent


@pytest.mark.req("GRD-1", "GRD-3", "GRD-5", "GRD-6")
def test_journey_grading_marks_who_did_not_show_and_computes_the_total_as_typed(
    college, new_page, guard, screenshot
):
    from attestation import grade_scales

    stream, slot, answered, absent = _over_slot(college)
    page = guard(new_page())
    login(page, college.users["teacher"])
    open_stream_page(page, stream)
    open_slot_tab(page, slot)
    page.get_by_role("link", name="Grade the slot").click()
    table = page.locator(".grading-table")
    name = answered.student.full_name
    page.get_by_label(f"Written: {name}", exact=True).select_option("4")
    page.get_by_label(f"Oral: {name}", exact=True).select_option("5")
    row = table.get_by_role("row", name=name)
    expect(row.locator("output")).to_have_text(grade_scales.total_of("4", "5", "traditional"))  # as typed
    page.get_by_label(f"Oral: {name}", exact=True).select_option("3")
    expect(row.locator("output")).to_have_text(grade_scales.total_of("4", "3", "traditional"))
    page.get_by_role("button", name="Mark the 2 students who did not show as absent").click()
    for session in absent:
        expect(page.get_by_label(f"Absence: {session.student.full_name}", exact=True)).to_have_value(
            "unexcused"
        )
    expect(page.get_by_label(f"Absence: {name}", exact=True)).to_have_value("")  # they showed
    screenshot(page, "marked")
    page.get_by_role("button", name="Save grades").click()
    expect(page.get_by_text("3 grades are saved and are in the journal.")).to_be_visible()
    for session in absent:
        session.refresh_from_db()
        assert session.absence == "unexcused"
    answered.refresh_from_db()
    assert (answered.grade_written, answered.grade_oral, answered.grade_total) == ("4", "3", "4")


@pytest.mark.req("JRN-1", "GRD-5", "X-9")
def test_journey_nothing_is_cut_off_the_journal_the_absence_mark_and_a_rows_menu(
    college, new_page, guard, screenshot
):
    """At 1366 px: the journal's final column is on screen beside many current-control columns (and
    the numbered columns say what they are); a chosen absence mark shows whole; a row's "More"
    menu opens whole even from the table's last row."""
    from college.models import JournalColumn

    stream, slot, answered, absent = _over_slot(college)
    for n in range(1, 13):
        JournalColumn.objects.create(journal=stream.journal, kind="current", title=str(n), position=n)
    page = guard(new_page(viewport={"width": 1366, "height": 800}))
    login(page, college.users["teacher"])
    page.get_by_role("link", name="Journals").click()
    page.get_by_role("link", name=stream.name).click()
    screenshot(page, "journal-1366")
    final = page.locator("table.journal thead tr").nth(1).locator("th.final").last
    box = final.bounding_box()
    assert box["x"] + box["width"] <= 1366, box  # on screen, not scrolled away
    expect(page.locator("table.journal thead th[scope=colgroup]")).to_have_text(
        ["Final control", "Current control"]
    )

    open_stream_page(page, stream)
    open_slot_tab(page, slot)
    page.get_by_role("link", name="Grade the slot").click()
    mark = page.get_by_label(f"Absence: {absent[0].student.full_name}", exact=True)
    mark.select_option("unexcused")
    assert mark.evaluate("select => select.scrollWidth <= select.clientWidth + 1"), (
        "the chosen mark is cut off"
    )
    screenshot(page, "absence-whole")


@pytest.mark.req("X-4", "X-9")
def test_journey_a_rows_menu_opens_whole_from_the_last_row(college, new_page, guard):
    stream = college.streams.teacher_a
    now = timezone.now()
    slot = Slot.objects.create(
        stream=stream,
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=1),
    )
    for student in stream.students.all():
        ExamSession.objects.create(stream=stream, student=student, slot=slot)
    page = guard(new_page(viewport={"width": 1366, "height": 700}))
    login(page, college.users["teacher"])
    open_stream_page(page, stream)
    open_slot_tab(page, slot)
    last = page.locator(".slot-table tbody tr").last
    last.get_by_role("button", name="More").click()
    menu = last.locator(".row-menu-body")
    expect(menu).to_be_visible()
    box = menu.bounding_box()
    assert (
        box["y"] >= 0
        and box["y"] + box["height"] <= 700
        and box["x"] >= 0
        and box["x"] + box["width"] <= 1366
    )
    expect(menu.get_by_label("Extra time, minutes")).to_be_visible()

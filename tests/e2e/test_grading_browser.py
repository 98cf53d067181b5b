"""In real Chromium: a teacher grades two students — one answered, one absent with an excuse — and the
journal shows both (GRD-1, GRD-2, GRD-6, JRN-4). Real clock."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attestation.models import ExamSession, Slot
from attestation.services.journal import sync_final_columns
from core import clock

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.req("GRD-1", "GRD-2", "GRD-6", "JRN-4")
def test_teacher_grades_two_students_and_the_journal_shows_both(college, new_page, screenshot):
    stream = college.streams.teacher_a
    sync_final_columns(stream.journal)
    now = clock.now()
    slot = Slot.objects.create(
        stream=stream,
        starts_at=now - datetime.timedelta(hours=2),
        ends_at=now - datetime.timedelta(minutes=5),
    )
    student, other = college.users["student"].student, college.users["other_student"].student
    answered = ExamSession.objects.create(
        stream=stream,
        student=student,
        slot=slot,
        answer="<p>My answer</p>",
        answer_sent_at=now - datetime.timedelta(hours=1),
    )
    absent = ExamSession.objects.create(stream=stream, student=other, slot=slot)

    page = new_page(college.users["teacher"])
    page.goto(f"/attestation/sessions/{answered.pk}/")
    expect(page.get_by_text("My answer")).to_be_visible()
    page.locator("#assessment").get_by_text("Edit", exact=True).click()
    page.get_by_label("Written").fill("4")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The grade is saved and is in the journal.")).to_be_visible()
    expect(page.locator("#assessment .grade")).to_have_text("4 (good)")

    page.goto(f"/attestation/sessions/{absent.pk}/")
    page.locator("#assessment").get_by_text("Edit", exact=True).click()
    page.get_by_label("Absent, excused").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The grade is saved and is in the journal.")).to_be_visible()
    screenshot(page, "graded")

    page.goto(f"/college/journals/{stream.pk}/")
    expect(page.get_by_role("row", name=student.full_name)).to_contain_text("4 (good)")
    expect(page.get_by_role("row", name=other.full_name)).to_contain_text("Absent, excused")
    expect(page.get_by_text("final-control grades are set in the Online attestation module")).to_be_visible()
    screenshot(page, "journal")


# --- #14 defect 12: the whole slot from one table ---------------------------------------------------


def _graded_slot(college, scale="credit", final_form="written"):
    """The teacher's slot, over five minutes ago, on the credit scale: one student answered, one
    left only a draft, a third answered and already has 40 points (so a change needs a reason)."""
    from attestation.services import grades
    from tests import factories as f

    stream = college.streams.teacher_a
    journal = stream.journal
    journal.final_form = final_form
    journal.save()
    sync_final_columns(journal)
    group = college.groups[0]
    group.technology = f.TechnologyFactory(scale=scale)
    group.save()
    third = f.StudentFactory(user=f.UserFactory(username="student_c", last_name="Zhakupov"), group=group)
    stream.students.add(third)
    now = clock.now()
    slot = Slot.objects.create(
        stream=stream,
        starts_at=now - datetime.timedelta(hours=2),
        ends_at=now - datetime.timedelta(minutes=5),
    )
    sent = now - datetime.timedelta(hours=1)
    answered = ExamSession.objects.create(
        stream=stream,
        student=college.users["student"].student,
        slot=slot,
        answer="<p>A</p>",
        answer_sent_at=sent,
    )
    drafted = ExamSession.objects.create(
        stream=stream,
        student=college.users["other_student"].student,
        slot=slot,
        draft="<p>half</p>",
        draft_saved_at=sent,
    )
    regraded = ExamSession.objects.create(
        stream=stream, student=third, slot=slot, answer="<p>C</p>", answer_sent_at=sent
    )
    points = "40" if scale == "credit" else "3"
    grades.grade_set(actor=college.users["teacher"], session=regraded, written=points, oral=points, version=0)
    return stream, slot, answered, drafted, regraded


@pytest.mark.req("GRD-1", "GRD-3", "GRD-6", "JRN-4", "X-7")
def test_teacher_grades_the_whole_slot_from_its_table(college, new_page, guard, screenshot):
    """From the stream page's slot tab to the grading table: three rows typed, one wrong (flagged as
    typed, refused on save with its message, the rest saved, nothing lost), a reason for the changed
    grade; then the live table, the journal and the student's exam page show the grades."""
    from tests.e2e.conftest import login

    stream, slot, answered, drafted, regraded = _graded_slot(college)
    names = {s: s.student.full_name for s in (answered, drafted, regraded)}
    page = guard(new_page())
    login(page, college.users["teacher"])

    page.get_by_text("Online attestation", exact=True).click()
    page.locator(".menu").get_by_role("link", name="Intermediate attestation").click()
    page.get_by_role("link", name=stream.name).click()
    page.get_by_role("link", name=timezone.localtime(slot.starts_at).strftime("%d.%m.%Y %H:%M")).click()
    page.get_by_role("link", name="Grade the slot").click()
    expect(
        page.get_by_role("heading", name=f"Grading for discipline {stream.discipline.name}")
    ).to_be_visible()
    table = page.locator(".grading-table")
    expect(table.get_by_role("row", name=names[drafted])).to_contain_text("Draft only, saved at")
    expect(table.get_by_role("row", name=names[regraded])).to_contain_text("40 (FX, 2)")

    page.get_by_label(f"Written: {names[answered]}", exact=True).fill("87")
    page.get_by_label(f"Comment to {names[answered]}", exact=True).fill("Clear and complete.")
    wrong = page.get_by_label(f"Written: {names[drafted]}", exact=True)
    wrong.fill("150")
    drafted_row = table.get_by_role("row", name=names[drafted])
    expect(drafted_row.get_by_text("Enter points from 0 to 100.")).to_be_visible()  # flagged as typed
    page.get_by_label(f"Written: {names[regraded]}", exact=True).fill("72")
    regraded_row = table.get_by_role("row", name=names[regraded])
    expect(regraded_row.get_by_text("Say why the grade is changed.")).to_be_visible()
    page.get_by_label(f"Reason for changing the grade of {names[regraded]}", exact=True).fill(
        "Re-checked question 3"
    )
    expect(regraded_row.get_by_text("Say why the grade is changed.")).to_have_count(0)
    screenshot(page, "typed")

    guard.expect(400, "/grading/")  # a refused row re-renders the table with 400
    page.get_by_role("button", name="Save grades").click()
    expect(page.get_by_text("2 grades are saved and are in the journal.")).to_be_visible()
    expect(page.get_by_text("1 row was not saved")).to_be_visible()
    expect(drafted_row.get_by_text("Enter points from 0 to 100.")).to_be_visible()
    expect(page.get_by_label(f"Written: {names[drafted]}", exact=True)).to_have_value("150")  # nothing lost
    expect(table.get_by_role("row", name=names[answered])).to_contain_text("87 (B+, 4)")
    expect(regraded_row).to_contain_text("72 (C+, 4)")
    screenshot(page, "one-refused")

    page.get_by_label(f"Written: {names[drafted]}", exact=True).fill("45")
    page.get_by_role("button", name="Save grades").click()
    expect(page.get_by_text("1 grade is saved and is in the journal.")).to_be_visible()
    expect(drafted_row).to_contain_text("45 (FX, 2)")

    page.get_by_role("link", name="Back to the slot").click()
    live = page.locator("#slot-live")
    expect(live.get_by_role("row", name=names[answered])).to_contain_text("87 (B+, 4)")
    expect(live.get_by_role("row", name=names[drafted])).to_contain_text("45 (FX, 2)")
    expect(live.get_by_role("row", name=names[regraded])).to_contain_text("72 (C+, 4)")
    expect(live).to_contain_text("graded: 3")
    screenshot(page, "live-table")

    page.locator(".menu").get_by_role("link", name="Journals").click()
    page.get_by_role("link", name=stream.name).click()
    expect(page.get_by_role("row", name=names[answered])).to_contain_text("87 (B+, 4)")
    expect(page.get_by_role("row", name=names[regraded])).to_contain_text("72 (C+, 4)")
    screenshot(page, "journal")

    regraded.refresh_from_db()
    assert [c.reason for c in regraded.grade_changes.order_by("at", "id")] == ["", "Re-checked question 3"]

    student_page = guard(new_page())
    login(student_page, college.users["student"])
    student_page.get_by_role("link", name="My final controls").click()
    student_page.get_by_role("link", name=stream.discipline.name).click()
    expect(student_page.locator(".grade-card .grade-big")).to_have_text("87 (B+, 4)")  # first, large
    expect(student_page.locator(".grade-card .grade-comment")).to_contain_text("Clear and complete.")
    screenshot(student_page, "student-sees-the-comment")


@pytest.mark.req("GRD-1", "GRD-3", "X-8")
@pytest.mark.parametrize(("scale", "final_form"), [("credit", "written"), ("traditional", "written_oral")])
def test_the_grading_table_in_russian_at_1280_px(college, new_page, guard, screenshot, scale, final_form):
    """A look at the table as a Russian-speaking teacher sees it (the screenshot is for a person):
    the widest forms fit 1280 px without a sideways scroll."""
    from tests.e2e.conftest import login

    stream, slot, *_sessions = _graded_slot(college, scale, final_form)
    page = guard(new_page())
    login(page, college.users["teacher"])
    page.get_by_text("Online attestation", exact=True).click()
    page.locator(".menu").get_by_role("link", name="Intermediate attestation").click()
    page.get_by_role("link", name=stream.name).click()
    page.get_by_role("link", name=timezone.localtime(slot.starts_at).strftime("%d.%m.%Y %H:%M")).click()
    page.get_by_role("link", name="Grade the slot").click()
    page.get_by_role("button", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("columnheader", name="ФИО обучающегося")).to_be_visible()
    screenshot(page, f"ru-{scale}-{final_form}")
    # The table fits the page at 1280 px: no sideways scroll of the page nor of the table.
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth"), "the grading table scrolls sideways"


def _open_grading_table(page, stream, slot, link="Grade the slot"):
    page.get_by_text("Online attestation", exact=True).click()
    page.locator(".menu").get_by_role("link", name="Intermediate attestation").click()
    page.get_by_role("link", name=stream.name).click()
    page.get_by_role("link", name=timezone.localtime(slot.starts_at).strftime("%d.%m.%Y %H:%M")).click()
    page.get_by_role("link", name=link).click()


@pytest.mark.req("GRD-2", "GRD-1")
def test_an_absence_greys_the_grade_out_and_read_mode_only_looks(college, new_page, guard, screenshot):
    from tests.e2e.conftest import login

    stream, slot, _answered, drafted, _regraded = _graded_slot(college)
    name = drafted.student.full_name
    page = guard(new_page())
    login(page, college.users["teacher"])
    _open_grading_table(page, stream, slot)
    written = page.get_by_label(f"Written: {name}", exact=True)
    page.get_by_label(f"Absence: {name}", exact=True).select_option(label="Absent, excused")
    expect(written).to_be_disabled()
    page.get_by_role("button", name="Save grades").click()
    expect(page.get_by_text("1 grade is saved and is in the journal.")).to_be_visible()
    expect(page.locator(".grading-table").get_by_role("row", name=name)).to_contain_text("Absent, excused")

    reader = guard(new_page())
    login(reader, college.users["reader"])
    _open_grading_table(reader, stream, slot, link="Grades of the slot")
    expect(reader.get_by_text("Read mode: you can view, but not change anything.")).to_be_visible()
    expect(reader.locator(".grading-table").get_by_role("row", name=name)).to_contain_text("Absent, excused")
    expect(reader.get_by_role("button", name="Save grades")).to_have_count(0)
    expect(
        reader.locator(".grading-table select, .grading-table input, .grading-table textarea")
    ).to_have_count(0)
    screenshot(reader, "read-mode")

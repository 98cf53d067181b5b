"""Grading a whole slot from one table (#14 defect 12; GRD-1…GRD-6, X-7).

Every row goes through the single-student ``grade_set``, so the rules are the same: the time rule,
the scale, the reason for a change, the history, the journal. These tests prove the table keeps them,
saves each valid row, refuses each invalid one with its own message, and loses nothing typed.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from attestation.models import ExamSession, GradeChange, Slot
from attestation.services import Refused
from attestation.services import grades as service
from attestation.services.grades import GradeEntry
from attestation.services.journal import sync_final_columns
from audit.models import AuditEntry
from college.models import JournalColumn, JournalMark, TrainingTechnology
from tests import factories as f
from tests.exams import at, slot_for
from tests.html import shown_page
from tests.personas import PERSONAS


@pytest.fixture(autouse=True)
def english():
    """Service calls outside a request speak the default language (Kazakh): assert in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def slot(scheduled, clock):
    """The teacher's slot (1 Dec, 10:00–12:00) with both students of group A; the journal grades
    the written exam. The clock stands at 12:30: every row may be graded."""
    stream = scheduled.streams.teacher_a
    sync_final_columns(stream.journal)
    slot = slot_for(scheduled)
    clock.move_to(at(1, 12, 30))
    return slot


def sessions_of(slot, scheduled):
    mine = slot.sessions.get(student__user=scheduled.users["student"])
    other = slot.sessions.get(student__user=scheduled.users["other_student"])
    return mine, other


def entry(session, **typed):
    session.refresh_from_db()
    return GradeEntry(session_id=session.pk, version=session.grade_version, **typed)


def set_form(stream, final_form):
    journal = stream.journal
    journal.final_form = final_form
    journal.save()
    sync_final_columns(journal)


def set_scale(session, scale):
    technology = f.TechnologyFactory(scale=scale)
    group = session.student.group
    group.technology = technology
    group.save()


def url(slot):
    return reverse("attestation:slot_grading", args=[slot.pk])


def row_fields(slot, session, **typed):
    """The POST fields of one row, as the page names them."""
    session.refresh_from_db()
    values = {
        "absence": session.absence,
        "written": session.grade_written,
        "oral": session.grade_oral,
        "total": session.grade_total,
        "comment": session.grade_comment,
        "reason": "",
        "version": session.grade_version,
    } | typed
    return {f"s{session.pk}-{name}": value for name, value in values.items()}


# --- the service -----------------------------------------------------------------------------


@pytest.mark.req("GRD-1", "GRD-3", "GRD-6")
def test_each_valid_row_is_saved_and_each_invalid_one_refused_with_its_field(slot, scheduled):
    mine, other = sessions_of(slot, scheduled)
    saved, refused = service.slot_grades_set(
        actor=scheduled.users["teacher"],
        slot=slot,
        entries=[entry(mine, written="4"), entry(other, written="7")],
    )
    assert [s.pk for s in saved] == [mine.pk]
    assert list(refused) == [other.pk]
    assert (
        refused[other.pk].field == "written"
        and str(refused[other.pk].message) == "Enter a grade from 2 to 5."
    )
    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.grade_total, other.grade_total) == ("4", "")
    final = slot.stream.journal.columns.get(kind=JournalColumn.Kind.FINAL)
    assert JournalMark.objects.get(column=final, student=mine.student).value == "4"
    assert not JournalMark.objects.filter(column=final, student=other.student).exists()


@pytest.mark.req("GRD-1")
def test_rows_left_as_they_were_are_not_saved_again(slot, scheduled):
    mine, other = sessions_of(slot, scheduled)
    teacher = scheduled.users["teacher"]
    service.slot_grades_set(actor=teacher, slot=slot, entries=[entry(mine, written="5")])
    saved, refused = service.slot_grades_set(
        actor=teacher, slot=slot, entries=[entry(mine, written="5"), entry(other)]
    )
    assert saved == [] and refused == {}
    assert GradeChange.objects.filter(session__slot=slot).count() == 1


@pytest.mark.req("GRD-1", "X-7")
def test_a_changed_row_needs_its_reason_and_keeps_the_history(slot, scheduled):
    mine, other = sessions_of(slot, scheduled)
    teacher = scheduled.users["teacher"]
    service.slot_grades_set(
        actor=teacher, slot=slot, entries=[entry(mine, written="3"), entry(other, written="3")]
    )
    saved, refused = service.slot_grades_set(
        actor=teacher,
        slot=slot,
        entries=[entry(mine, written="4", reason="Re-checked question 2"), entry(other, written="5")],
    )
    assert [s.pk for s in saved] == [mine.pk]
    assert refused[other.pk].field == "reason"
    assert str(refused[other.pk].message) == "Say why the grade is changed."
    history = list(GradeChange.objects.filter(session=mine).order_by("at", "id"))
    assert [(h.before["total"], h.after["total"], h.reason, h.actor) for h in history] == [
        ("", "3", "", teacher),
        ("3", "4", "Re-checked question 2", teacher),
    ]
    other.refresh_from_db()
    assert other.grade_total == "3"


@pytest.mark.req("GRD-1", "X-2")
def test_the_time_rule_is_the_single_forms(scheduled, exam, clock):
    """At 10:30 only the student who sent an answer may be graded; the other row is refused."""
    from attestation.services import answers

    answers.answer_send(actor=scheduled.users["student"], session=exam, text="<p>A long enough answer</p>")
    other = exam.slot.sessions.exclude(pk=exam.pk).get()
    saved, refused = service.slot_grades_set(
        actor=scheduled.users["teacher"],
        slot=exam.slot,
        entries=[entry(exam, written="5"), entry(other, written="5")],
    )
    assert [s.pk for s in saved] == [exam.pk]
    assert "once the answer is sent or the time is over" in str(refused[other.pk].message)


@pytest.mark.req("GRD-1")
def test_a_stale_row_is_refused(slot, scheduled):
    mine, _other = sessions_of(slot, scheduled)
    teacher = scheduled.users["teacher"]
    typed_earlier = entry(mine, written="3")
    service.grade_set(actor=teacher, session=mine, written="5", version=mine.grade_version)
    saved, refused = service.slot_grades_set(actor=teacher, slot=slot, entries=[typed_earlier])
    assert saved == [] and "changed this grade meanwhile" in str(refused[mine.pk].message)


@pytest.mark.req("GRD-1")
@pytest.mark.parametrize("persona", ["head_dept", "head_pcc", "reader", "other_teacher", "student"])
def test_who_may_not_grade_is_refused_before_any_row(slot, scheduled, persona):
    mine, _other = sessions_of(slot, scheduled)
    with pytest.raises(Refused, match="may not grade"):
        service.slot_grades_set(actor=scheduled.users[persona], slot=slot, entries=[entry(mine, written="5")])
    mine.refresh_from_db()
    assert mine.grade_total == ""


@pytest.mark.req("GRD-1")
def test_a_session_of_another_slot_is_refused(slot, scheduled):
    stray = ExamSession.objects.create(
        stream=scheduled.streams.other_a, student=scheduled.users["student"].student
    )
    saved, refused = service.slot_grades_set(
        actor=scheduled.users["teacher"],
        slot=slot,
        entries=[GradeEntry(session_id=stray.pk, version=0, written="5")],
    )
    assert saved == [] and stray.pk in refused


@pytest.mark.req("GRD-3")
def test_written_and_oral_rows_get_their_total_computed(slot, scheduled):
    set_form(slot.stream, "written_oral")
    mine, other = sessions_of(slot, scheduled)
    saved, refused = service.slot_grades_set(
        actor=scheduled.users["teacher"],
        slot=slot,
        entries=[entry(mine, written="5", oral="4"), entry(other, written="4", oral="")],
    )
    assert refused[other.pk].field == "oral"
    mine.refresh_from_db()
    assert (mine.grade_written, mine.grade_oral, mine.grade_total) == ("5", "4", "5")


@pytest.mark.req("GRD-3")
def test_credit_points_are_checked_on_the_students_scale(slot, scheduled):
    mine, other = sessions_of(slot, scheduled)
    set_scale(mine, TrainingTechnology.Scale.CREDIT)
    saved, refused = service.slot_grades_set(
        actor=scheduled.users["teacher"],
        slot=slot,
        entries=[entry(mine, written="87"), entry(other, written="101")],
    )
    # Both students are in group A: the same scale, so 101 points are refused too.
    assert [s.pk for s in saved] == [mine.pk]
    assert str(refused[other.pk].message) == "Enter points from 0 to 100."


@pytest.mark.req("GRD-5", "GRD-2")
def test_pass_fail_and_absence_rows(slot, scheduled):
    set_form(slot.stream, "pass_fail")
    mine, other = sessions_of(slot, scheduled)
    saved, refused = service.slot_grades_set(
        actor=scheduled.users["teacher"],
        slot=slot,
        entries=[entry(mine, total="passed"), entry(other, absence="excused", total="maybe")],
    )
    assert refused == {} and len(saved) == 2
    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.grade_total, other.absence, other.grade_total) == ("passed", "excused", "")


@pytest.mark.req("GRD-6")
def test_a_comment_is_saved_with_the_grade_and_alone_needs_no_reason(slot, scheduled):
    mine, _other = sessions_of(slot, scheduled)
    teacher = scheduled.users["teacher"]
    service.slot_grades_set(actor=teacher, slot=slot, entries=[entry(mine, written="4", comment="Good work")])
    mine.refresh_from_db()
    assert (mine.grade_total, mine.grade_comment) == ("4", "Good work")
    saved, refused = service.slot_grades_set(
        actor=teacher, slot=slot, entries=[entry(mine, written="4", comment="Good work; see question 3")]
    )
    assert refused == {} and len(saved) == 1
    mine.refresh_from_db()
    assert mine.grade_comment == "Good work; see question 3"
    assert GradeChange.objects.filter(session=mine).count() == 1  # the grade's history: grades only
    audit = AuditEntry.objects.filter(action="grade.comment", object_id=str(mine.pk)).latest("id")
    assert audit.after == {"comment": "Good work; see question 3"}


@pytest.mark.req("GRD-6", "X-2")
def test_a_comment_is_plain_bounded_text(slot, scheduled):
    mine, other = sessions_of(slot, scheduled)
    saved, refused = service.slot_grades_set(
        actor=scheduled.users["teacher"],
        slot=slot,
        entries=[
            entry(mine, written="4", comment="  Line one\nline\x00 two\x1b  "),
            entry(other, written="4", comment="x" * (service.COMMENT_MAX_CHARS + 1)),
        ],
    )
    mine.refresh_from_db()
    assert mine.grade_comment == "Line one\nline two"
    assert refused[other.pk].field == "comment" and "at most 1000 characters" in str(
        refused[other.pk].message
    )


@pytest.mark.req("GRD-6")
def test_a_comment_without_a_grade_asks_for_the_grade(slot, scheduled):
    mine, _other = sessions_of(slot, scheduled)
    _saved, refused = service.slot_grades_set(
        actor=scheduled.users["teacher"], slot=slot, entries=[entry(mine, comment="Well done")]
    )
    assert refused[mine.pk].field == "written"


# --- the page, by persona ------------------------------------------------------------------------

# As a session page: 404 to all who may not see the stream; read mode sees it, read-only.
PAGE = dict.fromkeys(PERSONAS, 404) | {
    "anonymous": 302,
    "teacher": 200,
    "registrar": 200,
    "head_dept": 200,
    "head_pcc": 200,
    "reader": 200,
}
# Saving: the graders; read mode 403; the rest never learn the page exists.
SAVE = PAGE | {"head_dept": 403, "head_pcc": 403, "reader": 403, "teacher": 302, "registrar": 302}


@pytest.mark.req("GRD-1", "X-10")
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_the_table_and_who_may_type_in_it(slot, scheduled, login, persona):
    client = login(scheduled.users.get(persona))
    response = client.get(url(slot))
    assert response.status_code == PAGE[persona]
    if persona == "anonymous":
        assert response["Location"].startswith("/login/")
    if response.status_code != 200:
        return
    page = response.content.decode()
    mine, _other = sessions_of(slot, scheduled)
    graders = persona in ("teacher", "registrar")
    assert (f'name="s{mine.pk}-written"' in page) is graders
    assert ("Save grades" in page) is graders
    assert ("Read mode: you can view, but not change anything." in page) is not graders


@pytest.mark.req("GRD-1", "X-10")
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_save_the_table(slot, scheduled, login, persona):
    mine, _other = sessions_of(slot, scheduled)
    response = login(scheduled.users.get(persona)).post(url(slot), row_fields(slot, mine, written="5"))
    assert response.status_code == SAVE[persona]
    mine.refresh_from_db()
    assert (mine.grade_total == "5") is (persona in ("teacher", "registrar"))


@pytest.mark.req("GRD-1")
def test_an_offline_stream_or_an_unknown_slot_is_404(slot, scheduled, login):
    client = login(scheduled.users["teacher"])
    assert client.get(reverse("attestation:slot_grading", args=[slot.pk + 999])).status_code == 404
    journal = slot.stream.journal
    journal.conduct_online = False
    journal.save()
    assert client.get(url(slot)).status_code == 404


@pytest.mark.req("GRD-1", "GRD-3", "SLT-6")
def test_the_table_lists_the_slots_students_with_their_answers_and_links(slot, scheduled, login):
    mine, other = sessions_of(slot, scheduled)
    ExamSession.objects.filter(pk=mine.pk).update(answer_sent_at=at(1, 11, 42))
    ExamSession.objects.filter(pk=other.pk).update(draft="<p>half</p>", draft_saved_at=at(1, 11, 50))
    page = login(scheduled.users["teacher"]).get(url(slot)).content.decode()
    names = sorted(
        [mine.student, other.student],
        key=lambda s: (s.user.last_name, s.user.first_name, s.user.patronymic),
    )
    positions = [page.index(s.full_name) for s in names]
    assert positions == sorted(positions)  # the stream page's order
    assert reverse("attestation:session", args=[mine.pk]) in page
    assert reverse("attestation:session", args=[other.pk]) in page
    assert "Sent at 11:42" in page and "Draft only, saved at 11:50" in page
    # The traditional scale is a choice of 2–5: a wrong grade cannot be typed.
    select = re.search(rf'<select name="s{mine.pk}-written"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="(\d*)"', select) == ["", "5", "4", "3", "2"]


@pytest.mark.req("GRD-1", "SLT-4", "X-8")
def test_the_table_sorts_names_in_the_readers_alphabet_as_the_stream_page(slot, scheduled, login):
    """Ә is a Kazakh letter after А: by code point it would come after Я."""
    mine, other = sessions_of(slot, scheduled)
    for session, surname in ((mine, "Яковлев"), (other, "Әлиев")):
        user = session.student.user
        user.last_name = surname
        user.save()
    page = login(scheduled.users["teacher"]).get(url(slot)).content.decode()
    assert page.index("Әлиев") < page.index("Яковлев")


@pytest.mark.req("GRD-3")
def test_credit_points_are_a_number_from_0_to_100_in_the_browser(slot, scheduled, login):
    mine, _other = sessions_of(slot, scheduled)
    set_scale(mine, TrainingTechnology.Scale.CREDIT)
    page = login(scheduled.users["teacher"]).get(url(slot)).content.decode()
    tag = re.search(rf'<input[^>]*name="s{mine.pk}-written"[^>]*>', page).group(0)
    assert 'type="number"' in tag and 'min="0"' in tag and 'max="100"' in tag and 'step="1"' in tag


@pytest.mark.req("GRD-4")
def test_an_undefined_form_shows_the_seed_text_and_no_inputs(slot, scheduled, login):
    set_form(slot.stream, "")
    mine, _other = sessions_of(slot, scheduled)
    page = shown_page(login(scheduled.users["teacher"]).get(url(slot)))
    assert "Define the form of final control in the journal settings" in page
    assert f'name="s{mine.pk}-' not in page


@pytest.mark.req("GRD-1", "GRD-6", "X-7")
def test_saving_keeps_the_valid_rows_and_shows_each_refusal_with_what_was_typed(slot, scheduled, login):
    mine, other = sessions_of(slot, scheduled)
    set_scale(mine, TrainingTechnology.Scale.CREDIT)
    client = login(scheduled.users["teacher"])
    data = row_fields(slot, mine, written="87", comment="Clear answers") | row_fields(
        slot, other, written="150", comment="Question 2 <b>missing</b>"
    )
    response = client.post(url(slot), data)
    assert response.status_code == 400
    page = response.content.decode()
    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.grade_total, mine.grade_comment) == ("87", "Clear answers")
    assert other.grade_total == "" and other.grade_comment == ""
    assert "1 grade is saved and is in the journal." in page
    assert "1 row was not saved" in page
    # The refusal sits next to its field, and what was typed is still there.
    assert f'<p class="field-error" id="id_s{other.pk}-written-error">Enter points from 0 to 100.</p>' in page
    tag = re.search(rf'<input[^>]*name="s{other.pk}-written"[^>]*>', page).group(0)
    assert 'value="150"' in tag and 'aria-invalid="true"' in tag
    assert f'aria-describedby="id_s{other.pk}-written-error"' in tag
    assert "Question 2 &lt;b&gt;missing&lt;/b&gt;</textarea>" in page
    # The saved row shows its new grade, and now offers the reason for a later change.
    assert "87 (B+, 4)" in page and f'name="s{mine.pk}-reason"' in page


@pytest.mark.req("GRD-1", "X-7")
def test_a_changed_grade_without_its_reason_is_refused_next_to_the_reason(slot, scheduled, login):
    mine, other = sessions_of(slot, scheduled)
    client = login(scheduled.users["teacher"])
    client.post(url(slot), row_fields(slot, mine, written="3") | row_fields(slot, other, written="3"))
    data = row_fields(slot, mine, written="4", reason="Re-checked") | row_fields(slot, other, written="5")
    page = client.post(url(slot), data).content.decode()
    assert f'id="id_s{other.pk}-reason-error">Say why the grade is changed.</p>' in page
    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.grade_total, other.grade_total) == ("4", "3")
    assert [c.reason for c in GradeChange.objects.filter(session=mine).order_by("at", "id")] == [
        "",
        "Re-checked",
    ]


@pytest.mark.req("GRD-1")
def test_all_rows_saved_go_back_to_the_table_with_a_message(slot, scheduled, login):
    mine, other = sessions_of(slot, scheduled)
    client = login(scheduled.users["teacher"])
    data = row_fields(slot, mine, written="5") | row_fields(slot, other, absence="unexcused")
    response = client.post(url(slot), data, follow=True)
    assert response.redirect_chain == [(url(slot), 302)]
    page = response.content.decode()
    assert "2 grades are saved and are in the journal." in page
    assert "5 (excellent)" in page and "Absent, unexcused" in page
    response = client.post(url(slot), row_fields(slot, mine) | row_fields(slot, other), follow=True)
    assert "Nothing has changed: no grade to save." in response.content.decode()


@pytest.mark.req("GRD-1", "X-2")
def test_a_crafted_row_for_a_student_not_yet_gradable_is_refused_by_the_service(scheduled, exam, login):
    """At 10:03 no row may be graded: the page offers no inputs, a crafted POST changes nothing."""
    client = login(scheduled.users["teacher"])
    page = shown_page(client.get(url(exam.slot)))
    assert f'name="s{exam.pk}-written"' not in page
    assert "The grade can be set once the answer is sent or the time is over." in page
    response = client.post(url(exam.slot), row_fields(exam.slot, exam, written="5"))
    assert response.status_code == 302  # no row of the page was open: nothing to save
    exam.refresh_from_db()
    assert exam.grade_total == ""


# --- the student sees the comment; the stream page links the table -------------------------------


@pytest.mark.req("STU-2", "GRD-6", "X-2")
def test_the_student_sees_the_comment_with_the_grade_escaped(slot, scheduled, login):
    mine, _other = sessions_of(slot, scheduled)
    teacher, student = scheduled.users["teacher"], scheduled.users["student"]
    exam_page = reverse("attestation:session", args=[mine.pk])
    service.slot_grades_set(
        actor=teacher,
        slot=slot,
        entries=[entry(mine, written="5", comment="Well done <script>x()</script>\nKeep on")],
    )
    page = shown_page(login(student).get(exam_page))
    assert "Teacher&#x27;s comment" in page or "Teacher's comment" in page
    assert "Well done &lt;script&gt;x()&lt;/script&gt;<br>Keep on" in page
    assert "<script>x()" not in page


@pytest.mark.req("STU-2")
def test_no_comment_is_shown_before_a_grade(slot, scheduled, login):
    mine, _other = sessions_of(slot, scheduled)
    ExamSession.objects.filter(pk=mine.pk).update(grade_comment="Draft remark")
    page = (
        login(scheduled.users["student"]).get(reverse("attestation:session", args=[mine.pk])).content.decode()
    )
    assert "Draft remark" not in page


@pytest.mark.req("GRD-1")
@pytest.mark.parametrize(
    ("persona", "label"), [("teacher", "Grade the slot"), ("reader", "Grades of the slot")]
)
def test_the_slot_toolbar_links_the_table_outside_the_boosted_page(slot, scheduled, login, persona, label):
    stream_page = reverse("attestation:stream", args=[slot.stream_id]) + f"?tab=slot-{slot.pk}"
    page = login(scheduled.users[persona]).get(stream_page).content.decode()
    link = re.search(rf'<a [^>]*href="{url(slot)}"[^>]*>([^<]*)</a>', page)
    assert link and link.group(1) == label and 'hx-boost="false"' in link.group(0)


# --- query budget --------------------------------------------------------------------------------


@pytest.mark.req("GRD-1", "SLT-4")
def test_the_table_runs_a_fixed_number_of_queries(scheduled, login, clock, django_assert_max_num_queries):
    stream = scheduled.streams.teacher_a
    sync_final_columns(stream.journal)
    group = scheduled.groups[0]

    def measure(total):
        while stream.students.count() < total:
            stream.students.add(f.StudentFactory(group=group))
        ExamSession.objects.all().delete()
        Slot.objects.all().delete()
        clock.move_to(at(1, 9))
        slot = slot_for(scheduled, students=list(stream.students.all()))
        clock.move_to(at(1, 12, 30))
        client = login(scheduled.users["registrar"])  # the grading right through a role: the costlier check
        client.get(url(slot))
        with django_assert_max_num_queries(40) as ctx:
            assert client.get(url(slot)).status_code == 200
        return len(ctx.captured_queries)

    small = measure(3)
    assert measure(40) == small


@pytest.mark.req("GRD-1", "GRD-6", "X-7")
def test_saving_a_whole_slot_costs_the_same_statements_for_3_rows_as_for_30(
    scheduled, login, clock, django_assert_max_num_queries
):
    """A slot of 30 saved at once: the right asked once, the rows locked together, the grades, their
    history, the journal's marks and the audit trail written in one statement each (it took 7.5 s
    for 22 rows when each row was a transaction of its own). bench/grading_save.py times it."""
    stream = scheduled.streams.teacher_a
    sync_final_columns(stream.journal)
    group = scheduled.groups[0]

    def save_all(total):
        while stream.students.count() < total:
            stream.students.add(f.StudentFactory(group=group))
        ExamSession.objects.all().delete()
        Slot.objects.all().delete()
        clock.move_to(at(1, 9))
        slot = slot_for(scheduled, students=list(stream.students.all()))
        clock.move_to(at(1, 12, 30))
        data = {}
        for n, session in enumerate(slot.sessions.all()):
            data |= row_fields(slot, session, written=str(2 + n % 4), comment=f"Row {n}")
        client = login(scheduled.users["registrar"])
        audited = AuditEntry.objects.filter(action="grade.set").count()
        with django_assert_max_num_queries(30) as ctx:
            assert client.post(url(slot), data).status_code == 302
        assert JournalMark.objects.filter(column__journal=stream.journal).count() == total
        assert GradeChange.objects.count() == total
        assert AuditEntry.objects.filter(action="grade.set").count() == audited + total
        GradeChange.objects.all().delete()
        JournalMark.objects.all().delete()
        return len(ctx.captured_queries)

    save_all(3)  # the signed-in user's session and roles are cached from here on, as in use
    assert save_all(3) == save_all(30)

"""Group membership flows into streams (X-13, SLT-1): a student who joins a group joins the streams
built on it; one who leaves leaves them unless the stream holds something of theirs, and the
preview says so per stream before anything is saved — by file, by the API and by an edit."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attestation.models import ExamSession
from college import models as c
from imports.entities import ENTITIES
from tests import factories as f
from tests.exams import at, slot_for

pytestmark = pytest.mark.req("X-13", "SLT-1")

STUDENTS_HEADER = "last_name,first_name,record_book_number,group\n"


def upload(client, text, kind="students"):
    response = client.post(
        reverse("imports:index"), {"kind": kind, "file": SimpleUploadedFile("file.csv", text.encode())}
    )
    assert response.status_code == 302, response.content
    return response["Location"]


def preview_text(client, url):
    page = client.get(url)
    assert page.status_code == 200, page.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", page.content.decode()).split())


def confirm(client, url):
    job = client.post(url)
    assert job.status_code == 302
    return " ".join(re.sub(r"<[^>]+>", " ", client.get(job["Location"]).content.decode()).split())


def members(stream):
    return set(stream.students.values_list("user__username", flat=True))


@pytest.fixture
def registrar(scheduled, login):
    return login(scheduled.users["registrar"])


def test_students_imported_into_a_group_join_its_streams_and_the_preview_says_so(scheduled, registrar):
    rows = "Әбенов,Арман,ZK-501,PO-21\nКім,Лия,ZK-502,PO-21\n"
    url = upload(registrar, STUDENTS_HEADER + rows)
    text = preview_text(registrar, url)
    assert "Streams built on these groups:" in text
    assert "Programming — PO-21 : 2 students will join" in text
    assert "Philosophy — PO-21 : 2 students will join" in text
    assert not c.Student.objects.filter(record_book_number="ZK-501").exists()  # a preview saves nothing
    done = confirm(registrar, url)
    assert "Programming — PO-21 : 2 students joined" in done
    assert {"zk-501", "zk-502"} <= members(scheduled.streams.teacher_a)
    assert {"zk-501", "zk-502"} <= members(scheduled.streams.other_a)
    assert not {"zk-501", "zk-502"} & members(scheduled.streams.other_b)


def test_a_past_periods_stream_and_a_hand_picked_stream_keep_their_students(scheduled, registrar):
    group_a = scheduled.groups[0]
    past = f.AcademicPeriodFactory(
        number=2, starts_on=datetime.date(2026, 1, 10), ends_on=datetime.date(2026, 6, 30)
    )
    old = f.StreamFactory(name="Last year's maths — PO-21", groups=[group_a], academic_period=past)
    picked = f.StreamFactory(name="English subgroup — PO-21", groups=[group_a])
    picked.students.set([scheduled.users["student"].student])
    picked.follows_groups = False
    picked.save()
    confirm(registrar, upload(registrar, STUDENTS_HEADER + "Бек,Дана,ZK-503,PO-21\n"))
    assert "zk-503" not in members(old) and "zk-503" not in members(picked)
    assert "zk-503" in members(scheduled.streams.teacher_a)


def test_a_student_moved_to_another_group_leaves_the_old_streams_and_joins_the_new(scheduled, registrar):
    student_b = scheduled.users["student_b"].student
    row = f"{student_b.user.last_name},{student_b.user.first_name},{student_b.record_book_number},PO-21\n"
    url = upload(registrar, STUDENTS_HEADER + row)
    text = preview_text(registrar, url)
    assert "History — EK-31 : 1 student will leave" in text
    assert "Programming — PO-21 : 1 student will join" in text
    confirm(registrar, url)
    assert "student_b" in members(scheduled.streams.teacher_a)
    assert "student_b" not in members(scheduled.streams.other_b)
    assert "student_b" not in members(scheduled.streams.teacher_b_offline)


def test_a_scheduled_student_who_leaves_the_group_stays_and_the_preview_asks_for_a_decision(
    scheduled, registrar
):
    slot = slot_for(scheduled)  # every student of Programming — PO-21, 1 December 10:00
    student = scheduled.users["student"].student
    row = f"{student.user.last_name},{student.user.first_name},{student.record_book_number},EK-31\n"
    url = upload(registrar, STUDENTS_HEADER + row)
    text = preview_text(registrar, url)
    assert (
        f"Programming — PO-21 : stay in the stream, a decision is needed: {student.full_name} "
        "(scheduled for 01.12.2026 10:00)" in text
    )
    assert "Philosophy — PO-21 : 1 student will leave" in text  # not scheduled there
    confirm(registrar, url)
    assert "student" in members(scheduled.streams.teacher_a)
    assert ExamSession.objects.get(stream=scheduled.streams.teacher_a, student=student).slot == slot
    assert "student" not in members(scheduled.streams.other_a)
    assert "student" in members(scheduled.streams.other_b)


def test_a_stream_whose_slot_is_running_takes_a_newcomer_unscheduled_and_keeps_who_sits_it(
    scheduled, login, clock
):
    slot = slot_for(scheduled)
    clock.move_to(at(1, 10, 30))  # the slot runs
    registrar = login(scheduled.users["registrar"])
    sitting = scheduled.users["other_student"].student
    rows = (
        "Жаңа,Студент,ZK-504,PO-21\n"
        f"{sitting.user.last_name},{sitting.user.first_name},{sitting.record_book_number},EK-31\n"
    )
    confirm(registrar, upload(registrar, STUDENTS_HEADER + rows))
    stream = scheduled.streams.teacher_a
    assert {"zk-504", "other_student"} <= members(stream)
    newcomer = c.Student.objects.get(record_book_number="ZK-504")
    assert not ExamSession.objects.filter(stream=stream, student=newcomer, slot__isnull=False).exists()
    assert set(slot.sessions.values_list("student__user__username", flat=True)) == {
        "student",
        "other_student",
    }


def test_a_student_graded_in_the_journal_stays_in_that_stream(scheduled, registrar):
    stream = scheduled.streams.teacher_b_offline  # EK-31, not online: graded in the journal
    student_b = scheduled.users["student_b"].student
    column = c.JournalColumn.objects.create(journal=stream.journal, kind="final", title="Exam")
    c.JournalMark.objects.create(column=column, student=student_b, value="5")
    row = f"{student_b.user.last_name},{student_b.user.first_name},{student_b.record_book_number},PO-21\n"
    text = preview_text(registrar, upload(registrar, STUDENTS_HEADER + row))
    assert (
        f"Databases — EK-31 : stay in the stream, a decision is needed: {student_b.full_name} (graded)"
        in text
    )


def test_a_group_changed_in_the_admin_flows_the_same_way(scheduled, client):
    root = f.UserFactory(username="root", is_staff=True, is_superuser=True, language="en")
    client.force_login(root)
    student_b = scheduled.users["student_b"].student
    url = reverse("admin:college_student_change", args=[student_b.pk])
    form = {
        "user": student_b.user_id,
        "record_book_number": student_b.record_book_number,
        "iin": "",
        "group": scheduled.groups[0].pk,
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "student_b" in members(scheduled.streams.teacher_a)
    assert "student_b" not in members(scheduled.streams.other_b)


def test_the_api_moves_students_into_streams_too(scheduled):
    group_a = scheduled.groups[0]
    outcome = ENTITIES["students"].run(
        [
            (
                1,
                {
                    "external_id": "API-1",
                    "last_name": "Api",
                    "first_name": "Student",
                    "record_book_number": "ZK-600",
                    "group": "G-A",
                },
            )
        ]
    )
    assert not outcome.ok  # the API names a group by its external ID only
    from imports.models import ExternalRef

    ExternalRef.objects.create(kind="groups", external_id="G-A", object_id=group_a.pk)
    rows = [
        (
            1,
            {
                "external_id": "API-1",
                "last_name": "Api",
                "first_name": "S",
                "record_book_number": "ZK-600",
                "group": "G-A",
            },
        )
    ]
    outcome = ENTITIES["students"].run(rows)
    assert outcome.ok, outcome.errors
    assert [m["stream"] for m in outcome.memberships] == ["Philosophy — PO-21", "Programming — PO-21"]
    assert "zk-600" in members(scheduled.streams.teacher_a)


def test_a_streams_file_names_groups_discipline_and_teacher_as_the_college_writes_them(scheduled, registrar):
    c.Discipline.objects.create(name="Networks")
    year = scheduled.streams.teacher_a.academic_period.year.name
    header = "name,discipline,teacher,academic_year,academic_period,groups\n"
    url = upload(
        registrar, header + f"Networks — PO-21 + EK-31,Networks,teacher,{year},1,PO-21; EK-31\n", "streams"
    )
    text = preview_text(registrar, url)
    assert "1 rows will be created" in text
    confirm(registrar, url)
    stream = c.Stream.objects.get(name="Networks — PO-21 + EK-31")
    assert stream.follows_groups
    assert members(stream) == {"student", "other_student", "student_b"}
    # The same file again, without an external ID, is the same stream: nothing changes.
    again = upload(
        registrar, header + f"Networks — PO-21 + EK-31,Networks,teacher,{year},1,PO-21; EK-31\n", "streams"
    )
    assert "0 rows will be created, 0 updated, 1 are unchanged" in preview_text(registrar, again)


def test_a_streams_file_that_lists_students_stops_following_and_keeps_a_scheduled_one(scheduled, registrar):
    slot_for(scheduled)  # student and other_student scheduled in Programming — PO-21
    year = scheduled.streams.teacher_a.academic_period.year.name
    header = "name,discipline,teacher,academic_year,academic_period,groups,students\n"
    row = (
        f"Programming — PO-21,{scheduled.streams.teacher_a.discipline.name},teacher,{year},1,PO-21,student\n"
    )
    url = upload(registrar, header + row, "streams")
    text = preview_text(registrar, url)
    other = scheduled.users["other_student"].student
    assert (
        f"stay in the stream, a decision is needed: {other.full_name} (scheduled for 01.12.2026 10:00)"
        in text
    )
    confirm(registrar, url)
    stream = scheduled.streams.teacher_a
    stream.refresh_from_db()
    assert not stream.follows_groups
    assert members(stream) == {"student", "other_student"}

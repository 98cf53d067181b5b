"""The exam statement (ведомость) as XLSX and PDF, and the grade chart (X-6)."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import translation

from attestation import grade_sheet
from attestation.models import ExamSession
from attestation.services import grades
from attestation.services import slots as slots_service
from attestation.services import tickets as tickets_service
from tests import factories as f
from tests.exams import at, author, slot_for

pytestmark = pytest.mark.req("X-6")


def kazakh_student(college, username, last, first, patronymic, record_book):
    student = f.StudentFactory(
        user=f.UserFactory(username=username, last_name=last, first_name=first, patronymic=patronymic),
        group=college.groups[0],
        record_book_number=record_book,
    )
    college.streams.teacher_a.students.add(student)
    return student


@pytest.fixture
def graded(scheduled, clock):
    """Three students in one slot with tickets: one graded 4, one absent excused, one not graded."""
    stream = scheduled.streams.teacher_a
    aliev = kazakh_student(scheduled, "aliev", "Әлиев", "Қайрат", "Ұлы", "RB-KZ-1")
    inkar = kazakh_student(scheduled, "inkar", "Өмірзақова", "Іңкәр", "", "RB-KZ-2")
    author(scheduled, count=3)
    slot = slot_for(scheduled)
    clock.move_to(at(1, 10, 1))
    tickets_service.tickets_generate(
        actor=scheduled.users["teacher"], slot=slot, session_ids=[s.pk for s in slot.sessions.all()]
    )
    clock.move_to(at(1, 12, 5))  # the end has passed: grading is allowed without an answer
    teacher = scheduled.users["teacher"]
    sessions = {s.student_id: s for s in slot.sessions.select_related("ticket")}
    grades.grade_set(actor=teacher, session=sessions[aliev.pk], written="4", version=0)
    grades.grade_set(actor=teacher, session=sessions[inkar.pk], absence="excused", version=0)
    # other students of the stream stay ungraded
    return {"stream": stream, "slot": slot, "aliev": aliev, "inkar": inkar, "sessions": sessions}


def xlsx_text(content):
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).active
    return [[cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)]


def pdf_text(content):
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_sheet_lists_students_sorted_with_tickets_and_grades(graded):
    with translation.override("en"):
        sheet = grade_sheet.build(graded["stream"], graded["slot"])
    names = [row.name for row in sheet.rows]
    assert names == sorted(names, key=str.casefold)
    by_name = {row.name: row for row in sheet.rows}
    aliev = by_name["Әлиев Қайрат Ұлы"]
    assert aliev.grade == "4 (good)" and aliev.record_book == "RB-KZ-1" and aliev.ticket.isdigit()
    assert by_name["Өмірзақова Іңкәр"].grade == "Absent, excused"
    assert {row.bucket for row in sheet.rows} == {"4", "absent_excused", "not_graded"}


def test_xlsx_contains_the_statement(graded, scheduled, login):
    client = login(scheduled.users["teacher"])
    response = client.get(
        reverse("attestation:grade_sheet_slot", args=[graded["slot"].pk, "xlsx"]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response["Content-Disposition"]
    # What a person recognises in a folder of downloads: the statement, discipline, group and day.
    discipline = graded["slot"].stream.discipline.name
    assert disposition == f'attachment; filename="Exam statement {discipline} PO-21 2026-12-01.xlsx"', (
        disposition
    )
    rows = xlsx_text(response.content)
    flat = [str(v) for row in rows for v in row]
    stream = graded["stream"]
    assert "Exam statement" in flat
    assert stream.discipline.name in flat and stream.teacher.full_name in flat
    assert "PO-21" in flat and "01.12.2026" in flat
    aliev_row = next(row for row in rows if "Әлиев Қайрат Ұлы" in row)
    ticket = graded["sessions"][graded["aliev"].pk].ticket.number
    assert aliev_row[2:] == ["RB-KZ-1", str(ticket), "4 (good)"]
    inkar_row = next(row for row in rows if "Өмірзақова Іңкәр" in row)
    assert inkar_row[-1] == "Absent, excused" and "RB-KZ-2" in inkar_row
    other = next(row for row in rows if scheduled.users["other_student"].full_name in row)
    assert other[-1] == "—"
    assert "Head of department" in flat and "(signature)" in flat
    assert scheduled.users["head_dept"].full_name in flat  # the group's department head


def test_pdf_text_has_kazakh_names_and_grades(graded, scheduled, login):
    client = login(scheduled.users["reader"])
    for url in (
        reverse("attestation:grade_sheet_slot", args=[graded["slot"].pk, "pdf"]),
        reverse("attestation:grade_sheet_stream", args=[graded["stream"].pk, "pdf"]),
    ):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith('attachment; filename="Exam statement ')
        text = pdf_text(response.content)
        for expected in ("Әлиев Қайрат Ұлы", "Өмірзақова Іңкәр", "4 (good)", "Absent, excused", "RB-KZ-1"):
            assert expected in text
        assert "Exam statement" in text and graded["stream"].discipline.name in text


def test_kazakh_rendering_uses_the_catalogue_or_falls_back(graded):
    with translation.override("kk"):
        sheet = grade_sheet.build(graded["stream"])
        title = str(sheet.title)
        pdf = pdf_text(grade_sheet.to_pdf(sheet))
        rows = xlsx_text(grade_sheet.to_xlsx(sheet))
    assert title in {"Емтихан ведомосы", "Exam statement"}
    assert title in pdf and "Әлиев Қайрат Ұлы" in pdf
    assert any(title in row for row in rows)
    with translation.override("ru"):
        assert str(grade_sheet.build(graded["stream"]).title) in {
            "Экзаменационная ведомость",
            "Exam statement",
        }


def test_language_of_the_request(graded, scheduled, login):
    """The sheet is rendered in the reader's language: Kazakh here."""
    teacher = scheduled.users["teacher"]
    teacher.language = "kk"
    teacher.save(update_fields=["language"])
    client = login(teacher)
    url = reverse("attestation:grade_sheet_stream", args=[graded["stream"].pk, "xlsx"])
    response = client.get(url)
    assert response.status_code == 200
    flat = [str(v) for row in xlsx_text(response.content) for v in row]
    assert "Емтихан ведомосы" in flat


def test_chart_counts_each_bucket(graded, scheduled, login):
    client = login(scheduled.users["teacher"])
    response = client.get(reverse("attestation:grade_chart_slot", args=[graded["slot"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["X-Content-Type-Options"] == "nosniff"
    svg = response.content.decode()
    assert "<title" in svg and "<script" not in svg
    bars = dict(re.findall(r'<g class="bar" data-bucket="([^"]+)" data-count="(\d+)"', svg))
    not_graded = len(graded["slot"].sessions.all()) - 2
    assert bars == {
        "5": "0",
        "4": "1",
        "3": "0",
        "2": "0",
        "absent_excused": "1",
        "absent_unexcused": "0",
        "not_admitted": "0",
        "not_graded": str(not_graded),
    }
    stream_svg = client.get(reverse("attestation:grade_chart_stream", args=[graded["stream"].pk]))
    assert stream_svg.status_code == 200 and 'data-bucket="4" data-count="1"' in stream_svg.content.decode()


def test_credit_and_pass_fail_buckets(graded):
    technology = graded["aliev"].group.technology
    technology.scale = "credit"
    technology.save()
    session = ExamSession.objects.get(pk=graded["sessions"][graded["aliev"].pk].pk)
    session.grade_total = "91"
    session.save()
    rows = grade_sheet.distribution(grade_sheet.build(graded["stream"], graded["slot"]))
    counts = {key: count for key, _label, count in rows}
    assert counts["A"] == 1 and "5" not in counts
    journal = graded["stream"].journal
    journal.final_form = "pass_fail"
    journal.save()
    session.grade_total = "passed"
    session.save()
    graded["stream"].refresh_from_db()
    counts = {k: c for k, _l, c in grade_sheet.distribution(grade_sheet.build(graded["stream"]))}
    assert counts["passed"] == 1 and counts["failed"] == 0 and "A" not in counts


def test_hostile_names_are_escaped_and_never_formulas(graded, scheduled, login):
    discipline = graded["stream"].discipline
    discipline.name = '<script>alert(1)</script>"&'
    discipline.save()
    user = graded["aliev"].user
    user.last_name = '=HYPERLINK("http://x")<img src=x onerror=alert(1)>'
    user.save()
    client = login(scheduled.users["teacher"])
    svg = client.get(reverse("attestation:grade_chart_slot", args=[graded["slot"].pk])).content.decode()
    assert "<script>" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;" in svg
    response = client.get(reverse("attestation:grade_sheet_slot", args=[graded["slot"].pk, "xlsx"]))
    from openpyxl import load_workbook

    cells = [c for row in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in row]
    hostile = next(c for c in cells if isinstance(c.value, str) and c.value.startswith("=HYPERLINK"))
    assert hostile.data_type == "s"
    assert (
        client.get(reverse("attestation:grade_sheet_slot", args=[graded["slot"].pk, "pdf"])).status_code
        == 200
    )


@pytest.mark.parametrize(
    "persona, status",
    [("teacher", 200), ("reader", 200), ("other_teacher", 404), ("student", 403), ("anonymous", 302)],
)
def test_access_is_the_stream_pages(graded, scheduled, login, persona, status):
    client = login(scheduled.users.get(persona))
    urls = [
        reverse("attestation:grade_sheet_slot", args=[graded["slot"].pk, "xlsx"]),
        reverse("attestation:grade_sheet_stream", args=[graded["stream"].pk, "pdf"]),
        reverse("attestation:grade_chart_slot", args=[graded["slot"].pk]),
        reverse("attestation:grade_chart_stream", args=[graded["stream"].pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == status, url


def test_unknown_format_a_foreign_slot_and_an_offline_stream_are_404(graded, scheduled, login):
    client = login(scheduled.users["teacher"])
    url = reverse("attestation:grade_sheet_slot", args=[graded["slot"].pk, "xlsx"]).replace(".xlsx", ".docx")
    assert client.get(url).status_code == 404
    url = reverse("attestation:grade_sheet_stream", args=[graded["stream"].pk, "xlsx"]).replace("xlsx", "exe")
    assert client.get(url).status_code == 404
    offline = scheduled.streams.teacher_b_offline
    assert client.get(reverse("attestation:grade_sheet_stream", args=[offline.pk, "xlsx"])).status_code == 404
    foreign_stream = scheduled.streams.other_b
    foreign = slots_service.slot_create(
        actor=scheduled.users["other_teacher"],
        stream=foreign_stream,
        student_ids=[s.pk for s in foreign_stream.students.all()],
        starts_at=at(2, 10),
        ends_at=at(2, 12),
    )
    other = login(scheduled.users["other_teacher"])
    assert other.get(reverse("attestation:grade_sheet_slot", args=[foreign.pk, "pdf"])).status_code == 200
    teacher = login(scheduled.users["teacher"])  # the same test client, signed in again
    assert teacher.get(reverse("attestation:grade_sheet_slot", args=[foreign.pk, "pdf"])).status_code == 404
    assert teacher.get(reverse("attestation:grade_chart_slot", args=[foreign.pk])).status_code == 404


def test_stream_page_links_to_the_downloads_and_the_chart(graded, scheduled, login):
    client = login(scheduled.users["reader"])
    page = client.get(
        reverse("attestation:stream", args=[graded["stream"].pk]) + f"?tab=slot-{graded['slot'].pk}"
    ).content.decode()
    for name, args in (
        ("grade_sheet_slot", [graded["slot"].pk, "xlsx"]),
        ("grade_sheet_slot", [graded["slot"].pk, "pdf"]),
        ("grade_sheet_stream", [graded["stream"].pk, "xlsx"]),
        ("grade_sheet_stream", [graded["stream"].pk, "pdf"]),
    ):
        assert reverse(f"attestation:{name}", args=args) in page
    assert f'<img src="{reverse("attestation:grade_chart_slot", args=[graded["slot"].pk])}" alt="' in page


@pytest.mark.req("X-6")
def test_the_sheet_names_the_college_says_who_was_not_admitted_and_sums_up_the_grades(graded, settings):
    from college.models import Admission

    settings.COLLEGE_NAME = "«Болашақ» жоғары колледжі"
    stream = graded["stream"]
    ungraded = stream.students.exclude(pk__in=[graded["aliev"].pk, graded["inkar"].pk]).first()
    Admission.objects.create(stream=stream, student=ungraded, admitted=False, reason="Debt")
    with translation.override("en"):
        sheet = grade_sheet.build(stream)
        rows = xlsx_text(grade_sheet.to_xlsx(sheet))
        text = pdf_text(grade_sheet.to_pdf(sheet))
    assert rows[0] == ["«Болашақ» жоғары колледжі"] and "«Болашақ» жоғары колледжі" in text
    assert next(r for r in rows if ungraded.full_name in r)[-1] == "Not admitted to exam"
    summary = rows[[r[:1] for r in rows].index(["Grade distribution"]) + 1 :]
    assert (
        ["4 (good)", 1] in summary
        and ["Absent, excused", 1] in summary
        and ["Not admitted to exam", 1] in summary
    )
    assert "Grade distribution:" in text and "4 (good): 1" in text and "Not admitted to exam: 1" in text

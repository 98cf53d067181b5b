"""In real Chromium: hostile HTML in a ticket and in a student's name never runs, and the
Content-Security-Policy blocks inline script even when something manages to put it in the page
(X-10). The pages that load the rich-text editor and htmx must raise no CSP violation at all:
the policy allows exactly what they need."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attestation.models import ExamSession, Slot
from attestation.services import tickets as tickets_service
from core import clock

pytestmark = pytest.mark.django_db(transaction=True)

PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


@pytest.fixture
def hostile_ticket(college):
    """The student's name and ticket 1 of the teacher's stream carry the payload."""
    student = college.users["student"]
    student.last_name = f"Evil{PAYLOAD}"
    student.save()
    stream = college.streams.teacher_a
    teacher = college.users["teacher"]
    tickets_service.ticket_count_set(actor=teacher, stream=stream, count=1)
    tickets_service.ticket_save(actor=teacher, stream=stream, number=1, body=f"<p>Question {PAYLOAD}</p>")
    return stream


@pytest.fixture
def hostile_exam(college, hostile_ticket):
    """A running slot: the student has the hostile ticket and has opened the questions."""
    student, teacher = college.users["student"], college.users["teacher"]
    now = clock.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    slot = Slot.objects.create(
        stream=hostile_ticket,
        starts_at=max(now - datetime.timedelta(minutes=5), midnight),  # today, also at 00:02 in Almaty
        ends_at=now + datetime.timedelta(hours=1),
    )
    session = ExamSession.objects.create(stream=hostile_ticket, student=student.student, slot=slot)
    tickets_service.tickets_generate(actor=teacher, slot=slot, session_ids=[session.pk])
    tickets_service.questions_send(actor=teacher, slot=slot, session_ids=[session.pk])
    session.refresh_from_db()
    tickets_service.questions_open(actor=student, session=session)
    return session


def _watch(page):
    """Collect the console's CSP violations for this page."""
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


def _assert_clean(page, violations, where):
    assert page.evaluate("typeof window.__xss") == "undefined", where
    assert violations == [], f"{where}: the policy blocked something the page needs: {violations}"


def test_tickets_page_editor_needs_nothing_the_policy_refuses(college, hostile_ticket, new_page):
    teacher = new_page(college.users["teacher"])
    violations = _watch(teacher)
    teacher.goto(f"/attestation/streams/{hostile_ticket.pk}/tickets/")
    expect(teacher.locator(".ProseMirror").first).to_be_attached()
    teacher.wait_for_load_state("networkidle")
    _assert_clean(teacher, violations, "tickets page")


def test_hostile_ticket_and_name_never_run_and_pages_need_nothing_more(college, hostile_exam, new_page):
    session = hostile_exam
    stream = session.stream
    teacher = new_page(college.users["teacher"])
    violations = _watch(teacher)
    teacher.goto(f"/attestation/streams/{stream.pk}/?tab=slot-{session.slot_id}")
    expect(teacher.get_by_text("Evil", exact=False).first).to_be_visible()
    teacher.wait_for_load_state("networkidle")
    _assert_clean(teacher, violations, "stream page")

    teacher.goto(f"/attestation/sessions/{session.pk}/")
    teacher.wait_for_load_state("networkidle")
    _assert_clean(teacher, violations, "session page (staff)")

    student = new_page(college.users["student"])
    violations = _watch(student)
    student.goto(f"/attestation/sessions/{session.pk}/")
    editor = student.get_by_role("textbox", name="Answer")
    expect(editor).to_be_visible()
    student.wait_for_load_state("networkidle")
    # The editor works under the policy: typing autosaves.
    editor.click()
    student.keyboard.type("An answer typed under the CSP.")
    student.locator("h1").click()
    expect(student.locator(".autosave-status")).to_contain_text("Saved at", timeout=10_000)
    _assert_clean(student, violations, "session page (student)")


def test_policy_blocks_inline_script_and_handlers_injected_into_the_page(college, hostile_exam, new_page):
    student = new_page(college.users["student"])
    violations = _watch(student)
    student.goto(f"/attestation/sessions/{hostile_exam.pk}/")
    student.wait_for_load_state("networkidle")
    assert violations == []
    student.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.__xss = 3";
            document.body.appendChild(s);
            const holder = document.createElement("div");
            holder.innerHTML = '<img src="data:," onerror="window.__xss = 4">';
            document.body.appendChild(holder);
        }"""
    )
    student.wait_for_timeout(300)
    assert student.evaluate("typeof window.__xss") == "undefined"
    assert any("script-src" in v for v in violations), violations

"""Read mode changes nothing in the journals either, and a locked box is refused, not ignored (#16.3, #16.4).

A teacher whose only role holds the staff module in read mode could untick "Conduct final control
online" in their own journal (the stream left the module). A post unticking the boxes a scheduled
stream locks answered "saved" and wrote an audit row that changed nothing.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from access.models import Module, Role
from attestation.models import ExamSession, Slot
from attestation.services.journal import sync_final_columns
from audit.models import AuditEntry
from college.models import JournalColumn, JournalMark
from tests import factories as f
from tests.html import shown_page


@pytest.fixture
def journal(college):
    """teacher_a's journal, online, with a current and a final column; its study period allowed."""
    journal = college.streams.teacher_a.journal
    journal.conduct_online = True
    journal.final_grade_set = True
    journal.save()
    JournalColumn.objects.create(journal=journal, kind=JournalColumn.Kind.CURRENT, title="01.10", position=1)
    sync_final_columns(journal)
    f.stored_settings().allowed_study_periods.set([college.study_periods[0]])
    return journal


@pytest.fixture
def read_only_teacher(college, journal):
    """The stream's teacher, whose only role attaches the staff module in read mode."""
    teacher = journal.stream.teacher.user
    teacher.roles.clear()
    role = f.RoleFactory(name="Teacher (read)", kind=Role.Kind.TEACHER)
    f.attach(role, Module.OIA_STAFF, mode="read")
    role.users.add(teacher)
    return teacher


def settings_url(journal):
    return reverse("journals:journal_settings", args=[journal.stream_id])


def journal_url(journal, tab="settings"):
    return reverse("journals:journal", args=[journal.stream_id]) + f"?tab={tab}"


def version(journal):
    journal.refresh_from_db()
    return journal.updated_at.isoformat()


def page_form_data(page):
    """What the settings form on the page posts as it stands: its inputs, as a browser sends them."""
    start = page.index('action="/college/journals/')
    form = page[start : page.index("</form>", start)]
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or " disabled" in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag and " checked" not in tag:
            continue
        data[name.group(1)] = value.group(1) if value else "on"
    selected = re.search(r'<option value="(\w+)"[^>]* selected', form)
    data["final_form"] = selected.group(1)
    return data


def schedule_one(journal):
    start = timezone.now() + datetime.timedelta(days=1)
    slot = Slot.objects.create(
        stream=journal.stream, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    ExamSession.objects.create(stream=journal.stream, student=journal.stream.students.first(), slot=slot)


# --- read mode -----------------------------------------------------------------------------------


@pytest.mark.req("ADM-3", "JRN-1")
def test_read_mode_cannot_switch_the_online_control_off_in_its_own_journal(journal, read_only_teacher, login):
    client = login(read_only_teacher)
    page = shown_page(client.get(journal_url(journal)))
    assert "Save</button>" not in page
    response = client.post(settings_url(journal), {"version": version(journal), "final_form": "written"})
    assert response.status_code == 403
    journal.refresh_from_db()
    assert journal.conduct_online and journal.final_grade_set
    assert not AuditEntry.objects.filter(action="journal.settings").exists()


@pytest.mark.req("ADM-3", "JRN-4")
def test_read_mode_cannot_change_marks_in_its_own_journal(journal, read_only_teacher, login):
    client = login(read_only_teacher)
    current = journal.columns.get(kind=JournalColumn.Kind.CURRENT)
    student = journal.stream.students.first()
    page = shown_page(client.get(journal_url(journal, "grades")))
    assert f'name="mark-{current.pk}-{student.pk}"' not in page
    response = client.post(
        reverse("journals:journal_marks", args=[journal.stream_id]), {f"mark-{current.pk}-{student.pk}": "5"}
    )
    assert response.status_code == 403
    assert not JournalMark.objects.exists()


@pytest.mark.req("ADM-3")
def test_the_same_teacher_in_edit_mode_still_may(journal, read_only_teacher, login, college):
    college.roles.teacher.users.add(read_only_teacher)  # roles add up: one in edit mode is enough
    response = login(read_only_teacher).post(
        settings_url(journal), {"version": version(journal), "final_form": "oral", "final_grade_set": "on"}
    )
    assert response.status_code == 302
    journal.refresh_from_db()
    assert journal.final_form == "oral" and not journal.conduct_online


# --- locked boxes and no-op saves ----------------------------------------------------------------


@pytest.mark.req("JRN-3")
def test_unticking_locked_boxes_is_refused_with_the_reason(journal, college, login):
    client = login(college.users["teacher"])
    schedule_one(journal)
    response = client.post(settings_url(journal), {"version": version(journal), "final_form": "written"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "already scheduled for the online final control" in page
    assert "The journal settings are saved." not in page
    journal.refresh_from_db()
    assert journal.conduct_online and journal.final_grade_set
    assert not AuditEntry.objects.filter(action="journal.settings").exists()


@pytest.mark.req("JRN-3")
def test_a_page_opened_before_the_scheduling_cannot_untick_either(journal, college, login):
    client = login(college.users["teacher"])
    stale = page_form_data(client.get(journal_url(journal)).content.decode())
    assert stale.get("conduct_online") == "on"
    schedule_one(journal)  # meanwhile a student is scheduled: the boxes lock
    del stale["conduct_online"]  # the person unticks the box still enabled on their page
    response = client.post(settings_url(journal), stale)
    assert response.status_code == 400
    assert "already scheduled for the online final control" in response.content.decode()
    journal.refresh_from_db()
    assert journal.conduct_online


@pytest.mark.req("JRN-3")
def test_a_locked_page_saves_what_may_still_change(journal, college, login):
    client = login(college.users["teacher"])
    schedule_one(journal)
    data = page_form_data(client.get(journal_url(journal)).content.decode())
    assert data.get("conduct_online") == "on" and data.get("final_grade_set") == "on"  # sent beside the locks
    data["final_form"] = "oral"
    assert client.post(settings_url(journal), data).status_code == 302
    journal.refresh_from_db()
    assert journal.final_form == "oral" and journal.conduct_online and journal.final_grade_set
    [entry] = AuditEntry.objects.filter(action="journal.settings")
    assert entry.before["final_form"] == "written" and entry.after["final_form"] == "oral"


@pytest.mark.req("X-7")
def test_a_save_that_changes_nothing_writes_no_audit_row(journal, college, login):
    client = login(college.users["teacher"])
    client.cookies["django_language"] = "en"
    data = page_form_data(client.get(journal_url(journal)).content.decode())
    response = client.post(settings_url(journal), data, follow=True)
    assert response.status_code == 200
    assert "Nothing to save: the settings are as they were." in response.content.decode()
    assert not AuditEntry.objects.filter(action="journal.settings").exists()

"""The journal's Settings tab and grades (JRN-1…JRN-4)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from attestation.models import ExamSession, Slot
from attestation.services import Refused
from attestation.services.journal import journal_settings_save, sync_final_columns
from college.models import Journal, JournalColumn, JournalMark
from tests import factories as f
from tests.html import input_tag, shown_page
from tests.personas import PERSONAS

VIEW = dict.fromkeys(PERSONAS, 403) | {
    "anonymous": 302,
    "teacher": 200,
    "registrar": 200,
    "head_dept": 200,
    "head_pcc": 200,
    "reader": 200,
    "admin": 200,
}
EDIT = {"teacher", "registrar", "admin"}


@pytest.fixture
def journal(college):
    """teacher_a's journal: one current column, final columns for a written exam, period allowed."""
    journal = college.streams.teacher_a.journal
    journal.conduct_online = False
    journal.save()
    JournalColumn.objects.create(journal=journal, kind=JournalColumn.Kind.CURRENT, title="01.10", position=1)
    sync_final_columns(journal)
    f.stored_settings().allowed_study_periods.set([college.study_periods[0]])
    return journal


def url(journal, name="journals:journal"):
    return reverse(name, args=[journal.stream_id])


def settings_post(client, journal, **fields):
    journal.refresh_from_db()
    data = {"version": journal.updated_at.isoformat(), "final_form": journal.final_form}
    if fields.pop("final_grade_set", journal.final_grade_set):
        data["final_grade_set"] = "on"
    if fields.pop("conduct_online", journal.conduct_online):
        data["conduct_online"] = "on"
    data.update(fields)
    return client.post(url(journal, "journals:journal_settings"), data)


def schedule_one(journal):
    start = timezone.now() + datetime.timedelta(days=1)
    slot = Slot.objects.create(
        stream=journal.stream, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    student = journal.stream.students.first()
    ExamSession.objects.create(stream=journal.stream, student=student, slot=slot)


@pytest.mark.req("JRN-1")
@pytest.mark.parametrize("persona", PERSONAS)
def test_journal_access_per_persona(journal, college, login, persona):
    client = login(college.users.get(persona))
    response = client.get(url(journal) + "?tab=settings")
    assert response.status_code == VIEW[persona]
    post = settings_post(client, journal, final_form="oral")
    journal.refresh_from_db()
    if persona in EDIT:
        assert post.status_code == 302 and journal.final_form == "oral"
    else:
        assert post.status_code in (302, 403) and journal.final_form == "written"
        if persona != "anonymous":
            assert post.status_code == 403


@pytest.mark.req("JRN-1")
def test_online_switch_shown_when_period_allowed_grade_set_and_module(journal, college, login):
    client = login(college.users["teacher"])
    page = client.get(url(journal) + "?tab=settings").content.decode()
    assert "Conduct final control online" in page
    # A role without the staff module (the administrator here) does not see it.
    admin_page = shown_page(login(college.users["admin"]).get(url(journal) + "?tab=settings"))
    assert "Conduct final control online" not in admin_page
    assert "Journal of the stream" in admin_page and 'href="?tab=settings" aria-current="page"' in admin_page


@pytest.mark.req("JRN-1")
def test_online_switch_hidden_when_study_period_not_allowed(journal, college, login):
    f.stored_settings().allowed_study_periods.clear()
    page = shown_page(login(college.users["teacher"]).get(url(journal) + "?tab=settings"))
    assert "Conduct final control online" not in page
    assert 'href="?tab=settings" aria-current="page"' in page  # the settings tab, shown without it


@pytest.mark.req("JRN-1")
def test_online_switch_hidden_when_final_grade_not_set(journal, college, login):
    journal.final_grade_set = False
    journal.save()
    page = shown_page(login(college.users["teacher"]).get(url(journal) + "?tab=settings"))
    assert "Conduct final control online" not in page
    assert 'href="?tab=settings" aria-current="page"' in page  # the settings tab, shown without it


@pytest.mark.req("JRN-1")
def test_flag_posted_for_a_period_not_allowed_is_refused(journal, college, login):
    f.stored_settings().allowed_study_periods.clear()
    response = settings_post(login(college.users["teacher"]), journal, conduct_online=True, final_form="oral")
    assert response.status_code == 400
    assert "not allowed for the study period" in response.content.decode()
    journal.refresh_from_db()
    assert not journal.conduct_online and journal.final_form == "written"


@pytest.mark.req("JRN-1", "JRN-2")
def test_saved_on_shows_go_that_opens_the_module(journal, college, login):
    client = login(college.users["teacher"])
    assert settings_post(client, journal, conduct_online=True).status_code == 302
    journal.refresh_from_db()
    assert journal.conduct_online
    page = client.get(url(journal) + "?tab=settings").content.decode()
    go = reverse("attestation:stream", args=[journal.stream_id])
    assert f'href="{go}">Go</a>' in page
    assert journal.stream.discipline.name in client.get(go).content.decode()


@pytest.mark.req("JRN-3")
def test_scheduled_stream_locks_the_flag_and_the_grading_field(journal, college, login):
    client = login(college.users["teacher"])
    settings_post(client, journal, conduct_online=True)
    schedule_one(journal)
    page = client.get(url(journal) + "?tab=settings").content.decode()
    assert "disabled" in input_tag(page, "conduct_online")
    assert "disabled" in input_tag(page, "final_grade_set")
    # A crafted post cannot switch them off…
    settings_post(client, journal, conduct_online=False, final_grade_set=False)
    journal.refresh_from_db()
    assert journal.conduct_online and journal.final_grade_set
    # …and the service refuses it outright.
    with pytest.raises(Refused, match="already scheduled"):
        journal_settings_save(
            actor=college.users["teacher"],
            journal=journal,
            final_form=journal.final_form,
            final_grade_set=True,
            conduct_online=False,
            version=journal.updated_at.isoformat(),
        )


@pytest.mark.req("JRN-4")
def test_online_journal_shows_final_cells_read_only_and_refuses_final_grades(journal, college, login):
    client = login(college.users["teacher"])
    settings_post(client, journal, conduct_online=True)
    final = journal.columns.get(kind=JournalColumn.Kind.FINAL)
    current = journal.columns.get(kind=JournalColumn.Kind.CURRENT)
    student = journal.stream.students.first()
    page = shown_page(client.get(url(journal)))
    assert "final-control grades are set in the Online attestation module" in page
    assert f'name="mark-{final.pk}-{student.pk}"' not in page
    assert f'name="mark-{current.pk}-{student.pk}"' in page
    response = client.post(url(journal, "journals:journal_marks"), {f"mark-{final.pk}-{student.pk}": "5"})
    assert response.status_code == 400
    assert "set in Online attestation" in response.content.decode()
    assert not JournalMark.objects.filter(column=final).exists()
    ok = client.post(url(journal, "journals:journal_marks"), {f"mark-{current.pk}-{student.pk}": "4"})
    assert ok.status_code == 302
    assert JournalMark.objects.get(column=current, student=student).value == "4"


@pytest.mark.req("JRN-4")
def test_offline_journal_accepts_final_grades(journal, college, login):
    client = login(college.users["teacher"])
    final = journal.columns.get(kind=JournalColumn.Kind.FINAL)
    student = journal.stream.students.first()
    assert (
        client.post(
            url(journal, "journals:journal_marks"), {f"mark-{final.pk}-{student.pk}": "5"}
        ).status_code
        == 302
    )
    assert JournalMark.objects.get(column=final, student=student).value == "5"


def test_bad_grades_are_refused_all_or_nothing_and_kept_on_screen(journal, college, login):
    client = login(college.users["teacher"])
    current = journal.columns.get(kind=JournalColumn.Kind.CURRENT)
    first, second = list(journal.stream.students.order_by("pk"))[:2]
    response = client.post(
        url(journal, "journals:journal_marks"),
        {f"mark-{current.pk}-{first.pk}": "4", f"mark-{current.pk}-{second.pk}": "7"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a grade from 2 to 5." in page
    assert 'value="7"' in input_tag(page, f"mark-{current.pk}-{second.pk}")
    assert 'value="4"' in input_tag(page, f"mark-{current.pk}-{first.pk}")
    assert not JournalMark.objects.exists()


def test_form_change_adds_and_removes_final_columns_but_never_drops_grades(journal, college, login):
    client = login(college.users["teacher"])
    assert settings_post(client, journal, final_form="written_oral").status_code == 302
    kinds = set(journal.columns.values_list("kind", flat=True))
    assert {"final_written", "final_oral", "final"} <= kinds
    oral = journal.columns.get(kind="final_oral")
    JournalMark.objects.create(column=oral, student=journal.stream.students.first(), value="5")
    response = settings_post(client, journal, final_form="written")
    assert response.status_code == 400
    assert "holds grades" in response.content.decode()
    journal.refresh_from_db()
    assert journal.final_form == Journal.FinalForm.WRITTEN_ORAL


def test_stale_journal_settings_are_refused(journal, college, login):
    client = login(college.users["teacher"])
    journal.refresh_from_db()
    stale = journal.updated_at.isoformat()
    settings_post(client, journal, final_form="oral")
    response = client.post(
        url(journal, "journals:journal_settings"),
        {"version": stale, "final_form": "pass_fail", "final_grade_set": "on"},
    )
    assert response.status_code == 400
    assert "Someone else changed this journal meanwhile" in response.content.decode()
    journal.refresh_from_db()
    assert journal.final_form == "oral"


@pytest.mark.req("JRN-1")
def test_journal_list_pages_keep_the_search(college, login):
    from tests import factories as f

    for i in range(30):
        f.StreamFactory(name=f"Algebra {i:02d}", teacher=college.users["teacher"].staff)
    url = reverse("journals:journal_list") + "?q=Algebra"
    page = login(college.users["registrar"]).get(url).content.decode()
    assert "Page 1 of 2" in page
    assert 'href="?q=Algebra&amp;page=2"' in page

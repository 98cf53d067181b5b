"""X-13: a confirmed import runs as a job with a progress bar — its page, its progress, its
failures (nothing imported, said in the administrator's language). The job's task runs at once
here; tests/operations/test_worker.py runs it in a real worker process, and kills one mid-import."""

import io
import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from access.models import User
from college import models as c
from imports import jobs
from imports.entities import People
from imports.models import ImportJob
from tests.imports.test_imports import GOOD, students_csv, upload
from tests.personas import PERSONAS

pytestmark = pytest.mark.req("X-13")

HTMX = {"HX-Request": "true"}


def many_students(count, start=1000):
    return students_csv(
        *(f"M{n},Surname{n},Name{n},,m{n}@example.kz,ZK-{n:05d},G1" for n in range(start, start + count))
    )


def confirm(client, content, name="students.csv"):
    """Upload, preview, confirm: the job page's response and the job."""
    preview = upload(client, content, name=name)["Location"]
    response = client.post(preview)
    assert response.status_code == 302, response
    job = ImportJob.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])
    return response, job


def job_url(job):
    return reverse("imports:job", args=[job.pk.hex])


@pytest.fixture
def running_job(college):
    return ImportJob.objects.create(
        upload="f" * 32,
        kind="students",
        file_name="students.csv",
        created_by=college.users["admin"],
        status=ImportJob.Status.RUNNING,
        total=1200,
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_job_page_is_for_administrators(college, login, running_job, persona):
    expected = dict.fromkeys(PERSONAS, 403) | {"anonymous": 302, "admin": 200}
    response = login(college.users.get(persona)).get(job_url(running_job))
    assert response.status_code == expected[persona]


@pytest.mark.parametrize("token", ["0" * 32, "not-a-uuid"])
def test_an_unknown_job_is_404(admin_client, token):
    assert admin_client.get(reverse("imports:job", args=[token])).status_code == 404


def test_confirm_runs_a_job_whose_page_shows_the_result(admin_client):
    response, job = confirm(admin_client, students_csv(*GOOD))
    assert (job.status, job.total, job.created, job.updated, job.unchanged) == ("done", 3, 3, 0, 0)
    assert not job.path.exists()  # the pending file is gone once the job has run
    html = admin_client.get(response["Location"]).content.decode()
    assert "Imported students.csv: 3 created, 0 updated, 0 unchanged." in html
    assert '<progress class="upload-progress job-progress" max="1" value="1"' in html
    assert "hx-get" not in html.split('id="import-job"')[1]  # finished: the page polls no more
    # The Import page lists the job with its state.
    index = admin_client.get(reverse("imports:index")).content.decode()
    assert f'<a href="{job_url(job)}">students.csv</a>' in index and "Imported" in index


def test_progress_moves_through_checking_then_saving_in_batches(admin_client, monkeypatch):
    reports = []
    real = jobs._write_progress

    def spy(job_id, stage, done, total):
        reports.append((stage, done, total))
        real(job_id, stage, done, total)
        # What a poll would read at this very moment, from outside the import's transaction.
        assert jobs.read_progress(job_id) == {"stage": stage, "done": done, "total": total}

    monkeypatch.setattr(jobs, "_write_progress", spy)
    _response, job = confirm(admin_client, many_students(1200))
    assert job.status == "done" and job.created == 1200
    assert reports == [
        ("reading", 0, 0),
        ("checking", 0, 1200),
        ("checking", 500, 1200),
        ("checking", 1000, 1200),
        ("checking", 1200, 1200),
        ("saving", 0, 1200),
        ("saving", 500, 1200),
        ("saving", 1000, 1200),
        ("saving", 1200, 1200),
    ]
    assert jobs.read_progress(job.pk) is None  # cleared when the job ends


def test_a_running_job_polls_every_second_with_a_real_progress_bar(admin_client, running_job):
    caches["shared"].set(jobs.progress_key(running_job.pk), {"stage": "checking", "done": 500, "total": 1200})
    page = admin_client.get(job_url(running_job)).content.decode()
    assert "<html" in page and "Checking rows: 500 of 1200" in page
    assert f'hx-get="{job_url(running_job)}" hx-trigger="every 1s" hx-swap="outerHTML"' in page

    caches["shared"].set(jobs.progress_key(running_job.pk), {"stage": "saving", "done": 500, "total": 1200})
    poll = admin_client.get(job_url(running_job), headers=HTMX).content.decode()
    assert "<html" not in poll and poll.lstrip().startswith('<section id="import-job"')
    # Half of it checked and 500 rows saved:
    assert '<progress class="upload-progress job-progress" max="2400" value="1700"' in poll
    assert "Saving rows: 500 of 1200" in poll and 'hx-trigger="every 1s"' in poll

    # No progress in the cache (another process's local memory): the bar has no value.
    caches["shared"].delete(jobs.progress_key(running_job.pk))
    poll = admin_client.get(job_url(running_job), headers=HTMX).content.decode()
    assert re.search(r'<progress class="upload-progress job-progress" aria-label="[^"]+"></progress>', poll)
    assert "The import is running…" in poll and 'hx-trigger="every 1s"' in poll

    ImportJob.objects.filter(pk=running_job.pk).update(status="done", created=1200)
    poll = admin_client.get(job_url(running_job), headers=HTMX).content.decode()
    assert "hx-get" not in poll and "Imported students.csv: 1200 created, 0 updated, 0 unchanged." in poll


def test_a_job_cut_off_by_a_restart_is_reported_and_no_longer_polled(admin_client, running_job):
    ImportJob.objects.filter(pk=running_job.pk).update(created_at=timezone.now() - timedelta(hours=1))
    page = admin_client.get(job_url(running_job)).content.decode()
    assert "The import did not finish" in page and "hx-get" not in page.split('id="import-job"')[1]
    assert "Failed" in admin_client.get(reverse("imports:index")).content.decode()


def test_a_failure_mid_save_imports_nothing_and_says_why(admin_client, monkeypatch):
    real_write = People.write
    calls = []

    def write_then_fail(self, items, actor):
        calls.append(len(items))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real_write(self, items, actor)

    monkeypatch.setattr(People, "write", write_then_fail)
    before = c.Student.objects.count(), User.objects.count()
    response, job = confirm(admin_client, many_students(1200))
    assert calls == [500, 500]  # the first batch was written, then the second failed…
    assert (c.Student.objects.count(), User.objects.count()) == before  # …and nothing stayed
    assert (job.status, job.failure) == ("failed", "error")
    assert not job.path.exists() and jobs.read_progress(job.pk) is None
    page = admin_client.get(response["Location"]).content.decode()
    assert "The import stopped on an unexpected error; nothing was imported." in page


@pytest.mark.parametrize(
    ("language", "reason", "headline"),
    [
        ("kk", "Бұл мәнді толтыру міндетті.", "Ештеңе импортталмады: файлда қателер бар."),
        ("ru", "Это значение обязательно.", "Ничего не импортировано: в файле есть ошибки."),
        ("en", "This value is required.", "Nothing was imported: the file has errors."),
    ],
)
def test_a_job_that_fails_validation_reports_rows_in_the_administrators_language(
    college, login, language, reason, headline
):
    from tests.api.seed import seed

    seed()
    admin = college.users["admin"]
    admin.language = language
    admin.save()
    client = login(admin)
    response, job = confirm(client, students_csv(GOOD[0], "N2,,Dana,,,ZK-102,G1"))
    assert (job.status, job.failure, job.error_count, job.language) == ("failed", "invalid", 1, language)
    assert job.errors == [{"row": 3, "column": "last_name", "message": reason}]
    page = client.get(response["Location"]).content.decode()
    assert headline in page and f"<td>{reason}</td>" in page
    assert not c.Student.objects.filter(record_book_number="ZK-101").exists()


def test_a_second_click_on_confirm_follows_the_first_job(admin_client):
    preview = upload(admin_client, students_csv(*GOOD))["Location"]
    first = admin_client.post(preview)
    second = admin_client.post(preview)
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert ImportJob.objects.count() == 1
    assert c.Student.objects.filter(record_book_number="ZK-101").count() == 1


def test_the_command_stays_synchronous_and_makes_no_job(admin_client, tmp_path):
    path = tmp_path / "students.csv"
    path.write_bytes(students_csv(*GOOD))
    out = io.StringIO()
    call_command("import_college", "students", str(path), stdout=out)
    assert "3 were created" in out.getvalue() and not ImportJob.objects.exists()

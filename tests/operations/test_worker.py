"""The task queue with real ``manage.py db_worker`` processes (django-tasks-db's own command, what the
deployment runs) on this run's test database (SQLite's file, or PostgreSQL):

- a slot of 300 students notified: the teacher's request queues one task and answers; the worker
  sends the 300 e-mails to a real SMTP server (aiosmtpd) (NTF-1, X-10);
- a worker killed mid-import (SIGKILL: no clean-up): nothing half-imported; a worker that comes back
  finds the task's lease lapsed, runs it again and the import completes — or, with no runs left,
  the job is failed and its page says so (X-13).

The worker's settings come from the environment as in production (``EMAIL_URL``,
``TASK_LEASE_SECONDS``…); the shared cache (an import's progress, the leases) is this run's folder.
"""

import re
import time
import uuid

import pytest
from django.core.cache import caches
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from attestation.models import Slot
from college import models as c
from imports import jobs
from imports.models import ImportJob
from notifications.models import Notification
from tests.api.seed import seed
from tests.exams import slot_for
from tests.imports.test_jobs import many_students
from tests.processes import Worker
from tests.smtp import smtp_server

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"waited {seconds} s for {what}")


@pytest.fixture
def workers(tmp_path):
    started = []

    def start(**env):
        worker = Worker(tmp_path / "worker.log", **env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def add_students(stream, group, count):
    from access.models import User

    users = User.objects.bulk_create(
        User(username=f"many{n}", first_name=f"Name{n}", last_name=f"Surname{n}", email=f"s{n}@example.kz")
        for n in range(count)
    )
    students = c.Student.objects.bulk_create(
        c.Student(user=user, group=group, record_book_number=f"MANY-{n:04d}") for n, user in enumerate(users)
    )
    stream.students.add(*students)
    return students


@pytest.mark.req("NTF-1", "X-10")
def test_a_slot_of_300_is_notified_at_once_and_the_worker_mails_them_all(
    scheduled, login, settings, workers, capsys
):
    settings.TASKS = DATABASE_QUEUE
    settings.SITE_URL = "https://exam.example.kz"
    stream = scheduled.streams.teacher_a
    add_students(stream, scheduled.users["student"].student.group, 300)
    Notification.objects.all().delete()
    slot = slot_for(scheduled)
    mailable = slot.sessions.exclude(student__user__email="").count()
    assert mailable == 300
    teacher = login(scheduled.users["teacher"])
    with smtp_server() as (mailbox, port):
        started = time.perf_counter()
        response = teacher.post(reverse("attestation:slot_notify", args=[slot.pk]))
        answered = time.perf_counter() - started
        assert response.status_code == 302
        # The request did its part: the rows, and ONE task in the queue — no SMTP conversation.
        [queued] = DBTaskResult.objects.filter(task_path="notifications.mail.send_mails")
        assert len(queued.args_kwargs["args"][0]) == 300 and mailbox.messages == []
        assert Slot.objects.get(pk=slot.pk).notified_count == slot.sessions.count()

        started_worker = time.perf_counter()
        workers(EMAIL_URL=f"smtp://127.0.0.1:{port}", SITE_URL="https://exam.example.kz")
        wait_for(lambda: len(mailbox.messages) >= 300, 120, "300 e-mails")
        delivered = time.perf_counter() - started_worker
    assert Notification.objects.filter(mail="sent").count() == 300
    assert sorted(m.to[0] for m in mailbox.messages) == sorted(f"s{n}@example.kz" for n in range(300))
    assert all("https://exam.example.kz/attestation/my/" in m.body for m in mailbox.messages)
    wait_for(lambda: DBTaskResult.objects.get(pk=queued.pk).status == "SUCCESSFUL", 30, "the task's end")
    with capsys.disabled():
        print(
            f"\n  notify a slot of 300: the request took {answered * 1000:.0f} ms; "
            f"the worker delivered 300 e-mails to aiosmtpd in {delivered:.1f} s (start included)"
        )


def imported():
    """Students of the file (``many_students``: ZK-01000…), not the seeded ZK-001…ZK-003."""
    return c.Student.objects.filter(record_book_number__regex=r"^ZK-\d{5}$").count()


def queue_import(college, rows):
    """An import confirmed: the job's row, its file, its task in the queue (what the confirm does)."""
    job = ImportJob.objects.create(
        upload=uuid.uuid4().hex, kind="students", file_name="students.csv", created_by=college.users["admin"]
    )
    job.path.write_bytes(many_students(rows))
    jobs.start(job)
    return job


def saving(job):
    progress = caches["shared"].get(jobs.progress_key(job.pk)) or {}
    return progress.get("stage") == "saving" and progress.get("done", 0) >= 500


ROWS = 3000


@pytest.mark.req("X-13")
def test_a_worker_killed_mid_import_leaves_nothing_half_done_and_the_next_worker_resumes(
    college, settings, workers
):
    settings.TASKS = DATABASE_QUEUE
    seed()
    job = queue_import(college, ROWS)
    first = workers(TASK_LEASE_SECONDS=2)
    wait_for(lambda: saving(job), 60, "the import to be saving rows")
    first.kill()
    job.refresh_from_db()
    assert job.status == "running" and imported() == 0

    workers(TASK_LEASE_SECONDS=2)  # systemd restarts the worker: it notices the lapsed lease
    wait_for(lambda: ImportJob.objects.get(pk=job.pk).finished, 90, "the resumed import")
    job.refresh_from_db()
    assert (job.status, job.created, job.total) == ("done", ROWS, ROWS)
    assert imported() == ROWS
    [task] = DBTaskResult.objects.filter(task_path="imports.jobs.run_import")
    assert task.status == "SUCCESSFUL" and len(task.worker_ids) == 2  # the killed run and the resumed one


@pytest.mark.req("X-13")
def test_a_job_whose_worker_dies_on_its_last_run_is_failed_visibly(college, settings, workers, login):
    settings.TASKS = DATABASE_QUEUE
    seed()
    job = queue_import(college, ROWS)
    first = workers(TASK_LEASE_SECONDS=2, TASK_MAX_ATTEMPTS=1)
    wait_for(lambda: saving(job), 60, "the import to be saving rows")
    first.kill()

    workers(TASK_LEASE_SECONDS=2, TASK_MAX_ATTEMPTS=1)
    wait_for(lambda: ImportJob.objects.get(pk=job.pk).finished, 60, "the job to be failed")
    job.refresh_from_db()
    assert (job.status, job.failure) == ("failed", "error")
    assert imported() == 0
    [task] = DBTaskResult.objects.filter(task_path="imports.jobs.run_import")
    assert task.status == "FAILED" and task.exception_class_path == "core.tasks.WorkerLost"

    admin = login(college.users["admin"])
    page = admin.get(reverse("imports:job", args=[job.pk.hex])).content.decode()
    assert "The import stopped on an unexpected error; nothing was imported." in page
    assert not re.search(r'id="import-job"[^>]*hx-get', page)  # the page no longer waits
    monitor = admin.get(reverse("monitor:monitor")).content.decode()
    assert "imports.jobs.run_import" in monitor and "core.tasks.WorkerLost" in monitor

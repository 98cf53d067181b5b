"""Time saving a whole slot's grading table (GRD-1, GRD-6). Not a test: run it and read the figures.

    .venv/bin/python bench/grading_save.py [--rows 30] [--repeat 5]

It migrates a throw-away SQLite database in a temp folder (PostgreSQL when DATABASE_URL is set),
builds a stream whose slot of ``--rows`` students is over, signs a teacher in, and posts the grading
table as the page does — every row with a grade and a comment — timing the request from the POST to
its answer, with the production password hasher's cost left out (the teacher is signed in once).
Each repetition grades the same rows again with a reason (a change of grade), so every round writes.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="attestation-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_ALLOW_DEV_KEY", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from access.models import Module, Role
    from attestation.models import ExamSession, Slot
    from attestation.services.journal import sync_final_columns
    from core import clock
    from tests import factories as f

    f.set_license("online_ia", True)
    teacher = f.StaffFactory(user=f.UserFactory(username="bench-teacher")).user
    role = f.RoleFactory(name="Teacher (bench)", kind=Role.Kind.TEACHER)
    f.attach(role, Module.OIA_STAFF, mode="edit")
    role.users.add(teacher)
    group = f.GroupFactory(name="BENCH-1")
    students = [f.StudentFactory(group=group) for _ in range(args.rows)]
    stream = f.StreamFactory(name="Bench stream", teacher=teacher.staff, groups=[group])
    stream.journal.conduct_online = True
    stream.journal.save()
    sync_final_columns(stream.journal)
    now = clock.now()
    slot = Slot.objects.create(
        stream=stream, starts_at=now - datetime.timedelta(hours=3), ends_at=now - datetime.timedelta(hours=1)
    )
    for student in students:
        ExamSession.objects.create(stream=stream, student=student, slot=slot)
    client = Client()
    client.force_login(teacher)
    url = reverse("attestation:slot_grading", args=[slot.pk])
    client.get(url)  # warm: the session, the user and their roles are cached as in use
    timings, queries = [], []
    for round_ in range(args.repeat):
        data = {}
        for n, session in enumerate(slot.sessions.order_by("pk")):
            session.refresh_from_db()
            prefix = f"s{session.pk}-"
            data |= {
                prefix + "version": session.grade_version,
                prefix + "absence": "",
                prefix + "written": str(2 + (n + round_) % 4),
                prefix + "comment": f"Round {round_}",
                prefix + "reason": "Re-checked" if session.graded_at else "",
            }
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post(url, data)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302, response.content[:2000]
        queries.append(len(captured.captured_queries))
    median = statistics.median(timings)
    print(
        f"grading table, {args.rows} rows saved ({connection.vendor}): median {median:.0f} ms, "
        f"max {max(timings):.0f} ms over {args.repeat} saves; {queries[-1]} SQL statements per save"
    )


if __name__ == "__main__":
    main()

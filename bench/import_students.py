"""Time importing 10,000 students from a CSV on SQLite (X-13). Not a test: run it and read the figure.

    .venv/bin/python bench/import_students.py [--count 10000]

It migrates a throw-away SQLite database in a temp folder, creates the group the students
belong to, writes the CSV, imports it the way the Import page's "Confirm" does (an ImportJob run
by a background thread, its progress reported to the cache; timed from the start to the job's row
saying "done"), then imports the same file again (as ``manage.py import_college`` does) to show
the idempotent re-run.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="attestation-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_ALLOW_DEV_KEY", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from imports.entities import ENTITIES
    from imports.tables import import_file

    for kind, row in [
        ("departments", {"external_id": "D1", "name": "IT"}),
        ("specialties", {"external_id": "S1", "code": "0613", "name": "Software"}),
        ("qualifications", {"external_id": "Q1", "code": "4S0613", "name": "Developer", "specialty": "S1"}),
        ("study-periods", {"external_id": "SP1", "name": "2 y 10 m", "months": 34}),
    ]:
        assert ENTITIES[kind].run([(1, row)]).ok
    groups = [
        {"external_id": f"G{g}", "name": f"G-{g}", "department": "D1", "specialty": "S1",
         "qualification": "Q1", "study_period": "SP1"}
        for g in range(400)
    ]  # fmt: skip
    assert ENTITIES["groups"].run(list(enumerate(groups, 1))).ok

    path = workdir / "students.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("external_id,last_name,first_name,patronymic,email,record_book_number,group\n")
        for n in range(args.count):
            fh.write(f"S{n},Surname{n},Name{n},Patronymic,s{n}@example.kz,RB-{n:06d},G{n % 400}\n")

    job = job_import(path)
    print(
        f"first import (confirmed job, background thread): {args.count} students in {job.elapsed:.1f} s "
        f"(created {job.created}, updated {job.updated}, unchanged {job.unchanged}; "
        f"{job.reports} progress reports)"
    )
    started = time.perf_counter()
    outcome = import_file(ENTITIES["students"], path)
    elapsed = time.perf_counter() - started
    assert outcome.ok, outcome.errors[:5]
    print(
        f"re-run (idempotent): {args.count} students in {elapsed:.1f} s "
        f"(created {outcome.created}, updated {outcome.updated}, unchanged {outcome.unchanged})"
    )
    started = time.perf_counter()
    outcome = import_file(ENTITIES["students"], path, dry_run=True)
    print(f"preview (dry run): {time.perf_counter() - started:.1f} s")


def job_import(path):
    """As the Import page's confirm: queue an ImportJob for the file and let its thread run it."""
    import shutil
    import uuid

    from imports import jobs
    from imports.models import ImportJob

    reports = []
    write_progress = jobs._write_progress

    def counted(*args):
        reports.append(args)
        write_progress(*args)

    jobs._write_progress = counted
    from access.models import User

    registrar = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", "bench@example.kz", None
    )
    token = uuid.uuid4().hex
    job = ImportJob.objects.create(upload=token, kind="students", file_name=path.name, created_by=registrar)
    shutil.copy(path, job.path)
    started = time.perf_counter()
    jobs.start(job)  # outside any transaction: the thread starts at once
    while job.status not in (ImportJob.Status.DONE, ImportJob.Status.FAILED):  # as the page polls
        time.sleep(0.05)
        job.refresh_from_db()
    job.elapsed = time.perf_counter() - started
    job.reports = len(reports)
    assert job.status == ImportJob.Status.DONE, (job.status, job.errors[:5])
    return job


if __name__ == "__main__":
    main()

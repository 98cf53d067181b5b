"""In real Chromium: an administrator imports students from the template — a file with two bad
rows is refused with each row's number, column and reason; the fixed file is confirmed, the job's
progress bar moves (polled by htmx) to the end, and the students exist (X-13). The preview and the
import run in the task queue, on a worker (a thread of this process, so the pause below holds it)."""

import threading

import pytest
from playwright.sync_api import expect

from college import models as c
from imports import jobs
from imports.models import ImportJob
from tests.api.seed import seed

pytestmark = pytest.mark.django_db(transaction=True)

COUNT = 1200  # more than one batch of 500, so the bar stops half-way through saving


def student_line(n, last_name=None, group="G1"):
    last_name = f"Surname{n}" if last_name is None else last_name
    return f"B{n},{last_name},Name{n},,b{n}@example.kz,,,ZB-{n:05d},{group}"


@pytest.fixture
def paused_saving(monkeypatch):
    """The job stops at its first half-saved batch until the test has seen the bar there.

    The pause is inside the import's transaction: what the page shows then comes from the cache.
    """
    seen, release = threading.Event(), threading.Event()
    real = jobs._write_progress

    def write_progress(job_id, stage, done, total):
        real(job_id, stage, done, total)
        if stage != "saving" or not 0 < done < total or seen.is_set():
            return
        if not ImportJob.objects.filter(pk=job_id, dry_run=False).exists():
            return  # the preview's dry run goes through; the import pauses
        seen.set()
        release.wait(timeout=30)

    monkeypatch.setattr(jobs, "_write_progress", write_progress)
    yield seen, release
    release.set()


@pytest.mark.req("X-13")
def test_administrator_imports_students_with_a_progress_bar(
    college, new_page, screenshot, tmp_path, paused_saving, task_worker
):
    seed()  # the group G1 the students belong to
    seen, release = paused_saving
    page = new_page(college.users["admin"])
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto("/")
    page.get_by_text("Administration", exact=True).click()
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Import college data")).to_be_visible()

    # The students template, downloaded from its row of the table.
    students_row = page.get_by_role("row").filter(has=page.get_by_role("cell", name="Students", exact=True))
    with page.expect_download() as download:
        students_row.get_by_role("link", name="CSV").click()
    header, example = download.value.path().read_text(encoding="utf-8").strip().splitlines()
    assert header == "external_id,last_name,first_name,patronymic,email,username,iin,record_book_number,group"
    assert "ПО-25" in example  # one example row, written as the college writes

    # A file with two bad rows: row 3 lacks the last name, row 5 names an unknown group.
    lines = [student_line(n) for n in range(1, COUNT + 1)]
    bad = list(lines)
    bad[1] = student_line(2, last_name="")
    bad[3] = student_line(4, group="NO-SUCH-GROUP")
    path = tmp_path / "students.csv"
    path.write_text("\n".join([header, *bad]) + "\n", encoding="utf-8")
    page.get_by_label("What the file holds").select_option(label="Students")
    page.get_by_label("File (.csv or .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_text("The file has 2 errors; nothing will be saved.")).to_be_visible()
    errors = page.locator("table.import-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0).locator("td")).to_have_text(["3", "last_name", "This value is required."])
    expect(errors.nth(1).locator("td")).to_have_text(
        ["5", "group", "No group “NO-SUCH-GROUP” (by external ID or name)."]
    )
    expect(page.get_by_role("button", name="Confirm import")).to_have_count(0)
    screenshot(page, "preview-errors")

    # Fixed, uploaded again, previewed clean and confirmed.
    page.get_by_role("link", name="Upload a corrected file").click()
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    page.get_by_label("What the file holds").select_option(label="Students")
    page.get_by_label("File (.csv or .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_text(f"The file is valid: {COUNT} rows will be created")).to_be_visible()
    screenshot(page, "preview-valid")
    page.get_by_role("button", name="Confirm import").click()

    # The job page: the bar, polled every second, half-way through saving while the job pauses.
    expect(page.get_by_role("heading", name="Import: Students — students.csv")).to_be_visible()
    bar = page.locator("#import-job progress")
    expect(page.get_by_text(f"Saving rows: 500 of {COUNT}")).to_be_visible(timeout=20_000)
    assert seen.is_set()
    expect(bar).to_have_attribute("max", str(2 * COUNT))
    expect(bar).to_have_attribute("value", str(COUNT + 500))
    assert not c.Student.objects.filter(record_book_number="ZB-00001").exists()  # not committed yet
    screenshot(page, "progress")
    release.set()

    # …then it reaches the end and turns into the result.
    summary = f"Imported students.csv: {COUNT} created, 0 updated, 0 unchanged."
    expect(page.get_by_text(summary)).to_be_visible(timeout=30_000)
    expect(bar).to_have_attribute("value", "1")
    expect(bar).to_have_attribute("max", "1")
    expect(page.locator("#import-job[hx-get]")).to_have_count(0)  # polling has stopped
    screenshot(page, "done")

    job = ImportJob.objects.get(dry_run=False)
    assert (job.status, job.created) == ("done", COUNT)
    assert c.Student.objects.filter(record_book_number__startswith="ZB-").count() == COUNT
    student = c.Student.objects.select_related("user", "group").get(record_book_number="ZB-00002")
    assert (student.user.last_name, student.group.name) == ("Surname2", "PO-99")
    assert violations == [], violations

    # The Import page lists the finished job.
    page.get_by_role("link", name="Import another file").click()
    expect(page.get_by_role("link", name="students.csv")).to_be_visible()

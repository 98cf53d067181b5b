"""Backups: ``manage.py backup`` writes one consistent archive, ``restore`` brings everything back
(the database and the private files). SQLite here; PostgreSQL when DATABASE_URL is set (the live
test database is dumped with pg_dump and restored with pg_restore)."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from attestation.models import ExamSession, Ticket
from attestation.services import answers as answers_service
from tests.exams import PDF

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _tools():
    if connection.vendor == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore are not installed")


def test_backup_then_restore_brings_data_and_files_back(scheduled, exam, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    student = scheduled.users["student"]
    answers_service.draft_save(actor=student, session_id=exam.pk, text="<p>before the backup</p>", version=1)
    attached = answers_service.answer_file_add(
        actor=student,
        session=exam,
        upload=SimpleUploadedFile("work.pdf", PDF, content_type="application/pdf"),
    )
    file_path = Path(attached.file.path)
    assert file_path.is_relative_to(Path(settings.MEDIA_ROOT) / "private")
    tickets = dict(Ticket.objects.values_list("pk", "body"))

    archive = tmp_path / "attestation.tar"
    call_command("backup", str(archive))
    assert archive.exists() and archive.stat().st_size > 0

    # Disaster: the draft and the questions are overwritten, the file disappears.
    ExamSession.objects.filter(pk=exam.pk).update(draft="<p>lost</p>", draft_version=9)
    Ticket.objects.update(body="<p>vandalised</p>")
    file_path.unlink()

    call_command("restore", str(archive), "--yes")

    exam.refresh_from_db()
    assert exam.draft == "<p>before the backup</p>" and exam.draft_version == 1
    assert dict(Ticket.objects.values_list("pk", "body")) == tickets
    assert file_path.read_bytes() == PDF


def test_restore_refuses_an_archive_of_another_engine(tmp_path):
    import io
    import json
    import tarfile

    from django.core.management.base import CommandError

    archive = tmp_path / "other.tar"
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    with tarfile.open(archive, "w") as tar:
        data = json.dumps({"engine": other, "created_at": "x", "database": "x"}).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError, match="holds a"):
        call_command("restore", str(archive), "--yes")

"""X-11: an oversize upload is refused while it arrives — a 2 GB body is not read, let alone written to
a temporary file — with the same clear message as any file over the limit, and nothing is stored.

The bodies here are made as they are read (nothing held in memory) and watch the server: how many
bytes it read, and the most the temporary upload folder ever held while it read them.
"""

import contextlib
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from attestation import files
from attestation.models import AnswerFile, Ticket
from audit.models import AuditEntry

pytestmark = pytest.mark.req("X-11")

MB = 1024 * 1024
GB = 1024 * MB
LIMIT = files.MAX_UPLOAD_BYTES
TOO_LARGE = "is too large: at most 20 MB."


def _folder_bytes(path) -> int:
    total = 0
    for root, _dirs, names in os.walk(path):
        for name in names:
            with contextlib.suppress(FileNotFoundError):  # deleted between listing and measuring
                total += os.path.getsize(os.path.join(root, name))
    return total


class StreamedBody:
    """A multipart/form-data body of any size for ``wsgi.input``: the fields, then one file of
    ``size`` bytes (a PDF header, then padding), generated as the server reads it."""

    boundary = "----attestation-upload-test"

    def __init__(self, fields, file_field, file_name, size, temp_dir):
        head = b"".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in fields
        )
        head += (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        self.head, self.size = head, size
        self.content_head = b"%PDF-1.4\n"
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.length = len(head) + size + len(self.tail)
        self.temp_dir = temp_dir
        self.bytes_read = 0
        self.temp_peak = 0

    def _bytes(self, start, count):
        out = bytearray()
        end = min(start + count, self.length)
        pos = start
        file_start, file_end = len(self.head), len(self.head) + self.size
        while pos < end:
            if pos < file_start:
                piece = self.head[pos : min(end, file_start)]
            elif pos < file_end:
                offset, stop = pos - file_start, min(end, file_end) - file_start
                content_head = self.content_head[offset:stop]
                piece = content_head + b"\0" * (stop - offset - len(content_head))
            else:
                piece = self.tail[pos - file_end : end - file_end]
            out += piece
            pos += len(piece)
        return bytes(out)

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.length - self.bytes_read
        data = self._bytes(self.bytes_read, size)
        self.bytes_read += len(data)
        self.temp_peak = max(self.temp_peak, _folder_bytes(self.temp_dir))
        return data

    readline = read  # Django's LimitedStream binds it; the multipart parser only reads


def post_streamed(client, url, body, json=True):
    extra = {
        "wsgi.input": body,
        "CONTENT_LENGTH": str(body.length),
        "CONTENT_TYPE": f"multipart/form-data; boundary={body.boundary}",
    }
    if json:
        extra["HTTP_ACCEPT"] = "application/json"
    return client.generic("POST", url, **extra)


@pytest.fixture
def temp_dir(settings, tmp_path):
    """Django's temporary upload folder, watched by the bodies."""
    path = tmp_path / "uploads"
    path.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(path)
    return path


@pytest.fixture
def stored_files():
    """The private files in storage now (``stored_files()`` again after the request)."""
    root = Path(django_settings.MEDIA_ROOT) / "private"
    return lambda: {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def student_client(scheduled):
    """CSRF enforced, as in a browser: the refusal must reach the view, not fail the token check."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(scheduled.users["student"])
    return client


def csrf_token(client, url):
    client.get(url)
    return client.cookies[django_settings.CSRF_COOKIE_NAME].value


def test_a_2_gb_answer_file_is_refused_at_once_with_the_usual_message(
    scheduled,
    exam,
    temp_dir,
    stored_files,
):
    client = student_client(scheduled)
    token = csrf_token(client, reverse("attestation:session", args=[exam.pk]))
    before = stored_files()
    body = StreamedBody(
        [("csrfmiddlewaretoken", token)], "upload", "film.pdf", 2 * GB, temp_dir
    )  # what the page's upload sends
    response = post_streamed(client, reverse("attestation:answer_file_add", args=[exam.pk]), body)
    assert response.status_code == 400
    assert response.json()["error"] == f"The file “film.pdf” {TOO_LARGE}"
    assert body.bytes_read < 1 * MB, "the server read the oversize body instead of refusing it"
    assert body.temp_peak == 0, "the oversize file reached the temporary folder"
    assert _folder_bytes(temp_dir) == 0
    exam_before = (exam.draft, exam.draft_version, exam.answer_sent_at)
    exam.refresh_from_db()
    assert (exam.draft, exam.draft_version, exam.answer_sent_at) == exam_before
    assert not AnswerFile.objects.exists() and stored_files() == before
    assert not AuditEntry.objects.filter(action="answer.file_add").exists()


def test_the_form_without_javascript_gets_the_message_on_the_page(
    scheduled,
    exam,
    temp_dir,
):
    client = student_client(scheduled)
    page = reverse("attestation:session", args=[exam.pk])
    token = csrf_token(client, page)
    # The whole answer form goes to the upload button's formaction: the token, the text, the file.
    body = StreamedBody(
        [("csrfmiddlewaretoken", token), ("text", "<p>my answer</p>")], "upload", "film.pdf", 2 * GB, temp_dir
    )
    response = post_streamed(client, reverse("attestation:answer_file_add", args=[exam.pk]), body, json=False)
    assert response.status_code == 302 and response["Location"] == page
    assert body.bytes_read < 1 * MB
    assert f"The file “film.pdf” {TOO_LARGE}" in client.get(page).content.decode()
    assert not AnswerFile.objects.exists()


def test_a_file_over_the_limit_within_the_envelope_is_cut_off_at_the_limit(
    scheduled,
    exam,
    temp_dir,
    stored_files,
):
    """The request's size looks acceptable; the file's bytes, counted as they come, pass the limit.
    The rest (small) is read and thrown away, so a browser still receives the answer."""
    client = student_client(scheduled)
    token = csrf_token(client, reverse("attestation:session", args=[exam.pk]))
    before = stored_files()
    body = StreamedBody([("csrfmiddlewaretoken", token)], "upload", "big.pdf", LIMIT + 1 * MB, temp_dir)
    assert body.length <= LIMIT + files.ENVELOPE_BYTES
    response = post_streamed(client, reverse("attestation:answer_file_add", args=[exam.pk]), body)
    assert response.status_code == 400
    assert response.json()["error"] == f"The file “big.pdf” {TOO_LARGE}"
    assert body.temp_peak <= LIMIT, "more than the limit was written to the temporary folder"
    assert body.bytes_read == body.length  # drained: the browser, still sending, gets the answer
    assert _folder_bytes(temp_dir) == 0  # the partial temporary file is gone
    assert not AnswerFile.objects.exists() and stored_files() == before


def test_a_file_of_exactly_the_limit_is_attached(
    scheduled,
    exam,
    temp_dir,
    stored_files,
):
    client = student_client(scheduled)
    token = csrf_token(client, reverse("attestation:session", args=[exam.pk]))
    before = stored_files()
    body = StreamedBody(
        [("csrfmiddlewaretoken", token), ("text", "<p>draft</p>")], "upload", "work.pdf", LIMIT, temp_dir
    )
    response = post_streamed(client, reverse("attestation:answer_file_add", args=[exam.pk]), body)
    assert response.status_code == 200, response.content
    assert response.json()["ok"] is True and response.json()["files"][0]["name"] == "work.pdf"
    attached = AnswerFile.objects.get(session=exam)
    assert attached.file_name == "work.pdf" and attached.size == LIMIT
    (stored,) = stored_files() - before
    assert stored.stat().st_size == LIMIT


@pytest.mark.req("TKT-4")
def test_a_2_gb_ticket_file_is_refused_and_no_ticket_saved(scheduled, login, temp_dir):
    stream = scheduled.streams.teacher_a
    client = login(scheduled.users["teacher"])
    client.post(reverse("attestation:ticket_count", args=[stream.pk]), {"count": "3"})
    body = StreamedBody([("number", "1"), ("body", "<p>Q1</p>")], "upload", "scan.pdf", 2 * GB, temp_dir)
    response = post_streamed(client, reverse("attestation:ticket_add", args=[stream.pk]), body, json=False)
    assert response.status_code == 400
    assert f"The file “scan.pdf” {TOO_LARGE}" in response.content.decode()
    assert body.bytes_read < 1 * MB and body.temp_peak == 0
    assert not Ticket.objects.exists()


@pytest.mark.req("X-13")
def test_a_2_gb_import_file_is_refused_and_nothing_kept(college, login, temp_dir, settings):
    client = login(college.users["admin"])
    media = Path(settings.MEDIA_ROOT)
    before = {p for p in media.rglob("*") if p.is_file()}
    body = StreamedBody([("kind", "students")], "file", "students.csv", 2 * GB, temp_dir)
    response = post_streamed(client, reverse("imports:index"), body, json=False)
    assert response.status_code == 200  # the form again, with its error
    assert "The file is larger than 20 MB." in response.content.decode()
    assert body.bytes_read < 1 * MB and body.temp_peak == 0
    assert {p for p in media.rglob("*") if p.is_file()} == before  # nothing kept for a preview

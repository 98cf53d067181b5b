"""#8 scale-out, X-11: tickets' and answers' files through S3-compatible object storage.

With ``S3_BUCKET`` set, the ``private`` storage is django-storages' S3 backend. moto plays the S3
service in-process (no network): a student's file goes into the bucket as a private object, the
teacher downloads it through the application (never a bucket URL), the student deletes it and the
object goes; and the settings build the backend from the environment as documented.
"""

import importlib

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto import mock_aws

from tests.exams import PDF

BUCKET = "attestation-files"


@pytest.fixture
def s3(settings, monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-central-1",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        client = boto3.client("s3", region_name="eu-central-1")
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        monkeypatch.setenv("S3_BUCKET", BUCKET)
        monkeypatch.setenv("S3_REGION", "eu-central-1")
        from config import settings as real

        settings.STORAGES = {**settings.STORAGES, "private": real.private_files_storage(settings.MEDIA_ROOT)}
        yield client


def _keys(client):
    return [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


@pytest.mark.req("X-11", "ANS-1")
def test_answer_files_live_in_the_bucket_privately_and_are_served_by_the_app(
    scheduled,
    exam,
    login,
    s3,
    django_capture_on_commit_callbacks,
):
    from attestation.files import private_root

    assert private_root() is None  # backups leave the files to the bucket
    client = login(scheduled.users["student"])
    add = reverse("attestation:answer_file_add", args=[exam.pk])
    assert client.post(add, {"upload": SimpleUploadedFile("work.pdf", PDF)}).status_code == 302
    attached = exam.answer_files.get()
    [key] = _keys(s3)
    assert key == f"private/{attached.file.name}" and key.endswith("work.pdf")
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == PDF
    grants = s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner only: no public read
    assert not any("AllUsers" in str(g.get("Grantee")) for g in grants)

    url = reverse("attestation:answer_file", args=[attached.pk])
    response = login(scheduled.users["teacher"]).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    page = (
        login(scheduled.users["teacher"]).get(reverse("attestation:session", args=[exam.pk])).content.decode()
    )
    assert "amazonaws" not in page and BUCKET not in page  # the bucket is never shown
    assert login(scheduled.users["other_student"]).get(url).status_code == 404

    client = login(scheduled.users["student"])
    delete = reverse("attestation:answer_file_delete", args=[exam.pk, attached.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the object goes once the row is gone
        assert client.post(delete).status_code == 302
    assert _keys(s3) == []


@pytest.mark.req("X-11")
def test_settings_build_the_s3_backend_from_the_environment(monkeypatch):
    monkeypatch.setenv("S3_BUCKET", "college-files")
    monkeypatch.setenv("S3_ENDPOINT_URL", "https://minio.college.kz")
    monkeypatch.setenv("S3_PREFIX", "oia")
    from config import settings as real

    storage = real.private_files_storage("/srv/media")
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "college-files" and options["endpoint_url"] == "https://minio.college.kz"
    assert options["default_acl"] == "private" and options["location"] == "oia"
    assert options["file_overwrite"] is False
    importlib.import_module(storage["BACKEND"].rsplit(".", 1)[0])  # installed by requirements.txt
    monkeypatch.delenv("S3_BUCKET")
    local = real.private_files_storage("/srv/media")
    assert (
        local["BACKEND"].endswith("FileSystemStorage")
        and str(local["OPTIONS"]["location"]) == "/srv/media/private"
    )

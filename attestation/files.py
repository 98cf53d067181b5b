"""Uploaded files: size limit, type by content (not by name), safe names, private storage (X-11).

Files live outside the public static/media URLs and are only ever served by views that check the
policy first, as attachments with ``X-Content-Type-Options: nosniff``.
"""

import os
import unicodedata
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import FileResponse
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = settings.ATTESTATION_MAX_UPLOAD_MB * 1024 * 1024
# What a request that carries one file may add around it: the form's other fields (Django caps them
# at DATA_UPLOAD_MAX_MEMORY_SIZE) and the multipart envelope (boundaries, part headers).
ENVELOPE_BYTES = (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440) + 64 * 1024

# Office Open XML must contain this part; anything else in a zip is refused.
_OOXML_MARKER = "[Content_Types].xml"
# Zip bombs: refuse archives whose declared uncompressed size is absurd.
_MAX_UNZIPPED = 200 * 1024 * 1024

KINDS = {
    "pdf": (".pdf",),
    "docx": (".docx",),
    "xlsx": (".xlsx",),
    "pptx": (".pptx",),
    "doc": (".doc", ".xls", ".ppt"),
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
    "gif": (".gif",),
    "text": (".txt", ".csv", ".md"),
}


class _PrivateStorage(LazyObject):
    """``storages["private"]`` (config/settings.py): a folder under MEDIA_ROOT by default, S3-compatible
    object storage when ``S3_BUCKET`` is set. Looked up on first use, and again after a change of
    ``STORAGES`` (tests), so the models' file fields always follow the configuration."""

    def _setup(self):
        self._wrapped = storages["private"]


_private = _PrivateStorage()


def private_storage():
    """Tickets' and answers' files: never given a public URL, served only by views that check the
    policy (:func:`attachment`)."""
    return _private


@receiver(setting_changed)
def _forget_private_storage(*, setting, **kwargs):
    if setting in ("STORAGES", "MEDIA_ROOT"):
        _private._wrapped = empty  # type: ignore[assignment]


def private_root() -> Path | None:
    """The folder of the private files when they are on this machine's disk (backups copy it);
    None for object storage, whose own versioning or replication keeps the files."""
    storage = private_storage()
    return Path(storage.location) if isinstance(storage, FileSystemStorage) else None


def _sniff(head: bytes, fileobj) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(fileobj)
    if b"\x00" not in head and not head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is still text.
            if error.start < len(head) - 4:
                return None
        return "text"
    return None


def _sniff_zip(fileobj) -> str | None:
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = archive.namelist()
            if _OOXML_MARKER not in names:
                return None
            if sum(info.file_size for info in archive.infolist()) > _MAX_UNZIPPED:
                return None
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
        if any(name.startswith(prefix) for name in names):
            return kind
    return None


def safe_name(name: str) -> str:
    """A file name that is safe on any disk and in a Content-Disposition header."""
    name = (name or "").replace("\\", "/")
    name = unicodedata.normalize("NFC", os.path.basename(name)).replace("\x00", "")
    stem, ext = os.path.splitext(name)
    stem = "".join(ch for ch in stem if ch.isalnum() or ch in " -_.()").strip(" .") or "file"
    return f"{stem[:80]}{ext.lower()[:10]}"


def too_large_message(name: str) -> str:
    """The one "too large" message, whether refused while arriving or after (upload_handlers.py)."""
    return _("The file “%(name)s” is too large: at most %(mb)s MB.") % {
        "name": safe_name(name),
        "mb": MAX_UPLOAD_BYTES // (1024 * 1024),
    }


def validate_upload(uploaded) -> str:
    """The kind of an acceptable upload, or ValidationError with a clear reason."""
    if uploaded.size == 0:
        raise ValidationError(_("The file “%(name)s” is empty.") % {"name": safe_name(uploaded.name)})
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise ValidationError(too_large_message(uploaded.name))
    uploaded.seek(0)
    head = uploaded.read(2048)
    kind = _sniff(head, uploaded)
    uploaded.seek(0)
    if kind is None:
        raise ValidationError(
            _(
                "The file “%(name)s” is of a type that is not accepted: "
                "PDF, Word, Excel, PowerPoint, images or text."
            )
            % {"name": safe_name(uploaded.name)}
        )
    extension = os.path.splitext(safe_name(uploaded.name))[1]
    if extension not in KINDS[kind]:
        # A name that lies about its content (page.html or setup.exe holding text) is refused.
        raise ValidationError(
            _("The file “%(name)s” does not match its extension: its content is %(kind)s.")
            % {"name": safe_name(uploaded.name), "kind": kind.upper()}
        )
    return kind


def copy_of(field_file) -> ContentFile:
    """A new file with the same content, so copies never share (and never break) each other."""
    field_file.open("rb")
    try:
        return ContentFile(field_file.read(), name=os.path.basename(field_file.name))
    finally:
        field_file.close()


def attachment(field_file, download_name: str) -> FileResponse:
    """Serve a private file as a download, never rendered inline by the browser."""
    response = FileResponse(field_file.open("rb"), as_attachment=True, filename=safe_name(download_name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response

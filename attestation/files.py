"""Uploaded files: size limit, type by content (not by name), safe names, private storage (X-11).

Files live outside the public static/media URLs and are only ever served by views that check the
policy first, as attachments with ``X-Content-Type-Options: nosniff``.
"""

import codecs
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
    fileobj.seek(0)
    text = decode_text(fileobj.read())  # the whole file: a text is judged by all of it
    if text is not None and not text.lstrip().startswith("<"):  # never HTML or XML
        return "text"
    return None


# Characters a plain text may hold besides printable ones: tab, line and page breaks.
_TEXT_CONTROLS = {"\t", "\n", "\r", "\f"}


def decode_text(data: bytes) -> str | None:
    """A plain text's characters, whatever the editor saved it as: UTF-8 (with or without BOM),
    UTF-16 with BOM (Notepad's "Unicode"), or Windows-1251 (Russian Notepad's default, "ANSI").
    None when the bytes are not such a text (a binary file, or control characters)."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _plain(data.decode(codec))
            except UnicodeDecodeError:
                return None
    if b"\x00" in data:
        return None
    try:
        return _plain(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    try:
        return _plain(data.decode("cp1251"))
    except UnicodeDecodeError:
        return None


def _plain(text: str) -> str | None:
    if any(not ch.isprintable() and ch not in _TEXT_CONTROLS for ch in text.replace("\ufeff", "")):
        return None
    return text


def stored_form(uploaded, kind: str):
    """What is kept of an accepted upload: a text in UTF-8 with a BOM — the one encoding every
    editor and browser reads right, so the teacher sees the letters the student typed in whatever
    their editor saved; any other file as it came."""
    if kind != "text":
        return uploaded
    uploaded.seek(0)
    text = decode_text(uploaded.read()) or ""
    uploaded.seek(0)
    return ContentFile(codecs.BOM_UTF8 + text.encode("utf-8"), name=uploaded.name)


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


# Shown in the browser's tab when opened: a photo of a handwritten page needs no download. Their
# content was checked against these types when they came (``validate_upload``), they are served
# with nosniff and a sandbox, and never as HTML, SVG or anything that runs.
INLINE = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}
TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv", ".md": "text/plain"}


def attachment(field_file, download_name: str) -> FileResponse:
    """Serve a private file: an image in the browser's tab, anything else as a download."""
    name = safe_name(download_name)
    extension = os.path.splitext(name)[1]
    response = FileResponse(field_file.open("rb"), as_attachment=extension not in INLINE, filename=name)
    if extension in INLINE:
        response["Content-Type"] = INLINE[extension]
    elif extension in TEXT_TYPES:
        response["Content-Type"] = f"{TEXT_TYPES[extension]}; charset=utf-8"  # stored so (stored_form)
    response["X-Content-Type-Options"] = "nosniff"
    # Nothing runs: the browser's own image viewer may only style itself.
    viewer = " style-src 'unsafe-inline';" if extension in INLINE else ""
    response["Content-Security-Policy"] = f"default-src 'none';{viewer} sandbox"
    response["Cache-Control"] = "private, no-store"
    return response

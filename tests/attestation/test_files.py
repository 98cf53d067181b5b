"""Uploads: type by content, size limits, zip bombs, safe names, private storage and downloads."""

import codecs
import io
import os
import struct
import unicodedata
import zipfile
import zlib

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from attestation import files
from attestation.files import attachment, private_storage, safe_name, validate_upload


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# One white pixel of each format, byte for byte what real tools write.
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
    + _png_chunk(b"IEND", b"")
)
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00"
    b"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    b"\xff\xdb\x00C\x00" + bytes([1] * 64) + b"\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00"
    b"\xff\xc4\x00\x14\x00\x01" + bytes(15) + b"\x00\xff\xda\x00\x08\x01\x01\x00\x00?\x00\x00\xff\xd9"
)
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zip_bytes(
    {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document><w:body/></w:document>"}
)
XLSX = zip_bytes({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<workbook/>"})
PPTX = zip_bytes({"[Content_Types].xml": CONTENT_TYPES, "ppt/presentation.xml": b"<presentation/>"})


def upload(name, content):
    return SimpleUploadedFile(name, content)


def refusal(uploaded) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_upload(uploaded)
    return caught.value.messages[0]


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("questions.pdf", PDF, "pdf"),
        ("scheme.png", PNG, "png"),
        ("photo.JPG", JPEG, "jpeg"),
        ("anim.gif", GIF, "gif"),
        ("ticket.docx", DOCX, "docx"),
        ("marks.xlsx", XLSX, "xlsx"),
        ("slides.pptx", PPTX, "pptx"),
        ("old.doc", OLE_DOC, "doc"),
        ("notes.txt", "Сұрақтар: Қазақстан тарихы, өнер, ғылым, үй, һ, і.\n".encode(), "text"),
        ("notes.txt", "\ufeffБилет №1 — вопросы".encode(), "text"),
        ("plain.txt", b"Plain ASCII text, 1 < 2.\r\n", "text"),
    ],
)
def test_accepted_files_get_their_kind_from_the_content(name, content, kind):
    uploaded = upload(name, content)
    assert validate_upload(uploaded) == kind
    assert uploaded.read() == content  # rewound for whoever stores it


def test_text_whose_sample_ends_inside_a_kazakh_letter_is_still_text():
    content = ("a" + "қ" * 3000).encode()
    sample = content[:2048]
    with pytest.raises(UnicodeDecodeError):
        sample.decode("utf-8")  # the 2048-byte sample really is cut inside a letter
    assert validate_upload(upload("long.txt", content)) == "text"


def test_text_whose_sample_ends_inside_a_four_byte_character_is_still_text():
    content = b"x" + "😀".encode() * 600
    assert len(content) > 2048 and content[2047] not in range(0x80)
    assert validate_upload(upload("emoji.txt", content)) == "text"


def test_empty_file_is_refused():
    assert "is empty" in refusal(upload("empty.pdf", b""))


def test_file_over_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(files, "MAX_UPLOAD_BYTES", 1024 * 1024)
    assert validate_upload(upload("fits.txt", b"x" * (1024 * 1024))) == "text"
    message = refusal(upload("big.txt", b"x" * (1024 * 1024 + 1)))
    assert "too large" in message
    assert "1 MB" in message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", b"<html><body><script>alert(1)</script></body></html>"),
        ("page.htm", b"<!DOCTYPE html><title>x</title>"),
        ("spaced.txt", b"\n\n   <script>alert(1)</script>"),
        ("bom.txt", b"\xef\xbb\xbf<html><script>alert(1)</script>"),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("image.svg", b'<?xml version="1.0"?><svg onload="alert(1)" xmlns="http://www.w3.org/2000/svg"/>'),
        (
            "invoice.pdf",
            b"<html><script>alert(1)</script></html>",
        ),  # the name says PDF, the content says HTML
        ("photo.png", b"<svg onload=alert(1)>"),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(64)),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(64)),
        ("tool", b"\x7fELF\x02\x01\x01\x00" + bytes(56)),
        ("archive.zip", zip_bytes({"readme.txt": b"hello", "evil.exe": b"MZ"})),
        ("renamed.docx", zip_bytes({"word/document.xml": b"<w:document/>"})),
        ("other.docx", zip_bytes({"[Content_Types].xml": CONTENT_TYPES, "content.xml": b"<x/>"})),
        ("broken.docx", b"PK\x03\x04" + b"not really a zip" * 10),
        ("binary.dat", bytes(range(256)) * 4),
    ],
)
def test_refused_files(name, content):
    assert "not accepted" in refusal(upload(name, content))


def test_refusal_names_the_file_safely():
    message = refusal(upload("../../<i>bad</i>.html", b"<i>x</i>"))
    assert "“i.html”" in message  # the base name after the last "/", stripped of "<" and ">"
    assert "<" not in message
    assert "../" not in message


def _bomb(path, declared_bytes: int) -> bytes:
    """An OOXML-looking zip whose one member inflates to ``declared_bytes`` of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        chunk = bytes(1024 * 1024)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(declared_bytes // len(chunk)):
                member.write(chunk)
    return path.read_bytes()


def test_zip_bomb_is_refused(tmp_path):
    content = _bomb(tmp_path / "bomb.docx", 210 * 1024 * 1024)
    assert len(content) < files.MAX_UPLOAD_BYTES  # small on the wire, 210 MB unpacked
    assert "not accepted" in refusal(upload("bomb.docx", content))


def test_zip_bomb_threshold_is_the_unpacked_size(tmp_path, monkeypatch):
    content = _bomb(tmp_path / "bomb.docx", 2 * 1024 * 1024)
    assert validate_upload(upload("big.docx", content)) == "docx"
    monkeypatch.setattr(files, "_MAX_UNZIPPED", 1024 * 1024)
    assert "not accepted" in refusal(upload("big.docx", content))


def test_html_after_a_bom_and_a_newline_is_refused():
    refusal(upload("bom.txt", b"\xef\xbb\xbf\n<html><script>alert(1)</script></html>"))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", b"hello <script>alert(1)</script>"),
        ("setup.exe", b"MZ just text"),
        ("x.svg", b"a <svg/>"),
    ],
)
def test_a_name_whose_extension_does_not_match_the_content_is_refused(name, content):
    refusal(upload(name, content))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("/var/www/../ticket.PDF", "ticket.pdf"),
        ("a\x00b.pdf", "ab.pdf"),
        ("Емтихан сұрақтары.PDF", "Емтихан сұрақтары.pdf"),
        ("Билет №1 (тарих).DOCX", "Билет 1 (тарих).docx"),
        ('report:*?"<>|.docx', "report.docx"),
        ("<script>alert(1)<script>.txt", "scriptalert(1)script.txt"),
        ("  .hidden.txt", "hidden.txt"),
        ("", "file"),
        ("...", "file"),
        ("../", "file"),
        ("a" * 300 + ".pdf", "a" * 80 + ".pdf"),
    ],
)
def test_safe_name(name, expected):
    assert safe_name(name) == expected


def test_safe_name_composes_decomposed_letters():
    decomposed = unicodedata.normalize("NFD", "Жұмыс й.txt")
    assert decomposed != "Жұмыс й.txt"
    assert safe_name(decomposed) == "Жұмыс й.txt"


def test_private_storage_lives_under_media_root_private():
    storage = private_storage()
    name = storage.save("tickets/1/q.pdf", ContentFile(PDF))
    try:
        path = storage.path(name)
        assert path.startswith(os.path.join(str(settings.MEDIA_ROOT), "private") + os.sep)
        assert os.path.isfile(path)
    finally:
        storage.delete(name)


def test_attachment_is_a_download_the_browser_never_renders():
    storage = private_storage()
    name = storage.save("tickets/1/q.pdf", ContentFile(PDF))
    opened = storage.open(name)
    response = attachment(opened, "../Билет №1.pdf")
    try:
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=utf-8''" in disposition
        assert "%D0%91%D0%B8%D0%BB%D0%B5%D1%82" in disposition  # "Билет", and no "../"
        assert ".." not in disposition
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == PDF
    finally:
        opened.close()  # not response.close(): its request_finished signal would touch the database
        storage.delete(name)


def test_attachment_of_an_html_named_file_is_still_a_sandboxed_download():
    storage = private_storage()
    name = storage.save("tickets/1/notes.txt", ContentFile(b"hello"))
    opened = storage.open(name)
    response = attachment(opened, "notes.html")
    try:
        assert response["Content-Disposition"] == 'attachment; filename="notes.html"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
    finally:
        opened.close()  # not response.close(): its request_finished signal would touch the database
        storage.delete(name)


# --- A24: a text from Notepad, whatever it saved it as; images open in the browser ------------------

NOTEPAD_TEXT = "Жауап: 1) Алгоритм — бұл қадамдар тізбегі. Ответ на вопрос №2.\r\n" * 60  # > 2 KB


@pytest.mark.req("X-11", "ANS-3")
@pytest.mark.parametrize(
    ("saved_as", "encode"),
    [
        ("UTF-8", lambda text: text.encode("utf-8")),
        ("UTF-8 with BOM", lambda text: codecs.BOM_UTF8 + text.encode("utf-8")),
        ("UTF-16 (Notepad's Unicode)", lambda text: text.encode("utf-16")),
        ("Windows-1251 (Russian Notepad's ANSI)", None),
    ],
)
def test_a_notepad_text_is_accepted_and_kept_readable(saved_as, encode):
    """A24: a .txt saved in Windows-1251 or UTF-16 was refused as "not accepted … or text"."""
    from attestation.files import decode_text, stored_form, validate_upload

    text = NOTEPAD_TEXT if encode else NOTEPAD_TEXT.replace("ә", "а").replace("қ", "к").replace("ұ", "у")
    raw = encode(text) if encode else text.encode("cp1251")
    upload = SimpleUploadedFile("жауап.txt", raw, content_type="text/plain")
    assert validate_upload(upload) == "text", saved_as
    kept = stored_form(upload, "text").read()
    assert kept.startswith(codecs.BOM_UTF8) and decode_text(kept) == text  # the letters as typed


@pytest.mark.req("X-11")
def test_binary_junk_named_txt_is_still_refused_even_after_a_text_start():
    from django.core.exceptions import ValidationError

    from attestation.files import validate_upload

    raw = b"plain words " * 300 + b"\x00\x01\x02\x03 binary"  # the first 2 KB read as text
    with pytest.raises(ValidationError, match="not accepted"):
        validate_upload(SimpleUploadedFile("notes.txt", raw))


@pytest.mark.req("X-11", "GRD-1")
def test_an_image_opens_in_the_browser_and_a_text_says_its_encoding():
    storage = private_storage()
    image = storage.save("answers/1/photo.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 32))
    text = storage.save("answers/1/notes.txt", ContentFile(codecs.BOM_UTF8 + "Жауап".encode()))
    try:
        with storage.open(image) as opened:
            response = attachment(opened, "photo.png")
            assert response["Content-Disposition"].startswith("inline;")
            assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
            assert (
                "sandbox" in response["Content-Security-Policy"]
                and "script" not in response["Content-Security-Policy"]
            )
        with storage.open(text) as opened:
            response = attachment(opened, "notes.txt")
            assert response["Content-Disposition"].startswith("attachment;")
            assert response["Content-Type"] == "text/plain; charset=utf-8"
    finally:
        storage.delete(image)
        storage.delete(text)

"""Oversize uploads are refused while they arrive, never streamed whole to a temporary file (X-11).

:class:`UploadLimitHandler` is the first of ``FILE_UPLOAD_HANDLERS``, so it protects every form
that takes a file (answers, tickets, imports). It refuses:

- a request whose Content-Length is over the file limit plus :data:`files.ENVELOPE_BYTES` — at its
  first file part, before a byte of the file is read. Not earlier: the small fields that come
  before the file (the CSRF token) are parsed by then, so the refusal reaches the view and its
  message instead of a CSRF failure;
- a file whose bytes, counted as they stream, pass the file limit (a part's own headers are not to
  be trusted) — at that chunk, before it reaches the temporary file, which is then deleted;
- a body that, having no file part, goes past the same ceiling.

The refused file's place in ``request.FILES`` is taken by a :class:`RefusedUpload` of more than the
limit's size, so each view says what it always says of an oversize file (``files.validate_upload``:
"The file … is too large: at most 20 MB.", the import form's own check); reading it raises that
message, so it can never be stored by mistake. Other fields and the session are untouched.

What the client then sees: when at most :func:`drain_max_bytes` (20 MB) of the body are still
unread they are read and thrown away, never stored (``StopUpload(connection_reset=False)``), so a
browser — which reads the answer only once it has sent everything — shows the message; a bigger
rest (a 2 GB film) is left unread (``connection_reset=True``) and the connection is closed after the
answer, which a browser shows as a broken connection (the exam page then says the file was not
attached, and that a very large file is the likely cause): no worker is held while gigabytes
arrive. Behind the README's nginx (``client_max_body_size 25m``) such a request never reaches the
application at all.

Django offers ``handle_raw_input`` to take over the parsing; this handler uses it to run Django's
own parser over the body wrapped in a byte counter, and to put the stand-in into the result.
"""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http.multipartparser import MultiPartParser
from django.utils.datastructures import MultiValueDict

from attestation import files


def drain_max_bytes() -> int:
    """The most of a refused body still read (and thrown away) so that a browser gets the answer:
    as much again as the file limit — anything a correctly configured proxy lets through."""
    return files.MAX_UPLOAD_BYTES


class _Unreadable:
    """The content of a refused file: there is none; reading it refuses again."""

    closed = False

    def __init__(self, name):
        self.name = name

    def read(self, *args):
        raise ValidationError(files.too_large_message(self.name))

    readline = read

    def seek(self, *args):
        return 0

    def tell(self):
        return 0

    def close(self):
        self.closed = True


class RefusedUpload(UploadedFile):
    """Stands in ``request.FILES`` for a file refused while it arrived; its content was never kept."""

    def __init__(self, name, content_type, size):
        super().__init__(_Unreadable(name), name, content_type, size)  # type: ignore[arg-type]


class _CountingInput:
    """The request body, read through a counter; only ``read``, so it is drained in small chunks."""

    def __init__(self, stream, handler):
        self.stream = stream
        self.handler = handler
        self.bytes_read = 0

    def read(self, size=-1):
        data = self.stream.read(size)
        self.bytes_read += len(data)
        if self.bytes_read > self.handler.request_ceiling and not self.handler.refused:
            self.handler.refuse(None, None, self.bytes_read)
        return data


class UploadLimitHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.refused = None  # (field name, file name, content type, size) once refused
        self.declared_length = 0
        self.input = None
        self._parsing = False

    @property
    def request_ceiling(self) -> int:
        return files.MAX_UPLOAD_BYTES + files.ENVELOPE_BYTES

    # --- Django's upload handler interface ---------------------------------------------------------

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if self._parsing:
            return None  # the parse below calls this again: let it proceed
        self.declared_length = content_length
        self.input = _CountingInput(input_data, self)
        self._parsing = True
        try:
            handlers = self.request.upload_handlers if self.request is not None else [self]
            post, uploaded = MultiPartParser(META, self.input, handlers, encoding).parse()  # type: ignore[arg-type]
        finally:
            self._parsing = False
        if self.refused and self.refused[0] is not None:
            field_name, file_name, content_type, size = self.refused
            uploaded = MultiValueDict(uploaded.lists())
            uploaded.appendlist(field_name, RefusedUpload(file_name, content_type, size))
        return post, uploaded

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, extra)
        if self.declared_length > self.request_ceiling:
            self.refuse(field_name, file_name, self.declared_length, content_type)

    def receive_data_chunk(self, raw_data, start):
        size = start + len(raw_data)
        if size > files.MAX_UPLOAD_BYTES:
            self.refuse(self.field_name, self.file_name, size, self.content_type)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers keep the file

    # --- refusing -----------------------------------------------------------------------------------

    def refuse(self, field_name, file_name, size, content_type=None):
        """Stop reading the body; the caller's parse returns what it has (the fields so far)."""
        self.refused = (field_name, file_name, content_type, size)
        read = self.input.bytes_read if self.input is not None else 0
        unread = max(0, self.declared_length - read)
        raise StopUpload(connection_reset=unread > drain_max_bytes())

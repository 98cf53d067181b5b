"""The one CSV writer of the app (#16.7): the audit log, the API's exports, the import templates.

**Formula injection.** A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return before one) as a formula — ``=HYPERLINK(…)`` in a student's name would
run on the registrar's computer. Every text cell that starts so is written with a leading
apostrophe, which spreadsheets show as text and do not display (OWASP's advice). Numbers stay
numbers (``-5`` is not a formula). Reading a CSV back (the import) takes the apostrophe off again
with :func:`unescape_cell`, so an export imports unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
BOM = "\ufeff"  # Excel reads UTF-8 (Cyrillic) right only with it


def safe_cell(value: object) -> str | int | float | Decimal:
    """One cell as written: text that a spreadsheet would run as a formula gets an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    return ESCAPE + text if text.startswith(FORMULA_START) else text


def unescape_cell(text: str) -> str:
    """The reverse of :func:`safe_cell` for a cell read from a CSV file."""
    if text.startswith(ESCAPE) and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


class _Echo:
    """A file-like object whose ``write`` hands the line back, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    header: Iterable[object] | None, rows: Iterable[Iterable[object]], *, bom: bool = False
) -> Iterator[str]:
    """The CSV text line by line (for streaming), every cell through :func:`safe_cell`."""
    writer = csv.writer(_Echo())
    if bom:
        yield BOM
    if header is not None:
        yield writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def csv_text(
    header: Iterable[object] | None, rows: Iterable[Iterable[object]] = (), *, bom: bool = False
) -> str:
    buffer = io.StringIO()
    buffer.writelines(csv_lines(header, rows, bom=bom))
    return buffer.getvalue()


def csv_response(
    filename: str,
    header: Iterable[object] | None,
    rows: Iterable[Iterable[object]],
    *,
    bom: bool = False,
    stream: bool = False,
) -> HttpResponse | StreamingHttpResponse:
    """A CSV download: streamed (long exports, rows from an iterator) or whole."""
    content_type = "text/csv; charset=utf-8"
    if stream:
        response: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
            csv_lines(header, rows, bom=bom), content_type=content_type
        )
    else:
        response = HttpResponse(csv_text(header, rows, bom=bom), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

"""Reading an uploaded CSV or XLSX into rows keyed by the entity's column names.

Headers may be English, Russian or Kazakh (each column lists the names it accepts); row numbers
are the spreadsheet's own (the header is row 1), so an error points at the line a person sees.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from core.csv_writer import unescape_cell
from imports.columns import column_label
from imports.sync import Entity, Outcome, RowError, no_progress

MAX_ROWS = 50_000


class TableError(Exception):
    """The file as a whole cannot be read."""


def normalise(header) -> str:
    text = str(header or "").strip().strip("*").strip().casefold().replace("ё", "е")
    return " ".join(text.replace("_", " ").split())


def read_cells(path: Path) -> list[list]:
    """All non-empty rows of the file's first sheet, header first."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise TableError(_("Upload a .csv or .xlsx file."))


def _read_xlsx(path):
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise TableError(_("The file is not a readable XLSX workbook.")) from exc
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _read_csv(path):
    text = decode_csv(path.read_bytes())
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    # A cell the app's exports wrote with an apostrophe against formulas reads back as it was.
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    return [[unescape_cell(cell) for cell in row] for row in rows]


# A "?" among Cyrillic letters: Excel's "CSV (comma delimited)" in a Russian Windows writes
# Windows-1251, which has no Kazakh letters ә ғ қ ң ө ұ ү һ (only і), and puts "?" in their place.
# Only a "?" inside a word or at its start counts ("Кто?" at a word's end is a question).
_LOST_LETTER = re.compile(r"[А-Яа-яЁёІі]\?[А-Яа-яЁёІі]|(?<![\w?])\?[А-Яа-яЁёІі]")


def decode_csv(raw: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM if valid; else Windows-1251, as Russian Excel
    saves CSV — unless that file has lost its Kazakh letters, which is said rather than imported."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise TableError(_("The file's text encoding is not UTF-8 or Windows-1251.")) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1251")
    except UnicodeDecodeError:
        raise TableError(_("The file's text encoding is not UTF-8 or Windows-1251.")) from None
    if _LOST_LETTER.search(text):
        raise TableError(
            _(
                "The file is saved in Windows-1251, which cannot hold the Kazakh letters ә, ғ, қ, ң, "
                "ө, ұ, ү, һ: they were replaced by “?”. In Excel choose Save As → "
                "“CSV UTF-8 (comma delimited)”, or upload XLSX."
            )
        )
    return text


def to_rows(entity: Entity, cells: list[list]) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """Map the header onto the entity's columns; unknown or missing columns are errors of row 1 —
    or, when the header is another kind's, one error that says which kind the file looks like."""
    errors: list[RowError] = []
    if not cells:
        return [], [RowError(1, "", _("The file is empty."))]
    positions, header_errors = _positions(entity, cells[0])
    if header_errors:
        other = looks_like(entity, cells[0])
        if other is not None:
            message = _("This looks like a “%(other)s” file, not “%(chosen)s”.") % {
                "other": other.title,
                "chosen": entity.title,
            }
            return [], [RowError(1, "", message, suggest_kind=other.kind)]
        errors += header_errors
    rows = []
    for number, row in enumerate(cells[1:], start=2):
        if all(v is None or str(v).strip() == "" for v in row):
            continue
        rows.append((number, {name: (row[i] if i < len(row) else None) for name, i in positions.items()}))
    if len(rows) > MAX_ROWS:
        errors.append(RowError(0, "", _("At most %(n)s rows per file.") % {"n": MAX_ROWS}))
    return rows, errors


def _positions(entity: Entity, header_row: list) -> tuple[dict[str, int], list[RowError]]:
    """Column name → index in the file, and the header's problems (unknown, twice, missing)."""
    errors: list[RowError] = []
    accepted = {normalise(h): column.name for column in entity.columns for h in column.headers}
    positions: dict[str, int] = {}
    for index, header in enumerate(header_row):
        if header is None or str(header).strip() == "":
            continue
        name = accepted.get(normalise(header))
        if name is None:
            errors.append(RowError(1, str(header), _("Unknown column.")))
        elif name in positions:
            errors.append(RowError(1, str(header), _("The column appears twice.")))
        else:
            positions[name] = index
    for column in entity.columns:
        if column.required and column.name not in positions:
            errors.append(RowError(1, column.name, _("A required column is missing.")))
    return positions, errors


def looks_like(chosen: Entity, header_row: list) -> Entity | None:
    """The kind whose columns this header fits (every header known, every required column there),
    when it is not the chosen kind's; of several, the one that knows most of the headers."""
    from imports.entities import ENTITIES  # the registry imports the engine this module extends

    fits = []
    for entity in ENTITIES.values():
        if entity.kind == chosen.kind:
            continue
        positions, errors = _positions(entity, header_row)
        if not errors:
            fits.append((len(positions), entity))
    return max(fits, key=lambda fit: fit[0])[1] if fits else None


def read_rows(entity: Entity, path: Path) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """The file's rows keyed by column name, or the errors that stop it being read."""
    try:
        return to_rows(entity, read_cells(path))
    except TableError as exc:
        return [], [RowError(0, "", str(exc))]


def import_file(entity: Entity, path: Path, *, actor=None, dry_run=False, progress=no_progress) -> Outcome:
    """Read, validate and (unless ``dry_run`` or any error) save the file — all or nothing."""
    rows, errors = read_rows(entity, path)
    if errors:
        return Outcome(errors=errors)
    return entity.run(rows, actor=actor, dry_run=dry_run, progress=progress, by_name=True)


@dataclass
class RowReport:
    """One row of the preview: what the import will do with it, and what changes."""

    row: int
    label: str
    status: str  # created | updated | unchanged
    changes: list[str]
    moves: list[str]


def row_reports(entity: Entity, outcome: Outcome, limit: int) -> list[RowReport]:
    """The preview's rows (a dry run's items): created, updated (with each change) or matched."""
    items = outcome.items[:limit]
    parents = _parent_names(entity, items)
    reports = []
    for item in items:
        changes, moves = [], []
        for field_name, (before, after) in item.extra.get("diff", {}).items():
            if field_name in parents:
                names = parents[field_name]
                text = _("%(column)s: from “%(old)s” to “%(new)s”") % {
                    "column": column_label(field_name.removesuffix("_id"), kind=entity.kind),
                    "old": names.get(before, "—"),
                    "new": names.get(after, "—"),
                }
                moves.append(text)
            else:
                text = _("%(column)s: from “%(old)s” to “%(new)s”") % {
                    "column": column_label(field_name.removesuffix("_id"), kind=entity.kind),
                    "old": "" if before is None else before,
                    "new": "" if after is None else after,
                }
            changes.append(text)
        label = str(item.obj) if item.obj is not None else entity.describe(item)
        reports.append(RowReport(item.row, label[:200], item.status, changes, moves))
    return reports


def moving_rows(entity: Entity, outcome: Outcome) -> list[RowReport]:
    """Every row (not only the rows shown) that moves a record to another parent: never silent."""
    moving = [i for i in outcome.items if any(f.endswith("_id") for f in i.extra.get("diff", {}))]
    return [r for r in row_reports(entity, Outcome(items=moving), len(moving)) if r.moves]


def _parent_names(entity: Entity, items) -> dict[str, dict]:
    """For each foreign key the items change: pk → the parent's name, for 'moves from X to Y'."""
    wanted: dict[str, set] = {}
    for item in items:
        for field_name, pair in item.extra.get("diff", {}).items():
            if field_name.endswith("_id"):
                wanted.setdefault(field_name, set()).update(v for v in pair if v is not None)
    names = {}
    for field_name, pks in wanted.items():
        try:
            related = entity.model._meta.get_field(field_name.removesuffix("_id")).related_model
        except FieldDoesNotExist:  # not a model field: shown as a plain change
            related = None
        if related is not None:
            names[field_name] = {o.pk: str(o) for o in related.objects.filter(pk__in=pks)}
    return names

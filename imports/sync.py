"""Idempotent upserts of the college's data by its own external IDs (X-12, X-13).

One engine for the API and the file import, so both validate, write and audit the same way:

1. every cell is cleaned by its :class:`~imports.columns.Column` (errors carry row, column, reason);
2. references (``group``, ``teacher``…) are resolved through :class:`~imports.models.ExternalRef`;
3. existing rows are found by external ID (or by a natural key for journals, admissions and
   schedules), or *adopted* when an unmapped row already carries the same unique value (data typed
   in by hand before the first import);
4. nothing is written unless every row is valid; then new rows are bulk-created, changed rows
   bulk-updated and every change gets an audit entry, all in one transaction. Re-running the same
   rows changes nothing.

``run`` optionally reports its progress to a callable ``progress(stage, done, total)``: stage
``"checking"`` while rows are cleaned, resolved and matched, then ``"saving"`` while they are
written in batches of :data:`BATCH` rows. The callable is called inside the transaction, so it must
store what it is told somewhere the transaction does not hold back (the import job uses the cache).
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from imports.columns import CellError, Column, column_label
from imports.models import ExternalRef

BATCH = 500

# progress(stage, done, total); stage is "checking" or "saving".
Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """The default reporter: nobody is watching."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the column's name (its label is the user's language's: ``column_label``)
    message: str
    suggest_kind: str = ""  # the file's header is this other kind's

    def as_dict(self, kind: str = "") -> dict[str, Any]:
        """For the job's row and the pages: the column by its label in the active language."""
        known = any(c.name == self.column for c in referenced(kind).columns) if kind else False
        return {
            "row": self.row,
            "column": column_label(self.column, kind=kind) if known else self.column,
            "message": self.message,
        }


@dataclass
class Item:
    row: int
    values: dict[str, Any]
    fields: dict[str, Any] = field(default_factory=dict)
    obj: Any = None
    adopted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    status: str = "unchanged"
    # Every reference column's resolved primary keys (one pk, None, or a set for a list column).
    refs: dict[str, Any] = field(default_factory=dict)
    # The columns the row came with: a stored row keeps what a file has no column for.
    present: frozenset[str] = frozenset()

    def brings(self, column_name: str) -> bool:
        return column_name in self.present

    @property
    def external_id(self):
        return self.values.get("external_id")


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    # What the rows do to the streams built on groups (attestation.services.membership), per stream.
    memberships: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


def jsonable(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value)
    return value


def external_ids(kind: str, object_ids) -> dict[int, str]:
    """object pk → external ID for one kind."""
    refs = ExternalRef.objects.filter(kind=kind, object_id__in=list(object_ids))
    return {r.object_id: r.external_id for r in refs}


def object_ids(kind: str, ext_ids) -> dict[str, int]:
    refs = ExternalRef.objects.filter(kind=kind, external_id__in=list(ext_ids))
    return {r.external_id: r.object_id for r in refs}


def referenced(kind: str) -> Entity:
    from imports.entities import ENTITIES  # the registry imports this module

    return ENTITIES[kind]


def _value_at(obj, lookup: str):
    for part in lookup.split("__"):
        obj = getattr(obj, part)
    return obj


class Entity:
    """One kind of college data. Subclasses name the model, columns and key."""

    kind: str = ""
    title: str | Promise = ""  # a lazy translation in the entities
    model: Any = None
    columns: tuple[Column, ...] = ()
    # Model attnames forming the natural key; None: the entity is keyed by ``external_id``.
    natural_key: tuple[str, ...] | None = None
    # Natural keys (column, model lookup, strict): a row without external ID is matched by the
    # first that finds one stored row; a row with one adopts a row typed in by hand. ``strict``: a
    # value held by a row mapped to another external ID is an error (else left to other checks).
    adopt_keys: tuple[tuple[str, str, bool], ...] = ()
    # Columns that do not map one-to-one onto a model field (resolved in ``resolve_extra``).
    unmapped: tuple[str, ...] = ()

    # --- the public entry point ---------------------------------------------------------------

    def run(
        self,
        rows: list[tuple[int, dict]],
        *,
        actor=None,
        dry_run: bool = False,
        progress: Progress = no_progress,
        by_name: bool = False,
    ) -> Outcome:
        """Upsert ``rows`` (row number, {column: raw value}); all or nothing.

        ``by_name``: a reference may name its row as the college writes it (a file's group column
        holds "ПО-25"); the API's references are external IDs only."""
        with transaction.atomic():
            outcome = Outcome()
            try:
                self._run(rows, actor, outcome, progress, by_name)
            except IntegrityError as exc:  # the database's last guard, should validation miss
                transaction.set_rollback(True)
                outcome.errors.append(RowError(0, "", _("The data conflict with stored rows: %s") % exc))
            if outcome.errors or dry_run:
                transaction.set_rollback(True)
        return outcome

    def _run(self, rows, actor, outcome, progress=no_progress, by_name=False):
        total = len(rows)
        items = self.clean(rows, outcome.errors, progress)
        # Resolve every row, also those with a bad cell, so one preview shows each row's every error.
        self.resolve(items, outcome.errors, by_name=by_name)
        if outcome.errors:
            return
        self.match(items, outcome.errors)
        if outcome.errors:
            return
        progress("checking", total, total)
        progress("saving", 0, total)
        # In batches, each a complete write of its rows, so the progress moves while saving.
        for start in range(0, len(items), BATCH):
            self.write(items[start : start + BATCH], actor)
            progress("saving", min(start + BATCH, total), total)
        self.after_write(items, actor, outcome)
        outcome.items = items
        for item in items:
            setattr(outcome, item.status, getattr(outcome, item.status) + 1)

    # --- 1. cleaning ---------------------------------------------------------------------------

    @property
    def key_columns(self) -> tuple[str, ...]:
        if self.natural_key is None:
            return ("external_id",)
        return tuple(c.name for c in self.columns if self.field_of(c) in self.natural_key)

    def field_of(self, column: Column) -> str | None:
        if column.name == "external_id" or column.name in self.unmapped:
            return None
        return f"{column.name}_id" if column.type == "ref" else column.name

    def clean(self, rows, errors, progress: Progress = no_progress) -> list[Item]:
        items, seen, seen_natural = [], {}, {}  # type: ignore[var-annotated]
        for index, (number, raw) in enumerate(rows):
            if index % BATCH == 0:
                progress("checking", index, len(rows))
            values = {}
            for column in self.columns:
                try:
                    values[column.name] = column.clean(raw.get(column.name))
                except CellError as exc:
                    errors.append(RowError(number, column.name, str(exc)))
            key = tuple(values.get(c) for c in self.key_columns)
            if None not in key and key in seen:
                errors.append(
                    RowError(
                        number,
                        self.key_columns[0],
                        _("The same key as row %(row)s: %(key)s")
                        % {"row": seen[key], "key": "/".join(map(str, key))},
                    )
                )
            seen.setdefault(key, number)
            self._check_natural_twin(number, values, seen_natural, errors)
            items.append(Item(number, values, present=frozenset(raw)))
        return items

    def _check_natural_twin(self, number, values, seen_natural, errors):
        """Two rows without external ID under the same natural key would make two records."""
        if values.get("external_id") or not self.adopt_keys:
            return
        for column, _lookup, _strict in self.adopt_keys:
            value = values.get(column)
            if value in (None, ""):
                continue
            if (column, value) in seen_natural:
                errors.append(
                    RowError(
                        number,
                        column,
                        _("The same key as row %(row)s: %(key)s")
                        % {"row": seen_natural[(column, value)], "key": value},
                    )
                )
            seen_natural.setdefault((column, value), number)
            return

    # --- 2. references -------------------------------------------------------------------------

    def resolve(self, items, errors, by_name=False):
        for column in self.columns:
            if column.type not in ("ref", "refs") or not column.ref:
                continue
            wanted = set()
            for item in items:
                wanted.update(self._ref_values(item, column))
            found = object_ids(column.ref, wanted)
            ambiguous: set[str] = set()
            if by_name and wanted - set(found):
                # No such external ID: the college may have written the row's name (or code).
                named, ambiguous = referenced(column.ref).natural_ids(wanted - set(found))
                found.update(named)
            for item in items:
                missing = [v for v in self._ref_values(item, column) if v not in found]
                for value in missing:
                    message = (
                        self.ambiguous_ref(column, value)
                        if value in ambiguous
                        else self.unknown_ref(column, value, by_name)
                    )
                    errors.append(RowError(item.row, column.name, message))
                if missing or column.name not in item.values:
                    continue
                value = item.values[column.name]
                if column.type == "refs":
                    item.refs[column.name] = {found[v] for v in value}
                else:
                    item.refs[column.name] = found[value] if value else None
                target = self.field_of(column)
                if target is not None:
                    item.fields[target] = item.refs[column.name]
        for item in items:
            for column in self.columns:
                target = self.field_of(column)
                if target and column.type not in ("ref", "refs") and column.name in item.values:
                    item.fields[target] = item.values[column.name]
        bad_rows = {e.row for e in errors}
        self.resolve_extra([i for i in items if i.row not in bad_rows], errors)

    @staticmethod
    def _ref_values(item, column) -> list:
        value = item.values.get(column.name)
        if column.type == "refs":
            return list(value or [])
        return [value] if value else []

    @staticmethod
    def unknown_ref(column, value, by_name=False) -> str:
        """Unknown reference, with the closest existing names as a hint. The column is named by the
        header the user's language gives it (``column_label``), never by the internal key."""
        target = referenced(column.ref)
        if not by_name or not target.name_keys:
            return _("Unknown external ID in “%(kind)s”: %(id)s") % {"kind": target.title, "id": value}
        close = difflib.get_close_matches(value, target.known_names(), n=3, cutoff=0.5)
        if close:
            return _("No %(column)s “%(value)s” (by external ID or name). Closest existing: %(names)s.") % {
                "column": column_label(column.name),
                "value": value,
                "names": ", ".join(close),
            }
        return _("No %(column)s “%(value)s” (by external ID or name).") % {
            "column": column_label(column.name),
            "value": value,
        }

    @staticmethod
    def ambiguous_ref(column, value) -> str:
        return _("“%(value)s” names several rows of “%(kind)s”: write its external ID instead.") % {
            "value": value,
            "kind": referenced(column.ref).title,
        }

    # Model lookups by which a reference may name a row instead of its external ID ("name", "code").
    name_keys: tuple[str, ...] = ()

    def natural_ids(self, values) -> tuple[dict[str, int], set[str]]:
        """Reference text → pk for rows named by a name key, and the texts that name several rows
        (those resolve to nothing: a guess could attach a row to the wrong parent)."""
        found, ambiguous = {}, set()  # type: ignore[var-annotated]
        for lookup in self.name_keys:
            for pk, value in self.model.objects.filter(**{f"{lookup}__in": values}).values_list("pk", lookup):
                if value in found and found[value] != pk:
                    ambiguous.add(value)
                found.setdefault(value, pk)
        return {v: pk for v, pk in found.items() if v not in ambiguous}, ambiguous

    def known_names(self) -> list[str]:
        names = []
        for lookup in self.name_keys:
            names += [str(v) for v in self.model.objects.values_list(lookup, flat=True)[:5000]]
        return names

    def resolve_extra(self, items, errors):
        """Columns that need more than an external ID (academic periods, languages…)."""

    # --- 3. matching existing rows ---------------------------------------------------------------

    def scalar_fields(self) -> list[str]:
        return [
            f
            for f in (self.field_of(c) for c in self.columns)
            if f and not any(c.type == "refs" and self.field_of(c) == f for c in self.columns)
        ] + self.extra_fields()

    def extra_fields(self) -> list[str]:
        return []

    def queryset(self):
        return self.model.objects.all()

    def match(self, items, errors):
        if self.natural_key is None:
            refs = object_ids(self.kind, [i.external_id for i in items if i.external_id])
            objs = self.queryset().in_bulk(list(refs.values()))
            for item in items:
                item.obj = objs.get(refs.get(item.external_id))
        else:
            first = self.natural_key[0]
            objs = self.queryset().filter(**{f"{first}__in": {i.fields[first] for i in items}})
            by_key = {tuple(getattr(o, f) for f in self.natural_key): o for o in objs}
            for item in items:
                item.obj = by_key.get(tuple(item.fields[f] for f in self.natural_key))
        if self.adopt_keys:
            self.adopt(items, errors)

    def adopt(self, items, errors):
        """Natural keys, in order: a row without external ID is matched by them; a row with one
        adopts an unmapped row typed in by hand; a value held by another mapped row is refused."""
        for column, lookup, strict in self.adopt_keys:
            values = {i.values.get(column) for i in items} - {None, ""}
            if not values:
                continue
            holders: dict = {}
            for obj in self.queryset().filter(**{f"{lookup}__in": values}):
                holders.setdefault(_value_at(obj, lookup), []).append(obj)
            mapped = external_ids(self.kind, [o.pk for objs in holders.values() for o in objs])
            for item in items:
                value = item.values.get(column)
                found = holders.get(value) if value not in (None, "") else None
                if not found:
                    continue
                if item.obj is not None and any(o.pk == item.obj.pk for o in found):
                    continue
                if len(found) > 1:
                    if item.obj is None and not item.external_id:
                        errors.append(
                            RowError(
                                item.row,
                                column,
                                _("%(value)s names %(n)s stored rows; give an external ID.")
                                % {"value": value, "n": len(found)},
                            )
                        )
                    continue
                holder = found[0]
                if item.obj is None and not item.external_id:
                    item.obj = holder  # matched by its natural key; its external ID (if any) stays
                    continue
                if item.obj is None and holder.pk not in mapped:
                    item.obj, item.adopted = holder, True
                    continue
                if strict:
                    errors.append(
                        RowError(
                            item.row,
                            column,
                            _("%(value)s is already used by another record (external ID %(id)s).")
                            % {"value": value, "id": mapped.get(holder.pk, "—")},
                        )
                    )

    # --- 4. writing ------------------------------------------------------------------------------

    def describe(self, item) -> str:
        if self.natural_key is not None:
            return " / ".join(str(item.values[c]) for c in self.key_columns)[:200]
        return str(item.obj)[:200]

    def write(self, items, actor):
        fields = self.scalar_fields()
        audit = []
        new = [i for i in items if i.obj is None]
        for item in new:
            item.obj = self.model(**{f: item.fields[f] for f in fields}, **self.create_kwargs(item))
        self.model.objects.bulk_create([i.obj for i in new], batch_size=BATCH)
        for item in new:
            item.status = "created"
            audit.append(self.audit_entry(actor, "create", item, None, self.snapshot(item.obj, fields)))
        changed_fields, changed = set(), []
        for item in items:
            if item.status == "created":
                continue
            before = self.snapshot(item.obj, fields)
            diff = [f for f in self.fields_brought(item, fields) if before[f] != jsonable(item.fields[f])]
            item.extra["diff"] = {f: (before[f], jsonable(item.fields[f])) for f in diff}
            for f in diff:
                setattr(item.obj, f, item.fields[f])
            if item.adopted and not diff:
                # Linking a hand-made row to its external ID is a change too.
                item.status = "updated"
                audit.append(self.audit_entry(actor, "adopt", item, None, {"external_id": item.external_id}))
            if diff:
                changed_fields.update(diff)
                changed.append(item.obj)
                item.status = "updated"
                after = self.snapshot(item.obj, fields)
                audit.append(self.audit_entry(actor, "update", item, before, after))
        if changed:
            self.model.objects.bulk_update(changed, sorted(changed_fields), batch_size=BATCH)
        self.write_refs(items)
        audit += self.write_related(items, actor)
        AuditEntry.objects.bulk_create([a for a in audit if a is not None], batch_size=BATCH)

    def create_kwargs(self, item) -> dict:
        return {}

    def fields_brought(self, item, fields) -> list[str]:
        """The model fields a row may change on a stored record: those of the columns it came with
        (a file without a "patronymic" column leaves every patronymic as it is) and the derived ones."""
        from_columns = {
            self.field_of(c): c.name for c in self.columns if self.field_of(c)
        } | self.derived_from
        return [f for f in fields if f not in from_columns or item.brings(from_columns[f])]

    # Model fields computed from a column that does not map onto them (``resolve_extra``).
    derived_from: dict[str, str] = {}

    def after_write(self, items, actor, outcome) -> None:
        """Once every batch is written: consequences for other data (streams' members)."""

    def write_related(self, items, actor) -> list:
        """Many-to-many and dependent rows; returns audit entries."""
        return []

    def write_refs(self, items):
        if self.natural_key is not None:
            return
        fresh = [i for i in items if (i.status == "created" or i.adopted) and i.external_id]
        # A stale ref (its row deleted since) gives way to the new row.
        ExternalRef.objects.filter(kind=self.kind, external_id__in=[i.external_id for i in fresh]).delete()
        ExternalRef.objects.bulk_create(
            [ExternalRef(kind=self.kind, external_id=i.external_id, object_id=i.obj.pk) for i in fresh],
            batch_size=BATCH,
        )

    @staticmethod
    def snapshot(obj, fields) -> dict:
        return {f: jsonable(getattr(obj, f)) for f in fields}

    def audit_entry(self, actor, verb, item, before, after):
        return AuditEntry(
            actor=actor if actor is not None and actor.is_authenticated else None,
            action=f"sync.{self.kind}.{verb}",
            object_type=self.model._meta.label_lower,
            object_id=str(item.obj.pk),
            object_repr=self.describe(item),
            before=before,
            after=after,
        )

    # --- exports ---------------------------------------------------------------------------------

    def export_rows(self, queryset=None) -> list[dict[str, Any]]:
        """Rows in the import's own format, for every stored row the college can name."""
        queryset = self.queryset() if queryset is None else queryset
        objs = list(queryset)
        refs = {
            c.ref: external_ids(c.ref, self.referenced_ids(objs, c))
            for c in self.columns
            if c.type in ("ref", "refs") and c.ref
        }
        own = external_ids(self.kind, [o.pk for o in objs]) if self.natural_key is None else {}
        rows = []
        for obj in objs:
            if self.natural_key is None and obj.pk not in own:
                continue
            row = self.export_row(obj, refs, own)
            if row is not None:
                rows.append(row)
        return rows

    def referenced_ids(self, objs, column) -> set[int]:
        target = self.field_of(column)
        if target is None:
            return set()
        if column.type == "refs":
            return {pk for o in objs for pk in self.related_ids(o, column)}
        return {getattr(o, target) for o in objs} - {None}

    def related_ids(self, obj, column) -> set[int]:
        return set()

    def export_value(self, obj, column, refs, own):
        target = self.field_of(column)
        if column.name == "external_id":
            return own.get(obj.pk)
        if column.type == "ref":
            pk = getattr(obj, target) if target else None
            return refs[column.ref].get(pk, "") if pk else ""
        if column.type == "refs":
            return sorted(refs[column.ref].get(pk, "") for pk in self.related_ids(obj, column))
        return getattr(obj, target)  # type: ignore[arg-type]

    def export_row(self, obj, refs, own):
        row = {c.name: self.export_value(obj, c, refs, own) for c in self.columns}
        if any(row[c] == "" for c in self.key_columns):
            return None
        return row

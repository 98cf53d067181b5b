"""X-7: browsing the audit log — a filtered, paginated table and the same entries as CSV.

The log is append-only: these views only read it (GET/HEAD), and nothing here edits or deletes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.apps import apps
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from access.decorators import administrator_required
from audit.models import AuditEntry
from core.csv_writer import csv_response

PER_PAGE = 50
SHORT_VALUE = 80  # characters of a JSON value shown in the table before it is cut

# Human labels of the recorded actions; an action missing here is shown by its code.
ACTION_LABELS = {
    "role.create": gettext_lazy("Role created"),
    "role.update": gettext_lazy("Role changed"),
    "license.update": gettext_lazy("License changed"),
    "settings.update": gettext_lazy("Module settings changed"),
    "journal.settings": gettext_lazy("Journal settings changed"),
    "journal.marks": gettext_lazy("Marks changed in the journal"),
    "stream.mode": gettext_lazy("Way of conducting changed"),
    "slot.create": gettext_lazy("Slot created"),
    "slot.update": gettext_lazy("Slot changed"),
    "slot.delete": gettext_lazy("Slot deleted"),
    "slot.notify": gettext_lazy("Students notified of the slot"),
    "slot.platform": gettext_lazy("Conducting platform changed"),
    "session.unschedule": gettext_lazy("Student removed from the slot"),
    "session.extra_time": gettext_lazy("Extra time changed"),
    "session.move": gettext_lazy("Student moved to another slot"),
    "tickets.count": gettext_lazy("Number of tickets changed"),
    "ticket.save": gettext_lazy("Ticket saved"),
    "ticket.delete": gettext_lazy("Ticket deleted"),
    "tickets.copy": gettext_lazy("Tickets copied"),
    "tickets.generate": gettext_lazy("Tickets generated"),
    "tickets.place": gettext_lazy("Tickets placed for choice"),
    "tickets.unplace": gettext_lazy("Placement of tickets cancelled"),
    "ticket.choose": gettext_lazy("Ticket chosen"),
    "questions.send": gettext_lazy("Questions sent"),
    "task.save": gettext_lazy("Task saved"),
    "answer.send": gettext_lazy("Answer sent"),
    "answer.file_add": gettext_lazy("Answer file attached"),
    "answer.file_delete": gettext_lazy("Answer file deleted"),
    "admin.add": gettext_lazy("Added in Django's admin"),
    "admin.change": gettext_lazy("Changed in Django's admin"),
    "admin.delete": gettext_lazy("Deleted in Django's admin"),
    "login.release": gettext_lazy("Student's login released"),
    "password.change": gettext_lazy("Own password changed"),
    "password.reset": gettext_lazy("Student's password reset"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def object_type_label(label_lower: str) -> str:
    """The model's verbose name ("access.role" → "Role"); the raw label for an unknown model."""
    try:
        model = apps.get_model(label_lower)
    except (LookupError, ValueError):
        return label_lower
    return str(capfirst(model._meta.verbose_name))


# --- filters -----------------------------------------------------------------------------------


def _icontains(field_name: str, text: str) -> Q:
    """``icontains``, also for Cyrillic on SQLite, whose LIKE folds the case of ASCII letters only."""
    variants = {text} if text.isascii() else {text, text.lower(), text.upper(), text.capitalize()}
    q = Q()
    for variant in sorted(variants):
        q |= Q(**{f"{field_name}__icontains": variant})
    return q


_ACTOR_FIELDS = ("actor__username", "actor__last_name", "actor__first_name", "actor__patronymic")


def _label(name: str) -> Any:
    """A field's verbose name, capitalised and still lazy (translated when the form renders)."""
    return capfirst(AuditEntry._meta.get_field(name).verbose_name)  # type: ignore[union-attr]  # model fields


class AuditFilterForm(forms.Form):
    """Bound to ``request.GET``, so a filtered log is a link to share; the CSV uses the same one."""

    actor = forms.CharField(
        label=_label("actor"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": gettext_lazy("Name, surname or login")}
        ),
    )
    action = forms.ChoiceField(label=_label("action"), required=False)
    object_type = forms.ChoiceField(label=_label("object_type"), required=False)
    date_from = forms.DateField(
        label=gettext_lazy("Date from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("Date to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    q = forms.CharField(
        label=gettext_lazy("Object contains"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, data: QueryDict, **kwargs: Any) -> None:
        data = data.copy()
        data.pop("page", None)
        super().__init__(data, **kwargs)
        # One query: the actions and object types present in the log, besides the known actions
        # (a new action is filterable before anyone gives it a label).
        pairs = set(AuditEntry.objects.order_by().values_list("action", "object_type").distinct())
        actions = set(ACTION_LABELS) | {action for action, _type in pairs}
        types = {object_type for _action, object_type in pairs}
        all_ = [("", _("All"))]
        self.fields["action"].choices = all_ + sorted(  # type: ignore[attr-defined]  # a ChoiceField
            ((code, action_label(code)) for code in actions), key=lambda c: c[1].casefold()
        )
        self.fields["object_type"].choices = all_ + sorted(  # type: ignore[attr-defined]
            ((code, object_type_label(code)) for code in types), key=lambda c: c[1].casefold()
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filter(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        data = self.cleaned_data
        for word in data["actor"].split():
            word_q = Q()
            for field in _ACTOR_FIELDS:
                word_q |= _icontains(field, word)
            entries = entries.filter(word_q)
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["object_type"]:
            entries = entries.filter(object_type=data["object_type"])
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            entries = entries.filter(
                at__gte=timezone.make_aware(datetime.combine(data["date_from"], time.min), tz)
            )
        if data["date_to"] and data["date_to"] < date.max:
            next_day = datetime.combine(data["date_to"] + timedelta(days=1), time.min)
            entries = entries.filter(at__lt=timezone.make_aware(next_day, tz))
        if text := data["q"].strip():
            entries = entries.filter(_icontains("object_repr", text))
        return entries


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEntry]]:
    """The filter form and the entries it selects (none while a filter value is not valid)."""
    form = AuditFilterForm(request.GET)
    entries: QuerySet[AuditEntry] = AuditEntry.objects.select_related("actor").order_by("-at", "-id")
    entries = form.filter(entries) if form.is_valid() else entries.none()
    return form, entries


# --- the before → after diff -------------------------------------------------------------------

_MISSING = object()


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


@dataclass(frozen=True)
class Value:
    """One JSON value as shown in the table: cut to ``short``, the whole of it in ``full``."""

    short: str
    full: str = ""  # set only when ``short`` is cut
    missing: bool = False

    @classmethod
    def of(cls, value: Any) -> Value:
        if value is _MISSING:
            return cls("—", missing=True)
        text = _json(value)
        if len(text) <= SHORT_VALUE:
            return cls(text)
        return cls(
            text[: SHORT_VALUE - 1] + "…", json.dumps(value, ensure_ascii=False, indent=2, default=str)
        )


@dataclass(frozen=True)
class Change:
    key: str
    old: Value | None  # None: the entry has no "before" (a creation, an event)
    new: Value | None  # None: the entry has no "after" (a deletion)


def _dict_changes(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> Iterator[Change]:
    """Only the keys whose values differ; nested dictionaries as dotted keys."""
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key, _MISSING), after.get(key, _MISSING)
        if old == new:
            continue
        path = f"{prefix}{key}"
        if isinstance(old, dict) and isinstance(new, dict):
            yield from _dict_changes(old, new, f"{path}.")
        else:
            yield Change(path, Value.of(old), Value.of(new))


def diff(before: Any, after: Any) -> list[Change]:
    if before is None and after is None:
        return []
    if before is None:
        items = after.items() if isinstance(after, dict) else [("", after)]
        return [Change(str(k), None, Value.of(v)) for k, v in items]
    if after is None:
        items = before.items() if isinstance(before, dict) else [("", before)]
        return [Change(str(k), Value.of(v), None) for k, v in items]
    if isinstance(before, dict) and isinstance(after, dict):
        return list(_dict_changes(before, after))
    return [] if before == after else [Change("", Value.of(before), Value.of(after))]


# --- views -------------------------------------------------------------------------------------


@administrator_required
@require_safe
def log(request: HttpRequest) -> HttpResponse:
    """Administration → Audit log: newest first, 50 a page, the filters kept in every link."""
    form, entries = _filtered(request)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "entry": entry,
            "action_label": action_label(entry.action),
            "object_type_label": object_type_label(entry.object_type),
            "changes": diff(entry.before, entry.after),
        }
        for entry in page
    ]
    params = request.GET.copy()
    params.pop("page", None)
    context = {"form": form, "page": page, "rows": rows, "querystring": params.urlencode()}
    return render(request, "audit/log.html", context)


def _json_cell(value: Any) -> str:
    return "" if value is None else _json(value)


@administrator_required
@require_safe
def log_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """All the filtered entries as CSV, streamed; UTF-8 with a BOM so Excel reads Cyrillic right."""
    _form, entries = _filtered(request)

    def field(name: str) -> str:
        return str(AuditEntry._meta.get_field(name).verbose_name)  # type: ignore[union-attr]  # model fields

    header = [
        capfirst(field("at")),
        _("Login"),
        _("Full name"),
        capfirst(field("action")),
        capfirst(field("object_type")),
        capfirst(field("object_id")),
        capfirst(field("object_repr")),
        capfirst(field("before")),
        capfirst(field("after")),
    ]
    header = [str(h) for h in header]  # translated now, in the request's language

    def rows() -> Iterator[list[Any]]:
        for entry in entries.iterator(chunk_size=2000):
            actor = entry.actor
            yield [
                timezone.localtime(entry.at).isoformat(timespec="seconds"),
                actor.username if actor else "",
                actor.full_name if actor else "",
                entry.action,
                entry.object_type,
                entry.object_id,
                entry.object_repr,
                _json_cell(entry.before),
                _json_cell(entry.after),
            ]

    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    # Every cell through the app's one CSV writer, which neutralises formulas (CSV injection).
    return csv_response(f"audit-log-{stamp}.csv", header, rows(), bom=True, stream=True)

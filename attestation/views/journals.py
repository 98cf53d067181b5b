"""The journal of a stream (the surrounding college system), with its Settings tab (JRN-1…JRN-4)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access.policy import access_for
from attestation import grade_scales
from attestation.forms import JournalSettingsForm
from attestation.services import Refused
from attestation.services.journal import (
    PASS_FAIL_VALUES,
    journal_marks_save,
    journal_settings_save,
    online_switch,
)
from college import collation
from college.models import Group, Journal, JournalMark, Stream


@login_required
def journal_list(request):
    access = access_for(request)
    if not access.can_open_journals:
        raise PermissionDenied
    streams = (
        access.journal_streams()
        .select_related("discipline", "teacher__user", "academic_period__year", "journal")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
        .annotate(student_count=Count("students", distinct=True))
        .order_by("-academic_period__starts_on", "discipline__name", "name")
    )
    query = request.GET.get("q", "").strip()
    if query:
        streams = streams.filter(
            Q(name__icontains=query)
            | Q(discipline__name__icontains=query)
            | Q(teacher__user__last_name__icontains=query)
        )
    page = Paginator(streams, 25).get_page(request.GET.get("page"))
    querystring = urlencode({"q": query}) if query else ""
    return render(
        request, "college/journal_list.html", {"page": page, "query": query, "querystring": querystring}
    )


def _journal_for(request, stream_pk):
    stream = get_object_or_404(
        Stream.objects.select_related("discipline", "teacher__user", "academic_period__year", "journal"),
        pk=stream_pk,
    )
    access = access_for(request)
    if not access.can_view_journal(stream):
        raise PermissionDenied
    return stream.journal, access


def _grid(journal, typed=None, errors=None):
    """Rows of (student, [(column, value, error, name)]) for the grades tab."""
    stream = journal.stream
    # The final control beside the name: with many lessons it used to be scrolled off the right edge.
    columns = sorted(
        journal.columns.all(), key=lambda column: (not column.is_final, column.position, column.pk)
    )
    students = collation.by_name(stream.students.select_related("user", "group__technology"))
    marks = {
        (m.column_id, m.student_id): m.value for m in JournalMark.objects.filter(column__journal=journal)
    }
    typed, errors = typed or {}, errors or {}
    rows = []
    for student in students:
        cells = []
        for column in columns:
            key = (column.pk, student.pk)
            cells.append(
                {
                    "column": column,
                    "name": f"mark-{column.pk}-{student.pk}",
                    "value": typed.get(key, marks.get(key, "")),
                    "error": errors.get(key),
                    "locked": column.is_final and journal.conduct_online,
                    "display": grade_scales.display(
                        typed.get(key, marks.get(key, "")), student.group.technology.scale
                    )
                    if column.is_final
                    else typed.get(key, marks.get(key, "")),
                }
            )
        rows.append({"student": student, "cells": cells})
    return columns, rows


@login_required
def journal_detail(request, stream_pk):
    journal, access = _journal_for(request, stream_pk)
    tab = "settings" if request.GET.get("tab") == "settings" else "grades"
    return _render_journal(request, journal, access, tab)


def _render_journal(
    request, journal, access, tab, *, settings_form=None, typed=None, errors=None, status=200
):
    editable = access.can_edit_journal(journal.stream)
    switch = online_switch(actor=request.user, journal=journal)
    settings_form = settings_form or JournalSettingsForm(journal=journal, switch=switch, editable=editable)
    columns, rows = _grid(journal, typed, errors)
    context = {
        "journal": journal,
        "stream": journal.stream,
        "tab": tab,
        "editable": editable,
        "switch": switch,
        "settings_form": settings_form,
        "columns": columns,
        # The header's groups: the final-control columns first (_grid), then the current ones.
        "current_count": sum(1 for column in columns if not column.is_final),
        "final_count": sum(1 for column in columns if column.is_final),
        "rows": rows,
        "pass_fail_values": PASS_FAIL_VALUES,
        "pass_fail": journal.final_form == Journal.FinalForm.PASS_FAIL,
        "module_link": _module_link(access, journal),
        "helpable": _helpable_ids(access, journal),
    }
    return render(request, "college/journal_detail.html", context, status=status)


def _helpable_ids(access, journal):
    """Students of the stream whose login the viewer may help with (their names link there)."""
    if not access.may_help_students:
        return set()
    students = access.helpable_students().filter(pk__in=journal.stream.students.values("pk"))
    return set(students.values_list("pk", flat=True))


def _module_link(access, journal):
    """JRN-2's "Go": the stream's place in the module, when the viewer can reach it."""
    if journal.conduct_online and access.license_ia and access.can_view_stream(journal.stream):
        return reverse("attestation:stream", args=[journal.stream_id])
    return None


@login_required
@require_POST
def journal_settings(request, stream_pk):
    journal, access = _journal_for(request, stream_pk)
    if not access.can_edit_journal(journal.stream):
        raise PermissionDenied
    switch = online_switch(actor=request.user, journal=journal)
    form = JournalSettingsForm(request.POST, journal=journal, switch=switch, editable=True)
    if form.is_valid():
        data = form.cleaned_data
        wanted = {
            "final_form": data["final_form"],
            "final_grade_set": _posted_flag(request, form, "final_grade_set", journal.final_grade_set),
            "conduct_online": _posted_flag(request, form, "conduct_online", journal.conduct_online),
        }
        unchanged = all(getattr(journal, name) == value for name, value in wanted.items())
        try:
            journal_settings_save(actor=request.user, journal=journal, version=data["version"], **wanted)
        except Refused as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        else:
            if unchanged:
                messages.info(request, _("Nothing to save: the settings are as they were."))
            else:
                messages.success(request, _("The journal settings are saved."))
            return redirect(reverse("journals:journal", args=[stream_pk]) + "?tab=settings")
    messages.error(request, _("Nothing was saved: correct the errors below."))
    return _render_journal(request, journal, access, "settings", settings_form=form, status=400)


def _posted_flag(request, form, name, current):
    """A box as posted. A box shown locked (disabled) is not sent by a browser, so the page sends
    its current value beside it: what arrives is what the person saw, and an attempt to change a
    locked box (a page opened before the students were scheduled, a crafted post) reaches the
    service, which refuses it with the reason instead of ignoring it and saying "saved". A box not
    shown at all keeps its value unless a post tries to set it — the service refuses that too."""
    field = form.fields.get(name)
    if field is not None and not field.disabled:
        return form.cleaned_data[name]
    if field is not None:
        return name in request.POST
    return name in request.POST or current


@login_required
@require_POST
def journal_marks(request, stream_pk):
    journal, access = _journal_for(request, stream_pk)
    if not access.can_edit_journal(journal.stream):
        raise PermissionDenied
    typed = {}
    for key, value in request.POST.items():
        if key.startswith("mark-"):
            try:
                _prefix, col_id, student_id = key.split("-")
                typed[(int(col_id), int(student_id))] = value
            except ValueError:
                continue
    try:
        changed = journal_marks_save(actor=request.user, journal=journal, typed=typed)
    except Refused as refused:
        messages.error(request, refused.message)
        return _render_journal(
            request, journal, access, "grades", typed=typed, errors=refused.errors, status=400
        )
    messages.success(request, _("Grades saved: %(count)s.") % {"count": changed})
    return redirect("journals:journal", stream_pk=stream_pk)

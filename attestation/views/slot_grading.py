"""Staff: grade a whole slot from one table (GRD-1…GRD-6, X-7) — Moodle's "quick grading".

Who: as the single-student form. Staff who may see the stream see the table (read mode read-only);
only those who may grade it (``can_grade_stream``) may POST (403 otherwise); anyone else gets a
404, as for a session page they may not see. Each row obeys the single form's rules because it
goes through the same ``grade_set`` (time rule, scale, reason for a change, history, journal).

Why "save all" rather than a save per row: it works without JavaScript, a grader types down the
table as on a paper sheet and saves once, and each row is still saved on its own — a refused row
keeps what was typed and shows its reason next to its field while the other rows are saved.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from access.policy import access_for
from attestation import grade_scales, rules
from attestation.forms_grading import GradeRowForm
from attestation.models import ExamSession, Slot
from attestation.rules import slot_state
from attestation.services import Refused
from attestation.services import grades as grades_service
from college import collation
from college.models import Stream
from core import clock


def _slot_for(request, slot_pk):
    """The slot and its stream if the viewer is staff who may see the stream; 404 otherwise."""
    access = access_for(request)
    if not access.shows_staff_module:
        raise Http404
    slot = get_object_or_404(Slot, pk=slot_pk)
    stream = get_object_or_404(
        access.visible_streams(
            Stream.objects.select_related("discipline", "teacher__user", "journal", "academic_period__year")
        ),
        pk=slot.stream_id,
        journal__conduct_online=True,
    )
    slot.stream = stream
    return slot, stream, access


def _sessions(slot):
    """The slot's students in the stream page's order, without their (long) texts."""
    return collation.by_name(
        ExamSession.objects.filter(slot=slot)
        .select_related("student__user", "student__group__technology")
        .defer("task", "draft", "answer")
        .order_by("student__user__last_name", "student__user__first_name", "student__user__patronymic"),
        user=lambda session: session.student.user,
    )


def _rows(slot, stream, sessions, may_grade, data=None):
    now = clock.now()
    journal = stream.journal
    rows = []
    for session in sessions:
        session.slot = slot
        student = session.student
        row = {
            "session": session,
            "student": student,
            "scale": student.group.technology.scale,
            "open": grades_service.grading_open(session, now),
            "no_show": not session.graded_at and rules.did_not_show(session),
            "display": grade_scales.display(
                session.absence or session.grade_total, student.group.technology.scale
            ),
        }
        if may_grade and row["open"] and journal.final_form:
            # A row the POST does not carry (a student placed in the slot since the page was
            # loaded) is not part of the submission: it stays unbound and is not saved.
            bound = data if data is not None and f"s{session.pk}-version" in data else None
            row["form"] = GradeRowForm(bound, session=session, student=student, journal=journal)
        rows.append(row)
    return rows


def _context(slot, stream, may_grade, rows):
    return {
        "slot": slot,
        "stream": stream,
        "state": slot_state(slot),
        "rows": rows,
        "may_grade": may_grade,
        "editable_rows": sum(1 for row in rows if "form" in row),
        "no_shows": sum(1 for row in rows if "form" in row and row["no_show"]),
        "final_form": stream.journal.final_form,
        "typed_parts": grades_service.typed_parts(stream.journal),
        "computed_total": stream.journal.final_form == grades_service.Form.WRITTEN_ORAL,
        "back_url": reverse("attestation:stream", args=[stream.pk]) + f"?tab=slot-{slot.pk}",
    }


@login_required
@require_http_methods(["GET", "POST"])
def slot_grading(request, slot_pk):
    slot, stream, access = _slot_for(request, slot_pk)
    may_grade = access.can_grade_stream(stream)
    if request.method == "POST":
        if not may_grade:
            raise PermissionDenied
        return _save(request, slot, stream)
    rows = _rows(slot, stream, _sessions(slot), may_grade)
    return render(request, "attestation/slot_grading.html", _context(slot, stream, may_grade, rows))


def _save(request, slot, stream):
    rows = _rows(slot, stream, _sessions(slot), True, request.POST)
    forms = [row["form"] for row in rows if "form" in row and row["form"].is_bound]
    entries, unreadable = [], []
    for form in forms:
        if form.is_valid():
            entries.append(form.entry())
        else:
            form.refuse(Refused(_("Reload the page and try again.")))
            unreadable.append(form)
    try:
        saved, refused = grades_service.slot_grades_set(actor=request.user, slot=slot, entries=entries)
    except Refused as refusal:
        raise PermissionDenied(str(refusal.message)) from refusal
    for form in forms:
        if form.session.pk in refused:
            form.refuse(refused[form.session.pk])
    failed = len(refused) + len(unreadable)
    if not failed:
        if saved:
            messages.success(request, _saved_message(len(saved)))
        else:
            messages.info(request, _("Nothing has changed: no grade to save."))
        return redirect(reverse("attestation:slot_grading", args=[slot.pk]))
    if saved:
        messages.success(request, _saved_message(len(saved)))
    messages.error(
        request,
        ngettext(
            "%(count)s row was not saved: its reason is shown next to it. What you typed is kept.",
            "%(count)s rows were not saved: the reason is shown next to each. What you typed is kept.",
            failed,
        )
        % {"count": failed},
    )
    # The saved rows show their new grades; the refused rows keep what was typed, with the reason.
    kept = {form.session.pk: form for form in forms if form.errors}
    rows = _rows(slot, stream, _sessions(slot), True)
    for row in rows:
        if row["session"].pk in kept:
            row["form"] = kept[row["session"].pk]
    context = _context(slot, stream, True, rows)
    return render(request, "attestation/slot_grading.html", context, status=400)


def _saved_message(count):
    return ngettext(
        "%(count)s grade is saved and is in the journal.",
        "%(count)s grades are saved and are in the journal.",
        count,
    ) % {"count": count}

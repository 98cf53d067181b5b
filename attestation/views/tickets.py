"""Staff: "Tickets for discipline {discipline}" — count, add/edit/delete, copy (TKT-1…TKT-5, CPY-1…CPY-4).

Also the download of a ticket's file, for staff and for the student the questions were sent to.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access.decorators import staff_module_required
from access.policy import access_for
from attestation import rules
from attestation.files import attachment
from attestation.forms_tickets import CopyForm, TicketCountForm, TicketForm
from attestation.models import ExamSession, StreamExam, Ticket
from attestation.services import Refused
from attestation.services import tickets as service
from attestation.views.stream_page import stream_for
from college.models import AcademicPeriod, AcademicYear


def _periods(stream):
    year = AcademicYear.current() or stream.academic_period.year
    return list(AcademicPeriod.objects.filter(year=year).order_by("number"))


def _targets(stream, period_id):
    period = AcademicPeriod.objects.filter(pk=period_id).first() if period_id else stream.academic_period
    if period is None:
        return None, []
    targets = list(service.copy_targets(stream, period).prefetch_related("groups").select_related("exam"))
    tickets_by_stream = {}  # type: ignore[var-annotated]
    for ticket in Ticket.objects.filter(stream__in=targets):
        tickets_by_stream.setdefault(ticket.stream_id, 0)
        tickets_by_stream[ticket.stream_id] += ticket.has_content
    for target in targets:
        target.student_count = target.students.count()
        target.entered = tickets_by_stream.get(target.pk, 0)
    return period, targets


def render_tickets(request, stream, *, status=200, **extra):
    access = access_for(request)
    exam = StreamExam.for_stream(stream)
    tickets = list(Ticket.objects.filter(stream=stream))
    frozen = service.numbers_generated(stream)
    editable = access.can_edit_stream(stream) and not frozen
    numbers = service.free_numbers(stream, exam)
    entered, count, last = service.summary(stream, exam)
    saved = [t.number for t in tickets]
    period, targets = _targets(stream, request.GET.get("period"))
    context = {
        "stream": stream,
        "exam": exam,
        "tickets": tickets,
        "frozen": frozen,
        "can_edit": access.can_edit_stream(stream),
        "editable": editable,
        "free_numbers": numbers,
        "renumber_to": len(saved) if editable and service.has_gaps(saved) else None,
        "entered": entered,
        "count": count,
        "last_saved": last,
        "count_form": extra.pop("count_form", None) or TicketCountForm(initial={"count": exam.ticket_count}),
        "add_form": extra.pop("add_form", None) or TicketForm(numbers=numbers),
        "periods": _periods(stream),
        "copy_period": period,
        "copy_targets": targets,
        "has_content": any(t.has_content for t in tickets),
    }
    edit_id = request.GET.get("edit")
    if "edit_form" not in extra and edit_id and editable:
        ticket = next((t for t in tickets if str(t.pk) == edit_id), None)
        if ticket:
            extra["edit_form"], extra["open_dialog"] = TicketForm(numbers=[], ticket=ticket), "edit"
    context.update(extra)
    if request.htmx and request.GET.get("partial") == "targets":
        return render(request, "attestation/partials/copy_targets.html", context)
    return render(request, "attestation/tickets.html", context, status=status)


def _back(stream):
    return redirect(reverse("attestation:tickets", args=[stream.pk]))


@staff_module_required
def tickets_page(request, pk):
    stream = stream_for(request, pk)
    if StreamExam.for_stream(stream).mode != StreamExam.Mode.TICKETS:
        raise Http404  # TKT-1: the page exists in "by tickets" mode only
    return render_tickets(request, stream)


@staff_module_required
@require_POST
def ticket_count(request, pk):
    stream = stream_for(request, pk, edit=True)
    form = TicketCountForm(request.POST)
    try:
        if not form.is_valid():
            raise Refused(
                _("The number of tickets must be from 1 to %(max)s.") % {"max": service.MAX_TICKETS}
            )
        service.ticket_count_set(actor=request.user, stream=stream, count=form.cleaned_data["count"])
    except Refused as refused:
        messages.error(request, refused.message)
        return render_tickets(request, stream, status=400, count_form=form, open_dialog="count")
    messages.success(request, _("The number of tickets is saved."))
    return _back(stream)


@staff_module_required
@require_POST
def tickets_renumber(request, pk):
    """TKT-2, #14.10: "Renumber 1…N" closes the gaps deleted tickets left."""
    stream = stream_for(request, pk, edit=True)
    try:
        count = service.tickets_renumber(actor=request.user, stream=stream)
    except Refused as refused:
        messages.error(request, refused.message)
        return render_tickets(request, stream, status=400)
    messages.success(request, _("The tickets are renumbered 1…%(count)s.") % {"count": count})
    return _back(stream)


@staff_module_required
@require_POST
def ticket_add(request, pk):
    stream = stream_for(request, pk, edit=True)
    form = TicketForm(request.POST, request.FILES, numbers=service.free_numbers(stream))
    return _save_ticket(request, stream, form, None)


@staff_module_required
@require_POST
def ticket_edit(request, pk, ticket_pk):
    stream = stream_for(request, pk, edit=True)
    ticket = get_object_or_404(Ticket, pk=ticket_pk, stream=stream)
    form = TicketForm(request.POST, request.FILES, numbers=[], ticket=ticket)
    return _save_ticket(request, stream, form, ticket)


def _save_ticket(request, stream, form, ticket):
    if form.is_valid():
        data = form.cleaned_data
        try:
            service.ticket_save(
                actor=request.user,
                stream=stream,
                number=data["number"],
                body=data["body"],
                upload=data.get("upload"),
                remove_file=data.get("remove_file", False),
                ticket=ticket,
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        except ValidationError as error:  # the upload's size or type
            form.add_error("upload", error.messages)
        else:
            messages.success(request, _("The ticket is saved."))
            return _back(stream)
    messages.error(request, _("Nothing was saved: correct the errors below."))
    dialog = (
        {"edit_form": form, "open_dialog": "edit"} if ticket else {"add_form": form, "open_dialog": "add"}
    )
    return render_tickets(request, stream, status=400, **dialog)


@staff_module_required
@require_POST
def ticket_delete(request, pk, ticket_pk):
    stream = stream_for(request, pk, edit=True)
    ticket = get_object_or_404(Ticket, pk=ticket_pk, stream=stream)
    try:
        service.ticket_delete(actor=request.user, ticket=ticket)
    except Refused as refused:
        messages.error(request, refused.message)
        return render_tickets(request, stream, status=400)
    messages.success(request, _("Ticket No. %(number)s is deleted.") % {"number": ticket.number})
    return _back(stream)


@staff_module_required
@require_POST
def tickets_copy(request, pk):
    stream = stream_for(request, pk, edit=True)
    period, targets = _targets(stream, request.POST.get("period"))
    form = CopyForm(
        request.POST,
        ticket_choices=Ticket.objects.filter(stream=stream).values_list("pk", flat=True),
        target_choices=[t.pk for t in targets],
    )
    try:
        if not form.is_valid():
            raise Refused(" ".join(str(e) for errors in form.errors.values() for e in errors))
        chosen = [t for t in targets if str(t.pk) in form.cleaned_data["targets"]]
        copied = service.tickets_copy(
            actor=request.user,
            source=stream,
            ticket_ids=[int(pk) for pk in form.cleaned_data["tickets"]],
            targets=chosen,
        )
    except Refused as refused:
        messages.error(request, refused.message)
        return render_tickets(request, stream, status=400, open_dialog="copy")
    messages.success(request, _("%(count)s ticket copies are made.") % {"count": copied})
    return _back(stream)


@login_required
def ticket_file(request, ticket_pk):
    """X-11, STU-4: staff who may see the stream; the student only once they opened the questions
    (the file is part of them: downloading it first would leave "questions viewed" empty)."""
    ticket = get_object_or_404(Ticket.objects.select_related("stream"), pk=ticket_pk)
    access = access_for(request)
    sessions = ExamSession.objects.filter(ticket=ticket, student__user=request.user)
    allowed = access.license_ia and (
        (access.has_staff_module and access.can_view_stream(ticket.stream))
        or any(rules.questions_shown(session, viewer="student") for session in sessions)
    )
    if not allowed or not ticket.file:
        raise Http404
    return attachment(ticket.file, ticket.file_name or "ticket")

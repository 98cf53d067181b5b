"""Staff: the stream page — slots, scheduling, notification and platform (STR, SLT, NTF, PLT, X-4).

One view renders the page; every action is a POST that calls one service and redirects back
(htmx follows the redirect and swaps the page's main block). A refused action re-renders the
page with the dialog open, the user's input kept and the reason shown (status 400).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from access.decorators import staff_module_required
from access.policy import access_for
from attestation import grade_scales, grade_sheet, presence, rules
from attestation.forms_slots import (
    DistributeForm,
    ExtraTimeForm,
    PlatformForm,
    SlotEditForm,
    StreamModeForm,
)
from attestation.models import ExamSession, ModuleSettings, RecordingLink, Slot, StreamExam, Ticket
from attestation.services import Refused
from attestation.services import slots as slots_service
from attestation.services import tickets as tickets_service
from college import collation
from college.models import Admission, Stream
from core import clock


def stream_for(request, pk, *, edit=False):
    """The stream if the viewer may see it (404 otherwise); 403 when a read-mode user tries to change it."""
    access = access_for(request)
    stream = get_object_or_404(
        access.visible_streams(
            Stream.objects.select_related("discipline", "teacher__user", "journal", "academic_period__year")
        ),
        pk=pk,
        journal__conduct_online=True,
    )
    if edit and not access.can_edit_stream(stream):
        raise PermissionDenied
    return stream


def _students(stream):
    students = stream.students.select_related("user", "group__technology").order_by(
        "user__last_name", "user__first_name", "user__patronymic"
    )
    return collation.by_name(students)  # the viewer's alphabet, not the database's code points


def page_context(request, stream, tab=None):
    """Everything the stream page shows, in a fixed number of queries."""
    access = access_for(request)
    exam = StreamExam.for_stream(stream)
    students = _students(stream)
    not_admitted = dict(
        Admission.objects.filter(stream=stream, admitted=False).values_list("student_id", "reason")
    )
    sessions = {
        s.student_id: s
        for s in ExamSession.objects.filter(stream=stream, slot__isnull=False)
        .select_related("ticket")
        .defer("task", "ticket__body")
    }
    slots = list(
        Slot.objects.filter(stream=stream).prefetch_related(
            Prefetch("recordings", queryset=RecordingLink.objects.order_by("id"))
        )
    )
    now = clock.now()
    unscheduled = [s for s in students if s.pk not in sessions]
    for student in students:
        student.not_admitted_reason = not_admitted.get(student.pk)
        student.is_admitted = student.pk not in not_admitted
    for slot in slots:
        _judge(slot, now)
        slot.rows = [
            (student, sessions[student.pk])
            for student in students
            if student.pk in sessions and sessions[student.pk].slot_id == slot.pk
        ]
    tabs = ([{"key": "undistributed", "count": len(unscheduled)}] if unscheduled else []) + [
        {"key": f"slot-{slot.pk}", "slot": slot, "count": len(slot.rows)} for slot in slots
    ]
    keys = [t["key"] for t in tabs]
    tab = tab if tab in keys else (keys[0] if keys else None)
    active_slot = next((slot for slot in slots if tab == f"slot-{slot.pk}"), None)
    started = any(slot.started for slot in slots)
    live = _live(active_slot)
    tickets = tickets_state(stream, exam)
    editable = access.can_edit_stream(stream)
    if active_slot is not None:
        active_slot.board_full = _board_full(active_slot, stream, tickets)
    return {
        "stream": stream,
        "exam": exam,
        "groups": list(stream.groups.all()),
        "editable": editable,
        "tabs": tabs,
        "tab": tab,
        "active_slot": active_slot,
        "unscheduled": unscheduled,
        "candidates": [s for s in unscheduled if s.is_admitted],
        "slots": slots,
        "mode_editable": not started,
        "now": now,
        "live": live,
        "grade_chart_summary": grade_sheet.summary_text(grade_sheet.build(stream, active_slot))
        if active_slot
        else "",
        **tickets,
        "actions": _slot_actions(active_slot, tickets, editable),
    }


def _board_full(slot, stream, tickets):
    """PLC-2, GEN-1: every tile of the slot's board is taken while placed students still have no
    ticket: they cannot choose, staff must give them one ("Generate ticket numbers")."""
    waiting = any(session.placed_at and not session.ticket_id for _student, session in slot.rows)
    if not (waiting and tickets["by_tickets"]):
        return False
    ticket_ids = Ticket.objects.filter(stream=stream).values_list("pk", flat=True)
    return not tickets_service.free_tickets(slot, ticket_ids)


def tickets_state(stream, exam):
    """TKT-3, GEN-1: the stream's ticket counter, and whether its tickets are ready to hand out."""
    by_tickets = exam.mode == StreamExam.Mode.TICKETS
    entered, count, last_saved = tickets_service.summary(stream, exam) if by_tickets else (0, 0, None)
    ready = bool(by_tickets and count and entered >= count and tickets_service.tickets_ready(stream, exam))
    return {
        "by_tickets": by_tickets,
        "tickets_entered": entered,
        "tickets_count": count,
        "tickets_last_saved": last_saved,
        "tickets_ready": ready,
    }


def _live(slot):
    """SLT-6, X-5: who is on the exam page now, and the slot's counts."""
    if slot is None:
        return None
    online = presence.online([session.pk for _student, session in slot.rows])
    for student, session in slot.rows:
        session.online = session.pk in online
        session.grade_display = grade_scales.display(
            session.absence or session.grade_total, student.group.technology.scale
        )
    sessions = [session for _student, session in slot.rows]
    return {
        "online": len(online),
        "viewed": sum(1 for s in sessions if s.questions_viewed_at),
        "answered": sum(1 for s in sessions if s.answer_sent_at),
        "graded": sum(1 for s in sessions if s.graded_at),
        "total": len(sessions),
    }


HAND_OUT_TITLES = {
    "generate": gettext_lazy("Choose who gets a ticket number at random"),
    "place": gettext_lazy("Choose who picks a ticket from the board"),
    "cancel": gettext_lazy("Choose whose ticket placement to cancel"),
    "send": gettext_lazy("Send questions to students"),
}
# Each dialog's button says its action, never a bare "Save".
HAND_OUT_BUTTONS = {
    "generate": gettext_lazy("Generate"),
    "place": gettext_lazy("Place"),
    "cancel": pgettext_lazy("ticket placement", "Cancel placement"),
    "send": gettext_lazy("Send questions"),
}


def _self_choice():
    return ModuleSettings.for_kind().distribution_form == ModuleSettings.DistributionForm.SELF_CHOICE


def _judge(slot, now):
    """The slot's state (its CSS class and label) and the booleans the templates ask (rules.py)."""
    slot.state = rules.slot_state(slot, now)
    slot.started = not rules.slot_start_editable(slot.state)
    slot.open_for_changes = rules.slot_times_editable(slot.state)
    slot.membership_editable = rules.slot_membership_editable(slot.state)
    slot.day_starts_at = rules.slot_day_starts(slot)
    return slot


def _slot_actions(slot, tickets, editable):
    """GEN-1, PLC-1, PLC-3, SND-1: the hand-out dialogs the active slot offers, each with its students."""
    if slot is None or not editable or not tickets["by_tickets"]:
        return []
    ready, rows = tickets["tickets_ready"], slot.rows
    actions = {}
    if ready and rules.generation_open(slot, slot.state):
        actions["generate"] = [(student, s) for student, s in rows if not s.ticket_id]
    if ready and rules.placement_open(slot.state) and _self_choice():
        actions["place"] = [(student, s) for student, s in rows if not s.placed_at and not s.ticket_id]
        actions["cancel"] = [(student, s) for student, s in rows if s.placed_at and not s.ticket_id]
    if rules.questions_sending_open(slot, slot.state):
        actions["send"] = [(student, s) for student, s in rows if s.ticket_id and not s.questions_sent_at]
    self_choice = "place" in actions or "cancel" in actions
    return [
        {
            "key": key,
            "title": HAND_OUT_TITLES[key],
            "button": HAND_OUT_BUTTONS[key],
            "rows": actions[key],
            "self_choice": self_choice,
        }
        for key in HAND_OUT_TITLES
        if actions.get(key)
    ]


def render_page(request, stream, tab=None, *, status=200, **extra):
    context = page_context(request, stream, tab)
    context.setdefault("mode_form", StreamModeForm(initial={"mode": context["exam"].mode}))
    context["distribute_form"] = extra.pop("distribute_form", None) or DistributeForm(stream=stream)
    slot = context["active_slot"]
    if slot is not None:
        context["edit_form"] = extra.pop("edit_form", None) or SlotEditForm(slot=slot, started=slot.started)
        context["platform_form"] = extra.pop("platform_form", None) or PlatformForm(slot=slot)
        context["other_slots"] = [s for s in context["slots"] if s.pk != slot.pk and s.membership_editable]
    context.update(extra)
    return render(request, "attestation/stream_page.html", context, status=status)


def back(stream, tab=None):
    url = reverse("attestation:stream", args=[stream.pk])
    return redirect(f"{url}?tab={tab}" if tab else url)


def live_context(request, stream, tab):
    """What the live poll refreshes (SLT-6, X-5, #14.7): the slot's table, its head and toolbar, its
    hand-out dialogs and the ticket counter. Polled every 5 s by every open stream page, so it reads
    the slot's own sessions and the stream's tickets instead of building the whole page."""
    slot_pk = tab.removeprefix("slot-") if tab and tab.startswith("slot-") else ""
    slots = list(Slot.objects.filter(stream=stream))
    slot = next((s for s in slots if str(s.pk) == slot_pk), None)
    if slot is None:
        raise Http404
    now = clock.now()
    for each in slots:
        _judge(each, now)
    sessions = (
        ExamSession.objects.filter(slot=slot)
        .select_related("ticket", "student__user", "student__group__technology")
        .defer("task", "draft", "answer", "ticket__body")
        .order_by("student__user__last_name", "student__user__first_name", "student__user__patronymic")
    )
    slot.rows = [(s.student, s) for s in collation.by_name(sessions, user=lambda s: s.student.user)]
    editable = access_for(request).can_edit_stream(stream)
    tickets = tickets_state(stream, StreamExam.for_stream(stream))
    return {
        "stream": stream,
        "slot": slot,
        "live": _live(slot),
        "editable": editable,
        "other_slots": [s for s in slots if s.pk != slot.pk and s.membership_editable] if editable else [],
        "now": now,
        **tickets,
        "actions": _slot_actions(slot, tickets, editable),
    }


@staff_module_required
def stream_page(request, pk):
    stream = stream_for(request, pk)
    if request.htmx and request.GET.get("partial") == "live":
        return render(
            request,
            "attestation/partials/slot_live_poll.html",
            live_context(request, stream, request.GET.get("tab")),
        )
    if request.htmx and request.GET.get("partial") == "tickets":  # TKT-3: the counter on a tab without slot
        context = {"stream": stream, **tickets_state(stream, StreamExam.for_stream(stream))}
        return render(request, "attestation/partials/tickets_summary.html", context)
    return render_page(request, stream, request.GET.get("tab"))


def _refused(request, stream, tab, refused, **extra):
    messages.error(request, refused.message)
    return render_page(request, stream, tab, status=400, **extra)


# --- STR-2 ----------------------------------------------------------------------------------


@staff_module_required
@require_POST
def stream_mode(request, pk):
    stream = stream_for(request, pk, edit=True)
    form = StreamModeForm(request.POST)
    if not form.is_valid():
        return _refused(
            request, stream, None, Refused(_("Choose how the final control is conducted.")), mode_form=form
        )
    try:
        slots_service.stream_mode_set(actor=request.user, stream=stream, mode=form.cleaned_data["mode"])
    except Refused as refused:
        return _refused(request, stream, None, refused, mode_form=form, open_dialog="mode")
    messages.success(request, _("Saved."))
    return back(stream, request.POST.get("tab"))


# --- SLT-1, SLT-2 ---------------------------------------------------------------------------


@staff_module_required
@require_POST
def slot_create(request, pk):
    stream = stream_for(request, pk, edit=True)
    form = DistributeForm(request.POST, stream=stream)
    if form.is_valid():
        try:
            slot = slots_service.slot_create(
                actor=request.user,
                stream=stream,
                student_ids=form.student_ids(),
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Students are scheduled."))
            return back(stream, f"slot-{slot.pk}")
    return _refused(
        request,
        stream,
        "undistributed",
        Refused(_("Nothing was saved.")),
        distribute_form=form,
        open_dialog="distribute",
    )


# --- SLT-3, NTF-1, PLT ----------------------------------------------------------------------


def _slot_for(request, slot_pk):
    slot = get_object_or_404(Slot.objects.select_related("stream"), pk=slot_pk)
    stream = stream_for(request, slot.stream_id, edit=True)
    return slot, stream


@staff_module_required
@require_POST
def slot_edit(request, slot_pk):
    slot, stream = _slot_for(request, slot_pk)
    started = not rules.slot_start_editable(rules.slot_state(slot))
    form = SlotEditForm(request.POST, slot=slot, started=started)
    tab = f"slot-{slot.pk}"
    shorten_asked = False
    if form.is_valid():
        try:
            slots_service.slot_update(
                actor=request.user,
                slot=slot,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                shorten=form.cleaned_data["shorten"],
            )
        except slots_service.Unchanged as unchanged:
            messages.info(request, unchanged.message)
            return back(stream, tab)
        except slots_service.ShortenUnconfirmed as unconfirmed:
            form.add_error(None, unconfirmed.message)
            shorten_asked = True
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("The slot is saved."))
            return back(stream, tab)
    return _refused(
        request,
        stream,
        tab,
        Refused(_("Nothing was saved.")),
        edit_form=form,
        open_dialog="edit",
        shorten_asked=shorten_asked,
    )


@staff_module_required
@require_POST
def slot_delete(request, slot_pk):
    slot, stream = _slot_for(request, slot_pk)
    try:
        slots_service.slot_delete(actor=request.user, slot=slot)
    except Refused as refused:
        return _refused(request, stream, f"slot-{slot.pk}", refused)
    messages.success(request, _("The slot is deleted; its students are back in “Undistributed”."))
    return back(stream, "undistributed")


@staff_module_required
@require_POST
def slot_notify(request, slot_pk):
    slot, stream = _slot_for(request, slot_pk)
    try:
        count = slots_service.slot_notify(actor=request.user, slot=slot)
    except Refused as refused:
        return _refused(request, stream, f"slot-{slot.pk}", refused)
    messages.success(request, _("The notification is sent to %(count)s students.") % {"count": count})
    return back(stream, f"slot-{slot.pk}")


@staff_module_required
@require_POST
def slot_platform(request, slot_pk):
    slot, stream = _slot_for(request, slot_pk)
    form = PlatformForm(request.POST, slot=slot)
    tab = f"slot-{slot.pk}"
    if form.is_valid():
        data = form.cleaned_data
        try:
            slots_service.slot_platform_save(
                actor=request.user,
                slot=slot,
                platform=data["platform"],
                login=data["login"],
                password=data["password"],
                conference_url=data["conference_url"],
                has_recording=data["has_recording"],
                show_recording=data["show_recording"],
                recording_urls=data["recording_urls"],
            )
        except Refused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("The platform is saved."))
            return back(stream, tab)
    return _refused(
        request, stream, tab, Refused(_("Nothing was saved.")), platform_form=form, open_dialog="platform"
    )


# --- SLT-5, X-4 -----------------------------------------------------------------------------


def _session_for(request, session_pk):
    session = get_object_or_404(ExamSession.objects.select_related("stream", "slot"), pk=session_pk)
    stream = stream_for(request, session.stream_id, edit=True)
    return session, stream


@staff_module_required
@require_POST
def session_unschedule(request, session_pk):
    session, stream = _session_for(request, session_pk)
    tab = f"slot-{session.slot_id}" if session.slot_id else None
    try:
        slots_service.session_unschedule(actor=request.user, session=session)
    except Refused as refused:
        return _refused(request, stream, tab, refused)
    messages.success(request, _("The student is back in “Undistributed”."))
    return back(stream, tab)


@staff_module_required
@require_POST
def session_extra_time(request, session_pk):
    session, stream = _session_for(request, session_pk)
    tab = f"slot-{session.slot_id}"
    form = ExtraTimeForm(request.POST)
    try:
        if not form.is_valid():
            raise Refused(
                _("Extra time must be between 0 and %(max)s minutes.")
                % {"max": slots_service.MAX_EXTRA_MINUTES}
            )
        slots_service.session_extra_time(
            actor=request.user, session=session, minutes=form.cleaned_data["minutes"]
        )
    except Refused as refused:
        return _refused(request, stream, tab, refused)
    messages.success(request, _("Extra time is saved."))
    return back(stream, tab)


@staff_module_required
@require_POST
def session_move(request, session_pk):
    session, stream = _session_for(request, session_pk)
    tab = f"slot-{session.slot_id}"
    target = Slot.objects.filter(stream=stream, pk=request.POST.get("target") or 0).first()
    try:
        if target is None:
            raise Refused(_("Choose a slot of this stream."))
        slots_service.session_move(actor=request.user, session=session, target=target)
    except Refused as refused:
        return _refused(request, stream, tab, refused)
    messages.success(request, _("The student is moved."))
    return back(stream, f"slot-{target.pk}")


# --- GEN, PLC, SND: hand tickets out and send the questions ---------------------------------------

HAND_OUT = {
    "generate": (
        tickets_service.tickets_generate,
        gettext_lazy("Ticket numbers are generated for %(count)s students."),
    ),
    "place": (tickets_service.tickets_place, gettext_lazy("Tickets are placed for %(count)s students.")),
    "cancel": (
        tickets_service.placement_cancel,
        gettext_lazy("Placement is cancelled for %(count)s students."),
    ),
    "send": (tickets_service.questions_send, gettext_lazy("The questions are sent to %(count)s students.")),
}


@staff_module_required
@require_POST
def slot_hand_out(request, slot_pk, action):
    slot, stream = _slot_for(request, slot_pk)
    if action not in HAND_OUT:
        raise Http404
    use_case, done = HAND_OUT[action]
    ids = [int(pk) for pk in request.POST.getlist("sessions") if pk.isdigit()]
    tab = f"slot-{slot.pk}"
    try:
        if not ids:
            raise Refused(_("Choose at least one student."))
        count = use_case(actor=request.user, slot=slot, session_ids=ids)
    except Refused as refused:
        return _refused(request, stream, tab, refused, open_dialog=action)
    messages.success(request, done % {"count": count})
    return back(stream, tab)

"""One student's final-control page (STU-1…STU-5, TSK-1), seen by the student or by staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access.policy import access_for, student_module_q
from attestation import files, grade_scales, live, rules
from attestation.files import attachment
from attestation.forms_exam_page import AnswerForm, GradeForm, TaskForm
from attestation.models import AnswerFile, ExamSession, StreamExam
from attestation.schemas import parse_draft
from attestation.services import NotAllowed, Refused, require_edit
from attestation.services import answers as answers_service
from attestation.services import grades as grades_service
from attestation.services import tickets as tickets_service
from attestation.services.answers import TextTooLong
from college.models import Stream
from core import clock


def session_for(request, pk):
    """The session if the viewer is its student or staff who may see the stream; 404 otherwise.

    404 rather than 403, so nobody can probe which sessions exist.
    """
    # Two queries (four tables, then six), not one of twelve: PostgreSQL spent tens of milliseconds
    # planning the twelve-table join on every page view, and each joined table costs about a
    # millisecond more (bench/profile_endpoint.py --endpoint page). The student's user, group and
    # scale are not joined: on the student's own page the user is the viewer; the rest is read
    # when a page shows it.
    session = get_object_or_404(ExamSession.objects.select_related("student", "slot", "ticket"), pk=pk)
    if session.student.user_id == request.user.pk:
        session.student.user = request.user
    session.stream = get_object_or_404(
        Stream.objects.select_related("discipline", "teacher__user", "academic_period__year", "journal"),
        pk=session.stream_id,
        journal__conduct_online=True,
    )
    access = access_for(request)
    if not access.license_ia:
        raise Http404
    is_own = access.owns_session(session)
    is_staff = access.has_staff_module and access.can_view_stream(session.stream)
    if not (is_own or is_staff):
        raise Http404
    return session, ("student" if is_own else "staff")


def _context(request, session, viewer, **extra):
    slot = session.slot
    now = clock.now()
    state = rules.slot_state(slot, now) if slot else None
    exam = StreamExam.for_stream(session.stream)
    by_tickets = exam.mode == StreamExam.Mode.TICKETS
    shown_to = {"viewer": viewer, "by_tickets": by_tickets, "state": state}
    recordings = list(slot.recordings.all()) if rules.recordings_shown(slot, viewer=viewer) else []
    staff_can_edit = viewer == "staff" and access_for(request).can_edit_stream(session.stream)
    answers_open = answers_service.answers_open(session, exam)
    # TIM-1: the student's own end (the slot's end plus extra time) closes the page, server-rendered.
    time_over = rules.time_over(session, now)
    answer_files = list(session.answer_files.all())
    may_grade = viewer == "staff" and grades_service.may_grade(request.user, session)
    context = {
        "session": session,
        "stream": session.stream,
        "slot": slot,
        "state": state,
        "slot_running": state == rules.SlotState.RUNNING,
        "slot_over": state == rules.SlotState.OVER,
        "viewer": viewer,
        "exam": exam,
        "by_tickets": by_tickets,
        "recordings": recordings,
        "now": now,
        # STU-2: the ticket and the task show once the final control has started.
        "show_ticket": rules.ticket_shown(session, **shown_to),
        "show_task": rules.task_shown(session, **shown_to),
        "time_over": time_over,
        # STU-3: the board, for a placed student without a ticket, while the slot runs.
        **_board_context(session, rules.board_shown(session, **shown_to)),
        # What a student without a ticket is waiting for: the board (self-choice) or a number.
        "ticket_waits_for_board": viewer == "student"
        and by_tickets
        and not session.ticket_id
        and tickets_service.self_choice(),
        # STU-4: questions reach the page only once sent AND opened by the student (or for staff).
        "show_questions": rules.questions_shown(session, viewer=viewer),
        "task_form": extra.pop("task_form", None)
        or (TaskForm(initial={"body": session.task}) if staff_can_edit and not by_tickets else None),
        "task_editable": staff_can_edit and rules.task_editable(session, by_tickets=by_tickets, state=state),
        # ANS-1, ANS-2, X-1: the answer block, its files, and what the teacher may read.
        "answers_open": answers_open,
        "answer_block": _answer_block(session, viewer, answers_open, time_over),
        "answer_files": answer_files,
        "answer_form": extra.pop("answer_form", None) or AnswerForm(initial={"text": session.draft}),
        "can_send": answers_service.can_send(session, session.draft, len(answer_files), exam),
        "min_chars": answers_service.MIN_ANSWER_CHARS,
        "max_upload_mb": files.MAX_UPLOAD_BYTES // (1024 * 1024),  # the browser refuses bigger files itself
        # GRD-1…GRD-6
        "grade_parts": grades_service.parts(session.stream.journal),
        "final_form": session.stream.journal.final_form,
        "may_grade": may_grade,
        # The grading form only where it is offered (a student's page never builds it).
        "grade_form": extra.pop("grade_form", None)
        or (
            GradeForm(
                initial={
                    "absence": session.absence,
                    "written": session.grade_written,
                    "oral": session.grade_oral,
                    "total": session.grade_total,
                    "version": session.grade_version,
                }
            )
            if may_grade
            else None
        ),
        "grade_display": _grade_display(session),
        "grade_changes": list(session.grade_changes.select_related("actor")) if viewer == "staff" else [],
        "scale": session.student.group.technology.scale if may_grade else None,
    }
    context.update(extra)
    return context


def _grade_display(session):
    """GRD-4: the grade as the student's scale shows it; nothing to read before a grade is set."""
    grade = session.absence or session.grade_total
    return grade_scales.display(grade, session.student.group.technology.scale) if grade else ""


def _answer_block(session, viewer, answers_open, time_over):
    """What the student's "Answers" block shows: the sent answer, the closed page after the end
    (the last draft read-only: what the teacher sees), the open form, or nothing yet."""
    if viewer != "student":
        return None
    if session.answer_sent_at:
        return "sent"
    if time_over:
        return "closed"
    return "open" if answers_open else None


def _board_context(session, shown):
    """STU-3: the tiles; a full board (every tile grey) says what happens next."""
    board = tickets_service.board(session) if shown else None
    tiles = board or []
    return {"board": board, "board_full": bool(tiles) and not any(tile["free"] for tile in tiles)}


def _board_fragment(request, pk):
    """STU-3: the ticket board alone, polled every 3 s by every choosing student — the student's own
    session (policy folded into the query, as the heartbeat) and the tiles, not the whole page.
    None when the viewer is not the session's student: the whole page's rules answer them."""
    session = (
        ExamSession.objects.filter(student_module_q(request.user))
        .select_related("slot")
        .defer("task", "draft", "answer")
        .filter(pk=pk, student__user=request.user, stream__journal__conduct_online=True)
        .first()
    )
    if session is None:
        return None
    by_tickets = not StreamExam.objects.filter(
        stream_id=session.stream_id, mode=StreamExam.Mode.NO_TICKETS
    ).exists()
    state = rules.slot_state(session.slot) if session.slot_id else None
    shown = rules.board_shown(session, viewer="student", by_tickets=by_tickets, state=state)
    response = render(
        request, "attestation/partials/board.html", {"session": session, **_board_context(session, shown)}
    )
    if not shown:
        # A ticket assigned by the teacher, the placement cancelled, the time over: the whole page
        # changes, so htmx reloads it at once (not only at the next heartbeat).
        response["HX-Refresh"] = "true"
    return response


@login_required
def session_page(request, pk):
    if request.htmx and request.GET.get("partial") == "board":
        fragment = _board_fragment(request, pk)
        if fragment is not None:
            return fragment
    session, viewer = session_for(request, pk)
    context = _context(request, session, viewer)
    if request.htmx and request.GET.get("partial") == "board":
        return render(request, "attestation/partials/board.html", context)
    return render(request, "attestation/session_page.html", context)


def _back(session):
    return redirect(reverse("attestation:session", args=[session.pk]))


def _page_after(request, session, *, read_again=False):
    """The answer to a student's form on the exam page (#15): posted in place by htmx, the page as
    it now stands (with the action's message) — one request where a redirect would make two, when a
    whole college presses "Show questions by ticket" within seconds; without script, the redirect.
    ``read_again``: after a refusal, read as the page reads it (it shows what changed meanwhile)."""
    if not request.htmx:
        return _back(session)
    viewer = "student"  # both forms are the student's own (their views answer anyone else 404)
    if read_again:
        session, viewer = session_for(request, session.pk)
    return render(request, "attestation/session_page.html", _context(request, session, viewer))


@login_required
@require_POST
def ticket_choose(request, pk):
    session, viewer = session_for(request, pk)
    if viewer != "student":
        raise Http404
    try:
        chosen = tickets_service.ticket_choose(
            actor=request.user, session=session, tile=request.POST.get("ticket", "")
        )
    except Refused as refused:
        messages.error(request, refused.message)
        return _page_after(request, session, read_again=True)
    messages.success(request, _("You have a ticket."))
    # The page as it stands is the session read above with the ticket it now holds (the ticket
    # itself is read by the page): a whole slot takes its tickets within seconds (#15).
    session.ticket_id, session.ticket_source, session.ticket_at = (
        chosen.ticket_id,
        chosen.ticket_source,
        chosen.ticket_at,
    )
    return _page_after(request, session)


@login_required
@require_POST
def questions_open(request, pk):
    session, viewer = session_for(request, pk)
    if viewer != "student":
        raise Http404
    try:
        session = tickets_service.questions_open(actor=request.user, session=session)
    except Refused as refused:
        messages.info(request, refused.message)
    return _page_after(request, session)  # the opening time is read back into it


@login_required
@require_POST
def task_save(request, pk):
    session, viewer = session_for(request, pk)
    if viewer != "staff":
        raise Http404
    form = TaskForm(request.POST)
    try:
        require_edit(request.user, session.stream)  # read mode: 403 before the input is judged
        if not form.is_valid():
            raise Refused(_("The text is too long."))
        tickets_service.task_save(actor=request.user, session=session, body=form.cleaned_data["body"])
    except NotAllowed as refused:
        raise PermissionDenied(refused.message) from refused
    except Refused as refused:
        messages.error(request, refused.message)
        context = _context(request, session, viewer, task_form=form, task_open=True)
        return render(request, "attestation/session_page.html", context, status=400)
    messages.success(request, _("The task is saved."))
    return _back(session)


# --- ANS-1, ANS-2, TIM-1, X-1: answering ------------------------------------------------------


def _student_session(request, pk):
    session, viewer = session_for(request, pk)
    if viewer != "student":
        raise Http404
    return session


@login_required
def status(request, pk):
    """The page's pulse: the server's clock, the student's deadline, and news (TIM-1, SLT-6).

    Polled every few seconds while the page is visible; it doubles as the presence heartbeat.
    Every student polls it: one hand-written statement besides the user's own row (attestation/fast_paths.py).
    """
    state = live.polled_status(request.user, pk)
    if state is None:
        raise Http404
    return JsonResponse(state)


@login_required
@require_POST
def draft_save(request, pk):
    """X-1: an autosave. JSON in, JSON out; retried by the page until it succeeds.

    The usual case is one UPDATE holding the whole policy and every rule (attestation/fast_paths.py);
    only a save that wrote nothing loads the session through the full policy to answer why.
    """
    draft = parse_draft(request.body)
    if draft is None:
        _student_session(request, pk)  # anyone but the session's student gets a 404 first
        return JsonResponse({"error": _("The draft could not be read.")}, status=400)
    try:
        saved = answers_service.draft_save(
            actor=request.user, session_id=pk, text=draft.text, version=draft.version
        )
    except TextTooLong as too_long:
        _student_session(request, pk)
        return JsonResponse({"error": str(too_long.message)}, status=400)
    if saved is None:
        session = _student_session(request, pk)
        try:
            saved = answers_service.draft_not_saved(actor=request.user, session=session)
        except Refused as refused:
            return JsonResponse({"error": str(refused.message)}, status=409)
    version, saved_at = saved
    return JsonResponse({"version": version, "saved_at": saved_at.isoformat() if saved_at else None})


@login_required
@require_POST
def answer_send(request, pk):
    session = _student_session(request, pk)
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise Refused(_("The text is too long."))
        if not session.answer_sent_at:
            # A file chosen but not uploaded yet (no script on the page) goes with the answer: it is
            # attached first, and if it cannot be, nothing is sent (#14: never silently dropped).
            try:
                _attach_uploads(request, session)
            except Refused as refused:
                raise Refused(
                    _("Your answer was not sent. %(reason)s") % {"reason": refused.message}
                ) from None
        answers_service.answer_send(actor=request.user, session=session, text=form.cleaned_data["text"])
    except Refused as refused:
        messages.error(request, refused.message)
        context = _context(request, session, "student", answer_form=form)
        return render(request, "attestation/session_page.html", context, status=400)
    _say_once(request, _("Your answer is sent."))
    return _back(session)


def _say_once(request, text):
    """A retried send (its first answer lost on the way) is answered as the first was: the message
    is not queued a second time beside the one still waiting to be shown."""
    queued = messages.get_messages(request)
    waiting = any(str(message) == text for message in queued)
    if hasattr(queued, "used"):
        queued.used = False  # looking is not showing: the queue stays for the next page
    if not waiting:
        messages.success(request, text)


def _attach_uploads(request, session):
    """Attach every file of the request's "upload" field; a refused one raises Refused naming it."""
    attached = []
    for upload in request.FILES.getlist("upload"):
        try:
            attached.append(
                answers_service.answer_file_add(actor=request.user, session=session, upload=upload)
            )
        except ValidationError as error:  # its messages name the file
            raise Refused(" ".join(error.messages)) from error
        except Refused as refused:
            raise Refused(
                _("The file “%(name)s” was not attached: %(reason)s")
                % {"name": upload.name, "reason": refused.message}
            ) from refused
    return attached


@login_required
@require_POST
def answer_file_add(request, pk):
    session = _student_session(request, pk)
    try:
        if not request.FILES.getlist("upload"):
            raise Refused(_("Choose a file to upload."))
        attached = _attach_uploads(request, session)
    except Refused as refused:
        return _file_error(request, session, refused.message)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"ok": True, "files": [_file_json(session, f) for f in attached]})
    messages.success(request, _("The file is attached."))
    return _back(session)


def _file_json(session, attached):
    """What the page needs to list a just-uploaded file without a reload: its link and its delete."""
    return {
        "name": attached.file_name,
        "url": reverse("attestation:answer_file", args=[attached.pk]),
        "delete_url": reverse("attestation:answer_file_delete", args=[session.pk, attached.pk]),
    }


def _file_error(request, session, message):
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"error": str(message)}, status=400)
    messages.error(request, message)
    return _back(session)


@login_required
@require_POST
def answer_file_delete(request, pk, file_pk):
    session = _student_session(request, pk)
    attached = get_object_or_404(AnswerFile, pk=file_pk, session=session)
    try:
        answers_service.answer_file_delete(actor=request.user, session=session, attached=attached)
    except Refused as refused:
        messages.error(request, refused.message)
    return _back(session)


@login_required
def answer_file(request, file_pk):
    """X-11: the student who attached it, or staff who may see the stream."""
    attached = get_object_or_404(AnswerFile.objects.select_related("session"), pk=file_pk)
    session_for(request, attached.session_id)  # 404 for anyone else
    return attachment(attached.file, attached.file_name)


@login_required
@require_POST
def grade_set(request, pk):
    session, viewer = session_for(request, pk)
    if viewer != "staff":
        raise Http404
    form = GradeForm(request.POST)
    try:
        grades_service.require_grader(request.user, session.stream)
        if not form.is_valid():
            raise Refused(_("Reload the page and try again."))
        data = form.cleaned_data
        grades_service.grade_set(
            actor=request.user,
            session=session,
            absence=data["absence"],
            written=data["written"],
            oral=data["oral"],
            total=data["total"],
            reason=data["reason"],
            version=data["version"],
        )
    except NotAllowed as refused:
        raise PermissionDenied(refused.message) from refused
    except Refused as refused:
        messages.error(request, refused.message)
        context = _context(request, session, viewer, grade_form=form, grade_open=True)
        return render(request, "attestation/session_page.html", context, status=400)
    messages.success(request, _("The grade is saved and is in the journal."))
    return _back(session)

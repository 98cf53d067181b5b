"""One student's final-control page (STU-1, STU-2, STU-5), seen by the student or by staff."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from access.policy import access_for
from attestation import clock
from attestation.models import ExamSession, StreamExam
from attestation.services.slots import slot_state


def session_for(request, pk):
    """The session if the viewer is its student or staff who may see the stream; 404 otherwise.

    404 rather than 403, so nobody can probe which sessions exist.
    """
    session = get_object_or_404(
        ExamSession.objects.select_related(
            "stream__discipline",
            "stream__teacher__user",
            "stream__academic_period__year",
            "stream__journal",
            "student__user",
            "student__group",
            "slot",
        ),
        pk=pk,
        stream__journal__conduct_online=True,
    )
    access = access_for(request)
    if not access.license_ia:
        raise Http404
    is_own = access.has_student_module and session.student.user_id == request.user.pk
    is_staff = access.has_staff_module and access.can_view_stream(session.stream)
    if not (is_own or is_staff):
        raise Http404
    return session, ("student" if is_own else "staff")


@login_required
def session_page(request, pk):
    session, viewer = session_for(request, pk)
    slot = session.slot
    state = slot_state(slot) if slot else None
    recordings = list(slot.recordings.all()) if slot and slot.has_recording else []
    if viewer == "student" and not (slot and slot.show_recording):
        recordings = []
    context = {
        "session": session,
        "stream": session.stream,
        "slot": slot,
        "state": state,
        "viewer": viewer,
        "exam": StreamExam.for_stream(session.stream),
        "recordings": recordings,
        "now": clock.now(),
    }
    return render(request, "attestation/session_page.html", context)

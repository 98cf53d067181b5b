"""Student: the cabinet of final controls."""

from django.shortcuts import render

from access.decorators import student_module_required
from attestation import grade_scales, rules, selectors
from core import clock


@student_module_required
def my_exams(request):
    """The student's cabinet: their final controls conducted online, each with where it stands and
    its grade once set (GRD-4)."""
    student = request.user.student
    streams = selectors.online_streams_for_student(student)
    now = clock.now()
    scale = student.group.technology.scale if any(s.my_session for s in streams) else ""
    for stream in streams:
        session = stream.my_session
        stream.status = rules.exam_status(session, now)
        grade = session and (session.absence or session.grade_total)
        stream.grade = grade_scales.display(grade, scale) if grade else ""
    return render(request, "attestation/my_exams.html", {"streams": streams})

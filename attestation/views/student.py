"""Student: the cabinet of final controls."""

from django.shortcuts import render

from access.decorators import student_module_required
from attestation import selectors


@student_module_required
def my_exams(request):
    """The student's cabinet: their final controls conducted online."""
    streams = selectors.online_streams_for_student(request.user.student)
    return render(request, "attestation/my_exams.html", {"streams": streams})

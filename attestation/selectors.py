"""Reads scoped to the viewer."""

from django.db.models import Count, Prefetch

from access.policy import access_for
from college.models import Group, Stream


def online_streams_for_staff(request):
    """LST-1, LST-2: main streams with "conduct online" on, that the viewer's roles let them see."""
    streams = access_for(request).visible_streams().filter(journal__conduct_online=True)
    return (
        streams.select_related("discipline", "teacher__user", "academic_period__year")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
        .annotate(student_count=Count("students", distinct=True))
        .order_by("discipline__name", "name")
    )


def online_streams_for_student(student):
    """The student's streams whose final control is conducted online."""
    return (
        Stream.objects.filter(students=student, is_main=True, journal__conduct_online=True)
        .select_related("discipline", "teacher__user", "academic_period__year")
        .order_by("-academic_period__starts_on", "discipline__name")
    )

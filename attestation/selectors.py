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


def settings_tabs(request):
    """SET-1: the Intermediate attestation tab first; Online FSA when its license and module are on."""
    from access.models import Module
    from attestation.models import ModuleSettings

    tabs = []
    kinds = [
        (ModuleSettings.Kind.INTERMEDIATE, Module.OIA_STAFF),
        (ModuleSettings.Kind.FSA, Module.FSA_STAFF),
    ]
    for kind, module in kinds:
        access = access_for(request, module)
        if access.is_licensed(module) and access.can_view_settings:
            tabs.append({"kind": kind, "label": kind.label, "editable": access.can_edit_settings})
    return tabs

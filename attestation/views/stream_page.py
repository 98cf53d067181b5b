"""Staff: the stream page — slots, scheduling, notification and platform (STR, SLT, NTF, PLT)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from access.decorators import staff_module_required
from access.policy import access_for
from college.models import Stream


def stream_for(request, pk, *, edit=False):
    """The stream if the viewer may see it (404 otherwise); 403 when editing is asked in read mode."""
    access = access_for(request)
    stream = get_object_or_404(
        access.visible_streams(Stream.objects.select_related("discipline", "teacher__user", "journal")),
        pk=pk,
        journal__conduct_online=True,
    )
    if edit and not access.can_edit_stream(stream):
        raise PermissionDenied
    return stream


@staff_module_required
def stream_page(request, pk):
    stream = stream_for(request, pk)
    return render(request, "attestation/stream_page.html", {"stream": stream})

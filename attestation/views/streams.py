"""Staff: the streams list (LST-1…LST-4)."""

from django.core.paginator import Paginator
from django.shortcuts import render

from access.decorators import staff_module_required
from attestation import selectors


@staff_module_required
def stream_list(request):
    """ "Online attestation → Intermediate attestation": the streams this user may see."""
    page = Paginator(selectors.online_streams_for_staff(request), 25).get_page(request.GET.get("page"))
    return render(request, "attestation/stream_list.html", {"page": page})

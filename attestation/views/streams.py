"""Staff: the streams list (LST-1…LST-4)."""

from django.core.paginator import Paginator
from django.shortcuts import render

from access.decorators import staff_module_required
from attestation import selectors
from attestation.filters import StreamFilterForm
from college.models import Stream

PER_PAGE = 25


@staff_module_required
def stream_list(request):
    """ "Online attestation → Intermediate attestation": the streams this user may see.

    The search and filters (LST-3) are GET parameters; invalid ones list nothing, next to their error.
    """
    form = StreamFilterForm(request.GET, choices=selectors.stream_filter_choices())
    if form.is_valid():
        streams = selectors.online_streams_for_staff(request, form.cleaned_data)
    else:
        streams = Stream.objects.none()
    page = Paginator(streams, PER_PAGE).get_page(request.GET.get("page"))
    for stream in page:
        stream.group_list = selectors.stream_group_names(stream)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "attestation/stream_list.html",
        {"page": page, "form": form, "querystring": params.urlencode()},
    )

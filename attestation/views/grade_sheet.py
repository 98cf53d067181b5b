"""Staff: download the exam statement (X-6) of a slot or a stream, and its grade chart.

Access is the stream page's own: ``stream_for`` (staff who may see the stream; read mode may
download). A slot of another stream, an unknown format or an offline stream is a 404.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from access.decorators import staff_module_required
from attestation import grade_sheet
from attestation.models import Slot
from attestation.views.stream_page import stream_for

FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", grade_sheet.to_xlsx),
    "pdf": ("application/pdf", grade_sheet.to_pdf),
}


def _slot(request, slot_pk):
    slot = get_object_or_404(Slot, pk=slot_pk)
    return stream_for(request, slot.stream_id), slot


def _file(sheet, fmt):
    if fmt not in FORMATS:
        raise Http404
    content_type, render = FORMATS[fmt]
    response = HttpResponse(render(sheet), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, sheet.filename(fmt)) or ""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _chart(sheet):
    response = HttpResponse(grade_sheet.chart_svg(sheet), content_type="image/svg+xml; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, no-store"
    return response


@staff_module_required
@require_GET
def stream_sheet(request, pk, fmt):
    if fmt not in FORMATS:
        raise Http404
    return _file(grade_sheet.build(stream_for(request, pk)), fmt)


@staff_module_required
@require_GET
def slot_sheet(request, slot_pk, fmt):
    if fmt not in FORMATS:
        raise Http404
    stream, slot = _slot(request, slot_pk)
    return _file(grade_sheet.build(stream, slot), fmt)


@staff_module_required
@require_GET
def stream_chart(request, pk):
    return _chart(grade_sheet.build(stream_for(request, pk)))


@staff_module_required
@require_GET
def slot_chart(request, slot_pk):
    stream, slot = _slot(request, slot_pk)
    return _chart(grade_sheet.build(stream, slot))

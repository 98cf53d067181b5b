"""REST API v1 (X-12): upserts by external ID for administrators, scoped reads for staff.

Every endpoint asks the one access policy (``access_for``) about the authenticated user — the
token's user or the browser's session user.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Path, Query, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError

from access.policy import access_for
from api.auth import RateLimited, activate_language, api_auth
from api.docs import LocalSwagger
from api.schemas import (
    Error,
    GradePage,
    QueryText,
    SessionPage,
    SlotOut,
    StreamOut,
    StreamPage,
    UpsertResult,
    upsert_schema,
)
from attestation.models import ExamSession, Slot
from college.models import Admission, Stream
from core.csv_writer import csv_response
from imports.entities import ENTITIES
from imports.sync import Entity, external_ids

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error, 429: Error}


class AttestationAPI(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        """Every JSON answer names the language of its messages (see ``api.auth``)."""
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        response["Content-Language"] = get_language()
        patch_vary_headers(response, ("Accept-Language", "Authorization"))
        return response


api = AttestationAPI(
    title="Attestation API",
    version="1",
    description=(
        "REST API of the Online intermediate attestation module (X-12). Error messages are in the "
        "language named by the Accept-Language header (kk, ru or en), else in the token user's "
        "interface language, else in Kazakh; Content-Language names the one used."
    ),
    auth=api_auth,
    urls_namespace="api:v1",
    docs=LocalSwagger(),
    docs_url="/docs",
)


# --- errors: always {"code", "message", "details"} -----------------------------------------------

CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    422: "validation_error",
    429: "rate_limited",
}


def error_response(request, status, message, code=None, details=()):
    details = [{k: d.get(k) for k in ("field", "row", "column")} | {"message": d["message"]} for d in details]
    body = {"code": code or CODES.get(status, "error"), "message": str(message), "details": details}
    return api.create_response(request, body, status=status)


class RowsInvalid(Exception):
    def __init__(self, errors):
        self.errors = errors


@api.exception_handler(RowsInvalid)
def _rows_invalid(request, exc):
    details = [{"row": e.row, "column": e.column, "message": e.message} for e in exc.errors]
    return error_response(
        request, 422, _("Some rows are not valid; nothing was saved."), "invalid_rows", details
    )


@api.exception_handler(ValidationError)
def _validation(request, exc):
    details = [
        {"field": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg", ""))}
        for e in exc.errors
    ]
    return error_response(request, 422, _("The request is not valid."), details=details)


@api.exception_handler(RateLimited)
def _rate_limited(request, exc):
    response = error_response(request, 429, _("Too many requests: slow down and retry later."))
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    activate_language(request)  # no user known: Accept-Language, if sent
    response = error_response(request, 401, _("A valid API token is required."))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request, exc):
    messages = {400: _("The request could not be read."), 403: _("You are not allowed to do this.")}
    return error_response(request, exc.status_code, messages.get(exc.status_code, str(exc)))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error_response(request, 403, _("You are not allowed to do this."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, 404, _("Not found."))


# --- helpers ---------------------------------------------------------------------------------


def require_import_right(request):
    if not access_for(request).can_change_college_data:
        raise PermissionDenied


def readable_streams(request):
    """The streams the policy lets the caller read (``Access.readable_streams``); 403 for nobody's."""
    access = access_for(request)
    if not access.can_read_streams:
        raise PermissionDenied
    return access.readable_streams()


def paged(queryset, limit, offset):
    return queryset.count(), list(queryset[offset : offset + limit])


def filter_period(queryset, academic_year, academic_period, prefix="academic_period"):
    if academic_year:
        queryset = queryset.filter(**{f"{prefix}__year__name": academic_year})
    if academic_period:
        queryset = queryset.filter(**{f"{prefix}__number": academic_period})
    return queryset


# --- upserts ---------------------------------------------------------------------------------

# One router: GET /streams (read) and PUT /streams (upsert) share a path.
router = Router()


def register_upsert(entity: Entity):
    schema = upsert_schema(entity)

    def upsert(request, payload: schema):  # type: ignore[valid-type]
        require_import_right(request)
        rows = [(n, item.model_dump()) for n, item in enumerate(payload.items, start=1)]  # type: ignore[attr-defined]
        outcome = entity.run(rows, actor=request.user)
        if not outcome.ok:
            raise RowsInvalid(outcome.errors)
        items = [
            {
                "row": i.row,
                "key": "/".join(str(i.values[c]) for c in entity.key_columns),
                "id": i.obj.pk,
                "status": i.status,
            }
            for i in outcome.items
        ]
        return {
            "created": outcome.created,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
            "items": items,
        }

    upsert.__name__ = f"upsert_{entity.kind.replace('-', '_')}"
    router.put(
        f"/{entity.kind}",
        tags=["upserts"],
        response={200: UpsertResult, **ERRORS},
        summary=f"Upsert {entity.kind} by {', '.join(entity.key_columns)}",
        description=(
            "Administrators only. Idempotent: the same items twice change nothing the second time. "
            "All items or none are saved."
        ),
    )(upsert)


for _entity in ENTITIES.values():
    register_upsert(_entity)


@router.get(
    "/export/{kind}",
    response={401: Error, 403: Error, 404: Error, 422: Error, 429: Error},
    summary="Export one entity as CSV in the import's format",
    tags=["exports"],
    openapi_extra={
        "responses": {
            200: {
                "description": "CSV with the import template's columns",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def export_csv(request, kind: str = Path(..., pattern=r"^[a-z-]{1,30}$")):
    require_import_right(request)
    if kind not in ENTITIES:
        raise Http404
    entity = ENTITIES[kind]
    return entity_csv_response(entity, entity.export_rows(), f"{kind}.csv")


def entity_csv_response(entity, rows, filename):
    """Through the app's one CSV writer, which neutralises formulas (CSV injection, #16.7)."""
    header = [c.name for c in entity.columns]
    cells = ([c.to_cell(row[c.name]) for c in entity.columns] for row in rows)
    return csv_response(filename, header, cells)


# --- reads -----------------------------------------------------------------------------------


def stream_out(stream, refs) -> dict:
    journal = getattr(stream, "journal", None)
    return {
        "id": stream.pk,
        "external_id": refs.get(stream.pk),
        "name": stream.name,
        "discipline": stream.discipline.name,
        "teacher": stream.teacher.user.full_name,
        "academic_year": stream.academic_period.year.name,
        "academic_period": stream.academic_period.number,
        "groups": sorted(g.name for g in stream.groups.all()),
        "is_main": stream.is_main,
        "online": bool(journal and journal.conduct_online),
        "final_form": journal.final_form if journal else "",
    }


def streams_queryset(request):
    return (
        readable_streams(request)
        .select_related("discipline", "teacher__user", "academic_period__year", "journal")
        .prefetch_related("groups")
        .order_by("pk")
    )


@router.get(
    "/streams", tags=["reads"], response={200: StreamPage, **ERRORS}, summary="Streams with their online flag"
)
def list_streams(
    request,
    academic_year: QueryText | None = None,
    academic_period: int | None = Query(None, ge=1, le=12),
    online: bool | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
):
    streams = filter_period(streams_queryset(request), academic_year, academic_period)
    if online is not None:
        streams = streams.filter(journal__conduct_online=online)
    count, page = paged(streams, limit, offset)
    refs = external_ids("streams", [s.pk for s in page])
    return {"count": count, "limit": limit, "offset": offset, "items": [stream_out(s, refs) for s in page]}


def visible_stream(request, stream_id):
    stream = streams_queryset(request).filter(pk=stream_id).first()
    if stream is None:
        raise Http404
    return stream


@router.get("/streams/{stream_id}", response={200: StreamOut, **ERRORS}, summary="One stream")
def get_stream(request, stream_id: int = Path(..., ge=1, le=2**62)):
    stream = visible_stream(request, stream_id)
    return stream_out(stream, external_ids("streams", [stream.pk]))


@router.get(
    "/streams/{stream_id}/slots", response={200: list[SlotOut], **ERRORS}, summary="Slots of a stream"
)
def list_slots(request, stream_id: int = Path(..., ge=1, le=2**62)):
    stream = visible_stream(request, stream_id)
    slots = Slot.objects.filter(stream=stream).order_by("starts_at", "pk")
    slots = slots.annotate(student_count=Count("sessions"))
    return [
        {
            "id": s.pk,
            "stream_id": s.stream_id,
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "platform": s.platform,
            "conference_url": s.conference_url,
            "students": s.student_count,
        }
        for s in slots
    ]


@router.get(
    "/streams/{stream_id}/sessions",
    response={200: SessionPage, **ERRORS},
    summary="Students' exam sessions of a stream (ticket, times, grade)",
)
def list_sessions(
    request,
    stream_id: int = Path(..., ge=1, le=2**62),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
):
    stream = visible_stream(request, stream_id)
    sessions = (
        ExamSession.objects.filter(stream=stream)
        .select_related("student__user", "slot", "ticket")
        .order_by("student__user__last_name", "student__user__first_name", "pk")
    )
    count, page = paged(sessions, limit, offset)
    refs = external_ids("students", [s.student_id for s in page])
    items = [
        {
            "id": s.pk,
            "student_id": s.student_id,
            "student_external_id": refs.get(s.student_id),
            "record_book_number": s.student.record_book_number,
            "full_name": s.student.full_name,
            "slot_id": s.slot_id,
            "starts_at": s.slot.starts_at if s.slot else None,
            "ends_at": s.ends_at,
            "ticket_number": s.ticket.number if s.ticket else None,
            "ticket_at": s.ticket_at,
            "questions_sent_at": s.questions_sent_at,
            "questions_viewed_at": s.questions_viewed_at,
            "answer_sent_at": s.answer_sent_at,
            "grade": s.grade_total or None,
            "grade_written": s.grade_written or None,
            "grade_oral": s.grade_oral or None,
            "absence": s.absence or None,
            "graded_at": s.graded_at,
        }
        for s in page
    ]
    return {"count": count, "limit": limit, "offset": offset, "items": items}


@router.get(
    "/grades",
    response={200: GradePage, **ERRORS},
    summary="Grade export: one row per student per stream, filtered by stream or academic year/period",
)
def grade_export(
    request,
    academic_year: QueryText | None = None,
    academic_period: int | None = Query(None, ge=1, le=12),
    stream_id: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000),
):
    streams = filter_period(readable_streams(request), academic_year, academic_period)
    if stream_id is not None:
        streams = streams.filter(pk=stream_id)
    members = (
        Stream.students.through.objects.filter(stream__in=streams.values("pk"))
        .select_related("stream__discipline", "stream__academic_period__year", "student__user")
        .order_by("stream_id", "student__user__last_name", "student__user__first_name", "student_id")
    )
    count, page = paged(members, limit, offset)
    stream_refs = external_ids("streams", {m.stream_id for m in page})
    student_refs = external_ids("students", {m.student_id for m in page})
    refused = set(
        Admission.objects.filter(
            stream_id__in={m.stream_id for m in page},
            student_id__in={m.student_id for m in page},
            admitted=False,
        ).values_list("stream_id", "student_id")
    )
    grades = {
        (g.stream_id, g.student_id): g
        for g in ExamSession.objects.filter(
            stream_id__in={m.stream_id for m in page}, student_id__in={m.student_id for m in page}
        ).only("stream_id", "student_id", "grade_total", "absence")
    }
    items = [
        {
            "stream_id": m.stream_id,
            "stream_external_id": stream_refs.get(m.stream_id),
            "stream": m.stream.name,
            "discipline": m.stream.discipline.name,
            "academic_year": m.stream.academic_period.year.name,
            "academic_period": m.stream.academic_period.number,
            "student_id": m.student_id,
            "student_external_id": student_refs.get(m.student_id),
            "record_book_number": m.student.record_book_number,
            "full_name": m.student.full_name,
            "admitted": (m.stream_id, m.student_id) not in refused,
            "grade": _grade_of(grades.get((m.stream_id, m.student_id))),
            "absence": _absence_of(grades.get((m.stream_id, m.student_id))),
        }
        for m in page
    ]
    return {"count": count, "limit": limit, "offset": offset, "items": items}


api.add_router("/", router)


def _grade_of(session):
    return (session.grade_total or None) if session else None


def _absence_of(session):
    return (session.absence or None) if session else None

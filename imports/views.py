"""X-13: upload → preview with per-row errors → confirm → a job with a progress bar; all or nothing,
idempotent by external ID.

The uploaded file waits in a private folder (its path in the session) from the upload until the
confirm, so nothing the administrator sent is lost when the preview shows errors. Confirming
queues an :class:`~imports.models.ImportJob` (one per upload, so a double click imports once) and
opens its page, which polls the job every second until it is done or failed; the job runs outside
the request (``imports.jobs``) and deletes the file when it has run.

The import pages, templates and jobs are for whoever holds the import right
(``Access.can_import_college_data``: administrators and the Registrar role); any of them may watch
any job (its address is a random UUID).
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from access.decorators import import_required
from imports import jobs
from imports.cleanup import remove_stale_uploads
from imports.entities import ENTITIES
from imports.forms import UploadForm
from imports.models import ImportJob, pending_dir
from imports.templates_files import legend, template_csv, template_xlsx

SESSION_KEY = "imports"
RECENT_JOBS = 10


def _pending(request, token):
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if entry is None or not Path(entry["path"]).exists():
        raise Http404
    return entry


@import_required
def index(request):
    # "Upload a corrected file" comes back with the kind it left with.
    initial = {"kind": request.GET["kind"]} if request.GET.get("kind") in ENTITIES else {}
    form = UploadForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        remove_stale_uploads()  # no scheduler needed: each upload clears yesterday's leftovers
        token = uuid.uuid4().hex
        path = pending_dir() / f"{token}{Path(upload.name).suffix.lower()}"
        with path.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {"path": str(path), "kind": form.cleaned_data["kind"], "name": upload.name}
        request.session[SESSION_KEY] = pending
        return redirect("imports:preview", token=token)
    entities = [(kind, e.title, legend(e)) for kind, e in ENTITIES.items()]
    recent = list(ImportJob.objects.filter(dry_run=False).select_related("created_by")[:RECENT_JOBS])
    for job in recent:
        job.title = _title(job)  # type: ignore[attr-defined]
    return render(request, "imports/index.html", {"form": form, "entities": entities, "jobs": recent})


@import_required
def preview(request, token):
    """The preview runs as a job (#18.5): its page shows the same progress bar as the import and,
    once the dry run has ended, every row's fate and every error; then Confirm queues the import."""
    if request.method == "POST":
        # A second click on "Confirm" (the first already queued the job) follows the first.
        queued = ImportJob.objects.filter(upload=token, dry_run=False).first()
        if queued is not None:
            return redirect("imports:job", token=queued.pk.hex)
    entry = _pending(request, token)
    if request.method == "POST":
        job = _queue(request, token, entry)
        pending = request.session.get(SESSION_KEY, {})
        pending.pop(token, None)
        request.session[SESSION_KEY] = pending
        return redirect("imports:job", token=job.pk.hex)
    check = _queue(request, token, entry, dry_run=True)
    if check.finished and check.language != _language():
        # Its messages were written in the language of the upload: the page's language changed since.
        check.delete()
        check = _queue(request, token, entry, dry_run=True)
    if not check.finished:
        if request.htmx:
            return render(request, "imports/partials/job_status.html", _job_context(check))
        return render(request, "imports/preview_running.html", {"entry": entry, **_job_context(check)})
    if check.lost or check.failure == ImportJob.Failure.ERROR:  # the preview itself broke
        return render(request, "imports/preview_running.html", {"entry": entry, **_job_context(check)})
    if request.htmx:  # the polled bar is done: the whole page shows the preview
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    report = check.report or {}
    ok = check.status == ImportJob.Status.DONE
    context = {
        "reports": report.get("rows", []),
        "moves": report.get("moves", []),
        "hidden_rows": max(0, check.total - len(report.get("rows", []))) if ok else 0,
        "memberships": report.get("memberships", []),
        "looks_like": ENTITIES.get(report.get("looks_like", "")),
        "entry": entry,
        "entity": ENTITIES[entry["kind"]],
        "check": check,
        "ok": ok,
        "errors": check.errors,
        "error_count": check.error_count,
        "hidden_errors": max(0, check.error_count - len(check.errors)),
        "token": token,
    }
    return render(request, "imports/preview.html", context, status=200 if ok else 422)


def _queue(request, token, entry, dry_run=False) -> ImportJob:
    """The upload's job (its preview with ``dry_run``), queued and started — or the one there is."""
    existing = ImportJob.objects.filter(upload=token, dry_run=dry_run).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                upload=token,
                dry_run=dry_run,
                kind=entry["kind"],
                file_name=entry["name"][:255],
                language=_language(),
                created_by=request.user,
            )
    except IntegrityError:
        return get_object_or_404(ImportJob, upload=token, dry_run=dry_run)
    jobs.start(job)
    if jobs.runs_inline():
        job.refresh_from_db()
    return job


def _language() -> str:
    return get_language() or settings.LANGUAGE_CODE


@import_required
@require_POST
def retype(request, token):
    """ "This looks like a Students file": the same upload, previewed as the kind it looks like."""
    entry = _pending(request, token)
    kind = request.POST.get("kind", "")
    if kind not in ENTITIES:
        raise Http404
    new_token = uuid.uuid4().hex
    path = Path(entry["path"])
    moved = path.rename(path.with_name(f"{new_token}{path.suffix}"))
    pending = request.session.get(SESSION_KEY, {})
    pending.pop(token, None)
    pending[new_token] = {"path": str(moved), "kind": kind, "name": entry["name"]}
    request.session[SESSION_KEY] = pending
    return redirect("imports:preview", token=new_token)


def _title(job):
    entity = ENTITIES.get(job.kind)
    return entity.title if entity else job.kind


@import_required
def job_page(request, token):
    try:
        job_id = uuid.UUID(hex=token)
    except ValueError:
        raise Http404 from None
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=job_id)
    context = _job_context(job)
    if request.htmx:
        return render(request, "imports/partials/job_status.html", context)
    return render(request, "imports/job.html", context)


def _job_context(job):
    progress = None if job.finished else jobs.read_progress(job.pk)
    report = job.report or {}
    return {
        "job": job,
        "title": _title(job),
        "memberships": report.get("memberships", []) if not job.dry_run else [],
        "new_students": report.get("new_students", []),
        "progress": _progress_view(job, progress),
        "errors": job.errors,
        "hidden_errors": max(0, job.error_count - len(job.errors)),
    }


def _progress_view(job, progress):
    """What the bar shows: the stage, rows done of the total, and the bar's value out of its max."""
    if not progress or progress.get("stage") not in ("checking", "saving"):
        return {"stage": "reading" if progress else job.status, "value": None}
    total = max(progress["total"], 1)
    done = min(progress["done"], total)
    # Two halves: checking the rows, then saving them.
    value = done if progress["stage"] == "checking" else total + done
    return {
        "stage": progress["stage"],
        "done": done,
        "total": progress["total"],
        "value": value,
        "max": 2 * total,
    }


@import_required
def template(request, kind, fmt):
    entity = ENTITIES.get(kind)
    if entity is None or fmt not in ("csv", "xlsx"):
        raise Http404
    if fmt == "csv":
        response = HttpResponse(template_csv(entity), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            template_xlsx(entity),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{kind}.{fmt}"'
    return response

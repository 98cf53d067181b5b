"""X-13: upload → preview with per-row errors → confirm; all or nothing, idempotent by external ID.

The uploaded file waits in a private folder (its path in the session) from the upload until the
confirm, so nothing the administrator sent is lost when the preview shows errors or the
confirm fails.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from access.decorators import administrator_required
from api.entities import ENTITIES
from imports.forms import UploadForm
from imports.tables import import_file, template_csv, template_xlsx

SESSION_KEY = "imports"
MAX_ERRORS_SHOWN = 500


def pending_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pending(request, token):
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if entry is None or not Path(entry["path"]).exists():
        raise Http404
    return entry


@administrator_required
def index(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        token = uuid.uuid4().hex
        path = pending_dir() / f"{token}{Path(upload.name).suffix.lower()}"
        with path.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {"path": str(path), "kind": form.cleaned_data["kind"], "name": upload.name}
        request.session[SESSION_KEY] = pending
        return redirect("imports:preview", token=token)
    entities = [(kind, e.title, [c.name for c in e.columns]) for kind, e in ENTITIES.items()]
    return render(request, "imports/index.html", {"form": form, "entities": entities})


@administrator_required
def preview(request, token):
    entry = _pending(request, token)
    entity = ENTITIES[entry["kind"]]
    path = Path(entry["path"])
    if request.method == "POST":
        outcome = import_file(entity, path, actor=request.user)
        if outcome.ok:
            path.unlink(missing_ok=True)
            pending = request.session.get(SESSION_KEY, {})
            pending.pop(token, None)
            request.session[SESSION_KEY] = pending
            messages.success(
                request,
                _("Imported %(name)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
                % {
                    "name": entry["name"],
                    "created": outcome.created,
                    "updated": outcome.updated,
                    "unchanged": outcome.unchanged,
                },
            )
            return redirect("imports:index")
        messages.error(request, _("Nothing was imported: the file has errors."))
    else:
        outcome = import_file(entity, path, actor=request.user, dry_run=True)
    context = {
        "entry": entry,
        "entity": entity,
        "outcome": outcome,
        "errors": outcome.errors[:MAX_ERRORS_SHOWN],
        "hidden_errors": max(0, len(outcome.errors) - MAX_ERRORS_SHOWN),
        "token": token,
    }
    return render(request, "imports/preview.html", context, status=200 if outcome.ok else 422)


@administrator_required
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

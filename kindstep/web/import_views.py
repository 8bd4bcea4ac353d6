"""The import page: upload an export, see what was added, and nothing changes when a file is refused.

The upload streams to a temporary file (never held in memory) through
:class:`CappedUpload`, which stops reading past ``settings.MAX_UPLOAD_MB``. It is
then kept where a worker can read it and imported as a background task
(:mod:`kindstep.store.import_jobs`, :mod:`kindstep.work.tasks`): in local mode at
once, so the answer shows the outcome as it always did; in server mode by
``kindstep worker``, while the person is sent to the job's page, which shows the
progress (asked for every two seconds with htmx, or by a plain refresh link).
Upload handlers must be chosen before the CSRF check reads the form, so the
view is CSRF-exempt on the outside and CSRF-protected on the inside, as
Django's documentation describes for per-view upload handlers.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import (
    FileUploadHandler,
    StopUpload,
    TemporaryFileUploadHandler,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods


class CappedUpload(FileUploadHandler):
    """Passes chunks on until the upload grows past ``limit`` bytes, then stops reading it."""

    def __init__(self, request: HttpRequest, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_big = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.limit + 64 * 1024:  # room for the form fields
            self.too_big = True

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.too_big:
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_big = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int):
        return None


def _limit_bytes() -> int:
    return settings.MAX_UPLOAD_MB * 1024 * 1024


def _page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    from kindstep.core.moods import LEVELS
    from kindstep.store import queries
    from kindstep.store.importing import FORMAT_NAMES

    context.setdefault("max_mb", settings.MAX_UPLOAD_MB)
    context.setdefault("server_mode", settings.MODE == "server")
    context.setdefault("waiting", queries.unplaced_moods(request.person))
    context["levels"] = list(enumerate(LEVELS, start=1))
    summary = context.get("summary")
    if summary is not None:
        context["format_name"] = FORMAT_NAMES.get(summary.format, summary.format)
    return render(request, "kindstep/import.html", context, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload an export (Apple Health, GPX/TCX/FIT, Strava, Daylio, Bearable) and import it."""
    if request.method == "GET":
        return _page(request, {"placed": request.GET.get("placed") == "1"})
    capped = CappedUpload(request, _limit_bytes())
    request.upload_handlers = [capped, TemporaryFileUploadHandler(request)]
    return _import_post(request, capped)


@csrf_protect
def _import_post(request: HttpRequest, capped: CappedUpload) -> HttpResponse:
    upload = request.FILES.get("export")
    if capped.too_big:
        return _page(request, {"error": (
            f"This file is larger than {settings.MAX_UPLOAD_MB} MB, the most this page takes. "
            "On this computer, the command kindstep import followed by the file's path reads "
            "bigger files, or exporting a shorter period will help. Nothing was changed.")},
            status=413)
    if upload is None or not upload.size:
        return _page(request, {"error": "Please choose a file to import: an export from your "
                                        "phone, watch or journal app."}, status=422)
    from kindstep.store import import_jobs
    from kindstep.web.clock import now

    try:
        job = import_jobs.start_import(request.person, upload.chunks(), filename=upload.name or "",
                                       dry_run=request.POST.get("dry_run") == "on", now=now())
    finally:
        upload.close()
    from kindstep.work.tasks import run_import

    run_import.enqueue(job.pk)  # KINDSTEP_TASKS=immediate: done by the time this returns
    job.refresh_from_db()
    if job.finished:  # shown at once, as before there was a worker: nothing more to keep
        response = _job_page(request, job, status=200 if job.state == job.State.DONE else 422)
        import_jobs.forget(job)
        return response
    return redirect("import_job", job=job.pk, permanent=False)


@require_http_methods(["POST"])
def place_moods(request: HttpRequest) -> HttpResponse:
    """The short form under an import: where each of the person's own Daylio mood names sits.

    No file is held for it: the entries waiting under each name are already
    stored, so placing a name fills them in and remembers it for the next
    export. A name left at "Later" stays waiting. A value off the scale shows
    the form again with the message, and nothing is written.
    """
    from kindstep.core.checks import InvalidInput
    from kindstep.store import actions

    names, levels = request.POST.getlist("name"), request.POST.getlist("level")
    if len(names) != len(levels):
        return _page(request, {"place_error": "This form came back incomplete; please place the "
                                              "names again."}, status=422)
    chosen = {name: level for name, level in zip(names, levels, strict=True) if level.strip()}
    try:
        actions.place_moods(request.person, chosen)
    except InvalidInput as refused:
        return _page(request, {"place_error": f"{refused.message} Nothing was changed."},
                     status=422)
    return redirect(reverse("import") + "?placed=1")



def _job_page(request: HttpRequest, job, status: int = 200) -> HttpResponse:
    """The Import page for one job: where it has got to, what it did, or why it could not."""
    from kindstep.importers.rows import ImportSummary

    context: dict = {"filename": job.filename}
    if job.state == job.State.DONE:
        done = job.summary
        summary = ImportSummary.from_dict(done)
        context |= {"summary": summary,
                    "reasons": sorted(summary.reasons.items(), key=lambda kv: -kv[1])}
    elif job.finished:
        context["error"] = job.message
    else:
        context["job"] = job
        context["progress"] = _progress(job)
    return _page(request, context, status=status)


def _progress(job) -> dict:
    """What the progress line shows: MB read of MB, the share done, items so far."""
    mb = 1024 * 1024
    share = int(100 * job.bytes_read / job.total_bytes) if job.total_bytes else 0
    return {"read_mb": f"{job.bytes_read / mb:,.1f}", "total_mb": f"{job.total_bytes / mb:,.1f}",
            "percent": min(share, 100), "items": f"{job.items:,}"}


@require_GET
def import_job(request: HttpRequest, job: int) -> HttpResponse:
    """One upload's import: progress while it runs (this page, refreshed), then its outcome."""
    from kindstep.store.import_jobs import job_for

    found = job_for(request.person, job)
    if found is None:  # someone else's is answered exactly like one that does not exist
        raise Http404
    return _job_page(request, found)


@require_GET
def import_job_status(request: HttpRequest, job: int) -> HttpResponse:
    """The progress card alone, which the page asks for every two seconds (htmx); once the
    import is over, htmx is told to load the whole page, which then shows the outcome."""
    from django.template.loader import render_to_string

    from kindstep.store.import_jobs import job_for

    found = job_for(request.person, job)
    if found is None:
        raise Http404
    if found.finished:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("import_job", kwargs={"job": found.pk})
        return response
    html = render_to_string("kindstep/_import_progress.html",
                            {"job": found, "progress": _progress(found)}, request=request)
    return HttpResponse(html)

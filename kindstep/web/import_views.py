"""The import page: upload an export, see what was added, and nothing changes when a file is refused.

The upload streams to a temporary file (never held in memory) through
:class:`CappedUpload`, which stops reading past ``settings.MAX_UPLOAD_MB``.
Upload handlers must be chosen before the CSRF check reads the form, so the
view is CSRF-exempt on the outside and CSRF-protected on the inside, as
Django's documentation describes for per-view upload handlers.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import (
    FileUploadHandler,
    StopUpload,
    TemporaryFileUploadHandler,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from kindstep.importers.rows import ImportRefused


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
    dry_run = request.POST.get("dry_run") == "on"
    try:
        with _on_disk(upload) as path:
            from kindstep.store.importing import import_file
            from kindstep.web.clock import now

            summary = import_file(request.person, path, dry_run=dry_run, now=now())
    except ImportRefused as refused:
        place = upload.name if os.path.isabs(refused.where or "") else refused.where  # not our temp path
        where = f" ({place})" if place else ""
        return _page(request, {"error": f"{refused.message}{where} Nothing was changed.",
                               "filename": upload.name}, status=422)
    return _page(request, {"summary": summary, "filename": upload.name,
                           "reasons": sorted(summary.reasons.items(), key=lambda kv: -kv[1])})


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


class _on_disk:
    """The upload's path on disk: Django's temporary file, or a copy of a small in-memory one."""

    def __init__(self, upload):
        self.upload = upload
        self.copy: str | None = None

    def __enter__(self) -> Path:
        if hasattr(self.upload, "temporary_file_path"):
            return Path(self.upload.temporary_file_path())
        suffix = "".join(c for c in Path(self.upload.name or "").suffix if c.isalnum() or c == ".")
        fd, self.copy = tempfile.mkstemp(prefix="kindstep-upload-", suffix=suffix[:12])
        with os.fdopen(fd, "wb") as out:
            for chunk in self.upload.chunks():
                out.write(chunk)
        return Path(self.copy)

    def __exit__(self, *exc) -> None:
        if self.copy:
            os.unlink(self.copy)
        self.upload.close()

"""Your whole record on the web: download it (``/settings/export/``) or erase it
(``/settings/erase/``), through the same actions as ``kindstep export`` and ``kindstep erase``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from kindstep.core.checks import InvalidInput
from kindstep.store import actions
from kindstep.web.clock import now as _now


@require_GET
def export(request: HttpRequest) -> StreamingHttpResponse:
    """Everything kindstep keeps about the person, as a JSON file to save; streamed as it is
    read, so years of Apple Health samples never sit in memory at once."""
    now = _now()
    response = StreamingHttpResponse(actions.export_all(request.person, now=now),
                                     content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="kindstep-export-{now.date().isoformat()}.json"')
    response["Cache-Control"] = "private, no-store"  # a health record: never kept on the way
    return response


@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest) -> HttpResponse:
    """What erasing means, and a form that asks for the word; then a fresh start."""
    error = ""
    if request.method == "POST":
        try:
            _, tidied = actions.erase_all(request.person, confirm=request.POST.get("confirm", ""))
        except InvalidInput as err:
            error = err.message
        else:
            return redirect(reverse("today") + "?erased=" + ("1" if tidied else "later"))
    return render(request, "kindstep/erase.html", {"error": error, "word": actions.ERASE_WORD,
                                                   "current": "settings"},
                  status=422 if error else 200)

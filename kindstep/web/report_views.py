"""The record to bring to a clinician, on the web: the report as a PDF (``/settings/report/``)
and the FHIR Bundle (``/settings/fhir/``), through the same functions as `kindstep report`
and `kindstep fhir`.

The report's choices are posted, never put in the address: a name typed for the
heading must not end up in a URL, a log line or the browser's history.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from kindstep.core import report as core
from kindstep.core.checks import InvalidInput
from kindstep.web.clock import now as _now

WEEK_CHOICES = (4, 8, 12, 16, 20, 26, 52)
"""The periods the page offers; the CLI takes any number of weeks from 1 to 52."""


def _page(request: HttpRequest, *, errors=None, values=None, status: int = 200) -> HttpResponse:
    person = request.person
    return render(request, "kindstep/report.html", {
        "current": "settings",
        "weeks": WEEK_CHOICES,
        "errors": errors or {},
        "values": values or {"weeks": "12", "paper": core.check_paper(None, person.country)},
    }, status=status)


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"  # a health record: never kept on the way
    return response


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """The report's choices; posted, the PDF to save (or the form again with what to change)."""
    if request.method == "GET":
        return _page(request)
    from kindstep.reports.pdf import ReportOptions, render_pdf

    data = request.POST
    values = {"weeks": data.get("weeks", ""), "name": data.get("name", ""),
              "notes": data.get("notes") == "yes", "paper": data.get("paper", "")}
    now = _now()
    try:
        pdf = render_pdf(request.person, weeks=values["weeks"], now=now, options=ReportOptions(
            name=values["name"], notes=values["notes"], paper=values["paper"]))
    except InvalidInput as err:
        return _page(request, errors={err.field: err.message}, values=values, status=422)
    return _attachment(HttpResponse(pdf, content_type="application/pdf"),
                       f"kindstep-report-{now.date().isoformat()}.pdf")


@require_GET
def fhir(request: HttpRequest) -> HttpResponse:
    """The person's questionnaires and movement as a FHIR R4 Bundle, as a JSON file to save."""
    from kindstep.core.fhir import bundle
    from kindstep.store import queries

    now = _now()
    answered, moved = queries.fhir_record(request.person)
    data = bundle(answered, moved, now=now, person_key=request.person.pk)
    return _attachment(
        HttpResponse(json.dumps(data, indent=2, ensure_ascii=False),
                     content_type="application/fhir+json; charset=utf-8"),
        f"kindstep-fhir-{now.date().isoformat()}.json")

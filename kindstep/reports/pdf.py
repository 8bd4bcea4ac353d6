"""The clinician report as a PDF: one or two A4 (or Letter) pages a clinician reads in two minutes.

:func:`render_pdf` is the one way in, for every interface (`kindstep report`,
the web's download, and later a consenting clinician's view in server mode):
it reads the record through ``store.queries.clinician_report``, draws the same
charts as the web (``reports.charts``), fills ``templates/report.html`` and
lets WeasyPrint lay it out. :func:`render_html` stops before WeasyPrint, for
a preview or a test.

WeasyPrint (and the Pango library under it) is imported only here, lazily:
no other command pays for it. Every figure and sentence comes from
``core.report``; the template only lays them out.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from kindstep.core import report as core

__all__ = ["ReportOptions", "evidence_line", "render_html", "render_pdf"]

FOOTER_NOTE = ("Not a diagnosis. Questionnaire scores and this record are information for the "
               "person and their clinician. kindstep is a companion for gentle movement, not a "
               "medical device or a crisis service.")
"""Said at the foot of every page."""


@dataclass(frozen=True)
class ReportOptions:
    """What the person chose: a name on the heading, their notes, the paper size."""

    name: str = ""
    notes: bool = False
    paper: str = ""
    """"a4", "letter", or "" for the usual size where the person lives (``core.report``)."""


@functools.cache
def evidence_line() -> str:
    """The footer's evidence line: the main figure of the "mood" card, with its source.

    Taken word for word from kindstep/data/evidence.toml, so the report never
    says more than the evidence card does.
    """
    from kindstep.core.evidence import card, split_figure

    mood = card("mood")
    text, source = split_figure(mood.figures[0])
    doi = mood.citations[0].doi
    return (f"Evidence on movement and depression: {text} ({source}, doi:{doi}). "
            "Movement is one option alongside care, not a replacement for it.")


def _environment():
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("kindstep.reports", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["long"] = lambda d: f"{d.day} {d:%b %Y}" if d else ""
    env.filters["one"] = lambda x: "" if x is None else f"{x:.1f}"
    env.filters["signed"] = lambda x: "" if x is None else f"{x:+d}"
    return env


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _charts(person, rep: core.Report, weeks: int) -> list[dict]:
    """The web's four charts for the report's period, as images with their text alternative."""
    from kindstep.core.rhythm import rhythm_of
    from kindstep.reports import charts
    from kindstep.store import mapping, queries

    sessions, rests = queries.rhythm_record(person, until=rep.end)
    r = rhythm_of(sessions, rests, mapping.profile(person), today=rep.end)
    days = (rep.end - rep.start).days + 1
    history = queries.history(person, since=rep.start, until=rep.end, rest_days=False)
    points = [charts.QuestionnairePoint(q.day, q.code, q.total) for q in rep.questionnaires]
    # Drawn shorter than on the web, so the report keeps to two pages.
    drawn = [charts.active_days_chart(r, weeks=weeks, height=2.4),
             charts.minutes_chart(r, weeks=weeks, height=2.1),
             charts.mood_chart(history, today=rep.end, days=days, height=2.5),
             charts.questionnaire_chart(points, height=2.3)]
    return [{"key": c.key, "title": c.title, "alt": c.alt, "src": _data_uri(c.svg)}
            for c in drawn]


def render_html(person, *, weeks: int = 12, options: ReportOptions = ReportOptions(),
                now: datetime) -> str:
    """The report as HTML for WeasyPrint (its own print styles; no script, nothing fetched)."""
    from kindstep.store import queries

    weeks = core.check_weeks(weeks)
    name = core.check_name(options.name)
    paper = core.check_paper(options.paper, person.country)
    today = queries.today(person, now)
    rep = queries.clinician_report(person, today=today, weeks=weeks, notes=options.notes,
                                   name=name)
    return _environment().get_template("report.html").render(
        r=rep, charts={c["key"]: c for c in _charts(person, rep, weeks)},
        paper="A4" if paper == "a4" else "Letter", evidence=evidence_line(),
        footer=FOOTER_NOTE, period_days=(rep.end - rep.start).days + 1,
        week_end=lambda start: min(start + timedelta(days=6), rep.end),
    )


def render_pdf(person, *, weeks: int = 12, options: ReportOptions = ReportOptions(),
               now: datetime) -> bytes:
    """The clinician report of ``person``'s ``weeks`` weeks up to ``now``, as PDF bytes.

    Raises ``InvalidInput`` (field ``weeks``, ``name`` or ``paper``) for an
    option it cannot use, before reading anything.
    """
    html = render_html(person, weeks=weeks, options=options, now=now)
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Nothing is fetched from anywhere: the charts travel inside the page as data: URLs.
    only_inline = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return HTML(string=html, url_fetcher=only_inline).write_pdf()

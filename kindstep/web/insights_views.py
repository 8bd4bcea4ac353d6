"""The personal-evidence pages: Insights (patterns with their uncertainty, and charts) and
Experiments (start, rate the day, stop, see the result).

Like every kindstep view: parse the form, call one action or query, render.
A refused value re-renders the page with the message beside its field and
status 422, and nothing is written. Charts are served as SVG images from
their own URL (``/insights/charts/<name>.svg``) with a text alternative and
the table of their numbers on the page, so nothing depends on seeing them.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kindstep.core.checks import InvalidInput
from kindstep.store import actions, mapping, queries
from kindstep.web.clock import now as _now  # the web's one clock
from kindstep.web.pages import person_today

CHARTS = ("active_days", "minutes", "mood", "questionnaires", "predictions")
"""The charts on the Insights page, in page order."""


def _chart(request: HttpRequest, name: str, *, draw: bool = True):
    """One chart for the person from their record up to today (``draw=False``: words only)."""
    from kindstep.core.rhythm import rhythm
    from kindstep.reports import charts

    person = request.person
    day = person_today(request)
    if name in ("active_days", "minutes"):
        history = queries.history(person, until=day)
        r = rhythm(history, mapping.profile(person), today=day)
        make = charts.active_days_chart if name == "active_days" else charts.minutes_chart
        return make(r, draw=draw)
    if name == "mood":
        history = queries.history(person, since=day - timedelta(days=89), until=day)
        return charts.mood_chart(history, today=day, draw=draw)
    if name == "predictions":
        return charts.predictions_chart(queries.prediction_pairs(person, until=day), draw=draw)
    rows = queries.questionnaire_rows(person)
    return charts.questionnaire_chart(
        [charts.QuestionnairePoint(row.day, row.scale, row.total) for row in rows], draw=draw
    )


# -- Insights ----------------------------------------------------------------------------


def _section(s) -> dict:
    enough = s.enough_data and s.ci is not None and s.estimate is not None
    return {
        "title": s.title, "n": s.n, "enough": enough, "sentence": s.sentence,
        "needed": s.needed or s.sentence, "method": s.method,
        "estimate": f"{s.estimate:+.1f}" if enough else "",
        "low": f"{s.ci[0]:+.1f}" if enough else "",
        "high": f"{s.ci[1]:+.1f}" if enough else "",
    }


@require_GET
def insights(request: HttpRequest) -> HttpResponse:
    """What seems to go with movement for this person, how sure we can be, and the charts."""
    result = queries.insights_for(request.person, person_today(request))
    main = [_section(s) for s in (result.before_after, result.active_vs_rest, result.next_day)]
    more = [_section(s) for s in (*result.by_activity, *result.by_duration) if s.enough_data]
    return render(request, "kindstep/insights.html", {
        "result": result,
        "sections": main,
        "more": more,
        "questionnaires": result.questionnaires,
        "predicted": _section(result.predicted_vs_actual),
        "charts": [_chart(request, name, draw=False) for name in CHARTS],
    })


@require_GET
def chart(request: HttpRequest, name: str) -> HttpResponse:
    """One chart as an SVG image (no scripts, no styles); private, so never cached."""
    if name not in CHARTS:
        raise Http404("no such chart")
    response = HttpResponse(_chart(request, name).svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


# -- Experiments -------------------------------------------------------------------------


def _experiments_context(request: HttpRequest, *, errors=None, values=None, form="") -> dict:
    from kindstep.core.experiments import MAX_WEEKS, MIN_WEEKS, TEMPLATES

    person = request.person
    day = person_today(request)
    running = queries.active_experiment(person)
    found = queries.experiment_result(person, day)
    context = {
        "today": day,
        "running": running,
        "plan": queries.experiment_today(person, day) if running else None,
        "templates": TEMPLATES,
        "weeks": range(MIN_WEEKS, MAX_WEEKS + 1),
        "scale": range(0, 11),
        "errors": errors or {},
        "values": values or {},
        "form": form,
        "done": request.GET.get("done", ""),
    }
    if found is not None:
        row, protocol, ratings, outcome = found
        context.update({"experiment": row, "protocol": protocol, "outcome": outcome,
                        "ratings": len(ratings)})
    return context


def _refused(request: HttpRequest, err: InvalidInput, form: str) -> HttpResponse:
    field = {"day": "date"}.get(err.field, err.field)
    context = _experiments_context(request, errors={field: err.message}, values=request.POST,
                                   form=form)
    return render(request, "kindstep/experiments.html", context, status=422)


@require_GET
def experiments(request: HttpRequest) -> HttpResponse:
    """The running self-experiment with today's plan and rating form, or a form to start one."""
    return render(request, "kindstep/experiments.html", _experiments_context(request))


@require_http_methods(["GET", "POST"])
def experiment_start(request: HttpRequest) -> HttpResponse:
    """Start a self-experiment from a template or the person's own question."""
    if request.method == "GET":
        return redirect("experiments")
    data = request.POST
    template = data.get("template", "")
    try:
        actions.start_experiment(
            request.person,
            template=None if template in ("", "own") else template,
            question=data.get("question") or None,
            intervention=data.get("intervention") or None,
            outcome=data.get("outcome") or None,
            when=data.get("when") or None,
            weeks=data.get("weeks") or 4,
            design=data.get("design") or "random_days",
            now=_now(),
        )
    except InvalidInput as err:
        return _refused(request, err, "start")
    return redirect(reverse("experiments") + "?done=started")


@require_http_methods(["GET", "POST"])
def experiment_log(request: HttpRequest) -> HttpResponse:
    """Note the day's 0-10 rating, and whether the B-day activity was done."""
    if request.method == "GET":
        return redirect("experiments")
    data = request.POST
    done = {"yes": True, "no": False}.get(data.get("done", ""))
    try:
        if not (data.get("value") or "").strip():
            raise InvalidInput("value", "Please choose a rating from 0 to 10.")
        actions.log_experiment_outcome(request.person, data.get("value"),
                                       day=data.get("date") or None, done=done, now=_now())
    except InvalidInput as err:
        return _refused(request, err, "log")
    return redirect(reverse("experiments") + "?done=rated")


@require_POST
def experiment_stop(request: HttpRequest) -> HttpResponse:
    """Stop the running experiment; its days so far are still analysed."""
    try:
        actions.stop_experiment(request.person, now=_now())
    except InvalidInput as err:
        return _refused(request, err, "stop")
    return redirect(reverse("experiments") + "?done=stopped")


@require_GET
def experiment_export(request: HttpRequest) -> HttpResponse:
    """The latest experiment's protocol, schedule, ratings and result as a JSON file."""
    from kindstep.core import experiments as core

    found = queries.experiment_result(request.person, person_today(request))
    if found is None:
        raise Http404("no experiment yet")
    _, protocol, ratings, outcome = found
    data = core.export(protocol, ratings, outcome)
    response = JsonResponse(data, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = (
        f'attachment; filename="kindstep-experiment-{protocol.start.isoformat()}.json"'
    )
    response["Cache-Control"] = "private, no-store"
    return response

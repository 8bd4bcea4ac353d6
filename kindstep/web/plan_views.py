"""Plans, expectations, what matters, and the calm first run, on the web.

Like every kindstep view: parse the form, call one action or query, render.
A refused value re-renders the page with the message beside its field and
status 422, and nothing is written. A plan is a guess, not a promise: the
Plans page lists what is ahead, and a plan whose day has passed is simply not
there any more.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from kindstep.core.catalogue import load_catalogue
from kindstep.core.checks import InvalidInput
from kindstep.store import actions, mapping, queries
from kindstep.web.clock import now as _now  # the web's one clock
from kindstep.web.pages import person_today, render_page, safe_next, scale_choices, with_param

WEEKDAYS = (("mon", "Mon"), ("tue", "Tue"), ("wed", "Wed"), ("thu", "Thu"), ("fri", "Fri"),
            ("sat", "Sat"), ("sun", "Sun"))

_FIELDS = {"duration": "minutes"}
"""An action's field name, as the form calls it."""


def _plans_context(request: HttpRequest, values: dict | None = None,
                   errors: dict | None = None) -> dict:
    today = person_today(request)
    catalogue = load_catalogue()
    tomorrow = today.toordinal() + 1
    from datetime import date

    defaults = {"date": date.fromordinal(tomorrow).isoformat(), "minutes": "10"}
    for key in ("activity", "minutes"):  # "plan this for tomorrow" from Today
        if request.GET.get(key) and (key != "activity" or request.GET[key] in catalogue):
            defaults[key] = request.GET[key][:8] if key == "minutes" else request.GET[key]
    return {
        "plans": queries.plan_list(request.person, today),
        "activities": list(catalogue),
        "values": values or defaults,
        "errors": errors or {},
        "expect_choices": scale_choices(),
        "weekdays": WEEKDAYS,
        "today": today,
        "done": request.GET.get("done", "") if request.GET.get("done", "")[:1] == "p" else "",
        "dropped": request.GET.get("dropped") == "1",
        "moved": request.GET.get("moved") == "1",
    }


@require_http_methods(["GET", "POST"])
def plans(request: HttpRequest) -> HttpResponse:
    """Plan an activity ahead (a guess, not a promise), and the plans still ahead."""
    if request.method == "GET":
        return render_page(request, "plans.html", _plans_context(request))
    data = request.POST
    try:
        row = actions.plan_activity(
            request.person, activity=data.get("activity", ""), duration=data.get("minutes", ""),
            date=data.get("date") or None, time=data.get("time") or None,
            expect=data.get("expect") or None, every=",".join(data.getlist("every")),
            now=_now())
    except InvalidInput as err:
        field = _FIELDS.get(err.field, err.field)
        return render_page(request, "plans.html",
                           _plans_context(request, data, {field: err.message}), status=422)
    return redirect(with_param(reverse("plans"), "done", mapping.plan_id(row.pk)))


@require_POST
def plan_move(request: HttpRequest, plan: str) -> HttpResponse:
    """Move one plan to another day (and time) in one step."""
    try:
        actions.move_plan(request.person, plan, date=request.POST.get("date") or None,
                          time=request.POST.get("time") or None, now=_now())
    except InvalidInput as err:
        context = _plans_context(request)
        context["move_error"] = {"plan": plan, "message": err.message}
        return render_page(request, "plans.html", context, status=422)
    return redirect(with_param(reverse("plans"), "moved", "1"))


@require_POST
def plan_drop(request: HttpRequest, plan: str) -> HttpResponse:
    """Drop one plan: it shows nowhere from now on."""
    try:
        actions.drop_plan(request.person, plan, now=_now())
    except InvalidInput:
        pass  # already dropped, or not this person's: nothing to do, nothing said
    return redirect(with_param(reverse("plans"), "dropped", "1"))


@require_POST
def expect(request: HttpRequest) -> HttpResponse:
    """Before starting from Today: how good the person expects it to feel (skippable)."""
    target = safe_next(request, reverse("today"))
    if request.POST.get("choice") == "skip" or not request.POST.get("expected"):
        return redirect(target)
    try:
        actions.expect_feeling(request.person, activity=request.POST.get("activity", ""),
                               expected=request.POST.get("expected"), now=_now())
    except InvalidInput:
        return redirect(target)  # a hand-made form: nothing saved, the page as it was
    return redirect(with_param(target, "expected", "1"))


# -- what matters to you -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def values(request: HttpRequest) -> HttpResponse:
    """An optional short exercise: a few values that Today's reasons may name."""
    from kindstep.core.matters import VALUES

    person = request.person
    errors: dict[str, str] = {}
    saved = False
    own = ", ".join(v for v in person.matters if v not in VALUES)
    if request.method == "POST":
        own = request.POST.get("own", "")
        try:
            actions.set_matters(person, request.POST.getlist("values"), own)
            saved = True
        except InvalidInput as err:
            errors[err.field] = err.message
    return render_page(request, "values.html", {
        "choices": list(VALUES.items()), "picked": set(person.matters), "own": own,
        "errors": errors, "saved": saved,
    }, status=422 if errors else 200)


# -- the calm first run ----------------------------------------------------------------------


@require_POST
def welcome(request: HttpRequest) -> HttpResponse:
    """One step of the first-run welcome on Today: go on, skip it, or set the weekly target."""
    person = request.person
    choice = request.POST.get("choice", "")
    try:
        if choice == "next":
            actions.welcome_step(person, "about")
        elif choice == "target":
            actions.update_settings(person, target_days=request.POST.get("target_days") or 3)
            actions.welcome_step(person, "done")
        else:  # "skip", or anything else: the welcome ends, and never shows again
            actions.welcome_step(person, "done")
    except InvalidInput:
        pass  # a hand-made target: the step stays, nothing is saved
    return redirect("today")

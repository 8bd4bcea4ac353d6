"""kindstep's pages: each view parses the form, calls one action or query, renders the result.

Bad input never reaches the database: an action raises InvalidInput, and the
view renders the same form again with the message beside its field and
status 422 (htmx is configured to swap that in). Every POST is CSRF-checked.
"""

from __future__ import annotations

import functools
import re
from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from kindstep.core import checks
from kindstep.core.catalogue import load_catalogue
from kindstep.core.checks import InvalidInput
from kindstep.store import actions, mapping, queries
from kindstep.web.clock import now as _now  # the web's one clock
from kindstep.web.pagecache import cached_page
from kindstep.web.pages import (
    MONTHS,
    SAFETY_COUNTRY,
    WEEKDAYS,
    choose_country,
    country_options,
    person_today,
    render_page,
    safe_next,
    scale_choices,
    with_param,
)
from kindstep.web.phone_views import entry_time

_CHECKIN_SCALES = (
    ("energy", "Energy right now", "0 empty, 10 full"),
    ("mood", "Mood", "0 very low, 10 very good"),
    ("anxiety", "Anxiety", "0 calm, 10 very anxious"),
)


def _checkin_scales(values, errors) -> list[dict]:
    """The three 0-10 scales of the check-in form, with what was chosen and any message.

    Prepared here so the template only prints them: each scale's eleven radio
    buttons are markup made once per process for each choice (33 buttons
    through the template cost more than the rest of the Today page).
    """
    scales = []
    for name, legend, hint in _CHECKIN_SCALES:
        chosen = str(values.get(name, "")) if values else ""
        scales.append({
            "name": name, "legend": legend, "hint": hint, "error": errors.get(name, ""),
            "buttons": _scale_buttons(name, chosen if chosen in _SCALE_VALUES else ""),
        })
    return scales


_SCALE_VALUES = frozenset(str(n) for n in range(11))


@functools.cache
def _scale_buttons(name: str, chosen: str) -> SafeString:
    """One scale's radio buttons, 0 to 10, with ``chosen`` checked (``name`` is ours, not input)."""
    return mark_safe("".join(
        f'<label class="pill"><input type="radio" name="{name}" value="{n}"'
        f'{" checked" if str(n) == chosen else ""}><span>{n}</span></label>'
        for n in range(11)
    ))


# -- Today --------------------------------------------------------------------------


_ERASED = {"1": "1", "later": "later"}
"""The notes Today shows after erasing (``export_erase_views.erase``); any other value shows none."""


@require_http_methods(["GET"])
@cached_page
def today(request: HttpRequest) -> HttpResponse:
    """Today: a check-in of a few taps, then three choices sized to the day, and rest."""
    person = request.person
    # The same reading `kindstep today` uses, so the two cannot differ.
    shown = queries.today_offer(person, _now(), without_checkin=bool(request.GET.get("skip")))
    context = {
        "symptoms": shown.symptoms,
        "kept_light": shown.kept_light,
        "day": shown.day,
        "latest": shown.latest,
        "scales": _checkin_scales({}, {}),
        "values": {},
        "errors": {},
        "due": shown.due,
        "safety_event": shown.safety_follow_up_open,
        "readiness_offered": shown.readiness_offered,
        "done": request.GET.get("done", ""),
        "erased": _ERASED.get(request.GET.get("erased", ""), ""),
        "experiment": shown.experiment,
        "offer": shown.offer,
        "country_said": _country_said(person) if request.GET.get("country") == "1" else "",
        "checkin_care": shown.checkin_care,
        "pause": shown.pause,
        "planned": shown.planned,
        "welcome": shown.welcome,
        "target_days": person.target_days,
    }
    if shown.ask_country:
        context.update(_country_question(request))
    return render_page(request, "today.html", context)


def _country_question(request: HttpRequest) -> dict:
    """The first visit's country question: every country by name, the one the person's time
    zone (set from the computer's) or the browser's language suggests chosen, to confirm."""
    from kindstep.core import safety

    suggestion = safety.suggest_country(request.person.timezone,
                                        request.headers.get("Accept-Language", ""))
    return {
        "ask_country": True,
        "suggested": suggestion,
        "suggested_name": safety.country_name(suggestion),
        "country_options": country_options(suggestion or ""),
    }


def _country_said(person) -> str:
    """What Today says once a country is chosen: honest about what kindstep lists for it."""
    from kindstep.core import safety

    if not person.country:
        return ""
    name = safety.country_name(person.country)
    if safety.crisis_resources(person.country).lines:
        return f"Thank you. Help now shows the lines for {name} at any time."
    return (f"Thank you. kindstep does not list lines for {name} yet: Help now shows Find A "
            "Helpline, a directory of free lines in many countries, and says to call your "
            "local emergency number.")


@require_POST
def country(request: HttpRequest) -> HttpResponse:
    """The first visit's country question: save the country chosen, or remember the skip."""
    try:
        if request.POST.get("choice") == "skip":
            actions.update_settings(request.person, country_asked=True)
            return redirect("today")
        chosen = request.POST.get("country", "").strip()
        if not chosen:  # nothing chosen yet: the question stays, nothing is saved
            return redirect("today")
        actions.update_settings(request.person, country=chosen)
    except InvalidInput:
        return redirect("today")  # a hand-made form: the question stays, nothing is saved
    return redirect(reverse("today") + ("?country=1" if request.person.country else ""))


@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest) -> HttpResponse:
    """Store a check-in, then show today's choices; bad values re-render the form."""
    if request.method == "GET":  # a reload after a refused check-in: back to the form
        return redirect("today")
    data = request.POST
    try:
        for name in ("energy", "mood", "anxiety"):
            if not (data.get(name) or "").strip():  # a kinder word than "got None"
                raise InvalidInput(name, f"Please choose a number for {name}, from 0 to 10.")
        row = actions.record_checkin(
            request.person,
            energy=data.get("energy"),
            mood=data.get("mood"),
            anxiety=data.get("anxiety"),
            minutes=data.get("minutes"),
            sleep=data.get("sleep"),
            note=data.get("note", ""),
            now=entry_time(request, _now()),
            device_id=data.get("device_id"),
        )
    except InvalidInput as err:
        day = person_today(request)
        return render_page(
            request,
            "today.html",
            {
                "day": day,
                "latest": None,
                "scales": _checkin_scales(data, {err.field: err.message}),
                "values": data,
                "errors": {err.field: err.message},
                "due": [],
                "readiness_offered": bool(request.person.readiness),
            },
            status=422,
        )
    # This check-in is the one that asked how things are after a safety event (as in the CLI).
    if not row.repeated:
        actions.acknowledge_safety_events(request.person, now=_now())
    return redirect("today")


# -- Logging ------------------------------------------------------------------------------


def _log_context(request, values=None, errors=None, rest_values=None) -> dict:
    """The Log page's two forms: ``values`` for movement, ``rest_values`` for a rest day (each
    form refused comes back with its own values, leaving the other one fresh)."""
    return {
        "activities": list(load_catalogue()),
        "values": values or {"date": person_today(request).isoformat()},
        "rest_values": rest_values or {"date": person_today(request).isoformat()},
        "errors": errors or {},
        "today": person_today(request),
        "effort": scale_choices(),
        "symptoms": _symptoms(),
    }


def _symptoms():
    from kindstep.core.safety import WORRYING_SYMPTOMS

    return list(WORRYING_SYMPTOMS.items())


@require_http_methods(["GET", "POST"])
def log(request: HttpRequest) -> HttpResponse:
    """Quick log of any activity for any past day (and the rest-day form beside it)."""
    if request.method == "GET":
        values = {"date": person_today(request).isoformat()}
        for key in ("activity", "minutes"):
            if request.GET.get(key):
                values[key] = request.GET[key]
        return render_page(request, "log.html", _log_context(request, values))
    data = request.POST
    choose_country(request)  # from the safety box of a refused form: then the form again
    symptoms = [s for s in data.getlist("symptoms") if s]
    try:
        if symptoms:
            actions.clean_symptoms(symptoms)  # checked before anything is written
        row = actions.log_session(
            request.person,
            activity=data.get("activity", ""),
            duration=data.get("minutes", ""),
            effort=data.get("effort") or None,
            before=data.get("before") or None,
            after=data.get("after") or None,
            note=data.get("note", ""),
            day=data.get("date") or None,
            now=entry_time(request, _now()),
            device_id=data.get("device_id"),
        )
    except InvalidInput as err:
        from kindstep.core import safety

        field = {"duration": "minutes", "day": "date"}.get(err.field, err.field)
        context = _log_context(request, data, {field: err.message})
        # A worrying symptom is heeded even when the entry comes back for another answer:
        # the stop-and-seek-care help first, the box still ticked, nothing saved.
        ticked = [s for s in symptoms if s in safety.WORRYING_SYMPTOMS]
        context["ticked"] = ticked
        if ticked:
            resources = safety.crisis_resources(request.person.country or None)
            context["stop"] = safety.stop_and_seek_care(resources, ticked)
        return render_page(request, "log.html", context, status=422)
    if symptoms:
        if not row.repeated:  # a second send of the same entry was recorded the first time
            actions.record_movement_symptoms(request.person, symptoms, now=_now(), session=row)
        # The symptoms stay out of the address: Help now reads what to heed from the record.
        label = mapping.entry_id("session", row.pk)
        return redirect(reverse("help_now") + f"?stop=1&done={label}")
    label = mapping.entry_id("session", row.pk)
    return redirect(with_param(safe_next(request, reverse("history")), "done", label))


@require_http_methods(["GET", "POST"])
def rest(request: HttpRequest) -> HttpResponse:
    """Mark a day as rest: care, not inactivity."""
    if request.method == "GET":  # a reload after a refused rest day: back to the form
        return redirect("log")
    try:
        row, _ = actions.log_rest(
            request.person, day=request.POST.get("date") or None,
            note=request.POST.get("note", ""), now=entry_time(request, _now()),
            device_id=request.POST.get("device_id"),
        )
    except InvalidInput as err:
        return render_page(request, "log.html",
                     _log_context(request, errors={"rest_" + err.field: err.message},
                                  rest_values=request.POST),
                     status=422)
    label = mapping.entry_id("rest", row.pk)
    return redirect(with_param(safe_next(request, reverse("history")), "done", label))


# -- History, edit, delete, undo ----------------------------------------------------------


# -- Move -------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def move(request: HttpRequest) -> HttpResponse:
    """The guided mindful timer; without JavaScript it is a plain log form."""
    from kindstep.core import guides

    catalogue = load_catalogue()
    code = request.GET.get("activity", "walk")
    activity = catalogue.get(code) or catalogue["walk"]
    try:
        minutes = checks.scale("minutes", request.GET.get("minutes", "") or 10, low=1, high=240)
    except InvalidInput:
        minutes = 10
    guide_code = request.GET.get("guide") or guides.default_guide_for(activity.code, activity.tags)
    try:
        guide = guides.guide(guide_code)
    except guides.UnknownGuide:
        guide = guides.guide(guides.default_guide_for(activity.code, activity.tags))
    cues = {str(m): guides.cue_schedule(guide, m) for m in sorted({5, 10, 20, minutes})}
    return render_page(request, "move.html", {
        "activity": activity, "activities": list(catalogue), "minutes": minutes,
        "guide": guide, "guides": guides.load_guides(),
        "guide_data": {"intro": guide.intro, "closing": guide.closing,
                       "cues": list(guide.cues), "schedules": cues},
        "speed": _speed(request),
        "today": person_today(request), "values": {"activity": activity.code, "minutes": minutes,
                                             "date": person_today(request).isoformat()},
        "errors": {}, "effort": scale_choices(), "symptoms": _symptoms(),
    })


def _speed(request: HttpRequest) -> int:
    """How many times faster than real time the timer runs: 1, except in browser tests."""
    try:
        return checks.scale("speed", request.GET.get("speed", "1"), low=1, high=600)
    except InvalidInput:
        return 1


# -- Rhythm -------------------------------------------------------------------------------------


@require_http_methods(["GET"])
@cached_page
def rhythm(request: HttpRequest) -> HttpResponse:
    """This week against the target, the weeks that met it, and a year of days."""
    from kindstep.core.rhythm import WHO_URL, minutes_line, rhythm_of

    person = request.person
    day = person_today(request)
    sessions, rest_days = queries.rhythm_record(person, until=day)
    paused = queries.paused_ordinals(person, until=day + timedelta(days=6))
    r = rhythm_of(sessions, rest_days, mapping.profile(person), today=day, weeks=RECENT_WEEKS,
                  paused=paused)
    # While the choices are kept light, the WHO weekly amounts are left out.
    sentence, reference = minutes_line(r, kept_light=bool(queries.kept_light(person, day)))
    return render_page(request, "rhythm.html", {
        "r": r, "minutes_sentence": sentence, "who_reference": reference, "who_url": WHO_URL,
        "calendar": _calendar(sessions, rest_days, day, person.week_start, paused),
        "recent_weeks": list(reversed(r.weeks)),
    })


RECENT_WEEKS = 12
"""How many weeks the Rhythm page's table lists, newest first."""


def _calendar(sessions, rest_days, today: date, week_start: int, paused=()) -> dict:
    """A year of days as week columns, each a soft level from 0 to 4 by minutes, as markup.

    The markup is built here rather than in a template loop: 371 cells through
    the template engine cost more than the rest of the page together. A quiet
    day's and a rest day's cells depend only on the date, so a year of them is
    made once a day (``_calendar_days``); each request writes only the cells of
    its active days and rests over them.
    """
    offset = (today.weekday() - week_start) % 7
    start = today - timedelta(days=offset + 52 * 7)
    first, last = start.toordinal(), today.toordinal()
    minutes: dict[int, int] = {}
    for o, m, _ in sessions:  # (day ordinal, minutes, met), as queries.rhythm_record reads them
        if first <= o <= last:
            minutes[o] = minutes.get(o, 0) + m
    names, quiet, rest = _calendar_days(first, last)
    cells = list(quiet)
    for o in paused:  # paused days (core.pause); a rest or a session on one shows over it
        if first <= o <= last:
            cells[o - first] = (f'<span class="hm-day l0 paused" '
                                f'title="{names[o - first]}: paused"></span>')
    for o in rest_days:
        if first <= o <= last:
            cells[o - first] = rest[o - first]
    for o, m in minutes.items():
        level = 1 if m < 10 else 2 if m < 30 else 3 if m < 60 else 4
        cells[o - first] = f'<span class="hm-day l{level}" title="{names[o - first]}: {m} min"></span>'
    cells += ['<span class="hm-day empty"></span>'] * (53 * 7 - len(cells))
    html = "".join(f'<div class="hm-week">{"".join(cells[i:i + 7])}</div>'
                   for i in range(0, 53 * 7, 7))
    return {"html": mark_safe(html), "start": start, "active_days": len(minutes)}


@functools.lru_cache(maxsize=4)
def _calendar_days(first: int, last: int) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Each day's name from ordinal ``first`` to ``last`` (``Mon 03 Nov``, as ``%a %d %b`` in
    the C locale), with its cell as a quiet day and as a rest day."""
    names = []
    for o in range(first, last + 1):
        day = date.fromordinal(o)
        names.append(f"{WEEKDAYS[day.weekday()]} {day.day:02d} {MONTHS[day.month - 1]}")
    return (tuple(names),
            tuple(f'<span class="hm-day l0" title="{name}: quiet day"></span>' for name in names),
            tuple(f'<span class="hm-day l0 rest" title="{name}: rest day"></span>' for name in names))


# -- Check-ins (questionnaires) and safety ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
def help_now(request: HttpRequest) -> HttpResponse:
    """Crisis resources for the person's country, at any time; the movement-symptom message too.

    ``?stop=1`` (after a worrying symptom was logged) shows the stop-and-seek-care message
    for the symptoms the record says to heed today; the symptoms never travel in the URL.
    A country chosen in the safety box is saved, and the page shows its lines at once.
    """
    from kindstep.core import safety
    from kindstep.core.suggest import SEE_DOCTOR_SYMPTOMS

    person = getattr(request, "person", None)
    if choose_country(request):
        if person is not None:
            return redirect(request.get_full_path())
        country = request.POST.get(SAFETY_COUNTRY) or None  # no record to keep it in
    else:
        country = request.GET.get("country") or (person.country if person else "") or None
    resources = safety.crisis_resources(country)
    symptoms = ()
    if request.GET.get("stop") and person is not None:
        symptoms = queries.symptoms_to_heed(person, person_today(request))
    done = request.GET.get("done", "")
    return render_page(request, "help_now.html", {
        "message": safety.safety_message(resources),
        "stop": safety.stop_and_seek_care(resources, symptoms) if symptoms else None,
        "done": done if symptoms and re.fullmatch(r"s[0-9]{1,12}", done) else "",
        "held": bool(SEE_DOCTOR_SYMPTOMS & set(symptoms)),
        "country": resources.country,
    })


@require_http_methods(["GET"])
def why(request: HttpRequest) -> HttpResponse:
    """The evidence cards, each with its figures, certainty and full citations."""
    from kindstep.core import evidence

    return render_page(request, "why.html", {"cards": evidence.load_cards()})


# -- Settings ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest, extra: dict | None = None) -> HttpResponse:
    """Weekly target, time zone, day start, country, liked and avoided activities (and, from
    ``web/reminder_views.py``, pause and reminders: ``extra`` when one of their forms came
    back refused)."""
    import zoneinfo

    from kindstep.core import safety

    person = request.person
    errors: dict[str, str] = {}
    saved = False
    if request.method == "POST":
        data = request.POST
        try:
            # One action, as `kindstep settings` uses: every value checked, then one save.
            actions.update_settings(
                person,
                country=data.get("country", ""),
                timezone=data.get("timezone") or None,
                target_days=data.get("target_days") or None,
                day_start=data.get("day_start") or None,
                week_start=data.get("week_start") or None,
                liked=data.getlist("liked"),
                avoided=data.getlist("avoided"),
                questionnaires=data.get("questionnaires", "on"),
            )
        except InvalidInput as err:
            errors[err.field] = err.message
            person.refresh_from_db()
            person = _as_posted(person, data)  # shown as sent, to mend one field; never saved
        else:
            saved = True
    return render_page(request, "settings.html", {
        "person": person, "errors": errors, "saved": saved,
        "timezones": sorted(zoneinfo.available_timezones()),
        "country_options": country_options(person.country or ""),
        "country_has_lines": bool(person.country) and person.country in safety.countries(),
        "activities": list(load_catalogue()),
        "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
        "hours": range(0, 13), "targets": range(1, 8),
        **(extra or _reminders_context(request)),
    }, status=422 if errors else 200)


def _reminders_context(request: HttpRequest) -> dict:
    from kindstep.web.reminder_views import settings_context

    return settings_context(request)


def _as_posted(person, data):
    """A copy of ``person`` holding the settings form's values as sent, for showing a refused
    form again with every choice the person made (a value that is not a number keeps the
    stored one). The copy is never saved."""
    import copy

    def whole(value, stored: int) -> int:
        try:
            return int(value)
        except (TypeError, ValueError):
            return stored

    shown = copy.copy(person)
    shown.target_days = whole(data.get("target_days"), person.target_days)
    shown.day_start_hour = whole(data.get("day_start"), person.day_start_hour)
    shown.week_start = whole(data.get("week_start"), person.week_start)
    shown.timezone = data.get("timezone") or person.timezone
    shown.country = data.get("country", "")
    shown.checkin_reminders = data.get("questionnaires", "on") != "off"
    shown.liked = data.getlist("liked")
    shown.avoided = data.getlist("avoided")
    return shown


# -- Errors ---------------------------------------------------------------------------------------------


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render_page(request, "message.html", {
        "title": "This page isn't here",
        "message": "The link may be old. Today's page is a gentle place to start again.",
    }, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """A calm page for what went wrong on kindstep's side.

    Local mode: when the cause is the data itself (a full disk, a read-only or damaged
    file, another program busy with it), the page says so in the same words the terminal
    uses (``boot.data_problem``) with 503, since trying again after fixing it will work.
    Django calls this handler inside its ``except`` block, so ``sys.exc_info`` holds the
    cause. Server mode never words the database's error: it may name hosts or users.
    """
    import sys

    from django.conf import settings

    from kindstep import boot

    err = sys.exc_info()[1]
    problem = boot.data_problem(err) if err is not None and settings.MODE == "local" else None
    if problem is None:
        return render(request, "kindstep/500.html", status=500)
    return render(request, "kindstep/500.html", {
        "problem": problem.message,
        "unsaved": request.method == "POST",
    }, status=503)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form arrived without its safety token (an old tab, or cookies off): nothing was saved."""
    return render_page(request, "message.html", {
        "title": "That form could not be sent",
        "message": "Nothing was saved. The page may have been open for a long time, or cookies "
                   "may be turned off. Please open the page again and try once more.",
    }, status=403)

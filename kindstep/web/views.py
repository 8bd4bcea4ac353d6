"""kindstep's pages: each view parses the form, calls one action or query, renders the result.

Bad input never reaches the database: an action raises InvalidInput, and the
view renders the same form again with the message beside its field and
status 422 (htmx is configured to swap that in). Every POST is CSRF-checked.
"""

from __future__ import annotations

import functools
import re
from datetime import date, timedelta
from typing import NamedTuple

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from kindstep.core import checks
from kindstep.core.catalogue import load_catalogue
from kindstep.core.checks import InvalidInput
from kindstep.store import actions, mapping, queries
from kindstep.web.clock import now as _now  # the web's one clock
from kindstep.web.pagecache import cached_page

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
"""Day and month names as ``%a`` and ``%b`` give them in the C locale, without strftime."""
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _today(request: HttpRequest) -> date:
    return queries.today(request.person, _now())


def _page(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    from kindstep.core.safety import listed_countries

    # The safety box (_safety.html) offers these countries in place, by name.
    context.setdefault("safety_countries", listed_countries())
    return render(request, f"kindstep/{template}", context, status=status)


SAFETY_COUNTRY = "safety_country"
"""The field of the safety box's country choice (_safety.html), posted to the page it is on."""


def _choose_country(request: HttpRequest) -> bool:
    """Save the country chosen in a safety box, through the one settings action; True if one
    was chosen. The choice is from a list, so an unknown value (a hand-made form) is left."""
    if request.method != "POST" or SAFETY_COUNTRY not in request.POST:
        return False
    person = getattr(request, "person", None)
    if person is not None:
        try:
            actions.update_settings(person, country=request.POST.get(SAFETY_COUNTRY, ""))
        except InvalidInput:
            pass
    return True


def _safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` address the form or link gave, when it stays on this site; else ``default``.

    Django's own check, so ``//example.org``, ``/\\example.org`` (which browsers follow
    off-site) and other hosts or schemes are never followed; on https, http is refused too.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _with_param(address: str, name: str, value: str) -> str:
    """``address`` with one more query parameter (after ``?`` or ``&``, as it needs)."""
    return f"{address}{'&' if '?' in address else '?'}{name}={value}"


def _scale_choices() -> range:
    return range(0, 11)


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
    }
    if shown.ask_country:
        context.update(_country_question(request))
    return _page(request, "today.html", context)


def _country_question(request: HttpRequest) -> dict:
    """The first visit's country question: every country by name, the one the person's time
    zone (set from the computer's) or the browser's language suggests chosen, to confirm."""
    from kindstep.core import safety

    suggestion = safety.suggest_country(request.person.timezone,
                                        request.headers.get("Accept-Language", ""))
    listed = safety.listed_countries()
    known = {code for code, _ in listed}
    return {
        "ask_country": True,
        "suggested": suggestion,
        "suggested_name": safety.country_name(suggestion),
        "listed_countries": listed,
        "other_countries": [pair for pair in safety.all_countries() if pair[0] not in known],
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
        actions.record_checkin(
            request.person,
            energy=data.get("energy"),
            mood=data.get("mood"),
            anxiety=data.get("anxiety"),
            minutes=data.get("minutes"),
            sleep=data.get("sleep"),
            note=data.get("note", ""),
            now=_now(),
        )
    except InvalidInput as err:
        day = _today(request)
        return _page(
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
    actions.acknowledge_safety_events(request.person, now=_now())
    return redirect("today")


# -- Logging ------------------------------------------------------------------------------


def _log_context(request, values=None, errors=None, rest_values=None) -> dict:
    """The Log page's two forms: ``values`` for movement, ``rest_values`` for a rest day (each
    form refused comes back with its own values, leaving the other one fresh)."""
    return {
        "activities": list(load_catalogue()),
        "values": values or {"date": _today(request).isoformat()},
        "rest_values": rest_values or {"date": _today(request).isoformat()},
        "errors": errors or {},
        "today": _today(request),
        "effort": _scale_choices(),
        "symptoms": _symptoms(),
    }


def _symptoms():
    from kindstep.core.safety import WORRYING_SYMPTOMS

    return list(WORRYING_SYMPTOMS.items())


@require_http_methods(["GET", "POST"])
def log(request: HttpRequest) -> HttpResponse:
    """Quick log of any activity for any past day (and the rest-day form beside it)."""
    if request.method == "GET":
        values = {"date": _today(request).isoformat()}
        for key in ("activity", "minutes"):
            if request.GET.get(key):
                values[key] = request.GET[key]
        return _page(request, "log.html", _log_context(request, values))
    data = request.POST
    _choose_country(request)  # from the safety box of a refused form: then the form again
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
            now=_now(),
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
        return _page(request, "log.html", context, status=422)
    if symptoms:
        actions.record_movement_symptoms(request.person, symptoms, now=_now(), session=row)
        # The symptoms stay out of the address: Help now reads what to heed from the record.
        label = mapping.entry_id("session", row.pk)
        return redirect(reverse("help_now") + f"?stop=1&done={label}")
    label = mapping.entry_id("session", row.pk)
    return redirect(_with_param(_safe_next(request, reverse("history")), "done", label))


@require_http_methods(["GET", "POST"])
def rest(request: HttpRequest) -> HttpResponse:
    """Mark a day as rest: care, not inactivity."""
    if request.method == "GET":  # a reload after a refused rest day: back to the form
        return redirect("log")
    try:
        row, _ = actions.log_rest(
            request.person, day=request.POST.get("date") or None,
            note=request.POST.get("note", ""), now=_now()
        )
    except InvalidInput as err:
        return _page(request, "log.html",
                     _log_context(request, errors={"rest_" + err.field: err.message},
                                  rest_values=request.POST),
                     status=422)
    label = mapping.entry_id("rest", row.pk)
    return redirect(_with_param(_safe_next(request, reverse("history")), "done", label))


# -- History, edit, delete, undo ----------------------------------------------------------


def _entries(request, days: int) -> list[_EntryRow]:
    """History's entries of the last ``days`` days (``queries.timeline``: worded, newest day
    first), each as the row its template unpacks.

    Links and the line under each headline are prepared here, once per entry,
    instead of through template filters: a year of history renders several
    times faster.
    """
    rows = []
    for e in queries.timeline(request.person, today=_today(request), days=days):
        when = _when(e.day)
        label = f"from {e.source}" if e.imported else e.id
        rows.append(_EntryRow(
            e.kind, e.what, " · ".join([when, label, *e.details]), e.note, e.imported,
            "" if e.imported else f"/history/{e.id}/edit/", f"/history/{e.id}/delete/",
            f"{e.what}, {when}"))
    return rows


def _when(day: date) -> str:
    """``Tue 24 Nov``, as ``%a %-d %b`` writes it in the C locale, without strftime."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


_ENTRY_ID = re.compile(r"[a-z][0-9]{1,12}")
"""An entry's ID as kindstep writes it into an address (``s12``); anything else is ignored."""


def _entry_param(request: HttpRequest, name: str) -> str:
    value = request.GET.get(name, "")
    return value if _ENTRY_ID.fullmatch(value) else ""


@require_http_methods(["GET"])
@cached_page
def history(request: HttpRequest) -> HttpResponse:
    """The record of recent days, with edit and delete, and undo after a delete.

    After a delete the address names only the entry's ID (``?undo=s12``), never
    what it held; the page reads the entry itself, while undo can still put it back.
    """
    from kindstep.core import timeline

    try:
        days = checks.scale("days", request.GET.get("days", str(timeline.DEFAULT_DAYS)),
                            low=1, high=36600, label="days")
    except InvalidInput:
        days = timeline.DEFAULT_DAYS
    removed = None
    if undo := _entry_param(request, "undo"):
        try:
            ref = actions.parse_entry_id(undo)
        except InvalidInput:
            ref = None
        if ref is not None:
            removed = queries.removed_entry(request.person, ref.kind, ref.pk,
                                            since=_now() - actions.UNDO_WINDOW)
    return _page(request, "history.html", {
        # Plain tuples, unpacked by the template's loop: a year of entries reads no attributes.
        "entries": (entries := _entries(request, days)),
        "days": days, "done": _entry_param(request, "done"), "back": _entry_param(request, "back"),
        "removed": removed,
        "removed_when": _when(removed.day) if removed else "",
        "removed_words": timeline.REMOVED_WORDS[removed.kind] if removed else "",
        "imported": any(e.imported for e in entries), "default_days": timeline.DEFAULT_DAYS,
    })


class _EntryRow(NamedTuple):
    """What the History page shows of one entry, in the order its template unpacks it."""

    kind: str
    what: str
    meta: str
    note: str
    imported: bool
    edit_url: str
    delete_url: str
    aria: str


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, entry: str) -> HttpResponse:
    """Change one entry; the form shows the fields its kind has."""
    person = request.person
    try:
        ref = actions.parse_entry_id(entry)
        row = actions.get_entry(person, ref)
    except InvalidInput:
        raise Http404("no such entry") from None
    if ref.kind in actions.IMPORTED_KINDS:
        raise Http404("kept as it came: it can be removed, not changed")
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = request.POST
        fields = {
            "session": ("activity", "duration", "effort", "before", "after", "note", "date"),
            "rest": ("note", "date"),
            "checkin": ("energy", "mood", "anxiety", "minutes", "sleep", "note", "date"),
        }[ref.kind]
        changes = {name: data.get(name) for name in fields if data.get(name) is not None}
        # An emptied optional answer is taken back; an emptied required one stays as it was.
        clearable = actions.CLEARABLE.get(ref.kind, frozenset())
        changes = {k: v for k, v in changes.items() if v != "" or k == "note" or k in clearable}
        try:
            actions.edit_entry(person, entry, now=_now(), **changes)
        except InvalidInput as err:
            errors[err.field if err.field != "day" else "date"] = err.message
        else:
            return redirect(reverse("history") + f"?done={ref.label}")
    return _page(request, "edit.html", {
        "ref": ref, "row": row, "activities": list(load_catalogue()), "errors": errors,
        "values": request.POST if request.method == "POST" else None,
        "scale": _scale_choices(), "today": _today(request),
    }, status=422 if errors else 200)


@require_POST
def delete(request: HttpRequest, entry: str) -> HttpResponse:
    """Remove an entry; for an hour it can be put back. The address that follows names the
    entry by its ID alone."""
    try:
        ref = actions.delete_entry(request.person, entry, now=_now())
    except InvalidInput:
        raise Http404("no such entry") from None
    return redirect(_with_param(reverse("history"), "undo", ref.label))


@require_POST
def undo(request: HttpRequest) -> HttpResponse:
    """Put back an entry removed within the last hour, named by its ID."""
    try:
        ref = actions.restore_entry(request.person, request.POST.get("entry", ""), now=_now())
    except InvalidInput:
        return _page(request, "message.html", {
            "title": "That can no longer be undone",
            "message": "Undo lasts an hour. You can log the entry again on the Log page.",
        }, status=400)
    if ref.already_back:  # a second press, or Back and Undo again
        return redirect(_with_param(reverse("history"), "back", ref.label))
    return redirect(_with_param(reverse("history"), "done", ref.label))


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
    return _page(request, "move.html", {
        "activity": activity, "activities": list(catalogue), "minutes": minutes,
        "guide": guide, "guides": guides.load_guides(),
        "guide_data": {"intro": guide.intro, "closing": guide.closing,
                       "cues": list(guide.cues), "schedules": cues},
        "speed": _speed(request),
        "today": _today(request), "values": {"activity": activity.code, "minutes": minutes,
                                             "date": _today(request).isoformat()},
        "errors": {}, "effort": _scale_choices(), "symptoms": _symptoms(),
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
    day = _today(request)
    sessions, rest_days = queries.rhythm_record(person, until=day)
    r = rhythm_of(sessions, rest_days, mapping.profile(person), today=day, weeks=RECENT_WEEKS)
    # While the choices are kept light, the WHO weekly amounts are left out.
    sentence, reference = minutes_line(r, kept_light=bool(queries.kept_light(person, day)))
    return _page(request, "rhythm.html", {
        "r": r, "minutes_sentence": sentence, "who_reference": reference, "who_url": WHO_URL,
        "calendar": _calendar(sessions, rest_days, day, person.week_start),
        "recent_weeks": list(reversed(r.weeks)),
    })


RECENT_WEEKS = 12
"""How many weeks the Rhythm page's table lists, newest first."""



def _calendar(sessions, rest_days, today: date, week_start: int) -> dict:
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
        names.append(f"{_WEEKDAYS[day.weekday()]} {day.day:02d} {_MONTHS[day.month - 1]}")
    return (tuple(names),
            tuple(f'<span class="hm-day l0" title="{name}: quiet day"></span>' for name in names),
            tuple(f'<span class="hm-day l0 rest" title="{name}: rest day"></span>' for name in names))


# -- Check-ins (questionnaires) and safety ---------------------------------------------------------


@require_http_methods(["GET"])
def checkins(request: HttpRequest) -> HttpResponse:
    """PHQ-9 and GAD-7: when each is due, and the history of scores with their bands."""
    from kindstep.core import scales

    person = request.person
    rows = queries.questionnaire_rows(person)
    results = queries.questionnaire_history(person)
    history = [
        {"row": row, "result": result, "scale": scales.get_scale(row.scale)}
        for row, result in zip(rows, results, strict=True)
    ]
    return _page(request, "checkins.html", {
        "history": list(reversed(history)),
        "due": queries.questionnaire_due(person, _today(request)),
        "scales": [scales.get_scale(code) for code in ("phq9", "gad7")],
    })


@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, scale: str) -> HttpResponse:
    """One questionnaire, all items on one page; item 9 above 0 leads to the help page first."""
    from kindstep.core import safety, scales

    try:
        spec = scales.get_scale(scale)
    except scales.ScaleError:
        raise Http404("no such questionnaire") from None
    if spec.code not in ("phq9", "gad7", "phq2", "gad2"):
        raise Http404("no such questionnaire")
    person = request.person
    errors: dict[str, str] = {}
    _choose_country(request)  # from the safety box of a refused form: then the form again
    if request.method == "POST":
        raw = [request.POST.get(f"item{i}", "") for i in range(1, len(spec.items) + 1)]
        missing = [i for i, value in enumerate(raw, 1) if value == ""]
        if missing:
            errors["answers"] = (
                f"Please answer question {missing[0]}"
                + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
                + "; each has four choices from 0 to 3."
            )
        else:
            try:
                row, result = actions.answer_questionnaire(
                    person, spec.code, ",".join(raw),
                    difficulty=request.POST.get("difficulty") or None, now=_now(),
                )
            except InvalidInput as err:
                errors[err.field] = err.message
            else:
                # Shown from its own address, so reloading the result never sends it again.
                return redirect("questionnaire_result", spec.code, row.pk)
    # Help never waits for a finished questionnaire (docs/evidence.md section 2): a thought of
    # self-harm answered on a form that came back for another answer still shows it (the one
    # item-9 rule).
    warned = errors and scales.safety_answer(
        spec.code, [request.POST.get(f"item{i}", "") for i in range(1, len(spec.items) + 1)])
    return _page(request, "questionnaire.html", {
        "spec": spec, "errors": errors,
        "safety": safety.safety_message(safety.crisis_resources(person.country or None))
        if warned else None,
        "values": request.POST if request.method == "POST" else {},
        "items": [
            (n, text, (request.POST.get(f"item{n}", "") if request.method == "POST" else ""))
            for n, text in enumerate(spec.items, 1)
        ],
        "options": list(enumerate(spec.options)),
        "difficulty": list(enumerate(spec.difficulty_options)),
    }, status=422 if errors else 200)


@require_http_methods(["GET", "POST"])
def questionnaire_result(request: HttpRequest, scale: str, pk: int) -> HttpResponse:
    """One stored questionnaire's total, band and change; the help first after item 9 above 0.

    A POST is only the safety box's country choice: saved, then this page again.
    """
    from kindstep.core import safety, scales

    if request.method == "POST":
        _choose_country(request)
        return redirect(request.path)

    try:
        spec = scales.get_scale(scale)
    except scales.ScaleError:
        raise Http404("no such questionnaire") from None
    person = request.person
    rows = queries.questionnaire_rows(person, spec.code)
    for row, result in zip(rows, queries.questionnaire_history(person, spec.code), strict=True):
        if row.pk == pk:
            resources = safety.crisis_resources(person.country or None)
            return _page(request, "result.html", {
                "spec": spec, "result": result, "row": row,
                "safety": safety.safety_message(resources) if result.safety_flag else None,
                "care": safety.care_message(result),
            })
    raise Http404("no such answer")


@require_http_methods(["GET", "POST"])
def readiness(request: HttpRequest) -> HttpResponse:
    """kindstep's own readiness questions; any yes keeps suggestions light until clearance."""
    from kindstep.core import readiness as core_readiness

    person = request.person
    questions = core_readiness.load_questions()
    errors: dict[str, str] = {}
    result = None
    if request.method == "POST":
        action = request.POST.get("action", "answer")
        try:
            if action == "skip":
                actions.record_readiness(person, None, now=_now())
                return redirect("today")
            if action == "clearance":
                actions.record_clearance(person, now=_now())
                return redirect(reverse("readiness") + "?cleared=1")
            answers = {}
            for q in questions:
                value = request.POST.get(q.code, "")
                if value not in ("yes", "no"):
                    raise InvalidInput(q.code, "Please choose yes or no for this question.")
                answers[q.code] = value == "yes"
            actions.record_readiness(person, answers, now=_now())
            # The answer has its own address, so a reload shows it without sending it again.
            return redirect(reverse("readiness") + "?answered=1")
        except InvalidInput as err:
            errors[err.field] = err.message
    elif request.GET.get("answered") and set(person.readiness) == {q.code for q in questions}:
        # What the stored answers mean now: a doctor's go-ahead given since then counts.
        result = core_readiness.assess(person.readiness, doctor_go_ahead=not person.light_only)
    _, supervised = core_readiness.standing_limits(person.readiness or {}, doctor_go_ahead=True)
    symptoms = queries.symptoms_to_heed(person, _today(request))
    held = bool(symptoms) or queries.kept_light(person, _today(request), symptoms) not in (
        "", "supervised")
    return _page(request, "readiness.html", {
        "questions": questions, "intro": core_readiness.intro(), "errors": errors,
        "result": result, "values": request.POST, "person": person,
        "cleared": request.GET.get("cleared"), "supervised": supervised, "held": held,
    }, status=422 if errors else 200)


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
    if _choose_country(request):
        if person is not None:
            return redirect(request.get_full_path())
        country = request.POST.get(SAFETY_COUNTRY) or None  # no record to keep it in
    else:
        country = request.GET.get("country") or (person.country if person else "") or None
    resources = safety.crisis_resources(country)
    symptoms = ()
    if request.GET.get("stop") and person is not None:
        symptoms = queries.symptoms_to_heed(person, _today(request))
    done = request.GET.get("done", "")
    return _page(request, "help_now.html", {
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

    return _page(request, "why.html", {"cards": evidence.load_cards()})


# -- Settings ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """Weekly target, time zone, day start, country, liked and avoided activities."""
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
    return _page(request, "settings.html", {
        "person": person, "errors": errors, "saved": saved,
        "timezones": sorted(zoneinfo.available_timezones()),
        "listed_countries": safety.listed_countries(),
        "other_countries": [pair for pair in safety.all_countries()
                            if pair[0] not in safety.countries()],
        "country_has_lines": bool(person.country) and person.country in safety.countries(),
        "activities": list(load_catalogue()),
        "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
        "hours": range(0, 13), "targets": range(1, 8),
    }, status=422 if errors else 200)


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
    return _page(request, "message.html", {
        "title": "This page isn't here",
        "message": "The link may be old. Today's page is a gentle place to start again.",
    }, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "kindstep/500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form arrived without its safety token (an old tab, or cookies off): nothing was saved."""
    return _page(request, "message.html", {
        "title": "That form could not be sent",
        "message": "Nothing was saved. The page may have been open for a long time, or cookies "
                   "may be turned off. Please open the page again and try once more.",
    }, status=403)

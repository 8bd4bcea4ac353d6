"""Pause and reminders on the web: the Settings page's two forms, the test button, the
push subscription the browser sends, and the calendar file and feed.

Each view parses, calls one action or query, and renders or redirects; the rules are
``core.pause`` and ``core.reminders``. The calendar feed's URL carries only a random
token (``actions.rotate_feed_token``), never anything about the person.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from kindstep.core import pause as pause_rules
from kindstep.core import reminders as rules
from kindstep.core.checks import InvalidInput
from kindstep.store import actions, queries
from kindstep.web.clock import now as _now
from kindstep.web.pages import safe_next

DAYS = tuple(zip(rules.DAY_CODES, rules.DAY_NAMES, strict=True))


def settings_context(request: HttpRequest, *, errors: dict | None = None,
                     posted: dict | None = None) -> dict:
    """What the Settings page shows of pause and reminders (merged into its context)."""
    person = request.person
    day = queries.today(person, _now())
    plan, row = queries.reminder_plan(person)
    current = queries.current_pause(person, day)
    feed = ""
    if row is not None and row.feed_token:
        feed = request.build_absolute_uri(reverse("reminders_feed", args=[row.feed_token]))
    shown = posted or {
        "days": [rules.DAY_CODES[d] for d in sorted(plan.days)],
        "time": ", ".join(f"{t:%H:%M}" for t in plan.times),
        "channel": plan.channel if plan.on else "push",
        "quiet_start": f"{plan.quiet[0]:%H:%M}" if plan.quiet else "",
        "quiet_end": f"{plan.quiet[1]:%H:%M}" if plan.quiet else "",
        "email": row.email if row is not None else "",
    }
    return {
        "pause_now": current, "pause_said": pause_rules.described(current, day),
        "pause_reasons": pause_rules.REASONS, "pause_min": day.isoformat(),
        "reminders_said": rules.described(plan), "reminders_on": plan.on,
        "reminder_form": shown, "reminder_days": DAYS, "feed_url": feed,
        "reminder_errors": errors or {}, "push_key": _push_key(),
        "server_mode": _server(), "test_said": _tested(request.GET.get("tested", "")),
    }


def _tested(code: str) -> str:
    """What a test reminder did, from its short code ("push-1"); "" for none or nonsense."""
    channel, _, took = code.partition("-")
    if channel not in rules.CHANNELS or not took.isdigit():
        return ""
    return rules.after_test(channel, int(took))


def _server() -> bool:
    from django.conf import settings

    return settings.MODE == "server"


def _push_key() -> str:
    from kindstep.store import push

    return push.application_server_key()


def _settings_again(request: HttpRequest, errors: dict, posted: dict | None = None):
    """The Settings page again with the message beside its field (status 422)."""
    from kindstep.web.views import settings_page

    request.method = "GET"  # show the page as it stands; nothing of the main form was sent
    response = settings_page(request, extra=settings_context(request, errors=errors,
                                                             posted=posted))
    response.status_code = 422
    return response


@require_POST
def pause(request: HttpRequest) -> HttpResponse:
    """Start (or change) a pause, or end it; back to where the form was."""
    person = request.person
    try:
        if request.POST.get("action") == "end":
            actions.end_pause(person, now=_now())
        else:
            actions.start_pause(person, until=request.POST.get("until") or None,
                                reason=request.POST.get("reason") or "unwell", now=_now())
    except InvalidInput as err:
        return _settings_again(request, {err.field: err.message})
    return redirect(safe_next(request, reverse("settings")) + "#pause-title")


@require_POST
def reminders(request: HttpRequest) -> HttpResponse:
    """Set the reminders from the Settings form, or turn them off."""
    person = request.person
    data = request.POST
    if data.get("action") == "off":
        actions.reminders_off(person)
        return redirect(reverse("settings") + "#reminders-title")
    start, end = data.get("quiet_start", "").strip(), data.get("quiet_end", "").strip()
    posted = {"days": data.getlist("days"), "time": data.get("time", ""),
              "channel": data.get("channel", "push"), "quiet_start": start, "quiet_end": end,
              "email": data.get("email", "")}
    try:
        if bool(start) != bool(end):
            raise InvalidInput("quiet", "Quiet hours need both a start and an end, or neither.")
        actions.set_reminders(person, days=",".join(posted["days"]), times=posted["time"],
                              channel=posted["channel"],
                              quiet=f"{start}-{end}" if start else None,
                              email=posted["email"] if _server() else None)
    except InvalidInput as err:
        return _settings_again(request, {err.field: err.message}, posted)
    return redirect(reverse("settings") + "#reminders-title")


@require_POST
def reminders_test(request: HttpRequest) -> HttpResponse:
    """Send a test reminder now, and say how it went."""
    from kindstep.store import reminders as sending

    channel, took = sending.send_test(request.person)
    # POST, then GET: the page says how it went from a short code, never a person's data.
    return redirect(f"{reverse('settings')}?tested={channel}-{min(took, 99)}#reminders-title")


@require_POST
def push_subscription(request: HttpRequest) -> HttpResponse:
    """Keep (or, with ``"remove": true``, forget) this browser's push subscription (JSON)."""
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError
    except ValueError:
        return JsonResponse({"error": "That was not a push subscription."}, status=422)
    if body.get("remove"):
        actions.remove_push_subscription(str(body.get("endpoint", "")))
        return JsonResponse({"ok": True})
    keys = body.get("keys") if isinstance(body.get("keys"), dict) else {}
    try:
        actions.add_push_subscription(request.person, endpoint=body.get("endpoint"),
                                      p256dh=keys.get("p256dh"), auth=keys.get("auth"))
    except InvalidInput as err:
        return JsonResponse({"error": err.message}, status=422)
    return JsonResponse({"ok": True})


@require_http_methods(["GET"])
def reminders_ics(request: HttpRequest) -> HttpResponse:
    """The calendar file, to download and open with a calendar app."""
    data = queries.reminders_calendar(request.person, _now())
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kindstep-reminders.ics"'
    return response


@require_POST
def feed_rotate(request: HttpRequest) -> HttpResponse:
    """Make (or make anew) the calendar feed's address; the old one stops working."""
    actions.rotate_feed_token(request.person)
    return redirect(reverse("settings") + "#reminders-title")


@require_http_methods(["GET"])
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The subscribable calendar feed: found only by its random token."""
    person = queries.feed_person(token)
    if person is None:
        raise Http404
    data = queries.reminders_calendar(person, _now())
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response

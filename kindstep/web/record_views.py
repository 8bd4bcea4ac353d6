"""History, and the entries in it: edit one, delete one (kept for an hour, out of every
page), and undo by its ID. A deleted entry's words never travel in an address: only its
ID does (``?undo=s12``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from kindstep.core import checks
from kindstep.core.catalogue import load_catalogue
from kindstep.core.checks import InvalidInput
from kindstep.store import actions, queries
from kindstep.web.clock import now as _now  # the web's one clock
from kindstep.web.pagecache import cached_page
from kindstep.web.pages import (
    MONTHS,
    WEEKDAYS,
    person_today,
    render_page,
    scale_choices,
    with_param,
)


def _entries(request, days: int) -> list[_EntryRow]:
    """History's entries of the last ``days`` days (``queries.timeline``: worded, newest day
    first), each as the row its template unpacks.

    Links and the line under each headline are prepared here, once per entry,
    instead of through template filters: a year of history renders several
    times faster.
    """
    rows = []
    for e in queries.timeline(request.person, today=person_today(request), days=days):
        when = _when(e.day)
        label = f"from {e.source}" if e.imported else e.id
        rows.append(_EntryRow(
            e.kind, e.what, " · ".join([when, label, *e.details]), e.note, e.imported,
            "" if e.imported else f"/history/{e.id}/edit/", f"/history/{e.id}/delete/",
            f"{e.what}, {when}"))
    return rows


def _when(day: date) -> str:
    """``Tue 24 Nov``, as ``%a %-d %b`` writes it in the C locale, without strftime."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


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
    return render_page(request, "history.html", {
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
    return render_page(request, "edit.html", {
        "ref": ref, "row": row, "activities": list(load_catalogue()), "errors": errors,
        "values": request.POST if request.method == "POST" else None,
        "scale": scale_choices(), "today": person_today(request),
    }, status=422 if errors else 200)


@require_POST
def delete(request: HttpRequest, entry: str) -> HttpResponse:
    """Remove an entry; for an hour it can be put back. The address that follows names the
    entry by its ID alone."""
    try:
        ref = actions.delete_entry(request.person, entry, now=_now())
    except InvalidInput:
        raise Http404("no such entry") from None
    return redirect(with_param(reverse("history"), "undo", ref.label))


@require_POST
def undo(request: HttpRequest) -> HttpResponse:
    """Put back an entry removed within the last hour, named by its ID."""
    try:
        ref = actions.restore_entry(request.person, request.POST.get("entry", ""), now=_now())
    except InvalidInput:
        return render_page(request, "message.html", {
            "title": "That can no longer be undone",
            "message": "Undo lasts an hour. You can log the entry again on the Log page.",
        }, status=400)
    if ref.already_back:  # a second press, or Back and Undo again
        return redirect(with_param(reverse("history"), "back", ref.label))
    return redirect(with_param(reverse("history"), "done", ref.label))

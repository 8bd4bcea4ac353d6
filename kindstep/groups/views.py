"""The peer group pages: my groups, making one, joining with a code, a group's week, my choices
in it, leaving it, and a new code for its creator.

Each view parses the form, calls one action or query (``groups/actions.py``,
``groups/queries.py``) and renders or redirects. A group the person is not in
answers 404, exactly like one that does not exist. Codes are only ever posted
in a form, never put in an address.
"""

from __future__ import annotations

from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from kindstep.core import groups as rules
from kindstep.core.checks import InvalidInput
from kindstep.groups import actions, queries
from kindstep.web.clock import now
from kindstep.web.pages import render_page

WRONG_CODES = 10
"""Invite codes that join nothing, per account, before joining waits a while..."""
WRONG_CODES_WAIT = 15 * 60
"""...this many seconds: enough to make guessing codes pointless, short enough not to matter."""

NOTES = {
    "left": "You have left the group. It no longer counts or shows anything of you.",
}
"""What a page says after a redirect, by a short code in the address (never a person's words)."""


def _member(request: HttpRequest, group: int):
    try:
        return actions.membership(request.person, group)
    except actions.NotInGroup:
        raise Http404("no such group") from None


def _groups_page(request: HttpRequest, *, errors: dict | None = None, posted: dict | None = None,
                 status: int = 200) -> HttpResponse:
    note = NOTES.get(request.GET.get("done", ""), "")
    return render_page(request, "groups/groups.html", {
        "current": "groups", "memberships": queries.my_groups(request.person),
        "errors": errors or {}, "posted": posted or {}, "note": note,
        "max_members": rules.MAX_MEMBERS,
    }, status=status)


@require_GET
def groups(request: HttpRequest) -> HttpResponse:
    """My groups, with a form to make one and a form to join one by its code."""
    return _groups_page(request)


@require_POST
def create(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "")
    try:
        group = actions.create_group(request.person, name=name, now=now())
    except InvalidInput as err:
        return _groups_page(request, errors={"name": err.message}, posted={"name": name},
                            status=422)
    return redirect("group", group=group.pk)


def _wrong_codes_key(request: HttpRequest) -> str:
    return f"kindstep-groups-wrong-codes-{request.user.pk}"


@require_POST
def join(request: HttpRequest) -> HttpResponse:
    """Join by the code typed in; a code that joins nothing is said kindly, nothing is written."""
    cache, key = caches["default"], _wrong_codes_key(request)
    if cache.get(key, 0) >= WRONG_CODES:
        return _groups_page(request, errors={"code": (
            "That is a lot of codes in a short while. Please wait a quarter of an hour and "
            "try again, or ask for the code once more.")}, status=429)
    try:
        group = actions.join_group(request.person, code=request.POST.get("code", ""), now=now())
    except InvalidInput as err:
        if not cache.add(key, 1, WRONG_CODES_WAIT):
            try:
                cache.incr(key)
            except ValueError:  # the quarter of an hour ended just now: a new one starts
                cache.set(key, 1, WRONG_CODES_WAIT)
        # The typed code is not shown back: it may be half of someone else's.
        return _groups_page(request, errors={"code": err.message}, status=422)
    return redirect("group", group=group.pk)


def _group_page(request: HttpRequest, mine, *, errors: dict | None = None,
                posted: dict | None = None, status: int = 200) -> HttpResponse:
    group = mine.group
    return render_page(request, "groups/group.html", {
        "current": "groups", "group": group, "mine": mine,
        "week": queries.group_week(group.pk, now()),
        "code": rules.shown_code(group.code), "creator": group.created_by_id == request.person.pk,
        "errors": errors or {},
        "choices": posted or {"show_my_days": mine.show_my_days, "display_name": mine.display_name},
        "saved": request.GET.get("done") == "saved", "new_code": request.GET.get("done") == "code",
    }, status=status)


@require_GET
def group(request: HttpRequest, group: int) -> HttpResponse:
    """The group's week: the counts, and the days of those who chose to show them."""
    return _group_page(request, _member(request, group))


@require_POST
def choices(request: HttpRequest, group: int) -> HttpResponse:
    """Save whether this group sees my days, and under which name."""
    mine = _member(request, group)
    show = request.POST.get("show_my_days", "")
    name = request.POST.get("display_name", "")
    try:
        actions.choose(request.person, group, show_my_days=show, display_name=name)
    except InvalidInput as err:
        return _group_page(request, mine, errors={err.field: err.message},
                           posted={"show_my_days": show == "on", "display_name": name}, status=422)
    return redirect(reverse("group", kwargs={"group": group}) + "?done=saved")


@require_POST
def leave(request: HttpRequest, group: int) -> HttpResponse:
    """Leave the group: from now on it counts and shows nothing of me."""
    try:
        actions.leave_group(request.person, group)
    except actions.NotInGroup:
        raise Http404("no such group") from None
    return redirect(reverse("groups") + "?done=left")


@require_POST
def new_code(request: HttpRequest, group: int) -> HttpResponse:
    """A new invite code (the group's creator only); the old one joins nothing from now."""
    try:
        actions.rotate_code(request.person, group)
    except actions.NotInGroup:
        raise Http404("no such group") from None
    return redirect(reverse("group", kwargs={"group": group}) + "?done=code")

"""What every kindstep page shares: the person's day, rendering with the safety box's
countries, the country chosen in a safety box, and the ``next`` address a form may give.

The views (``views.py``, ``record_views.py``, ``questionnaire_views.py``,
``insights_views.py`` ...) import these; nothing here renders a page of its own.
"""

from __future__ import annotations

import functools
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString

from kindstep.core.checks import InvalidInput
from kindstep.store import actions, queries
from kindstep.web.clock import now

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
"""Day and month names as ``%a`` and ``%b`` give them in the C locale, without strftime."""


def person_today(request: HttpRequest) -> date:
    """The person's own day at this instant (their time zone and day-start hour)."""
    return queries.today(request.person, now())


def render_page(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    """``kindstep/<template>`` with ``context``, as every view renders its page."""
    return render(request, f"kindstep/{template}", context, status=status)


SAFETY_COUNTRY = "safety_country"
"""The field of the safety box's country choice (_safety.html), posted to the page it is on."""


def choose_country(request: HttpRequest) -> bool:
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


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` address the form or link gave, when it stays on this site; else ``default``.

    Django's own check, so ``//example.org``, ``/\\example.org`` (which browsers follow
    off-site) and other hosts or schemes are never followed; on https, http is refused too.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def with_param(address: str, name: str, value: str) -> str:
    """``address`` with one more query parameter (after ``?`` or ``&``, as it needs)."""
    return f"{address}{'&' if '?' in address else '?'}{name}={value}"


def scale_choices() -> range:
    return range(0, 11)


@functools.cache
def country_options(chosen: str) -> SafeString:
    """Every country as ``<option>``s, by name, with ``chosen`` selected: the countries
    kindstep lists lines for first, then every other. Made once per process for each
    choice (some 250 options cost more through the template than the rest of Today)."""
    from kindstep.core import safety

    listed = safety.listed_countries()
    known = {code for code, _ in listed}
    others = [pair for pair in safety.all_countries() if pair[0] not in known]

    def options(pairs) -> SafeString:
        return format_html_join("", '<option value="{}"{}>{}</option>',
                                ((code, " selected" if code == chosen else "", name)
                                 for code, name in pairs))

    return format_html(
        '<optgroup label="Countries kindstep lists lines for">{}</optgroup>'
        '<optgroup label="Other countries (Find A Helpline, and your local emergency number)">'
        "{}</optgroup>", options(listed), options(others))

"""The Jinja2 environment behind every kindstep page (Django's own Jinja2 backend).

Jinja2 compiles each template to Python once per process; Django's template
language walks a node tree on every render, which cost the Today page more
than its queries. Autoescaping stays on (the backend's default): every
``{{ value }}`` is escaped unless it is already markup.

The templates keep Django's vocabulary where it helps: ``url('name', arg)``,
``static('path')``, ``csrf_input`` and ``csrf_token``, and the handful of
Django filters they used (``date``, ``floatformat``, ``pluralize``,
``capfirst``, ``stringformat``...), each calling Django's own function. URLs
and static paths never change while a process runs, so each is worked out once.
"""

from __future__ import annotations

import functools
from datetime import date

from jinja2 import ChainableUndefined, Environment
from markupsafe import Markup


def environment(**options) -> Environment:
    """The environment Django's Jinja2 backend builds (``OPTIONS["environment"]``)."""
    # A value that is not there prints nothing and any attribute of it is not there
    # either, as in Django's templates (an error page would help no one here), also
    # with DEBUG on (the backend would print "{{ name }}" markers into the page).
    options["undefined"] = ChainableUndefined
    options.setdefault("keep_trailing_newline", True)  # an included file ends as it did
    env = _Environment(**options)
    from kindstep.core.safety import listed_countries

    env.globals.update(url=url, static=static, site_nav=site_nav, in_more=in_more,
                       widthratio=widthratio,
                       # the countries a safety box offers in place, by name (_safety.html)
                       safety_countries=listed_countries())
    env.filters.update(
        date=date_filter, floatformat=floatformat, pluralize=pluralize, capfirst=capfirst,
        stringformat=stringformat, default_if_none=default_if_none, get_item=get_item,
        json_script=json_script,
    )
    return env


class _Environment(Environment):
    """Reads ``mapping.key`` as Django's templates do: a dict's key first, then its attribute.

    Jinja2 tries the attribute first, so every ``entry.what`` on a dict raised
    and caught an AttributeError: a large part of rendering a long record.
    """

    def getattr(self, obj, attribute):
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                if attribute not in _DICT_ATTRIBUTES:
                    return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


_DICT_ATTRIBUTES = frozenset(dir(dict))


# -- globals -------------------------------------------------------------------------------

_urls: dict[tuple, str] = {}


def url(name: str, *args) -> str:
    """``reverse(name, args=args)`` (``{% url %}``), worked out once per process.

    kindstep's URLs never change while it runs, and it is served from one
    place (its script prefix, if any, is the same for every request).
    """
    key = (name, *args)
    found = _urls.get(key)
    if found is None:
        from django.urls import reverse

        found = _urls[key] = reverse(name, args=args)
    return found


_statics: dict[str, str] = {}


def static(path: str) -> str:
    """The URL of a packaged static file (``{% static %}``), worked out once."""
    found = _statics.get(path)
    if found is None:
        from django.templatetags.static import static as django_static

        found = _statics[path] = django_static(path)
    return found


_navs: dict[tuple[str, str], Markup] = {}


def site_nav(current: str, which: str = "all") -> Markup:
    """The navigation's list items, ``current`` marked with aria-current; made once per page.

    ``which``: ``"all"`` the pages in order (wide screens); ``"phone"`` the
    first few, for one row on a narrow screen; ``"more"`` the rest, which a
    narrow screen keeps under "More pages".
    """
    found = _navs.get((current, which))
    if found is None:
        from markupsafe import escape

        from kindstep.web.context import NAV, ON_A_PHONE

        pages = {"all": NAV, "phone": NAV[:ON_A_PHONE], "more": NAV[ON_A_PHONE:]}[which]
        here = ' aria-current="page"'
        found = _navs[(current, which)] = Markup("".join(
            f'\n      <li><a href="{escape(url(name))}"{here if name == current else ""}>'
            f"{escape(label)}</a></li>\n    "
            for name, label in pages
        ))
    return found


def in_more(current: str) -> bool:
    """Whether ``current`` is one of the pages a narrow screen keeps under "More pages"."""
    from kindstep.web.context import NAV, ON_A_PHONE

    return any(name == current for name, _ in NAV[ON_A_PHONE:])


def widthratio(value, max_value, max_width) -> str:
    """Django's ``{% widthratio %}``: ``value / max_value * max_width``, rounded."""
    try:
        ratio = (float(value) / float(max_value)) * float(max_width)
        return str(round(ratio))
    except ZeroDivisionError:
        return "0"
    except (ValueError, TypeError, OverflowError):
        return ""


def csrf(request) -> dict:
    """The form token, worked out at most once per page and only if the page has a form.

    Replaces the backend's own ``csrf_input``/``csrf_token``, which mask a new
    token for every form on the page; asking for none leaves the CSRF cookie
    alone, so a page without forms can be kept (``pagecache``).
    """
    token = _Token(request)
    return {"csrf_token": token, "csrf_input": _Input(token)}


class _Token:
    __slots__ = ("request", "value")

    def __init__(self, request):
        self.request = request
        self.value = None

    def __str__(self) -> str:
        if self.value is None:
            from django.middleware.csrf import get_token

            self.value = get_token(self.request)
        return self.value

    def __bool__(self) -> bool:
        return True


class _Input:
    __slots__ = ("token",)

    def __init__(self, token: _Token):
        self.token = token

    def __html__(self) -> str:
        return f'<input type="hidden" name="csrfmiddlewaretoken" value="{self.token}">'

    __str__ = __html__


# -- filters with Django's meaning -------------------------------------------------------------


def date_filter(value, fmt: str = "") -> str:
    """Django's ``date`` filter (``django.template.defaultfilters.date``), nothing for no value.

    A date's text depends only on the date, the format and the language, so
    each is asked of Django once (a page of weeks would otherwise spend a
    tenth of its time formatting the same dates again).
    """
    if type(value) is date:
        from django.utils.translation import get_language

        return _django_text("date", value, fmt or None, get_language())
    from django.template.defaultfilters import date as django_date

    return django_date(value, fmt or None)


def floatformat(value, arg=-1) -> str:
    """Django's ``floatformat`` (``django.template.defaultfilters.floatformat``).

    A plain number's text is asked of Django once per number, places and
    language, as for dates.
    """
    if type(value) in (int, float) and type(arg) is int:
        from django.utils.translation import get_language

        return _django_text("floatformat", value, arg, get_language())
    from django.template.defaultfilters import floatformat as django_floatformat

    return django_floatformat(value, arg)


@functools.lru_cache(maxsize=4096, typed=True)
def _django_text(name: str, value, arg, language: str | None) -> str:
    """``django.template.defaultfilters.<name>(value, arg)``, kept (``language`` is part of the key).

    ``value`` is a date, an int or a float (the callers check the exact type),
    kept apart by type; 0.0 and -0.0 share a key, and Django gives both "0".
    """
    from django.template import defaultfilters

    return getattr(defaultfilters, name)(value, arg)


def pluralize(value, suffix: str = "s") -> str:
    """Django's ``pluralize`` (``django.template.defaultfilters.pluralize``)."""
    from django.template.defaultfilters import pluralize as django_pluralize

    return django_pluralize(value, suffix)


def capfirst(value) -> str:
    """Django's ``capfirst``: the first letter upper case, the rest untouched."""
    from django.template.defaultfilters import capfirst as django_capfirst

    return django_capfirst(value)


def stringformat(value, fmt: str) -> str:
    """Django's ``stringformat``: ``("%" + fmt) % value``, or nothing when that fails."""
    from django.template.defaultfilters import stringformat as django_stringformat

    return django_stringformat(value, fmt)


def default_if_none(value, default=""):
    """Django's ``default_if_none``."""
    return default if value is None else value


def get_item(mapping, key):
    """``mapping[key]``, or '' when absent."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


def json_script(value, element_id: str) -> Markup:
    """Django's ``json_script``: the value as JSON in a ``<script type="application/json">``."""
    from django.utils.html import json_script as django_json_script

    return Markup(django_json_script(value, element_id))

"""Keep a rendered page until the person's data changes.

A page is a function of the person's record, their settings, their local day
and the form token in their cookie, nothing else; every write moves the
person's ``data_version`` on (``kindstep/store/versioning.py``). So a page
rendered once is served again, unchanged, until one of those moves: going
back and forth between Today, Rhythm and History costs one small query, not
a dozen queries and a full render.

Kept out: anything but a GET with a 200 answer, a request without a CSRF
cookie (the page would have to set one), and one-off query strings (undo
links and "just saved" notes), which are rendered fresh every time.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse

CACHEABLE_PARAMS = frozenset({"days", "skip"})
"""Query parameters a kept page may vary by; any other one is rendered fresh."""
TIMEOUT = 15 * 60


def _cache():
    """Server mode keeps pages in each process's memory (its "pages" cache), never in the
    shared database cache: a rendered record is never written anywhere an erase misses."""
    return caches["pages" if "pages" in settings.CACHES else "default"]


def cached_page(view):
    """Serve ``view``'s page from the cache while nothing it depends on has changed."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        person = getattr(request, "person", None)
        token = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
        if (
            request.method != "GET"
            or person is None
            or not token
            or not set(request.GET) <= CACHEABLE_PARAMS
        ):
            return view(request, *args, **kwargs)
        from kindstep.store import queries
        from kindstep.web.clock import now

        day = queries.today(person, now())
        raw = "|".join(map(str, (view.__name__, request.get_full_path(), person.pk,
                                 person.data_version, day, token)))
        key = "kindstep:page:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
        kept = _cache().get(key)
        if kept is not None:
            return HttpResponse(kept, content_type="text/html; charset=utf-8")
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            _cache().set(key, response.content, TIMEOUT)
        return response

    return wrapper

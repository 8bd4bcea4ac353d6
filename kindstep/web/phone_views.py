"""kindstep on a phone: the web app manifest, the service worker, the install and offline pages.

The service worker (``static/kindstep/sw.js``) is served from the site's root,
``/sw.js``, so its scope is every page. This view puts its settings in front of
the file: the cache's version (a hash of every static file, so a new kindstep
replaces the old cache whole), the static files and the pages to keep for use
without a connection: Today, Log, Help now (for the person's country), the
offline page and the install page.

Entries made without a connection wait on the phone (``static/kindstep/offline.js``,
in IndexedDB) with an id made there; the check-in, Log and Rest views pass it
on as ``device_id``, and the store keeps each id once (``store/actions.py``).
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from kindstep.web.jinja import static, url
from kindstep.web.pages import render_page

STATIC_DIR = Path(__file__).resolve().parent / "static" / "kindstep"

THEME = "#2f5f57"
"""The accent colour of kindstep.css (``--accent``): the phone's title bar around the app."""
BACKGROUND = "#f7f6f2"
"""kindstep.css's page background (``--bg``): the splash screen while the app opens."""

KEPT_PAGES = ("today", "log", "help_now", "offline", "install")
"""The pages the service worker keeps from the start, by URL name."""

EARLIEST_KEPT = timedelta(days=14)
"""How old an entry made offline may be and still count at the time it was made."""
CLOCK_SKEW = timedelta(minutes=5)
"""How far ahead of the server a phone's clock may run."""


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest (W3C Web Application Manifest): what a phone needs to install kindstep."""
    icons = [{"src": static(f"kindstep/icons/icon-{n}.png"), "sizes": f"{n}x{n}",
              "type": "image/png", "purpose": "any"} for n in (192, 512)]
    icons += [{"src": static(f"kindstep/icons/maskable-{n}.png"), "sizes": f"{n}x{n}",
               "type": "image/png", "purpose": "maskable"} for n in (192, 512)]
    body = {
        "id": url("today"),
        "name": "kindstep",
        "short_name": "kindstep",
        "description": "A gentle companion for movement on hard days.",
        "start_url": url("today"),
        "scope": url("today"),
        "display": "standalone",
        "background_color": BACKGROUND,
        "theme_color": THEME,
        "icons": icons,
    }
    response = JsonResponse(body, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js``: the service worker, with its version and what it keeps put in front of it."""
    response = HttpResponse(_worker_source(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = url("today")
    # Browsers look for a new worker at least once a day; never let a cache keep an old one.
    response["Cache-Control"] = "no-cache"
    return response


@functools.cache
def _worker_source() -> str:
    files = _static_files()
    digest = hashlib.blake2b(digest_size=8)
    for path in files:
        digest.update(str(path.relative_to(STATIC_DIR)).encode() + b"\0" + path.read_bytes())
    config = {
        "version": "kindstep-" + digest.hexdigest(),
        "shell": [static("kindstep/" + p.relative_to(STATIC_DIR).as_posix()) for p in files
                  if p.name != "sw.js"],
        "pages": [url(name) for name in KEPT_PAGES],
        "help": url("help_now"),
        "offline": url("offline"),
        "move": url("move"),
        # Forms that may change the country, after which Help now is kept afresh.
        "country_changes": [url("settings"), url("country"), url("help_now")],
    }
    return (f"// Put here by kindstep/web/phone_views.py.\nself.KINDSTEP = {json.dumps(config)};\n"
            + (STATIC_DIR / "sw.js").read_text("utf-8"))


def worker_version() -> str:
    """The service worker's cache version, as ``/sw.js`` names it."""
    head = _worker_source().split("self.KINDSTEP = ", 1)[1].split(";\n", 1)[0]
    return json.loads(head)["version"]


def _static_files() -> list[Path]:
    return sorted(p for p in STATIC_DIR.rglob("*") if p.is_file() and not p.name.startswith("."))


@require_GET
def install(request: HttpRequest) -> HttpResponse:
    """How to put kindstep on a phone's home screen, with pictures, for iPhone and Android."""
    return render_page(request, "install.html", {})


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows for a page it has not kept, while there is no connection."""
    return render_page(request, "offline.html", {})


def entry_time(request: HttpRequest, now: datetime) -> datetime:
    """When the entry was made: the phone's ``made_at`` (milliseconds since 1970) for an entry
    kept offline and sent later, else ``now``.

    A check-in kept overnight belongs to the evening it was made, not the
    morning it was sent. A time more than a few minutes ahead of ``now`` or over
    two weeks old is not believed, and ``now`` stands.
    """
    raw = (request.POST.get("made_at") or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 15:
        return now
    made = datetime.fromtimestamp(int(raw) / 1000, tz=UTC)
    if now - EARLIEST_KEPT <= made <= now + CLOCK_SKEW:
        return min(made, now)
    return now

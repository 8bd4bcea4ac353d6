"""Requests per second and p50/p95 latency of Today, Rhythm and History, against a bare view.

Run: .venv/bin/python bench/web_render.py [--requests 300] [--floor]

A temporary data folder gets three years of daily data for one person
(check-ins, sessions, rest days). Each page is then requested through the
real WSGI stack (kindstep.web.wsgi.application: every middleware, the
template engine, the SQLite database) in-process, one request after another,
alongside a bare Django view that returns a short text through the same
stack. Pages are measured in alternating rounds so that drift on a shared
machine affects all of them alike, in two modes: "fresh" (no cookie, so every
request renders the page, as after any change) and "kept" (a browser that has
been before asks again while nothing changed: kindstep/web/pagecache.py).
The SQL column counts the statements one request runs, the middleware's
reading of the person included (the bare view runs that one too). "Help now"
(crisis lines: no reads of its own) is measured beside them as a floor: what
any page costs through the site's template and middleware.

``--floor`` adds a third mode, "free data": each page's reads and
computations (the queries, the rhythm, the suggestions, the calendar, the
history's entries) answer from a store filled by the first request, so only
the page's template, the site shell and the middleware are left. It shows
the most any way of keeping derived data could win for a page rendered anew.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

DATA = tempfile.mkdtemp(prefix="kindstep-webbench-")
os.environ["KINDSTEP_DATA_DIR"] = DATA
os.environ.pop("KINDSTEP_DATABASE_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "kindstep.settings"

urlpatterns: list = []  # filled in once Django is set up


def bare(request):
    """The baseline: the same stack, no template and no query of its own."""
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")


def seed(years: int = 3) -> tuple[int, int, int]:
    from kindstep.core.catalogue import load_catalogue
    from kindstep.store import actions, models

    person = actions.local_person()
    person.timezone = "UTC"
    person.save()
    catalogue = load_catalogue()
    rng = random.Random(11)
    today = datetime.now(UTC).date()
    sessions, checkins, rests = [], [], []
    for back in range(years * 365, -1, -1):
        d = today - timedelta(days=back)
        at = datetime(d.year, d.month, d.day, 9, tzinfo=UTC)
        checkins.append(models.CheckIn(person=person, at=at, day=d, energy=rng.randint(1, 9),
                                       mood=rng.randint(1, 9), anxiety=rng.randint(1, 9)))
        if rng.random() < 0.6:
            code = rng.choice(["walk", "walk_dog", "yoga_gentle", "stretch_seated", "cycle", "tai_chi"])
            sessions.append(models.MovementSession(
                person=person, day=d, activity=code, minutes=rng.randint(5, 45),
                met=catalogue[code].met, mood_before=rng.randint(2, 7), mood_after=rng.randint(3, 8)))
        elif rng.random() < 0.3:
            rests.append(models.RestDay(person=person, day=d))
    models.CheckIn.objects.bulk_create(checkins)
    models.MovementSession.objects.bulk_create(sessions)
    models.RestDay.objects.bulk_create(rests)
    return len(sessions), len(checkins), len(rests)


def request(app, path_info: str, query: str = "", cookie: str = "") -> float:
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path_info, "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8765", "HTTP_HOST": "127.0.0.1:8765",
        "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": False,
        "wsgi.run_once": False, "SERVER_PROTOCOL": "HTTP/1.1",
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    status = []
    start = time.perf_counter()
    body = b"".join(app(environ, lambda s, h, exc=None: status.append((s, h))))
    elapsed = time.perf_counter() - start
    if not status[0][0].startswith("200") or not body:
        raise RuntimeError(f"{path_info} answered {status[0][0]}")
    request.headers = status[0][1]
    return elapsed


def csrf_cookie(app) -> str:
    """The cookie a browser holds after its first visit (a page with a form sets it)."""
    request(app, "/log/")
    for name, value in request.headers:
        if name.lower() == "set-cookie" and value.strip().startswith("csrftoken="):
            return value.strip().split(";", 1)[0]
    raise RuntimeError("no CSRF cookie was set")


class FreeData:
    """Every read and computation behind the three pages, answering from memory (``--floor``).

    While on, the first call of each (by name and its arguments other than the
    person and the big record it was handed) is kept and returned ever after;
    ``off`` puts the real functions back, so the modes can alternate.
    """

    def __init__(self) -> None:
        from kindstep.core import rhythm, suggest
        from kindstep.store import queries
        from kindstep.web import views

        self.real, self.stand_in = {}, {}
        for module, name, by_args in (
            *((queries, name, True) for name in ("today_summary", "symptoms_to_heed", "history",
                                                 "rhythm_record", "imported_entries")),
            (views, "_entries", True),  # (request, days): kept by days
            (rhythm, "rhythm_of", False),  # one page each, always the same record here
            (suggest, "suggestions", False),
            (views, "_calendar", False),
        ):
            self.real[(module, name)] = getattr(module, name)
            self.stand_in[(module, name)] = self._keep(getattr(module, name), by_args)

    @staticmethod
    def _keep(real, by_args: bool):
        store = {}

        def answer(*args, **kwargs):
            key = (repr(args[1:]), repr(sorted(kwargs.items()))) if by_args else ()
            if key not in store:
                store[key] = real(*args, **kwargs)
            return store[key]

        return answer

    def on(self) -> None:
        for (module, name), function in self.stand_in.items():
            setattr(module, name, function)

    def off(self) -> None:
        for (module, name), function in self.real.items():
            setattr(module, name, function)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per page")
    parser.add_argument("--floor", action="store_true",
                        help="also measure each page with its reads and computations free")
    args = parser.parse_args()

    from kindstep import boot

    boot.setup(web=True)
    from django.conf import settings
    from django.urls import include, path

    urlpatterns.extend([path("bare/", bare), path("", include("kindstep.web.urls"))])

    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    counts = seed()
    print(f"three years of data: {counts[0]} sessions, {counts[1]} check-ins, {counts[2]} rest days")
    from kindstep.web.wsgi import application

    # "Help now" reads nothing but the person: it shows what any page through the site's
    # template and middleware costs, as a floor for the three measured ones.
    pages = {"bare view": "/bare/", "Today": "/", "Rhythm": "/rhythm/", "History": "/history/",
             "Help now": "/help-now/"}
    cookie = csrf_cookie(application)
    # "fresh": every request renders the page, as on a first visit or after any change.
    # "kept": a browser that has been here before, asking again while nothing changed.
    modes = {"fresh": "", "kept": cookie}
    for p in pages.values():  # warm caches, templates, connections
        for c in modes.values():
            for _ in range(5):
                request(application, p, cookie=c)
    free = FreeData() if args.floor else None
    if free:
        modes["free data"] = ""  # rendered anew each time, as "fresh", with nothing to read
        free.on()
        for p in pages.values():
            request(application, p)  # fills the store
        free.off()

    def switch(mode: str) -> None:
        if free:
            free.on() if mode == "free data" else free.off()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    statements: dict[tuple[str, str], int] = {}
    for mode, c in modes.items():  # SQL statements one request runs (the person's own included)
        switch(mode)
        for name, p in pages.items():
            with CaptureQueriesContext(connection) as captured:
                request(application, p, cookie=c)
            statements[(mode, name)] = len(captured)
    samples: dict[tuple[str, str], list[float]] = {(m, n): [] for m in modes for n in pages}
    rounds = 10
    per_round = max(1, args.requests // rounds)
    for _ in range(rounds):
        for mode, c in modes.items():
            switch(mode)
            for name, p in pages.items():
                for _ in range(per_round):
                    samples[(mode, name)].append(request(application, p, cookie=c))

    def stats(values: list[float]) -> tuple[float, float, float]:
        ordered = sorted(values)
        p50 = statistics.median(ordered) * 1000
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000
        rps = len(values) / sum(values)
        return rps, p50, p95

    print(f"\n{per_round * rounds} requests per page and mode, in-process WSGI, date {date.today()}:")
    print(f"  {'mode':<9} {'page':<10} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'vs bare':>8}"
          f" {'SQL':>4}")
    for mode in modes:
        base_rps = stats(samples[(mode, "bare view")])[0]
        for name in pages:
            rps, p50, p95 = stats(samples[(mode, name)])
            print(f"  {mode:<9} {name:<10} {rps:8.0f} {p50:8.2f} {p95:8.2f} {rps / base_rps:8.0%}"
                  f" {statements[(mode, name)]:4d}")
    print("\ntarget: Today, Rhythm and History each at least 50% of the bare view's throughput,"
          " p95 under 25 ms (Help now: a floor for comparison, no target)")


if __name__ == "__main__":
    main()

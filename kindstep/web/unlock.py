"""A locked kindstep file on the web: the first visit asks for the passphrase on a page.

Local mode only. While the file is locked and this server has no key for it,
:class:`UnlockMiddleware` sends every page to :func:`unlock` (Help now is always
shown: crisis lines need no passphrase and read nothing from the record). A
right passphrase gives the key, which this server process keeps in memory
(``store.lock.KEYS``) until it stops; the passphrase itself is not kept, and it
never appears in an address or a log line. A wrong one is refused kindly, and
nothing is read or written.

Guessing is slowed down (:class:`Tries`): the first :data:`FREE_TRIES` wrong
passphrases cost nothing but the key derivation itself; after them each further
try waits, 30 seconds at first, twice as long after each further wrong one, and
never more than :data:`LONGEST_WAIT`. The page says how long, in words. The
count is kept in this server process only (a number and a time, never a
passphrase), and a right passphrase sets it back to nothing. Tries are checked
one at a time, so many at once cannot get round the count. The time comes from
the web app's clock (``web/clock.py``).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kindstep.store import lock
from kindstep.web import clock

FREE_TRIES = 5
"""Wrong passphrases given before kindstep starts to wait between tries."""

FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)


def wait_after(wrong: int) -> timedelta:
    """How long the next try waits after ``wrong`` wrong passphrases in a row."""
    if wrong < FREE_TRIES:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** min(wrong - FREE_TRIES, 16), LONGEST_WAIT)


@dataclass
class Tries:
    """Wrong passphrases given to this server since the last right one: how many, and when
    the next try may be made. Never the passphrases themselves."""

    wrong: int = 0
    next_try: datetime | None = None
    guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def wait_left(self, now: datetime) -> timedelta | None:
        """How long until the next try may be made; None when it may be made now."""
        if self.next_try is None or now >= self.next_try:
            return None
        return self.next_try - now

    def note_wrong(self, now: datetime) -> None:
        self.wrong += 1
        wait = wait_after(self.wrong)
        self.next_try = now + wait if wait else None

    def reset(self) -> None:
        self.wrong = 0
        self.next_try = None


TRIES = Tries()
"""The count for this server process (local mode serves one file from one process)."""


def in_words(wait: timedelta) -> str:
    """A wait said plainly, rounded up: "30 seconds", "a minute", "about 4 minutes"."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 60:
        return f"{seconds} seconds" if seconds != 1 else "1 second"
    minutes = math.ceil(seconds / 60)
    return "a minute" if minutes == 1 else f"about {minutes} minutes"


def waiting_words(wait: timedelta, *, just_refused: bool = False) -> str:
    """The wait said kindly, with how long; ``just_refused``: after the try that started it."""
    first = ("That passphrase does not open this kindstep file. " if just_refused else
             "A few passphrases given here did not open this kindstep file. ")
    return (f"{first}To keep it safe from guessing, kindstep waits a little between tries now: "
            f"you can try again in {in_words(wait)}. Nothing was changed.")


def locked_file() -> Path | None:
    """The local file when it is locked and this process has no key for it yet; else None."""
    db = settings.DATABASES["default"]
    if settings.MODE != "local" or not db["ENGINE"].endswith("sqlite3"):
        return None
    live = Path(db["NAME"]).expanduser().absolute()
    # known_locked never opens the file (a close would drop SQLite's locks: lock.is_locked).
    if str(live) in lock.KEYS or not lock.known_locked(live):
        return None
    return live


class UnlockMiddleware:
    """Sends every page but Help now and the unlock page to the unlock page while locked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        live = locked_file()
        if live is not None:
            request.kindstep_locked = True  # PersonMiddleware then reads no record
            if request.path_info not in (reverse("unlock"), reverse("help_now")):
                return redirect("unlock")
        return self.get_response(request)


def _page(request: HttpRequest, error: str = "", status: int = 200,
          wait: timedelta | None = None) -> HttpResponse:
    notice = waiting_words(wait) if wait is not None and not error else ""
    response = render(request, "kindstep/unlock.html",
                      {"error": error, "notice": notice, "nav": (), "current": ""}, status=status)
    if wait is not None:
        response["Retry-After"] = str(max(1, math.ceil(wait.total_seconds())))
    return response


@require_http_methods(["GET", "POST"])
def unlock(request: HttpRequest) -> HttpResponse:
    """The passphrase form; a right passphrase unlocks the file for this server's life."""
    live = locked_file()
    if live is None:
        return redirect("today")
    if request.method == "GET":
        wait = TRIES.wait_left(clock.now())
        return _page(request, wait=wait)
    passphrase = request.POST.get("passphrase", "")
    if not passphrase:
        return _page(request, "Please type the passphrase you chose for your kindstep file.", 422)
    with TRIES.guard:  # one try at a time: tries made all at once still count one by one
        if str(live) in lock.KEYS:  # a try just before this one opened it
            return redirect("today")
        wait = TRIES.wait_left(clock.now())
        if wait is not None:  # not checked, and not counted: only a wait to tell
            return _page(request, waiting_words(wait), 429, wait)
        try:
            key = lock.key_for(live, passphrase)
        except lock.LockRefused as refused:
            TRIES.note_wrong(clock.now())
            wait = TRIES.wait_left(clock.now())
            words = refused.message if wait is None else waiting_words(wait, just_refused=True)
            return _page(request, words, 422, wait)
        TRIES.reset()
        lock.KEYS[str(live)] = key
    from kindstep import boot

    boot.ensure_migrated()  # the file could not be read before: bring it up to date now
    return redirect("today")

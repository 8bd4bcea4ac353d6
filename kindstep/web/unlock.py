"""A locked kindstep file on the web: the first visit asks for the passphrase on a page.

Local mode only. While the file is locked and this server has no key for it,
:class:`UnlockMiddleware` sends every page to :func:`unlock` (Help now is always
shown: crisis lines need no passphrase and read nothing from the record). A
right passphrase gives the key, which this server process keeps in memory
(``store.lock.KEYS``) until it stops; the passphrase itself is not kept, and it
never appears in an address or a log line. A wrong one is refused kindly, and
nothing is read or written.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kindstep.store import lock


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


def _page(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    return render(request, "kindstep/unlock.html", {"error": error, "nav": (), "current": ""},
                  status=status)


@require_http_methods(["GET", "POST"])
def unlock(request: HttpRequest) -> HttpResponse:
    """The passphrase form; a right passphrase unlocks the file for this server's life."""
    live = locked_file()
    if live is None:
        return redirect("today")
    if request.method == "GET":
        return _page(request)
    passphrase = request.POST.get("passphrase", "")
    if not passphrase:
        return _page(request, "Please type the passphrase you chose for your kindstep file.", 422)
    try:
        lock.KEYS[str(live)] = lock.key_for(live, passphrase)
    except lock.LockRefused as refused:
        return _page(request, refused.message, 422)
    from kindstep import boot

    boot.ensure_migrated()  # the file could not be read before: bring it up to date now
    return redirect("today")

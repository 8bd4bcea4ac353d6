"""One Playwright per test process, for every browser test in it.

Playwright's sync API cannot be started a second time in a process once one instance has
driven a page ("using Playwright Sync API inside the asyncio loop"), so a test that opened
its own after the session's Chromium had run failed, depending on which tests xdist gave
its worker first. Every browser test therefore enters :func:`sync_playwright` from here:
the first entry starts Playwright, later ones get the same instance, and it stops when
the process ends. Each test still launches and closes its own browsers and contexts.

It serves the tests of the first (local mode) pass, whose servers are other processes.
The server-mode browser tests on pytest-django's live server (tests/groups, tests/api)
read and write through Django's ORM in this very process, which refuses to run while a
started Playwright keeps its event loop: they start and stop their own Playwright, and
no session-wide browser runs in their pass.
"""

from __future__ import annotations

import atexit
from contextlib import contextmanager

_started = None


@contextmanager
def sync_playwright():
    """Playwright's sync API, started once for this process (see the module's docstring)."""
    global _started
    if _started is None:
        from playwright.sync_api import sync_playwright as start

        _started = start().start()
        atexit.register(_stop)
    yield _started


def _stop() -> None:
    global _started
    if _started is not None:
        try:
            _started.stop()
        except Exception:  # noqa: BLE001 - the process is ending; its driver goes with it
            pass
        _started = None

"""One Playwright per test process at a time, for every browser test in it.

Playwright's sync API cannot be started a second time in a process while one instance is
running ("using Playwright Sync API inside the asyncio loop"), so a test that opened its
own while the session's Chromium (tests/browser/conftest.py) was up failed, depending on
which tests xdist gave its worker first. Every browser test therefore enters
:func:`sync_playwright` from here: the first entry starts Playwright, entries while it runs
get the same instance, and the last one out stops it, as leaving Playwright's own context
manager does (so nothing of its event loop is left behind for Django, which refuses to
run its database calls beside a running loop). Each test still launches and closes its
own browsers and contexts.
"""

from __future__ import annotations

from contextlib import contextmanager

_started = None
_users = 0


@contextmanager
def sync_playwright():
    """Playwright's sync API, shared while it runs (see the module's docstring)."""
    global _started, _users
    if _started is None:
        from playwright.sync_api import sync_playwright as start

        _started = start().start()
    _users += 1
    try:
        yield _started
    finally:
        _users -= 1
        if _users == 0:
            playwright, _started = _started, None
            playwright.stop()

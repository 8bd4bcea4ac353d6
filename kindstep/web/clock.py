"""The web app's clock: the one place in ``kindstep/web`` that reads the time.

Every view, the page cache and the middleware ask :func:`now`, and hand the
instant on to the store and core (``now=``, ``today=``), which never read a
clock themselves. tests/test_architecture.py checks nothing else here does.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current instant, in UTC."""
    return datetime.now(UTC)

"""Periodic work: functions ``kindstep worker`` calls about once a minute with ``now``.

The one seam for work that is due by the clock rather than by a request (tidying, and
reminders later). Register a function with :func:`every_minute` under a short stable name,
in a module named in :data:`MODULES`::

    @periodic.every_minute("send_reminders")
    def send_reminders(now: datetime) -> None:
        ...  # find what is due at ``now`` and queue or do it

Each function is called with the same aware UTC ``now`` on every pass; it decides itself
what is due (so a pass that comes late, or twice, does the right thing). One function
that raises is logged by name and error type only (never its message, which could hold a
person's data) and does not stop the others. With several workers running, every worker
calls every function: a function that must run once per minute across all of them takes
a lock of its own (on PostgreSQL, ``pg_try_advisory_xact_lock``) or claims rows with
``SELECT ... FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

logger = logging.getLogger("kindstep.work")

EVERY = timedelta(minutes=1)
"""How often the worker calls the registered functions."""

MODULES: tuple[str, ...] = ("kindstep.work.tasks",)
"""Modules whose import registers periodic functions (add yours here)."""

REGISTRY: dict[str, Callable[[datetime], None]] = {}
"""Every periodic function, by its short stable name."""


def every_minute(name: str) -> Callable[[Callable[[datetime], None]], Callable[[datetime], None]]:
    """Register the decorated ``function(now)`` under ``name`` (a name used once only)."""
    def register(function: Callable[[datetime], None]) -> Callable[[datetime], None]:
        if REGISTRY.get(name, function) is not function:
            raise ValueError(f"A periodic function is already called {name!r}.")
        REGISTRY[name] = function
        return function

    return register


def load() -> dict[str, Callable[[datetime], None]]:
    """Import :data:`MODULES` (which registers their functions); returns the registry."""
    for module in MODULES:
        importlib.import_module(module)
    return REGISTRY


def run_all(now: datetime) -> dict[str, bool]:
    """Call every registered function with ``now``; which ones returned without an error."""
    done: dict[str, bool] = {}
    for name, function in load().items():
        try:
            function(now)
            done[name] = True
        except Exception as error:  # noqa: BLE001 - one job's trouble must not stop the others
            logger.error("Periodic job %s stopped with %s.", name, type(error).__name__)
            done[name] = False
    return done

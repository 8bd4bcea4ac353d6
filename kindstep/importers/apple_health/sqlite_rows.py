"""Writing raw rows into SQLite quickly: many rows to a statement, values bound as they are.

Used by the store's loader (on Django's connection, SQLite or PostgreSQL)
and by the parallel path's private part files (plain ``sqlite3``).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from itertools import chain

ROWS_PER_INSERT = 50
"""Rows per INSERT statement when raw rows are written (see :func:`insert_rows`)."""


def insert_rows(executemany: Callable[[str, list], int], one_row: str, many_rows: str,
                rows: list, n: int = ROWS_PER_INSERT) -> int:
    """Insert ``rows`` in statements of ``n`` rows each (the rest one by one); returns rows changed.

    ``one_row`` inserts one row; ``many_rows`` is the same statement with
    ``n`` rows of placeholders in its VALUES (see :func:`values_of`).
    ``executemany(sql, params)`` runs a statement for each parameter list
    and returns the rows it changed. Rows go in, in order, as one by one:
    SQLite and PostgreSQL insert a VALUES list row after row, and ``ON
    CONFLICT DO NOTHING`` leaves out a row that meets one before it. One
    statement per row paid the statement's set-up (and SQLite's
    AUTOINCREMENT bookkeeping) each time: 3.5 us a row into the indexed
    table against 2.1-2.2 us in statements of 20-50 rows.
    """
    full = len(rows) - len(rows) % n
    changed = 0
    if full:
        changed += executemany(many_rows, [list(chain.from_iterable(rows[i:i + n]))
                                           for i in range(0, full, n)])
    if full < len(rows):
        changed += executemany(one_row, rows[full:])
    return changed


def values_of(placeholders: str, n: int = ROWS_PER_INSERT) -> str:
    """``placeholders`` (one row's, with parentheses) ``n`` times, comma-separated."""
    return ", ".join([placeholders] * n)


_PLAIN = ((bytes, sqlite3.PrepareProtocol), (type(None), sqlite3.PrepareProtocol))


@contextlib.contextmanager
def plain_binding() -> Iterator[None]:
    """While the block lasts, Python's sqlite3 binds ``bytes`` and ``None`` without trying to adapt them.

    Before binding a parameter that is not an int, float, str or bytearray,
    sqlite3 looks for a way to adapt it: its registry, then ``__adapt__`` on
    its protocol type, where Python 3.11 formats an AttributeError only to
    throw it away (about 2,000 instructions; 3.12 no longer does). A raw row
    holds a key (bytes) and often a None or two, so a million rows paid for
    two million such errors. With an adapter registered, the lookup finds
    one at once that hands the value back as it was: bytes are bound as a
    blob, None as NULL, exactly as without it.

    sqlite3 keeps one registry for the whole process (there is no
    per-connection one), so this registers the two adapters for the block
    only and then puts the registry back as it was. Any other thread
    binding meanwhile binds the very same values, only sooner.
    """
    registry = sqlite3.adapters
    before = {k: registry[k] for k in _PLAIN if k in registry}
    sqlite3.register_adapter(bytes, bytes)  # bytes(b) is b itself
    sqlite3.register_adapter(type(None), {}.get)  # {}.get(None) is None
    try:
        yield
    finally:
        for k in _PLAIN:
            if k in before:
                registry[k] = before[k]
            else:
                registry.pop(k, None)

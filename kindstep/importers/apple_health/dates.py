"""Dates as Apple writes them: ``2024-01-02 07:08:09 +0100``, the local time of the sample.

Not ISO 8601 (a space before the offset); the first ten characters are the
local day. Dates stay text in the store (sortable within one offset); these
helpers check them, turn them into instants and bound them by the export's
own date.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, timedelta, timezone

# Digits are spelled [0-9]: ``\d`` would also take other scripts' digits (which no date
# parser here reads), and a range is quicker to test than a Unicode category.
DATE_RE = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2}) (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r" [+-](?:0[0-9]|1[0-4])[0-5][0-9]"
)
TWO_DATES_SAME_OFFSET = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2} (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r" ([+-](?:0[0-9]|1[0-4])[0-5][0-9])"
    r"\|[0-9]{4}-[0-9]{2}-[0-9]{2} (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9] \1"
)
"""``start|end``: both well-formed (as :data:`DATE_RE`) and with the same offset."""


def parse_time(text: str) -> datetime:
    """An aware datetime from Apple's ``2024-01-02 07:08:09 +0100``.

    >>> parse_time("2024-01-02 07:08:09 +0100").isoformat()
    '2024-01-02T07:08:09+01:00'
    """
    sign = -1 if text[20] == "-" else 1
    offset = timedelta(hours=int(text[21:23]), minutes=int(text[23:25])) * sign
    return datetime(
        int(text[0:4]), int(text[5:7]), int(text[8:10]),
        int(text[11:13]), int(text[14:16]), int(text[17:19]), tzinfo=timezone(offset),
    )


_MIDNIGHTS: dict[str, float] = {}


def utc_seconds(text: str) -> float:
    """Seconds since the epoch of a well-formed date (as :data:`DATE_RE` checks).

    The UTC seconds of the local midnight are kept per day and offset (a few
    thousand of them in a long export), so each call is a little arithmetic.

    >>> t = "1970-01-02 01:00:30 +0100"
    >>> utc_seconds(t) == parse_time(t).timestamp()
    True
    """
    k = text[:10] + text[20:]
    midnight = _MIDNIGHTS.get(k)
    if midnight is None:
        midnight = parse_time(f"{text[:10]} 00:00:00 {text[20:]}").timestamp()
        if len(_MIDNIGHTS) < 100_000:
            _MIDNIGHTS[k] = midnight
    return midnight + int(text[11:13]) * 3600 + int(text[14:16]) * 60 + int(text[17:19])


@functools.lru_cache(maxsize=4096)
def next_day(day: str) -> str:
    """The day after ``day`` (both ``YYYY-MM-DD``)."""
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def valid_day(d: str) -> bool:
    """Whether ``d`` is a real day written ``YYYY-MM-DD``."""
    try:
        date.fromisoformat(d)
    except ValueError:
        return False
    return len(d) == 10


NO_MAX_DAY = "9999-12-31"
"""The latest day a date may fall on before the export's ExportDate has been read."""


def export_max_day(value: str) -> str:
    """The last day an item may fall on in an export made at ``value`` (two days of slack)."""
    return (date.fromisoformat(value[:10]) + timedelta(days=2)).isoformat()

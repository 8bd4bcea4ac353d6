"""A person's days and weeks: local dates from instants, and week starts.

kindstep stores instants in UTC with the person's IANA time zone beside them
(docs/design.md, "Time"). A person's *day* is a local date whose start is moved
to ``day_start_hour`` (04:00 by default) so that a late night still belongs
to the day before. Nothing here reads the clock: instants come in as
arguments.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["person_day", "valid_timezone", "week_start"]


def _zone(name: object) -> tzinfo | None:
    """The time zone called ``name``, or None when there is no such zone."""
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        # ZoneInfoNotFoundError: unknown key. ValueError: keys that are not
        # normalized relative paths, or files that are not TZif data.
        # OSError: a key naming a directory of the tz database.
        return None


def _whole_in(value: object, low: int, high: int) -> bool:
    """True when ``value`` is a whole number (not a bool) from ``low`` to ``high``."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def valid_timezone(name: object) -> bool:
    """True when ``name`` is an IANA time zone kindstep can use.

    Anything that is not a non-empty string is not a time zone. Names are
    case-sensitive, as in the tz database.

    >>> valid_timezone("Europe/London"), valid_timezone("Mars/Olympus_Mons")
    (True, False)
    >>> valid_timezone(""), valid_timezone(None)
    (False, False)
    """
    return _zone(name) is not None


def person_day(at: datetime, timezone: str, day_start_hour: int) -> date:
    """The person's local date for the instant ``at``.

    A day starts at ``day_start_hour`` local wall-clock time, so with a start
    hour of 4 an instant at 02:30 local time belongs to the previous date.
    The start hour is read on the local clock, so days stay anchored to the
    wall clock across daylight-saving changes (such a day is simply 23 or 25
    hours long).

    Raises ValueError, with a message a person can act on, for a naive
    ``at``, an unknown time zone, or a start hour outside 0-23.

    >>> from datetime import timezone as tz
    >>> late = datetime(2025, 3, 7, 1, 30, tzinfo=tz.utc)  # 02:30 in Berlin
    >>> person_day(late, "Europe/Berlin", 4)
    datetime.date(2025, 3, 6)
    >>> person_day(late, "Europe/Berlin", 0)
    datetime.date(2025, 3, 7)
    """
    if not _whole_in(day_start_hour, 0, 23):
        raise ValueError(
            f"The day start hour should be a whole hour from 0 to 23; got {day_start_hour!r}."
        )
    if at.tzinfo is None or at.tzinfo.utcoffset(at) is None:
        raise ValueError(
            "This time has no time zone attached, so we cannot tell which day it belongs to. "
            "Please give a time with its time zone (an aware datetime)."
        )
    zone = _zone(timezone)
    if zone is None:
        raise ValueError(
            f"We could not find the time zone {timezone!r}. "
            "Try an IANA name such as 'Europe/London' or 'America/New_York'."
        )
    local = at.astimezone(zone)
    if local.hour < day_start_hour:
        return local.date() - timedelta(days=1)
    return local.date()


def week_start(day: date, first_weekday: int = 0) -> date:
    """The first day of the week that contains ``day``.

    ``first_weekday`` is 0 for Monday (ISO weeks, the default) through 6 for
    Sunday. Raises ValueError for any other value.

    >>> week_start(date(2025, 3, 6))          # a Thursday; ISO week
    datetime.date(2025, 3, 3)
    >>> week_start(date(2025, 3, 6), 6)       # weeks that start on Sunday
    datetime.date(2025, 3, 2)
    >>> week_start(date(2025, 3, 2), 6)       # a Sunday starts its own week
    datetime.date(2025, 3, 2)
    """
    if not _whole_in(first_weekday, 0, 6):
        raise ValueError(
            "The first day of the week should be a number from 0 (Monday) to 6 (Sunday); "
            f"got {first_weekday!r}."
        )
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)

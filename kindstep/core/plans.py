"""Plans: an activity a person chooses ahead, and the days it shows on Today.

Planning a small activity ahead, guessing how it will feel, doing it and
comparing is the working part of behavioural activation (docs/evidence.md
section 8). A plan here is a guess, not a promise: it shows on Today on its
day, and a plan not done simply fades; nothing is counted against it. Plans
never enter the rhythm (active days, habit strength, weeks met), which reads
only sessions and rest days.

Which days a plan shows on:

- A plan is made for a **calendar date** (``day``) and, if the person likes, a
  local wall-clock **time** (``at``). Repeating plans (``every``: weekdays)
  occur on each of those weekdays from ``day`` on.
- Each occurrence shows on the **person's day** its moment belongs to
  (``core.days.person_day``): a plan at 01:30 with the day starting at 04:00
  belongs to the day before, like a late-night session does. Without a time an
  occurrence shows on its own date.
- **Daylight saving**: a wall-clock time that does not exist on a spring-forward
  date (02:30 in a gap) is read as the moment after the gap (PEP 495, ``fold=0``),
  and one that happens twice on a fall-back date as its first moment. Either way
  each occurrence shows on exactly one person-day.

Nothing here reads the clock; time comes in as arguments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kindstep.core.checks import InvalidInput
from kindstep.core.days import person_day

__all__ = [
    "WEEKDAY_CODES",
    "Plan",
    "days_shown",
    "every_text",
    "next_shown",
    "parse_every",
    "parse_time",
    "plan_day",
    "shows_on",
]

WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday codes for ``--every``, Monday first (``date.weekday()`` order)."""

_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

AHEAD_DAYS = 366
"""How far ahead a plan can be made: a year is plenty for a guess."""


@dataclass(frozen=True)
class Plan:
    """One planned activity, as core reads it."""

    activity: str
    minutes: int
    day: date
    """The calendar date it is planned for (the first, when it repeats)."""
    at: time | None = None
    every: frozenset[int] = frozenset()
    """Weekdays (0 = Monday) it repeats on; empty for a one-off plan."""
    expect: int | None = None
    id: int | None = None


def parse_every(text: object) -> frozenset[int]:
    """The weekdays in ``mon,thu`` (names or three-letter codes), refused kindly otherwise.

    >>> sorted(parse_every("mon, Thursday"))
    [0, 3]
    >>> parse_every("")
    frozenset()
    """
    words = [w.strip().lower() for w in re.split(r"[,\s]+", str(text or "")) if w.strip()]
    days = set()
    for word in words:
        matches = [i for i, name in enumerate(_WEEKDAY_NAMES) if len(word) >= 3
                   and name.startswith(word)]
        if len(matches) != 1:
            raise InvalidInput(
                "every", f"kindstep reads weekdays such as mon,thu; {word!r} is not one of them.")
        days.add(matches[0])
    return frozenset(days)


def every_text(every: frozenset[int]) -> str:
    """``mon,thu`` for a set of weekdays ("" for none), the form kept in the record.

    >>> every_text(frozenset({3, 0}))
    'mon,thu'
    """
    return ",".join(WEEKDAY_CODES[d] for d in sorted(every))


def parse_time(text: object) -> time | None:
    """A local time written ``HH:MM`` (24-hour), or None for none.

    >>> parse_time("07:30"), parse_time("")
    (datetime.time(7, 30), None)
    """
    value = str(text or "").strip()
    if not value:
        return None
    match = re.fullmatch(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", value)
    if not match:
        raise InvalidInput("time", f"A time is written HH:MM, such as 07:30 or 18:00; got {value!r}.")
    return time(int(match.group(1)), int(match.group(2)))


def plan_day(value: object, *, today: date) -> date:
    """The date a plan is for: ``today``, ``tomorrow`` or ``YYYY-MM-DD``, from today on.

    >>> plan_day("tomorrow", today=date(2026, 3, 1))
    datetime.date(2026, 3, 2)
    """
    text = str(value if value is not None else "").strip().lower()
    if text in ("", "today"):
        return today
    if text == "tomorrow":
        return today + timedelta(days=1)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("date", f"The date {text!r} is not one kindstep can read; use "
                           "YYYY-MM-DD, today or tomorrow.") from None
    if day < today:
        raise InvalidInput("date", f"{day.isoformat()} has passed; a plan looks ahead, so pick "
                           "today or a later day.")
    if day > today + timedelta(days=AHEAD_DAYS):
        raise InvalidInput("date", f"{day.isoformat()} is more than a year away; a nearer day "
                           "works better for a plan.")
    return day


def _occurs(plan: Plan, on: date) -> bool:
    """Whether the plan has an occurrence on the calendar date ``on``."""
    if on < plan.day:
        return False
    if not plan.every:
        return on == plan.day
    return on.weekday() in plan.every


def _person_day_of(on: date, at: time | None, timezone: str, day_start_hour: int) -> date:
    """The person's day of an occurrence on calendar date ``on`` at wall-clock time ``at``."""
    if at is None:
        return on
    local = datetime.combine(on, at, tzinfo=ZoneInfo(timezone))  # fold=0, see the module doc
    return person_day(local.astimezone(UTC), timezone, day_start_hour)


def shows_on(plan: Plan, day: date, *, timezone: str, day_start_hour: int) -> bool:
    """Whether ``plan`` shows on Today on the person's day ``day``.

    An occurrence belongs to its own date or, when its time falls before the
    day-start hour, the day before; so only ``day`` and the next date can hold one.

    >>> walk = Plan("walk", 10, date(2026, 3, 2), time(1, 30))
    >>> shows_on(walk, date(2026, 3, 1), timezone="UTC", day_start_hour=4)
    True
    >>> shows_on(walk, date(2026, 3, 2), timezone="UTC", day_start_hour=4)
    False
    """
    return any(
        _occurs(plan, on)
        and _person_day_of(on, plan.at, timezone, day_start_hour) == day
        for on in (day, day + timedelta(days=1))
    )


def days_shown(plan: Plan, first: date, last: date, *, timezone: str,
               day_start_hour: int) -> list[date]:
    """Every person-day from ``first`` to ``last`` (inclusive) that ``plan`` shows on, in order.

    >>> thursdays = Plan("walk", 10, date(2026, 3, 2), every=frozenset({0, 3}))
    >>> days_shown(thursdays, date(2026, 3, 1), date(2026, 3, 10), timezone="UTC",
    ...            day_start_hour=4)
    [datetime.date(2026, 3, 2), datetime.date(2026, 3, 5), datetime.date(2026, 3, 9)]
    """
    shown = []
    on = max(first, plan.day)
    while on <= last + timedelta(days=1):
        if _occurs(plan, on):
            day = _person_day_of(on, plan.at, timezone, day_start_hour)
            if first <= day <= last:
                shown.append(day)
            if not plan.every:
                break
        on += timedelta(days=1)
    return shown


def next_shown(plan: Plan, today: date, *, timezone: str, day_start_hour: int) -> date | None:
    """The first person-day from ``today`` on that ``plan`` shows on; None when it has faded.

    >>> once = Plan("walk", 10, date(2026, 3, 2))
    >>> next_shown(once, date(2026, 3, 3), timezone="UTC", day_start_hour=4) is None
    True
    """
    found = days_shown(plan, today, today + timedelta(days=8), timezone=timezone,
                       day_start_hour=day_start_hour)
    if found:
        return found[0]
    if plan.every:  # a repeating plan always comes round within a week and a day
        return None
    found = days_shown(plan, today, plan.day + timedelta(days=1), timezone=timezone,
                       day_start_hour=day_start_hour)
    return found[0] if found else None

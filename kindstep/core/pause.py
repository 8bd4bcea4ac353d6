"""A pause: "I'm unwell" or "I'm away", for a chosen span or until the person ends it.

While a pause holds, kindstep asks nothing of the person: paused days with
nothing logged neither count nor count against (``core.rhythm`` has the rule
for weeks and habit strength), reminders stop (``core.reminders``), and
Today offers rest and only the gentlest choices, with a kind line saying why
(``core.suggest``, ``paused=``). Ending a pause is as easy as starting one.

Pure: days come in as arguments, never from the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from kindstep.core.checks import InvalidInput

__all__ = ["REASONS", "Pause", "paused_days", "pause_note", "pause_until", "reason",
           "running", "described"]

REASONS = {"unwell": "I'm unwell", "away": "I'm away"}
"""The reasons a person can give, and how they read."""

LONGEST_DAYS = 366
"""A pause set with an end date reaches at most a year ahead (an open pause has no end)."""


@dataclass(frozen=True)
class Pause:
    """One pause: from ``start`` to ``until`` inclusive (None: until the person ends it)."""

    start: date
    until: date | None
    reason: str = "unwell"

    def covers(self, day: date) -> bool:
        """True when ``day`` is paused.

        >>> Pause(date(2026, 3, 2), date(2026, 3, 4)).covers(date(2026, 3, 4))
        True
        """
        return self.start <= day and (self.until is None or day <= self.until)


def paused_days(pauses: Iterable[Pause], *, first: date, last: date) -> frozenset[date]:
    """Every paused day from ``first`` to ``last`` inclusive.

    >>> sorted(paused_days([Pause(date(2026, 3, 2), None)], first=date(2026, 3, 1),
    ...                    last=date(2026, 3, 3)))
    [datetime.date(2026, 3, 2), datetime.date(2026, 3, 3)]
    """
    days: set[date] = set()
    for pause in pauses:
        start = max(pause.start, first)
        end = last if pause.until is None else min(pause.until, last)
        days.update(start + timedelta(days=n) for n in range((end - start).days + 1))
    return frozenset(days)


def running(pauses: Iterable[Pause], today: date) -> Pause | None:
    """The pause that covers ``today`` or starts later, or None."""
    ahead = [p for p in pauses if p.until is None or p.until >= today]
    return min(ahead, key=lambda p: p.start) if ahead else None


def reason(value: object) -> str:
    """A reason's code from what the person typed ("unwell", "away"); refuses anything else.

    >>> reason(" Away ")
    'away'
    """
    text = str(value or "unwell").strip().lower()
    if text not in REASONS:
        raise InvalidInput("reason", f"A pause is for 'unwell' or 'away'; got {text[:20]!r}.")
    return text


def pause_until(value: object, today: date) -> date | None:
    """The last paused day from "YYYY-MM-DD" (None or "" for until ended).

    It may be today, and at most :data:`LONGEST_DAYS` ahead.

    >>> pause_until("2026-03-09", date(2026, 3, 2))
    datetime.date(2026, 3, 9)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("until", f"The last day of the pause is a date like "
                                    f"{(today + timedelta(days=7)).isoformat()}; "
                                    f"got {text[:20]!r}.") from None
    if day < today:
        raise InvalidInput("until", f"The last day of the pause is today or later; "
                                    f"{day.isoformat()} has passed.")
    if day > today + timedelta(days=LONGEST_DAYS):
        raise InvalidInput("until", "A pause with an end date reaches at most a year ahead; "
                                    "leave the date out to pause until you end it.")
    return day


def described(pause: Pause | None, today: date) -> str:
    """What is set, in one kind sentence.

    >>> described(Pause(date(2026, 3, 2), date(2026, 3, 8), "away"), date(2026, 3, 3))
    "Paused (I'm away) until Sunday 8 March; nothing counts against you meanwhile."
    >>> described(None, date(2026, 3, 3))
    'No pause is set.'
    """
    if pause is None:
        return "No pause is set."
    why = REASONS.get(pause.reason, REASONS["unwell"])
    if pause.start > today:
        when = f"from {_day(pause.start)}"
        when += f" to {_day(pause.until)}" if pause.until else " until you end it"
        return f"A pause ({why}) is planned {when}."
    until = f"until {_day(pause.until)}" if pause.until else "until you end it"
    return f"Paused ({why}) {until}; nothing counts against you meanwhile."


def pause_note(reason_code: str) -> str:
    """The kind line Today shows while paused.

    >>> pause_note("away")[:24]
    "You're away, and that's "
    """
    if reason_code == "away":
        return ("You're away, and that's fine: nothing counts against you while you're paused. "
                "If something small feels possible, here are the gentlest choices; rest is "
                "just as good.")
    return ("You're unwell, so kindstep is paused: nothing counts against you. Rest is the "
            "kindest choice; if something very small feels possible, here are the gentlest.")


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _day(day: date) -> str:
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"

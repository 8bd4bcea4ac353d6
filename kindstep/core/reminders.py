"""Reminders the person sets, and nothing more: which are due, and how they read.

A person chooses weekdays, one or more local times, a channel (web push,
email, or a calendar feed) and, if they like, quiet hours. None is the
default. :func:`due_slots` is the one rule for what goes out at an instant:

* a slot is a chosen time on a chosen weekday, on the local wall clock of
  the person's time zone; it is due from that instant for :data:`GRACE`
  (so a worker that wakes a little late still sends it, and one that was
  down for hours does not send a stale one);
* a time that does not exist on a spring-forward day (02:30 when clocks
  jump from 02:00 to 03:00) goes out at the same instant the clock shows
  one gap later (03:30); a time that happens twice on a fall-back day goes
  out the first time only (Python's ``fold=0``, PEP 495);
* never on a day the person already moved or rested (their day, with its
  day-start hour), never on a paused day, never in quiet hours (read on the
  local clock at the instant it would go);
* each slot is (local date, "HH:MM"); the store sends a slot at most once
  (a unique row per person, day and slot).

The calendar channel sends nothing itself: the person's calendar shows the
events of the feed (``reports.calendar``).

Pure: ``now`` and every fact about the person come in as arguments.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kindstep.core.checks import InvalidInput
from kindstep.core.days import person_day

__all__ = ["CHANNELS", "GRACE", "Plan", "Slot", "due_slots", "in_quiet", "message",
           "parse_days", "parse_quiet", "parse_times", "slot_instant", "described"]

CHANNELS = ("push", "email", "calendar")
"""Where a reminder goes: web push, email (server mode), or the person's calendar."""

GRACE = timedelta(minutes=60)
"""How long after its time a slot may still go out (a worker that woke late)."""

MAX_TIMES = 3
"""At most this many times a day: reminders are an offer, not a drumbeat."""

DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Plan:
    """What the person chose. ``days`` 0 = Monday; ``quiet`` (start, end) may cross midnight."""

    days: frozenset[int] = frozenset()
    times: tuple[time, ...] = ()
    channel: str = "push"
    quiet: tuple[time, time] | None = None

    @property
    def on(self) -> bool:
        """True when any reminder is set."""
        return bool(self.days and self.times)


@dataclass(frozen=True)
class Slot:
    """One reminder to send: its local date and chosen time, and the instant it falls due."""

    day: date
    """The local calendar date of the slot."""
    time: time
    at: datetime
    """The UTC instant of the slot (after any daylight-saving shift)."""

    @property
    def key(self) -> str:
        """The chosen time as "HH:MM", the slot's part of its unique key."""
        return f"{self.time:%H:%M}"


def parse_days(value: object) -> frozenset[int]:
    """Weekdays from "mon,wed,fri" (names or three letters), "weekdays", "every day".

    >>> sorted(parse_days("mon, Wednesday,fri"))
    [0, 2, 4]
    """
    text = str(value or "").strip().lower()
    if text in {"every day", "everyday", "daily", "all"}:
        return frozenset(range(7))
    if text == "weekdays":
        return frozenset(range(5))
    days = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        code = part[:3]
        if code not in DAY_CODES or (len(part) > 3 and DAY_NAMES[DAY_CODES.index(code)].lower()
                                     != part):
            raise InvalidInput("days", f"Days are written like mon,wed,fri; {part[:12]!r} is "
                                       f"not one.")
        days.add(DAY_CODES.index(code))
    if not days:
        raise InvalidInput("days", "Choose at least one day, like mon,wed,fri.")
    return frozenset(days)


_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _time(field: str, text: str) -> time:
    match = _TIME.match(text.strip())
    if not match:
        raise InvalidInput(field, f"A time is written like 08:30 (24-hour clock); got "
                                  f"{text.strip()[:12]!r}.")
    return time(int(match[1]), int(match[2]))


def parse_times(value: object) -> tuple[time, ...]:
    """Local times from "08:30" or "08:30,18:00", sorted, at most :data:`MAX_TIMES`.

    >>> parse_times("18:00, 8:30")
    (datetime.time(8, 30), datetime.time(18, 0))
    """
    parts = [p for p in str(value or "").split(",") if p.strip()]
    if not parts:
        raise InvalidInput("time", "Choose a time, like 08:30.")
    times = tuple(sorted({_time("time", p) for p in parts}))
    if len(times) > MAX_TIMES:
        raise InvalidInput("time", f"At most {MAX_TIMES} times a day; reminders are meant to "
                                   "be few.")
    return times


def parse_quiet(value: object) -> tuple[time, time] | None:
    """Quiet hours from "22:00-07:00" (may cross midnight); "" or None for none.

    >>> parse_quiet("22:00-07:00")
    (datetime.time(22, 0), datetime.time(7, 0))
    """
    text = str(value or "").strip()
    if not text or text.lower() == "none":
        return None
    start, sep, end = text.partition("-")
    if not sep:
        raise InvalidInput("quiet", f"Quiet hours are written like 22:00-07:00; got {text[:20]!r}.")
    span = (_time("quiet", start), _time("quiet", end))
    if span[0] == span[1]:
        raise InvalidInput("quiet", "Quiet hours need a start and an end that differ.")
    return span


def in_quiet(moment: time, quiet: tuple[time, time] | None) -> bool:
    """True when the local time ``moment`` falls in the quiet hours (start included, end not).

    >>> q = (time(22), time(7))
    >>> in_quiet(time(23, 30), q), in_quiet(time(6, 59), q), in_quiet(time(7), q)
    (True, True, False)
    """
    if quiet is None:
        return False
    start, end = quiet
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def slot_instant(day: date, at: time, timezone: str) -> datetime:
    """The UTC instant of local time ``at`` on ``day`` in ``timezone``.

    A wall time skipped by a spring-forward change lands one gap later; one that
    happens twice lands on the first (``fold=0``).

    >>> slot_instant(date(2026, 3, 29), time(1, 30), "Europe/London").isoformat()
    '2026-03-29T01:30:00+00:00'
    >>> slot_instant(date(2026, 7, 1), time(8, 30), "Europe/London").isoformat()
    '2026-07-01T07:30:00+00:00'
    """
    local = datetime.combine(day, at, tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


def due_slots(
    plan: Plan,
    *,
    timezone: str,
    day_start_hour: int,
    logged_days: Iterable[date],
    paused_days: Iterable[date],
    now: datetime,
) -> list[Slot]:
    """The slots due at ``now``, by the rules of the module docstring, earliest first.

    ``logged_days`` are the person's days (``core.days.person_day``) with a
    session or a rest day; ``paused_days`` their paused days. Sending each at
    most once is the store's part (a slot's key is its local date and time).

    >>> plan = Plan(frozenset({0}), (time(8, 30),))
    >>> at = datetime(2026, 12, 7, 8, 31, tzinfo=UTC)  # a Monday
    >>> [s.key for s in due_slots(plan, timezone="UTC", day_start_hour=4, logged_days=(),
    ...                           paused_days=(), now=at)]
    ['08:30']
    """
    if not plan.on:
        return []
    zone = ZoneInfo(timezone)
    logged, paused = set(logged_days), set(paused_days)
    today = now.astimezone(zone).date()
    due = []
    for day in (today - timedelta(days=1), today):
        if day.weekday() not in plan.days:
            continue
        for chosen in plan.times:
            at = slot_instant(day, chosen, timezone)
            if not at <= now < at + GRACE:
                continue
            if in_quiet(at.astimezone(zone).time(), plan.quiet):
                continue
            theirs = person_day(at, timezone, day_start_hour)
            if theirs in logged or theirs in paused:
                continue
            due.append(Slot(day=day, time=chosen, at=at))
    return sorted(due, key=lambda s: s.at)


_OFFERS = (
    "A two-minute stand outside, if it feels possible.",
    "If you like, a few slow breaths by a window. Rest counts too.",
    "A short, gentle stretch could be nice, if today allows it.",
    "Maybe a slow walk to the end of the street? Only if it feels right.",
    "A few minutes of gentle movement, if it feels possible; resting is fine too.",
    "If there's a little energy today, a small step outside is there for you.",
)
"""What a reminder says: offers, never pressure (tests/words.py checks every one)."""

TITLE = "kindstep"


def message(slot: Slot) -> str:
    """The reminder's words, varied by day and time (the same slot always reads the same).

    >>> message(Slot(date(2026, 12, 7), time(8, 30), datetime(2026, 12, 7, 8, 30, tzinfo=UTC)))
    ... # doctest: +ELLIPSIS
    '...'
    """
    digest = hashlib.sha256(f"{slot.day.isoformat()} {slot.key}".encode()).digest()
    return _OFFERS[digest[0] % len(_OFFERS)]


TEST_MESSAGE = "This is a test reminder from kindstep. Real ones offer, never press."


def after_test(channel: str, took: int) -> str:
    """What the person is told after a test reminder, on every interface.

    >>> after_test("push", 0)[:26]
    'No browser has turned on n'
    """
    if channel == "calendar":
        return "Calendar reminders come from your calendar app, from the file or feed."
    if took:
        return f"Sent a test reminder ({took} {'device' if channel == 'push' else 'address'})."
    if channel == "push":
        return ("No browser has turned on notifications yet; turn them on from the web "
                "Settings page.")
    return "The test email could not be sent; the email settings may need a look."


def described(plan: Plan) -> str:
    """What is set, in one sentence.

    >>> described(Plan(frozenset({0, 2, 4}), (time(8, 30),), "push", (time(22), time(7))))
    'Reminders on Monday, Wednesday and Friday at 08:30, by web push; quiet 22:00-07:00.'
    >>> described(Plan())
    'No reminders are set.'
    """
    if not plan.on:
        return "No reminders are set."
    names = [DAY_NAMES[d] for d in sorted(plan.days)]
    days = "every day" if len(names) == 7 else "on " + (
        names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1])
    times = ", ".join(f"{t:%H:%M}" for t in plan.times)
    how = {"push": "by web push", "email": "by email", "calendar": "in your calendar"}
    text = f"Reminders {days} at {times}, {how.get(plan.channel, plan.channel)}"
    if plan.quiet:
        text += f"; quiet {plan.quiet[0]:%H:%M}-{plan.quiet[1]:%H:%M}"
    return text + "."

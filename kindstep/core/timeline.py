"""History's entries in words: the one place that says "Walk at an easy pace, 10 min".

``store.queries.timeline`` reads a person's record and turns each row into an
:class:`Entry` here; the CLI's ``kindstep history`` and the web's History page
lay those entries out, each in its own way, without wording them again. So
both interfaces (and any later one) name an entry alike, list the same days
by default and in the same order.

Pure: plain values in, plain values out; no Django, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kindstep.core import values
    from kindstep.core.catalogue import Catalogue

DEFAULT_DAYS = 28
"""How many days History shows unless asked for more: four whole weeks, the span the
weekly target is usually looked at over, and short enough to read at a glance."""

ENTRY_PREFIX = {"session": "s", "rest": "r", "checkin": "c", "journal": "j", "sleep": "n"}
"""Entries are named by a letter and a number (``s12``) so one ID names one row."""

KIND_ORDER = {"checkin": 0, "journal": 1, "session": 2, "rest": 3, "sleep": 4}
"""The order of kinds within one day (see :func:`ordered`)."""

REMOVED_WORDS = {"session": "a session", "rest": "a rest day", "checkin": "a check-in",
                 "journal": "a mood", "sleep": "a night's sleep"}
"""How a removed entry of each kind is named when its own words are no longer shown."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a person's record, worded for History.

    ``what`` is its headline ("Walk at an easy pace, 10 min"), ``details``
    the short facts beside it ("mood 4 → 6", "felt 5/10", "2.50 km"), ``note``
    the person's (or the app's) own words, shown as written. ``source`` is the
    app an imported entry came from, as a person knows it ("Daylio"), and ""
    for what was recorded in kindstep. ``value`` is the row the entry words
    (a core ``Session``, ``RestDay`` or ``CheckIn``, or an imported entry's
    plain dict), for an interface that lists the fields themselves (``--json``).
    """

    kind: str
    pk: int
    day: date
    what: str
    details: tuple[str, ...]
    note: str
    source: str
    value: object

    @property
    def id(self) -> str:
        """The ID a person types to edit or delete it: ``s12``, ``r3``, ``c5``, ``j4``, ``n9``."""
        return entry_id(self.kind, self.pk)

    @property
    def imported(self) -> bool:
        """True for a mood or night brought in from another app: removable, not editable."""
        return self.kind in ("journal", "sleep")


def entry_id(kind: str, pk: int) -> str:
    """The ID of the entry of ``kind`` numbered ``pk``: ``s12``."""
    return f"{ENTRY_PREFIX[kind]}{pk}"


def source_name(source: str) -> str:
    """An importer's source as a person knows it: ``apple_health`` is "Apple Health"."""
    return source.replace("_", " ").title()


def hours_text(hours: float) -> str:
    """``7.5 hours``, ``1 hour``: to a tenth of an hour."""
    shown = round(hours, 1)
    return f"{shown:g} hour" + ("" if shown == 1 else "s")


def session(s: values.Session, catalogue: Catalogue) -> Entry:
    """A session: its activity and length, then mood before and after, effort and distance."""
    activity = catalogue.get(s.activity)
    details = []
    if s.mood_before is not None or s.mood_after is not None:
        before = "?" if s.mood_before is None else s.mood_before
        after = "?" if s.mood_after is None else s.mood_after
        details.append(f"mood {before} → {after}")
    if s.effort is not None:
        details.append(f"felt {s.effort}/10")
    if s.distance_m:
        # Distance as the watch or file gave it. Energy is kept (and exported) but not shown:
        # calorie counts on a daily screen do more harm than good for some people.
        details.append(f"{s.distance_m / 1000:.2f} km")
    what = f"{activity.name if activity else s.activity}, {s.minutes} min"
    return Entry("session", s.id or 0, s.day, what, tuple(details), s.note, "", s)


def rest(r: values.RestDay) -> Entry:
    """A rest day, with its note."""
    return Entry("rest", r.id or 0, r.day, "Rest day", (), r.note, "", r)


def checkin(c: values.CheckIn) -> Entry:
    """A check-in's three scales, with how the body felt as its note."""
    what = f"Check-in: energy {c.energy}, mood {c.mood}, anxiety {c.anxiety}"
    return Entry("checkin", c.id or 0, c.day, what, (), c.body_note, "", c)


def journal(row: dict) -> Entry:
    """A mood from a journal app: the mood, energy and anxiety it gave, its activity labels.

    A Daylio mood the person named themselves shows its name beside the number
    ("Mood 3 (tired)"), or the name alone while it waits for its place on the scale.
    """
    from kindstep.core.moods import DEFAULT_NAMES

    name = row.get("mood_name") or ""
    if row["mood"] is None:
        mood = f"Mood: {name} (not placed on the scale yet)"
    elif name and name not in DEFAULT_NAMES:
        mood = f"Mood {row['mood']} ({name})"
    else:
        mood = f"Mood {row['mood']}"
    what = mood + "".join(
        f", {name} {row[name]}" for name in ("energy", "anxiety") if row.get(name) is not None)
    details = (", ".join(row["activities"]),) if row.get("activities") else ()
    return Entry("journal", row["pk"], row["day"], what, details, row.get("note") or "",
                 source_name(row["source"]), row)


def sleep(row: dict) -> Entry:
    """A night's sleep from another app, in hours."""
    return Entry("sleep", row["pk"], row["day"], f"Sleep: {hours_text(row['hours'])}", (), "",
                 source_name(row["source"]), row)


def ordered(entries: Iterable[Entry]) -> list[Entry]:
    """Newest day first; within a day check-ins, moods, movement, rest, sleep; the latest
    recorded first within a kind.

    Newest first because History is opened to see or mend something recent. Within
    a day the order follows the day as Today asks it: how you felt, then what you
    did or rested. Rows are numbered as they are recorded, so a higher number is
    a later entry.
    """
    return sorted(entries, key=lambda e: (e.day, -KIND_ORDER[e.kind], e.pk), reverse=True)

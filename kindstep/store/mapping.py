"""Rows to core values and back: the one place that knows both shapes."""

from __future__ import annotations

from kindstep.core import values
from kindstep.store import models


def profile(person: models.Person) -> values.Profile:
    """The person's settings as core's Profile."""
    return values.Profile(
        timezone=person.timezone,
        country=person.country,
        target_days=person.target_days,
        day_start_hour=person.day_start_hour,
        week_start=person.week_start,
        liked=frozenset(person.liked or ()),
        avoided=frozenset(person.avoided or ()),
        light_only=person.light_only,
    )


def checkin(row: models.CheckIn) -> values.CheckIn:
    """A check-in row as core's CheckIn."""
    return values.CheckIn(
        day=row.day,
        energy=row.energy,
        mood=row.mood,
        anxiety=row.anxiety,
        minutes_available=row.minutes_available,
        sleep_hours=row.sleep_hours,
        body_note=row.body_note,
        at=row.at,
        id=row.pk,
    )


def session(row: models.MovementSession) -> values.Session:
    """A session row as core's Session."""
    return values.Session(
        day=row.day,
        activity=row.activity,
        minutes=row.minutes,
        met=row.met,
        effort=row.effort,
        mood_before=row.mood_before,
        mood_after=row.mood_after,
        note=row.note,
        id=row.pk,
    )


def rest_day(row: models.RestDay) -> values.RestDay:
    """A rest-day row as core's RestDay."""
    return values.RestDay(day=row.day, note=row.note, id=row.pk)


ENTRY_PREFIX = {"session": "s", "rest": "r", "checkin": "c"}
"""Entries are named by a letter and a number (``s12``) so one ID names one row."""


def entry_id(kind: str, pk: int) -> str:
    """The ID a person types to edit or delete an entry: ``s12``, ``r3``, ``c5``."""
    return f"{ENTRY_PREFIX[kind]}{pk}"

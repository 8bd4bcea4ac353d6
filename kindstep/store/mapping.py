"""Rows to core values and back: the one place that knows both shapes."""

from __future__ import annotations

from kindstep.core import timeline, values
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
        **_readiness_limits(person),
    )


def _readiness_limits(person: models.Person) -> dict[str, bool]:
    """``see_doctor_first`` and ``supervised`` from the stored readiness answers
    (``core.readiness.standing_limits``); a doctor's go-ahead is ``not light_only``."""
    from kindstep.core.readiness import standing_limits

    first, supervised = standing_limits(person.readiness or {},
                                        doctor_go_ahead=not person.light_only)
    return {"see_doctor_first": first, "supervised": supervised}


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
        distance_m=row.distance_m,
        energy_kcal=row.energy_kcal,
    )


def rest_day(row: models.RestDay) -> values.RestDay:
    """A rest-day row as core's RestDay."""
    return values.RestDay(day=row.day, note=row.note, id=row.pk)


# Column orders that match the core dataclasses' field orders, so a reading of many
# rows builds values straight from ``values_list`` tuples without model instances
# (several times faster for a year or more of history).
SESSION_COLUMNS = ("day", "activity", "minutes", "met", "effort", "mood_before", "mood_after",
                   "note", "id", "distance_m", "energy_kcal")
CHECKIN_COLUMNS = ("day", "energy", "mood", "anxiety", "minutes_available", "sleep_hours",
                   "body_note", "at", "id")
REST_COLUMNS = ("day", "note", "id")


def sessions(queryset) -> tuple[values.Session, ...]:
    """Every session of ``queryset`` as core values, in the queryset's order."""
    return tuple(values.Session(*row) for row in queryset.values_list(*SESSION_COLUMNS))


def checkins(queryset) -> tuple[values.CheckIn, ...]:
    """Every check-in of ``queryset`` as core values, in the queryset's order."""
    return tuple(values.CheckIn(*row) for row in queryset.values_list(*CHECKIN_COLUMNS))


def rest_days(queryset) -> tuple[values.RestDay, ...]:
    """Every rest day of ``queryset`` as core values, in the queryset's order."""
    return tuple(values.RestDay(*row) for row in queryset.values_list(*REST_COLUMNS))


ENTRY_PREFIX = timeline.ENTRY_PREFIX
"""Entries are named by a letter and a number (``s12``) so one ID names one row."""


def entry_id(kind: str, pk: int) -> str:
    """The ID a person types to edit or delete an entry: ``s12``, ``r3``, ``c5``.

    Imported rows have one too, for removing them: ``j4`` a journal mood, ``n9``
    a night's sleep.
    """
    return timeline.entry_id(kind, pk)


def protocol(row: models.Experiment):
    """An experiment row's stored protocol as core's ``experiments.Protocol``."""
    from datetime import date

    from kindstep.core.experiments import Protocol

    p = row.protocol
    return Protocol(
        question=p["question"],
        intervention=p["intervention"],
        outcome=p["outcome"],
        start=date.fromisoformat(p["start"]),
        seed=int(p["seed"]),
        weeks=int(p["weeks"]),
        design=p["design"],
        when=p["when"],
        control=p["control"],
    )


def plan(row: models.Plan):
    """A plan row as core's ``plans.Plan``."""
    from kindstep.core.plans import Plan, parse_every

    return Plan(activity=row.activity, minutes=row.minutes, day=row.day, at=row.at,
                every=parse_every(row.every), expect=row.expect, id=row.pk)


def plan_id(pk: int) -> str:
    """The ID a person types to move or drop a plan: ``p3``."""
    return f"p{pk}"

"""Reads that feed the core, returning core's value objects."""

from __future__ import annotations

from datetime import date, datetime

from kindstep.core import values
from kindstep.core.days import person_day
from kindstep.store import mapping, models


def today(person: models.Person, now: datetime) -> date:
    """The person's local day at the instant ``now`` (after their day-start hour)."""
    return person_day(now, person.timezone, person.day_start_hour)


def history(
    person: models.Person, *, since: date | None = None, until: date | None = None
) -> values.History:
    """Sessions, rest days and check-ins from ``since`` to ``until`` (inclusive), oldest first."""

    def window(qs):
        if since is not None:
            qs = qs.filter(day__gte=since)
        if until is not None:
            qs = qs.filter(day__lte=until)
        return qs

    sessions = window(models.MovementSession.objects.filter(person=person)).order_by("day", "id")
    rests = window(models.RestDay.objects.filter(person=person)).order_by("day")
    checkins = window(models.CheckIn.objects.filter(person=person)).order_by("at", "id")
    return values.History(
        sessions=tuple(mapping.session(r) for r in sessions),
        rest_days=tuple(mapping.rest_day(r) for r in rests),
        checkins=tuple(mapping.checkin(r) for r in checkins),
    )


def latest_checkin(person: models.Person, day: date) -> values.CheckIn | None:
    """The most recent check-in of ``day``, or None; it is the one that counts."""
    row = models.CheckIn.objects.filter(person=person, day=day).order_by("-at", "-id").first()
    return mapping.checkin(row) if row else None


def first_day(person: models.Person) -> date | None:
    """The earliest day with any record, or None for a new person."""
    days = [
        qs.filter(person=person).order_by("day").values_list("day", flat=True).first()
        for qs in (models.MovementSession.objects, models.RestDay.objects, models.CheckIn.objects)
    ]
    days = [d for d in days if d is not None]
    return min(days) if days else None

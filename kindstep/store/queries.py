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


# -- the clinical core ---------------------------------------------------------------

QUESTIONNAIRES_OFFERED = ("phq9", "gad7")
"""The scales kindstep offers every two weeks; the short screens are taken only on request."""


def questionnaire_history(person: models.Person, scale: str | None = None) -> list:
    """Every questionnaire the person answered, as core ``scales.Result``s, oldest first.

    Each result is scored against the earlier ones of its scale, exactly as it
    was when it was taken, so change, reliable change, response and remission
    are consistent everywhere. ``scale`` keeps one scale (``"phq9"``).
    """
    from kindstep.core import scales

    rows = models.QuestionnaireResponse.objects.filter(person=person)
    if scale is not None:
        rows = rows.filter(scale=scales.get_scale(scale).code)
    earlier: dict[str, list[scales.Result]] = {}
    results: list[scales.Result] = []
    for row in rows.order_by("taken_at", "id"):
        before = earlier.setdefault(row.scale, [])
        result = scales.score(row.scale, row.answers, previous=before, difficulty=row.difficulty)
        before.append(result)
        results.append(result)
    return results


def questionnaire_rows(person: models.Person, scale: str | None = None) -> list:
    """The stored questionnaire rows, oldest first, for showing dates and ids next to results."""
    rows = models.QuestionnaireResponse.objects.filter(person=person)
    if scale is not None:
        rows = rows.filter(scale=scale)
    return list(rows.order_by("taken_at", "id"))


def questionnaire_due(person: models.Person, today: date) -> list[str]:
    """The scales to offer gently today: those not answered in the last 14 days.

    Empty when the person turned the offers off or postponed them past ``today``.
    """
    from django.db.models import Max

    from kindstep.core import scales

    if not person.checkin_reminders:
        return []
    until = person.questionnaire_postponed_until
    if until is not None and today < until:
        return []
    last = dict(
        models.QuestionnaireResponse.objects.filter(person=person, scale__in=QUESTIONNAIRES_OFFERED)
        .values("scale")
        .annotate(last=Max("day"))
        .values_list("scale", "last")
    )
    return [code for code in QUESTIONNAIRES_OFFERED if scales.is_due(last.get(code), today)]


def last_safety_event(person: models.Person):
    """The most recent safety event no check-in has asked about yet, or None."""
    return (
        models.SafetyEvent.objects.filter(person=person, acknowledged_at__isnull=True)
        .order_by("-at", "-id")
        .first()
    )

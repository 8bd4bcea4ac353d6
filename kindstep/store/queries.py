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
    person: models.Person,
    *,
    since: date | None = None,
    until: date | None = None,
    checkins: bool = True,
) -> values.History:
    """Sessions, rest days and check-ins from ``since`` to ``until`` (inclusive), oldest first.

    ``checkins=False`` leaves check-ins out, for readers (rhythm) that never use them.
    """

    def window(qs):
        if since is not None:
            qs = qs.filter(day__gte=since)
        if until is not None:
            qs = qs.filter(day__lte=until)
        return qs.filter(person=person)

    return values.History(
        sessions=mapping.sessions(window(models.MovementSession.objects).order_by("day", "id")),
        rest_days=mapping.rest_days(window(models.RestDay.objects).order_by("day")),
        checkins=(
            mapping.checkins(window(models.CheckIn.objects).order_by("at", "id")) if checkins else ()
        ),
    )


JOURNAL_COLUMNS = ("day", "at", "mood", "energy", "anxiety", "note", "activities", "source", "id")
"""What the record shows of an imported journal mood (``JournalEntry``), read with values_list."""
SLEEP_COLUMNS = ("day", "value", "source", "id")
"""What the record shows of an imported night's sleep (``DailyMeasure`` of kind sleep_hours)."""


def imported_entries(
    person: models.Person, *, since: date | None = None, until: date | None = None
) -> list[dict]:
    """Imported journal moods and hours asleep from ``since`` to ``until`` (inclusive), oldest first.

    Each is a plain dict: ``kind`` ``"journal"`` (``day``, ``at``, ``mood``,
    ``energy`` and ``anxiety`` when the app gave them, ``note``, the app's
    ``activities`` labels, ``source``, ``pk``) or ``"sleep"`` (``day``,
    ``hours``, ``source``, ``pk``). They are read-only: they are shown as they
    came, and nothing edits or removes them yet. Read with ``values_list``,
    without model instances, as the History page reads a year at a time.
    """

    def window(qs):
        qs = qs.filter(person=person)
        if since is not None:
            qs = qs.filter(day__gte=since)
        if until is not None:
            qs = qs.filter(day__lte=until)
        return qs

    journal = window(models.JournalEntry.objects).order_by("day", "at", "id")
    entries = [
        {"kind": "journal", **dict(zip(JOURNAL_COLUMNS[:-1], row[:-1], strict=True)),
         "activities": [str(label) for label in (row[6] or ())], "pk": row[-1]}
        for row in journal.values_list(*JOURNAL_COLUMNS)
    ]
    sleep = window(models.DailyMeasure.objects.filter(
        kind=models.DailyMeasure.Kind.SLEEP_HOURS)).order_by("day", "source", "id")
    entries += [
        {"kind": "sleep", "day": day, "hours": hours, "source": source, "pk": pk}
        for day, hours, source, pk in sleep.values_list(*SLEEP_COLUMNS)
    ]
    entries.sort(key=lambda e: e["day"])  # stable: journal before sleep within a day
    return entries


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


# -- personal evidence: insights and self-experiments -----------------------------------


def insights_for(person: models.Person, today: date):
    """Everything ``core.insights`` can honestly say about the person's record up to ``today``.

    Feeds the whole history (sessions, rest days, check-ins) and every PHQ-9
    and GAD-7 result, oldest first.

    Imported journal moods (Daylio, Bearable) count as a day's mood on days
    with no kindstep check-in, so a history brought in from another app is
    part of the evidence. On a day with both, the person's own kindstep
    check-ins win and that day's journal moods are left out (not averaged in).
    Among several journal moods of one day, the latest counts, as for check-ins.
    """
    from dataclasses import replace

    from kindstep.core.insights import insights

    results = [r for r in questionnaire_history(person) if r.code in ("phq9", "gad7")]
    record = history(person, until=today)
    own_days = {c.day for c in record.checkins}
    rows = (
        models.JournalEntry.objects.filter(person=person, day__lte=today)
        .order_by("day", "at", "id")
        .values_list("day", "at", "mood")
    )
    # core.insights reads only a check-in's day, at and mood (daily_mood); it never
    # reads energy or anxiety. So a journal mood travels as a CheckIn with a neutral
    # placeholder for those two, in a History built for insights() and nothing else.
    moods = tuple(
        values.CheckIn(day, JOURNAL_PLACEHOLDER, mood, JOURNAL_PLACEHOLDER, at=at)
        for day, at, mood in rows
        if day not in own_days
    )
    if moods:
        # Oldest first, as History promises; a stable sort keeps each day's own order.
        record = replace(record, checkins=tuple(
            sorted(record.checkins + moods, key=lambda c: c.day)))
    return insights(record, today=today, questionnaires=results)


JOURNAL_PLACEHOLDER = 5
"""Energy and anxiety given to a journal mood on its way to insights, which never reads them."""


def active_experiment(person: models.Person) -> models.Experiment | None:
    """The person's running self-experiment, or None (there is at most one)."""
    return (
        models.Experiment.objects.filter(person=person, status=models.Experiment.Status.ACTIVE)
        .order_by("-id")
        .first()
    )


def latest_experiment(person: models.Person) -> models.Experiment | None:
    """The running experiment, else the most recent one, else None."""
    return active_experiment(person) or (
        models.Experiment.objects.filter(person=person).order_by("-started_on", "-id").first()
    )


def experiment_ratings(
    experiment: models.Experiment,
) -> tuple[dict[date, float], frozenset[date] | None]:
    """The experiment's ratings by day, and the days the intervention was done.

    The done days are None when the person never said either way (adherence to the
    intervention is then unknown, not zero).
    """
    rows = list(experiment.outcomes.order_by("day").values_list("day", "value", "done"))
    ratings = {day: float(value) for day, value, _ in rows}
    said = [(day, done) for day, _, done in rows if done is not None]
    done_days = frozenset(day for day, done in said if done) if said else None
    return ratings, done_days


def experiment_result(
    person: models.Person, today: date, experiment: models.Experiment | None = None
):
    """``(row, protocol, ratings, core ExperimentResult)`` for the latest experiment, or None.

    The experiment is analysed up to ``today`` (or its stop day). Ratings
    dated after ``today`` (possible after a time-zone change) wait for their day.
    """
    from kindstep.core import experiments

    row = experiment or latest_experiment(person)
    if row is None:
        return None
    protocol = mapping.protocol(row)
    ratings, done = experiment_ratings(row)
    stopped = row.stopped_on
    today = max(today, protocol.start, stopped or protocol.start)
    ratings = {d: v for d, v in ratings.items() if d <= today}
    if done is not None:
        done = frozenset(d for d in done if d <= today)
    outcome = experiments.result(protocol, ratings, today=today, stopped_on=stopped, done=done)
    return row, protocol, ratings, outcome


def experiment_today(person: models.Person, day: date) -> dict | None:
    """Today's assignment in the running experiment, for `kindstep today`; None outside one."""
    from kindstep.core import experiments

    row = active_experiment(person)
    if row is None:
        return None
    protocol = mapping.protocol(row)
    assignment = experiments.assignment_for(protocol, day)
    if assignment is None:
        return None
    rated = row.outcomes.filter(day=day).values_list("value", flat=True).first()
    return {
        "id": row.pk,
        "question": protocol.question,
        "day": (day - protocol.start).days + 1,
        "days": protocol.days,
        "condition": assignment.condition,
        "do": protocol.intervention if assignment.condition == "B" else protocol.control,
        "outcome": protocol.outcome,
        "when": protocol.when,
        "rated_today": rated,
        "line": experiments.today_line(protocol, day),
    }

"""Reads that feed the core, returning core's value objects.

One module on purpose: every read of a person's record in one place, so that a rule a
person sees (today's offer, the timeline, the safety follow-up) is read one way for
every interface.

The reads behind every page view (the record, today's check-in, what is due)
are written out as plain SQL that SQLite and PostgreSQL both run, with
parameters, never formatted values. The ORM compiles a statement afresh on
each call, which cost several times more than running it; these statements
are fixed, so they are written once here. Rows come back in the same types
the ORM gives (``_aware``, ``_date`` and ``_json`` smooth over what SQLite
hands back as text), and tests/store/test_queries.py checks each against the
ORM on both databases.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from kindstep.core import values
from kindstep.core.days import person_day
from kindstep.store import mapping, models


def _fetch(sql: str, params) -> list[tuple]:
    """Every row of one statement (``%s`` placeholders, as Django's cursors take them)."""
    return _fetch_each((sql, params))[0]


def _fetch_each(*statements: tuple[str, list]) -> list[list[tuple]]:
    """Every row of each statement, in order, run on one cursor."""
    from django.db import connection

    with connection.cursor() as cursor:
        found = []
        for sql, params in statements:
            cursor.execute(sql, params)
            found.append(cursor.fetchall())
        return found


def _aware(value) -> datetime | None:
    """A stored instant as the ORM gives it: SQLite keeps UTC without the zone."""
    if value is None:
        return None
    if isinstance(value, str):  # SQLite, through a subquery that hides the column's type
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _date(value) -> date | None:
    """A day computed in SQL (``MAX(day)``): SQLite gives its text, PostgreSQL a date."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _json(value):
    """A JSON column's value: both databases hand back its text to Django, as here."""
    return json.loads(value) if isinstance(value, (str, bytes, bytearray)) else value


def _window(person: models.Person, since: date | None, until: date | None) -> tuple[str, list]:
    """``WHERE`` conditions for one person's rows from ``since`` to ``until``, with parameters.

    Rows the person removed (``removed_at`` set: waiting out the hour undo lasts, or an
    imported row kept only so a re-import leaves it out) are never part of the record.
    """
    where, params = ["person_id = %s", "removed_at IS NULL"], [person.pk]
    if since is not None:
        where.append("day >= %s")
        params.append(since)
    if until is not None:
        where.append("day <= %s")
        params.append(until)
    return " AND ".join(where), params


_SESSION_SELECT = f"SELECT {', '.join(mapping.SESSION_COLUMNS)} FROM kindstep_session"
_REST_SELECT = f"SELECT {', '.join(mapping.REST_COLUMNS)} FROM kindstep_rest_day"
_CHECKIN_SELECT = f"SELECT {', '.join(mapping.CHECKIN_COLUMNS)} FROM kindstep_checkin"
_CHECKIN_DAY = mapping.CHECKIN_COLUMNS.index("day")
_CHECKIN_AT = mapping.CHECKIN_COLUMNS.index("at")
_CHECKIN_ID = mapping.CHECKIN_COLUMNS.index("id")


def _checkin(row: tuple) -> values.CheckIn:
    row = list(row)
    row[_CHECKIN_DAY] = _date(row[_CHECKIN_DAY])
    row[_CHECKIN_AT] = _aware(row[_CHECKIN_AT])
    return values.CheckIn(*row)


def today(person: models.Person, now: datetime) -> date:
    """The person's local day at the instant ``now`` (after their day-start hour)."""
    return person_day(now, person.timezone, person.day_start_hour)


def history(
    person: models.Person,
    *,
    since: date | None = None,
    until: date | None = None,
    checkins: bool = True,
    rest_days: bool = True,
) -> values.History:
    """Sessions, rest days and check-ins from ``since`` to ``until`` (inclusive), oldest first.

    ``checkins=False`` leaves check-ins out, for readers (rhythm) that never use them;
    ``rest_days=False`` leaves rest days out (suggestions read sessions only).
    """

    where, params = _window(person, since, until)
    statements = [(f"{_SESSION_SELECT} WHERE {where} ORDER BY day, id", params)]
    if rest_days:
        statements.append((f"{_REST_SELECT} WHERE {where} ORDER BY day", params))
    if checkins:
        statements.append((f"{_CHECKIN_SELECT} WHERE {where} ORDER BY at, id", params))
    found = iter(_fetch_each(*statements))
    session, rest = values.Session, values.RestDay
    return values.History(
        sessions=tuple(session(*row) for row in next(found)),
        rest_days=tuple(rest(*row) for row in next(found)) if rest_days else (),
        checkins=tuple(_checkin(row) for row in next(found)) if checkins else (),
    )


def rhythm_record(
    person: models.Person, *, until: date | None = None
) -> tuple[list[tuple[int, int, float]], list[int]]:
    """What the rhythm reads, to ``until`` (inclusive): each session's ``(day, minutes, met)``
    in the record's order, and the rest days, each day as its ordinal (``date.toordinal()``;
    see ``core.rhythm.rhythm_of``).

    The Rhythm page reads three years at a time; three columns as plain
    tuples cost a quarter of what whole sessions as values cost, and the
    database counting each day's ordinal a third less than making a date of it.
    """

    where, params = _window(person, None, until)
    day = _day_ordinal()
    sessions, rests = _fetch_each(
        (f"SELECT {day}, minutes, met FROM kindstep_session WHERE {where} ORDER BY day, id",
         params),
        (f"SELECT {day} FROM kindstep_rest_day WHERE {where} ORDER BY day", params),
    )
    return sessions, [day for (day,) in rests]


def _day_ordinal() -> str:
    """SQL for the ``day`` column's ordinal, day 1 being 1 January of year 1 (as in Python).

    Both databases count days on the proleptic Gregorian calendar, as Python does.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        return "(day - DATE '0001-01-01' + 1)"
    return "CAST(julianday(day) - 1721424.5 AS INTEGER)"


JOURNAL_COLUMNS = ("day", "at", "mood", "energy", "anxiety", "note", "activities", "source",
                   "mood_name", "id")
"""What the record shows of an imported journal mood (``JournalEntry``), in reading order."""
SLEEP_COLUMNS = ("day", "value", "source", "id")
"""What the record shows of an imported night's sleep (``DailyMeasure`` of kind sleep_hours)."""


def imported_entries(
    person: models.Person, *, since: date | None = None, until: date | None = None
) -> list[dict]:
    """Imported journal moods and hours asleep from ``since`` to ``until`` (inclusive), oldest first.

    Each is a plain dict: ``kind`` ``"journal"`` (``day``, ``at``, ``mood``,
    ``energy`` and ``anxiety`` when the app gave them, ``note``, the app's
    ``activities`` labels, ``source``, ``pk``) or ``"sleep"`` (``day``,
    ``hours``, ``source``, ``pk``). They are shown as they came: they can be
    removed (``actions.delete_entry``), not changed, and removed ones are left
    out. Read as plain rows, without model instances, as the History page
    reads a year at a time.
    """

    where, params = _window(person, since, until)
    journal, sleep = _fetch_each(
        (f"SELECT {', '.join(JOURNAL_COLUMNS)} FROM kindstep_journal_entry"
         f" WHERE {where} ORDER BY day, at, id", params),
        (f"SELECT {', '.join(SLEEP_COLUMNS)} FROM kindstep_daily_measure"
         f" WHERE {where} AND kind = %s ORDER BY day, source, id",
         [*params, models.DailyMeasure.Kind.SLEEP_HOURS.value]),
    )
    entries = [
        {"kind": "journal", **dict(zip(JOURNAL_COLUMNS[:-1], row[:-1], strict=True)),
         "at": _aware(row[1]),
         "activities": [str(label) for label in (_json(row[6]) or ())], "pk": row[-1]}
        for row in journal
    ]
    entries += [
        {"kind": "sleep", "day": day, "hours": hours, "source": source, "pk": pk}
        for day, hours, source, pk in sleep
    ]
    entries.sort(key=lambda e: e["day"])  # stable: journal before sleep within a day
    return entries


def timeline(person: models.Person, *, today: date, days: int | None = None) -> list:
    """History: the person's entries of the last ``days`` days up to ``today``, worded and
    in one order (``core.timeline``: newest day first), as every interface lists them.

    ``days`` defaults to ``core.timeline.DEFAULT_DAYS``. Sessions, rest days and
    check-ins come with the moods and nights of sleep imported from other apps;
    removed entries are left out.
    """
    from kindstep.core import timeline as words
    from kindstep.core.catalogue import load_catalogue

    since = today - timedelta(days=(days or words.DEFAULT_DAYS) - 1)
    record = history(person, since=since, until=today)
    catalogue = load_catalogue()
    entries = [words.session(s, catalogue) for s in record.sessions]
    entries += [words.rest(r) for r in record.rest_days]
    entries += [words.checkin(c) for c in record.checkins]
    entries += [words.journal(i) if i["kind"] == "journal" else words.sleep(i)
                for i in imported_entries(person, since=since, until=today)]
    return words.ordered(entries)


_REMOVABLE = {"session": (models.MovementSession, mapping.session),
              "rest": (models.RestDay, mapping.rest_day),
              "checkin": (models.CheckIn, mapping.checkin)}


def removed_entry(person: models.Person, kind: str, pk: int, *, since: datetime):
    """The person's entry ``kind`` ``pk`` when it was removed at ``since`` or later (so undo can
    still put it back), worded as History words it; None otherwise."""
    from kindstep.core import timeline as words
    from kindstep.core.catalogue import load_catalogue

    if kind in _REMOVABLE:
        model, value = _REMOVABLE[kind]
        row = model.objects.filter(person=person, pk=pk, removed_at__gte=since).first()
        if row is None:
            return None
        if kind == "session":
            return words.session(value(row), load_catalogue())
        return words.rest(value(row)) if kind == "rest" else words.checkin(value(row))
    if kind == "journal":
        row = models.JournalEntry.objects.filter(person=person, pk=pk, removed_at__gte=since).first()
        return None if row is None else words.journal({
            "pk": row.pk, "day": row.day, "mood": row.mood, "energy": row.energy,
            "anxiety": row.anxiety, "note": row.note, "activities": row.activities or [],
            "source": row.source, "mood_name": row.mood_name})
    if kind == "sleep":
        row = models.DailyMeasure.objects.filter(
            person=person, pk=pk, kind=models.DailyMeasure.Kind.SLEEP_HOURS,
            removed_at__gte=since).first()
        return None if row is None else words.sleep(
            {"pk": row.pk, "day": row.day, "hours": row.value, "source": row.source})
    return None


PURGED_TABLES = ("kindstep_session", "kindstep_rest_day", "kindstep_checkin")
"""The tables whose removed rows are deleted for good once undo is over (imported moods and
nights stay, marked removed: they remember that a re-import should leave them out)."""


def removed_before(cutoff: datetime) -> bool:
    """Whether anyone's record holds a row removed before ``cutoff``, waiting to be purged.

    One statement; each table's small partial index holds only its removed rows,
    so it reads next to nothing however long the record.
    """
    from django.db import connection

    when = connection.ops.adapt_datetimefield_value(cutoff)
    found = _fetch("SELECT 1 WHERE " + " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} WHERE removed_at < %s)" for table in PURGED_TABLES),
        [when] * len(PURGED_TABLES))
    return bool(found)


def latest_checkin(person: models.Person, day: date) -> values.CheckIn | None:
    """The most recent check-in of ``day``, or None; it is the one that counts."""
    rows = _fetch(f"{_CHECKIN_SELECT} WHERE person_id = %s AND day = %s AND removed_at IS NULL"
                  " ORDER BY at DESC, id DESC LIMIT 1", [person.pk, day])
    return _checkin(rows[0]) if rows else None


def recent_checkins(person: models.Person, count: int = 3) -> list[values.CheckIn]:
    """The person's last ``count`` check-ins, oldest first (what ``safety.checkin_care`` reads)."""
    rows = _fetch(f"{_CHECKIN_SELECT} WHERE person_id = %s ORDER BY day DESC, at DESC, id DESC"
                  " LIMIT %s", [person.pk, count])
    return [_checkin(row) for row in reversed(rows)]


def first_day(person: models.Person) -> date | None:
    """The earliest day with any record, or None for a new person."""
    days = [
        qs.filter(person=person, removed_at__isnull=True).order_by("day")
        .values_list("day", flat=True).first()
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
        result = scales.score(row.scale, row.answers, previous=before, difficulty=row.difficulty,
                              taken_on=row.day)
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
    if not _offers_questionnaires(person, today):
        return []
    last = dict(_fetch(
        "SELECT scale, MAX(day) FROM kindstep_questionnaire WHERE person_id = %s"
        f" AND scale IN ({', '.join(['%s'] * len(QUESTIONNAIRES_OFFERED))}) GROUP BY scale",
        [person.pk, *QUESTIONNAIRES_OFFERED],
    ))
    return _due(last, today)


def _offers_questionnaires(person: models.Person, today: date) -> bool:
    """False when the person turned the offers off or postponed them past ``today``."""
    until = person.questionnaire_postponed_until
    return person.checkin_reminders and (until is None or today >= until)


def _due(last: dict, today: date) -> list[str]:
    """The offered scales due on ``today``, from the last day each was answered."""
    from kindstep.core import scales

    return [code for code in QUESTIONNAIRES_OFFERED
            if scales.is_due(_date(last.get(code)), today)]


def last_safety_event(person: models.Person):
    """The most recent safety event no check-in has asked about yet, or None."""
    return (
        models.SafetyEvent.objects.filter(person=person, acknowledged_at__isnull=True)
        .order_by("-at", "-id")
        .first()
    )


def open_safety_events(person: models.Person) -> list:
    """The newest open safety event of each kind, a PHQ-9 item-9 answer first: what the next
    check-in asks about (a later symptom never hides an earlier thought of self-harm)."""
    newest: dict[str, models.SafetyEvent] = {}
    for event in models.SafetyEvent.objects.filter(
            person=person, acknowledged_at__isnull=True).order_by("-at", "-id"):
        newest.setdefault(event.kind, event)
    order = [models.SafetyEvent.Kind.PHQ9_ITEM9, models.SafetyEvent.Kind.MOVEMENT_SYMPTOM]
    return [newest[kind] for kind in order if kind in newest]


def safety_event_open(person: models.Person, kind: str | None = None) -> bool:
    """Whether a safety event (of ``kind``, if given) waits to be asked about
    (without ``kind``: ``last_safety_event`` is not None)."""
    of_kind, params = ("", [person.pk]) if kind is None else (" AND kind = %s", [person.pk, kind])
    return bool(_fetch("SELECT 1 FROM kindstep_safety_event WHERE person_id = %s"
                       f" AND acknowledged_at IS NULL{of_kind} LIMIT 1", params))


def symptoms_to_heed(person: models.Person, day: date) -> tuple[str, ...]:
    """Worrying symptoms named while moving that ``day``'s choices should heed, oldest first.

    Chest pain, faintness and severe breathlessness (``core.suggest.SEE_DOCTOR_SYMPTOMS``)
    are heeded from the day they were named until the person says a doctor has seen them
    (``person.cleared_at``, set by ``actions.record_clearance``); a check-in does not lift
    them. Any other symptom is heeded until a check-in has asked about it, and on the day
    it was named (a check-in the same day does not make it a thing of the past).
    """
    from django.db import connection

    from kindstep.core.suggest import SEE_DOCTOR_SYMPTOMS

    adapt = connection.ops.adapt_datetimefield_value
    # A day is at most a day and a half from UTC midnight either way (zones and the start hour).
    since = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(days=2)
    cleared = person.cleared_at
    held, params = ("", []) if cleared is None else (" AND at > %s", [adapt(cleared)])
    rows = _fetch(  # one small statement: the Today page runs it on every fresh render
        "SELECT at, detail, acknowledged_at IS NULL FROM kindstep_safety_event"
        " WHERE person_id = %s AND kind = %s"
        f" AND (acknowledged_at IS NULL OR at >= %s OR (1 = 1{held}))"
        " ORDER BY at, id",
        [person.pk, models.SafetyEvent.Kind.MOVEMENT_SYMPTOM, adapt(since), *params],
    )
    found: list[str] = []
    for at, detail, open_ in rows:
        at = _aware(at)
        codes = (_json(detail) or {}).get("symptoms", [])
        after_clearance = cleared is None or at > cleared
        if open_ or today(person, at) == day:
            found += codes
        elif after_clearance:
            found += [code for code in codes if code in SEE_DOCTOR_SYMPTOMS]
    return tuple(dict.fromkeys(found))


def kept_light(person: models.Person, day: date,
               symptoms: tuple[str, ...] | None = None) -> str:
    """Why ``day``'s choices are held back (``core.suggest.kept_light``), or "".

    ``symptoms`` is ``symptoms_to_heed(person, day)`` when the caller has it already.
    """
    from kindstep.core.suggest import kept_light as reason

    if symptoms is None:
        symptoms = symptoms_to_heed(person, day)
    return reason(mapping.profile(person), symptoms)


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
    Paused days (``core.pause``) with no movement are left out of the day comparisons.
    """
    from dataclasses import replace

    from kindstep.core.insights import insights

    results = [r for r in questionnaire_history(person) if r.code in ("phq9", "gad7")]
    record = history(person, until=today)
    own_days = {c.day for c in record.checkins}
    rows = (
        models.JournalEntry.objects.filter(person=person, day__lte=today, removed_at__isnull=True,
                                           mood__isnull=False)  # a name not yet placed: no number
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
    from kindstep.core.catalogue import load_catalogue

    names = {activity.code: activity.name for activity in load_catalogue()}
    pairs = [(expected, actual) for _, _, expected, actual in prediction_pairs(person, until=today)]
    found = pauses(person)  # paused days with no movement count neither way (core.insights)
    paused = paused_days(person, first=found[0].start, last=today) if found else frozenset()
    return insights(record, today=today, questionnaires=results, names=names, predictions=pairs,
                    paused=paused)


JOURNAL_PLACEHOLDER = 5
"""Energy and anxiety given to a journal mood on its way to insights, which never reads them."""


def unplaced_moods(person: models.Person) -> list[tuple[str, int, int]]:
    """The person's Daylio mood names still waiting for a place: (name, entries, suggested level),
    in the order the names first appear in their diary. Removed entries count too, so a name
    placed later is right if they are brought back."""
    from django.db.models import Count, Min

    from kindstep.core.moods import suggested_level

    rows = (models.JournalEntry.objects
            .filter(person=person, source="daylio", mood__isnull=True).exclude(mood_name="")
            .values("mood_name").annotate(n=Count("id"), first=Min("at")).order_by("first", "mood_name"))
    return [(r["mood_name"], r["n"], suggested_level(r["mood_name"])) for r in rows]


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


_RUNNING = f"e.status = '{models.Experiment.Status.ACTIVE.value}'"
"""The running experiment, as a constant in the statement: ``status`` has a partial unique
index (one running experiment per person), and SQLite prepares a statement again on every
run when a parameter is compared with a partially indexed column (several times the cost)."""


def experiment_today(person: models.Person, day: date) -> dict | None:
    """Today's assignment in the running experiment, for `kindstep today`; None outside one."""
    # The running experiment (at most one) and its rating of ``day``, in one statement.
    found = _fetch(
        "SELECT e.id, e.protocol, o.value FROM kindstep_experiment e"
        " LEFT JOIN kindstep_experiment_outcome o ON o.experiment_id = e.id AND o.day = %s"
        f" WHERE e.person_id = %s AND {_RUNNING} ORDER BY e.id DESC LIMIT 1",
        [day, person.pk],
    )
    return _plan(*found[0], day) if found else None


def _plan(pk: int | None, stored, rated: int | None, day: date) -> dict | None:
    """``experiment_today`` from the running experiment's id, protocol and rating of ``day``."""
    from django.db import connection

    from kindstep.core import experiments

    if pk is None:
        return None
    row = models.Experiment.from_db(connection.alias, ["id", "protocol"], [pk, _json(stored)])
    protocol = mapping.protocol(row)
    assignment = experiments.assignment_for(protocol, day)
    if assignment is None:
        return None
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


# -- the Today page ------------------------------------------------------------------------


@dataclass(frozen=True)
class TodaySummary:
    """What the Today page shows besides the choices, read in one statement."""

    latest: values.CheckIn | None
    """``latest_checkin(person, day)``."""
    due: list[str]
    """``questionnaire_due(person, day)``."""
    safety_event_open: bool
    """``safety_event_open(person, PHQ9_ITEM9)``: an item-9 answer no check-in has asked about
    (worrying symptoms while moving are ``symptoms_to_heed``)."""
    experiment: dict | None
    """``experiment_today(person, day)``."""


_CHECKIN_COUNT = len(mapping.CHECKIN_COLUMNS)


def today_summary(person: models.Person, day: date) -> TodaySummary:
    """``latest_checkin``, ``questionnaire_due``, ``safety_event_open`` and ``experiment_today``.

    The same answers as those four, from one statement instead of four: each
    query costs the page more than what it reads.
    """
    scale_days = " ".join(
        "(SELECT MAX(day) FROM kindstep_questionnaire WHERE person_id = %s AND scale = %s),"
        for _ in QUESTIONNAIRES_OFFERED
    )
    row = _fetch(
        f"SELECT {', '.join('c.' + c for c in mapping.CHECKIN_COLUMNS)}, {scale_days}"
        " (SELECT COUNT(*) FROM kindstep_safety_event"
        "  WHERE person_id = %s AND acknowledged_at IS NULL AND kind = %s),"
        " e.id, e.protocol, o.value"
        " FROM (SELECT 1 AS one) AS base"
        f" LEFT JOIN ({_CHECKIN_SELECT} WHERE person_id = %s AND day = %s AND removed_at IS NULL"
        "  ORDER BY at DESC, id DESC LIMIT 1) AS c ON 1 = 1"
        f" LEFT JOIN kindstep_experiment e ON e.person_id = %s AND {_RUNNING}"
        " LEFT JOIN kindstep_experiment_outcome o ON o.experiment_id = e.id AND o.day = %s",
        [*(p for code in QUESTIONNAIRES_OFFERED for p in (person.pk, code)), person.pk,
         models.SafetyEvent.Kind.PHQ9_ITEM9, person.pk, day, person.pk, day],
    )[0]
    checkin, rest = row[:_CHECKIN_COUNT], row[_CHECKIN_COUNT:]
    last = dict(zip(QUESTIONNAIRES_OFFERED, rest, strict=False))
    safety, pk, stored, rated = rest[len(QUESTIONNAIRES_OFFERED):]
    return TodaySummary(
        latest=None if checkin[_CHECKIN_ID] is None else _checkin(checkin),
        due=_due(last, day) if _offers_questionnaires(person, day) else [],
        safety_event_open=safety > 0,
        experiment=_plan(pk, stored, rated, day),
    )


@dataclass(frozen=True)
class TodayOffer:
    """Everything Today shows, read once for every interface (`kindstep today`, its
    ``--json``, the web's Today page), so they cannot differ."""

    day: date
    latest: values.CheckIn | None
    """The check-in that counts today, or None."""
    offer: values.Offer | None
    """Three choices (fewer only when a doctor's advice leaves fewer) and rest; None when
    asked only after a check-in and there is none yet."""
    symptoms: tuple[str, ...]
    """``symptoms_to_heed``: worrying symptoms while moving that hold today's choices back."""
    kept_light: str
    """``core.suggest.kept_light``: why the choices are held back ("" when they are not)."""
    safety_follow_up_open: bool
    """An item-9 answer above 0 that no check-in has asked about yet."""
    due: list[str]
    """``questionnaire_due``: the questionnaires to offer gently today."""
    experiment: dict | None
    """``experiment_today``: today's part in a running self-experiment."""
    readiness_offered: bool
    """Whether the readiness questions were answered or skipped (asked once, never again)."""
    ask_country: bool
    """True until the person has been asked for their country once (or has chosen one)."""
    checkin_care: object | None = None
    """``core.safety.checkin_care``: one quiet line pointing to Help now after check-ins at
    an extreme, or None (earlier check-ins are read only when the latest is at one)."""
    pause: object | None = None
    """``core.pause.Pause`` covering today, or None: Today then offers rest and the gentlest."""
    planned: tuple = ()
    """``planned_on``: the person's plans for today, shown first, beside the choices."""
    welcome: str = "done"
    """How far the calm first run has gone ("", "about" or "done"; ``actions.welcome_step``)."""

    def as_dict(self, checkin) -> dict:
        """Everything Today shows as JSON (`kindstep today --json`, the API's ``/api/today``),
        the check-in as ``checkin(latest)`` gives it in each."""
        offer = self.offer
        return {
            "date": self.day,
            "checkin": checkin(self.latest) if self.latest else None,
            "choices": [{"activity": c.activity, "name": c.name, "minutes": c.minutes,
                         "intensity": c.intensity.code, "why": c.why}
                        for c in (offer.choices if offer else ())],
            "rest": {"label": offer.rest.label, "why": offer.rest.why} if offer else None,
            "notes": list(offer.notes) if offer else [],
            "kept_light": self.kept_light or None,
            "symptoms_heeded": list(self.symptoms),
            "safety_follow_up_open": self.safety_follow_up_open,
            "questionnaires_due": self.due,
            "experiment": self.experiment,
            "paused": self.pause.reason if self.pause else None,
            "planned": [p.as_dict() for p in self.planned],
        }


def today_offer(person: models.Person, now: datetime, *, seed: int = 0,
                without_checkin: bool = True) -> TodayOffer:
    """What Today shows at the instant ``now``: the choices sized to the day's check-in, and
    every note beside them. ``without_checkin=False`` leaves the choices out (``offer`` None)
    until there is a check-in today, as the web's Today asks for one first; but not while
    paused (``core.pause``): a pause asks nothing of the person, so its gentlest choices
    and rest show at once, as `kindstep today` shows them."""
    from kindstep.core.catalogue import load_catalogue
    from kindstep.core.suggest import RECENT_DAYS, suggestions
    from kindstep.core.suggest import kept_light as reason

    day = today(person, now)
    summary = today_summary(person, day)
    symptoms = symptoms_to_heed(person, day)
    profile = mapping.profile(person)
    pause = current_pause(person, day)
    pause = pause if pause is not None and pause.covers(day) else None
    offer = None
    if summary.latest is not None or without_checkin or pause is not None:
        # Suggestions read only the sessions of their recent window (RECENT_DAYS up to today).
        record = history(person, since=day - timedelta(days=RECENT_DAYS - 1), until=day,
                         checkins=False, rest_days=False)
        offer = suggestions(summary.latest, record, profile, load_catalogue(), today=day,
                            seed=seed, symptoms=symptoms, paused=pause.reason if pause else "")
        if person.matters:  # a value the person picked may be named in a choice's reason
            offer = _named_values(offer, person.matters)
    return TodayOffer(
        day=day, latest=summary.latest, offer=offer, symptoms=symptoms,
        kept_light=reason(profile, symptoms), safety_follow_up_open=summary.safety_event_open,
        due=summary.due, experiment=summary.experiment,
        readiness_offered=bool(person.readiness),
        ask_country=not person.country and not person.country_asked,
        checkin_care=checkin_care(person, summary.latest) if summary.latest is not None else None,
        pause=pause,
        planned=tuple(planned_on(person, day)),
        welcome=person.welcome,
    )


def checkin_care(person: models.Person, latest: values.CheckIn | None = None):
    """``core.safety.checkin_care`` for the person's latest check-ins, or None.

    With ``latest`` (a check-in already read), the earlier ones are read only when it is at
    an extreme, the only case the rule can answer.
    """
    from kindstep.core import safety

    if latest is not None and not safety.at_an_extreme(latest):
        return None
    return safety.checkin_care(recent_checkins(person, safety.RUNNING))


# -- pause and reminders ---------------------------------------------------------------------


def pauses(person: models.Person):
    """Every pause the person set, as ``core.pause.Pause`` values, earliest first."""
    from kindstep.core.pause import Pause

    return [Pause(start=_date(start), until=_date(until), reason=reason) for start, until, reason
            in _fetch("SELECT start, until, reason FROM kindstep_pause WHERE person_id = %s"
                      " ORDER BY start", [person.pk])]


def paused_days(person: models.Person, *, first: date, last: date) -> frozenset[date]:
    """The person's paused days from ``first`` to ``last`` inclusive (``core.pause``)."""
    from kindstep.core.pause import paused_days as days

    return days(pauses(person), first=first, last=last)


def paused_ordinals(person: models.Person, *, until: date) -> list[int]:
    """Paused days up to ``until`` as ordinals, for ``core.rhythm.rhythm_of``; an open pause
    reaches ``until``."""
    found = pauses(person)
    if not found:
        return []
    return sorted(d.toordinal() for d in paused_days(person, first=found[0].start, last=until))


def rhythm_paused(person: models.Person, day: date) -> list[date]:
    """The paused days ``core.rhythm`` reads as of ``day``: up to the end of day's week, so a
    pause planned for later in the week shrinks its aim."""
    return [date.fromordinal(o) for o in paused_ordinals(person, until=day + timedelta(days=6))]


def current_pause(person: models.Person, day: date):
    """The pause covering ``day`` or planned after it (``core.pause.running``), or None."""
    from kindstep.core.pause import running

    return running(pauses(person), day)


def reminder_plan(person: models.Person):
    """The person's reminders as ``core.reminders.Plan`` (an empty Plan when none are set),
    and their settings row (None before any were set)."""

    row = models.ReminderSettings.objects.filter(person=person).first()
    return plan_of(row), row


def plan_of(row) -> object:
    """A ReminderSettings row as ``core.reminders.Plan`` (None gives the empty plan)."""
    from kindstep.core import reminders as rules

    if row is None:
        return rules.Plan()
    return rules.Plan(days=frozenset(row.days), times=rules.parse_times(",".join(row.times))
                      if row.times else (), channel=row.channel,
                      quiet=rules.parse_quiet(row.quiet))


def logged_days(person: models.Person, *, first: date, last: date) -> frozenset[date]:
    """The person's days from ``first`` to ``last`` with a session or a rest day in the record."""
    rows = _fetch(
        "SELECT day FROM kindstep_session WHERE person_id = %s AND removed_at IS NULL"
        " AND day >= %s AND day <= %s UNION SELECT day FROM kindstep_rest_day"
        " WHERE person_id = %s AND removed_at IS NULL AND day >= %s AND day <= %s",
        [person.pk, first, last, person.pk, first, last])
    return frozenset(_date(day) for (day,) in rows)


def feed_person(token: str) -> models.Person | None:
    """The person whose calendar feed has this token, or None (an old or made-up URL)."""
    if not token or len(token) > 64:
        return None
    row = models.ReminderSettings.objects.select_related("person").filter(
        feed_token=token).first()
    return row.person if row is not None else None


def reminders_calendar(person: models.Person, now: datetime) -> bytes:
    """The person's reminders as an iCalendar file (``reports.calendar``), paused days left out."""
    from kindstep.reports.calendar import reminders_ics

    plan, _ = reminder_plan(person)
    day = today(person, now)
    paused = paused_days(person, first=day, last=day + timedelta(days=366))
    return reminders_ics(plan, timezone=person.timezone, today=day, stamp=now, paused=paused)
# -- plans and predictions ---------------------------------------------------------------


def _named_values(offer: values.Offer, picked: list[str]) -> values.Offer:
    """``core.matters.with_values`` with the catalogue's values for each activity."""
    from kindstep.core.catalogue import load_catalogue
    from kindstep.core.matters import with_values

    serves = {a.code: a.serves for a in load_catalogue()}
    return with_values(offer, serves, picked)


def plans_on(person: models.Person, day: date, *, activity: str | None = None) -> list:
    """The person's plans (``core.plans.Plan``) that show on their day ``day``, by time."""
    from django.db.models import Q

    from kindstep.core.plans import shows_on

    rows = models.Plan.objects.filter(person=person, dropped_at__isnull=True,
                                      day__lte=day + timedelta(days=1))
    rows = rows.filter(Q(day__gte=day) | ~Q(every=""))
    if activity is not None:
        rows = rows.filter(activity=activity)
    found = [mapping.plan(row) for row in rows.order_by("at", "pk")]
    return [p for p in found
            if shows_on(p, day, timezone=person.timezone, day_start_hour=person.day_start_hour)]


@dataclass(frozen=True)
class Planned:
    """One plan as Today shows it: the plan, the activity's name, and whether it is done."""

    plan: object
    """``core.plans.Plan``."""
    id: str
    name: str
    done: bool
    """True when a session of this activity is in the record for the day."""

    def as_dict(self) -> dict:
        p = self.plan
        return {"id": self.id, "activity": p.activity, "name": self.name, "minutes": p.minutes,
                "time": p.at.strftime("%H:%M") if p.at else None,
                "every": _every(p), "expect": p.expect, "done": self.done}


def _every(plan) -> str | None:
    from kindstep.core.plans import every_text

    return every_text(plan.every) or None


def planned_on(person: models.Person, day: date) -> list[Planned]:
    """Today's plans with their names, and whether each is done (a session that day)."""
    from kindstep.core.catalogue import load_catalogue

    found = plans_on(person, day)
    if not found:
        return []
    done = set(models.MovementSession.objects.filter(
        person=person, day=day, removed_at__isnull=True).values_list("activity", flat=True))
    catalogue = load_catalogue()
    return [Planned(p, mapping.plan_id(p.id), catalogue[p.activity].name
                    if p.activity in catalogue else p.activity, p.activity in done)
            for p in found]


def plan_list(person: models.Person, today: date) -> list[tuple[Planned, date]]:
    """Every plan still ahead (from ``today`` on), with the next day it shows, soonest first.

    A one-off plan whose day has passed has faded and is not listed; nothing is said of it.
    """
    from kindstep.core.catalogue import load_catalogue
    from kindstep.core.plans import next_shown

    catalogue = load_catalogue()
    listed = []
    rows = models.Plan.objects.filter(person=person, dropped_at__isnull=True).order_by("day", "pk")
    for row in rows:
        p = mapping.plan(row)
        when = next_shown(p, today, timezone=person.timezone, day_start_hour=person.day_start_hour)
        if when is not None:
            name = catalogue[p.activity].name if p.activity in catalogue else p.activity
            listed.append((Planned(p, mapping.plan_id(p.id), name, False), when))
    listed.sort(key=lambda item: (item[1], item[0].plan.at or datetime.min.time()))
    return listed


def prediction_pairs(person: models.Person, *, until: date | None = None) -> list[tuple]:
    """Every (day, activity, expected, actual) pair: an expectation whose session has a mood
    after, oldest first. Sessions the person removed are left out with their pair."""
    rows = models.Prediction.objects.filter(
        person=person, session__isnull=False, session__removed_at__isnull=True,
        session__mood_after__isnull=False)
    if until is not None:
        rows = rows.filter(day__lte=until)
    return list(rows.order_by("day", "pk").values_list(
        "day", "activity", "expected", "session__mood_after"))
# -- the clinician report and the FHIR export ------------------------------------------


def safety_lines(person: models.Person, *, since: date | None = None,
                 until: date | None = None) -> list:
    """The person's safety events as ``core.report.SafetyLine`` values, oldest first, each on
    the person's own day, from ``since`` to ``until`` (inclusive)."""
    from kindstep.core.report import SafetyLine, safety_words
    from kindstep.core.safety import WORRYING_SYMPTOMS

    lines = []
    for event in models.SafetyEvent.objects.filter(person=person).order_by("at", "id"):
        day = today(person, event.at)
        if (since is not None and day < since) or (until is not None and day > until):
            continue
        followed = event.acknowledged_at
        lines.append(SafetyLine(
            day=day, what=safety_words(event.kind, event.detail or {}, WORRYING_SYMPTOMS),
            followed_up=today(person, followed) if followed is not None else None,
        ))
    return lines


def clinician_report(person: models.Person, *, today: date, weeks: int, notes: bool = False,
                     name: str = ""):
    """``core.report.report`` of the person's ``weeks`` weeks up to ``today``: what the PDF
    report shows, read once for every interface that offers it.

    ``notes`` includes the person's own notes (sessions, rest days, check-ins) of the
    period; without it they are not read at all.
    """
    from kindstep.core import report as core
    from kindstep.core.days import week_start
    from kindstep.core.readiness import load_questions
    from kindstep.core.rhythm import rhythm_of

    weeks = core.check_weeks(weeks)
    profile = mapping.profile(person)
    since = week_start(today, profile.week_start) - timedelta(days=7 * (weeks - 1))
    sessions, rests = rhythm_record(person, until=today)
    r = rhythm_of(sessions, rests, profile, today=today)
    record = history(person, since=since, until=today)
    return core.report(
        record, r, today=today, weeks=weeks,
        questionnaires=questionnaire_history(person),
        readiness=person.readiness or {},
        readiness_questions=[(q.code, q.text) for q in load_questions()],
        light_only=person.light_only,
        safety=safety_lines(person, since=since, until=today),
        notes=core.notes_of(record) if notes else None,
        name=name,
    )


def fhir_record(person: models.Person) -> tuple[list, list]:
    """What `kindstep fhir` exports: every answered questionnaire (``core.fhir.Answered``)
    and every movement session (``core.fhir.Moved``), oldest first; removed sessions are
    left out."""
    from kindstep.core.catalogue import load_catalogue
    from kindstep.core.fhir import Answered, Moved

    names = {a.code: a.name for a in load_catalogue()}
    answered = [
        Answered(id=row.pk, code=row.scale, taken_at=row.taken_at, day=row.day,
                 answers=tuple(int(a) for a in row.answers), total=row.total,
                 difficulty=row.difficulty)
        for row in questionnaire_rows(person)
    ]
    moved = [
        Moved(id=pk, day=day, started_at=_aware(started), activity=activity,
              name=names.get(activity, activity.replace("_", " ")), minutes=minutes)
        for pk, day, started, activity, minutes in models.MovementSession.objects.filter(
            person=person, removed_at__isnull=True).order_by("day", "id")
        .values_list("id", "day", "started_at", "activity", "minutes")
    ]
    return answered, moved

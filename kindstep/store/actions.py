"""Every write a person makes, one function each, one transaction each.

Each action validates all of its input first (``kindstep.core.checks``), so a
refused value raises :class:`~kindstep.core.checks.InvalidInput` before
anything is written. The CLI, the web pages and the API call these same
functions. Time comes in as ``now=`` (an aware UTC datetime); only the
interfaces read the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction

from kindstep.core import checks
from kindstep.core.catalogue import Catalogue, load_catalogue
from kindstep.core.checks import InvalidInput
from kindstep.core.days import valid_timezone
from kindstep.store import mapping, models, queries


def local_person() -> models.Person:
    """The one implicit person of local mode, created on first use."""
    person = models.Person.objects.order_by("id").first()
    if person is None:
        with transaction.atomic():
            person = models.Person.objects.order_by("id").first() or models.Person.objects.create()
    return person


def _day(person: models.Person, value: object, now: datetime) -> date:
    today = queries.today(person, now)
    if value is None:
        return today
    return checks.day(value, today=today)


def _activity(code: str, catalogue: Catalogue) -> float:
    """The MET value of ``code``; an unknown code is refused with the closest names."""
    code = (code or "").strip().lower()
    activity = catalogue.get(code)
    if activity is None:
        close = catalogue.closest(code)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise InvalidInput(
            "activity",
            f"kindstep does not know the activity {code!r}.{hint}"
            " `kindstep activities` lists them all.",
        )
    return activity.met


def record_checkin(
    person: models.Person,
    *,
    energy: object,
    mood: object,
    anxiety: object,
    minutes: object = None,
    sleep: object = None,
    note: object = "",
    day: object = None,
    now: datetime,
) -> models.CheckIn:
    """Store how the person feels now (0-10 scales); returns the new row."""
    row = models.CheckIn(
        person=person,
        at=now,
        day=_day(person, day, now),
        energy=checks.scale("energy", energy),
        mood=checks.scale("mood", mood),
        anxiety=checks.scale("anxiety", anxiety),
        minutes_available=checks.minutes_available(minutes),
        sleep_hours=checks.sleep_hours(sleep),
        body_note=checks.note(note),
    )
    with transaction.atomic():
        row.save()
    return row


def log_session(
    person: models.Person,
    *,
    activity: str,
    duration: object,
    effort: object = None,
    before: object = None,
    after: object = None,
    note: object = "",
    day: object = None,
    now: datetime,
    catalogue: Catalogue | None = None,
) -> models.MovementSession:
    """Record a stretch of movement; returns the new row."""
    catalogue = catalogue or load_catalogue()
    code = (activity or "").strip().lower()
    row = models.MovementSession(
        person=person,
        activity=code,
        met=_activity(code, catalogue),
        minutes=checks.duration(duration),
        effort=checks.optional_scale("effort", effort, label="how hard it felt"),
        mood_before=checks.optional_scale("before", before, label="mood before"),
        mood_after=checks.optional_scale("after", after, label="mood after"),
        note=checks.note(note),
        day=_day(person, day, now),
    )
    with transaction.atomic():
        row.save()
    return row


def log_rest(
    person: models.Person, *, day: object = None, note: object = "", now: datetime
) -> tuple[models.RestDay, bool]:
    """Mark a day as rest; returns the row and whether it was new.

    Marking the same day twice keeps one rest day and updates its note.
    """
    the_day = _day(person, day, now)
    text = checks.note(note)
    with transaction.atomic():
        row, created = models.RestDay.objects.get_or_create(
            person=person, day=the_day, defaults={"note": text}
        )
        if not created and text and text != row.note:
            row.note = text
            row.save(update_fields=["note"])
    return row, created


@dataclass(frozen=True)
class EntryRef:
    """An entry named by the ID people see (``s12``): its kind and primary key."""

    kind: str
    pk: int

    @property
    def label(self) -> str:
        return mapping.entry_id(self.kind, self.pk)


_KINDS = {"s": "session", "r": "rest", "c": "checkin"}
_MODELS = {"session": models.MovementSession, "rest": models.RestDay, "checkin": models.CheckIn}


def parse_entry_id(text: str) -> EntryRef:
    """``s12`` -> a session, ``r3`` -> a rest day, ``c5`` -> a check-in; ``12`` -> a session."""
    raw = (text or "").strip().lower()
    kind = "session"
    if raw[:1] in _KINDS:
        kind, raw = _KINDS[raw[:1]], raw[1:]
    if not raw.isdigit() or int(raw) < 1:
        raise InvalidInput(
            "id",
            f"An entry ID looks like s12 (a session), r3 (a rest day) or c5 (a check-in);"
            f" got {text!r}. `kindstep history` shows them.",
        )
    return EntryRef(kind, int(raw))


def _get_entry(person: models.Person, ref: EntryRef):
    row = _MODELS[ref.kind].objects.filter(person=person, pk=ref.pk).first()
    if row is None:
        raise InvalidInput(
            "id", f"There is no entry {ref.label}; `kindstep history` shows the IDs you have."
        )
    return row


def edit_entry(person: models.Person, entry: str, *, now: datetime, **changes: object):
    """Change some fields of one entry; fields left as None stay as they are."""
    ref = parse_entry_id(entry)
    row = _get_entry(person, ref)
    given = {k: v for k, v in changes.items() if v is not None}
    if not given:
        raise InvalidInput("changes", "Nothing to change: name at least one field to edit.")
    cleaners = {
        "session": {
            "activity": lambda v: v,
            "duration": lambda v: ("minutes", checks.duration(v)),
            "effort": lambda v: checks.scale("effort", v, label="how hard it felt"),
            "before": lambda v: ("mood_before", checks.scale("before", v, label="mood before")),
            "after": lambda v: ("mood_after", checks.scale("after", v, label="mood after")),
            "note": checks.note,
            "date": lambda v: ("day", _day(person, v, now)),
        },
        "rest": {"note": checks.note, "date": lambda v: ("day", _day(person, v, now))},
        "checkin": {
            "energy": lambda v: checks.scale("energy", v),
            "mood": lambda v: checks.scale("mood", v),
            "anxiety": lambda v: checks.scale("anxiety", v),
            "minutes": lambda v: ("minutes_available", checks.minutes_available(v)),
            "sleep": lambda v: ("sleep_hours", checks.sleep_hours(v)),
            "note": lambda v: ("body_note", checks.note(v)),
            "date": lambda v: ("day", _day(person, v, now)),
        },
    }[ref.kind]
    updates: dict[str, object] = {}
    for name, value in given.items():
        if name not in cleaners:
            allowed = ", ".join(sorted(cleaners))
            raise InvalidInput(name, f"A {ref.kind} entry has no {name!r} to edit; it has {allowed}.")
        cleaned = cleaners[name](value)
        field, cleaned = cleaned if isinstance(cleaned, tuple) else (name, cleaned)
        updates[field] = cleaned
    if "activity" in updates:
        code = str(updates["activity"]).strip().lower()
        updates["met"] = _activity(code, load_catalogue())
        updates["activity"] = code
    if ref.kind == "rest" and "day" in updates:
        clash = models.RestDay.objects.filter(person=person, day=updates["day"]).exclude(pk=row.pk)
        if clash.exists():
            raise InvalidInput("date", f"{updates['day']} is already marked as a rest day.")
    for field, value in updates.items():
        setattr(row, field, value)
    with transaction.atomic():
        row.save(update_fields=list(updates))
    return ref, row


def delete_entry(person: models.Person, entry: str) -> EntryRef:
    """Remove one entry; returns what was removed."""
    ref = parse_entry_id(entry)
    row = _get_entry(person, ref)
    with transaction.atomic():
        row.delete()
    return ref


def update_settings(
    person: models.Person,
    *,
    country: object = None,
    timezone: object = None,
    target_days: object = None,
    day_start: object = None,
    week_start: object = None,
    liked: list[str] | None = None,
    avoided: list[str] | None = None,
) -> models.Person:
    """Change the person's settings; values left as None stay as they are."""
    updates: dict[str, object] = {}
    if country is not None:
        updates["country"] = checks.country(country)
    if timezone is not None:
        name = str(timezone).strip()
        if not valid_timezone(name):
            raise InvalidInput(
                "timezone", f"{name!r} is not a time zone kindstep knows; try e.g. Europe/London."
            )
        updates["timezone"] = name
    if target_days is not None:
        updates["target_days"] = checks.target_days(target_days)
    if day_start is not None:
        updates["day_start_hour"] = checks.day_start_hour(day_start)
    if week_start is not None:
        updates["week_start"] = checks.scale(
            "week_start", week_start, low=0, high=6, label="first day of the week (0 = Monday)"
        )
    catalogue = load_catalogue()
    for field, codes in (("liked", liked), ("avoided", avoided)):
        if codes is not None:
            clean = []
            for code in codes:
                code = code.strip().lower()
                if code:
                    _activity(code, catalogue)
                    clean.append(code)
            updates[field] = sorted(set(clean))
    if updates:
        for field, value in updates.items():
            setattr(person, field, value)
        with transaction.atomic():
            person.save(update_fields=list(updates))
    return person

"""Every write a person makes, one function each, one transaction each.

One module on purpose: it is the whole list of ways a record can change, read top to
bottom, and every interface (CLI, web, and the API to come) calls these functions.

Each action validates all of its input first (``kindstep.core.checks``), so a
refused value raises :class:`~kindstep.core.checks.InvalidInput` before
anything is written. The CLI, the web pages and the API call these same
functions. Time comes in as ``now=`` (an aware UTC datetime); only the
interfaces read the clock.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction

from kindstep.core import checks
from kindstep.core.catalogue import Catalogue, load_catalogue
from kindstep.core.checks import InvalidInput
from kindstep.core.days import valid_timezone
from kindstep.store import mapping, models, queries


def local_person() -> models.Person:
    """The one implicit person of local mode, created on first use in the computer's own
    time zone (``system_timezone``), so "today" is their today from the first step."""
    person = models.Person.objects.order_by("id").first()
    if person is None:
        with transaction.atomic():
            person = (models.Person.objects.order_by("id").first()
                      or models.Person.objects.create(timezone=system_timezone()))
    return person


_DIGITS = re.compile(r"[0-9]+")


def _whole_number(text: str) -> int | None:
    """``text`` as a number when it is plain ASCII digits, else None.

    ``str.isdigit`` also accepts "²" or "٣", which ``int`` refuses or reads otherwise.
    """
    return int(text) if _DIGITS.fullmatch(text) else None


_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal",
                        "Etc/Zulu", "Zulu", "Etc/GMT", "GMT", "Etc/GMT0", "GMT0", "Etc/Greenwich"})


def system_timezone() -> str:
    """The computer's own IANA time zone, or "UTC" when it names none kindstep knows.

    Looked for in ``TZ`` (``:Europe/Berlin`` too), then where ``/etc/localtime``
    points, then ``/etc/timezone``; the several names of UTC are all "UTC".
    """
    candidates = [os.environ.get("TZ", "").strip().lstrip(":")]
    try:
        target = os.path.realpath("/etc/localtime")
        candidates.append(target.split("/zoneinfo/", 1)[1] if "/zoneinfo/" in target else "")
    except OSError:
        pass
    try:
        with open("/etc/timezone", encoding="utf-8") as file:
            candidates.append(file.read().strip())
    except (OSError, UnicodeDecodeError):
        pass
    for name in candidates:
        for variant in ("posix/", "right/"):  # the same zones, in tzdata's other trees
            name = name.removeprefix(variant)
        if name in _UTC_NAMES:
            return "UTC"
        if name and valid_timezone(name):
            return name
    return "UTC"


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
            f"kindstep does not know the activity {code!r}.{hint}",
            cli_hint="`kindstep activities` lists them all.",
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
    device_id: object = None,
) -> models.CheckIn:
    """Store how the person feels now (0-10 scales); returns the new row.

    ``device_id``: the id a phone gave a check-in it kept offline. A second send
    of the same id returns the row the first one made and writes nothing (its
    ``repeated`` is True).
    """
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
        device_id=checks.device_id(device_id),
    )
    return _save_once(row)


def _save_once(row, then=None):
    """Save a new ``row`` unless its device id was sent before; returns the row kept.

    The row the id already made is returned instead, with ``repeated`` set, and
    nothing is written, whether the first send finished long ago or a moment ago
    in another request (the unique constraint on person and device id decides).
    ``then(row)``, when given, runs after a new row is saved, in the same transaction.
    """
    row.repeated = False
    with transaction.atomic():
        earlier = _sent_before(row)
        if earlier is not None:
            return earlier
        try:
            with transaction.atomic():  # a savepoint: a clash leaves the outer one usable
                row.save()
        except IntegrityError:
            earlier = _sent_before(row)
            if earlier is None:
                raise
            return earlier
        if then is not None:
            then(row)
    return row


def _sent_before(row):
    """The row of ``row``'s kind that its device id made before (removed ones too), or None."""
    if row.device_id is None:
        return None
    earlier = type(row).objects.filter(person_id=row.person_id, device_id=row.device_id).first()
    if earlier is not None:
        earlier.repeated = True
    return earlier


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
    device_id: object = None,
) -> models.MovementSession:
    """Record a stretch of movement; returns the new row.

    ``device_id`` as for :func:`record_checkin`: a repeat returns the first row and
    writes nothing.
    """
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
        device_id=checks.device_id(device_id),
    )
    return _save_once(row, then=lambda saved: _answer_prediction(person, saved))


def log_rest(
    person: models.Person, *, day: object = None, note: object = "", now: datetime,
    device_id: object = None,
) -> tuple[models.RestDay, bool]:
    """Mark a day as rest; returns the row and whether it was new.

    Marking the same day twice keeps one rest day and updates its note. A
    ``device_id`` sent before (see :func:`record_checkin`) returns that row, not
    new, and writes nothing.
    """
    the_day = _day(person, day, now)
    text = checks.note(note)
    device = checks.device_id(device_id)
    with transaction.atomic():
        earlier = _sent_before(models.RestDay(person=person, device_id=device))
        if earlier is not None:
            return earlier, False
        row, created = models.RestDay.objects.get_or_create(
            person=person, day=the_day, removed_at=None, defaults={"note": text, "device_id": device}
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
    already_back: bool = dataclasses.field(default=False, compare=False)
    """True when :func:`restore_entry` found the entry back already (an undo used twice)."""

    @property
    def label(self) -> str:
        return mapping.entry_id(self.kind, self.pk)

    @property
    def undo_message(self) -> str:
        """What to tell the person after an undo that had nothing left to do; "" otherwise."""
        if not self.already_back:
            return ""
        return f"{self.label} is already back in your record, so there was nothing more to undo."


_KINDS = {prefix: kind for kind, prefix in mapping.ENTRY_PREFIX.items()}
_MODELS = {"session": models.MovementSession, "rest": models.RestDay, "checkin": models.CheckIn,
           "journal": models.JournalEntry, "sleep": models.DailyMeasure}
IMPORTED_KINDS = frozenset({"journal", "sleep"})
"""Rows brought in from another app: they can be removed (kept, unseen), not changed."""


def parse_entry_id(text: str) -> EntryRef:
    """``s12`` -> a session, ``r3`` -> a rest day, ``c5`` -> a check-in; ``12`` -> a session.

    ``j4`` and ``n9`` name an imported journal mood and night's sleep.
    """
    raw = (text or "").strip().lower()
    kind = "session"
    if raw[:1] in _KINDS:
        kind, raw = _KINDS[raw[:1]], raw[1:]
    number = _whole_number(raw)
    if number is None or number < 1:
        raise InvalidInput(
            "id",
            f"An entry ID looks like s12 (a session), r3 (a rest day) or c5 (a check-in),"
            f" or j4 and n9 for a mood and a night's sleep from another app;"
            f" got {text!r}.",
            cli_hint="`kindstep history` shows them.",
        )
    return EntryRef(kind, number)


def get_entry(person: models.Person, ref: EntryRef):
    """The person's entry named by ``ref``; someone else's or a missing one is refused."""
    rows = _MODELS[ref.kind].objects.filter(person=person, pk=ref.pk, removed_at__isnull=True)
    if ref.kind == "sleep":
        rows = rows.filter(kind=models.DailyMeasure.Kind.SLEEP_HOURS)
    row = rows.first()
    if row is None:
        raise InvalidInput(
            "id", f"There is no entry {ref.label} in your record.",
            cli_hint="`kindstep history` shows the IDs you have.",
        )
    return row


CLEARABLE = {"session": {"effort": "effort", "before": "mood_before", "after": "mood_after"},
             "checkin": {"minutes": "minutes_available", "sleep": "sleep_hours"}}
"""The optional answers of each kind that an edit can take back (given as "", they are
cleared), each with the column it is kept in."""


def edit_entry(person: models.Person, entry: str, *, now: datetime, **changes: object):
    """Change some fields of one entry; fields left as None stay as they are, and an optional
    answer given as "" (``CLEARABLE``) is cleared."""
    ref = parse_entry_id(entry)
    row = get_entry(person, ref)
    if ref.kind in IMPORTED_KINDS:
        raise InvalidInput(
            "id", f"{ref.label} came from another app and is kept as it came: it can be"
                  f" removed, not changed.", cli_hint=f"`kindstep delete {ref.label}` removes it.")
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
        clearable = CLEARABLE.get(ref.kind, {})
        if name in clearable and isinstance(value, str) and not value.strip():
            updates[clearable[name]] = None  # the answer is taken back
            continue
        cleaned = cleaners[name](value)
        field, cleaned = cleaned if isinstance(cleaned, tuple) else (name, cleaned)
        updates[field] = cleaned
    if "activity" in updates:
        code = str(updates["activity"]).strip().lower()
        updates["met"] = _activity(code, load_catalogue())
        updates["activity"] = code
    if ref.kind == "rest" and "day" in updates:
        clash = models.RestDay.objects.filter(person=person, day=updates["day"],
                                              removed_at__isnull=True).exclude(pk=row.pk)
        if clash.exists():
            raise InvalidInput("date", f"{updates['day']} is already marked as a rest day.")
    for field, value in updates.items():
        setattr(row, field, value)
    with transaction.atomic():
        row.save(update_fields=list(updates))
    return ref, row


UNDO_WINDOW = timedelta(hours=1)
"""How long a deleted entry can be put back. After it, a removed session, rest day or check-in
is deleted for good (:func:`purge_removed`)."""


def delete_entry(person: models.Person, entry: str, *, now: datetime) -> EntryRef:
    """Remove one entry from the person's record; returns what was removed.

    The row is marked removed (``removed_at``), so every read leaves it out at
    once and :func:`restore_entry` can put it back within :data:`UNDO_WINDOW`;
    after that :func:`purge_removed` deletes it for good. Imported moods and
    nights stay marked removed for good instead: importing the same file again
    finds them and leaves them out. A session from a file leaves a mark of its
    own (``RemovedImport``), which outlives the session.
    """
    ref = parse_entry_id(entry)
    row = get_entry(person, ref)
    row.removed_at = now
    with transaction.atomic():
        if ref.kind == "session" and row.external_id:
            models.RemovedImport.objects.get_or_create(
                person=person, source=row.source, external_id=row.external_id)
        row.save(update_fields=["removed_at"])  # moves the data version (a signal)
    return ref


def restore_entry(person: models.Person, entry: str, *, now: datetime) -> EntryRef:
    """Put back an entry the person removed less than :data:`UNDO_WINDOW` ago (undo).

    Undoing it again writes nothing: the entry is named with ``already_back=True``
    (its ``undo_message`` says so kindly). An entry removed longer ago, someone
    else's, or one that never was, is refused and nothing changes.
    """
    from kindstep.store.versioning import touch

    ref = parse_entry_id(entry)
    rows = _MODELS[ref.kind].objects.filter(person=person, pk=ref.pk)
    if ref.kind == "sleep":
        rows = rows.filter(kind=models.DailyMeasure.Kind.SLEEP_HOURS)
    row = rows.first()
    if row is not None and row.removed_at is None:
        return EntryRef(ref.kind, ref.pk, already_back=True)
    if row is None or row.removed_at < now - UNDO_WINDOW:
        raise InvalidInput("undo", f"{ref.label} can no longer be put back: undo lasts an hour "
                                   "after a delete.", cli_hint="`kindstep log` records it again.")
    with transaction.atomic():
        if ref.kind == "rest" and models.RestDay.objects.filter(
                person=person, day=row.day, removed_at__isnull=True).exists():
            raise InvalidInput("undo", f"{row.day} is already a rest day again.")
        # Only the first of two undos sent at once (a double click) finds the mark to clear.
        if not rows.filter(removed_at__isnull=False).update(removed_at=None):
            return EntryRef(ref.kind, ref.pk, already_back=True)
        if ref.kind == "session" and row.external_id:
            models.RemovedImport.objects.filter(
                person=person, source=row.source, external_id=row.external_id).delete()
        touch(person)
    return EntryRef(ref.kind, ref.pk)


def purge_removed(*, now: datetime, wait: bool = True) -> int:
    """Delete for good every session, rest day and check-in removed more than
    :data:`UNDO_WINDOW` before ``now``, whoever's they are; returns how many went.

    Costs one small statement when there is nothing to do
    (``queries.removed_before``), so every command and page can run it. The
    rows were already out of every read, so nothing a person sees changes.
    Imported moods and nights that were removed stay, marked: their memory is
    what keeps a re-import from bringing them back (as ``RemovedImport`` does
    for a session from a file).

    ``wait=False`` (what commands and pages use on their way) never waits for
    another program writing to the database, a long import say: it leaves the
    rows for the next command or page and returns 0, so no page, help above
    all, is held up by tidying.
    """
    from django.db import OperationalError

    cutoff = now - UNDO_WINDOW
    if not queries.removed_before(cutoff):
        return 0
    if wait:
        return _purge(cutoff, wait=True)
    try:
        return _purge(cutoff, wait=False)
    except OperationalError:  # busy: another program holds the write lock just now
        return 0


def _purge(cutoff: datetime, *, wait: bool) -> int:
    """The deletes of :func:`purge_removed`, in one transaction; with ``wait=False`` a
    statement that would wait for another writer gives up at once instead (SQLite: no
    busy timeout for the while; PostgreSQL: a lock timeout of 100 ms)."""
    from django.db import connection

    busy_timeout = None
    if not wait and connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            (busy_timeout,) = cursor.fetchone()
            cursor.execute("PRAGMA busy_timeout = 0")
    try:
        gone = 0
        with transaction.atomic():
            if not wait and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '100ms'")
            for model in (models.MovementSession, models.RestDay, models.CheckIn):
                # Through the ORM: a workout imported from Apple Health lets go of its session.
                gone += model.objects.filter(removed_at__lt=cutoff).delete()[1].get(
                    model._meta.label, 0)
        return gone
    finally:
        if busy_timeout is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")


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
    questionnaires: object = None,
    country_asked: bool | None = None,
) -> models.Person:
    """Change the person's settings, the one action behind `kindstep settings`, the web's
    Settings page and the country question; values left as None stay as they are.

    Every value is checked before anything is saved, and all are saved in one
    transaction. ``country`` is a two-letter code or a country's name ("" clears
    it); giving it also remembers that the country was asked about, as
    ``country_asked=True`` does on its own (the person skipped the question).
    ``questionnaires`` turns the two-weekly offers on or off (see
    :func:`set_checkin_reminders`).
    """
    updates: dict[str, object] = {}
    if country is not None:
        updates["country"] = _country(country)
        updates["country_asked"] = True
    if country_asked is not None:
        updates["country_asked"] = bool(country_asked) or updates.get("country_asked", False)
    if questionnaires is not None:
        updates["checkin_reminders"] = _on_or_off(questionnaires)
        if updates["checkin_reminders"]:
            updates["questionnaire_postponed_until"] = None  # turning offers back on means now
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


# -- the clinical core: questionnaires, readiness and safety ----------------------------


def _scale_code(scale: object) -> str:
    from kindstep.core import scales

    try:
        return scales.get_scale(str(scale or "")).code
    except scales.ScaleError as err:
        raise InvalidInput("scale", str(err)) from None


def _answers(code: str, answers: object) -> list[int]:
    """The answers as checked whole numbers; ``"0,1,2,..."`` text works too."""
    from kindstep.core import scales

    try:
        if answers is None:
            raise scales.ScaleError(
                f"Please answer every question of the {scales.get_scale(code).name}, "
                "each with a number from 0 to 3."
            )
        if isinstance(answers, str):
            return scales.parse_answers(answers, code)
        return scales.validate_answers(code, answers)  # type: ignore[arg-type]
    except (scales.ScaleError, TypeError) as err:
        raise InvalidInput("answers", str(err)) from None


def _difficulty(value: object) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return checks.scale("difficulty", value, low=0, high=3, label="the difficulty answer")


def answer_questionnaire(
    person: models.Person,
    scale: object,
    answers: object,
    *,
    difficulty: object = None,
    now: datetime,
):
    """Store one whole questionnaire and score it; returns ``(row, core Result)``.

    The answers are checked first (count, 0-3 each); a refused value raises
    InvalidInput and nothing is stored. The score is compared with this
    person's earlier results of the same scale. A PHQ-9 item 9 answer above 0
    (``scales.safety_answer``) also records a SafetyEvent, in the same transaction.

    Interfaces show help for item 9 before calling this (``scales.safety_answer``
    on the answers as given), so a refusal here never hides it.
    """
    from kindstep.core import scales

    code = _scale_code(scale)
    checked = _answers(code, answers)
    level = _difficulty(difficulty)
    previous = queries.questionnaire_history(person, code)
    day = queries.today(person, now)
    try:
        result = scales.score(code, checked, previous=previous, difficulty=level, taken_on=day)
    except scales.ScaleError as err:
        raise InvalidInput("difficulty", str(err)) from None
    risk = scales.safety_answer(code, result.answers)
    row = models.QuestionnaireResponse(
        person=person,
        scale=code,
        taken_at=now,
        day=day,
        answers=list(result.answers),
        total=result.total,
        band=result.band,
        difficulty=result.difficulty,
        safety_flag=result.safety_flag,
    )
    with transaction.atomic():
        row.save()
        if risk is not None:
            models.SafetyEvent.objects.create(
                person=person,
                at=now,
                kind=models.SafetyEvent.Kind.PHQ9_ITEM9,
                detail={"scale": code, "item": risk.item, "answer": risk.answer,
                        "response_id": row.pk},
            )
    return row, result


def delete_questionnaire(person: models.Person, pk: object) -> int:
    """Delete one of the person's answered questionnaires for good; returns its id.

    Someone else's or a missing one is refused (``id``), nothing touched. Later
    answers of the same scale are then compared with the ones left. A safety event
    the answer raised stays: it is the record that help was shown.
    """
    number = pk if isinstance(pk, int) else _whole_number(str(pk or "").strip())
    row = None if number is None or not 0 < number < 2**62 else \
        models.QuestionnaireResponse.objects.filter(person=person, pk=number).first()
    if row is None:
        raise InvalidInput("id", "There is no such questionnaire in your record.",
                           cli_hint="`kindstep scores` lists yours.")
    with transaction.atomic():
        row.delete()
    return number


def record_readiness(
    person: models.Person, answers: object, *, now: datetime, doctor_go_ahead: bool = False
):
    """Store the readiness answers (or that they were skipped); returns core's ReadinessResult.

    ``answers`` is ``"yes,no,..."`` text, one boolean per question, a mapping
    from question code to boolean, or None when the person chose to skip (that
    is remembered, so kindstep does not ask again at start-up; the result is
    then None). Any yes keeps suggestions light until the person tells kindstep
    they have a doctor's go-ahead (``doctor_go_ahead`` or :func:`record_clearance`).
    """
    from kindstep.core import readiness

    if answers is None:
        person.readiness = {"skipped": True}
        with transaction.atomic():
            person.save(update_fields=["readiness"])
        return None
    try:
        if isinstance(answers, str):
            answers = readiness.parse_yes_no(answers)
        result = readiness.assess(
            answers, doctor_go_ahead=doctor_go_ahead  # type: ignore[arg-type]
        )
    except readiness.ReadinessError as err:
        raise InvalidInput("answers", str(err)) from None
    codes = [q.code for q in readiness.load_questions()]
    person.readiness = {code: code in result.yes_codes for code in codes}
    person.light_only = result.light_only
    fields = ["readiness", "light_only"]
    if doctor_go_ahead:  # the same switch as record_clearance
        person.cleared_at = now
        fields.append("cleared_at")
    with transaction.atomic():
        person.save(update_fields=fields)
    return result


def record_clearance(person: models.Person, *, now: datetime) -> models.Person:
    """The person says a doctor has seen them and more than light activity is fine: lift the
    light cap, and the gentlest level that chest pain, faintness or severe breathlessness
    named while moving up to ``now`` holds (``queries.symptoms_to_heed``).

    A doctor's advice to be active only with supervision stays until the readiness
    answers say otherwise (``core.readiness``).
    """
    person.light_only = False
    person.cleared_at = now
    with transaction.atomic():
        person.save(update_fields=["light_only", "cleared_at"])
    return person


def clean_symptoms(symptoms: object) -> list[str]:
    """Symptom codes from ``core.safety.WORRYING_SYMPTOMS``, checked; ``"a,b"`` text works too.

    Raises InvalidInput naming the accepted codes when one is unknown or none is given.
    """
    from kindstep.core.safety import WORRYING_SYMPTOMS

    known = ", ".join(WORRYING_SYMPTOMS)
    if isinstance(symptoms, str):
        symptoms = symptoms.replace(",", " ").split()
    try:
        given = list(symptoms)  # type: ignore[call-overload]
    except TypeError:
        given = []
    codes = [str(code).strip().lower().replace("-", "_") for code in given]
    codes = [code for code in codes if code]
    if not codes:
        raise InvalidInput("symptoms", f"Please name at least one symptom: {known}.")
    for code in codes:
        if code not in WORRYING_SYMPTOMS:
            raise InvalidInput("symptoms", f"kindstep does not know the symptom {code!r}; "
                                           f"the symptoms are {known}.")
    return list(dict.fromkeys(codes))


def record_movement_symptoms(
    person: models.Person,
    symptoms: object,
    *,
    now: datetime,
    session: models.MovementSession | None = None,
) -> models.SafetyEvent:
    """Record worrying symptoms during movement (chest pain, faintness ...); returns the event."""
    codes = clean_symptoms(symptoms)
    if session is not None and session.person_id != person.pk:
        raise InvalidInput("session", "That session belongs to someone else.")
    with transaction.atomic():
        return models.SafetyEvent.objects.create(
            person=person,
            at=now,
            kind=models.SafetyEvent.Kind.MOVEMENT_SYMPTOM,
            detail={"symptoms": codes, "session_id": session.pk if session else None},
        )


def acknowledge_safety_events(person: models.Person, *, now: datetime) -> int:
    """Mark every open safety event as asked about; returns how many there were."""
    from kindstep.store.versioning import touch

    with transaction.atomic():
        count = models.SafetyEvent.objects.filter(
            person=person, acknowledged_at__isnull=True, at__lte=now
        ).update(acknowledged_at=now)
        if count:
            touch(person)
        return count


def postpone_questionnaires(person: models.Person, days: object = 7, *, now: datetime) -> date:
    """Ask about questionnaires again only after ``days`` (1-90) days; returns that day."""
    from datetime import timedelta

    span = checks.scale("days", days, low=1, high=90, label="days to wait")
    until = queries.today(person, now) + timedelta(days=span)
    person.questionnaire_postponed_until = until
    with transaction.atomic():
        person.save(update_fields=["questionnaire_postponed_until"])
    return until


def _on_or_off(on: object) -> bool:
    words = {"on": True, "yes": True, "true": True, "off": False, "no": False, "false": False}
    if isinstance(on, str) and on.strip().lower() in words:
        on = words[on.strip().lower()]
    if not isinstance(on, bool):
        raise InvalidInput("questionnaires", f"Questionnaire offers are on or off; got {on!r}.")
    return on


def _country(value: object) -> str:
    """A country's ISO code from a code (``"gb"``) or a name (``"New Zealand"``); "" clears."""
    from kindstep.core.safety import country_code

    text = str(value or "").strip()
    if not text:
        return ""
    code = country_code(text)
    if not code:
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise InvalidInput("country", f"kindstep does not know the country {shown!r}; a "
                                      "two-letter code such as GB, or a name such as Ireland, "
                                      "works.")
    return code


def set_checkin_reminders(person: models.Person, on: object) -> models.Person:
    """Turn the gentle two-weekly questionnaire offer on or off (True/False, "on"/"off")."""
    on = _on_or_off(on)
    person.checkin_reminders = on
    updates = ["checkin_reminders"]
    if on:
        person.questionnaire_postponed_until = None  # turning offers back on means now
        updates.append("questionnaire_postponed_until")
    with transaction.atomic():
        person.save(update_fields=updates)
    return person


# -- self-experiments (N-of-1) -----------------------------------------------------------


def _template(value: object):
    """A template from its number (1, 2, ...) or its code (``morning_walk``)."""
    from kindstep.core.experiments import TEMPLATES

    text = str(value).strip().lower()
    number = _whole_number(text)
    if number is not None and 1 <= number <= len(TEMPLATES):
        return TEMPLATES[number - 1]
    for template in TEMPLATES:
        if template.code == text:
            return template
    names = ", ".join(f"{i} ({t.code})" for i, t in enumerate(TEMPLATES, 1))
    raise InvalidInput("template", f"There is no template {str(value)!r}; choose one of {names}.")


def _text(field: str, value: object, example: str) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        raise InvalidInput(field, f"Please give the {field} a few words, for example {example!r}.")
    if len(text) > 300:
        raise InvalidInput(field, f"Please keep the {field} under 300 characters.")
    return text


def start_experiment(
    person: models.Person,
    *,
    template: object = None,
    question: object = None,
    intervention: object = None,
    outcome: object = None,
    when: object = None,
    control: object = None,
    weeks: object = 4,
    design: object = "random_days",
    seed: object = None,
    now: datetime,
) -> models.Experiment:
    """Begin a self-experiment today, from a template or the person's own question.

    Fields given alongside a template replace the template's words. ``seed``
    fixes the random schedule; None draws one with ``secrets``. Only one
    experiment runs at a time: a running one must be stopped first (one that
    has passed its last day is marked finished here).
    """
    import secrets

    from kindstep.core import experiments

    today = queries.today(person, now)
    chosen = _template(template) if template not in (None, "") else None
    if chosen is None and not (question or outcome or intervention):
        raise InvalidInput(
            "question",
            "Please choose a template (kindstep experiment templates) or write your own "
            "question, what to do on B days and the outcome to rate.",
        )
    words = {
        "question": question or (chosen.question if chosen else None),
        "intervention": intervention or (chosen.intervention if chosen else None),
        "outcome": outcome or (chosen.outcome if chosen else None),
    }
    clean = {
        "question": _text("question", words["question"],
                          "Does a 10-minute morning walk change my evening mood?"),
        "intervention": _text("intervention", words["intervention"],
                              "a 10-minute walk before midday"),
        "outcome": _text("outcome", words["outcome"], "evening mood, 0-10"),
        "when": _text("when", when or (chosen.when if chosen else "in the evening"),
                      "in the evening"),
        "control": _text("control", control or "a usual day", "a usual day"),
    }
    n_weeks = checks.scale("weeks", weeks, low=experiments.MIN_WEEKS, high=experiments.MAX_WEEKS,
                           label="the length in weeks")
    chosen_design = str(design or "random_days").strip().lower().replace("-", "_")
    if chosen_design not in experiments.DESIGNS:
        raise InvalidInput("design", f"The design is random_days or abab; got {str(design)!r}.")
    if seed in (None, ""):
        number = secrets.randbelow(2**31)
    else:
        number = checks.scale("seed", seed, low=0, high=2**31 - 1, label="the seed")
    try:
        protocol = experiments.Protocol(
            start=today, seed=number, weeks=n_weeks, design=chosen_design,  # type: ignore[arg-type]
            **clean,
        )
    except experiments.ExperimentError as err:
        field = "weeks" if "weeks" in str(err) else "experiment"
        raise InvalidInput(field, str(err)) from None
    with transaction.atomic():
        running = queries.active_experiment(person)
        if running is not None:
            if mapping.protocol(running).end >= today:
                raise InvalidInput(
                    "experiment",
                    "A self-experiment is already running. Stopping it is always fine, "
                    "and then you can start a new one.",
                    cli_hint="`kindstep experiment stop` ends it.",
                )
            running.status = models.Experiment.Status.FINISHED
            running.save(update_fields=["status"])
        return models.Experiment.objects.create(
            person=person, protocol=protocol.as_dict(), started_on=today,
            status=models.Experiment.Status.ACTIVE,
        )


def _running(person: models.Person) -> models.Experiment:
    row = queries.active_experiment(person)
    if row is None:
        raise InvalidInput(
            "experiment",
            "No self-experiment is running just now.",
            cli_hint="`kindstep experiment new` starts one when you like.",
        )
    return row


def log_experiment_outcome(
    person: models.Person,
    value: object,
    *,
    day: object = None,
    done: bool | None = None,
    now: datetime,
) -> tuple[models.ExperimentOutcome, bool]:
    """Record the day's 0-10 outcome rating in the running experiment; returns (row, new?).

    Rating the same day again replaces the earlier rating (the latest word counts).
    ``done`` says whether the B-day activity was done; None leaves it unsaid.
    """
    experiment = _running(person)
    protocol = mapping.protocol(experiment)
    rating = checks.scale("value", value, label="the rating")
    the_day = _day(person, day, now)
    if not protocol.start <= the_day <= protocol.end:
        raise InvalidInput(
            "date",
            f"{the_day.isoformat()} is outside this experiment, which runs from "
            f"{protocol.start.isoformat()} to {protocol.end.isoformat()}.",
        )
    if done is not None and not isinstance(done, bool):
        raise InvalidInput("done", "Done is yes or no, or leave it out.")
    with transaction.atomic():
        # None leaves an earlier answer about the B activity as it was.
        answers = {"value": rating} if done is None else {"value": rating, "done": done}
        row, created = models.ExperimentOutcome.objects.update_or_create(
            experiment=experiment, day=the_day, defaults=answers
        )
    return row, created


def stop_experiment(person: models.Person, *, now: datetime) -> models.Experiment:
    """Stop the running experiment today; its days so far are still analysed.

    Stopping is always allowed. Stopping on or after its last day counts as finishing it.
    """
    experiment = _running(person)
    protocol = mapping.protocol(experiment)
    today = max(queries.today(person, now), protocol.start)
    if today >= protocol.end:
        experiment.status = models.Experiment.Status.FINISHED
        experiment.stopped_on = None
    else:
        experiment.status = models.Experiment.Status.STOPPED
        experiment.stopped_on = today
    with transaction.atomic():
        experiment.save(update_fields=["status", "stopped_on"])
    return experiment


# -- The whole record: to take away, or to erase ----------------------------------------------


def export_all(person: models.Person, *, now: datetime, counts: dict[str, int] | None = None):
    """Everything kindstep keeps about ``person``, as one JSON document in pieces of text
    (``kindstep/store/export_erase.py``); ``counts`` is filled with each section's rows."""
    from kindstep.store import export_erase

    return export_erase.export_all(person, now=now, counts=counts)


def restore_export(person: models.Person, path, *, dry_run: bool = False, now: datetime):
    """Bring a kindstep export back into ``person``'s record (``kindstep/store/restore.py``):
    all of it into an empty record, what is missing into one with entries; an ImportSummary.
    The CLI and web import reach it through ``store.importing.import_file``; server mode's
    moving-in upload calls it for the signed-in person."""
    from kindstep.store import restore

    return restore.restore_export(person, path, dry_run=dry_run, now=now)


ERASE_WORD = "erase"
"""What a person types to confirm that everything should go."""


def erase_all(person: models.Person, *, confirm: str) -> tuple[dict[str, int], bool]:
    """Delete everything kindstep keeps about ``person``, settings included, when ``confirm``
    is :data:`ERASE_WORD`; then tidy the file so nothing of it can be read back.

    Returns how many rows of each kind went, and whether the file could be
    tidied at once (``export_erase.compact``: another program holding it open can
    delay that until the next erase or start). Anything else as ``confirm`` is
    refused, and nothing is touched.
    """
    from kindstep.store import export_erase

    if str(confirm or "").strip().lower() != ERASE_WORD:
        raise InvalidInput("confirm", f'To erase everything, please type the word "{ERASE_WORD}". '
                                      "Nothing has been erased.")
    erased = export_erase.erase_all(person)
    return erased, export_erase.compact()


# -- pause and reminders (core.pause, core.reminders) -----------------------------------


def start_pause(person: models.Person, *, until: object = None, reason: object = "unwell",
                now: datetime) -> models.Pause:
    """Pause from today to ``until`` (inclusive; None: until ended), for "unwell" or "away".

    A pause already running (or planned) is changed rather than doubled: its end and
    reason become these. Everything is checked before anything is written.
    """
    from kindstep.core import pause as rules
    from kindstep.store import versioning

    today = queries.today(person, now)
    last = rules.pause_until(until, today)
    why = rules.reason(reason)
    with transaction.atomic():
        row = (models.Pause.objects.select_for_update().filter(person=person)
           .filter(_open_after(today)).order_by("start").first())
        if row is None:
            row = models.Pause(person=person, start=today)
        row.start = min(row.start, today)
        row.until, row.reason = last, why
        row.save()
        versioning.touch(person)
    return row


def _open_after(today: date):
    """Pauses that cover ``today`` or a later day."""
    from django.db.models import Q

    return Q(until__isnull=True) | Q(until__gte=today)


def end_pause(person: models.Person, *, now: datetime) -> bool:
    """End the running pause: today counts again. False when none was set.

    The days already paused stay paused (past weeks keep their verdicts); a pause that
    had not yet covered a day before today goes entirely.
    """
    from kindstep.store import versioning

    today = queries.today(person, now)
    with transaction.atomic():
        rows = list(models.Pause.objects.select_for_update().filter(person=person)
                    .filter(_open_after(today)))
        for row in rows:
            if row.start >= today:
                row.delete()
            else:
                row.until = today - timedelta(days=1)
                row.save(update_fields=["until"])
        if rows:
            versioning.touch(person)
    return bool(rows)


def set_reminders(person: models.Person, *, days: object, times: object,
                  channel: object = "push", quiet: object = None,
                  email: object = None) -> models.ReminderSettings:
    """Set the person's reminders (``core.reminders``): days, local times, channel, quiet hours.

    Refuses, naming the field: unknown days or times, an unknown channel, email outside
    server mode or without an address, and a time inside the quiet hours (it would never
    arrive). Nothing is written unless every value is good.
    """
    from django.conf import settings

    from kindstep.core import reminders as rules

    day_set = rules.parse_days(days)
    time_list = rules.parse_times(times)
    how = str(channel or "push").strip().lower()
    if how not in rules.CHANNELS:
        raise InvalidInput("channel", f"A reminder comes by push, email or calendar; got "
                                      f"{how[:20]!r}.")
    quiet_span = rules.parse_quiet(quiet)
    for t in time_list:
        if rules.in_quiet(t, quiet_span):
            raise InvalidInput("time", f"{t:%H:%M} falls in your quiet hours, so it would never "
                                       "arrive; choose another time or other quiet hours.")
    row = models.ReminderSettings.objects.filter(person=person).first() or \
        models.ReminderSettings(person=person)
    address = row.email if email is None else str(email).strip()
    if how == "email":
        if settings.MODE != "server":
            raise InvalidInput("channel", "Email reminders need server mode; push or calendar "
                                          "work here.")
        from django.core.validators import validate_email

        try:
            validate_email(address)
        except Exception:
            raise InvalidInput("email", "Email reminders need an address to write to, like "
                                        "name@example.org.") from None
    row.days = sorted(day_set)
    row.times = [f"{t:%H:%M}" for t in time_list]
    row.channel = how
    row.quiet = "" if quiet_span is None else f"{quiet_span[0]:%H:%M}-{quiet_span[1]:%H:%M}"
    row.email = address
    with transaction.atomic():
        row.save()
    return row


# -- plans and predictions (behavioural activation: plan, expect, do, compare) -------------


def _plan_fields(person: models.Person, now: datetime, *, date: object, time: object,
                 every: object = None) -> dict:
    """The checked date, time and weekdays of a plan (``core.plans`` reads them)."""
    from kindstep.core import plans

    today = queries.today(person, now)
    fields = {"day": plans.plan_day(date, today=today), "at": plans.parse_time(time)}
    if every is not None:
        fields["every"] = plans.every_text(plans.parse_every(every))
    # A time before the day-start hour belongs to the day before (core.plans): on today's
    # date that day has passed, so the plan would never show. Say so instead.
    once = plans.Plan("", 1, fields["day"], fields["at"], plans.parse_every(fields.get("every")))
    if not fields.get("every") and plans.next_shown(
            once, today, timezone=person.timezone, day_start_hour=person.day_start_hour) is None:
        raise InvalidInput("time", f"Your day starts at {person.day_start_hour:02d}:00, so "
                           f"{fields['at']:%H:%M} then belongs to the day before, which has "
                           "passed; a later time or day works.")
    return fields


def plan_activity(
    person: models.Person,
    *,
    activity: str,
    duration: object,
    date: object = None,
    time: object = None,
    expect: object = None,
    every: object = None,
    now: datetime,
) -> models.Plan:
    """Plan an activity ahead (today by default); returns the new plan.

    ``expect`` is how good the person expects it to feel, 0-10, and may be left
    out. ``every`` (``mon,thu``) makes it repeat on those weekdays from its date on.
    """
    code = (activity or "").strip().lower()
    _activity(code, load_catalogue())
    row = models.Plan(
        person=person, activity=code, minutes=checks.duration(duration),
        expect=checks.optional_scale("expect", expect, label="how good you expect it to feel"),
        **_plan_fields(person, now, date=date, time=time, every=every or ""),
    )
    with transaction.atomic():
        row.save()
    return row


def reminders_off(person: models.Person) -> bool:
    """Turn every reminder off (the default); False when none were set."""
    with transaction.atomic():
        changed = models.ReminderSettings.objects.filter(person=person).exclude(days=[]).update(
            days=[], times=[])
    return bool(changed)


def rotate_feed_token(person: models.Person) -> str:
    """A new random token for the calendar feed's URL; the old URL stops working at once."""
    import secrets

    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        row, _ = models.ReminderSettings.objects.get_or_create(person=person)
        row.feed_token = token
        row.save(update_fields=["feed_token", "updated_at"])
    return token


def add_push_subscription(person: models.Person, *, endpoint: object, p256dh: object,
                          auth: object) -> models.PushSubscription:
    """Keep a browser's push subscription (the same endpoint again updates its keys).

    The endpoint must be https, or http on this machine's loopback (a local push
    service in tests); the keys are the browser's, base64url.
    """
    from urllib.parse import urlsplit

    url = str(endpoint or "").strip()
    parts = urlsplit(url)
    loopback = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    if len(url) > 2000 or parts.scheme not in {"https", "http"} or not parts.hostname or (
            parts.scheme == "http" and not loopback):
        raise InvalidInput("endpoint", "That push subscription came without a usable address; "
                                       "please try turning reminders on again.")
    keys = {}
    for name, value, longest in (("p256dh", p256dh, 128), ("auth", auth, 64)):
        text = str(value or "").strip()
        if not text or len(text) > longest or not re.fullmatch(r"[A-Za-z0-9_\-=]+", text):
            raise InvalidInput("endpoint", "That push subscription came without its keys; "
                                           "please try turning reminders on again.")
        keys[name] = text
    with transaction.atomic():
        row, _ = models.PushSubscription.objects.update_or_create(
            endpoint=url, defaults={"person": person, **keys})
    return row


def remove_push_subscription(endpoint: str) -> bool:
    """Forget a push subscription (the browser left it, or its push service said it is gone)."""
    with transaction.atomic():
        deleted, _ = models.PushSubscription.objects.filter(endpoint=endpoint).delete()
    return bool(deleted)
def _plan_row(person: models.Person, plan: object) -> models.Plan:
    """The person's plan named ``p3`` (or ``3``), not dropped; refused kindly otherwise."""
    text = str(plan or "").strip().lower().removeprefix("p")
    pk = _whole_number(text)
    row = None if pk is None else models.Plan.objects.filter(
        person=person, pk=pk, dropped_at__isnull=True).first()
    if row is None:
        raise InvalidInput("plan", f"kindstep has no plan {str(plan).strip()!r}; "
                           "`kindstep plan --list` shows your plans and their IDs.")
    return row


def drop_plan(person: models.Person, plan: object, *, now: datetime) -> models.Plan:
    """Drop a plan: it shows nowhere from now on. Nothing else changes."""
    row = _plan_row(person, plan)
    row.dropped_at = now
    with transaction.atomic():
        row.save(update_fields=["dropped_at"])
    return row


def move_plan(person: models.Person, plan: object, *, date: object, time: object = None,
              now: datetime) -> models.Plan:
    """Move a plan to another day (and time, when given) in one step.

    A repeating plan keeps its weekdays and starts again from the new date.
    """
    row = _plan_row(person, plan)
    kept_at = row.at.strftime("%H:%M") if row.at is not None else None
    fields = _plan_fields(person, now, date=date, time=time if time is not None else kept_at,
                          every=row.every)
    row.day = fields["day"]
    update = ["day"]
    if time is not None:
        row.at = fields["at"]
        update.append("at")
    with transaction.atomic():
        row.save(update_fields=update)
    return row


def expect_feeling(person: models.Person, *, activity: str, expected: object,
                   now: datetime) -> models.Prediction:
    """Note how good the person expects an activity to feel, 0-10, as they start it.

    The session logged next for that activity today answers it (``log_session``).
    """
    code = (activity or "").strip().lower()
    _activity(code, load_catalogue())
    row = models.Prediction(
        person=person, day=queries.today(person, now), activity=code,
        expected=checks.scale("expected", expected, label="how good you expect it to feel"),
    )
    with transaction.atomic():
        row.save()
    return row


def _answer_prediction(person: models.Person, session: models.MovementSession) -> None:
    """Pair a new session with the expectation it answers, inside ``log_session``'s transaction.

    First an expectation noted that day for that activity and not answered yet;
    else a plan for that activity showing that day with an expectation, once per
    plan and day. A session with neither is left alone.
    """
    waiting = (models.Prediction.objects.filter(
        person=person, day=session.day, activity=session.activity, session__isnull=True)
        .order_by("-created_at", "-pk").first())
    if waiting is not None:
        waiting.session = session
        waiting.save(update_fields=["session"])
        return
    for plan in queries.plans_on(person, session.day, activity=session.activity):
        if plan.expect is None:
            continue
        if models.Prediction.objects.filter(plan_id=plan.id, day=session.day).exists():
            continue
        models.Prediction.objects.create(person=person, day=session.day, activity=plan.activity,
                                         expected=plan.expect, plan_id=plan.id, session=session)
        return


def set_matters(person: models.Person, picked: object = (), own: object = "") -> models.Person:
    """Keep what the person said matters to them (``core.matters``); empty clears it."""
    from kindstep.core.matters import clean_matters

    person.matters = clean_matters(picked, own)
    with transaction.atomic():
        person.save(update_fields=["matters"])
    return person


WELCOME_STEPS = ("", "about", "done")
"""The calm first run's progress: not begun, past "what kindstep is", finished or skipped."""


def welcome_step(person: models.Person, step: object) -> models.Person:
    """Remember how far the first-run welcome has gone; it never goes back, and "done" stays."""
    step = str(step or "").strip().lower()
    if step not in WELCOME_STEPS[1:]:
        raise InvalidInput("welcome", "The welcome goes on to 'about' or 'done'.")
    if WELCOME_STEPS.index(step) > WELCOME_STEPS.index(person.welcome or ""):
        person.welcome = step
        with transaction.atomic():
            person.save(update_fields=["welcome"])
    return person
def place_moods(person: models.Person, placements: dict[str, object]) -> int:
    """Place the person's own Daylio mood names ({name: level 1-5 or awful ... rad}).

    Behind the import page's short form: no file is needed, since the entries
    waiting under each name are already stored. Every placement is checked
    first (InvalidInput, nothing written, for a level off the scale or one of
    Daylio's own names); then, in one transaction, they are remembered for the
    next export and the waiting entries get their mood. Returns how many did.
    """
    from kindstep.store import importing
    from kindstep.store.versioning import touch

    valid = importing.valid_placements(placements)
    if not valid:
        return 0
    with transaction.atomic():
        importing.remember_placements(person, valid)
        filled = importing.fill_placed_moods(person, valid)
        touch(person)
    return filled

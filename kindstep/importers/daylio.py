"""Daylio: the CSV export (``csv_rows``) and the ``.daylio`` backup (``backup_rows``).

Each diary entry yields one :class:`MoodRow`, or a :class:`Skipped` saying why.
Activities that are movement ("walk", "sport", "yoga", see
:data:`MOVEMENT_LABELS`) also yield a :class:`SessionRow` whose
``derived_from`` is the entry's key, so counts stay one per entry. Every
activity label, movement or not, stays on ``MoodRow.activities``: nothing
the person wrote is dropped.

Moods onto kindstep's 0-10 scale (:data:`DEFAULT_MOODS`): Daylio's five levels
rad 10, good 8 (7.5 rounded up), meh 5, bad 3 (2.5 rounded up), awful 0
("fugly" was the old name for bad). In the backup, custom moods ("love it",
"tired") sit in one of those five groups, so they map exactly. In the CSV a
custom mood is only a name; unless the caller passes ``moods={"tired": 4}``
(or :func:`moods_from_backup`), that entry is Skipped with a reason that
suggests importing the backup instead. It is never guessed.

Minutes: Daylio does not record how long an activity lasted, so a derived
session uses the catalogue's usual length (``default_minutes``) and says so
in its note; ``origin`` keeps the person's own label.

Times: the CSV holds local clock times with no zone; they are read in
``tz`` (the person's IANA zone, default UTC). ``day`` is the date Daylio
wrote. The backup carries each entry's UTC instant and offset, so ``tz``
is not needed there to place it. Keys are ``YYYY-MM-DDTHH:MM`` (``#2``,
``#3`` for a second entry in the same minute), the same in CSV and backup,
so importing both does not double a diary.

Dates: an entry dated before 1990 or after the person's today (``now``,
default the clock, read in ``tz``) is Skipped with its reason, as activity
files are: a mood from tomorrow would otherwise sit unseen beyond the end
of History.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, tzinfo
from typing import BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kindstep.importers.rows import ImportRefused, MoodRow, SessionRow, Skipped

__all__ = ["csv_rows", "backup_rows", "moods_from_backup", "movement_code", "DEFAULT_MOODS",
           "MOVEMENT_LABELS", "today_in", "outside_dates"]

SOURCE = "daylio"

DEFAULT_MOODS: dict[str, int] = {"rad": 10, "good": 8, "meh": 5, "bad": 3, "fugly": 3, "awful": 0}
"""Daylio's five default mood names on kindstep's 0-10 mood scale."""

GROUP_MOODS: dict[int, int] = {1: 10, 2: 8, 3: 5, 4: 3, 5: 0}
"""Daylio's mood groups (1 rad ... 5 awful) on the 0-10 scale, for the backup's custom moods."""

_PREDEFINED = {1: "rad", 2: "good", 3: "meh", 4: "bad", 5: "awful"}

MOVEMENT_LABELS: dict[str, str] = {
    "walk": "walk", "walking": "walk", "a walk": "walk", "nature walk": "walk", "stroll": "walk_slow",
    "walk the dog": "walk_dog", "dog walk": "walk_dog", "walking the dog": "walk_dog",
    "sport": "walk", "sports": "walk", "exercise": "walk", "exercising": "walk", "fitness": "walk",
    "movement": "walk",
    "workout": "strength_bodyweight", "gym": "strength_bodyweight", "strength": "strength_bodyweight",
    "strength training": "strength_bodyweight", "weights": "strength_bands",
    "running": "jog", "run": "jog", "jogging": "jog", "jog": "jog",
    "yoga": "yoga_gentle", "pilates": "pilates", "tai chi": "tai_chi", "qigong": "qigong",
    "stretching": "stretch_standing", "stretch": "stretch_standing",
    "cycling": "cycle", "cycle": "cycle", "bike": "cycle", "biking": "cycle", "bicycle": "cycle",
    "bike ride": "cycle",
    "swimming": "swim", "swim": "swim",
    "dancing": "dance", "dance": "dance",
    "hiking": "hike", "hike": "hike",
    "gardening": "garden", "garden": "garden", "stairs": "stairs",
    # French, German and Spanish defaults seen in real exports (Daylio localises labels)
    "exercice": "walk", "marche": "walk", "promenade": "walk", "course à pied": "jog",
    "vélo": "cycle", "natation": "swim", "danse": "dance", "randonnée": "hike",
    "spazieren": "walk", "spaziergang": "walk", "laufen": "jog", "joggen": "jog",
    "radfahren": "cycle", "schwimmen": "swim", "tanzen": "dance", "wandern": "hike",
    "caminar": "walk", "deporte": "walk", "ejercicio": "walk", "correr": "jog",
    "nadar": "swim", "bailar": "dance",
}
"""A Daylio (or Bearable) activity label, lower case -> catalogue code.

"sport" and "exercise" say movement happened but not which, so they become
an easy walk (the gentlest honest estimate) with the label kept in ``origin``.
A label made of parts ("nature / walk") matches when one part does."""

_PARTS = re.compile(r"\s*(?:/|&|,|\+|\band\b)\s*")
MAX_LABELS = 200
MAX_LABEL = 200


def movement_code(label: str) -> str | None:
    """The catalogue code a journal activity label stands for, or None when it is not movement.

    >>> movement_code("nature / walk"), movement_code("Yoga"), movement_code("movies / tv")
    ('walk', 'yoga_gentle', None)
    """
    text = " ".join(label.lower().split())
    if text in MOVEMENT_LABELS:
        return MOVEMENT_LABELS[text]
    for part in _PARTS.split(text):
        if part in MOVEMENT_LABELS:
            return MOVEMENT_LABELS[part]
    return None


def derived_sessions(labels, *, key: str, source: str, day: date, at: datetime | None,
                     app: str) -> Iterator[SessionRow]:
    """One SessionRow per distinct movement among ``labels``, each marked ``derived_from=key``."""
    from kindstep.core.catalogue import load_catalogue

    catalogue = load_catalogue()
    seen: set[str] = set()
    for label in labels:
        code = movement_code(label)
        if code is None or code in seen or code not in catalogue:
            continue
        seen.add(code)
        yield SessionRow(
            key=f"{key}:{code}", source=source, day=day,
            minutes=catalogue[code].default_minutes, activity=code, started_at=at,
            note=(f"From {app}, which does not record how long; this uses kindstep's usual "
                  "length for it."),
            origin=label, derived_from=key,
        )


# ---------------------------------------------------------------- CSV, shared with bearable.py


def text_stream(source: str | os.PathLike | bytes | BinaryIO, what: str) -> io.TextIOBase:
    """A UTF-8 text stream (a BOM is fine) over a path, bytes or binary stream."""
    try:
        if isinstance(source, bytes | bytearray):
            raw: BinaryIO = io.BytesIO(bytes(source))
        elif isinstance(source, str | os.PathLike):
            raw = open(source, "rb")  # noqa: SIM115 - closed with the text wrapper
        else:
            raw = source
    except OSError as error:
        raise ImportRefused(f"The {what} file could not be opened: {error.strerror or error}.") from None
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")


def csv_records(source, what: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each CSV record, streamed; ImportRefused for undecodable text.

    Field sizes are bounded by the csv module's limit (128 KiB by default).
    """
    stream = text_stream(source, what)
    reader = csv.reader(stream)
    try:
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise ImportRefused(
                    f"This {what} file has bytes that are not UTF-8 text, so it may be damaged or "
                    "not a CSV export at all. Exporting it again from the app may help.",
                    f"line {reader.line_num + 1}") from None
            except csv.Error as error:
                raise ImportRefused(f"This {what} file is not readable CSV ({error}).",
                                    f"line {reader.line_num}") from None
            yield reader.line_num, record
    finally:
        stream.close()


def header_index(header: list[str], required: tuple[str, ...], what: str, looks_like: str
                 ) -> dict[str, int]:
    """Column name (lower case) -> position; ImportRefused naming what a header should hold."""
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        index.setdefault(name, position)
    absent = [r for r in required if r not in index]
    if absent:
        raise ImportRefused(
            f"This does not look like a {what} export: its first line should name the columns "
            f"{looks_like}, but {', '.join(absent)} is not there.", "line 1")
    return index


def unique_key(base: str, seen: dict[str, int]) -> str:
    """``base``, or ``base#2``, ``base#3``... for repeats within one file."""
    count = seen.get(base, 0) + 1
    seen[base] = count
    return base if count == 1 else f"{base}#{count}"


_TIME_FORMATS = ("%H:%M", "%I:%M %p", "%H:%M:%S", "%I:%M:%S %p", "%I:%M%p", "%I %p")


def parse_clock(text: str) -> time | None:
    """A clock time from ``14:58``, ``6:50 pm``, ``10:04 AM``; None when it is not one."""
    text = " ".join(text.strip().upper().replace(".", "").split())
    for form in _TIME_FORMATS:
        try:
            return datetime.strptime(text, form).time()
        except ValueError:
            continue
    return None


def zone(tz: tzinfo | str | None) -> tzinfo:
    """A tzinfo from a zone object or an IANA name; UTC when None."""
    if tz is None:
        return UTC
    if isinstance(tz, str):
        try:
            return ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ImportRefused(f"kindstep does not know the time zone {tz!r}.") from None
    return tz


EARLIEST_DAY = date(1990, 1, 1)
"""No journal entry is older than this; the same bound as activity files (gpx.EARLIEST)."""


def today_in(tz: tzinfo, now: datetime | None = None) -> date:
    """The person's calendar date at ``now`` (default: the clock) in ``tz``."""
    now = now or datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(tz).date()


def outside_dates(day: date, today: date, where: str) -> Skipped | None:
    """A Skipped for an entry dated before 1990 or after ``today``; None when the date is fine."""
    if EARLIEST_DAY <= day <= today:
        return None
    return Skipped(f"The date {day.isoformat()} is outside 1990 to today.", where)


def clean_note(*parts: str) -> str:
    """Note parts joined by blank lines, with Daylio's ``<br>`` turned into new lines."""
    text = "\n\n".join(p.strip() for p in parts if p and p.strip())
    return re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)


def split_labels(text: str, sep: str = "|") -> tuple[str, ...]:
    labels = [" ".join(p.split())[:MAX_LABEL] for p in text.split(sep)]
    return tuple(p for p in labels if p)[:MAX_LABELS]


def csv_rows(source: str | os.PathLike | bytes | BinaryIO, *, tz: tzinfo | str | None = None,
             moods: Mapping[str, int] | None = None, now: datetime | None = None
             ) -> Iterator[MoodRow | SessionRow | Skipped]:
    """Rows from a Daylio CSV export (every column variant); ImportRefused for an unreadable file.

    ``moods`` adds or overrides mood names (case-insensitive) -> 0-10. An entry dated
    after today in ``tz`` (at ``now``, default the clock) or before 1990 is Skipped.
    """
    where_tz = zone(tz)
    today = today_in(where_tz, now)
    mood_map = dict(DEFAULT_MOODS)
    for name, value in (moods or {}).items():
        if not 0 <= int(value) <= 10:
            raise ImportRefused(f"The mood {name!r} was given {value}; moods run from 0 to 10.")
        mood_map[" ".join(name.lower().split())] = int(value)
    records = csv_records(source, "Daylio")
    first = next(records, None)
    if first is None:
        raise ImportRefused("This Daylio file is empty. Exporting it again from the app may help.")
    index = header_index(first[1], ("full_date", "time", "mood"), "Daylio CSV",
                         "full_date,date,weekday,time,mood,activities,note")
    width = len(first[1])
    seen: dict[str, int] = {}
    for line, record in records:
        if not any(field.strip() for field in record):
            continue  # a blank line is not an entry
        yield from _csv_entry(line, record, index, width, where_tz, mood_map, seen, today)


def _csv_entry(line, record, index, width, tz, mood_map, seen, today):
    where = f"line {line}"
    fields = _fields(record, index, width)
    if fields is None:
        yield Skipped(f"This line has {len(record)} fields where a Daylio entry has {width}.", where)
        return
    try:
        day = date.fromisoformat(fields["full_date"].strip())
    except ValueError:
        yield Skipped(f"The date {fields['full_date'][:40]!r} is not a calendar date.", where)
        return
    outside = outside_dates(day, today, where)
    if outside is not None:
        yield outside
        return
    clock = parse_clock(fields["time"])
    if clock is None:
        yield Skipped(f"The time {fields['time'][:40]!r} is not a clock time.", where)
        return
    at = datetime.combine(day, clock, tzinfo=tz)
    key = unique_key(f"{day.isoformat()}T{clock:%H:%M}", seen)
    labels = split_labels(fields.get("activities", ""))
    scales = fields.get("scales", "").strip()
    note = clean_note(fields.get("note_title", ""), fields.get("note", ""),
                      f"Scales: {scales}" if scales else "")
    label = " ".join(fields["mood"].lower().split())
    if label in mood_map:
        yield MoodRow(key=key, source=SOURCE, day=day, at=at, mood=mood_map[label], note=note,
                      activities=labels)
    else:
        yield Skipped(
            f"The mood {fields['mood'].strip()[:60]!r} is one of your own mood names, and the CSV "
            "does not say where it sits between awful and rad. Importing the .daylio backup "
            "instead keeps it, because the backup knows its place.", where)
    yield from derived_sessions(labels, key=key, source=SOURCE, day=day, at=at, app="Daylio")


_LEADING = ("full_date", "date", "weekday", "time", "mood", "activities")


def _fields(record: list[str], index: dict[str, int], width: int) -> dict[str, str] | None:
    """Column -> value; a line with extra fields keeps them all (in the note title)."""
    if len(record) == width:
        return {name: record[pos] for name, pos in index.items()}
    needed = max(index[n] for n in ("full_date", "time", "mood")) + 1
    if len(record) < needed:
        return None
    if len(record) < width:
        return {name: record[pos] for name, pos in index.items() if pos < len(record)}
    # More fields than the header: Daylio has written an extra empty field after the
    # activities. The leading columns sit in place and the note is last; whatever lies
    # between is joined as the title, so no text is lost.
    out = {name: record[pos] for name, pos in index.items() if name in _LEADING}
    middle_start = max(index.get(n, -1) for n in _LEADING) + 1
    middle = [f for f in record[middle_start:-1] if f.strip()]
    if "note" in index:
        out["note"] = record[-1]
        out["note_title"] = " ".join(middle)
    else:
        out["note_title"] = " ".join(middle + [record[-1]])
    return out


# ---------------------------------------------------------------- the .daylio backup

MAX_BACKUP_BYTES = 256 * 1024 * 1024


def _load_backup(path: str | os.PathLike) -> dict:
    from kindstep.importers import safety

    with safety.open_zip(path) as archive:
        names = archive.members()
        member = next((n for n in names if n.rsplit("/", 1)[-1] == "backup.daylio"), None)
        if member is None:
            raise ImportRefused("This zip holds no backup.daylio, so it is not a Daylio backup.",
                                "zip directory")
        data = archive.read(member, MAX_BACKUP_BYTES)
    try:
        document = json.loads(base64.b64decode(data, validate=False).decode("utf-8"))
    except (binascii.Error, ValueError):
        raise ImportRefused("The backup inside this .daylio file is damaged (it is not the "
                            "encoded diary Daylio writes). Making a new backup may help.",
                            "backup.daylio") from None
    if not isinstance(document, dict) or not isinstance(document.get("dayEntries"), list):
        raise ImportRefused("The backup inside this .daylio file holds no diary entries.",
                            "backup.daylio")
    return document


def _backup_moods(document: dict) -> dict[int, tuple[str, int]]:
    moods: dict[int, tuple[str, int]] = {}
    for mood in document.get("customMoods") or []:
        if not isinstance(mood, dict):
            continue
        ident, group = mood.get("id"), mood.get("mood_group_id")
        if not isinstance(ident, int) or group not in GROUP_MOODS:
            continue
        name = str(mood.get("custom_name") or "").strip()
        if not name:
            name = _PREDEFINED.get(mood.get("predefined_name_id"), _PREDEFINED[group])
        moods[ident] = (name, GROUP_MOODS[group])
    if not moods:  # very old backups: the five moods by their group numbers
        moods = {g: (_PREDEFINED[g], v) for g, v in GROUP_MOODS.items()}
    return moods


def moods_from_backup(path: str | os.PathLike) -> dict[str, int]:
    """Mood name -> 0-10 from a ``.daylio`` backup, to read a CSV that uses custom moods."""
    return {name.lower(): value for name, value in _backup_moods(_load_backup(path)).values()}


def backup_rows(path: str | os.PathLike, *, tz: tzinfo | str | None = None,
                now: datetime | None = None) -> Iterator[MoodRow | SessionRow | Skipped]:
    """Rows from a ``.daylio`` backup (a zip holding base64 JSON); ImportRefused when unreadable.

    An entry dated after today in ``tz`` (at ``now``, default the clock) or before 1990
    is Skipped, as in the CSV.
    """
    today = today_in(zone(tz), now)
    document = _load_backup(path)
    moods = _backup_moods(document)
    tags = {t["id"]: " ".join(str(t.get("name", "")).split())[:MAX_LABEL]
            for t in document.get("tags") or [] if isinstance(t, dict) and isinstance(t.get("id"), int)}
    seen: dict[str, int] = {}
    for number, entry in enumerate(document["dayEntries"]):
        where = f"dayEntries[{number}]"
        if not isinstance(entry, dict):
            yield Skipped("This entry is not an entry record.", where)
            continue
        yield from _backup_entry(entry, where, moods, tags, seen, today)


def _backup_entry(entry, where, moods, tags, seen, today):
    try:
        day = date(int(entry["year"]), int(entry["month"]) + 1, int(entry["day"]))
        clock = time(int(entry["hour"]), int(entry["minute"]))
        stamp = entry.get("datetime")
        if isinstance(stamp, int | float) and not isinstance(stamp, bool):
            at = datetime.fromtimestamp(stamp / 1000, UTC)
        else:
            at = datetime.combine(day, clock, tzinfo=UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        yield Skipped("This entry's date or time is missing or not a real date.", where)
        return
    outside = outside_dates(day, today, where)
    if outside is not None:
        yield outside
        return
    key = unique_key(f"{day.isoformat()}T{clock:%H:%M}", seen)
    labels = tuple(tags.get(t, f"tag {t}") for t in entry.get("tags") or []
                   if isinstance(t, int))[:MAX_LABELS]
    note = clean_note(str(entry.get("note_title") or ""), str(entry.get("note") or ""))
    number = entry.get("mood")
    mood = moods.get(number) if isinstance(number, int) else None
    if mood is None:
        yield Skipped(f"This entry's mood (number {str(number)[:20]}) is not among the "
                      "backup's moods.", where)
    else:
        yield MoodRow(key=key, source=SOURCE, day=day, at=at, mood=mood[1], note=note,
                      activities=labels)
    yield from derived_sessions(labels, key=key, source=SOURCE, day=day, at=at, app="Daylio")


def content_hash(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:10]

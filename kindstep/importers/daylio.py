"""Daylio: the CSV export (``csv_rows``) and the ``.daylio`` backup (``backup_rows``).

Each diary entry yields one :class:`MoodRow`, or a :class:`Skipped` saying why.
Activities that are movement ("walk", "sport", "yoga", see
:data:`kindstep.importers.journals.MOVEMENT_LABELS`) also yield a :class:`SessionRow` whose
``derived_from`` is the entry's key, so counts stay one per entry. Every
activity label, movement or not, stays on ``MoodRow.activities``: nothing
the person wrote is dropped.

Moods onto kindstep's 0-10 scale (:data:`DEFAULT_MOODS`): Daylio's five levels
rad 10, good 8 (7.5 rounded up), meh 5, bad 3 (2.5 rounded up), awful 0
("fugly" was the old name for bad; :mod:`kindstep.core.moods`). In the backup,
custom moods ("love it", "tired") sit in one of those five groups, so they map
exactly. In the CSV a custom mood is only a name: the caller passes the
person's placements (``moods={"tired": 3}``, 0-10, or :func:`moods_from_backup`);
an entry whose name has no placement still yields its MoodRow, with
``mood=None`` and the name in ``mood_name``, so its date, activities and note
are kept and the mood can be placed later. It is never guessed.

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
the caller's clock, read in ``tz``) is Skipped with its reason, as activity
files are: a mood from tomorrow would otherwise sit unseen beyond the end
of History.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, tzinfo
from typing import BinaryIO

from kindstep.core.moods import mood_key
from kindstep.importers import hardening
from kindstep.importers.journals import (
    MAX_LABEL,
    MAX_LABELS,
    clean_note,
    csv_records,
    derived_sessions,
    header_index,
    outside_dates,
    parse_clock,
    split_labels,
    today_in,
    unique_key,
    zone,
)
from kindstep.importers.rows import ImportRefused, MoodRow, SessionRow, Skipped

__all__ = ["csv_rows", "backup_rows", "moods_from_backup", "mood_names", "DEFAULT_MOODS"]

SOURCE = "daylio"

DEFAULT_MOODS: dict[str, int] = {"rad": 10, "good": 8, "meh": 5, "bad": 3, "fugly": 3, "awful": 0}
"""Daylio's five default mood names on kindstep's 0-10 mood scale."""

GROUP_MOODS: dict[int, int] = {1: 10, 2: 8, 3: 5, 4: 3, 5: 0}
"""Daylio's mood groups (1 rad ... 5 awful) on the 0-10 scale, for the backup's custom moods."""

_PREDEFINED = {1: "rad", 2: "good", 3: "meh", 4: "bad", 5: "awful"}


def csv_rows(source: str | os.PathLike | bytes | BinaryIO, *, tz: tzinfo | str | None = None,
             moods: Mapping[str, int] | None = None, now: datetime
             ) -> Iterator[MoodRow | SessionRow | Skipped]:
    """Rows from a Daylio CSV export (every column variant); ImportRefused for an unreadable file.

    ``moods`` adds or overrides mood names (case-insensitive) -> 0-10. An entry dated
    after today in ``tz`` (at ``now``, the caller's clock) or before 1990 is Skipped.
    """
    where_tz = zone(tz)
    today = today_in(where_tz, now)
    mood_map = dict(DEFAULT_MOODS)
    for name, value in (moods or {}).items():
        if not 0 <= int(value) <= 10:
            raise ImportRefused(f"The mood {name!r} was given {value}; moods run from 0 to 10.")
        mood_map[mood_key(name)] = int(value)
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
    label = mood_key(fields["mood"])
    if not label:
        yield Skipped("This entry has no mood, so there is nothing to place it by.", where)
        return
    yield MoodRow(key=key, source=SOURCE, day=day, at=at, mood=mood_map.get(label), note=note,
                  activities=labels, mood_name=label)
    yield from derived_sessions(labels, key=key, source=SOURCE, day=day, at=at, app="Daylio")


def mood_names(source: str | os.PathLike | bytes | BinaryIO) -> list[str]:
    """Each mood name of a Daylio CSV once (``mood_key``), in the order they first appear.

    Read before an import so a person at a terminal can place their own names
    first; ImportRefused for a file that is not a readable Daylio CSV.
    """
    records = csv_records(source, "Daylio")
    first = next(records, None)
    if first is None:
        raise ImportRefused("This Daylio file is empty. Exporting it again from the app may help.")
    index = header_index(first[1], ("full_date", "time", "mood"), "Daylio CSV",
                         "full_date,date,weekday,time,mood,activities,note")
    names: dict[str, None] = {}
    for _line, record in records:
        if index["mood"] < len(record) and mood_key(record[index["mood"]]):
            names.setdefault(mood_key(record[index["mood"]]), None)
    return list(names)


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
    with hardening.open_zip(path) as archive:
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
                now: datetime) -> Iterator[MoodRow | SessionRow | Skipped]:
    """Rows from a ``.daylio`` backup (a zip holding base64 JSON); ImportRefused when unreadable.

    An entry dated after today in ``tz`` (at ``now``, the caller's clock) or before 1990
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
                      activities=labels, mood_name=mood_key(mood[0]))
    yield from derived_sessions(labels, key=key, source=SOURCE, day=day, at=at, app="Daylio")

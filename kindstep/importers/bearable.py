"""Bearable: the CSV export, one row per line.

The export's columns are ``date,weekday,time of day,category,rating/amount,detail,notes``
(every value quoted, dates like ``22nd Sep 2020``, details separated by `` | ``).
Each line yields exactly one row or a :class:`Skipped`:

- **Mood** -> :class:`MoodRow`: the rating is already 0-10 (kept, rounded);
  the details ("Meh | Anxious") go to ``activities``, the notes to ``note``.
- **Energy** -> :class:`NoteRow` ``kind="energy"``: Bearable rates energy 1-5,
  mapped onto 0-10 as ``(rating - 1) * 2.5`` rounded half up (1 0, 2 3, 3 5,
  4 8, 5 10); a rating of 6-10 is read as already on 0-10.
- **Symptom** -> :class:`NoteRow`; when a detail is anxiety, panic, worry or
  stress the kind is ``anxiety`` and the severity becomes ``value``:
  none 0, mild 3, moderate 5, severe 8, extreme or unbearable 10 (the worst
  one on the line).
- **Sleep** with an amount like ``9:45`` -> :class:`DailyRow` ``sleep_hours``.
- Everything else (Factors, Gratitudes, Meds/Supplements, Food Diary, Sleep
  quality, Bowel Movements, categories Bearable adds later) -> :class:`NoteRow`
  with the category as ``kind``: kept, never dropped.

Movement in a line's details ("Walk", "Yoga" among the Factors; see
:data:`kindstep.importers.journals.MOVEMENT_LABELS`) also yields a
:class:`SessionRow` with ``derived_from`` set to the line's key and the
catalogue's usual minutes (Bearable does not record how long).

Times: a clock time (``3:04``) is read in ``tz`` (default UTC); the slots
stand for pre 06:00, am 09:00, mid 13:00, pm 19:00, and "all day" or an
empty time for 12:00. Keys are ``date|time|category|hash of the values``.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections.abc import Iterator
from datetime import date, datetime, time, tzinfo
from typing import BinaryIO

from kindstep.importers.journals import (
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
from kindstep.importers.rows import DailyRow, ImportRefused, MoodRow, NoteRow, SessionRow, Skipped

__all__ = ["rows", "SLOTS", "SEVERITY"]

SOURCE = "bearable"

SLOTS: dict[str, time] = {
    "pre": time(6, 0), "am": time(9, 0), "mid": time(13, 0), "pm": time(19, 0),
    "all day": time(12, 0), "": time(12, 0),
}
"""Bearable's time-of-day slots -> the clock time kindstep places them at."""

SEVERITY: dict[str, int] = {"none": 0, "mild": 3, "moderate": 5, "severe": 8, "extreme": 10,
                            "unbearable": 10}
"""A symptom's severity word -> 0-10."""

_ANXIOUS = ("anxiety", "anxious", "panic", "worry", "worried", "stress", "nervous")
_NO_MOVEMENT = {"mood", "symptom", "meds/supplements", "food diary", "sleep", "sleep quality",
                "bowel movements"}
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_DATE = re.compile(r"^\s*(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\s*$")
_SEVERITY = re.compile(r"\(([^()]*)\)\s*$")


def rows(source: str | os.PathLike | bytes | BinaryIO, *, tz: tzinfo | str | None = None,
         now: datetime
         ) -> Iterator[MoodRow | NoteRow | DailyRow | SessionRow | Skipped]:
    """One row (or Skipped) per line of a Bearable CSV export; ImportRefused for an unreadable file.

    A line dated after today in ``tz`` (at ``now``, the caller's clock) or before 1990 is Skipped.
    """
    where_tz = zone(tz)
    today = today_in(where_tz, now)
    records = csv_records(source, "Bearable")
    first = next(records, None)
    if first is None:
        raise ImportRefused("This Bearable file is empty. Exporting it again from the app may help.")
    index = header_index(first[1], ("date", "category", "rating/amount", "detail"),
                         "Bearable CSV", "date,weekday,time of day,category,rating/amount,detail,notes")
    seen: dict[str, int] = {}
    for line, record in records:
        if not any(field.strip() for field in record):
            continue
        fields = {name: (record[pos] if pos < len(record) else "") for name, pos in index.items()}
        yield from _line(f"line {line}", fields, where_tz, seen, today)


def parse_date(text: str) -> date | None:
    """A date from ``22nd Sep 2020``, ``1 September 2020`` or ``2020-09-22``; None otherwise."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    found = _DATE.match(text)
    if not found:
        return None
    month = _MONTHS.get(found.group(2)[:3].lower())
    try:
        return date(int(found.group(3)), month, int(found.group(1))) if month else None
    except ValueError:
        return None


def _line(where: str, fields: dict[str, str], tz: tzinfo, seen: dict[str, int], today: date):
    day = parse_date(fields.get("date", ""))
    if day is None:
        yield Skipped(f"The date {fields.get('date', '')[:40]!r} is not a calendar date.", where)
        return
    outside = outside_dates(day, today, where)
    if outside is not None:
        yield outside
        return
    moment = fields.get("time of day", "").strip()
    clock = SLOTS.get(moment.lower()) or parse_clock(moment)
    if clock is None:
        yield Skipped(f"The time of day {moment[:40]!r} is neither a clock time nor a slot.", where)
        return
    at = datetime.combine(day, clock, tzinfo=tz)
    category = " ".join(fields.get("category", "").split())
    kind = category.lower()
    if not kind:
        yield Skipped("This line names no category, so kindstep cannot tell what it records.",
                      where)
        return
    amount = fields.get("rating/amount", "").strip()
    detail = fields.get("detail", "").strip()
    notes = fields.get("notes", "").strip()
    key = unique_key(f"{day.isoformat()}|{moment or '-'}|{kind}|"
                     f"{content_hash(amount, detail, notes)}", seen)
    labels = split_labels(detail)
    if kind == "mood":
        rating = _number(amount)
        if rating is None or not 0 <= rating <= 10:
            yield Skipped(f"The mood rating {amount[:20]!r} is not a number from 0 to 10.", where)
            return
        yield MoodRow(key=key, source=SOURCE, day=day, at=at, mood=_round(rating),
                      note=clean_note(notes), activities=labels)
    elif kind == "energy":
        rating = _number(amount)
        if rating is None or not 0 <= rating <= 10:
            yield Skipped(f"The energy rating {amount[:20]!r} is not a number from 1 to 5.", where)
            return
        value = _round((rating - 1) * 2.5) if rating <= 5 else _round(rating)
        yield NoteRow(key=key, source=SOURCE, day=day, kind="energy",
                      text=clean_note(detail, notes), at=at, value=max(0, value))
    elif kind == "symptom":
        anxiety = _anxiety(labels)
        yield NoteRow(key=key, source=SOURCE, day=day,
                      kind="anxiety" if anxiety is not None else "symptom",
                      text=clean_note(detail, notes), at=at, value=anxiety)
    elif kind == "sleep" and _hours(amount) is not None:
        yield DailyRow(key=key, source=SOURCE, day=day, kind="sleep_hours", value=_hours(amount))
    else:
        text = clean_note(" ".join(p for p in (amount, detail) if p), notes)
        yield NoteRow(key=key, source=SOURCE, day=day, kind=kind, text=text, at=at)
    if kind not in _NO_MOVEMENT:
        yield from derived_sessions(labels, key=key, source=SOURCE, day=day, at=at,
                                    app="Bearable")


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _round(value: float) -> int:
    """Half up, so Bearable's 2.5 steps land on 3, 5, 8 (not banker's 2, 8)."""
    return int(math.floor(value + 0.5))


def _hours(text: str) -> float | None:
    """Hours from ``9:45`` or ``7.5``; None unless 0-24."""
    found = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text)
    if found:
        hours = int(found.group(1)) + int(found.group(2)) / 60
    else:
        hours = _number(text)
    if hours is None or not 0 < hours <= 24:
        return None
    return round(hours, 2)


def _anxiety(labels: tuple[str, ...]) -> int | None:
    worst = None
    for label in labels:
        lower = label.lower()
        if not any(word in lower for word in _ANXIOUS):
            continue
        found = _SEVERITY.search(lower)
        value = SEVERITY.get(found.group(1).strip(), 5) if found else 5
        worst = value if worst is None else max(worst, value)
    return worst


def content_hash(*parts: str) -> str:
    """Ten hex digits of the line's values, so two lines alike but for their values differ."""
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:10]

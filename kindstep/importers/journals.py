"""What the journal apps' importers share (Daylio and Bearable): labels, CSV, clocks, dates.

- Movement among a journal's activity labels: :data:`MOVEMENT_LABELS`,
  :func:`movement_code`, and :func:`derived_sessions` (one session per
  distinct movement, at the catalogue's usual length, since neither app
  records how long).
- CSV: :func:`csv_records` streams (line, fields) from UTF-8 text (a BOM is
  fine), :func:`header_index` finds the columns, :func:`unique_key` tells
  repeats within a file apart.
- Clocks and days: :func:`parse_clock`, :func:`zone`, :func:`today_in`, and
  :func:`outside_dates` (an entry before 1990 or after the person's today is
  Skipped, as activity files are).
- Text: :func:`clean_note` and :func:`split_labels`.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, tzinfo
from typing import BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kindstep.importers.rows import ImportRefused, SessionRow, Skipped

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
"""No journal entry is older than this; the same bound as activity files
(:data:`kindstep.importers.sessions.EARLIEST`)."""


def today_in(tz: tzinfo, now: datetime) -> date:
    """The person's calendar date at ``now`` (the caller's clock) in ``tz``; a naive ``now`` is UTC."""
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

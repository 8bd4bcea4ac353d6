"""The rows importers yield, and the one error they raise.

Every source item (an Apple Health ``Record``, a GPX file, a Daylio CSV line)
yields exactly one row: a value to store, or :class:`Skipped` with a reason,
so ``added + already_present + skipped`` accounts for the whole file.
Times are aware datetimes; ``day`` is the local date the source gives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime


class ImportRefused(ValueError):
    """The file cannot be imported; ``message`` says where it went wrong and what to try.

    ``where`` names the place (``line 1573, column 1``, ``row 12``, a zip
    member) when it is known.
    """

    def __init__(self, message: str, where: str = ""):
        super().__init__(f"{message} ({where})" if where else message)
        self.message = message
        self.where = where


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A stretch of movement from a file: a workout, a GPX track, a Daylio activity."""

    key: str
    """Natural key, unique within ``source``: importing the same item again finds it."""
    source: str
    day: date
    minutes: int
    activity: str
    """A catalogue code; importers map their source's kinds onto the catalogue."""
    started_at: datetime | None = None
    distance_m: float | None = None
    energy_kcal: float | None = None
    note: str = ""
    origin: str = ""
    """The source's own name for the kind of activity (``HKWorkoutActivityTypeWalking``)."""
    route: str = ""
    """A reference to a route file inside the import (Apple Health ``FileReference`` path)."""
    derived_from: str = ""
    """The key of the source item this session was read from (a Daylio entry's "walk"),
    when it is not a source item of its own; such rows are not counted again."""


@dataclass(frozen=True, slots=True)
class MoodRow:
    """A mood entry from a journal app, mapped onto kindstep's 0-10 scales."""

    key: str
    source: str
    day: date
    at: datetime
    mood: int | None
    """0-10; the mapping from the source's scale is documented in its importer. None when the
    source gives only a name the person has not yet placed (a Daylio CSV's own mood names)."""
    note: str = ""
    activities: tuple[str, ...] = ()
    """The entry's activity labels as the source wrote them, kept so nothing is dropped."""
    energy: int | None = None
    anxiety: int | None = None
    mood_name: str = ""
    """The source's own name for the mood (``kindstep.core.moods.mood_key``), when it has one."""


@dataclass(frozen=True, slots=True)
class DailyRow:
    """A per-day measure: steps, mindful minutes, sleep hours."""

    key: str
    source: str
    day: date
    kind: str
    """``steps``, ``mindful_minutes`` or ``sleep_hours``."""
    value: float


@dataclass(frozen=True, slots=True)
class RawRow:
    """An Apple Health element kept whole, so nothing a person exported is thrown away."""

    key: str
    kind: str
    """``Record``, ``Workout`` or ``ActivitySummary``."""
    type: str
    source: str
    unit: str
    start: str
    end: str
    value: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A source item that was not imported, and why (counted, never silent)."""

    reason: str
    where: str = ""


@dataclass(frozen=True, slots=True)
class NoteRow:
    """A journal item kept as a note: a Bearable energy rating, symptom, factor or gratitude."""

    key: str
    source: str
    day: date
    kind: str
    """The source's own category, lower case (``energy``, ``symptom``, ``factors``, ``gratitudes``)."""
    text: str
    at: datetime | None = None
    value: int | None = None
    """A 0-10 rating when the item carries one (energy, anxiety); the importer documents the mapping."""


@dataclass(slots=True)
class ImportSummary:
    """What one import did, counted in the source's own items.

    ``added + already_present + skipped`` is the number of items the file
    holds (for Apple Health: its Record, Workout and ActivitySummary
    elements). ``notes`` are plain sentences about repairs and routes.
    """

    format: str
    added: int = 0
    already_present: int = 0
    skipped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    unplaced: dict[str, int] = field(default_factory=dict)
    """Daylio mood names with no place on the scale yet -> how many entries carry them. Those
    entries are imported with the name kept and no mood, until the person places the name."""
    moods_filled: int = 0
    """Entries imported before that got their mood now, from names placed in this import."""
    why_nothing: str = ""
    """When nothing was added: one line saying why, and what to try."""

    @classmethod
    def from_dict(cls, done: dict) -> ImportSummary:
        """The summary :meth:`as_dict` gave (a background import keeps it that way)."""
        return cls(format=done["format"], added=done["added"],
                   already_present=done["already_present"], skipped=done["skipped"],
                   reasons=done.get("reasons", {}), notes=done.get("notes", []),
                   dry_run=done.get("dry_run", False), unplaced=done.get("unplaced_moods", {}),
                   moods_filled=done.get("moods_filled", 0),
                   why_nothing=done.get("why_nothing", ""))

    def as_dict(self) -> dict:
        """The ``--json`` shape: format, added, already_present, skipped, reasons (+ notes,
        dry_run, unplaced_moods, moods_filled and why_nothing when they have something to say)."""
        out: dict = {
            "format": self.format,
            "added": self.added,
            "already_present": self.already_present,
            "skipped": self.skipped,
            "reasons": dict(self.reasons),
        }
        if self.notes:
            out["notes"] = list(self.notes)
        if self.dry_run:
            out["dry_run"] = True
        if self.unplaced:
            out["unplaced_moods"] = dict(self.unplaced)
        if self.moods_filled:
            out["moods_filled"] = self.moods_filled
        if self.why_nothing:
            out["why_nothing"] = self.why_nothing
        return out


MOST_METRES = 1_000_000.0
"""One session longer than 1,000 km is a file's mistake: its distance is left out."""
MOST_KCAL = 20_000.0


def plausible(value: float | None, most: float) -> float | None:
    """``value`` rounded to a tenth when it is a finite figure from 0 to ``most``, else None.

    >>> plausible(5012.345, MOST_METRES), plausible(float("nan"), MOST_METRES), plausible(-1.0, 9.0)
    (5012.3, None, None)
    """
    if value is None or not math.isfinite(value) or not 0 <= value <= most:
        return None
    return round(value, 1)

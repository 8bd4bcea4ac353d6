"""TCX (Garmin Training Center) files: each ``<Activity>`` becomes one :class:`SessionRow`.

``rows(source, now=...)`` reads the XML through the one hardened way in,
:func:`kindstep.importers.hardening.parse_small_xml` (no DTD, no entities,
nothing fetched, nesting and token length bounded, truncation refused),
element by element, keeping only the figures below, so memory stays flat
beyond the file's bytes (at most
:data:`~kindstep.importers.hardening.ACTIVITY_FILE_BYTES`, gzip undone). The
whole file is read before the first row is yielded, so a damaged file gives
a refusal and no rows.

Per activity:
- start: ``<Id>``, else the first ``<Lap StartTime>``, else the first trackpoint time;
- length: from the start to the latest of the last trackpoint time and the
  last lap's start plus its ``TotalTimeSeconds`` (elapsed time, pauses included);
- distance: the sum of the laps' ``DistanceMeters``, else the largest
  trackpoint ``DistanceMeters``; energy: the sum of the laps' ``Calories``;
- activity: the ``Sport`` attribute (Running -> jog, Biking -> cycle,
  Walking -> walk, Other -> walk with ``origin="Other"``), see
  :data:`kindstep.importers.sessions.ACTIVITY_NAMES`.

Elements are known by their local name (a ``tcx:`` prefix is passed over).
A ``<Course>`` is a planned route, not a recording: it yields a Skipped.
Positions are never read (kindstep keeps no routes from TCX), so an odd
latitude does not cost a person their session; a time or number that cannot
be read is passed over, and an activity with no readable time is Skipped.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import BinaryIO

from kindstep.importers.hardening import parse_small_xml, read_limited
from kindstep.importers.rows import ImportRefused, SessionRow, Skipped
from kindstep.importers.sessions import activity_code, session_or_skip

__all__ = ["rows"]

SOURCE = "tcx"
_MAX_NOTE = 2000


class _Activity:
    __slots__ = ("number", "sport", "start", "first_point", "last_point", "lap_end",
                 "lap_distance", "point_distance", "calories", "notes", "unreadable")

    def __init__(self, number: int, sport: str):
        self.number = number
        self.sport = sport
        self.start: datetime | None = None
        self.first_point: datetime | None = None
        self.last_point: datetime | None = None
        self.lap_end: datetime | None = None
        self.lap_distance: float | None = None
        self.point_distance: float | None = None
        self.calories: float | None = None
        self.notes = ""
        self.unreadable = 0


def rows(source: str | os.PathLike | bytes | BinaryIO, *, now: datetime
         ) -> Iterator[SessionRow | Skipped]:
    """A SessionRow or Skipped for each Activity (and a Skipped for each Course) in a TCX file.

    ``now`` (the caller's clock) bounds the start times an activity may carry.
    """
    reader = _Reader(now)
    parse_small_xml(read_limited(source, "TCX"), reader.start, end=reader.end,
                    text=reader.text, what="this TCX file")
    yield from reader.finish()


class _Reader:
    """Handlers for the parser: the figures of each activity, gathered as its elements end."""

    def __init__(self, now: datetime):
        self.now = now
        self.found: list[SessionRow | Skipped] = []
        self.path: list[str] = []
        self.chars: list[str] = []
        self.activity: _Activity | None = None
        self.lap_start: datetime | None = None
        self.lap_seconds: float | None = None
        self.activities = self.courses = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if not self.path and tag != "TrainingCenterDatabase":
            raise ImportRefused(
                f"This file's top element is <{tag[:40]}>, where a TCX file has "
                "<TrainingCenterDatabase>. It may be another kind of file.", "line 1")
        self.path.append(tag)
        self.chars = []
        if tag == "Activity" and self.activity is None:
            self.activities += 1
            self.activity = _Activity(self.activities, attrs.get("Sport") or "")
        elif tag == "Lap" and self.activity is not None:
            self.lap_start = _time(attrs.get("StartTime"))
            self.lap_seconds = None
            if self.lap_start and self.activity.start is None:
                self.activity.start = self.lap_start

    def text(self, data: str) -> None:
        self.chars.append(data)

    def end(self, _name: str) -> None:
        tag = self.path.pop()
        parent = self.path[-1] if self.path else ""
        text = "".join(self.chars).strip()
        self.chars = []
        activity = self.activity
        if activity is None:
            if tag == "Course":
                self.courses += 1
                self.found.append(Skipped(
                    "This is a planned course, not a recorded activity, so there is no "
                    "movement to add.", f"<Course> {self.courses}"))
            return
        if tag == "Id" and parent == "Activity":
            started = _time(text)
            if started:
                activity.start = started
        elif tag == "Notes" and parent == "Activity":
            activity.notes = text[:_MAX_NOTE]
        elif tag == "TotalTimeSeconds" and parent == "Lap":
            self.lap_seconds = _number(text)
        elif tag == "DistanceMeters" and parent == "Lap":
            value = _number(text)
            if value is not None:
                activity.lap_distance = (activity.lap_distance or 0.0) + value
        elif tag == "Calories" and parent == "Lap":
            value = _number(text)
            if value is not None:
                activity.calories = (activity.calories or 0.0) + value
        elif tag == "Time" and parent == "Trackpoint":
            moment = _time(text)
            if moment is None:
                activity.unreadable += 1
            else:
                if activity.first_point is None or moment < activity.first_point:
                    activity.first_point = moment
                if activity.last_point is None or moment > activity.last_point:
                    activity.last_point = moment
        elif tag == "DistanceMeters" and parent == "Trackpoint":
            value = _number(text)
            if value is not None:
                activity.point_distance = max(activity.point_distance or 0.0, value)
        elif tag == "Lap":
            if self.lap_start is not None and self.lap_seconds is not None:
                lap_end = self.lap_start + timedelta(seconds=min(self.lap_seconds, 10 * 24 * 3600))
                if activity.lap_end is None or lap_end > activity.lap_end:
                    activity.lap_end = lap_end
            self.lap_start = self.lap_seconds = None
        elif tag == "Activity":
            self.found.append(_row(activity, self.now))
            self.activity = None

    def finish(self) -> list[SessionRow | Skipped]:
        """The rows found, or one Skipped when the file holds no activity and no course."""
        if self.activities == 0 and self.courses == 0:
            return [Skipped("This TCX file holds no activity, so there is no movement to add.",
                            "<TrainingCenterDatabase>")]
        return self.found


def _local(name: str) -> str:
    """``Activity`` from ``Activity`` or ``tcx:Activity``."""
    return name.rsplit(":", 1)[-1]


def _row(activity: _Activity, now: datetime) -> SessionRow | Skipped:
    where = f"<Activity> {activity.number}"
    start = activity.start or activity.first_point
    if activity.first_point and start and activity.first_point < start:
        start = activity.first_point
    ends = [t for t in (activity.last_point, activity.lap_end) if t is not None]
    seconds = (max(ends) - start).total_seconds() if (start and ends) else None
    distance = activity.lap_distance if activity.lap_distance else activity.point_distance
    note = activity.notes
    if activity.unreadable:
        note = (note + " " if note else "") + (
            f"({activity.unreadable} trackpoint time(s) could not be read and were passed over.)")
    return session_or_skip(
        source=SOURCE, start=start, seconds=seconds, distance_m=distance,
        origin=activity.sport, activity=activity_code(activity.sport), where=where,
        note=note, energy_kcal=activity.calories, now=now,
    )


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None

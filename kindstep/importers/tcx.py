"""TCX (Garmin Training Center) files: each ``<Activity>`` becomes one :class:`SessionRow`.

``rows(source)`` streams the XML through the hardened defusedxml parser in
:mod:`kindstep.importers.gpx` (no DTD, no entities, nothing fetched, depth and
text limits), clearing elements as it goes, so memory stays flat.

Per activity:
- start: ``<Id>``, else the first ``<Lap StartTime>``, else the first trackpoint time;
- length: from the start to the latest of the last trackpoint time and the
  last lap's start plus its ``TotalTimeSeconds`` (elapsed time, pauses included);
- distance: the sum of the laps' ``DistanceMeters``, else the largest
  trackpoint ``DistanceMeters``; energy: the sum of the laps' ``Calories``;
- activity: the ``Sport`` attribute (Running -> jog, Biking -> cycle,
  Walking -> walk, Other -> walk with ``origin="Other"``), see
  :data:`kindstep.importers.gpx.ACTIVITY_NAMES`.

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

from kindstep.importers.gpx import activity_code, iter_xml, read_limited, session_or_skip
from kindstep.importers.rows import ImportRefused, SessionRow, Skipped

__all__ = ["rows"]

SOURCE = "tcx"


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


def rows(source: str | os.PathLike | bytes | BinaryIO, *, now: datetime | None = None
         ) -> Iterator[SessionRow | Skipped]:
    """A SessionRow or Skipped for each Activity (and a Skipped for each Course) in a TCX file."""
    data = read_limited(source, "TCX")
    path: list[str] = []
    activity: _Activity | None = None
    lap_start: datetime | None = None
    lap_seconds: float | None = None
    activities = courses = 0
    root_seen = False
    for event, elem in iter_xml(data, "TCX"):
        tag = _local(elem.tag)
        if event == "start":
            if not root_seen:
                root_seen = True
                if tag != "TrainingCenterDatabase":
                    raise ImportRefused(
                        f"This file's top element is <{tag}>, where a TCX file has "
                        "<TrainingCenterDatabase>. It may be another kind of file.", "line 1")
            path.append(tag)
            if tag == "Activity" and activity is None:
                activities += 1
                activity = _Activity(activities, elem.get("Sport") or "")
            elif tag == "Lap" and activity is not None:
                lap_start = _time(elem.get("StartTime"))
                lap_seconds = None
                if lap_start and activity.start is None:
                    activity.start = lap_start
            continue
        # end events
        parent = path[-2] if len(path) > 1 else ""
        text = (elem.text or "").strip()
        if activity is not None:
            if tag == "Id" and parent == "Activity":
                started = _time(text)
                if started:
                    activity.start = started
            elif tag == "Notes" and parent == "Activity":
                activity.notes = text[:2000]
            elif tag == "TotalTimeSeconds" and parent == "Lap":
                lap_seconds = _number(text)
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
                if lap_start is not None and lap_seconds is not None:
                    lap_end = lap_start + timedelta(seconds=min(lap_seconds, 10 * 24 * 3600))
                    if activity.lap_end is None or lap_end > activity.lap_end:
                        activity.lap_end = lap_end
                lap_start = lap_seconds = None
            elif tag == "Activity":
                yield _row(activity, now)
                activity = None
        elif tag == "Course":
            courses += 1
            yield Skipped("This is a planned course, not a recorded activity, so there is no "
                          "movement to add.", f"<Course> {courses}")
        path.pop()
        if tag in {"Trackpoint", "Lap", "Activity", "Course"}:
            elem.clear()
    if not root_seen:
        raise ImportRefused("This TCX file is empty.")
    if activities == 0 and courses == 0:
        yield Skipped("This TCX file holds no activity, so there is no movement to add.",
                      "<TrainingCenterDatabase>")


def _row(activity: _Activity, now: datetime | None) -> SessionRow | Skipped:
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


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else "?"

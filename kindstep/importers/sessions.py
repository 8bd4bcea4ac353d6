"""What GPX, TCX and FIT files share: the sport's catalogue code, the session, its key.

Each of the three readers finds a start, a length, a distance and a sport
in its own format, then hands them to :func:`session_or_skip`, so the
three map sports, round minutes, bound dates and build natural keys the
same way.

Times and days: a time written without a zone is read as UTC. ``day`` is
the local date at the start, using the start time's own UTC offset when the
file gives one (TCX and FIT often do), else the UTC date. ``started_at`` is
always given, so the store may re-derive the day in the person's time zone.
"""

from __future__ import annotations

import hashlib
import math
import re
from datetime import UTC, date, datetime, timedelta

from kindstep.importers.rows import SessionRow, Skipped

__all__ = ["ACTIVITY_NAMES", "GENERAL_CODE", "activity_code", "session_or_skip", "natural_key"]

MAX_SECONDS = 24 * 3600
"""A session longer than a day is a recording left running, not movement."""
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)

GENERAL_CODE = "walk"
"""Where a file's sport is unknown ("Other", "generic", a paddle board), the
session is kept as an easy walk, the gentlest honest estimate; ``origin``
keeps the file's own name for it."""

ACTIVITY_NAMES: dict[str, str] = {
    # running
    "running": "jog", "run": "jog", "jog": "jog", "jogging": "jog", "treadmill": "jog",
    "trail": "jog", "track": "jog", "trail running": "jog", "virtual run": "jog",
    # walking and hiking
    "walking": "walk", "walk": "walk", "indoor walking": "walk", "casual walking": "walk",
    "speed walking": "walk_brisk", "brisk walk": "walk_brisk", "nordic walking": "walk_brisk",
    "hiking": "hike", "hike": "hike", "mountaineering": "hike",
    # cycling
    "biking": "cycle", "cycling": "cycle", "bike": "cycle", "ride": "cycle", "cycle": "cycle",
    "e biking": "cycle", "ebikeride": "cycle", "road": "cycle", "mountain": "cycle",
    "gravel cycling": "cycle", "commuting": "cycle", "indoor cycling": "cycle",
    "virtual activity": "cycle", "virtualride": "cycle", "virtual ride": "cycle", "spin": "cycle",
    # water
    "swimming": "swim", "swim": "swim", "open water": "swim", "lap swimming": "swim",
    "water aerobics": "water_aerobics", "aqua fitness": "water_aerobics",
    # mind-body
    "yoga": "yoga_gentle", "pilates": "pilates", "tai chi": "tai_chi", "qigong": "qigong",
    "stretching": "stretch_standing", "flexibility training": "stretch_standing",
    # strength and the rest
    "training": "strength_bodyweight", "strength training": "strength_bodyweight",
    "strength": "strength_bodyweight", "weighttraining": "strength_bodyweight",
    "workout": "strength_bodyweight", "cardio training": "strength_bodyweight",
    "hiit": "strength_bodyweight", "crossfit": "strength_bodyweight",
    "stair climbing": "stairs", "stairstepper": "stairs", "stairs": "stairs",
    "dance": "dance", "dancing": "dance",
    "gardening": "garden", "garden": "garden",
}
"""The file's sport or type (lower case, ``_`` and ``-`` read as spaces) -> catalogue code.

Sub-sports are looked up before sports (a FIT ``training`` / ``yoga`` is yoga),
then the track's name word by word ("Morning Run"). Anything else becomes
:data:`GENERAL_CODE` with the original name kept in ``origin``."""

_WORDS = re.compile(r"[a-z]+")


def activity_code(*names: str | None) -> str:
    """The catalogue code for the first of ``names`` that means something, else the general code.

    >>> activity_code("training", "yoga")
    'strength_bodyweight'
    >>> activity_code("Other", None, "Morning Run")
    'jog'
    >>> activity_code("stand_up_paddleboarding")
    'walk'
    """
    cleaned = [_clean(n) for n in names if n]
    for name in cleaned:
        if name in ACTIVITY_NAMES:
            return ACTIVITY_NAMES[name]
    for name in cleaned:
        for word in _WORDS.findall(name):
            if word in ACTIVITY_NAMES and word not in {"track", "road", "trail", "mountain"}:
                return ACTIVITY_NAMES[word]
    return GENERAL_CODE


def _clean(name: str) -> str:
    return " ".join(str(name).lower().replace("_", " ").replace("-", " ").split())


def session_or_skip(
    *,
    source: str,
    start: datetime | None,
    seconds: float | None,
    distance_m: float | None,
    origin: str,
    activity: str,
    where: str,
    note: str = "",
    energy_kcal: float | None = None,
    now: datetime,
) -> SessionRow | Skipped:
    """One SessionRow from a start and a length, or Skipped with a kind reason.

    ``minutes`` is the elapsed time rounded to the nearest minute, and at
    least 1 when any time passed: a very short recording still counts.
    Lengths of zero or less, or over 24 hours, and starts before 1990 or
    more than a day ahead of ``now`` (the caller's clock, an aware datetime)
    are skipped with their reason.
    """
    if start is None:
        return Skipped("This recording has no times, so there is no moment to place it on.", where)
    if start.tzinfo is None or start.utcoffset() is None:
        start = start.replace(tzinfo=UTC)
    if start < EARLIEST or start > now + timedelta(days=1):
        return Skipped(f"The start time {start.isoformat()} is outside 1990 to today.", where)
    if seconds is None or not math.isfinite(seconds) or seconds <= 0:
        return Skipped("No time passed between the first and last moment recorded.", where)
    if seconds > MAX_SECONDS:
        hours = seconds / 3600
        return Skipped(
            f"This recording runs for {hours:.0f} hours, longer than a day; "
            "it was probably left running, so it was left out.",
            where,
        )
    if distance_m is not None and (not math.isfinite(distance_m) or distance_m < 0):
        distance_m = None
    if energy_kcal is not None and (not math.isfinite(energy_kcal) or energy_kcal < 0):
        energy_kcal = None
    offset = start.utcoffset() or timedelta(0)
    day: date = (start.astimezone(UTC) + offset).date()
    started_at = start.astimezone(UTC)
    minutes = max(1, round(seconds / 60))
    return SessionRow(
        key=natural_key(started_at, activity, seconds, distance_m),
        source=source,
        day=day,
        minutes=minutes,
        activity=activity,
        started_at=started_at,
        distance_m=round(distance_m, 1) if distance_m is not None else None,
        energy_kcal=energy_kcal,
        note=note,
        origin=origin,
    )


def natural_key(started_at: datetime, activity: str, seconds: float, distance_m: float | None) -> str:
    """``<UTC start>:<12 hex>``; the hash covers the activity code, whole seconds and whole metres.

    >>> natural_key(datetime(2024, 5, 1, 7, 0, tzinfo=UTC), "jog", 1800.4, 5000.2)
    '2024-05-01T07:00:00Z:eceeb093376a'
    """
    content = f"{activity}|{round(seconds)}|{round(distance_m or 0)}"
    digest = hashlib.sha256(content.encode()).hexdigest()[:12]
    return f"{started_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}:{digest}"

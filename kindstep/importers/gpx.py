"""GPX files: each recorded track becomes one :class:`SessionRow`.

``rows(source)`` takes a path, bytes or a binary stream and yields, for every
``<trk>`` in the file, a :class:`SessionRow` or a :class:`Skipped` saying why
(no timed points, a single point, longer than a day). A file with no track at
all (only waypoints or a planned ``<rte>``) yields one :class:`Skipped`, so
the counts always account for the file.

Safety: the bytes are first read through a hardened, streaming defusedxml pass
(no DTD, no entities, no external references, depth and text limits) and only
then handed to gpxpy, which has no entity policy of its own.

This module also holds what GPX, TCX and FIT share (the activity mapping,
minutes, local day and natural key), so the three read the same way.

Times and days: GPX times are UTC by the standard; a time written without a
zone is read as UTC. ``day`` is the local date at the start, using the start
time's own UTC offset when the file gives one (TCX and FIT often do), else
the UTC date. ``started_at`` is always given, so the store may re-derive the
day in the person's time zone.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import BinaryIO

from kindstep.importers.rows import ImportRefused, SessionRow, Skipped

__all__ = ["rows", "activity_code", "session_or_skip", "read_limited", "check_xml"]

SOURCE = "gpx"
MAX_FILE_BYTES = 50 * 1024 * 1024
"""GPX, TCX and FIT files above 50 MB are refused (docs/design.md, "Files kindstep reads")."""
MAX_XML_DEPTH = 64
MAX_XML_TEXT = 1024 * 1024
MAX_SECONDS = 24 * 3600
"""A session longer than a day is a recording left running, not movement."""
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)

GENERAL_CODE = "walk"
"""Where a file's sport is unknown ("Other", "generic", a paddle board), the
session is kept as an easy walk, the gentlest honest estimate; ``origin``
keeps the file's own name for it."""

# ---------------------------------------------------------------- shared with tcx.py and fit.py

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
    now: datetime | None = None,
) -> SessionRow | Skipped:
    """One SessionRow from a start and a length, or Skipped with a kind reason.

    ``minutes`` is the elapsed time rounded to the nearest minute, and at
    least 1 when any time passed: a very short recording still counts.
    Lengths of zero or less, or over 24 hours, and starts before 1990 or
    more than a day ahead of ``now`` are skipped with their reason.
    """
    if start is None:
        return Skipped("This recording has no times, so there is no moment to place it on.", where)
    if start.tzinfo is None or start.utcoffset() is None:
        start = start.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
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


def read_limited(source: str | os.PathLike | bytes | BinaryIO, what: str,
                 limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``source`` (gzip undone), refusing more than ``limit`` bytes."""
    try:
        if isinstance(source, bytes | bytearray | memoryview):
            data = bytes(source[: limit + 1])
        elif isinstance(source, str | os.PathLike):
            with open(source, "rb") as handle:
                data = handle.read(limit + 1)
        else:
            data = source.read(limit + 1)
    except OSError as error:
        raise ImportRefused(f"The {what} file could not be opened: {error.strerror or error}.") from None
    if len(data) > limit:
        raise ImportRefused(
            f"This {what} file is larger than {limit // (1024 * 1024)} MB, kindstep's limit "
            "for one file. Splitting it, or exporting a shorter period, will help."
        )
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
                data = unzipped.read(limit + 1)
        except (OSError, EOFError, ValueError):
            raise ImportRefused(
                f"This {what} file is gzip-compressed but the compressed data is incomplete "
                "or damaged. Downloading it again may help."
            ) from None
        if len(data) > limit:
            raise ImportRefused(f"This {what} file unpacks to more than {limit // (1024 * 1024)} MB.")
    return data


# ---------------------------------------------------------------- TEMPORARY XML guard
# GPX and TCX use this small defusedxml guard, written before the shared
# kindstep/importers/safety.py landed. Zips already go through safety.open_zip;
# this guard can move onto safety.xml_parser/feed_xml when the two are unified.


def check_xml(data: bytes, what: str) -> None:
    """Refuse XML with a DTD, entities or external references, too deep or with huge text.

    A streaming defusedxml pass over the bytes: memory stays flat whatever
    the size, and nothing is ever fetched or expanded.
    """
    for _event, _elem in iter_xml(data, what, events=("end",)):
        _elem.clear()


def iter_xml(data: bytes, what: str, events=("start", "end")):
    """(event, element) pairs from a hardened streaming parse; ImportRefused on anything unsafe."""
    from xml.etree.ElementTree import ParseError

    import defusedxml
    import defusedxml.ElementTree as safe_tree

    stream = io.BytesIO(_strip_leading_space(data))
    depth = 0
    wanted = set(events)
    try:
        for event, elem in safe_tree.iterparse(stream, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                depth += 1
                if depth > MAX_XML_DEPTH:
                    raise ImportRefused(
                        f"This {what} file nests elements more than {MAX_XML_DEPTH} deep, "
                        "which real exports never do.", f"element <{_local(elem.tag)}>")
            else:
                depth -= 1
                if elem.text and len(elem.text) > MAX_XML_TEXT:
                    raise ImportRefused(f"This {what} file holds a text value over 1 MB.",
                                        f"element <{_local(elem.tag)}>")
            if event in wanted:
                yield event, elem
    except defusedxml.DTDForbidden:
        raise ImportRefused(
            f"This {what} file carries a document type declaration (DTD), which {what} files "
            "never need; kindstep leaves such files alone to keep your computer safe.",
            "the <!DOCTYPE> at the top of the file") from None
    except defusedxml.EntitiesForbidden:
        raise ImportRefused(f"This {what} file declares XML entities; kindstep does not expand them.",
                            "the <!ENTITY> declaration") from None
    except defusedxml.ExternalReferenceForbidden:
        raise ImportRefused(f"This {what} file points at outside resources; kindstep never fetches them.",
                            "an external reference") from None
    except (LookupError, UnicodeError):
        raise ImportRefused(f"This {what} file names a text encoding kindstep cannot read; "
                            "UTF-8 always works.", "the <?xml ?> declaration") from None
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise ImportRefused(
            f"This {what} file is not complete, well-formed XML ({_expat_reason(error)}). "
            "If it was cut short, exporting it again may help.",
            f"line {line}, column {column + 1}") from None


def _expat_reason(error: Exception) -> str:
    text = str(error)
    return text.split(":")[0] if ":" in text else text


def _strip_leading_space(data: bytes) -> bytes:
    """Strava's TCX files start with spaces before ``<?xml``; XML forbids that, so drop them."""
    if data[:3] == b"\xef\xbb\xbf":
        return data[:3] + data[3:].lstrip()
    return data.lstrip()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else "?"


# ---------------------------------------------------------------- GPX itself

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?\?>", re.DOTALL)
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def rows(source: str | os.PathLike | bytes | BinaryIO, *, now: datetime | None = None
         ) -> Iterator[SessionRow | Skipped]:
    """A SessionRow or Skipped for each track in a GPX file; ImportRefused for an unreadable file."""
    data = read_limited(source, "GPX")
    check_xml(data, "GPX")
    text = _decode(data)
    try:
        import gpxpy
        import gpxpy.gpx

        document = gpxpy.parse(text)
    except gpxpy.gpx.GPXXMLSyntaxException:
        raise ImportRefused("This GPX file is not well-formed XML. Exporting it again may help.") from None
    except gpxpy.gpx.GPXException as error:
        raise ImportRefused(
            f"This GPX file holds a value that is not a number or time where one belongs ({error}).",
            "a <trkpt>, <rtept> or <wpt>") from None
    except Exception:  # noqa: BLE001 - gpxpy raises many kinds on odd input; each is a refusal
        raise ImportRefused("This GPX file holds a value kindstep cannot read. Exporting it "
                            "again may help.") from None
    yield from _tracks(document, now)


def _decode(data: bytes) -> str:
    if data[:3] == b"\xef\xbb\xbf":
        encoding, data = "utf-8", data[3:]
    else:
        found = _ENCODING.search(data[:200])
        encoding = found.group(1).decode("ascii") if found else "utf-8"
    data = _DECLARATION.sub(b"", data.lstrip(), count=1)
    try:
        return data.decode(encoding)
    except LookupError:
        raise ImportRefused(f"This GPX file names a text encoding kindstep does not know ({encoding}).",
                            "the <?xml ?> declaration") from None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRefused(
            f"This GPX file has bytes that are not valid {encoding} text.", f"line {line}") from None


def _tracks(document, now: datetime | None) -> Iterator[SessionRow | Skipped]:
    if not document.tracks:
        kinds = []
        if document.routes:
            kinds.append(f"{len(document.routes)} planned route(s)")
        if document.waypoints:
            kinds.append(f"{len(document.waypoints)} waypoint(s)")
        held = " and ".join(kinds) or "nothing kindstep can use"
        yield Skipped(f"This GPX file holds {held} but no recorded track, so there is no movement "
                      "to add.", "<gpx>")
        return
    for number, track in enumerate(document.tracks, start=1):
        where = f"<trk> {number}" + (f" ({track.name})" if track.name else "")
        yield _track(track, where, now)


def _track(track, where: str, now: datetime | None) -> SessionRow | Skipped:
    start = end = None
    distance = 0.0
    for segment in track.segments:
        previous = None
        for point in segment.points:
            if not (-90 <= point.latitude <= 90 and -180 <= point.longitude <= 180):
                return Skipped(f"A point sits at latitude {point.latitude}, longitude "
                               f"{point.longitude}, which is not on Earth.", where)
            if point.time is not None:
                if point.time.tzinfo is None:
                    point.time = point.time.replace(tzinfo=UTC)
                if start is None or point.time < start:
                    start = point.time
                if end is None or point.time > end:
                    end = point.time
            if previous is not None:
                distance += point.distance_2d(previous) or 0.0
            previous = point
    if start is None or end is None:
        return Skipped("This track has no points with a time, so there is no moment to place it on.",
                       where)
    origin = track.type or ""
    code = activity_code(track.type, track.name)
    return session_or_skip(
        source=SOURCE, start=start, seconds=(end - start).total_seconds(),
        distance_m=distance, origin=origin, activity=code, where=where, note=track.name or "",
        now=now,
    )

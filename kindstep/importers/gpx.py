"""GPX files: each recorded track becomes one :class:`SessionRow`.

``rows(source, now=...)`` takes a path, bytes or a binary stream and yields,
for every ``<trk>`` in the file, a :class:`SessionRow` or a :class:`Skipped`
saying why (no timed points, a single point, longer than a day). A file with
no track at all (only waypoints or a planned ``<rte>``) yields one
:class:`Skipped`, so the counts always account for the file.

One way in, one reader: the bytes (at most
:data:`~kindstep.importers.hardening.ACTIVITY_FILE_BYTES`, gzip undone) first
pass :func:`kindstep.importers.hardening.parse_small_xml` (no DTD, no
entities, no external references, nesting and token length bounded,
truncation refused), and only then does gpxpy, a well-kept library with no
entity policy of its own, read them. gpxpy also measures the distance, so a
file imported before gives the same natural key again.

Apple Health's route files are GPX too, but they are read by the Apple
Health importer's own route summary (points and metres only, through the
same hardened parser), for a measured reason: gpxpy builds the whole
document in memory, and an export holds hundreds of routes. On a 40 MB
route of 200,000 points in the Health app's own layout
(``bench/import_activity_files.py``; 2 vCPU AMD EPYC, 2026-12-07, CPU
seconds, median of three), gpxpy's parse took 6.9 s and 590 MB, the hardened
check 0.9 s in 56 MB, and the route summary 1.2 s element by element or
0.9 s by its quick path, in flat memory. Its metres are also worked out
differently (haversine there, gpxpy's own formula here, which the natural
keys of GPX files already imported depend on).

Sports, minutes, days and keys are worked out as for TCX and FIT, in
:mod:`kindstep.importers.sessions`. GPX times are UTC by the standard; a time
written without a zone is read as UTC.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from kindstep.importers.hardening import parse_small_xml, read_limited
from kindstep.importers.rows import ImportRefused, SessionRow, Skipped
from kindstep.importers.sessions import activity_code, session_or_skip

__all__ = ["rows"]

SOURCE = "gpx"

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?\?>", re.DOTALL)
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def rows(source: str | os.PathLike | bytes | BinaryIO, *, now: datetime
         ) -> Iterator[SessionRow | Skipped]:
    """A SessionRow or Skipped for each track in a GPX file; ImportRefused for an unreadable file.

    ``now`` (the caller's clock) bounds the start times a track may carry.
    The whole file is checked and read before the first row is yielded.
    """
    data = read_limited(source, "GPX")
    parse_small_xml(data, what="this GPX file")
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


def _tracks(document, now: datetime) -> Iterator[SessionRow | Skipped]:
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


def _track(track, where: str, now: datetime) -> SessionRow | Skipped:
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

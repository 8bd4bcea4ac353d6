"""Apple Health exports (``export.zip`` or a bare ``export.xml``): stream them into rows.

Parse only, no Django. :func:`parse_export` streams the XML once with
pyexpat callbacks that build plain lists (never a tree), in constant memory,
and hands them in large batches to a *sink* — the store's loader
(``kindstep.store.health_import``) or, for a dry look, :class:`CountingSink`.
:func:`rows` offers the same data as :mod:`kindstep.importers.rows` values.

What is read, and how:

- The zip is read directly; ``export.xml`` is found by sniffing the first
  KB of each ``.xml`` member for ``<HealthData`` (the name is localized:
  ``exportar.xml``, ``导出.xml``); ``export_cda.xml`` is ignored.
- The internal DTD is cut out before parsing, keeping line numbers, so the
  broken iOS 16.0/16.1 DTD imports and no entity can be declared; external
  entities and any remaining DOCTYPE are refused.
- The parse always finishes, so a truncated file is an error, never a
  silent half import.
- Vertical tabs and other C0 control characters (iOS 16-era exports): the
  first pass stops at them with :class:`ControlCharacters`; the caller
  retries with ``strip_controls=True`` and the count removed is reported.
- Every ``Record``, ``Workout``, ``ActivitySummary`` and ``Correlation``
  becomes one raw row. ``Record``\\s nested in a ``Correlation`` are skipped
  (Apple repeats them at top level) and counted as skipped.
- Workout totals come from ``WorkoutStatistics`` (iOS 16+), with the legacy
  ``totalDistance``/``totalEnergyBurned`` attributes as the fallback.
- Large exports can be parsed in several processes at once
  (:func:`parse_in_parts`): the XML is cut before top-level ``<Record`` elements
  into byte ranges, each parsed on its own (later ones inside a synthetic
  ``<HealthData>``, so expat still checks every byte) into a private SQLite
  file, or the first straight into the caller's sink. Any part that fails,
  or parts that do not fit together, and the caller parses the whole file
  in one process instead — the usual result or refusal, word for word.

A raw row is a list ``[key, kind, type_id, source_id, unit, creation_date,
start_date, end_date, value, metadata_json]``. ``key`` is the natural key,
16 bytes of BLAKE2b over kind, type, source name, unit, start, end and value
(an ActivitySummary: its day and all its figures), so the same item in a
newer export has the same key. ``metadata_json`` is None or a JSON object:
``MetadataEntry`` keys and values; extra attributes as ``"@name"``; HRV beats
as ``"HeartRateVariabilityMetadataList": [[bpm, time], ...]``; for a
workout also ``events``, ``statistics``, ``routes`` and ``activities``.

The device string's memory address (``<<HKDevice: 0x2838e9750>, ``) is
dropped: it differs on every record and means nothing once exported.

Workout activity types map onto the catalogue with :data:`WORKOUT_ACTIVITIES`;
the original name is always kept (``SessionRow.origin``).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import json
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from hashlib import blake2b
from itertools import accumulate, chain
from operator import add, methodcaller, sub
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol
from urllib.parse import quote
from xml.parsers import expat

from kindstep.importers import hardening as safety  # the module was renamed; body unchanged
from kindstep.importers.hardening import DEFAULT_LIMITS, Limits
from kindstep.importers.rows import DailyRow, ImportRefused, RawRow, SessionRow, Skipped

FORMAT = "apple_health"
SOURCE = "apple_health"
"""``source`` of the sessions and daily measures this importer makes."""

# ---------------------------------------------------------------------------
# Workout activity types -> catalogue codes
# ---------------------------------------------------------------------------

WORKOUT_ACTIVITIES: dict[str, str] = {
    # Walking and hiking
    "Walking": "walk",  # "walk_brisk" when the average pace is 5.5 km/h or more
    "Hiking": "hike",
    "Wheelchair": "walk",
    "WheelchairWalkPace": "walk",
    "WheelchairRunPace": "walk_brisk",
    "Golf": "walk",
    "Fishing": "walk_slow",
    "Hunting": "walk",
    "Play": "play_kids_active",
    # Running
    "Running": "jog",
    "Track": "jog",
    # Cycling
    "Cycling": "cycle",
    "HandCycling": "cycle",
    # Water
    "Swimming": "swim",
    "WaterFitness": "water_aerobics",
    "WaterSports": "swim",
    "SwimBikeRun": "jog",
    # Mind and body
    "Yoga": "yoga_gentle",
    "MindAndBody": "yoga_gentle",
    "Flexibility": "stretch_standing",
    "Cooldown": "stretch_standing",
    "PreparationAndRecovery": "stretch_standing",
    "Pilates": "pilates",
    "Barre": "pilates",
    "TaiChi": "tai_chi",
    # Dance
    "Dance": "dance",
    "SocialDance": "dance",
    "DanceInspiredTraining": "dance",
    "CardioDance": "dance_lively",
    # Strength
    "FunctionalStrengthTraining": "strength_bodyweight",
    "CoreTraining": "strength_bodyweight",
    "TraditionalStrengthTraining": "strength_bands",
    "Gymnastics": "strength_bodyweight",
    # Stairs
    "StairClimbing": "stairs",
    "Stairs": "stairs",
    "StepTraining": "stairs",
    # Cardio and sports: vigorous, the closest honest general code
    "Elliptical": "walk_brisk",
    "MixedCardio": "jog_walk",
    "MixedMetabolicCardioTraining": "jog_walk",
    "HighIntensityIntervalTraining": "jog_walk",
    "CrossTraining": "jog_walk",
    "JumpRope": "jog_walk",
    "Rowing": "jog_walk",
    "Kickboxing": "jog_walk",
    "Boxing": "jog_walk",
    "MartialArts": "jog_walk",
    "Climbing": "hike",
    "CrossCountrySkiing": "jog_walk",
    "DownhillSkiing": "jog_walk",
    "Snowboarding": "jog_walk",
    "SnowSports": "jog_walk",
    "SkatingSports": "jog_walk",
    "Basketball": "jog_walk",
    "Soccer": "jog_walk",
    "AmericanFootball": "jog_walk",
    "AustralianFootball": "jog_walk",
    "Rugby": "jog_walk",
    "Hockey": "jog_walk",
    "Lacrosse": "jog_walk",
    "Handball": "jog_walk",
    "Volleyball": "jog_walk",
    "Tennis": "jog_walk",
    "Badminton": "jog_walk",
    "Squash": "jog_walk",
    "Racquetball": "jog_walk",
    "TableTennis": "dance",
    "Pickleball": "jog_walk",
    "Baseball": "frisbee",
    "Softball": "frisbee",
    "Cricket": "frisbee",
    "DiscSports": "frisbee",
    "Bowling": "walk",
    "Archery": "walk",
    "Curling": "walk",
    "Equestrian": "walk",
    "FitnessGaming": "dance",
    "Sailing": "walk",
    "PaddleSports": "cycle",
    "SurfingSports": "swim",
    "Fencing": "jog_walk",
    "Wrestling": "jog_walk",
}
"""``HKWorkoutActivityType…`` (prefix removed) -> catalogue code.

Chosen by the closest honest Compendium match among the catalogue's codes;
where none is close (team sports, HIIT, skiing) the vigorous general code
``jog_walk`` stands in, so intensity is not understated. ``Other`` and any
type not listed map to :data:`FALLBACK_ACTIVITY`. The original type is kept
with every session (``origin``), so a better mapping can be applied later.
"""

FALLBACK_ACTIVITY = "walk"
"""The general code for ``HKWorkoutActivityTypeOther`` and unknown types: light, never overstated."""

BRISK_KMH = 5.5
"""A walking workout at or above this average pace becomes ``walk_brisk``."""


def activity_for(workout_type: str, distance_m: float | None = None, minutes: float | None = None) -> str:
    """The catalogue code for an ``HKWorkoutActivityType…`` name.

    >>> activity_for("HKWorkoutActivityTypeRunning")
    'jog'
    >>> activity_for("HKWorkoutActivityTypeWalking", 6000, 60)
    'walk_brisk'
    >>> activity_for("HKWorkoutActivityTypeUnderwaterBasketWeaving")
    'walk'
    """
    name = workout_type.removeprefix("HKWorkoutActivityType")
    code = WORKOUT_ACTIVITIES.get(name, FALLBACK_ACTIVITY)
    if code == "walk" and name == "Walking" and distance_m and minutes and minutes > 0:
        if distance_m / 1000 / (minutes / 60) >= BRISK_KMH:
            code = "walk_brisk"
    return code


# ---------------------------------------------------------------------------
# Units and dates
# ---------------------------------------------------------------------------

_METRES = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "yd": 0.9144, "ft": 0.3048, "cm": 0.01}
_KCAL = {"kcal": 1.0, "Cal": 1.0, "kJ": 1 / 4.184, "cal": 0.001, "J": 1 / 4184}
_MINUTES = {"min": 1.0, "s": 1 / 60, "sec": 1 / 60, "hr": 60.0, "h": 60.0, "ms": 1 / 60000}


def _number(text: object) -> float | None:
    try:
        x = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def to_metres(value: object, unit: object) -> float | None:
    """A distance in metres, or None for a missing or unknown value.

    >>> to_metres("5.2", "km")
    5200.0
    """
    x, k = _number(value), _METRES.get(str(unit))
    return None if x is None or k is None or x < 0 else x * k


def to_kcal(value: object, unit: object) -> float | None:
    x, k = _number(value), _KCAL.get(str(unit))
    return None if x is None or k is None or x < 0 else x * k


def to_minutes(value: object, unit: object) -> float | None:
    x, k = _number(value), _MINUTES.get(str(unit or "min"))
    return None if x is None or k is None or x < 0 else x * k


# Digits are spelled [0-9]: ``\d`` would also take other scripts' digits (which no date
# parser here reads), and a range is quicker to test than a Unicode category.
_DATE_RE = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2}) (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r" [+-](?:0[0-9]|1[0-4])[0-5][0-9]"
)
_TWO_DATES_SAME_OFFSET = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2} (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r" ([+-](?:0[0-9]|1[0-4])[0-5][0-9])"
    r"\|[0-9]{4}-[0-9]{2}-[0-9]{2} (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9] \1"
)
"""``start|end``: both well-formed (as :data:`_DATE_RE`) and with the same offset."""


def parse_time(text: str) -> datetime:
    """An aware datetime from Apple's ``2024-01-02 07:08:09 +0100``.

    >>> parse_time("2024-01-02 07:08:09 +0100").isoformat()
    '2024-01-02T07:08:09+01:00'
    """
    sign = -1 if text[20] == "-" else 1
    offset = timedelta(hours=int(text[21:23]), minutes=int(text[23:25])) * sign
    return datetime(
        int(text[0:4]), int(text[5:7]), int(text[8:10]),
        int(text[11:13]), int(text[14:16]), int(text[17:19]), tzinfo=timezone(offset),
    )


_MIDNIGHTS: dict[str, float] = {}


def _utc_seconds(text: str) -> float:
    """Seconds since the epoch of a well-formed date (as :data:`_DATE_RE` checks).

    The UTC seconds of the local midnight are kept per day and offset (a few
    thousand of them in a long export), so each call is a little arithmetic.

    >>> t = "1970-01-02 01:00:30 +0100"
    >>> _utc_seconds(t) == parse_time(t).timestamp()
    True
    """
    k = text[:10] + text[20:]
    midnight = _MIDNIGHTS.get(k)
    if midnight is None:
        midnight = parse_time(f"{text[:10]} 00:00:00 {text[20:]}").timestamp()
        if len(_MIDNIGHTS) < 100_000:
            _MIDNIGHTS[k] = midnight
    return midnight + int(text[11:13]) * 3600 + int(text[14:16]) * 60 + int(text[17:19])


@functools.lru_cache(maxsize=4096)
def _next_day(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


# ---------------------------------------------------------------------------
# Opening an export
# ---------------------------------------------------------------------------


class ControlCharacters(ImportRefused):
    """The XML holds a C0 control character; parsing again with ``strip_controls=True`` fixes it."""


@dataclass(frozen=True, slots=True)
class RouteSummary:
    """What kindstep keeps of a workout route: its file, points and length."""

    path: str
    points: int = 0
    distance_m: float = 0.0
    problem: str = ""
    """Why the route could not be read (the workout still imports)."""


class ExportSource:
    """An opened export: the XML stream, its size, and the route files beside it."""

    def __init__(self, path: str | os.PathLike, limits: Limits = DEFAULT_LIMITS):
        self.path = Path(path)
        self.limits = limits
        self.zip: safety.SafeZip | None = None
        self.xml_name = ""
        self.xml_size = 0
        self._base: Path | None = None
        safety.check_file_size(self.path, limits)
        if safety.is_zip(self.path):
            self.zip = safety.open_zip(self.path, limits)
            try:
                self.xml_name = self._find_xml()
            except BaseException:
                self.zip.close()
                raise
            self.xml_size = self.zip.size(self.xml_name)
            self._root = str(PurePosixPath(self.xml_name).parent)
        else:
            self.xml_name = self.path.name
            self.xml_size = self.path.stat().st_size
            self._base = self.path.parent

    def __enter__(self) -> ExportSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()

    def _find_xml(self) -> str:
        assert self.zip is not None
        found = []
        for name in self.zip.members():
            if not name.lower().endswith(".xml") or PurePosixPath(name).name == "export_cda.xml":
                continue
            with self.zip.open(name) as fp:
                head = fp.read(4096)
            if b"<HealthData" in head or b"<!DOCTYPE HealthData" in head:
                found.append(name)
        if not found:
            raise ImportRefused(
                "This zip holds no Apple Health export (an XML file starting with <HealthData>)."
                " On the iPhone: Health, your picture, Export All Health Data.",
                str(self.path),
            )
        # The phone's layout first (apple_health_export/export.xml), then the largest.
        found.sort(key=lambda n: (n.count("/") != 1, -self.zip.size(n)))  # type: ignore[union-attr]
        return found[0]

    def open_xml(self) -> BinaryIO:
        if self.zip is not None:
            return self.zip.open(self.xml_name)
        return open(self.path, "rb")

    def where(self) -> str:
        return f"{self.path.name}: {self.xml_name}" if self.zip is not None else self.path.name

    def route_member(self, path: str) -> str | None:
        """The zip member or file a ``FileReference path`` names, if it exists and is safe."""
        rel = path.lstrip("/")
        if not rel or "\\" in rel or ".." in PurePosixPath(rel).parts:
            return None
        if self.zip is not None:
            name = f"{self._root}/{rel}" if self._root not in ("", ".") else rel
            return name if name in self._members() else None
        assert self._base is not None
        candidate = self._base / rel
        try:
            if candidate.is_symlink() or not candidate.is_file():
                return None
            candidate.resolve().relative_to(self._base.resolve())
        except (OSError, ValueError):
            return None
        return str(candidate)

    def _members(self) -> set[str]:
        if not hasattr(self, "_member_set"):
            self._member_set = set(self.zip.members()) if self.zip is not None else set()
        return self._member_set

    def route_members(self) -> list[str]:
        """Every ``.gpx`` file of the export (zip members or files under ``workout-routes/``)."""
        if self.zip is not None:
            return [n for n in self.zip.members() if n.lower().endswith(".gpx")]
        assert self._base is not None
        folder = self._base / "workout-routes"
        if not folder.is_dir() or folder.is_symlink():
            return []
        return [str(p) for p in sorted(folder.glob("*.gpx")) if p.is_file() and not p.is_symlink()]

    def read_route(self, member: str) -> RouteSummary:
        """Points and length of one route file; a damaged route yields a ``problem``, never an error."""
        try:
            if self.zip is not None:
                return route_summary_of(lambda: self.zip.open(member), member, self.limits)
            if os.path.getsize(member) > 256 * safety.MIB:
                return RouteSummary(member, problem="the route file is larger than 256 MB")
            return route_summary_of(lambda: open(member, "rb"), member, self.limits)
        except ImportRefused as exc:
            return RouteSummary(member, problem=str(exc))
        except OSError as exc:
            return RouteSummary(member, problem=f"could not be opened ({exc.strerror})")


def open_export(path: str | os.PathLike, limits: Limits = DEFAULT_LIMITS) -> ExportSource:
    """Open an export zip or XML, refusing unsafe zips and zips with no export in them."""
    return ExportSource(path, limits)


_EARTH_M = 6_371_008.8


class _Track:
    """Points of a route in order, counted, and its length added up (haversine), as it goes.

    The one place the arithmetic lives, for every reading of a route (the
    quick one, the exact one and an old export's inline Locations), so they
    give the same metres to the last bit.
    """

    __slots__ = ("points", "metres", "_last")

    def __init__(self) -> None:
        self.points = 0
        self.metres = 0.0
        self._last: tuple[float, float, float] | None = None  # latitude, longitude, cos(latitude)

    def add(self, lat_text: object, lon_text: object) -> None:
        """One point from its latitude and longitude as written (text or bytes); an impossible or
        missing one is left out of both the count and the length."""
        try:
            lat, lon = float(lat_text), float(lon_text)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            return
        self.points += 1
        phi, lam = math.radians(lat), math.radians(lon)
        cos_phi = math.cos(phi)
        last = self._last
        if last is not None:
            h = (math.sin((phi - last[0]) / 2) ** 2
                 + last[2] * cos_phi * math.sin((lam - last[1]) / 2) ** 2)
            self.metres += 2 * _EARTH_M * math.asin(min(1.0, math.sqrt(h)))
        self._last = (phi, lam, cos_phi)


def route_summary(fp: BinaryIO | bytes, name: str = "", limits: Limits = DEFAULT_LIMITS) -> RouteSummary:
    """Count a GPX route's points and add up its length (haversine), streaming.

    Points with an impossible latitude or longitude are left out of both.
    Refuses (ImportRefused) a GPX with a DOCTYPE, entities or broken XML.
    Routes as the Health app writes them are read by :func:`_route_summary_quick`;
    anything it is not sure of, by :func:`_route_summary_exact` (the same answer
    or refusal either way, checked by tests that give both the same files).
    """
    if isinstance(fp, bytes):
        quick = _route_summary_quick([fp], name, limits)
        return quick if quick is not None else _route_summary_exact(fp, name, limits)
    seekable = getattr(fp, "seekable", None)
    if seekable is None or not seekable():
        return _route_summary_exact(fp, name, limits)
    at = fp.tell()
    quick = _route_summary_quick(safety.read_chunks(fp), name, limits)
    if quick is not None:
        return quick
    fp.seek(at)
    return _route_summary_exact(fp, name, limits)


def route_summary_of(open_route: Callable[[], BinaryIO], name: str = "",
                     limits: Limits = DEFAULT_LIMITS) -> RouteSummary:
    """:func:`route_summary` of a file opened by ``open_route`` (again, should the exact reading
    be needed): for zip members, which cannot seek back."""
    with open_route() as fp:
        quick = _route_summary_quick(safety.read_chunks(fp), name, limits)
    if quick is not None:
        return quick
    with open_route() as fp:
        return _route_summary_exact(fp, name, limits)


_POINT_ATTRS = (rb'\s+(?:lon="([^"<&\x80-\xff]*)"\s+lat="([^"<&\x80-\xff]*)"'
                rb'|lat="([^"<&\x80-\xff]*)"\s+lon="([^"<&\x80-\xff]*)")\s*>')
_TRACK_POINT = re.compile(rb"<trkpt" + _POINT_ATTRS)
_ROUTE_POINT = re.compile(rb"<rtept" + _POINT_ATTRS)
"""A point's start tag as the Health app writes it (latitude and longitude only): one pattern
per name, so that the search can skip ahead to the name's bytes."""
_QUICK_ENCODINGS = frozenset({"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1"})
_QUICK_MAX_LINE = 64 * 1024
_COUNT_LT = methodcaller("count", b"<")
_COUNT_CLOSE = methodcaller("count", b"</")


def _route_summary_quick(chunks: Iterable[bytes], name: str, limits: Limits) -> RouteSummary | None:
    """:func:`_route_summary_exact`'s answer, or None when this reading cannot be sure of it.

    Expat still checks every byte, with no Python called per element (which
    is most of the exact reading's cost: eight elements per point); the
    points are found by a pattern for the Health app's own ``<trkpt lon="…"
    lat="…">``. It is sure when the file is in an ASCII-based encoding, has
    no comment, CDATA section, DOCTYPE or processing instruction (where
    ``<trkpt`` could be text; looked for before expat reads each stretch of
    whole lines), every ``<trkpt``/``<rtept`` in it matches the pattern
    exactly (no entity, other attribute, quote style or non-ASCII figure),
    and its nesting stays within the depth limit. Nesting is bounded line by
    line from tag counts, also before expat reads the lines: with none of
    those and no ``<`` allowed in attribute values or text, each ``</``
    closes one element and every other ``<`` but the declaration's opens one
    (``/>`` is not counted, so an empty element only makes the bound larger;
    a stray ``</`` is an error expat meets before anything it could hide).
    Any refusal is left to the exact reading, for its words.
    """
    p = safety.xml_parser(forbid_dtd=True)
    unsure = []

    def doubt(*_args: object) -> None:
        unsure.append(True)

    def decl(_version: str, encoding: str | None, _standalone: int) -> None:
        if encoding is not None and encoding.lower() not in _QUICK_ENCODINGS:
            unsure.append(True)

    p.CommentHandler = doubt
    p.StartCdataSectionHandler = doubt
    p.ProcessingInstructionHandler = doubt
    p.XmlDeclHandler = decl
    track = _Track()
    depth = 0
    carry = b""
    what = f"the route {PurePosixPath(name).name}"

    def lines_of(chunks: Iterable[bytes]) -> Iterator[bytes]:
        """Whole lines (the last piece of the file too), as they are fed to expat."""
        nonlocal carry
        for chunk in chunks:
            data = carry + chunk
            cut = data.rfind(b"\n") + 1
            carry = data[cut:]
            if len(carry) > _QUICK_MAX_LINE:
                raise _Unsure
            if cut:
                yield data[:cut]
        if carry:
            yield carry

    def regions() -> Iterator[bytes]:
        """Whole lines, each looked at before expat reads it (so no depth bomb reaches it)."""
        nonlocal depth
        for n, region in enumerate(lines_of(chunks)):
            if n == 0 and (region[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in region[:4]):
                raise _Unsure  # UTF-16 or UTF-32: the pattern is for bytes of ASCII
            # No comment, CDATA or DOCTYPE (<!) and no processing instruction but the XML
            # declaration (<?), before expat sees them: so every < is a tag, or an error.
            declared = n == 0 and region.lstrip(b"\xef\xbb\xbf").startswith(b"<?xml")
            if unsure or b"<!" in region or region.count(b"<?") > declared:
                raise _Unsure
            lines = region.split(b"\n")
            closes = list(map(_COUNT_CLOSE, lines))
            opens = list(map(sub, map(_COUNT_LT, lines), closes))  # the declaration counts too
            before = list(accumulate(map(sub, opens, closes), initial=depth))
            if max(map(add, before, opens)) > limits.max_depth or min(before) < 0:
                raise _Unsure  # perhaps too deep: the exact reading decides, element by element
            depth = before[-1]
            tracks, routes = region.count(b"<trkpt"), region.count(b"<rtept")
            if tracks and routes:
                raise _Unsure  # both kinds in one stretch: their order is the exact reading's
            found = (_ROUTE_POINT if routes else _TRACK_POINT).findall(region)
            if len(found) != tracks + routes:
                raise _Unsure
            point = track.add
            for lon_a, lat_a, lat_b, lon_b in found:
                if lon_a or lat_a:
                    point(lat_a, lon_a)
                else:
                    point(lat_b, lon_b)
            yield region

    try:
        safety.feed_xml(p, regions(), limits=limits, what=what)
    except (ImportRefused, _Unsure):
        return None
    if unsure:
        return None
    return RouteSummary(name, track.points, round(track.metres, 1))


class _Unsure(Exception):
    """The quick route reading cannot be sure of its answer (see _route_summary_quick)."""


def _route_summary_exact(fp: BinaryIO | bytes, name: str = "", limits: Limits = DEFAULT_LIMITS) -> RouteSummary:
    """Count a GPX route's points and add up its length (haversine), streaming, element by element.

    Points with an impossible latitude or longitude are left out of both.
    Refuses (ImportRefused) a GPX with a DOCTYPE, entities or broken XML.
    Read as :func:`safety.parse_small_xml` reads (same parser, limits and
    messages), with the depth check folded into one handler: a route has
    eight elements per point, so handler calls are most of its cost.
    """
    track = _Track()
    what = f"the route {PurePosixPath(name).name}"
    p = safety.xml_parser(forbid_dtd=True)
    p.buffer_text = True
    depth = 0
    max_depth = limits.max_depth

    def start(tag: str, a: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > max_depth:
            raise ImportRefused(
                f"Elements in {what} are nested deeper than {max_depth} levels; real files never are.",
                f"line {p.CurrentLineNumber}",
            )
        if tag == "trkpt" or tag == "rtept":
            track.add(a.get("lat"), a.get("lon"))

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1

    p.StartElementHandler = start
    p.EndElementHandler = end
    chunks = [fp] if isinstance(fp, bytes) else safety.read_chunks(fp)
    safety.feed_xml(p, chunks, limits=limits, what=what)
    return RouteSummary(name, track.points, round(track.metres, 1))


def summarise_routes(path: str, members: list[str], limits: Limits = DEFAULT_LIMITS) -> dict[str, RouteSummary]:
    """Every route in ``members`` of the export at ``path``."""
    with ExportSource(path, limits) as source:
        return {m: source.read_route(m) for m in members}


def route_worker() -> None:
    """Entry point of the route process: JSON job on stdin, JSON summaries on stdout.

    Started with ``python -c`` (never multiprocessing's spawn, which would
    re-run the caller's main script in the worker).
    """
    import sys

    job = json.loads(sys.stdin.buffer.read())
    out = summarise_routes(job["path"], job["members"], Limits(**job["limits"]))
    sys.stdout.write(json.dumps({m: [r.points, r.distance_m, r.problem] for m, r in out.items()}))


# ---------------------------------------------------------------------------
# The parse
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class WorkoutInfo:
    """What a Workout element says, for making a movement session."""

    key: bytes
    activity_type: str
    source_name: str
    start: str
    end: str
    minutes: float | None
    distance_m: float | None
    energy_kcal: float | None
    routes: tuple[str, ...] = ()
    inline_points: int = 0
    inline_distance_m: float = 0.0

    def session_row(self) -> SessionRow | None:
        """The movement session this workout becomes, or None when its length is not usable."""
        if self.minutes is None or not 0 < self.minutes <= 1440:
            return None
        started = parse_time(self.start)
        return SessionRow(
            key=self.key.hex(),
            source=SOURCE,
            day=started.date(),
            minutes=min(1440, max(1, round(self.minutes))),
            activity=activity_for(self.activity_type, self.distance_m, self.minutes),
            started_at=started.astimezone(UTC),
            distance_m=self.distance_m,
            energy_kcal=self.energy_kcal,
            origin=self.activity_type,
            route=self.routes[0] if self.routes else "",
        )


class Sink(Protocol):
    """Where :func:`parse_export` delivers what it reads; the store's loader is one."""

    def type_id(self, name: str) -> int: ...

    def source_id(self, name: str, version: str, device: str) -> int: ...

    def records(self, rows: list[list]) -> None: ...

    def workouts(self, infos: list[WorkoutInfo]) -> None:
        """Called after the raw rows of these workouts went to :meth:`records`."""


class CountingSink:
    """A sink that keeps nothing but counts: for dry looks and tests without a database."""

    def __init__(self) -> None:
        self.types: dict[str, int] = {}
        self.sources: dict[tuple[str, str, str], int] = {}
        self.rows = 0
        self.keys: set[bytes] = set()
        self.kinds: Counter[str] = Counter()
        self.workout_infos: list[WorkoutInfo] = []
        self.keep: list[list] | None = None

    def type_id(self, name: str) -> int:
        return self.types.setdefault(name, len(self.types) + 1)

    def source_id(self, name: str, version: str, device: str) -> int:
        return self.sources.setdefault((name, version, device), len(self.sources) + 1)

    def records(self, rows: list[list]) -> None:
        self.rows += len(rows)
        for r in rows:
            self.kinds[r[1]] += 1
            self.keys.add(r[0])
        if self.keep is not None:
            self.keep.extend(rows)

    def workouts(self, infos: list[WorkoutInfo]) -> None:
        self.workout_infos.extend(infos)


@dataclass
class ParseResult:
    """Counts of one parse: the source's items and what became of them."""

    records: int = 0
    workouts: int = 0
    summaries: int = 0
    correlations: int = 0
    skipped: Counter = field(default_factory=Counter)
    bytes_read: int = 0
    control_chars_removed: int = 0
    had_dtd: bool = False
    export_date: str = ""
    routes: dict[str, str] = field(default_factory=dict)
    """FileReference path -> workout key (hex), for linking routes after the parse."""
    notes: list[str] = field(default_factory=list)
    max_day: str = ""
    """The last day a date may fall on when the parse ended (the export date + 2 days)."""
    encoding: str = ""
    """The XML declaration's encoding, when a :class:`Part` was parsed."""

    @property
    def items(self) -> int:
        """Record, Workout and ActivitySummary elements: what an import summary accounts for."""
        return self.records + self.workouts + self.summaries


NO_MAX_DAY = "9999-12-31"
"""The latest day a date may fall on before the export's ExportDate has been read."""


def export_max_day(value: str) -> str:
    """The last day an item may fall on in an export made at ``value`` (two days of slack)."""
    return (date.fromisoformat(value[:10]) + timedelta(days=2)).isoformat()


SPLIT_AT = b"\n <Record "
"""Where the XML may be cut for parsing in several processes: before a top-level Record."""


@dataclass(frozen=True, slots=True)
class Part:
    """One byte range of the XML, parsed on its own (in a process of its own).

    The range starts at the first :data:`SPLIT_AT` at or after ``lo`` (at 0
    for the first part) and ends at the first one at or after ``hi`` (at the
    end of the file for the last part), so neighbours agree on the cut
    without talking to each other. A cut that does not fall between two
    top-level elements leaves one of the parts unparseable; the caller then
    parses the whole file in one process, which gives the true answer.
    """

    lo: int | None
    """None for the first part."""
    hi: int | None
    """None for the last part."""
    max_day: str = NO_MAX_DAY
    """What the ExportDate read before this part set the last allowed day to."""


NEAR_DONE = 0.9
"""The share of the XML parsed at which ``first_done`` is called even though no part is done
yet: the route process then starts while the parts finish, rather than after the first one
ends (when the two parts end close together, it was the last thing waited for, 0.2-0.4 s)."""
ZIP_SKIP_COST = 0.03
"""Inflating a byte to skip it costs a few percent of parsing it (0.44 s per 420 MB vs 10+ s)."""
OWN_LEAD = -0.025
"""How much more of the file (here: less) the importing process parses when it parses the
first part itself. It starts at once while a helper first starts Python (~0.15 s) and
inflates what it skips, and its rows then need no copy, so with an even split it was done
about as early as the helper; with a little less it is usually done first and copies the
helper's finished files (:data:`PART_FILES`) while the helper ends its part. Measured on
1M records, seven alternating pairs: 9.48 s on average against 9.90 s with 0.02 and one
file (the tail after the helper is done halved, 0.3-0.4 s against 0.7-1 s)."""


def split_targets(size: int, n: int, skip_cost: float = 0.0) -> list[tuple[int | None, int | None]]:
    """``n`` ``(lo, hi)`` targets over ``size`` bytes (see :class:`Part`) of about equal work.

    ``skip_cost`` is what reading past a byte before a part costs relative to
    parsing it (a zip member must be inflated from its start), so later parts
    get a little less to parse.

    >>> split_targets(100, 2)
    [(None, 50), (50, None)]
    >>> split_targets(100, 2, 0.1)
    [(None, 53), (53, None)]
    >>> split_targets(1000, 2, 0.03)
    [(None, 508), (508, None)]
    """
    r = skip_cost
    w = size / n if r <= 0 else size * r / (1 - (1 - r) ** n)
    cuts = [round(size / n * k if r <= 0 else w * (1 - (1 - r) ** k) / r) for k in range(1, n)]
    return list(zip([None, *cuts], [*cuts, None], strict=True))


def head_max_day(source: ExportSource, limit: int = 2 * 1024 * 1024) -> str:
    """The last allowed day as the prolog's ExportDate sets it (a guess the parts then confirm)."""
    head = b""
    with source.open_xml() as fp:
        while len(head) < limit and SPLIT_AT not in head:
            more = fp.read(64 * 1024)
            if not more:
                break
            head += more
    cut = head.find(SPLIT_AT)
    m = re.search(rb'<ExportDate value="([^"&<]*)"', head[: cut if cut >= 0 else len(head)])
    if m is not None:
        value = m.group(1).decode("utf-8", "replace")
        if _DATE_RE.fullmatch(value) and _valid_day(value[:10]):
            return export_max_day(value)
    return NO_MAX_DAY


def _range_reader(fp: BinaryIO, part: Part, res: ParseResult) -> Callable[[], bytes]:
    """A ``read()`` returning the bytes of ``part`` only, about a chunk at a time, then b""."""
    pat = SPLIT_AT
    keep = len(pat) - 1
    raw_read = fp.read
    buf = b""
    pos = 0  # absolute offset of buf[0]
    eof = done = False

    def more() -> bool:
        nonlocal buf, eof
        data = b"" if eof else raw_read(safety.CHUNK)
        if not data:
            eof = True
            return False
        buf += data
        return True

    if part.lo is not None:  # skip to the first cut at or after lo
        if isinstance(fp, io.BufferedReader):  # a plain file: no need to read what is skipped
            fp.seek(part.lo)
            pos = part.lo
        while True:
            i = buf.find(pat, max(0, part.lo - pos))
            if i >= 0:
                pos += i
                buf = buf[i:]
                break
            drop = max(0, len(buf) - keep)
            pos += drop
            buf = buf[drop:]
            if not more():
                done = True  # no cut after lo: the part before this one reads to the end
                break

    def read() -> bytes:
        nonlocal buf, pos, done, eof
        if done:
            return b""
        if not buf and not eof:
            data = raw_read(safety.CHUNK)
            if not data:
                eof = done = True
                return b""
            if part.hi is None or pos + len(data) <= part.hi:
                # No cut can start in these bytes: on they go as they came, with no copy.
                pos += len(data)
                res.bytes_read += len(data)
                return data
            buf = data
        if part.hi is None:  # what was read past while looking for the start: all of it
            out, buf = buf, b""
            pos += len(out)
            res.bytes_read += len(out)
            return out
        while len(buf) < safety.CHUNK + keep and more():
            pass
        i = buf.find(pat, max(0, part.hi - pos))
        if i >= 0:
            out, buf, done = buf[:i], b"", True
            res.bytes_read += len(out)
            return out
        if eof:
            out, buf, done = buf, b"", True
        else:
            out = buf[: len(buf) - keep]
            buf = buf[len(out):]
            pos += len(out)
        res.bytes_read += len(out)
        return out

    return read


R_USUAL = ["type", "sourceName", "sourceVersion", "device", "unit", "creationDate",
           "startDate", "endDate", "value"]
"""A Record's attributes in the order almost every quantity sample has them (read by position)."""
MAX_NAME = 512
"""Source names, versions and devices are cut to this length; real ones are under 200."""

SKIP_NESTED = "Record inside a Correlation (Apple repeats it at top level)"
SKIP_DATE = "date that could not be read"
SKIP_RANGE = "date outside 1900 to the export date"
SKIP_ORDER = "ends before it starts"
SKIP_VALUE = "value that is not a finite number"
SKIP_MISSING = "no type or no dates"


def _norm_device(dev: str) -> str:
    if dev.startswith("<<HKDevice: 0x"):
        i = dev.find(">, ", 14)
        if i > 0:
            return dev[i + 3 : -1] if dev.endswith(">") else dev[i + 3 :]
    return dev[:MAX_NAME]


def json_encoder(**options: object) -> Callable[[object], str]:
    """``json.JSONEncoder(**options).encode``, less the set-up it repeats on every call.

    ``JSONEncoder.encode`` builds a new C encoder for each value; for a dict of
    two metadata entries that is most of the cost (1.7 us against 0.65 us per
    record here). This makes the C encoder once and reuses it; the text is the
    same. Without the C accelerator (some other Python), plain ``encode``.
    Values with cycles are not expected (metadata are strings and lists).
    """
    enc = json.JSONEncoder(**options)  # type: ignore[arg-type]
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None or enc.indent is not None:
        return enc.encode
    strings = json.encoder.encode_basestring_ascii if enc.ensure_ascii else json.encoder.encode_basestring
    once = make(None, enc.default, strings, None, enc.key_separator, enc.item_separator,
                enc.sort_keys, enc.skipkeys, enc.allow_nan)

    def encode(value: object) -> str:
        return "".join(once(value, 0))

    return encode


def parse_export(
    source: ExportSource,
    sink: Sink,
    *,
    strip_controls: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
    batch_size: int = 10_000,
    part: Part | None = None,
) -> ParseResult:
    """Stream the export's XML into ``sink`` in batches; returns the counts.

    Raises ImportRefused (with line and column) for anything the file's XML
    or limits do not allow; :class:`ControlCharacters` when a C0 control
    character stops the parse and ``strip_controls`` was off.

    ``part`` parses one byte range of the XML (see :func:`split_targets`):
    the first range keeps the real prolog and gets a closing
    ``</HealthData>``; later ones are wrapped in a synthetic ``<HealthData>``,
    so every byte is still checked by expat.

    Python's cyclic garbage collector is paused meanwhile (see
    :func:`_collector_paused`).
    """
    with _collector_paused():
        return _parse_export(source, sink, strip_controls=strip_controls, progress=progress,
                             batch_size=batch_size, part=part)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for as long as a parse lasts, then back as it was.

    A parse makes millions of short-lived lists, strings and dicts, none of
    them in a reference cycle, so reference counting frees every one; but the
    allocations alone set off collections, and in the importing process each
    older-generation collection walks Django's hundreds of thousands of
    objects too. With it paused a 1M-record import took 0.6 s less (median of
    four alternating runs; 0.8 s less CPU), and peak memory stays the same.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _parse_export(
    source: ExportSource,
    sink: Sink,
    *,
    strip_controls: bool,
    progress: Callable[[int, int, int], None] | None,
    batch_size: int,
    part: Part | None,
) -> ParseResult:
    limits = source.limits
    res = ParseResult()
    skipped = res.skipped
    # One encoder each, made once (see json_encoder): a record's few metadata entries
    # cost less to encode than an encoder costs to set up.
    dumps = json_encoder(ensure_ascii=False)
    dumps_sorted = json_encoder(ensure_ascii=False, sort_keys=True)
    date_ok = _DATE_RE.fullmatch
    good_days: dict[str, bool] = {}
    max_day = [part.max_day if part is not None else NO_MAX_DAY]
    raw_sources: dict[tuple[str, str, str], int] = {}
    two_dates_ok = _TWO_DATES_SAME_OFFSET.fullmatch
    key_hash = blake2b(digest_size=16)
    key_heads: dict[tuple[str, str, str | None], object] = {}  # (type, source, unit) -> hash so far
    types: dict[str, int] = {}
    sources: dict[tuple[str, str, str], int] = {}
    rows: list[list] = []
    winfos: list[WorkoutInfo] = []

    n_rec = n_wo = n_sum = n_corr = 0
    depth = 0
    cur: list | None = None  # the raw row whose MetadataEntry children are being read
    meta: dict | None = None
    corr: list | None = None  # an open Correlation row
    corr_meta: dict | None = None
    in_corr_record = False
    wo: dict | None = None  # an open Workout
    wo_route: dict | None = None
    wo_activity: dict | None = None
    max_depth = limits.max_depth
    # Names are not interned: a million records' ten names each cost a table look-up (and a
    # hash) apiece, and the handlers only ever compare them with ==.
    parser = safety.xml_parser(forbid_dtd=True, intern_names=False)

    def type_id(t: str) -> int:
        i = types.get(t)
        if i is None:
            i = types[t] = sink.type_id(t[:MAX_NAME])
        return i

    def source_id(sn: str, sv: str, dev: str) -> int:
        if dev:
            dev = _norm_device(dev)
        k = (sn, sv, dev)
        i = sources.get(k)
        if i is None:
            i = sources[k] = sink.source_id(sn[:MAX_NAME], sv[:MAX_NAME], dev)
        return i

    def day_ok(d: str) -> bool:
        ok = good_days.get(d)
        if ok is None:
            try:
                date.fromisoformat(d)
                ok = "1900-01-01" <= d <= max_day[0]
            except ValueError:
                ok = False
            good_days[d] = ok
        return ok

    def check_dates(s: str | None, e: str | None) -> str | None:
        """Why these dates are unusable, or None."""
        if not s or not e:
            return SKIP_MISSING
        m1 = date_ok(s)
        m2 = m1 if e == s else date_ok(e)
        if m1 is None or m2 is None:
            return SKIP_DATE
        if not (day_ok(s[:10]) and (e[:10] == s[:10] or day_ok(e[:10]))):
            return SKIP_RANGE if _valid_day(m1.group(1)) and _valid_day(m2.group(1)) else SKIP_DATE
        if s[20:] == e[20:]:
            if e < s:
                return SKIP_ORDER
        elif _utc_seconds(e) < _utc_seconds(s):
            return SKIP_ORDER
        return None

    def key_of(*parts: str | None) -> bytes:
        return blake2b("\x1f".join([p or "" for p in parts]).encode("utf-8", "surrogatepass"),
                       digest_size=16).digest()

    def start(name: str, attrs: list[str]) -> None:
        # ``attrs`` is [name, value, name, value, ...] (expat's ordered_attributes): a usual
        # Record is read by position, with no dict built; anything else gets its dict.
        nonlocal depth, cur, meta, n_rec, corr_meta, in_corr_record
        depth += 1
        if depth > max_depth:
            raise ImportRefused(
                f"Elements are nested deeper than {max_depth} levels; real exports never are.",
                f"line {parser.CurrentLineNumber}",
            )
        if name == "Record":
            n_rec += 1
            if corr is not None:
                skipped[SKIP_NESTED] += 1
                in_corr_record = True
                return
            if cur is not None or wo is not None:
                raise ImportRefused(
                    "A Record sits inside another element where exports never put one.",
                    f"line {parser.CurrentLineNumber}, column {parser.CurrentColumnNumber}",
                )
            if attrs[::2] == R_USUAL:
                t, sn, sv, dev, unit, created, s, e, v = attrs[1::2]
                extra = None
            else:
                extra = dict(zip(attrs[::2], attrs[1::2], strict=False))
                pop = extra.pop
                t = pop("type", None)
                s = pop("startDate", None)
                e = pop("endDate", None)
                v = pop("value", None)
                sn = pop("sourceName", "")
                unit = pop("unit", None)
                sv = pop("sourceVersion", "")
                dev = pop("device", "")
                created = pop("creationDate", None)
            # The common case checked inline (same outcome as check_dates, which
            # decides everything else): known-good days, well-formed dates, same
            # offset, in order.
            if not (t and s and e and good_days.get(s[:10]) and good_days.get(e[:10])
                    and two_dates_ok(s + "|" + e) and s <= e):
                why = SKIP_MISSING if not t else check_dates(s, e)
                if why is not None:
                    skipped[why] += 1
                    return
            if v is not None and t.startswith("HKQuantityTypeIdentifier"):
                try:
                    x = float(v)
                except ValueError:
                    x = math.nan
                if x - x != 0.0:  # NaN or infinite
                    skipped[SKIP_VALUE] += 1
                    return
            sk = (sn, sv, dev)
            sid = raw_sources.get(sk)
            if sid is None:
                if dev:  # _norm_device, inlined: the device's memory address differs per record
                    if dev[:14] == "<<HKDevice: 0x" and (i := dev.find(">, ", 14)) > 0:
                        dev = dev[i + 3 : -1] if dev[-1] == ">" else dev[i + 3 :]
                    else:
                        dev = dev[:MAX_NAME]
                sid = sources.get((sn, sv, dev))
                if sid is None:
                    sid = sources[(sn, sv, dev)] = sink.source_id(sn[:MAX_NAME], sv[:MAX_NAME], dev)
                if len(raw_sources) < 4096:  # device strings may differ per record: stay bounded
                    raw_sources[sk] = sid
            tid = types.get(t)
            if tid is None:
                tid = type_id(t)
            # key_of("R", t, sn, unit, s, e, v), inlined: this runs once per record. The hash
            # of the part records of one type, source and unit share is made once and copied.
            h = key_heads.get((t, sn, unit))
            if h is None:
                h = key_hash.copy()
                h.update(f"R\x1f{t}\x1f{sn}\x1f{unit or ''}\x1f".encode("utf-8", "surrogatepass"))
                if len(key_heads) < 4096:
                    key_heads[(t, sn, unit)] = h
            h = h.copy()
            h.update(f"{s}\x1f{e}\x1f{v or ''}".encode("utf-8", "surrogatepass"))
            row = [
                h.digest(),
                "R",
                tid,
                sid,
                unit,
                created,
                s,
                e,
                v,
                None,
            ]
            rows.append(row)
            cur = row
            meta = {"@" + k: x for k, x in extra.items()} if extra else None
        elif name == "MetadataEntry":
            if attrs[::2] == ["key", "value"]:
                mk, mv = attrs[1], attrs[3]
            else:
                a = dict(zip(attrs[::2], attrs[1::2], strict=False))
                mk, mv = a.get("key", ""), a.get("value", "")
            if cur is not None:
                if meta is None:
                    meta = {}
                meta[mk] = mv
            elif wo is not None:
                target = wo_route if wo_route is not None else (
                    wo_activity if wo_activity is not None else wo)
                target["metadata"][mk] = mv
            elif corr is not None and not in_corr_record:
                if corr_meta is None:
                    corr_meta = {}
                corr_meta[mk] = mv
        elif name == "InstantaneousBeatsPerMinute":
            if cur is not None:
                a = dict(zip(attrs[::2], attrs[1::2], strict=False))
                if meta is None:
                    meta = {}
                meta.setdefault("HeartRateVariabilityMetadataList", []).append(
                    [a.get("bpm", ""), a.get("time", "")]
                )
        else:
            _other(name, dict(zip(attrs[::2], attrs[1::2], strict=False)))

    def _other(name: str, a: dict[str, str]) -> None:
        """Every element but Record, MetadataEntry and InstantaneousBeatsPerMinute (rarer ones)."""
        nonlocal wo, wo_route, wo_activity, n_corr
        if name == "Workout":
            if wo is not None or cur is not None or corr is not None:
                raise ImportRefused(
                    "A Workout sits inside another element where exports never put one.",
                    f"line {parser.CurrentLineNumber}, column {parser.CurrentColumnNumber}",
                )
            wo = {"attrs": a, "metadata": {}, "events": [], "statistics": [], "routes": [],
                  "activities": [], "files": [], "track": _Track()}
        elif wo is not None:
            if name == "WorkoutEvent":
                wo["events"].append(a)
            elif name == "WorkoutStatistics":
                (wo_activity if wo_activity is not None else wo)["statistics"].append(a)
            elif name == "WorkoutRoute":
                wo_route = {"attrs": a, "metadata": {}, "files": []}
            elif name == "FileReference":
                path = a.get("path", "")
                if wo_route is not None:
                    wo_route["files"].append(path)
                wo["files"].append(path)
            elif name == "Location":
                wo["track"].add(a.get("latitude"), a.get("longitude"))  # old exports, inline
            elif name == "WorkoutActivity":
                wo_activity = {"attrs": a, "metadata": {}, "statistics": []}
        elif name == "ActivitySummary":
            _summary(a)
        elif name == "Correlation":
            n_corr += 1
            if corr is not None or cur is not None or wo is not None:
                raise ImportRefused(
                    "A Correlation sits inside another element where exports never put one.",
                    f"line {parser.CurrentLineNumber}, column {parser.CurrentColumnNumber}",
                )
            _correlation(a)
        elif name == "ExportDate":
            value = a.get("value", "")
            if date_ok(value) and _valid_day(value[:10]):
                max_day[0] = export_max_day(value)
                good_days.clear()
                res.export_date = value

    def _summary(a: dict[str, str]) -> None:
        nonlocal n_sum
        n_sum += 1
        d = a.pop("dateComponents", "")
        if not (len(d) == 10 and _valid_day(d)):
            skipped[SKIP_DATE] += 1
            return
        if not day_ok(d):
            skipped[SKIP_RANGE] += 1
            return
        body = dumps_sorted(a) if a else None
        rows.append([key_of("A", d, body), "A", type_id("ActivitySummary"), None, None, None,
                     d, d, None, body])

    def _correlation(a: dict[str, str]) -> None:
        nonlocal corr, corr_meta
        pop = a.pop
        t = pop("type", None)
        s = pop("startDate", None)
        e = pop("endDate", None)
        if not t or check_dates(s, e) is not None:
            corr = []  # still swallow its nested records, but keep nothing
            corr_meta = None
            return
        sn = pop("sourceName", "")
        corr = [key_of("C", t, sn, None, s, e, None), "C", type_id(t),
                source_id(sn, pop("sourceVersion", ""), pop("device", "")), None,
                pop("creationDate", None), s, e, None, None]
        corr_meta = {"@" + k: x for k, x in a.items()} if a else None

    def end(name: str) -> None:
        nonlocal depth, cur, meta, corr, corr_meta, in_corr_record, wo, wo_route, wo_activity
        depth -= 1
        if name == "Record":
            if in_corr_record:
                in_corr_record = False
            elif cur is not None:
                if meta:
                    cur[9] = dumps(meta)
                cur = None
                meta = None
        elif name == "Workout" and wo is not None:
            _finish_workout(wo)
            wo = None
        elif name == "WorkoutRoute" and wo is not None and wo_route is not None:
            wo["routes"].append(wo_route)
            wo_route = None
        elif name == "WorkoutActivity" and wo is not None and wo_activity is not None:
            wo["activities"].append(wo_activity)
            wo_activity = None
        elif name == "Correlation" and corr is not None:
            if corr:
                if corr_meta:
                    corr[9] = dumps(corr_meta)
                rows.append(corr)
            corr = None
            corr_meta = None

    def _finish_workout(w: dict) -> None:
        nonlocal n_wo
        n_wo += 1
        a = w["attrs"]
        pop = a.pop
        t = pop("workoutActivityType", None)
        s = pop("startDate", None)
        e = pop("endDate", None)
        why = SKIP_MISSING if not t else check_dates(s, e)
        if why is not None:
            skipped[why] += 1
            return
        duration = pop("duration", None)
        dunit = pop("durationUnit", None)
        sn = pop("sourceName", "")
        body: dict = {}
        for k, v in (("attributes", a), ("metadata", w["metadata"]), ("events", w["events"]),
                     ("statistics", w["statistics"]), ("routes", w["routes"]),
                     ("activities", w["activities"])):
            if v:
                body[k] = v
        track = w["track"]
        if track.points:
            body["inline_route_points"] = track.points
        key = key_of("W", t, sn, dunit, s, e, duration)
        rows.append([key, "W", type_id(t),
                     source_id(sn, a.pop("sourceVersion", ""), a.pop("device", "")), dunit,
                     a.pop("creationDate", None), s, e, duration,
                     dumps(body) if body else None])
        minutes = to_minutes(duration, dunit)
        if minutes is None:
            minutes = (_utc_seconds(e) - _utc_seconds(s)) / 60
        distance, energy = _totals(w, a)
        files = tuple(f for f in w["files"] if f)
        for f in files[:1]:
            if len(res.routes) < limits.max_members:
                res.routes[f] = key.hex()
        winfos.append(WorkoutInfo(key, t, sn, s, e, minutes, distance, energy, files,
                                  track.points, round(track.metres, 1)))

    chunks = _chunks(source, strip_controls, res, part)
    fed = 0
    try:
        parser.ordered_attributes = True
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        if part is not None:
            def decl(version: str, encoding: str | None, standalone: int) -> None:
                res.encoding = encoding or ""
            parser.XmlDeclHandler = decl
        parse = parser.Parse
        for chunk in chunks:
            parse(chunk, False)
            fed += len(chunk)
            if fed - parser.CurrentByteIndex > limits.max_token_bytes:
                raise ImportRefused(
                    f"One element is longer than {limits.max_token_bytes // safety.MIB} MB,"
                    " far beyond anything a real export holds; kindstep stopped reading.",
                    f"line {parser.CurrentLineNumber}",
                )
            if n_rec + n_wo + n_sum + n_corr > limits.max_items:
                raise ImportRefused(
                    f"This export holds more than {limits.max_items:,} items, more than kindstep"
                    " takes from one file.",
                    f"line {parser.CurrentLineNumber}",
                )
            if len(rows) >= batch_size:
                # A Record whose children are still to come stays for the next batch
                # (its metadata is filled in when it closes).
                held = rows.pop() if cur is not None and rows[-1] is cur else None
                sink.records(rows[:])
                rows.clear()
                if held is not None:
                    rows.append(held)
                if winfos:
                    sink.workouts(winfos[:])
                    winfos.clear()
            if progress is not None:
                progress(res.bytes_read, source.xml_size, n_rec + n_wo + n_sum)
        if fed or part is None or part.lo is None:
            parse(b"", True)  # always finish: a truncated file is an error (an empty part is not)
    except expat.ExpatError as exc:
        if not strip_controls and exc.code == expat.errors.codes[expat.errors.XML_ERROR_INVALID_TOKEN] \
                and _control_char_near(source, exc):
            raise ControlCharacters(
                "The export holds control characters XML does not allow.",
                f"line {exc.lineno}, column {exc.offset}",
            ) from None
        err = safety.xml_error(exc, "the export")
        raise ImportRefused(err.message, f"{source.where()}, {err.where}") from None
    except LookupError as exc:  # expat met an encoding name it does not know
        raise ImportRefused(
            "The export says it is written in an encoding kindstep does not know"
            f" ({str(exc).split(':')[-1].strip()}); a real Apple Health export is UTF-8."
            " Exporting again from the Health app may help.",
            f"{source.where()}, line 1",
        ) from None
    except ImportRefused as exc:
        if exc.where.startswith("line"):
            raise ImportRefused(exc.message, f"{source.where()}, {exc.where}") from None
        raise
    if rows:
        sink.records(rows[:])
        rows.clear()
    if winfos:
        sink.workouts(winfos[:])
        winfos.clear()
    if progress is not None:
        progress(res.bytes_read, source.xml_size, n_rec + n_wo + n_sum)
    res.records, res.workouts, res.summaries, res.correlations = n_rec, n_wo, n_sum, n_corr
    res.max_day = max_day[0]
    return res


def _valid_day(d: str) -> bool:
    try:
        date.fromisoformat(d)
    except ValueError:
        return False
    return len(d) == 10


_DISTANCE_TYPES = ("HKQuantityTypeIdentifierDistanceWalkingRunning",
                   "HKQuantityTypeIdentifierDistanceCycling",
                   "HKQuantityTypeIdentifierDistanceSwimming",
                   "HKQuantityTypeIdentifierDistanceWheelchair",
                   "HKQuantityTypeIdentifierDistanceDownhillSnowSports",
                   "HKQuantityTypeIdentifierDistanceCrossCountrySkiing",
                   "HKQuantityTypeIdentifierDistancePaddleSports",
                   "HKQuantityTypeIdentifierDistanceRowing",
                   "HKQuantityTypeIdentifierDistanceSkatingSports")


def _totals(w: dict, attrs: dict[str, str]) -> tuple[float | None, float | None]:
    """Distance (m) and active energy (kcal): WorkoutStatistics first, legacy attributes second."""
    distance = energy = None
    for st in w["statistics"]:
        t = st.get("type", "")
        if distance is None and t in _DISTANCE_TYPES:
            distance = to_metres(st.get("sum"), st.get("unit"))
        elif energy is None and t == "HKQuantityTypeIdentifierActiveEnergyBurned":
            energy = to_kcal(st.get("sum"), st.get("unit"))
    if distance is None:
        distance = to_metres(attrs.get("totalDistance"), attrs.get("totalDistanceUnit"))
    if energy is None:
        energy = to_kcal(attrs.get("totalEnergyBurned"), attrs.get("totalEnergyBurnedUnit"))
    if distance == 0.0:
        distance = None  # indoor workouts write totalDistance="0"
    return distance, energy


def _chunks(source: ExportSource, strip_controls: bool, res: ParseResult,
            part: Part | None = None) -> Iterator[bytes]:
    """The XML's bytes: the DTD cut out of the head, C0 controls removed when asked."""
    with source.open_xml() as fp:
        if part is None:
            def read(n: int = safety.CHUNK) -> bytes:
                data = fp.read(n)
                res.bytes_read += len(data)
                return data
        else:
            if part.hi is not None and hasattr(fp, "stop_early"):
                fp.stop_early()  # a zip's CRC: the last part reads to the end, and checks it
            read_part = _range_reader(fp, part, res)

            def read(n: int = safety.CHUNK) -> bytes:
                return read_part()
        controls = safety.C0_CONTROLS
        if part is not None and part.lo is not None:
            chunk = read()
            if not chunk:
                return  # an empty part: nothing to parse
            yield b"<HealthData>"
        else:
            head = read()
            while True:
                try:
                    head2, had = safety.strip_internal_dtd(head)
                    break
                except ImportRefused:
                    more = read() if len(head) < 4 * safety.CHUNK else b""
                    if not more:
                        raise
                    head += more
            res.had_dtd = had
            chunk = head2
        while chunk:
            if strip_controls:
                clean = chunk.translate(None, controls)
                res.control_chars_removed += len(chunk) - len(clean)
                chunk = clean
            yield chunk
            chunk = read()
        if part is not None and part.hi is not None:
            yield b"</HealthData>"


def _control_char_near(source: ExportSource, exc: expat.ExpatError) -> bool:
    """Whether the line the parser stopped at holds a C0 control character."""
    try:
        with source.open_xml() as fp:
            line = 1
            tail = b""
            while True:
                data = fp.read(safety.CHUNK)
                if not data:
                    return False
                data = tail + data
                parts = data.split(b"\n")
                tail = parts.pop()
                for text in parts:
                    if line == exc.lineno:
                        return any(c in text for c in safety.C0_CONTROLS)
                    line += 1
                if line == exc.lineno and len(tail) > safety.CHUNK * 4:
                    return any(c in tail for c in safety.C0_CONTROLS)
    except ImportRefused:
        return False


# ---------------------------------------------------------------------------
# Parsing in several processes
# ---------------------------------------------------------------------------

_PART_SCHEMA = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE s (id INTEGER PRIMARY KEY, name TEXT NOT NULL, version TEXT NOT NULL, device TEXT NOT NULL);
CREATE TABLE r (key BLOB NOT NULL, kind TEXT NOT NULL, type_id INTEGER NOT NULL, source_id INTEGER,
                unit TEXT, creation_date TEXT, start_date TEXT NOT NULL, end_date TEXT NOT NULL,
                value TEXT, metadata TEXT);
CREATE TABLE w (key BLOB NOT NULL, activity_type TEXT, source_name TEXT, start TEXT, "end" TEXT,
                minutes REAL, distance_m REAL, energy_kcal REAL, routes TEXT, inline_points INTEGER,
                inline_distance_m REAL);
"""


ROWS_PER_INSERT = 50
"""Rows per INSERT statement when raw rows are written (see :func:`insert_rows`)."""


def insert_rows(executemany: Callable[[str, list], int], one_row: str, many_rows: str,
                rows: list, n: int = ROWS_PER_INSERT) -> int:
    """Insert ``rows`` in statements of ``n`` rows each (the rest one by one); returns rows changed.

    ``one_row`` inserts one row; ``many_rows`` is the same statement with
    ``n`` rows of placeholders in its VALUES (see :func:`values_of`).
    ``executemany(sql, params)`` runs a statement for each parameter list
    and returns the rows it changed. Rows go in, in order, as one by one:
    SQLite and PostgreSQL insert a VALUES list row after row, and ``ON
    CONFLICT DO NOTHING`` leaves out a row that meets one before it. One
    statement per row paid the statement's set-up (and SQLite's
    AUTOINCREMENT bookkeeping) each time: 3.5 us a row into the indexed
    table against 2.1-2.2 us in statements of 20-50 rows.
    """
    full = len(rows) - len(rows) % n
    changed = 0
    if full:
        changed += executemany(many_rows, [list(chain.from_iterable(rows[i:i + n]))
                                           for i in range(0, full, n)])
    if full < len(rows):
        changed += executemany(one_row, rows[full:])
    return changed


def values_of(placeholders: str, n: int = ROWS_PER_INSERT) -> str:
    """``placeholders`` (one row's, with parentheses) ``n`` times, comma-separated."""
    return ", ".join([placeholders] * n)


@functools.cache
def bind_plainly() -> None:
    """Have Python's sqlite3 bind ``bytes`` and ``None`` without first trying to adapt them.

    Before binding a parameter that is not an int, float, str or bytearray,
    sqlite3 looks for a way to adapt it: its registry, then ``__adapt__`` on
    its protocol type, where Python 3.11 formats an AttributeError only to
    throw it away (about 2,000 instructions; 3.12 no longer does). A raw row
    holds a key (bytes) and often a None or two, so a million rows paid for
    two million such errors, in each process. Registered here, the lookup
    finds an adapter at once that hands the value back as it was (bytes are
    bound as a blob, None as NULL, exactly as before). Process-wide, and the
    same for every caller: nothing binds differently.
    """
    import sqlite3

    sqlite3.register_adapter(bytes, bytes)  # bytes(b) is b itself
    sqlite3.register_adapter(type(None), {}.get)  # {}.get(None) is None


_PART_ONE = "INSERT INTO r VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_PART_MANY = f"INSERT INTO r VALUES {values_of('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')}"


class PartSink:
    """The sink of a part's process: a private SQLite file with local type and source ids.

    The importing process attaches the file and copies its rows with one
    ``INSERT … SELECT`` inside its own transaction, mapping the ids.
    """

    def __init__(self, path: str, existing: dict | None = None):
        import sqlite3

        bind_plainly()
        self.paths = [path]
        """Every file written so far, in order; the last one is being written."""
        self.db = self._open(path)
        self.types: dict[str, int] = {}
        self.type_names: dict[int, str] = {}
        self.sources: dict[tuple[str, str, str], int] = {}
        self.stored = None
        if existing is not None:
            # The importing process holds the write lock, so what is stored now stays
            # stored until it merges; read-only, and only committed rows are seen.
            uri = "file:" + quote(existing["db"]) + "?mode=ro"
            self.stored = sqlite3.connect(uri, uri=True, isolation_level=None)
            self.person = int(existing["person"])
            self.stored_types: dict[str, int | None] = {}
        self.left_out = 0

    @staticmethod
    def _open(path: str):
        import sqlite3

        db = sqlite3.connect(path, isolation_level=None)
        db.executescript(_PART_SCHEMA)
        db.execute("BEGIN")
        return db

    def next_file(self, path: str) -> None:
        """Finish the file being written and go on in ``path`` (see :data:`PART_FILES`).

        The new file starts with every type and source met so far, so each
        file can be copied on its own; rows keep their order across files.
        """
        self.db.execute("COMMIT")
        self.db.close()
        self.db = self._open(path)
        self.db.executemany("INSERT INTO t VALUES (?, ?)", list(self.type_names.items()))
        self.db.executemany("INSERT INTO s VALUES (?, ?, ?, ?)",
                            [(i, *k) for k, i in self.sources.items()])
        self.paths.append(path)

    def type_id(self, name: str) -> int:
        i = self.types.get(name)
        if i is None:
            i = self.types[name] = len(self.types) + 1
            self.type_names[i] = name
            self.db.execute("INSERT INTO t VALUES (?, ?)", (i, name))
        return i

    def source_id(self, name: str, version: str, device: str) -> int:
        k = (name, version, device)
        i = self.sources.get(k)
        if i is None:
            i = self.sources[k] = len(self.sources) + 1
            self.db.execute("INSERT INTO s VALUES (?, ?, ?, ?)", (i, *k))
        return i

    def records(self, rows: list[list]) -> None:
        if self.stored is not None:
            rows = self._not_stored(rows)
        insert_rows(self._executemany, _PART_ONE, _PART_MANY, rows)

    def _executemany(self, sql: str, params: list) -> int:
        return self.db.executemany(sql, params).rowcount

    def _not_stored(self, rows: list[list]) -> list[list]:
        """``rows`` less those the person's stored records already hold (same natural key)."""

        def stored_type(lid: int) -> int | None:
            name = self.type_names[lid]
            if name not in self.stored_types:
                row = self.stored.execute(
                    "SELECT id FROM kindstep_health_type WHERE name = ?", (name,)).fetchone()
                self.stored_types[name] = row[0] if row else None
            return self.stored_types[name]

        kept = not_stored(rows, self.person, stored_type,
                          lambda sql, params: self.stored.execute(sql.replace("%s", "?"), params))
        self.left_out += len(rows) - len(kept)
        return kept

    def workouts(self, infos: list[WorkoutInfo]) -> None:
        self.db.executemany("INSERT INTO w VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            (i.key, i.activity_type, i.source_name, i.start, i.end, i.minutes, i.distance_m,
             i.energy_kcal, json.dumps(list(i.routes)), i.inline_points, i.inline_distance_m)
            for i in infos])

    def close(self) -> None:
        self.db.execute("COMMIT")
        self.db.close()
        if self.stored is not None:
            self.stored.close()


def not_stored(rows: list[list], person: int, stored_type: Callable[[int], int | None],
               execute: Callable[[str, tuple], Iterable[tuple]]) -> list[list]:
    """``rows`` less those ``person``'s stored records already hold (same natural key).

    Rows of one type and kind are looked up together over their span of start
    dates, on the natural-key index (person, type, start, kind, key): a newer
    full export repeats every stored row, and a few range reads per batch
    cost far less than a refused insert per row. ``stored_type`` maps a row's
    type id to the stored one (None: no such type stored yet); ``execute``
    runs a statement with ``%s`` placeholders and returns its rows.
    """
    spans: dict[tuple[int, str], list[str]] = {}
    for r in rows:
        span = spans.get((r[2], r[1]))
        if span is None:
            spans[(r[2], r[1])] = [r[6], r[6]]
        elif r[6] < span[0]:
            span[0] = r[6]
        elif r[6] > span[1]:
            span[1] = r[6]
    found: set[bytes] = set()
    for (tid, kind), (lo, hi) in spans.items():
        stored = stored_type(tid)
        if stored is not None:
            found.update(bytes(k) for (k,) in execute(
                "SELECT key FROM kindstep_health_record WHERE person_id = %s AND type_id = %s"
                " AND start_date BETWEEN %s AND %s AND kind = %s", (person, stored, lo, hi, kind)))
    if not found:
        return rows
    return [r for r in rows if r[0] not in found]


def part_workouts(rows: list[tuple]) -> list[WorkoutInfo]:
    """WorkoutInfo values back from rows of a part's ``w`` table."""
    return [WorkoutInfo(bytes(k), at, sn, s, e, m, d, en, tuple(json.loads(r)), ip, idist)
            for k, at, sn, s, e, m, d, en, r, ip, idist in rows]


def part_worker() -> None:
    """Entry point of a part's process: a JSON job on stdin; progress lines on stdout.

    Started with ``python -c`` (like :func:`route_worker`). Writes the rows
    to the job's SQLite file and the counts as JSON to its result file; any
    problem is reported there too, and the importing process then parses
    the whole file itself.
    """
    import sys
    import time

    job = json.loads(sys.stdin.buffer.read())
    out: dict = {"ok": False}
    safety.CHUNK = int(job.get("chunk", safety.CHUNK))
    files = list(job["dbs"][1:])
    file_ends = list(job.get("file_ends", ()))
    sink: PartSink | None = None
    try:
        last = [0.0]

        def progress(done: int, total: int, items: int) -> None:
            while files and file_ends and done >= file_ends[0] and sink is not None:
                # Rows handed over so far are in the file being finished: the importing
                # process may copy it in while this one goes on.
                file_ends.pop(0)
                sink.next_file(files.pop(0))
                sys.stdout.write(f"file {len(sink.paths) - 2}\n")
                sys.stdout.flush()
            now = time.monotonic()
            if now - last[0] >= 0.2:
                last[0] = now
                sys.stdout.write(f"{done} {items}\n")
                sys.stdout.flush()

        with ExportSource(job["path"], Limits(**job["limits"])) as source:
            if source.xml_name != job["xml_name"]:
                raise ImportRefused("The export changed while it was being read.")
            sink = PartSink(job["dbs"][0], job.get("existing"))
            res = parse_export(source, sink, progress=progress,
                               batch_size=int(job.get("batch_size", PART_BATCH)),
                               part=Part(job["lo"], job["hi"], job["max_day"]))
            sink.close()
        out = _part_out(res, sink.left_out)
        out["dbs"] = sink.paths
    except ImportRefused as exc:
        out = {"ok": False, "error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - reported; the caller parses in one process instead
        out = {"ok": False, "error": repr(exc)}
    tmp = job["result"] + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fp:
        json.dump(out, fp)
    os.replace(tmp, job["result"])


def _part_out(res: ParseResult, left_out: int = 0) -> dict:
    """What a part reports when it is done (as JSON from a part's process)."""
    return {"ok": True, "records": res.records, "workouts": res.workouts,
            "summaries": res.summaries, "correlations": res.correlations,
            "skipped": dict(res.skipped), "bytes_read": res.bytes_read,
            "had_dtd": res.had_dtd, "export_date": res.export_date,
            "routes": list(res.routes.items()), "notes": res.notes,
            "max_day": res.max_day, "encoding": res.encoding, "left_out": left_out}


PART_FILES = 4
"""Files a helper writes its part into, one after another. The importing process copies a
finished one in while it waits for the rest (when its own part is done first), instead
of copying the whole part only once the helper is done."""
PART_BATCH = 10_000
"""Rows a helper hands to its file at a time (the batch of :func:`parse_export`)."""


@dataclass
class Parts:
    """What :func:`parse_in_parts` made: the helpers' SQLite files, and the combined counts."""

    dbs: list[str]
    """Every file the helpers wrote, in file order (see :data:`PART_FILES`)."""
    result: ParseResult
    workdir: str
    left_out: int = 0
    """Rows the parts left out because the database already stores them."""
    copied: int = 0
    """How many of ``dbs``, from the first, ``on_file`` was given while the helpers parsed."""

    def cleanup(self) -> None:
        import shutil

        shutil.rmtree(self.workdir, ignore_errors=True)


def parse_in_parts(
    source: ExportSource,
    n: int,
    *,
    progress: Callable[[int, int, int], None] | None = None,
    first_done: Callable[[], None] | None = None,
    existing: dict | None = None,
    own: Sink | None = None,
    files: int = PART_FILES,
    on_file: Callable[[str], None] | None = None,
) -> Parts | None:
    """Parse the export's XML in ``n`` processes at once, each helper into private SQLite files.

    Returns None — after cleaning up — when any part fails or the parts do
    not fit together (a cut inside an element, a different encoding, an
    ExportDate after the first cut, too many items): the caller then parses
    the whole file in one process, which gives exactly the usual result or
    refusal. Nothing here touches the database. ``first_done`` is called
    when the first part's process is done (a core is free again), or once
    :data:`NEAR_DONE` of the XML is parsed, whichever comes first.
    ``existing`` (``{"db": path, "person": id}``) lets the parts leave out
    rows that SQLite file already stores for that person (see
    :meth:`PartSink._not_stored`); the caller must keep it from changing.

    With ``own``, this process parses the first part itself, straight into
    ``own`` (the database's own sink), while the others parse theirs: one
    process fewer to start, and one part fewer to copy afterwards
    (``Parts.dbs`` then holds the other parts only). Should the parts not fit
    together, what ``own`` was given must be thrown away (the caller holds it
    in a transaction it rolls back).

    The first helper writes its part in ``files`` files, one after another,
    the others in one each. ``on_file(path)`` is given each file of the
    first helper's part that is finished while that helper still parses
    (and this process has nothing else to do), in order, so the caller can
    copy it in meanwhile; ``Parts.copied`` says how many were, and
    ``Parts.dbs`` still lists them. Should the parts then not fit together,
    what was copied must be thrown away with the rest.
    """
    import selectors
    import subprocess
    import sys
    import tempfile

    workdir = tempfile.mkdtemp(prefix="kindstep-health-")
    guess = head_max_day(source)
    targets = split_targets(source.xml_size, n, ZIP_SKIP_COST if source.zip is not None else 0.0)
    if own is not None and n > 1:
        first = min(targets[0][1] + round(OWN_LEAD * source.xml_size),
                    targets[1][1] or source.xml_size)
        targets[0], targets[1] = (None, first), (first, targets[1][1])
    procs: list[subprocess.Popen] = []
    jobs: list[dict] = []
    ok = False
    try:
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        for k, (lo, hi) in enumerate(targets):
            if k == 0 and own is not None:
                continue
            span = (hi if hi is not None else source.xml_size) - (lo or 0)
            count = max(1, files) if not jobs else 1  # only the first helper's are copied early
            dbs = [os.path.join(workdir, f"part{k}-{j}.sqlite3") for j in range(count)]
            job = {"path": str(source.path.resolve()), "xml_name": source.xml_name,
                   "limits": {f: getattr(source.limits, f) for f in source.limits.__slots__},
                   "lo": lo, "hi": hi, "max_day": NO_MAX_DAY if k == 0 else guess,
                   "existing": existing,
                   "dbs": dbs,
                   "file_ends": [span * j // count for j in range(1, count)],
                   "chunk": safety.CHUNK, "batch_size": PART_BATCH,
                   "result": os.path.join(workdir, f"part{k}.json")}
            try:
                proc = subprocess.Popen(
                    [sys.executable, "-c",
                     "from kindstep.importers.apple_health import part_worker; part_worker()"],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                    env=env, cwd=workdir)
            except OSError:
                return None  # no process to be had: one process it is
            procs.append(proc)
            jobs.append(job)
            assert proc.stdin is not None
            try:
                proc.stdin.write(json.dumps(job).encode())
                proc.stdin.close()
            except OSError:
                return None
        # Progress so far: (bytes, items) per process; this one's own part, if any, is last.
        done = [(0, 0)] * (len(procs) + 1)
        finished = [0] * len(procs)  # files each helper has finished so far
        sel = selectors.DefaultSelector()
        for k, proc in enumerate(procs):
            assert proc.stdout is not None
            sel.register(proc.stdout, selectors.EVENT_READ, k)
        open_streams = len(procs)

        def listen(timeout: float | None) -> None:
            nonlocal open_streams, first_done
            for key, _ in sel.select(timeout):
                line = key.fileobj.readline()  # type: ignore[union-attr]
                if not line:
                    sel.unregister(key.fileobj)
                    open_streams -= 1
                    if first_done is not None:
                        first_done()
                        first_done = None
                    continue
                if line.startswith(b"file "):
                    finished[key.data] += 1
                    continue
                try:
                    b, i = line.split()
                    done[key.data] = (int(b), int(i))
                except ValueError:
                    continue
                if progress is not None:
                    progress(sum(d[0] for d in done), source.xml_size, sum(d[1] for d in done))

        own_out = None
        if own is not None:
            def own_progress(b: int, _total: int, i: int) -> None:
                nonlocal first_done
                done[-1] = (b, i)
                if open_streams:
                    listen(0)  # the others' news, without waiting for it
                elif progress is not None:
                    progress(sum(d[0] for d in done), source.xml_size, sum(d[1] for d in done))
                if first_done is not None and sum(d[0] for d in done) >= NEAR_DONE * source.xml_size:
                    first_done()  # the route process starts up while the parts finish
                    first_done = None

            try:
                own_res = parse_export(source, own, progress=own_progress,
                                       part=Part(None, targets[0][1], NO_MAX_DAY))
            except ImportRefused:
                return None  # the whole file in one process gives the true refusal
            own_out = _part_out(own_res)
            if first_done is not None:
                first_done()
                first_done = None
        copied = 0
        while open_streams:
            if on_file is not None and procs and copied < finished[0] and procs[0].poll() is None:
                on_file(jobs[0]["dbs"][copied])
                copied += 1
                listen(0)
                continue
            listen(None)
        sel.close()
        for proc in procs:
            proc.wait()
        outs = [] if own_out is None else [own_out]
        for job in jobs:
            try:
                with open(job["result"], encoding="utf-8") as fp:
                    outs.append(json.load(fp))
            except (OSError, ValueError):
                return None
        if not all(o.get("ok") for o in outs):
            return None
        # The parts fit together only if each started from the state the one before ended in.
        started = ([] if own_out is None else [NO_MAX_DAY]) + [job["max_day"] for job in jobs]
        for k in range(1, len(outs)):
            if outs[k - 1]["max_day"] != started[k]:
                return None
        if outs[0]["encoding"].lower() not in ("", "utf-8", "utf8"):
            return None
        res = ParseResult()
        for o in outs:
            res.records += o["records"]
            res.workouts += o["workouts"]
            res.summaries += o["summaries"]
            res.correlations += o["correlations"]
            res.skipped.update(o["skipped"])
            res.bytes_read += o["bytes_read"]
            res.notes += o["notes"]
            res.export_date = o["export_date"] or res.export_date
            res.max_day = o["max_day"]
            for f, key in o["routes"]:
                res.routes[f] = key
        res.had_dtd = outs[0]["had_dtd"]
        limits = source.limits
        if (res.records + res.workouts + res.summaries + res.correlations > limits.max_items
                or sum(len(o["routes"]) for o in outs) >= limits.max_members):
            return None
        if progress is not None:
            progress(res.bytes_read, source.xml_size, res.items)
        helper_outs = outs[1:] if own_out is not None else outs
        dbs = [db for o in helper_outs for db in o["dbs"]]  # the copied ones first, as given
        ok = True
        return Parts(dbs, res, workdir, sum(o["left_out"] for o in outs), copied)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if not ok:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------------------
# Rows, for callers who want values rather than batches
# ---------------------------------------------------------------------------


def rows(path: str | os.PathLike, limits: Limits = DEFAULT_LIMITS) -> Iterator[RawRow | SessionRow | Skipped]:
    """Every item of the export as a RawRow (plus a SessionRow per usable workout, and Skipped).

    A convenience for small files and tests: it keeps the whole parse's rows
    in memory before yielding. The store's loader streams instead.
    """
    sink = CountingSink()
    sink.keep = []
    with open_export(path, limits) as source:
        try:
            res = parse_export(source, sink)
        except ControlCharacters:
            sink = CountingSink()
            sink.keep = []
            res = parse_export(source, sink, strip_controls=True)
    type_names = {v: k for k, v in sink.types.items()}
    source_names = {v: k[0] for k, v in sink.sources.items()}
    for r in sink.keep or []:
        if r[1] == "C":
            continue
        yield RawRow(
            key=r[0].hex(), kind={"R": "Record", "W": "Workout", "A": "ActivitySummary"}[r[1]],
            type=type_names[r[2]], source=source_names.get(r[3], ""), unit=r[4] or "",
            start=r[6], end=r[7], value=r[8] or "",
            metadata={k: str(v) for k, v in json.loads(r[9]).items()} if r[9] else {},
        )
    for info in sink.workout_infos:
        session = info.session_row()
        if session is not None:
            yield session
    for reason, n in res.skipped.items():
        for _ in range(n):
            yield Skipped(reason)


# ---------------------------------------------------------------------------
# Daily measures from stored records (pure functions over plain tuples)
# ---------------------------------------------------------------------------

STEPS = "HKQuantityTypeIdentifierStepCount"
MINDFUL = "HKCategoryTypeIdentifierMindfulSession"
SLEEP = "HKCategoryTypeIdentifierSleepAnalysis"
ASLEEP = frozenset({
    "HKCategoryValueSleepAnalysisAsleep",
    "HKCategoryValueSleepAnalysisAsleepUnspecified",
    "HKCategoryValueSleepAnalysisAsleepCore",
    "HKCategoryValueSleepAnalysisAsleepDeep",
    "HKCategoryValueSleepAnalysisAsleepREM",
})


def daily_steps(per_source: list[tuple[str, int, float]]) -> list[DailyRow]:
    """Steps per day from ``(day, source_id, summed steps)``: the largest single source counts.

    Phone and watch both count the same steps; Apple de-duplicates by source
    priority, and taking the busiest source per day is the simple, honest
    approximation (never double counting).
    """
    best: dict[str, float] = {}
    for day, _src, total in per_source:
        if total is not None and total > best.get(day, -1):
            best[day] = total
    return [DailyRow(f"steps:{d}", SOURCE, date.fromisoformat(d), "steps", float(round(v)))
            for d, v in sorted(best.items())]


def _union_seconds(intervals: list[tuple[float, float]]) -> float:
    total = 0.0
    cur_s = cur_e = None
    for s, e in sorted(intervals):
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        elif e > cur_e:
            cur_e = e
    if cur_e is not None:
        total += cur_e - cur_s
    return total


def daily_mindful(sessions: Iterable[tuple[str, str]]) -> list[DailyRow]:
    """Mindful minutes per local day from ``(start, end)``; overlaps from two apps count once."""
    by_day: dict[str, list[tuple[float, float]]] = {}
    for s, e in sessions:
        by_day.setdefault(s[:10], []).append((_utc_seconds(s), _utc_seconds(e)))
    return [DailyRow(f"mindful_minutes:{d}", SOURCE, date.fromisoformat(d), "mindful_minutes",
                     round(_union_seconds(iv) / 60, 1)) for d, iv in sorted(by_day.items())]


def daily_sleep(samples: Iterable[tuple[str, str, str]]) -> list[DailyRow]:
    """Hours asleep per night from ``(start, end, value)`` samples of SleepAnalysis.

    Only the asleep stages count (not in bed, not awake). A sample belongs to
    the day its end falls in when shifted 12 hours later — the morning after
    the night (noon-to-noon), which is the day of that morning's check-in.
    Overlapping samples (watch and phone) count once.
    """
    by_day: dict[str, list[tuple[float, float]]] = {}
    for s, e, v in samples:
        if v not in ASLEEP:
            continue
        # (local end + 12 h).date(): the same day before noon, the next one from noon on
        day = e[:10] if e[11:13] < "12" else _next_day(e[:10])
        by_day.setdefault(day, []).append((_utc_seconds(s), _utc_seconds(e)))
    return [DailyRow(f"sleep_hours:{d}", SOURCE, date.fromisoformat(d), "sleep_hours",
                     round(_union_seconds(iv) / 3600, 2)) for d, iv in sorted(by_day.items())]

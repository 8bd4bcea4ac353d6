"""Workout routes (GPX files beside the export): how many points, and how far.

kindstep keeps a route's point count and length, not its points.
:func:`route_summary` reads a route as the Health app writes it with a
pattern over lines expat has checked (:func:`_route_summary_quick`), and
anything it is not sure of element by element (:func:`_route_summary_exact`):
the same answer or refusal either way. Old exports list a workout's points
inline (``Location`` elements); :class:`Track` adds those up the same way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from operator import add, methodcaller, sub
from pathlib import PurePosixPath
from typing import BinaryIO

from kindstep.importers import hardening
from kindstep.importers.hardening import DEFAULT_LIMITS, Limits
from kindstep.importers.rows import ImportRefused


@dataclass(frozen=True, slots=True)
class RouteSummary:
    """What kindstep keeps of a workout route: its file, points and length."""

    path: str
    points: int = 0
    distance_m: float = 0.0
    problem: str = ""
    """Why the route could not be read (the workout still imports)."""


_EARTH_M = 6_371_008.8


class Track:
    """Points of a route in order, counted, and its length added up (haversine), as it goes.

    The one place the arithmetic lives, for every reading of a route (the
    quick one, the exact one and an old export's inline Locations), so they
    give the same metres to the last bit.
    """

    __slots__ = ("_last", "metres", "points")

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
    quick = _route_summary_quick(hardening.read_chunks(fp), name, limits)
    if quick is not None:
        return quick
    fp.seek(at)
    return _route_summary_exact(fp, name, limits)


def route_summary_of(open_route: Callable[[], BinaryIO], name: str = "",
                     limits: Limits = DEFAULT_LIMITS) -> RouteSummary:
    """:func:`route_summary` of a file opened by ``open_route`` (again, should the exact reading
    be needed): for zip members, which cannot seek back."""
    with open_route() as fp:
        quick = _route_summary_quick(hardening.read_chunks(fp), name, limits)
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
    p = hardening.xml_parser(forbid_dtd=True)
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
    track = Track()
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
        hardening.feed_xml(p, regions(), limits=limits, what=what)
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
    Read as :func:`hardening.parse_small_xml` reads (same parser, limits and
    messages), with the depth check folded into one handler: a route has
    eight elements per point, so handler calls are most of its cost.
    """
    track = Track()
    what = f"the route {PurePosixPath(name).name}"
    p = hardening.xml_parser(forbid_dtd=True)
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
    chunks = [fp] if isinstance(fp, bytes) else hardening.read_chunks(fp)
    hardening.feed_xml(p, chunks, limits=limits, what=what)
    return RouteSummary(name, track.points, round(track.metres, 1))

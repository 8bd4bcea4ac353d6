"""The XML handler: what each element of an export becomes, as pyexpat meets it.

:class:`ExportHandler` holds the state of one parse (which element is open,
the rows made so far, the type and source ids met) and its two callbacks,
:meth:`ExportHandler.start` and :meth:`ExportHandler.end`, which pyexpat
calls for every element. No tree is built: every ``Record``, ``Workout``,
``ActivitySummary`` and ``Correlation`` becomes one *raw row*, a list
``[key, kind, type_id, source_id, unit, creation_date, start_date,
end_date, value, metadata_json]``:

- ``key`` is the natural key, 16 bytes of BLAKE2b over the kind, type,
  source name, unit, start, end and value joined by U+001F (an
  ActivitySummary: its day and all its figures), so the same item in a
  newer export has the same key. Databases already hold keys made so:
  they must stay byte for byte what they are (tests pin them).
- ``metadata_json`` is None or a JSON object: ``MetadataEntry`` keys and
  values; extra attributes as ``"@name"``; HRV beats as
  ``"HeartRateVariabilityMetadataList": [[bpm, time], ...]``; for a workout
  also ``events``, ``statistics``, ``routes`` and ``activities``.
- ``Record``\\s nested in a ``Correlation`` are skipped (Apple repeats them
  at top level) and counted as skipped; items with unusable dates or values
  are skipped with a reason (the ``SKIP_*`` texts), never silently.
- Workout totals come from ``WorkoutStatistics`` (iOS 16+), with the legacy
  ``totalDistance``/``totalEnergyBurned`` attributes as the fallback; each
  workout also yields a :class:`WorkoutInfo` for its movement session.
- The device string's memory address (``<<HKDevice: 0x2838e9750>, ``) is
  dropped: it differs on every record and means nothing once exported.

The Record branch of :meth:`ExportHandler.start` runs a million times in a
large export, so it reads the usual attribute order by position, checks
the common case of dates inline and hashes the shared head of a key once
per type, source and unit; everything rarer goes through plain methods.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date
from hashlib import blake2b
from typing import TYPE_CHECKING

from kindstep.importers.apple_health.dates import (
    DATE_RE,
    TWO_DATES_SAME_OFFSET,
    export_max_day,
    parse_time,
    utc_seconds,
    valid_day,
)
from kindstep.importers.apple_health.record_types import (
    ACTIVE_ENERGY,
    DISTANCE_TYPES,
    SOURCE,
    activity_for,
    to_kcal,
    to_metres,
    to_minutes,
)
from kindstep.importers.apple_health.routes import Track
from kindstep.importers.rows import ImportRefused, SessionRow

if TYPE_CHECKING:
    from xml.parsers.expat import XMLParserType

    from kindstep.importers.apple_health.parse import ParseResult, Sink


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


def norm_device(dev: str) -> str:
    """A device string without its memory address (``<<HKDevice: 0x…>, ``), cut to MAX_NAME."""
    if dev.startswith("<<HKDevice: 0x"):
        i = dev.find(">, ", 14)
        if i > 0:
            return dev[i + 3 : -1] if dev.endswith(">") else dev[i + 3 :]
    return dev[:MAX_NAME]


def key_of(*parts: str | None) -> bytes:
    """The natural key of an item from its parts (None as empty), joined by U+001F."""
    return blake2b("\x1f".join([p or "" for p in parts]).encode("utf-8", "surrogatepass"),
                   digest_size=16).digest()


def workout_totals(statistics: list[dict[str, str]],
                   attrs: dict[str, str]) -> tuple[float | None, float | None]:
    """Distance (m) and active energy (kcal): WorkoutStatistics first, legacy attributes second."""
    distance = energy = None
    for st in statistics:
        t = st.get("type", "")
        if distance is None and t in DISTANCE_TYPES:
            distance = to_metres(st.get("sum"), st.get("unit"))
        elif energy is None and t == ACTIVE_ENERGY:
            energy = to_kcal(st.get("sum"), st.get("unit"))
    if distance is None:
        distance = to_metres(attrs.get("totalDistance"), attrs.get("totalDistanceUnit"))
    if energy is None:
        energy = to_kcal(attrs.get("totalEnergyBurned"), attrs.get("totalEnergyBurnedUnit"))
    if distance == 0.0:
        distance = None  # indoor workouts write totalDistance="0"
    return distance, energy


def _misplaced(what: str, parser: XMLParserType) -> ImportRefused:
    return ImportRefused(
        f"A {what} sits inside another element where exports never put one.",
        f"line {parser.CurrentLineNumber}, column {parser.CurrentColumnNumber}",
    )


class ExportHandler:
    """The state of one parse and the pyexpat callbacks that move it on.

    Set as a parser's ``StartElementHandler`` and ``EndElementHandler`` with
    ``ordered_attributes`` on: ``attrs`` is then ``[name, value, name,
    value, ...]``. Rows pile up in :attr:`rows` and workouts in
    :attr:`workouts`; the caller hands them to the sink between chunks
    (:meth:`flush`). Type and source ids come from the sink, once each.
    """

    __slots__ = (
        "corr", "corr_meta", "depth", "dumps", "dumps_sorted", "good_days", "in_corr_record",
        "key_hash", "key_heads", "max_day", "max_depth", "max_routes", "meta", "n_correlations",
        "n_records", "n_summaries", "n_workouts", "parser", "raw_sources", "record", "result",
        "rows", "sink", "skipped", "sources", "types", "wo_activity", "wo_route", "workout",
        "workouts",
    )

    def __init__(self, sink: Sink, parser: XMLParserType, result: ParseResult, *,
                 max_depth: int, max_routes: int, max_day: str):
        self.sink = sink
        self.parser = parser
        self.result = result
        self.skipped = result.skipped
        self.max_depth = max_depth
        self.max_routes = max_routes
        self.max_day = max_day
        """The last day a date may fall on (the export date + 2 days, once it is read)."""
        self.good_days: dict[str, bool] = {}
        self.raw_sources: dict[tuple[str, str, str], int] = {}
        """(name, version, device as written) -> source id, for the first 4,096 met."""
        self.types: dict[str, int] = {}
        self.sources: dict[tuple[str, str, str], int] = {}
        self.key_hash = blake2b(digest_size=16)
        self.key_heads: dict[tuple[str, str, str | None], object] = {}
        """(type, source, unit) -> the key's hash of those, to be copied and finished per record."""
        # One encoder each, made once (see json_encoder): a record's few metadata entries
        # cost less to encode than an encoder costs to set up.
        self.dumps = json_encoder(ensure_ascii=False)
        self.dumps_sorted = json_encoder(ensure_ascii=False, sort_keys=True)
        self.rows: list[list] = []
        self.workouts: list[WorkoutInfo] = []
        self.depth = 0
        self.n_records = self.n_workouts = self.n_summaries = self.n_correlations = 0
        self.record: list | None = None
        """The raw row whose children (metadata, HRV beats) are being read."""
        self.meta: dict | None = None
        self.corr: list | None = None
        """An open Correlation's row ([] when it is skipped)."""
        self.corr_meta: dict | None = None
        self.in_corr_record = False
        self.workout: dict | None = None
        """An open Workout: its attributes and children so far."""
        self.wo_route: dict | None = None
        self.wo_activity: dict | None = None

    @property
    def items(self) -> int:
        """Records, Workouts, ActivitySummaries and Correlations met so far."""
        return self.n_records + self.n_workouts + self.n_summaries + self.n_correlations

    def flush(self, *, all_rows: bool = False) -> None:
        """Hand the rows and workouts made so far to the sink.

        A Record whose children are still to come stays for the next batch
        (its metadata is filled in when it closes), unless ``all_rows``.
        """
        rows = self.rows
        held = None
        if not all_rows and self.record is not None and rows and rows[-1] is self.record:
            held = rows.pop()
        if rows:
            self.sink.records(rows[:])
            rows.clear()
        if held is not None:
            rows.append(held)
        if self.workouts:
            self.sink.workouts(self.workouts[:])
            self.workouts.clear()

    # -- ids --------------------------------------------------------------------------

    def type_id(self, t: str) -> int:
        i = self.types.get(t)
        if i is None:
            i = self.types[t] = self.sink.type_id(t[:MAX_NAME])
        return i

    def source_id(self, sn: str, sv: str, dev: str) -> int:
        if dev:
            dev = norm_device(dev)
        k = (sn, sv, dev)
        i = self.sources.get(k)
        if i is None:
            i = self.sources[k] = self.sink.source_id(sn[:MAX_NAME], sv[:MAX_NAME], dev)
        return i

    # -- dates --------------------------------------------------------------------------

    def day_ok(self, d: str) -> bool:
        """Whether day ``d`` is real and between 1900 and the export's last allowed day."""
        ok = self.good_days.get(d)
        if ok is None:
            try:
                date.fromisoformat(d)
                ok = "1900-01-01" <= d <= self.max_day
            except ValueError:
                ok = False
            self.good_days[d] = ok
        return ok

    def check_dates(self, s: str | None, e: str | None) -> str | None:
        """Why these dates are unusable (a ``SKIP_*`` reason), or None."""
        if not s or not e:
            return SKIP_MISSING
        m1 = DATE_RE.fullmatch(s)
        m2 = m1 if e == s else DATE_RE.fullmatch(e)
        if m1 is None or m2 is None:
            return SKIP_DATE
        if not (self.day_ok(s[:10]) and (e[:10] == s[:10] or self.day_ok(e[:10]))):
            return SKIP_RANGE if valid_day(m1.group(1)) and valid_day(m2.group(1)) else SKIP_DATE
        if s[20:] == e[20:]:
            if e < s:
                return SKIP_ORDER
        elif utc_seconds(e) < utc_seconds(s):
            return SKIP_ORDER
        return None

    # -- the callbacks ----------------------------------------------------------------------

    def start(self, name: str, attrs: list[str]) -> None:
        """An element opens. A usual Record is read by position, with no dict built."""
        depth = self.depth = self.depth + 1
        if depth > self.max_depth:
            raise ImportRefused(
                f"Elements are nested deeper than {self.max_depth} levels; real exports never are.",
                f"line {self.parser.CurrentLineNumber}",
            )
        if name == "Record":
            self.n_records += 1
            if self.corr is not None:
                self.skipped[SKIP_NESTED] += 1
                self.in_corr_record = True
                return
            if self.record is not None or self.workout is not None:
                raise _misplaced("Record", self.parser)
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
            good_days = self.good_days
            if not (t and s and e and good_days.get(s[:10]) and good_days.get(e[:10])
                    and TWO_DATES_SAME_OFFSET.fullmatch(s + "|" + e) and s <= e):
                why = SKIP_MISSING if not t else self.check_dates(s, e)
                if why is not None:
                    self.skipped[why] += 1
                    return
            if v is not None and t.startswith("HKQuantityTypeIdentifier"):
                try:
                    x = float(v)
                except ValueError:
                    x = math.nan
                if x - x != 0.0:  # NaN or infinite
                    self.skipped[SKIP_VALUE] += 1
                    return
            sk = (sn, sv, dev)
            sid = self.raw_sources.get(sk)
            if sid is None:
                if dev:  # norm_device, inlined: the device's memory address differs per record
                    if dev[:14] == "<<HKDevice: 0x" and (i := dev.find(">, ", 14)) > 0:
                        dev = dev[i + 3 : -1] if dev[-1] == ">" else dev[i + 3 :]
                    else:
                        dev = dev[:MAX_NAME]
                sources = self.sources
                sid = sources.get((sn, sv, dev))
                if sid is None:
                    sid = sources[(sn, sv, dev)] = self.sink.source_id(sn[:MAX_NAME], sv[:MAX_NAME], dev)
                if len(self.raw_sources) < 4096:  # device strings may differ per record: stay bounded
                    self.raw_sources[sk] = sid
            tid = self.types.get(t)
            if tid is None:
                tid = self.type_id(t)
            # key_of("R", t, sn, unit, s, e, v), inlined: this runs once per record. The hash
            # of the part records of one type, source and unit share is made once and copied.
            h = self.key_heads.get((t, sn, unit))
            if h is None:
                h = self.key_hash.copy()
                h.update(f"R\x1f{t}\x1f{sn}\x1f{unit or ''}\x1f".encode("utf-8", "surrogatepass"))
                if len(self.key_heads) < 4096:
                    self.key_heads[(t, sn, unit)] = h
            h = h.copy()
            h.update(f"{s}\x1f{e}\x1f{v or ''}".encode("utf-8", "surrogatepass"))
            row = [h.digest(), "R", tid, sid, unit, created, s, e, v, None]
            self.rows.append(row)
            self.record = row
            self.meta = {"@" + k: x for k, x in extra.items()} if extra else None
        elif name == "MetadataEntry":  # onto the open Record, workout part or Correlation
            if attrs[::2] == ["key", "value"]:
                mk, mv = attrs[1], attrs[3]
            else:
                a = dict(zip(attrs[::2], attrs[1::2], strict=False))
                mk, mv = a.get("key", ""), a.get("value", "")
            if self.record is not None:
                if self.meta is None:
                    self.meta = {}
                self.meta[mk] = mv
            elif self.workout is not None:
                target = self.wo_route if self.wo_route is not None else (
                    self.wo_activity if self.wo_activity is not None else self.workout)
                target["metadata"][mk] = mv
            elif self.corr is not None and not self.in_corr_record:
                if self.corr_meta is None:
                    self.corr_meta = {}
                self.corr_meta[mk] = mv
        elif name == "InstantaneousBeatsPerMinute":
            if self.record is not None:
                a = dict(zip(attrs[::2], attrs[1::2], strict=False))
                if self.meta is None:
                    self.meta = {}
                self.meta.setdefault("HeartRateVariabilityMetadataList", []).append(
                    [a.get("bpm", ""), a.get("time", "")]
                )
        else:
            self._other(name, dict(zip(attrs[::2], attrs[1::2], strict=False)))

    def end(self, name: str) -> None:
        """An element closes: a Record's metadata is written, a Workout or Correlation finished."""
        self.depth -= 1
        if name == "Record":
            if self.in_corr_record:
                self.in_corr_record = False
            elif self.record is not None:
                if self.meta:
                    self.record[9] = self.dumps(self.meta)
                self.record = None
                self.meta = None
        elif name == "Workout" and self.workout is not None:
            self._finish_workout(self.workout)
            self.workout = None
        elif name == "WorkoutRoute" and self.workout is not None and self.wo_route is not None:
            self.workout["routes"].append(self.wo_route)
            self.wo_route = None
        elif name == "WorkoutActivity" and self.workout is not None and self.wo_activity is not None:
            self.workout["activities"].append(self.wo_activity)
            self.wo_activity = None
        elif name == "Correlation" and self.corr is not None:
            corr = self.corr
            if corr:
                if self.corr_meta:
                    corr[9] = self.dumps(self.corr_meta)
                self.rows.append(corr)
            self.corr = None
            self.corr_meta = None

    # -- the rarer elements ----------------------------------------------------------------

    def _other(self, name: str, a: dict[str, str]) -> None:
        """Every element but Record, MetadataEntry and InstantaneousBeatsPerMinute."""
        wo = self.workout
        if name == "Workout":
            if wo is not None or self.record is not None or self.corr is not None:
                raise _misplaced("Workout", self.parser)
            self.workout = {"attrs": a, "metadata": {}, "events": [], "statistics": [], "routes": [],
                            "activities": [], "files": [], "track": Track()}
        elif wo is not None:
            if name == "WorkoutEvent":
                wo["events"].append(a)
            elif name == "WorkoutStatistics":
                (self.wo_activity if self.wo_activity is not None else wo)["statistics"].append(a)
            elif name == "WorkoutRoute":
                self.wo_route = {"attrs": a, "metadata": {}, "files": []}
            elif name == "FileReference":
                path = a.get("path", "")
                if self.wo_route is not None:
                    self.wo_route["files"].append(path)
                wo["files"].append(path)
            elif name == "Location":
                wo["track"].add(a.get("latitude"), a.get("longitude"))  # old exports, inline
            elif name == "WorkoutActivity":
                self.wo_activity = {"attrs": a, "metadata": {}, "statistics": []}
        elif name == "ActivitySummary":
            self._summary(a)
        elif name == "Correlation":
            self.n_correlations += 1
            if self.corr is not None or self.record is not None:
                raise _misplaced("Correlation", self.parser)
            self._correlation(a)
        elif name == "ExportDate":
            value = a.get("value", "")
            if DATE_RE.fullmatch(value) and valid_day(value[:10]):
                self.max_day = export_max_day(value)
                self.good_days.clear()
                self.result.export_date = value

    def _summary(self, a: dict[str, str]) -> None:
        """An ActivitySummary: one row per day, keyed by its day and all its figures."""
        self.n_summaries += 1
        d = a.pop("dateComponents", "")
        if not (len(d) == 10 and valid_day(d)):
            self.skipped[SKIP_DATE] += 1
            return
        if not self.day_ok(d):
            self.skipped[SKIP_RANGE] += 1
            return
        body = self.dumps_sorted(a) if a else None
        self.rows.append([key_of("A", d, body), "A", self.type_id("ActivitySummary"), None, None,
                          None, d, d, None, body])

    def _correlation(self, a: dict[str, str]) -> None:
        """A Correlation opens: its row is kept; its nested Records are skipped (see end)."""
        pop = a.pop
        t = pop("type", None)
        s = pop("startDate", None)
        e = pop("endDate", None)
        if not t or self.check_dates(s, e) is not None:
            self.corr = []  # still swallow its nested records, but keep nothing
            self.corr_meta = None
            return
        sn = pop("sourceName", "")
        self.corr = [key_of("C", t, sn, None, s, e, None), "C", self.type_id(t),
                     self.source_id(sn, pop("sourceVersion", ""), pop("device", "")), None,
                     pop("creationDate", None), s, e, None, None]
        self.corr_meta = {"@" + k: x for k, x in a.items()} if a else None

    def _finish_workout(self, w: dict) -> None:
        """A Workout closed: its raw row (children in its metadata) and its WorkoutInfo."""
        self.n_workouts += 1
        a = w["attrs"]
        pop = a.pop
        t = pop("workoutActivityType", None)
        s = pop("startDate", None)
        e = pop("endDate", None)
        why = SKIP_MISSING if not t else self.check_dates(s, e)
        if why is not None:
            self.skipped[why] += 1
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
        self.rows.append([key, "W", self.type_id(t),
                          self.source_id(sn, a.pop("sourceVersion", ""), a.pop("device", "")), dunit,
                          a.pop("creationDate", None), s, e, duration,
                          self.dumps(body) if body else None])
        minutes = to_minutes(duration, dunit)
        if minutes is None:
            minutes = (utc_seconds(e) - utc_seconds(s)) / 60
        distance, energy = workout_totals(w["statistics"], a)
        files = tuple(f for f in w["files"] if f)
        routes = self.result.routes
        for f in files[:1]:
            if len(routes) < self.max_routes:
                routes[f] = key.hex()
        self.workouts.append(WorkoutInfo(key, t, sn, s, e, minutes, distance, energy, files,
                                         track.points, round(track.metres, 1)))

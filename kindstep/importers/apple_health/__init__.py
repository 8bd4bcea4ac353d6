"""Apple Health exports (``export.zip`` or a bare ``export.xml``): stream them into rows.

Parse only, no Django, no database: the store (``kindstep.store.health_import``)
decides what is written and reads what is stored. An export is read once with
pyexpat callbacks that build plain lists (never a tree), in constant memory,
and handed in large batches to a *sink* — the store's loader or, for a dry
look, :class:`CountingSink`. :func:`rows` offers the same data as
:mod:`kindstep.importers.rows` values, for small files.

The modules, in the order a reader meets them:

- :mod:`.source` — opening an export: the zip read in place, the XML found
  by its content, the route files beside it.
- :mod:`.parse` — :func:`parse_export`: feeding the XML to pyexpat (the DTD
  cut out, limits, control characters, a truncated file is an error).
- :mod:`.handler` — :class:`~.handler.ExportHandler`, what each element
  becomes: raw rows with their natural keys, skipped items with a reason,
  a :class:`WorkoutInfo` per workout.
- :mod:`.record_types` — Apple's type names and units: workout activity
  types mapped onto the catalogue, the types the daily sums read.
- :mod:`.dates` — Apple's ``2024-01-02 07:08:09 +0100`` dates.
- :mod:`.routes` — GPX workout routes: points and length.
- :mod:`.daily` — steps, mindful minutes and hours asleep per day.
- :mod:`.sqlite_rows` — writing raw rows to SQLite quickly (store and parts).
- :mod:`.parallel` — the multi-process path, behind :func:`parse_in_parts`
  and :class:`RouteProcess` (with :mod:`.byte_ranges` and
  :mod:`.part_files`). A reader can skip it: it gives exactly what one
  process gives, sooner.

How exports look and where real ones go wrong (the broken iOS 16 DTD,
vertical tabs, truncated files) is described where each is handled; the
format's own reference is Apple's HealthKit documentation.
"""

from __future__ import annotations

from kindstep.importers.apple_health.daily import daily_mindful, daily_sleep, daily_steps
from kindstep.importers.apple_health.dates import parse_time
from kindstep.importers.apple_health.handler import (
    SKIP_DATE,
    SKIP_MISSING,
    SKIP_NESTED,
    SKIP_ORDER,
    SKIP_RANGE,
    SKIP_VALUE,
    WorkoutInfo,
)
from kindstep.importers.apple_health.parallel import Parallel, Parts, RouteProcess, parse_in_parts
from kindstep.importers.apple_health.parse import (
    ControlCharacters,
    CountingSink,
    ParseResult,
    Sink,
    parse_export,
    rows,
)
from kindstep.importers.apple_health.record_types import (
    ASLEEP,
    FALLBACK_ACTIVITY,
    FORMAT,
    MINDFUL,
    SLEEP,
    SOURCE,
    STEPS,
    WORKOUT_ACTIVITIES,
    activity_for,
)
from kindstep.importers.apple_health.routes import RouteSummary, route_summary, route_summary_of
from kindstep.importers.apple_health.source import ExportSource, open_export
from kindstep.importers.hardening import DEFAULT_LIMITS, Limits

__all__ = [
    "ASLEEP", "DEFAULT_LIMITS", "FALLBACK_ACTIVITY", "FORMAT", "MINDFUL", "SKIP_DATE", "SKIP_MISSING",
    "SKIP_NESTED", "SKIP_ORDER", "SKIP_RANGE", "SKIP_VALUE", "SLEEP", "SOURCE", "STEPS",
    "WORKOUT_ACTIVITIES", "ControlCharacters", "CountingSink", "ExportSource", "Limits", "Parallel",
    "ParseResult", "Parts", "RouteProcess", "RouteSummary", "Sink", "WorkoutInfo", "activity_for",
    "daily_mindful", "daily_sleep", "daily_steps", "open_export", "parse_export", "parse_in_parts",
    "parse_time", "route_summary", "route_summary_of", "rows",
]

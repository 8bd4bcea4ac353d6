"""Daily sums from stored records: steps, mindful minutes and hours asleep per day.

Pure functions over plain tuples (the store reads the records and writes
the sums): each takes what one query returns and gives ``DailyRow``\\s.
Phone and watch often record the same minutes; none of these counts them
twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from kindstep.importers.apple_health.dates import next_day, utc_seconds
from kindstep.importers.apple_health.record_types import ASLEEP, SOURCE
from kindstep.importers.rows import DailyRow


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
        by_day.setdefault(s[:10], []).append((utc_seconds(s), utc_seconds(e)))
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
        day = e[:10] if e[11:13] < "12" else next_day(e[:10])
        by_day.setdefault(day, []).append((utc_seconds(s), utc_seconds(e)))
    return [DailyRow(f"sleep_hours:{d}", SOURCE, date.fromisoformat(d), "sleep_hours",
                     round(_union_seconds(iv) / 3600, 2)) for d, iv in sorted(by_day.items())]

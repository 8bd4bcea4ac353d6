"""How long every insight takes for ten years of daily data, in-process.

Run: .venv/bin/python bench/insights.py [--runs 15] [--seed 1]

Builds a synthetic record of 3,650 days (a check-in most days, movement on
about half of them with a mood before and after, a few rest days, and a
PHQ-9 and GAD-7 every four weeks), then times ``core.insights.insights`` on
it, the whole computation including the 1,000-resample block bootstrap.
Prints the median (and min/max) of ``--runs`` timed runs after one warm-up
run. Target: under 200 ms. No database: this measures the statistics, which
is where the time goes (the store's read of ten years is timed by
bench/web_render.py's history pages).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kindstep.core import scales  # noqa: E402
from kindstep.core.insights import insights  # noqa: E402
from kindstep.core.values import CheckIn, History, RestDay, Session  # noqa: E402

DAYS = 3650
TARGET_MS = 200.0


def record(seed: int, today: date) -> tuple[History, list]:
    """Ten years of days with a planted lift of 1 point on days with movement."""
    rng = random.Random(seed)
    start = today - timedelta(days=DAYS - 1)
    sessions, checkins, rests = [], [], []
    mood = 5.0
    for i in range(DAYS):
        day = start + timedelta(days=i)
        moved = rng.random() < 0.5
        mood = 0.6 * mood + 0.4 * 5 + rng.gauss(0, 1)  # carry-over from day to day
        if moved:
            for activity, minutes in ((rng.choice(("walk", "yoga_gentle", "cycle")),
                                       rng.choice((5, 12, 20, 35))),):
                before = max(0, min(10, round(mood)))
                sessions.append(Session(day, activity, minutes, 3.0, mood_before=before,
                                        mood_after=min(10, before + rng.choice((0, 1, 1, 2)))))
        elif rng.random() < 0.1:
            rests.append(RestDay(day))
        if rng.random() < 0.9:
            today_mood = max(0, min(10, round(mood + (1 if moved else 0))))
            checkins.append(CheckIn(day, 5, today_mood, 4))
    results: list = []
    previous: dict[str, list] = {"phq9": [], "gad7": []}
    for _ in range(0, DAYS, 28):
        for code, n in (("phq9", 9), ("gad7", 7)):
            answers = [rng.randint(0, 2) for _ in range(n)]
            if code == "phq9":
                answers[8] = 0
            r = scales.score(code, answers, previous=previous[code])
            previous[code].append(r)
            results.append(r)
    return History(tuple(sessions), tuple(rests), tuple(checkins)), results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    today = date(2026, 11, 25)
    history, results = record(args.seed, today)
    insights(history, today=today, questionnaires=results)  # warm-up: imports, caches
    times = []
    for _ in range(args.runs):
        began = time.perf_counter()
        result = insights(history, today=today, questionnaires=results)
        times.append((time.perf_counter() - began) * 1000)
    median = statistics.median(times)
    print(f"{len(history.sessions)} sessions, {len(history.checkins)} check-ins, "
          f"{len(history.rest_days)} rest days, {len(results)} questionnaires over {DAYS} days")
    print(f"all insights: median {median:.1f} ms (min {min(times):.1f}, max {max(times):.1f}) "
          f"over {args.runs} runs; target {TARGET_MS:.0f} ms: "
          f"{'met' if median < TARGET_MS else 'not met'}")
    print(f"same-day estimate {result.active_vs_rest.estimate:+.2f} "
          f"(interval {result.active_vs_rest.ci[0]:+.2f} to {result.active_vs_rest.ci[1]:+.2f}; "
          "planted lift +1)")


if __name__ == "__main__":
    main()

"""Tests for kindstep.core.experiments: schedules, kind validation, and honest analysis."""

from __future__ import annotations

import doctest
import itertools
import json
import math
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from kindstep.core import experiments as experiments_module
from kindstep.core.experiments import (
    TEMPLATES,
    ExperimentError,
    Protocol,
    assignment_for,
    export,
    from_template,
    result,
    schedule,
    today_line,
)
from tests.words import unkind

MONDAY = date(2026, 1, 5)


def protocol(**changes) -> Protocol:
    values = dict(
        question="Does a 10-minute morning walk change my evening mood?",
        intervention="a 10-minute walk before midday",
        outcome="evening mood, 0-10",
        start=MONDAY,
        seed=11,
        weeks=4,
        design="random_days",
    )
    values.update(changes)
    return Protocol(**values)


def ar1(n: int, rng: np.random.Generator, phi: float = 0.5) -> np.ndarray:
    u = np.zeros(n)
    u[0] = rng.normal(0, 1 / math.sqrt(1 - phi**2))
    for t in range(1, n):
        u[t] = phi * u[t - 1] + rng.normal()
    return u


def ratings(p: Protocol, values, skip=()) -> dict[date, float]:
    return {p.start + timedelta(i): float(v) for i, v in enumerate(values) if i not in skip}


# ---------------------------------------------------------------------------
# Schedules


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32), weeks=st.integers(2, 8))
def test_random_days_puts_3_or_4_b_days_in_every_week_alternating(seed, weeks):
    plan = schedule(protocol(seed=seed, weeks=weeks))
    assert len(plan) == 7 * weeks
    assert [a.day for a in plan] == [MONDAY + timedelta(i) for i in range(7 * weeks)]
    per_week = [sum(a.condition == "B" for a in plan[7 * w: 7 * w + 7]) for w in range(weeks)]
    assert set(per_week) <= {3, 4}
    assert all(a != b for a, b in itertools.pairwise(per_week))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), pairs=st.integers(1, 4))
def test_abab_gives_each_pair_of_weeks_one_a_week_and_one_b_week(seed, pairs):
    plan = schedule(protocol(seed=seed, weeks=2 * pairs, design="abab"))
    weeks = ["".join(a.condition for a in plan[7 * w: 7 * w + 7]) for w in range(2 * pairs)]
    assert all(w in ("AAAAAAA", "BBBBBBB") for w in weeks)
    assert all({weeks[2 * i], weeks[2 * i + 1]} == {"AAAAAAA", "BBBBBBB"} for i in range(pairs))


def test_the_same_seed_gives_the_same_schedule_and_seeds_differ():
    assert schedule(protocol(seed=4)) == schedule(protocol(seed=4))
    distinct = {tuple(a.condition for a in schedule(protocol(seed=s))) for s in range(20)}
    assert len(distinct) > 15


def test_assignment_for_matches_the_schedule_and_is_none_outside_it():
    p = protocol()
    for a in schedule(p):
        assert assignment_for(p, a.day) == a
    assert assignment_for(p, MONDAY - timedelta(1)) is None
    assert assignment_for(p, p.end + timedelta(1)) is None


def test_today_line_says_what_to_do_kindly():
    p = protocol()
    for a in schedule(p)[:7]:
        line = today_line(p, a.day)
        assert line.startswith(f"Self-experiment, day {(a.day - MONDAY).days + 1} of 28")
        assert ("walk before midday" in line) == (a.condition == "B")
        assert "Skipping any day is fine" in line and not unkind(line)
    assert today_line(p, p.end + timedelta(1)) is None


def test_every_template_makes_a_valid_protocol():
    for t in TEMPLATES:
        p = from_template(t.code, start=MONDAY, seed=1)
        assert p.question == t.question and p.weeks == 4
    with pytest.raises(ExperimentError, match="no template called 'nope'"):
        from_template("nope", start=MONDAY, seed=1)


# ---------------------------------------------------------------------------
# Validation


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weeks": 1}, "between 2 and 8 weeks"),
        ({"weeks": 9}, "between 2 and 8 weeks"),
        ({"weeks": True}, "whole number of weeks"),
        ({"weeks": 2.5}, "whole number of weeks"),
        ({"design": "crossover"}, "'random_days' or 'abab'"),
        ({"design": "abab", "weeks": 3}, "pairs of weeks"),
        ({"question": "  "}, "question a few words"),
        ({"outcome": ""}, "outcome a few words"),
        ({"intervention": "x" * 400}, "under 300 characters"),
        ({"start": datetime(2026, 1, 5, 9)}, "start must be a date"),
        ({"start": "2026-01-05"}, "start must be a date"),
        ({"seed": -1}, "seed"),
    ],
)
def test_a_protocol_it_cannot_use_gets_a_kind_one_line_error(changes, message):
    with pytest.raises(ExperimentError, match=message) as caught:
        protocol(**changes)
    assert isinstance(caught.value, ValueError)
    assert "\n" not in str(caught.value) and not unkind(str(caught.value))


@pytest.mark.parametrize(
    ("outcomes", "message"),
    [
        ({MONDAY: 11}, "between 0 and 10"),
        ({MONDAY: -1}, "between 0 and 10"),
        ({MONDAY: float("nan")}, "a number from 0 to 10"),
        ({MONDAY: True}, "a number from 0 to 10"),
        ({MONDAY: "7"}, "a number from 0 to 10"),
        ({MONDAY - timedelta(1): 5}, "outside this experiment"),
        ({MONDAY + timedelta(10): 5}, "after today"),
        ({"2026-01-05": 5}, "not a date"),
    ],
)
def test_a_rating_it_cannot_use_gets_a_kind_error(outcomes, message):
    with pytest.raises(ExperimentError, match=message):
        result(protocol(), outcomes, today=MONDAY + timedelta(5))


def test_a_stop_day_must_lie_between_the_start_and_today():
    with pytest.raises(ExperimentError, match="after today"):
        result(protocol(), {}, today=MONDAY, stopped_on=MONDAY + timedelta(1))
    with pytest.raises(ExperimentError, match="before the experiment starts"):
        result(protocol(), {}, today=MONDAY + timedelta(3), stopped_on=MONDAY - timedelta(1))


# ---------------------------------------------------------------------------
# Estimators against independent references


def test_random_days_estimate_and_interval_match_scipys_welch_test():
    p = protocol(seed=3)
    rng = np.random.default_rng(8)
    values = np.clip(np.round(5 + rng.normal(0, 1.5, 28)), 0, 10)
    out = ratings(p, values, skip={2, 9, 17})
    r = result(p, out, today=p.end)
    b = [v for d, v in out.items() if assignment_for(p, d).condition == "B"]
    a = [v for d, v in out.items() if assignment_for(p, d).condition == "A"]
    reference = stats.ttest_ind(b, a, equal_var=False)
    assert (r.n_b, r.n_a) == (len(b), len(a))
    assert r.estimate == pytest.approx(np.mean(b) - np.mean(a))
    ci = reference.confidence_interval(0.95)
    assert r.ci == pytest.approx((ci.low, ci.high))


def test_random_days_p_value_matches_re_randomising_with_the_schedule_itself():
    """Independent reference: re-draw whole schedules through ``schedule()`` with fresh seeds."""
    p = protocol(seed=21)
    rng = np.random.default_rng(2)
    values = 5 + ar1(28, rng) + 1.0 * np.array([a.condition == "B" for a in schedule(p)])
    out = ratings(p, np.clip(values, 0, 10))
    r = result(p, out, today=p.end)
    y = np.array([out[p.start + timedelta(i)] for i in range(28)])
    observed = abs(r.estimate)
    extreme = 0
    draws = 3000
    for seed in range(10_000, 10_000 + draws):
        is_b = np.array([a.condition == "B" for a in schedule(protocol(seed=seed))])
        extreme += abs(y[is_b].mean() - y[~is_b].mean()) >= observed - 1e-9
    reference = (1 + extreme) / (1 + draws)
    assert r.p_value == pytest.approx(reference, abs=0.02)


def test_abab_estimate_interval_and_exact_p_value_match_a_brute_force_reference():
    p = protocol(design="abab", weeks=8, seed=5)
    rng = np.random.default_rng(4)
    values = np.clip(5 + ar1(56, rng), 0, 10)
    out = ratings(p, values, skip={3, 30})
    r = result(p, out, today=p.end)
    plan = [a.condition for a in schedule(p)]
    y = {i: out[p.start + timedelta(i)] for i in range(56) if p.start + timedelta(i) in out}

    def week_mean(w):
        return np.mean([y[i] for i in range(7 * w, 7 * w + 7) if i in y])

    def pair_diffs(orders):
        return [
            (week_mean(2 * k + 1) - week_mean(2 * k)) * (1 if order == "AB" else -1)
            for k, order in enumerate(orders)
        ]

    actual = ["AB" if plan[14 * k] == "A" else "BA" for k in range(4)]
    diffs = pair_diffs(actual)
    assert r.estimate == pytest.approx(np.mean(diffs))
    ci = stats.ttest_1samp(diffs, 0.0).confidence_interval(0.95)
    assert r.ci == pytest.approx((ci.low, ci.high))
    every = [abs(np.mean(pair_diffs(o))) for o in itertools.product(("AB", "BA"), repeat=4)]
    assert r.p_value == pytest.approx(np.mean([s >= abs(r.estimate) - 1e-9 for s in every]))
    assert r.min_p_value == pytest.approx(2 / 16)
    assert "smallest possible p-value is 0.125" in r.plain


# ---------------------------------------------------------------------------
# Calibration on synthetic data with AR(1) ratings

RUNS = 200


def _runs(lift: float, design: str = "random_days", weeks: int = 4):
    for run in range(RUNS):
        p = protocol(seed=run, design=design, weeks=weeks)
        rng = np.random.default_rng(50_000 + run)
        is_b = np.array([a.condition == "B" for a in schedule(p)])
        values = np.clip(5 + 1.2 * ar1(7 * weeks, rng) + lift * is_b, 0, 10)
        skip = {i for i in range(7 * weeks) if rng.random() < 0.1}
        yield result(p, ratings(p, values, skip), today=p.end)


def test_on_null_data_randomisation_p_values_are_roughly_uniform():
    results = list(_runs(0.0))
    p_values = np.array([r.p_value for r in results])
    assert stats.kstest(p_values, "uniform").pvalue > 0.01
    assert 0.02 <= np.mean(p_values <= 0.05) <= 0.09
    assert np.mean([r.ci[0] <= 0 <= r.ci[1] for r in results]) >= 0.90


def test_with_a_planted_lift_of_1_the_interval_covers_it_in_at_least_90_percent_of_runs():
    results = list(_runs(1.0))
    assert np.mean([r.ci[0] <= 1.0 <= r.ci[1] for r in results]) >= 0.90
    assert np.median([r.p_value for r in results]) < 0.2


# ---------------------------------------------------------------------------
# Too little data, stopping, adherence


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 1000),
    rated=st.sets(st.integers(0, 27), max_size=28),
    stop=st.integers(0, 27),
)
def test_too_little_data_never_produces_a_claim(seed, rated, stop):
    p = protocol(seed=seed)
    out = {p.start + timedelta(i): 6.0 + (i % 3) for i in rated}
    r = result(p, out, today=p.end, stopped_on=p.start + timedelta(stop))
    kept = [i for i in rated if i <= stop]
    plan = schedule(p)
    n_b = sum(plan[i].condition == "B" for i in kept)
    assert (r.n_b, r.n_a) == (n_b, len(kept) - n_b)
    if n_b < 5 or len(kept) - n_b < 5:
        assert not r.enough_data and r.estimate is None and r.ci is None and r.p_value is None
        assert "will be enough to compare" in r.plain
        assert "higher" not in r.plain and "lower" not in r.plain
    assert r.stopped_early == (stop < 27)
    assert not unkind(r.plain)


def test_stopping_early_is_reported_honestly_and_later_ratings_are_left_out():
    p = protocol(seed=2)
    out = ratings(p, [5 + (i % 4) for i in range(28)])
    stop = p.start + timedelta(13)
    r = result(p, out, today=p.end, stopped_on=stop)
    assert r.stopped_early and not r.complete
    assert r.days_so_far == 14 and r.n_a + r.n_b == 14
    assert r.plain.startswith(
        "You stopped this experiment after 14 of 28 days — stopping is always fine."
    )


def test_a_running_experiment_says_it_is_an_early_look():
    p = protocol(seed=2)
    r = result(p, ratings(p, [6] * 10), today=p.start + timedelta(9))
    assert not r.complete and not r.stopped_early and r.days_so_far == 10
    assert r.plain.startswith("Day 10 of 28: an early look")


def test_before_the_start_there_is_nothing_to_report_yet():
    p = protocol()
    r = result(p, {}, today=MONDAY - timedelta(3))
    assert r.days_so_far == 0 and r.adherence is None
    assert r.plain == "This experiment starts on 2026-01-05."


def test_adherence_counts_rated_days_and_done_b_days():
    p = protocol(seed=9)
    plan = schedule(p)
    today = p.start + timedelta(13)
    out = {a.day: 6.0 for a in plan[:14] if a.day.day % 2 == 0}
    b_days = [a.day for a in plan[:14] if a.condition == "B"]
    a_days = [a.day for a in plan[:14] if a.condition == "A"]
    done = set(b_days[:-1]) | {a_days[0]}
    r = result(p, out, today=today, done=done)
    assert r.adherence == pytest.approx(len(out) / 14)
    assert r.intervention_adherence == pytest.approx((len(b_days) - 1) / len(b_days))
    assert r.done_on_a_days == 1
    assert result(p, out, today=today).intervention_adherence is None


def test_a_clear_randomised_result_is_described_as_fair_evidence_for_this_person():
    p = protocol(seed=1, weeks=6)
    is_b = np.array([a.condition == "B" for a in schedule(p)])
    rng = np.random.default_rng(0)
    r = result(p, ratings(p, np.clip(4 + 2.5 * is_b + rng.normal(0, 0.8, 42), 0, 10)), today=p.end)
    assert r.complete and r.enough_data and r.ci[0] > 0 and r.p_value <= 0.05
    assert "points higher than on A days" in r.plain
    assert "fair evidence" in r.plain and not unkind(r.plain)


def test_no_clear_difference_is_said_plainly():
    p = protocol(seed=1)
    rng = np.random.default_rng(1)
    r = result(p, ratings(p, np.clip(5 + rng.normal(0, 1, 28), 0, 10)), today=p.end)
    assert r.ci[0] < 0 < r.ci[1]
    assert r.plain.startswith("No clear difference") and "real answer too" in r.plain


def test_the_same_data_always_gives_the_same_p_value():
    p = protocol(seed=6)
    out = ratings(p, [5 + (i * 7 % 5) for i in range(28)])
    assert result(p, out, today=p.end) == result(p, out, today=p.end)


# ---------------------------------------------------------------------------
# Export


def test_export_holds_protocol_schedule_ratings_and_result_and_is_json_ready():
    p = protocol(seed=2)
    out = ratings(p, [5 + (i % 4) for i in range(28)], skip={0})
    r = result(p, out, today=p.end, done={p.start + timedelta(1)})
    data = export(p, out, r)
    again = json.loads(json.dumps(data))
    assert again == data
    assert data["protocol"]["question"] == p.question
    assert data["protocol"]["design"] == "random_days"
    assert len(data["schedule"]) == 28 and len(data["ratings"]) == 27
    assert data["done"] == [(p.start + timedelta(1)).isoformat()]
    expected = {"estimate", "ci", "p_value", "n", "adherence", "stopped_early", "plain"}
    assert expected <= set(data["result"])
    assert data["result"]["n"] == {"A": r.n_a, "B": r.n_b}


def test_the_doctests_pass():
    assert doctest.testmod(experiments_module).failed == 0

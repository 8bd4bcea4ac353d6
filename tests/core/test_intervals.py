"""The t and Welch intervals behind insights and self-experiments are scipy's own.

The hand-written formulas they replaced were checked against these on 2,000
random rating lists each (to within 1e-9) before being dropped; what stays is
the check against scipy directly, and the behaviour a person can see: a side
rated the same every day gives a zero-width interval and no warning.
"""

from __future__ import annotations

import ast
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from kindstep.core.experiments import welch_ci
from kindstep.core.insights import mean_ci

ratings = st.lists(st.integers(-10, 10) | st.floats(0, 10, allow_nan=False), min_size=2, max_size=60)


@settings(max_examples=300, deadline=None)
@given(ratings)
def test_one_sample_interval_is_scipys(values):
    x = np.array(values, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing reaches a person's terminal
        low, high = mean_ci(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = stats.ttest_1samp(x, 0.0).confidence_interval(0.95)
    assert (low, high) == pytest.approx((reference.low, reference.high), nan_ok=True)
    assert low <= x.mean() + 1e-9 and high >= x.mean() - 1e-9


@settings(max_examples=300, deadline=None)
@given(ratings, ratings)
def test_welch_interval_is_scipys(b, a):
    b, a = np.array(b, dtype=float), np.array(a, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        low, high = welch_ci(b, a)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert (low, high) == pytest.approx((reference.low, reference.high), nan_ok=True)


def test_the_same_rating_every_time_gives_a_zero_width_interval_at_the_difference():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mean_ci(np.full(12, 2.0)) == (2.0, 2.0)
        assert welch_ci(np.full(6, 7.0), np.full(5, 5.0)) == (2.0, 2.0)
        low, high = welch_ci(np.full(6, 7.0), np.array([4.0, 5, 6, 5, 5]))
    assert low < 2.0 < high


def test_known_values():
    # mean 2, sd 1, n 3: 2 +/- t(0.975, 2) / sqrt(3) = 2 +/- 2.484
    assert mean_ci(np.array([1.0, 2.0, 3.0])) == pytest.approx((-0.4841377, 4.4841377))
    # Welch: b = 1..5 (var 2.5), a = 0,0,0,4 (var 4); se^2 = 0.5 + 1 = 1.5
    b, a = np.arange(1.0, 6.0), np.array([0.0, 0, 0, 4])
    se = 1.5**0.5
    df = 1.5**2 / (0.5**2 / 4 + 1.0**2 / 3)
    half = stats.t.ppf(0.975, df) * se
    assert welch_ci(b, a) == pytest.approx((2.0 - half, 2.0 + half))


def loaded_after(code: str) -> list[str]:
    """Which of numpy and scipy a fresh interpreter has loaded after running ``code``."""
    import subprocess
    import sys

    code += "\nimport sys\nprint(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'scipy'}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return ast.literal_eval(out.stdout)


def test_a_schedule_and_todays_line_load_neither_numpy_nor_scipy():
    """`kindstep today` asks for today's line whenever an experiment runs: it must stay quick."""
    assert loaded_after(
        "from datetime import date\n"
        "from kindstep.core import experiments\n"
        "p = experiments.from_template('morning_walk', start=date(2026, 12, 7), seed=7)\n"
        "assert experiments.today_line(p, date(2026, 12, 8))\n"
        "assert len(experiments.schedule(p)) == 28\n"
    ) == []


def test_numpy_loads_where_the_statistics_run_and_scipy_only_for_an_interval():
    assert loaded_after("from kindstep.core.insights import daily_mood") == ["numpy"]
    start = (
        "from datetime import date, timedelta\n"
        "from kindstep.core import experiments\n"
        "p = experiments.from_template('morning_walk', start=date(2026, 12, 7), seed=7)\n"
    )
    too_few = "experiments.result(p, {}, today=date(2026, 12, 8))\n"
    assert loaded_after(start + too_few) == ["numpy"]
    rated = (
        "days = {p.start + timedelta(i): 5 + i % 3 for i in range(14)}\n"
        "assert experiments.result(p, days, today=date(2026, 12, 20)).ci is not None\n"
    )
    assert loaded_after(start + rated) == ["numpy", "scipy"]

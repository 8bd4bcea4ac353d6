"""Differential check: scipy's t and Welch intervals against the hand-written formulas they replace."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from kindstep.core.experiments import _welch_ci
from kindstep.core.insights import mean_ci


def old_mean_ci(x: np.ndarray) -> tuple[float, float]:
    mean = float(x.mean())
    half = float(stats.t.ppf(0.975, x.size - 1)) * float(x.std(ddof=1)) / math.sqrt(x.size)
    return mean - half, mean + half


def old_welch_ci(b: np.ndarray, a: np.ndarray) -> tuple[float, float]:
    diff = float(b.mean() - a.mean())
    vb, va = b.var(ddof=1) / b.size, a.var(ddof=1) / a.size
    se = math.sqrt(vb + va)
    if se == 0:
        return diff, diff
    df = (vb + va) ** 2 / (vb**2 / (b.size - 1) + va**2 / (a.size - 1))
    half = float(stats.t.ppf(0.975, df)) * se
    return diff - half, diff + half


ratings = st.lists(st.integers(-10, 10) | st.floats(0, 10, allow_nan=False), min_size=2, max_size=60)


@settings(max_examples=2000, deadline=None)
@given(ratings)
def test_one_sample_interval_is_the_old_formula(values):
    x = np.array(values, dtype=float)
    assert mean_ci(x) == pytest.approx(old_mean_ci(x), rel=1e-9, abs=1e-9)


@settings(max_examples=2000, deadline=None)
@given(ratings, ratings)
def test_welch_interval_is_the_old_formula(b, a):
    b, a = np.array(b, dtype=float), np.array(a, dtype=float)
    assert _welch_ci(b, a) == pytest.approx(old_welch_ci(b, a), rel=1e-9, abs=1e-9)

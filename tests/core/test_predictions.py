"""kindstep.core.insights.predicted_vs_actual: the interval, its minimum, and its words."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
from scipy import stats

from kindstep.core.insights import MIN_PREDICTIONS, insights, predicted_vs_actual
from kindstep.core.values import History
from tests.words import unkind

RUNS = 200


def simulated(rng: np.random.Generator, planted: int, n: int) -> list[tuple[int, int]]:
    """``n`` (expected, actual) pairs whose true mean difference is exactly ``planted``.

    Guesses are 3 to 5 and the difference is ``planted`` plus noise from -2 to 2
    (mean 0), so every mood after stays within 0-10 without clipping (which would move
    the true mean away from what was planted).
    """
    expected = rng.integers(3, 6, size=n)
    noise = rng.integers(-2, 3, size=n)
    return [(int(e), int(e + planted + d)) for e, d in zip(expected, noise, strict=True)]


@pytest.mark.parametrize("planted", [-1, 0, 2])
def test_the_interval_covers_a_planted_difference_in_at_least_90_percent_of_200_records(planted):
    rng = np.random.default_rng(22 + planted)
    covered = 0
    for _ in range(RUNS):
        section = predicted_vs_actual(simulated(rng, planted, int(rng.integers(10, 31))))
        assert section.enough_data and section.ci is not None
        covered += section.ci[0] <= planted <= section.ci[1]
    assert covered / RUNS >= 0.90


def test_the_estimate_and_interval_are_scipy_s_one_sample_t_on_actual_minus_expected():
    pairs = [(3, 5), (2, 6), (4, 4), (5, 7), (3, 3), (2, 5), (4, 8), (6, 6), (3, 4), (1, 4)]
    diffs = np.array([a - e for e, a in pairs], dtype=float)
    section = predicted_vs_actual(pairs)
    ci = stats.ttest_1samp(diffs, 0.0).confidence_interval(0.95)
    assert section.estimate == pytest.approx(diffs.mean())
    assert section.ci == pytest.approx((ci.low, ci.high))
    assert section.n == 10


@pytest.mark.parametrize("n", range(0, MIN_PREDICTIONS))
def test_below_its_minimum_it_says_not_enough_data_yet_and_claims_nothing(n):
    section = predicted_vs_actual([(2, 7)] * n)
    assert not section.enough_data
    assert section.estimate is None and section.ci is None
    assert section.sentence.startswith("Not enough data yet")
    assert f"(so far: {n})" in section.sentence


def test_better_than_expected_is_said_as_the_issue_words_it():
    pairs = [(2, 4)] * 5 + [(3, 4)] * 5 + [(2, 5)] * 5
    sentence = predicted_vs_actual(pairs).sentence
    assert sentence.startswith("On average it felt 2.0 better than you expected")


def test_worse_than_expected_is_said_kindly_without_blame():
    sentence = predicted_vs_actual([(7, 4)] * 6 + [(6, 4)] * 6).sentence
    assert "less good than you expected" in sentence
    assert "a guess is only a guess" in sentence.lower()


def test_the_same_as_expected_says_no_clear_difference():
    sentence = predicted_vs_actual([(5, 6), (5, 4)] * 6).sentence
    assert "about as good as you expected" in sentence and "no clear difference" in sentence


def test_every_sentence_it_can_say_is_kind():
    cases = ([], [(3, 5)] * 3, [(3, 5)] * 12, [(7, 4)] * 12, [(5, 5)] * 12,
             [(5, 6), (5, 4)] * 6, [(7, 4)] * 6 + [(6, 4)] * 6, [(2, 4), (3, 4)] * 6)
    for pairs in cases:
        section = predicted_vs_actual(pairs)
        for text in (section.title, section.sentence, section.method, section.needed):
            assert unkind(text) == [], text


def test_insights_json_has_the_same_shape_as_the_other_sections():
    result = insights(History(), today=date(2026, 3, 1),
                      predictions=[(3, 5)] * 12)
    data = json.loads(json.dumps(result.as_dict()))["predicted_vs_actual"]
    for key in ("estimate", "ci", "n", "enough_data", "summary"):
        assert key in data
    assert data["estimate"] == 2.0 and data["n"] == 12 and data["enough_data"] is True
    empty = insights(History(), today=date(2026, 3, 1)).as_dict()
    assert empty["predicted_vs_actual"]["enough_data"] is False

"""The gentler signs: a high questionnaire total, and a check-in at an extreme.

Each is decided by one core rule (``scales.care_needed`` through
``safety.care_message``; ``safety.checkin_care``) and worded without alarm,
diagnosis or shaming.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kindstep.core.safety import (
    HIGH_ANXIETY_FROM,
    LOW_MOOD_TOP,
    RUNNING,
    at_an_extreme,
    care_message,
    checkin_care,
)
from kindstep.core.scales import score
from kindstep.core.values import CheckIn
from tests.test_words import PATTERN

DAY = date(2026, 11, 25)
ALARM = ("urgent", "emergency", "danger", "immediately", "disorder", "diagnos", "you have")
"""Words a gentle care message never uses: it is no alarm and no diagnosis."""


def checkin(mood: int, anxiety: int, days_ago: int = 0, energy: int = 3) -> CheckIn:
    return CheckIn(day=DAY - timedelta(days=days_ago), energy=energy, mood=mood, anxiety=anxiety)


# -- a high total -----------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "answers", "total"), [
    ("phq9", [3] * 8 + [0], 24),   # severe, item 9 at 0: the case the issue names
    ("phq9", [2] * 7 + [1, 0], 15),  # the lower edge of moderately severe
    ("gad7", [3] * 7, 21),
    ("gad7", [3, 3, 3, 3, 3, 0, 0], 15),
])
def test_a_high_total_suggests_talking_with_a_doctor_soon_and_names_the_total(code, answers, total):
    result = score(code, answers)
    message = care_message(result)
    assert message is not None and not message.quiet
    assert f"total of {total}" in message.body
    assert "talking with a doctor or clinician soon" in message.body
    assert message.body.endswith("If things feel like too much before then, support is there.")


@pytest.mark.parametrize(("code", "answers"), [
    ("phq9", [2] * 7 + [0, 0]),  # 14, moderate
    ("gad7", [2] * 7),           # 14, moderate
    ("phq2", [3, 3]),            # the screeners: the full scale is suggested instead
    ("gad2", [3, 3]),
])
def test_a_total_below_the_range_gets_no_care_message(code, answers):
    assert care_message(score(code, answers)) is None


def test_the_care_message_has_no_alarm_no_diagnosis_and_no_shaming_words():
    for result in (score("phq9", [3] * 9), score("gad7", [3] * 7)):
        message = care_message(result)
        text = f"{message.title} {message.body}".lower()
        assert not PATTERN.search(text)
        for word in ALARM:
            assert word not in text, word
        assert "severe" not in text  # the band is shown once, beside the score, not repeated here


# -- a check-in at an extreme --------------------------------------------------------------


@pytest.mark.parametrize(("mood", "anxiety"), [(0, 9), (0, 10), (1, 9), (1, 10)])
def test_lowest_mood_with_highest_anxiety_at_once_earns_the_quiet_line(mood, anxiety):
    message = checkin_care([checkin(mood, anxiety)])
    assert message is not None and message.quiet
    assert "you don't have to carry it alone" in message.body


@pytest.mark.parametrize(("mood", "anxiety"), [(2, 9), (1, 8), (0, 0), (10, 10), (5, 5)])
def test_one_check_in_near_but_not_at_both_extremes_earns_nothing(mood, anxiety):
    assert checkin_care([checkin(mood, anxiety)]) is None


@pytest.mark.parametrize("recent", [
    [checkin(1, 3, 2), checkin(0, 4, 1), checkin(1, 2)],     # low mood three running
    [checkin(6, 9, 2), checkin(5, 10, 1), checkin(7, 9)],    # high anxiety three running
    [checkin(0, 9, 2), checkin(1, 10, 1), checkin(0, 9)],    # both, three running
])
def test_the_same_extreme_three_check_ins_running_earns_the_quiet_line(recent):
    assert checkin_care(recent) is not None


@pytest.mark.parametrize("recent", [
    [checkin(1, 3, 1), checkin(0, 4)],                        # only two running
    [checkin(1, 3, 3), checkin(4, 4, 2), checkin(1, 3, 1), checkin(0, 2)],  # broken by a 4
    [checkin(1, 3, 2), checkin(5, 9, 1), checkin(1, 3)],      # extremes, but not the same one
    [],
])
def test_extremes_that_do_not_run_three_times_earn_nothing(recent):
    assert checkin_care(recent) is None


def test_notes_are_never_read():
    quiet = CheckIn(day=DAY, energy=3, mood=5, anxiety=5, body_note="I want to die")
    assert checkin_care([quiet]) is None  # only the numbers decide, never the words


@given(st.lists(st.tuples(st.integers(0, 10), st.integers(0, 10)), min_size=1, max_size=6))
def test_the_check_in_rule_is_exactly_the_stated_rule(points):
    recent = [checkin(mood, anxiety, days_ago=len(points) - i) for i, (mood, anxiety)
              in enumerate(points)]
    last = recent[-RUNNING:]
    low = [c.mood <= LOW_MOOD_TOP for c in last]
    tense = [c.anxiety >= HIGH_ANXIETY_FROM for c in last]
    expected = (low[-1] and tense[-1]) or (len(last) == RUNNING and (all(low) or all(tense)))
    assert (checkin_care(recent) is not None) is expected
    if expected:  # so a page may skip reading earlier check-ins when the latest is not extreme
        assert at_an_extreme(recent[-1])


def test_the_quiet_line_has_no_alarm_and_no_shaming_words():
    message = checkin_care([checkin(0, 10)])
    text = message.body.lower()
    assert not PATTERN.search(text)
    for word in ALARM:
        assert word not in text

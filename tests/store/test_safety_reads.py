"""What the safety rules read from the store: recent check-ins, dated questionnaire results,
and the item-9 SafetyEvent written through the one core rule. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kindstep.core import safety
from kindstep.store import actions, models, queries

pytestmark = pytest.mark.django_db


def test_recent_checkins_are_the_last_few_oldest_first_and_only_the_persons_own(
    alice, charlie, now
):
    for days_ago, mood in ((4, 9), (3, 1), (2, 0), (1, 1)):
        actions.record_checkin(alice, energy=3, mood=mood, anxiety=4,
                               now=now - timedelta(days=days_ago))
    actions.record_checkin(charlie, energy=3, mood=8, anxiety=2, now=now)
    recent = queries.recent_checkins(alice, 3)
    assert [c.mood for c in recent] == [1, 0, 1]
    assert [c.day for c in recent] == sorted(c.day for c in recent)
    assert safety.checkin_care(recent) is not None  # low mood three check-ins running
    assert queries.recent_checkins(charlie, 3)[-1].mood == 8
    assert len(queries.recent_checkins(charlie, 3)) == 1


def test_a_later_checkin_the_same_day_counts_as_the_latest(alice, now):
    actions.record_checkin(alice, energy=3, mood=0, anxiety=10, now=now - timedelta(hours=2))
    actions.record_checkin(alice, energy=3, mood=6, anxiety=3, now=now)
    latest = queries.recent_checkins(alice, 3)[-1]
    assert (latest.mood, latest.anxiety) == (6, 3)
    assert safety.checkin_care(queries.recent_checkins(alice, 3)) is None


def test_stored_results_carry_their_day_so_response_needs_two_weeks(alice, now):
    actions.answer_questionnaire(alice, "phq9", [3, 3, 2, 2, 2, 2, 1, 1, 0],
                                 now=now - timedelta(days=13))
    _, soon = actions.answer_questionnaire(alice, "phq9", [1] * 8 + [0], now=now)  # 16 -> 8
    assert soon.taken_on == date(2026, 11, 25)
    assert (soon.response, soon.remission) == (None, None)  # half, but only 13 days on
    _, later = actions.answer_questionnaire(alice, "phq9", [1, 1, 1] + [0] * 6,
                                            now=now + timedelta(days=1))
    assert (later.response, later.remission) == (True, True)  # 14 days after the baseline
    history = queries.questionnaire_history(alice, "phq9")
    assert [r.taken_on for r in history] == [date(2026, 11, 12), date(2026, 11, 25),
                                             date(2026, 11, 26)]
    assert [r.response for r in history] == [None, None, True]  # read back exactly as taken


def test_item9_through_the_one_rule_keeps_the_safety_event_as_it_was(alice, now):
    row, result = actions.answer_questionnaire(alice, "phq9", "3,3,3,3,3,3,3,3,2", now=now)
    assert result.safety_flag and result.care
    event = models.SafetyEvent.objects.get()
    assert event.kind == models.SafetyEvent.Kind.PHQ9_ITEM9
    assert event.detail == {"scale": "phq9", "item": 9, "answer": 2, "response_id": row.pk}
    assert row.safety_flag


def test_a_high_total_alone_records_no_safety_event(alice, now):
    _, result = actions.answer_questionnaire(alice, "gad7", [3] * 7, now=now)
    assert result.care and not result.safety_flag
    assert not models.SafetyEvent.objects.exists()

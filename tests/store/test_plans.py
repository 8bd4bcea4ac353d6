"""Plans and expectations in the store: one action each, refusals write nothing, and a plan
never changes the rhythm (target, habit strength, weeks met), done or not."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kindstep.core.catalogue import load_catalogue
from kindstep.core.checks import InvalidInput
from kindstep.core.rhythm import rhythm_of
from kindstep.store import actions, export_erase, mapping, models, queries
from tests.conftest import NOW
from tests.words import unkind

pytestmark = pytest.mark.django_db(transaction=False)

TODAY = date(2026, 11, 25)  # NOW in London


@pytest.fixture
def snapshot(db):
    """Every row of every table a person owns (tests/conftest.py), to prove nothing was written."""
    from tests.conftest import every_row

    return every_row


def test_a_plan_is_stored_for_its_day_with_its_time_repeat_and_expectation(alice):
    row = actions.plan_activity(alice, activity="Walk", duration="15m", date="tomorrow",
                                time="07:30", expect="4", every="mon,thu", now=NOW)
    row.refresh_from_db()
    assert (row.activity, row.minutes, row.day, row.at, row.every, row.expect) == (
        "walk", 15, TODAY + timedelta(days=1), time(7, 30), "mon,thu", 4)
    assert mapping.plan_id(row.pk) == f"p{row.pk}"


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"activity": "wlak"}, "activity"),
    ({"duration": "0"}, "duration"),
    ({"duration": "lots"}, "duration"),
    ({"date": "2026-11-24"}, "date"),
    ({"date": "next year"}, "date"),
    ({"time": "25:00"}, "time"),
    ({"expect": "11"}, "expect"),
    ({"expect": "-1"}, "expect"),
    ({"every": "funday"}, "every"),
    ({"time": "01:30"}, "time"),  # today, before the day-start hour: yesterday, which has passed
])
def test_a_refused_plan_says_why_kindly_and_writes_nothing(alice, snapshot, kwargs, field):
    before = snapshot()
    with pytest.raises(InvalidInput) as refused:
        actions.plan_activity(alice, **({"activity": "walk", "duration": "10"} | kwargs), now=NOW)
    assert refused.value.field == field
    assert unkind(refused.value.message) == []
    assert snapshot() == before


def test_a_plan_shows_on_its_day_and_fades_after_it_without_a_trace_on_the_list(alice):
    actions.plan_activity(alice, activity="walk", duration=10, now=NOW)
    assert [p.plan.activity for p in queries.planned_on(alice, TODAY)] == ["walk"]
    assert queries.planned_on(alice, TODAY + timedelta(days=1)) == []
    assert len(queries.plan_list(alice, TODAY)) == 1
    assert queries.plan_list(alice, TODAY + timedelta(days=1)) == []


def test_a_plan_is_done_once_its_activity_is_logged_that_day(alice):
    actions.plan_activity(alice, activity="walk", duration=10, now=NOW)
    assert not queries.planned_on(alice, TODAY)[0].done
    actions.log_session(alice, activity="walk", duration=12, now=NOW)
    assert queries.planned_on(alice, TODAY)[0].done


def test_moving_and_dropping_a_plan_each_take_one_step(alice, snapshot):
    row = actions.plan_activity(alice, activity="walk", duration=10, now=NOW)
    actions.move_plan(alice, f"p{row.pk}", date="tomorrow", time="18:00", now=NOW)
    assert queries.planned_on(alice, TODAY) == []
    assert queries.planned_on(alice, TODAY + timedelta(days=1))[0].plan.at == time(18, 0)
    actions.drop_plan(alice, str(row.pk), now=NOW)
    assert queries.plan_list(alice, TODAY) == []
    before = snapshot()
    for bad in (f"p{row.pk}", "p999", "x"):  # dropped already, not there, not an ID
        with pytest.raises(InvalidInput):
            actions.drop_plan(alice, bad, now=NOW)
    with pytest.raises(InvalidInput):
        actions.move_plan(alice, "p999", date="tomorrow", now=NOW)
    assert snapshot() == before


def test_charlie_cannot_move_or_drop_alices_plan(alice, charlie, snapshot):
    row = actions.plan_activity(alice, activity="walk", duration=10, now=NOW)
    before = snapshot()
    with pytest.raises(InvalidInput):
        actions.drop_plan(charlie, f"p{row.pk}", now=NOW)
    with pytest.raises(InvalidInput):
        actions.move_plan(charlie, f"p{row.pk}", date="tomorrow", now=NOW)
    assert snapshot() == before


def test_logging_a_planned_activity_pairs_its_expectation_with_the_mood_after(alice):
    actions.plan_activity(alice, activity="walk", duration=10, expect=3, now=NOW)
    actions.log_session(alice, activity="walk", duration=10, after=6, now=NOW)
    actions.log_session(alice, activity="walk", duration=5, after=7, now=NOW)  # once per plan a day
    assert queries.prediction_pairs(alice) == [(TODAY, "walk", 3, 6)]


def test_an_expectation_noted_on_starting_is_answered_by_the_next_session_of_it(alice):
    actions.expect_feeling(alice, activity="yoga_gentle", expected=2, now=NOW)
    actions.log_session(alice, activity="walk", duration=10, after=8, now=NOW)  # another activity
    row = actions.log_session(alice, activity="yoga_gentle", duration=10, now=NOW)
    assert queries.prediction_pairs(alice) == []  # no mood after yet: the pair is not complete
    actions.edit_entry(alice, f"s{row.pk}", now=NOW, after=5)
    assert queries.prediction_pairs(alice) == [(TODAY, "yoga_gentle", 2, 5)]
    actions.delete_entry(alice, f"s{row.pk}", now=NOW)
    assert queries.prediction_pairs(alice) == []  # a removed session takes its pair with it


def test_a_refused_expectation_writes_nothing(alice, snapshot):
    before = snapshot()
    for kwargs in ({"activity": "walk", "expected": 12}, {"activity": "nope", "expected": 3},
                   {"activity": "walk", "expected": ""}):
        with pytest.raises(InvalidInput):
            actions.expect_feeling(alice, now=NOW, **kwargs)
    assert snapshot() == before


def test_insights_compare_the_pairs(alice):
    for offset in range(10):
        at = NOW - timedelta(days=offset)
        actions.expect_feeling(alice, activity="walk", expected=3, now=at)
        actions.log_session(alice, activity="walk", duration=10, after=5, now=at)
    section = queries.insights_for(alice, TODAY).predicted_vs_actual
    assert section.enough_data and section.estimate == 2.0 and section.n == 10


def test_plans_and_predictions_are_exported_and_erased_with_the_record(alice):
    actions.plan_activity(alice, activity="walk", duration=10, expect=3, now=NOW)
    actions.log_session(alice, activity="walk", duration=10, after=6, now=NOW)
    names = [name for name, _ in export_erase.sections(alice)]
    assert "plans" in names and "predictions" in names
    actions.erase_all(alice, confirm=actions.ERASE_WORD)
    assert not models.Plan.objects.exists() and not models.Prediction.objects.exists()


def test_values_are_kept_and_name_a_reason_on_today(alice):
    actions.set_matters(alice, ["outdoors"], "my dog")
    assert alice.matters == ["outdoors", "my dog"]
    shown = queries.today_offer(alice, NOW)
    outdoors = {a.code for a in load_catalogue() if "outdoors" in a.serves}
    for choice in shown.offer.choices:
        named = "Being outdoors, which you said matters to you." in choice.why
        assert named == (choice.activity in outdoors)


def test_the_welcome_only_goes_forward(alice):
    assert alice.welcome == ""
    actions.welcome_step(alice, "about")
    actions.welcome_step(alice, "done")
    actions.welcome_step(alice, "about")
    alice.refresh_from_db()
    assert alice.welcome == "done"
    with pytest.raises(InvalidInput):
        actions.welcome_step(alice, "back")


# -- a plan never changes the rhythm ----------------------------------------------------------

START = datetime(2026, 10, 1, 12, tzinfo=UTC)
ACTIVITIES = ("walk", "yoga_gentle", "stretch_bed")


def _rhythm(person, today):
    sessions, rests = queries.rhythm_record(person, until=today)
    return rhythm_of(sessions, rests, mapping.profile(person), today=today)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    plans=st.lists(st.tuples(st.integers(0, 30), st.sampled_from(ACTIVITIES), st.booleans(),
                             st.sampled_from(["", "mon,thu", "sat"]),
                             st.none() | st.integers(0, 10)), max_size=6),
    others=st.lists(st.integers(0, 40), max_size=8),
    rests=st.lists(st.integers(0, 40), max_size=4),
    target=st.integers(1, 7),
)
def test_plans_never_change_the_target_habit_strength_or_weeks_met_done_or_not(
        alice, plans, others, rests, target):
    with transaction.atomic():
        actions.update_settings(alice, target_days=target)
        for offset, activity, done, every, expect in plans:
            actions.plan_activity(alice, activity=activity, duration=10, every=every,
                                  expect=expect, date=(START.date() + timedelta(days=offset))
                                  .isoformat(), now=START)
            if done:
                actions.log_session(alice, activity=activity, duration=10, after=6,
                                    now=START + timedelta(days=offset))
        for offset in others:
            actions.log_session(alice, activity="walk", duration=20,
                                now=START + timedelta(days=offset))
        for offset in rests:
            actions.log_rest(alice, now=START + timedelta(days=offset))
        today = queries.today(alice, START + timedelta(days=45))
        for plan in models.Plan.objects.filter(person=alice)[:2]:  # moved and dropped ones too
            actions.drop_plan(alice, plan.pk, now=START + timedelta(days=44))
        with_plans = _rhythm(alice, today)
        alice.refresh_from_db()
        assert alice.target_days == target
        models.Prediction.objects.filter(person=alice).delete()
        models.Plan.objects.filter(person=alice).delete()
        without = _rhythm(alice, today)
        assert with_plans.target_days == without.target_days == target
        assert with_plans.habit_strength == without.habit_strength
        assert with_plans.weeks_meeting_target == without.weeks_meeting_target
        assert with_plans == without
        transaction.set_rollback(True)

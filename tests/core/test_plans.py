"""kindstep.core.plans: which days a plan shows on (repeats, the day-start hour, DST), and its input."""

from __future__ import annotations

import doctest
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kindstep.core import plans as plans_module
from kindstep.core.checks import InvalidInput
from kindstep.core.days import person_day
from kindstep.core.plans import (
    Plan,
    days_shown,
    every_text,
    next_shown,
    parse_every,
    parse_time,
    plan_day,
    shows_on,
)
from tests.words import unkind

ZONES = ["UTC", "Europe/London", "Europe/Berlin", "America/New_York", "Australia/Sydney",
         "Pacific/Auckland", "Asia/Kolkata", "America/Sao_Paulo"]

plans_st = st.builds(
    Plan,
    activity=st.just("walk"),
    minutes=st.integers(1, 90),
    day=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    at=st.none() | st.times(),
    every=st.frozensets(st.integers(0, 6)),
)


def reference_days(plan: Plan, first: date, last: date, zone: str, start: int) -> list[date]:
    """Independently: each occurrence's calendar date, its wall-clock moment as an instant
    (zoneinfo, fold=0), and the person's day of that instant (core.days.person_day)."""
    found = []
    on = plan.day
    while on <= last + timedelta(days=1):
        if (plan.every and on.weekday() in plan.every) or (not plan.every and on == plan.day):
            if plan.at is None:
                day = on
            else:
                moment = datetime(on.year, on.month, on.day, plan.at.hour, plan.at.minute,
                                  plan.at.second, tzinfo=ZoneInfo(zone))
                day = person_day(moment.astimezone(UTC), zone, start)
            if first <= day <= last:
                found.append(day)
        on += timedelta(days=1)
    return found


@settings(max_examples=300, deadline=None)
@given(plan=plans_st, zone=st.sampled_from(ZONES), start=st.integers(0, 12),
       first=st.dates(date(2025, 1, 1), date(2027, 12, 31)), span=st.integers(0, 40))
def test_a_plan_shows_on_exactly_its_days(plan, zone, start, first, span):
    last = first + timedelta(days=span)
    shown = days_shown(plan, first, last, timezone=zone, day_start_hour=start)
    assert shown == reference_days(plan, first, last, zone, start)
    every_day = [first + timedelta(days=i) for i in range(span + 1)]
    assert [d for d in every_day if shows_on(plan, d, timezone=zone, day_start_hour=start)] == shown


@settings(max_examples=200, deadline=None)
@given(plan=plans_st, zone=st.sampled_from(ZONES), start=st.integers(0, 12))
def test_a_plan_shows_at_most_once_a_day_and_a_repeat_once_for_each_of_its_weekdays(
        plan, zone, start):
    first = plan.day
    shown = days_shown(plan, first, first + timedelta(days=27), timezone=zone, day_start_hour=start)
    assert len(shown) == len(set(shown))
    if not plan.every:
        assert len(shown) <= 1
    else:
        # Four whole weeks from its first date: four times for each weekday, give or take the
        # one that a time before the day-start hour moves to the day before the window.
        assert 4 * len(plan.every) - 1 <= len(shown) <= 4 * len(plan.every)


@settings(max_examples=200, deadline=None)
@given(plan=plans_st, zone=st.sampled_from(ZONES))
def test_without_a_time_or_with_one_after_the_day_start_a_plan_keeps_its_own_date(plan, zone):
    plan = Plan(plan.activity, plan.minutes, plan.day, None, frozenset())
    assert days_shown(plan, plan.day - timedelta(days=3), plan.day + timedelta(days=3),
                      timezone=zone, day_start_hour=4) == [plan.day]
    late = Plan("walk", 10, plan.day, time(18, 0))
    assert shows_on(late, plan.day, timezone=zone, day_start_hour=4)


def test_a_time_before_the_day_start_hour_belongs_to_the_day_before():
    night = Plan("walk", 10, date(2026, 3, 10), time(2, 30))
    assert days_shown(night, date(2026, 3, 1), date(2026, 3, 20), timezone="Europe/London",
                      day_start_hour=4) == [date(2026, 3, 9)]
    assert days_shown(night, date(2026, 3, 1), date(2026, 3, 20), timezone="Europe/London",
                      day_start_hour=0) == [date(2026, 3, 10)]


def test_a_time_in_the_spring_forward_gap_shows_once_as_the_moment_after_it():
    # Europe/Berlin, 29 March 2026: clocks go from 02:00 to 03:00, so 02:30 never happens.
    gap = Plan("walk", 10, date(2026, 3, 29), time(2, 30))
    # Read as 03:30 (fold=0): after a day start of 3, so on its own date...
    assert days_shown(gap, date(2026, 3, 25), date(2026, 4, 2), timezone="Europe/Berlin",
                      day_start_hour=3) == [date(2026, 3, 29)]
    # ...and before a day start of 4, so the day before. Never twice, never lost.
    assert days_shown(gap, date(2026, 3, 25), date(2026, 4, 2), timezone="Europe/Berlin",
                      day_start_hour=4) == [date(2026, 3, 28)]


def test_a_time_that_happens_twice_in_autumn_shows_once():
    twice = Plan("walk", 10, date(2026, 11, 1), time(1, 30), every=frozenset({6}))  # Sundays
    shown = days_shown(twice, date(2026, 10, 25), date(2026, 11, 14),
                       timezone="America/New_York", day_start_hour=1)
    assert shown == [date(2026, 11, 1), date(2026, 11, 8)]


def test_a_weekly_plan_keeps_its_weekday_across_a_change_of_clocks():
    mondays = Plan("walk", 10, date(2026, 3, 16), time(7, 0), every=frozenset({0}))
    shown = days_shown(mondays, date(2026, 3, 16), date(2026, 4, 13), timezone="Europe/London",
                       day_start_hour=4)
    assert shown == [date(2026, 3, 16) + timedelta(weeks=w) for w in range(5)]
    assert all(d.weekday() == 0 for d in shown)


def test_a_plan_never_shows_before_its_date():
    plan = Plan("walk", 10, date(2026, 3, 12), every=frozenset({0, 3}))
    assert days_shown(plan, date(2026, 3, 1), date(2026, 3, 11), timezone="UTC",
                      day_start_hour=4) == []


def test_next_shown_fades_a_one_off_plan_once_its_day_has_passed():
    once = Plan("walk", 10, date(2026, 3, 12))
    assert next_shown(once, date(2026, 3, 1), timezone="UTC", day_start_hour=4) == date(2026, 3, 12)
    assert next_shown(once, date(2026, 3, 12), timezone="UTC", day_start_hour=4) == date(2026, 3, 12)
    assert next_shown(once, date(2026, 3, 13), timezone="UTC", day_start_hour=4) is None
    weekly = Plan("walk", 10, date(2026, 3, 12), every=frozenset({3}))
    assert next_shown(weekly, date(2026, 3, 13), timezone="UTC", day_start_hour=4) == date(2026, 3, 19)


@pytest.mark.parametrize("text, days", [("mon,thu", {0, 3}), ("Monday Thursday", {0, 3}),
                                        ("sat, sun", {5, 6}), ("", set()), ("tues", {1})])
def test_weekdays_are_read_by_name_or_three_letters(text, days):
    assert parse_every(text) == frozenset(days)


@pytest.mark.parametrize("text", ["funday", "mo", "1", "mon,xyz", "weekend"])
def test_other_weekdays_are_refused_kindly(text):
    with pytest.raises(InvalidInput) as err:
        parse_every(text)
    assert err.value.field == "every" and unkind(err.value.message) == []


def test_weekdays_round_trip_through_their_text():
    for days in ({0}, {0, 3}, {1, 2, 4, 5, 6}):
        assert parse_every(every_text(frozenset(days))) == frozenset(days)


@pytest.mark.parametrize("text", ["25:00", "7", "07:60", "seven", "-1:00"])
def test_times_that_are_not_hh_mm_are_refused(text):
    with pytest.raises(InvalidInput) as err:
        parse_time(text)
    assert err.value.field == "time"


def test_a_plan_looks_ahead_up_to_a_year_and_reads_today_and_tomorrow():
    today = date(2026, 3, 1)
    assert plan_day(None, today=today) == today
    assert plan_day("tomorrow", today=today) == date(2026, 3, 2)
    assert plan_day("2026-12-31", today=today) == date(2026, 12, 31)
    for bad in ("2026-02-28", "2027-06-01", "soon", "2026-13-01"):
        with pytest.raises(InvalidInput) as err:
            plan_day(bad, today=today)
        assert err.value.field == "date" and unkind(err.value.message) == []


def test_the_doctests_pass():
    assert doctest.testmod(plans_module).failed == 0

"""Paused days neither count nor count against (core.rhythm's pause rule, core.pause)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kindstep.core.pause import Pause, paused_days
from kindstep.core.rhythm import habit_strength, rhythm
from kindstep.core.values import History, Profile, RestDay, Session
from tests.words import unkind

MONDAY = date(2025, 1, 6)


def day(n: int) -> date:
    return MONDAY + timedelta(days=n)


def history(active, rest=()) -> History:
    rest = set(rest) - set(active)
    return History(sessions=tuple(Session(day=d, activity="walk", minutes=20, met=3.5)
                                  for d in sorted(active)),
                   rest_days=tuple(RestDay(day=d) for d in sorted(rest)))


def shifted(h: History, at: date, by: int) -> History:
    """``h`` with every record on or after ``at`` moved ``by`` days later."""
    def move(d: date) -> date:
        return d + timedelta(days=by) if d >= at else d
    return history({move(s.day) for s in h.sessions}, {move(r.day) for r in h.rest_days})


def span(start: date, days: int) -> list[date]:
    return [start + timedelta(days=n) for n in range(days)]


records = st.tuples(st.sets(st.integers(0, 90), max_size=50), st.sets(st.integers(0, 90),
                                                                       max_size=15))
targets = st.integers(1, 7)


@settings(max_examples=300, deadline=None)
@given(records, targets, st.integers(0, 90), st.integers(1, 40), st.integers(0, 6))
def test_habit_strength_after_a_pause_is_as_though_its_days_never_were(rec, target, at, k,
                                                                        week_start):
    active, rest = ({day(n) for n in ns} for ns in rec)
    h = history(active, rest)
    today = day(90)
    insert = day(at)
    profile = Profile(target_days=target, week_start=week_start)
    paused = span(insert, k)
    before = habit_strength(h, profile, today=today)
    after = habit_strength(shifted(h, insert, k), profile, today=today + timedelta(days=k),
                           paused=paused)
    assert after == before
    # And the rhythm's own figure agrees.
    r = rhythm(shifted(h, insert, k), profile, today=today + timedelta(days=k), paused=paused)
    assert r.habit_strength == before


@settings(max_examples=300, deadline=None)
@given(records, targets, st.integers(0, 12), st.integers(1, 4))
def test_whole_weeks_paused_leave_weeks_met_and_runs_unchanged(rec, target, week, n_weeks):
    active, rest = ({day(n) for n in ns} for ns in rec)
    h = history(active, rest)
    today = day(90)
    insert = day(7 * week)  # a Monday: the pause covers whole weeks
    k = 7 * n_weeks
    profile = Profile(target_days=target)
    plain = rhythm(h, profile, today=today)
    paused = rhythm(shifted(h, insert, k), profile, today=today + timedelta(days=k),
                    paused=span(insert, k))
    assert (paused.weeks_meeting_target, paused.current_run_weeks, paused.longest_run_weeks,
            paused.active_days_this_week, paused.met_target_this_week, paused.habit_strength) == (
        plain.weeks_meeting_target, plain.current_run_weeks, plain.longest_run_weeks,
        plain.active_days_this_week, plain.met_target_this_week, plain.habit_strength)


@settings(max_examples=300, deadline=None)
@given(records, targets, st.sets(st.integers(0, 96), max_size=40), st.integers(0, 6))
def test_pausing_days_never_lowers_a_weeks_verdict_the_weeks_met_or_a_run(rec, target, gone,
                                                                         week_start):
    active, rest = ({day(n) for n in ns} for ns in rec)
    h = history(active, rest)
    profile = Profile(target_days=target, week_start=week_start)
    today = day(90)
    plain = rhythm(h, profile, today=today)
    paused = rhythm(h, profile, today=today, paused=[day(n) for n in gone])
    assert paused.weeks_meeting_target >= plain.weeks_meeting_target
    assert paused.current_run_weeks >= plain.current_run_weeks
    assert paused.longest_run_weeks >= plain.longest_run_weeks
    for w_plain, w_paused in zip(plain.weeks, paused.weeks, strict=True):
        assert w_paused.met_target or not w_plain.met_target or w_paused.aim is None
        # A day with movement or rest is what it is, paused or not.
        assert (w_paused.active_days, w_paused.rest_days) == (w_plain.active_days,
                                                              w_plain.rest_days)


def test_a_week_paused_whole_is_neither_met_nor_not_met_and_ends_no_run():
    profile = Profile(target_days=3)
    active = [day(7 * w + d) for w in (0, 2) for d in (0, 2, 4)]  # weeks 0 and 2 met
    r = rhythm(history(active), profile, today=day(20), paused=span(day(7), 7))
    assert [(w.aim, w.met_target, w.paused_days) for w in r.weeks] == [
        (3, True, 0), (None, False, 7), (3, True, 0)]
    assert (r.weeks_meeting_target, r.current_run_weeks, r.longest_run_weeks) == (2, 2, 2)
    without = rhythm(history(active), profile, today=day(20))
    assert (without.current_run_weeks, without.longest_run_weeks) == (1, 1)


def test_a_part_paused_week_has_a_smaller_aim_and_says_so_kindly():
    profile = Profile(target_days=3)
    r = rhythm(history([day(0)]), profile, today=day(1), paused=span(day(2), 5))
    assert (r.paused_days_this_week, r.aim_this_week, r.met_target_this_week) == (5, 1, True)
    assert r.summary.startswith("5 days of this week are paused, so this week's aim is 1 day.")
    assert not unkind(r.summary)
    whole = rhythm(History(), profile, today=day(1), paused=span(day(0), 7))
    assert whole.aim_this_week is None
    assert whole.summary == "This week is paused: nothing in it counts against you."


def test_strength_is_frozen_through_a_pause():
    profile = Profile(target_days=3)
    active = [day(7 * w + d) for w in range(4) for d in (0, 2, 4)]
    h = history(active)
    before = habit_strength(h, profile, today=day(27))
    pauses = [Pause(day(28), None, "unwell")]
    for n in range(28, 60):
        paused = paused_days(pauses, first=day(0), last=day(n))
        assert habit_strength(h, profile, today=day(n), paused=paused) == before
    # Without the pause, those quiet days would have lowered it.
    assert habit_strength(h, profile, today=day(59)) < before

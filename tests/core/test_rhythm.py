"""Tests for kindstep.core.rhythm: weeks, runs, habit strength and sentences."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterable
from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kindstep.core.rhythm import WeekSummary, habit_strength, rhythm
from kindstep.core.values import History, Profile, RestDay, Session
from tests.words import unkind

MONDAY = date(2025, 1, 6)


def day(n: int) -> date:
    """The day ``n`` days after Monday 6 January 2025."""
    return MONDAY + timedelta(days=n)


def walk(d: date, minutes: int = 20, met: float = 3.5) -> Session:
    return Session(day=d, activity="walk", minutes=minutes, met=met)


def history(active: Iterable[date] = (), rest: Iterable[date] = ()) -> History:
    return History(
        sessions=tuple(walk(d) for d in sorted(active)),
        rest_days=tuple(RestDay(day=d) for d in sorted(rest)),
    )


def mon_wed_fri(weeks: int, from_day: int = 0) -> list[date]:
    return [day(from_day + 7 * w + d) for w in range(weeks) for d in (0, 2, 4)]


# --- this week ------------------------------------------------------------------


def test_several_sessions_on_one_day_count_as_one_active_day():
    sessions = (
        walk(day(0), 20, 3.5),
        Session(day=day(0), activity="stretch", minutes=10, met=2.3),
        walk(day(2), 25, 3.5),
    )
    r = rhythm(History(sessions=sessions), Profile(), today=day(3))
    assert r.week_start == day(0)
    assert r.active_days_this_week == 2
    assert r.target_days == 3
    assert not r.met_target_this_week
    assert r.minutes_this_week == 55
    assert r.met_minutes_this_week == pytest.approx(20 * 3.5 + 10 * 2.3 + 25 * 3.5)
    assert r.summary == "Active 2 of 3 days this week."


def test_sunday_weeks_gather_sunday_to_saturday():
    # 2025-03-02 is a Sunday; 2025-03-08 the Saturday after it.
    h = history([date(2025, 3, 2), date(2025, 3, 3), date(2025, 3, 8)])
    sunday = rhythm(h, Profile(week_start=6), today=date(2025, 3, 8))
    assert sunday.week_start == date(2025, 3, 2)
    assert sunday.active_days_this_week == 3
    assert sunday.met_target_this_week
    assert [w.start for w in sunday.weeks] == [date(2025, 3, 2)]

    iso = rhythm(h, Profile(), today=date(2025, 3, 8))
    assert iso.week_start == date(2025, 3, 3)
    assert iso.active_days_this_week == 2
    assert [(w.start, w.active_days) for w in iso.weeks] == [
        (date(2025, 2, 24), 1),
        (date(2025, 3, 3), 2),
    ]


def test_a_rest_day_with_a_session_counts_as_active_not_as_rest():
    h = history(active=[day(0)], rest=[day(0), day(1)])
    r = rhythm(h, Profile(), today=day(2))
    assert r.active_days_this_week == 1
    assert r.rest_days_this_week == 1
    assert "You took 1 rest day, and rest is care too." in r.summary


def test_records_after_today_are_left_out():
    h = history(active=[day(0), day(1), day(9)], rest=[day(8)])
    r = rhythm(h, Profile(), today=day(1))
    assert r.weeks_recorded == 1
    assert r.active_days_this_week == 2
    assert r.rest_days_this_week == 0
    assert r.habit_strength == habit_strength(history([day(0), day(1)]), Profile(), today=day(1))


def test_an_empty_record_gives_a_quiet_gentle_rhythm():
    r = rhythm(History(), Profile(), today=day(3))
    assert r.weeks == ()
    assert r.weeks_recorded == 0
    assert r.week_start == day(0)
    assert (r.active_days_this_week, r.current_run_weeks, r.longest_run_weeks) == (0, 0, 0)
    assert r.habit_strength == 0.0
    assert r.summary == "No active days logged yet this week; any small movement counts."


def test_reaching_and_passing_the_aim_are_said_plainly():
    reached = rhythm(history([day(0), day(1), day(2)]), Profile(), today=day(2))
    beyond = rhythm(history([day(0), day(1), day(2), day(3)]), Profile(), today=day(3))
    assert reached.summary == "Active 3 of 3 days this week: your aim is reached."
    assert beyond.summary == "Active 4 days this week, beyond your aim of 3."


# --- weeks and runs --------------------------------------------------------------


def test_quiet_weeks_between_records_appear_as_zero_weeks():
    active = mon_wed_fri(1) + [day(21), day(23)]
    r = rhythm(history(active), Profile(), today=day(23))
    assert r.weeks == (
        WeekSummary(day(0), 3, 0, 60, 210.0, True),
        WeekSummary(day(7), 0, 0, 0, 0.0, False),
        WeekSummary(day(14), 0, 0, 0, 0.0, False),
        WeekSummary(day(21), 2, 0, 40, 140.0, False),
    )
    assert r.weeks_meeting_target == 1
    assert r.longest_run_weeks == 1
    assert r.current_run_weeks == 0  # last week was quiet; this week is still open


def test_a_week_in_progress_never_ends_a_run():
    active = mon_wed_fri(3) + [day(21)]
    r = rhythm(history(active), Profile(), today=day(22))
    assert not r.met_target_this_week
    assert r.current_run_weeks == 3
    assert r.longest_run_weeks == 3
    assert r.summary == (
        "Active 1 of 3 days this week. "
        "You have been active at least 3 days a week for 3 weeks."
    )


def test_the_current_week_joins_the_run_once_it_reaches_the_target():
    active = mon_wed_fri(4)
    assert rhythm(history(active), Profile(), today=day(25)).current_run_weeks == 4
    assert rhythm(history(active[:-1]), Profile(), today=day(25)).current_run_weeks == 3


def test_a_run_counts_back_from_last_week_and_the_longest_run_is_kept():
    # Weeks 0-2 meet the target, week 3 has one day, weeks 4-5 meet it, week 6 open.
    active = mon_wed_fri(3) + [day(21)] + mon_wed_fri(2, from_day=28)
    r = rhythm(history(active), Profile(), today=day(42))
    assert [w.met_target for w in r.weeks] == [True, True, True, False, True, True, False]
    assert r.current_run_weeks == 2
    assert r.longest_run_weeks == 3
    assert r.weeks_meeting_target == 5


def test_a_long_run_is_named_in_the_summary():
    active = mon_wed_fri(58) + [day(58 * 7)]
    r = rhythm(history(active), Profile(), today=day(58 * 7 + 1))
    assert r.current_run_weeks == 58
    assert r.summary.endswith("You have been active at least 3 days a week for 58 weeks.")


def test_a_daily_target_is_described_as_every_day():
    active = [day(n) for n in range(14)]
    r = rhythm(history(active), Profile(target_days=7), today=day(14))
    assert "You have been active every day for 2 weeks." in r.summary


def test_the_weeks_argument_trims_what_is_shown_but_not_what_is_counted():
    active = mon_wed_fri(10)
    r = rhythm(history(active), Profile(), today=day(69))
    trimmed = rhythm(history(active), Profile(), today=day(69), weeks=4)
    assert len(r.weeks) == r.weeks_recorded == 10
    assert trimmed.weeks == r.weeks[-4:]
    assert trimmed.weeks_recorded == 10
    assert trimmed.weeks_meeting_target == r.weeks_meeting_target == 10
    assert trimmed.current_run_weeks == 10


@pytest.mark.parametrize("weeks", [0, -1, True])
def test_a_weeks_argument_below_one_is_refused(weeks):
    with pytest.raises(ValueError, match="1 or more"):
        rhythm(History(), Profile(), today=day(0), weeks=weeks)


@pytest.mark.parametrize("target", [0, 8])
def test_a_target_outside_one_to_seven_days_is_refused(target):
    with pytest.raises(ValueError, match="from 1 to 7 days"):
        rhythm(History(), Profile(target_days=target), today=day(0))


# --- WHO information and habit sentence -------------------------------------------


def test_the_who_sentence_gives_this_weeks_figures_as_information():
    sessions = (walk(day(0), 30, 4.0), walk(day(1), 55, 3.0))  # 85 min, 120 + 165 MET-min
    r = rhythm(History(sessions=sessions), Profile(), today=day(1))
    assert r.who_sentence == (
        "This week: 85 minutes, 285 MET-minutes. WHO suggests 150–300 minutes of moderate "
        "activity a week for adults (or 75–150 minutes of vigorous activity), and some "
        "activity is better than none."
    )


def test_the_habit_sentence_states_the_score_and_how_it_moves():
    r = rhythm(history(mon_wed_fri(4)), Profile(), today=day(27))
    assert r.habit_sentence.startswith("Your habit strength is 54%: ")
    assert "rest days never lower it" in r.habit_sentence


# --- habit strength: Loop reference figures (docs/evidence.md section 10) ---------


def test_perfect_three_days_a_week_reaches_about_54_percent_at_four_weeks():
    s = habit_strength(history(mon_wed_fri(4)), Profile(), today=day(27))
    assert s == pytest.approx(0.54, abs=0.02)


def test_perfect_three_days_a_week_reaches_about_83_percent_at_eight_weeks():
    s = habit_strength(history(mon_wed_fri(8)), Profile(), today=day(55))
    assert s == pytest.approx(0.83, abs=0.02)


def test_two_quiet_weeks_bring_93_percent_down_to_about_71():
    h = history(mon_wed_fri(12))
    before = habit_strength(h, Profile(), today=day(83))
    after = habit_strength(h, Profile(), today=day(97))
    assert before == pytest.approx(0.93, abs=0.02)
    assert after == pytest.approx(0.71, abs=0.02)


def test_two_weeks_of_planned_rest_keep_the_strength_where_it_was():
    rest = [day(n) for n in range(84, 98)]
    h = history(mon_wed_fri(12), rest)
    before = habit_strength(h, Profile(), today=day(83))
    assert habit_strength(h, Profile(), today=day(97)) >= before


def test_coming_back_after_a_break_never_lowers_the_strength():
    active = mon_wed_fri(12)
    h = history(active + [day(112)])
    assert habit_strength(h, Profile(), today=day(112)) >= habit_strength(
        h, Profile(), today=day(111)
    )


def test_moving_on_a_planned_rest_day_never_lowers_the_strength():
    # During a break the trailing window is nearly empty, so in Loop a lone
    # session there would pull the score down; here it never does.
    rest = [day(n) for n in range(84, 98)]
    without = habit_strength(history(mon_wed_fri(12), rest), Profile(), today=day(97))
    moved = habit_strength(history(mon_wed_fri(12) + [day(95)], rest), Profile(), today=day(97))
    assert moved >= without


def test_one_quiet_day_lowers_a_settled_strength_only_a_little():
    # After months of Mon/Wed/Fri, the trailing window empties after 14 quiet days.
    h = history(mon_wed_fri(20))
    settled = habit_strength(h, Profile(), today=day(160))
    one_more = habit_strength(h, Profile(), today=day(161))
    multiplier = 0.5 ** (math.sqrt(3 / 7) / 13)
    assert one_more == pytest.approx(settled * multiplier)
    assert one_more > 0.95 * settled


def test_habit_strength_on_the_rhythm_matches_the_function():
    h = history(mon_wed_fri(6), rest=[day(1)])
    assert rhythm(h, Profile(), today=day(45)).habit_strength == habit_strength(
        h, Profile(), today=day(45)
    )


# --- speed ----------------------------------------------------------------------


def test_ten_years_of_daily_records_take_a_few_milliseconds():
    sessions = tuple(walk(day(n)) for n in range(3653))
    rest = tuple(RestDay(day=day(n)) for n in range(0, 3653, 5))
    h = History(sessions=sessions, rest_days=rest)
    best = math.inf
    for _ in range(5):
        started = time.perf_counter()
        rhythm(h, Profile(), today=day(3653))
        best = min(best, time.perf_counter() - started)
    assert best < 0.02


# --- properties -----------------------------------------------------------------

offsets = st.sets(st.integers(0, 120), max_size=60)
profiles = st.builds(Profile, target_days=st.integers(1, 7), week_start=st.integers(0, 6))
todays = st.integers(0, 130)


@given(offsets, offsets, profiles, todays)
def test_habit_strength_stays_between_zero_and_one(active, rest, profile, today):
    h = history([day(n) for n in active], [day(n) for n in rest])
    s = habit_strength(h, profile, today=day(today))
    assert 0.0 <= s <= 1.0


@given(offsets, offsets, profiles, todays, st.integers(0, 130))
def test_marking_a_quiet_day_as_rest_never_lowers_the_strength(active, rest, profile, today, extra):
    assume(extra not in active and extra not in rest)
    sessions = [day(n) for n in active]
    before = habit_strength(history(sessions, [day(n) for n in rest]), profile, today=day(today))
    with_rest = history(sessions, [day(n) for n in rest | {extra}])
    after = habit_strength(with_rest, profile, today=day(today))
    assert after >= before


@given(offsets, offsets, profiles, todays, st.integers(0, 130))
def test_adding_a_session_never_lowers_the_strength(active, rest, profile, today, extra):
    rests = [day(n) for n in rest]
    before = habit_strength(history([day(n) for n in active], rests), profile, today=day(today))
    with_session = history([day(n) for n in active | {extra}], rests)
    after = habit_strength(with_session, profile, today=day(today))
    assert after >= before


@given(
    st.sets(st.integers(0, 60), min_size=12, max_size=50),
    offsets,
    profiles,
    st.integers(1, 90),
)
def test_a_quiet_day_never_drops_the_strength_to_zero(active, rest, profile, today):
    # Make ``today`` a quiet day: no session and no planned rest.
    h = history([day(n) for n in active - {today}], [day(n) for n in rest - {today}])
    before = habit_strength(h, profile, today=day(today - 1))
    assume(before > 0.1)
    after = habit_strength(h, profile, today=day(today))
    assert after > 0.9 * before > 0


@given(offsets, offsets, profiles, todays)
@settings(max_examples=200)
def test_runs_and_week_counts_stay_consistent(active, rest, profile, today):
    h = history([day(n) for n in active], [day(n) for n in rest])
    r = rhythm(h, profile, today=day(today))
    assert r.current_run_weeks <= r.longest_run_weeks
    assert r.weeks_meeting_target <= len(r.weeks) == r.weeks_recorded
    assert r.longest_run_weeks <= r.weeks_meeting_target
    assert sum(w.active_days for w in r.weeks) == len({n for n in active if n <= today})
    for w in r.weeks:
        assert w.start.weekday() == profile.week_start
        assert 0 <= w.active_days + w.rest_days <= 7
        assert w.met_target == (w.active_days >= profile.target_days)
    if r.weeks:
        assert r.weeks[-1].start == r.week_start
        assert all(b.start - a.start == timedelta(days=7) for a, b in itertools.pairwise(r.weeks))


@given(offsets, offsets, profiles, todays)
def test_no_sentence_ever_shames_or_pressures(active, rest, profile, today):
    h = history([day(n) for n in active], [day(n) for n in rest])
    r = rhythm(h, profile, today=day(today))
    for text in (r.summary, r.habit_sentence, r.who_sentence):
        assert not unkind(text)
        assert "!" not in text


def _reference_strength(active: set[int], rest: set[int], target: int, end: int) -> float:
    """The formula of the module docstring, day by day with sets, as first written."""
    active = {d for d in active if d <= end}
    if not active:
        return 0.0
    rest = {d for d in rest if d <= end} - active
    start = min(active | rest)
    window, needed = (14, 2 * target) if target < 7 else (7, 7)
    m = 0.5 ** (math.sqrt(target / 7) / 13)
    score, in_window = 0.0, 0
    for d in range(start, end + 1):
        in_window += d in active
        in_window -= (d - window) in active
        moved = score * m + min(1.0, in_window / needed) * (1 - m)
        score = max(score, moved) if (d in active or d in rest) else moved
    return min(1.0, max(0.0, score))


@given(st.sets(st.integers(0, 120), min_size=10, max_size=110), offsets, profiles, todays)
@settings(max_examples=300)
def test_habit_strength_is_the_day_by_day_formula_exactly(active, rest, profile, today):
    """The byte-array loop gives the very same number as the plain formula."""
    history_ = history([day(o) for o in active], [day(o) for o in rest])
    expected = _reference_strength({day(o).toordinal() for o in active},
                                   {day(o).toordinal() for o in rest},
                                   profile.target_days, day(today).toordinal())
    assert habit_strength(history_, profile, today=day(today)) == expected


@given(st.lists(st.tuples(st.integers(0, 400), st.integers(1, 90),
                          st.sampled_from([0.0, 1.3, 2.5, 3.5, 4.8, 7.0]))), offsets, profiles, todays)
def test_rhythm_of_columns_is_rhythm_of_the_history(sessions, rest, profile, today):
    """What the Rhythm page reads (day ordinal, minutes, MET) gives the rhythm the full record
    gives, with all its weeks or only the last few."""
    from kindstep.core.rhythm import rhythm_of

    full = History(sessions=tuple(Session(day=day(o), activity="walk", minutes=m, met=met)
                                  for o, m, met in sessions),
                   rest_days=tuple(RestDay(day=day(o)) for o in rest))
    columns = [(day(o).toordinal(), m, met) for o, m, met in sessions]
    rests = [day(o).toordinal() for o in rest]
    assert rhythm_of(columns, rests, profile, today=day(today)) == \
        rhythm(full, profile, today=day(today))
    for shown in (1, 3, 12):
        assert rhythm_of(columns, rests, profile, today=day(today), weeks=shown) == \
            rhythm(full, profile, today=day(today), weeks=shown)

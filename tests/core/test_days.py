"""Tests for kindstep.core.days: a person's local days and weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kindstep.core.days import person_day, valid_timezone, week_start

UTC = UTC


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- the day-start boundary -------------------------------------------------


def test_half_past_two_at_night_belongs_to_the_day_before():
    # 01:30 UTC is 02:30 in Berlin (CET, UTC+1) on 7 March 2025.
    assert person_day(utc(2025, 3, 7, 1, 30), "Europe/Berlin", 4) == date(2025, 3, 6)


def test_the_day_starts_exactly_at_the_start_hour():
    assert person_day(utc(2025, 3, 7, 3, 0), "Europe/Berlin", 4) == date(2025, 3, 7)  # 04:00
    assert person_day(utc(2025, 3, 7, 2, 59, 59), "Europe/Berlin", 4) == date(2025, 3, 6)


def test_a_start_hour_of_zero_gives_the_plain_local_calendar_date():
    assert person_day(utc(2025, 3, 6, 23, 30), "Europe/Berlin", 0) == date(2025, 3, 7)
    assert person_day(utc(2025, 3, 6, 22, 59), "Europe/Berlin", 0) == date(2025, 3, 6)


def test_the_local_date_can_be_ahead_of_the_utc_date():
    # 20:00 UTC on 6 March is 09:00 on 7 March in Auckland (NZDT, UTC+13).
    assert person_day(utc(2025, 3, 6, 20, 0), "Pacific/Auckland", 4) == date(2025, 3, 7)


def test_the_local_date_can_be_behind_the_utc_date():
    # 03:00 UTC on 7 March is 22:00 on 6 March in New York (EST, UTC-5).
    assert person_day(utc(2025, 3, 7, 3, 0), "America/New_York", 4) == date(2025, 3, 6)


def test_an_instant_given_in_another_offset_is_read_as_the_same_instant():
    tokyo = timezone(timedelta(hours=9))
    at = datetime(2025, 3, 7, 10, 30, tzinfo=tokyo)  # 01:30 UTC, 02:30 Berlin
    assert person_day(at, "Europe/Berlin", 4) == date(2025, 3, 6)


# --- daylight-saving transitions ---------------------------------------------


def test_spring_forward_keeps_the_day_start_on_the_local_wall_clock():
    # London, 30 March 2025: 01:00 GMT jumps to 02:00 BST (UTC+1).
    assert person_day(utc(2025, 3, 30, 0, 59), "Europe/London", 4) == date(2025, 3, 29)
    assert person_day(utc(2025, 3, 30, 2, 59), "Europe/London", 4) == date(2025, 3, 29)  # 03:59
    assert person_day(utc(2025, 3, 30, 3, 0), "Europe/London", 4) == date(2025, 3, 30)  # 04:00


def test_spring_forward_in_new_york_moves_the_day_start_by_an_hour_in_utc():
    # New York, 9 March 2025: 02:00 EST jumps to 03:00 EDT (UTC-4).
    ny = "America/New_York"
    assert person_day(utc(2025, 3, 8, 9, 0), ny, 4) == date(2025, 3, 8)  # 04:00 EST
    assert person_day(utc(2025, 3, 9, 7, 59), ny, 4) == date(2025, 3, 8)  # 03:59 EDT
    assert person_day(utc(2025, 3, 9, 8, 0), ny, 4) == date(2025, 3, 9)  # 04:00 EDT


def test_both_passes_of_the_repeated_hour_at_fall_back_belong_to_the_day_before():
    # London, 26 October 2025: 02:00 BST falls back to 01:00 GMT, so 01:30 happens twice.
    first_pass = utc(2025, 10, 26, 0, 30)  # 01:30 BST
    second_pass = utc(2025, 10, 26, 1, 30)  # 01:30 GMT
    assert person_day(first_pass, "Europe/London", 4) == date(2025, 10, 25)
    assert person_day(second_pass, "Europe/London", 4) == date(2025, 10, 25)
    assert person_day(utc(2025, 10, 26, 3, 59), "Europe/London", 4) == date(2025, 10, 25)
    assert person_day(utc(2025, 10, 26, 4, 0), "Europe/London", 4) == date(2025, 10, 26)


def test_a_day_start_inside_the_repeated_hour_counts_from_its_first_pass():
    first_pass = utc(2025, 10, 26, 0, 30)  # 01:30 BST, after a 01:00 start
    just_before = utc(2025, 10, 25, 23, 59)  # 00:59 BST
    assert person_day(first_pass, "Europe/London", 1) == date(2025, 10, 26)
    assert person_day(just_before, "Europe/London", 1) == date(2025, 10, 25)


# --- kind errors ----------------------------------------------------------------


def test_a_time_without_a_time_zone_is_refused_kindly():
    with pytest.raises(ValueError, match="no time zone attached"):
        person_day(datetime(2025, 3, 7, 2, 30), "Europe/Berlin", 4)


def test_an_unknown_time_zone_is_refused_with_an_example_of_a_good_one():
    expected = "could not find the time zone 'Mars/Olympus'.*Europe/London"
    with pytest.raises(ValueError, match=expected):
        person_day(utc(2025, 3, 7), "Mars/Olympus", 4)


@pytest.mark.parametrize("name", ["", "../etc/passwd", "/etc/localtime", "europe/berlin "])
def test_malformed_time_zone_names_are_refused_as_unknown(name):
    with pytest.raises(ValueError, match="could not find the time zone"):
        person_day(utc(2025, 3, 7), name, 4)


@pytest.mark.parametrize("hour", [-1, 24, True, 4.0])
def test_a_start_hour_outside_the_day_is_refused(hour):
    with pytest.raises(ValueError, match="from 0 to 23"):
        person_day(utc(2025, 3, 7), "UTC", hour)


@pytest.mark.parametrize("name", ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata"])
def test_real_time_zones_are_valid(name):
    assert valid_timezone(name)


@pytest.mark.parametrize("name", ["", "Mars/Olympus", "utc", "../etc", "/etc/passwd", None, 5])
def test_unknown_or_malformed_time_zones_are_not_valid(name):
    assert not valid_timezone(name)


# --- weeks ------------------------------------------------------------------------


def test_iso_weeks_start_on_monday_by_default():
    assert week_start(date(2025, 3, 9)) == date(2025, 3, 3)  # a Sunday
    assert week_start(date(2025, 3, 3)) == date(2025, 3, 3)  # a Monday


def test_sunday_weeks_put_sunday_first():
    assert week_start(date(2025, 3, 9), 6) == date(2025, 3, 9)
    assert week_start(date(2025, 3, 8), 6) == date(2025, 3, 2)


def test_weeks_can_cross_a_year_end():
    assert week_start(date(2025, 1, 1)) == date(2024, 12, 30)


@pytest.mark.parametrize("first", [-1, 7, True])
def test_a_first_weekday_outside_monday_to_sunday_is_refused(first):
    with pytest.raises(ValueError, match="0 \\(Monday\\) to 6 \\(Sunday\\)"):
        week_start(date(2025, 3, 3), first)


@given(st.dates(min_value=date(1900, 1, 8), max_value=date(2200, 1, 1)), st.integers(0, 6))
def test_a_week_start_is_the_chosen_weekday_within_the_six_days_before(day, first):
    start = week_start(day, first)
    assert start.weekday() == first
    assert start <= day < start + timedelta(days=7)


@given(
    st.datetimes(min_value=datetime(1980, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from(
        ["UTC", "Europe/London", "America/New_York", "Pacific/Auckland", "Asia/Kolkata"]
    ),
    st.integers(0, 23),
)
def test_a_person_day_is_the_local_date_or_the_one_before(naive_utc, name, hour):
    from zoneinfo import ZoneInfo

    at = naive_utc.replace(tzinfo=UTC)
    local = at.astimezone(ZoneInfo(name))
    day = person_day(at, name, hour)
    assert day in (local.date(), local.date() - timedelta(days=1))
    assert (day == local.date()) == (local.hour >= hour)

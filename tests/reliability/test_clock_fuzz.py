"""Clock and time zones: every entry lands on the person's right local day and week.

Hypothesis picks instants near daylight-saving changes and leap days, time zones with
odd offsets (+05:45, +13:45 in summer, -03:30, half-hour DST on Lord Howe, +14 and -11),
a day-start hour and a first weekday; the entry is logged through the same action every
interface uses, with that instant as "now". What it must hold is worked out here on its
own, from the wall clock (Python's zoneinfo), not by calling kindstep's rule:

- the entry's day is the local date, or the date before when the local hour is earlier
  than the day-start hour;
- its week starts on the chosen weekday, at most six days before;
- after travelling (the time zone setting changes), entries already kept stay on their
  day, and a new entry at the same instant follows the new zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kindstep.core import days
from kindstep.store import actions, models, queries

ZONES = ("UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/St_Johns",
         "America/Sao_Paulo", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kathmandu",
         "Asia/Kolkata", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Africa/Casablanca")

# Moments where days go wrong: the spring and autumn changes in Europe, North America and
# the south, and the leap days (29 February 2024 and 2028), each with a day either side.
_EDGES = (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC),
          datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 11, 1, 6, tzinfo=UTC),
          datetime(2026, 4, 5, 15, tzinfo=UTC), datetime(2026, 9, 26, 14, tzinfo=UTC),
          datetime(2024, 2, 29, 12, tzinfo=UTC), datetime(2028, 2, 29, 12, tzinfo=UTC))
instants = st.one_of(
    st.builds(lambda edge, minutes: edge + timedelta(minutes=minutes),
              st.sampled_from(_EDGES), st.integers(-36 * 60, 36 * 60)),
    st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2029, 12, 31),
                 timezones=st.just(UTC)),
)
FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def expected_day(at: datetime, zone: str, start_hour: int) -> date:
    """The person's day for ``at``, read off the wall clock in ``zone``."""
    local = at.astimezone(ZoneInfo(zone))
    return local.date() - timedelta(days=1) if local.hour < start_hour else local.date()


def a_person(zone: str, start_hour: int, first_weekday: int) -> models.Person:
    return models.Person.objects.create(timezone=zone, day_start_hour=start_hour,
                                        week_start=first_weekday)


@pytest.mark.django_db
@FUZZ
@given(at=instants, zone=st.sampled_from(ZONES), start_hour=st.integers(0, 23),
       first_weekday=st.integers(0, 6))
def test_a_session_and_a_rest_day_land_on_the_wall_clocks_day_and_week(
        at, zone, start_hour, first_weekday):
    person = a_person(zone, start_hour, first_weekday)
    session = actions.log_session(person, activity="walk", duration=10, now=at)
    rest, _ = actions.log_rest(person, now=at)
    want = expected_day(at, zone, start_hour)
    assert session.day == want
    assert rest.day == want
    assert queries.today(person, at) == want

    first = days.week_start(want, first_weekday)
    assert first.weekday() == first_weekday
    assert 0 <= (want - first).days <= 6


@pytest.mark.django_db
@FUZZ
@given(at=instants, home=st.sampled_from(ZONES), away=st.sampled_from(ZONES),
       start_hour=st.integers(0, 23))
def test_travel_keeps_kept_entries_on_their_day_and_new_ones_follow_the_new_zone(
        at, home, away, start_hour):
    person = a_person(home, start_hour, 0)
    before = actions.log_session(person, activity="walk", duration=10, now=at)
    person = actions.update_settings(person, timezone=away)
    after = actions.log_session(person, activity="walk", duration=10, now=at)

    before.refresh_from_db()
    assert before.day == expected_day(at, home, start_hour)
    assert after.day == expected_day(at, away, start_hour)
    kept = {(row.pk, row.day) for row in models.MovementSession.objects.filter(person=person)}
    assert kept == {(before.pk, before.day), (after.pk, after.day)}


@pytest.mark.django_db
@FUZZ
@given(at=instants, zone=st.sampled_from(ZONES), start_hour=st.integers(0, 23),
       hours=st.integers(1, 72))
def test_days_never_go_backwards_as_the_clock_moves_on(at, zone, start_hour, hours):
    """Across a daylight-saving change a day may be 23 or 25 hours, but never repeats."""
    person = a_person(zone, start_hour, 0)
    first = actions.log_session(person, activity="walk", duration=5, now=at)
    later = actions.log_session(person, activity="walk", duration=5,
                                now=at + timedelta(hours=hours))
    assert later.day >= first.day
    assert (later.day - first.day).days <= hours // 23 + 1

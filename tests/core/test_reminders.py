"""core.reminders: the due-reminder rule, by property over days, times, quiet hours, time
zones and daylight-saving changes, and the words reminders use."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kindstep.core import reminders as rules
from kindstep.core.checks import InvalidInput
from kindstep.core.days import person_day
from tests.words import unkind

ZONES = ["UTC", "Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
         "Pacific/Chatham", "America/Sao_Paulo", "Europe/Berlin"]
"""With and without daylight saving, both hemispheres, and a 45-minute offset."""

AROUND_CHANGES = [date(2026, 3, 7), date(2026, 3, 28), date(2026, 10, 24), date(2026, 10, 31),
                  date(2026, 4, 4), date(2026, 10, 3), date(2026, 11, 1), date(2026, 7, 15)]
"""A day or so before clock changes in the zones above (US, EU, Australia), and a quiet one."""

times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 1, 15, 30, 45, 59]))
plans = st.builds(
    rules.Plan,
    days=st.frozensets(st.integers(0, 6), min_size=1),
    times=st.lists(times, min_size=1, max_size=3, unique=True).map(lambda ts: tuple(sorted(ts))),
    channel=st.just("push"),
    quiet=st.none() | st.tuples(times, times).filter(lambda q: q[0] != q[1]),
)


def exists(day: date, at: time, zone: ZoneInfo) -> bool:
    """True when the wall time ``at`` happens on ``day`` in ``zone`` (not skipped by a change)."""
    local = datetime.combine(day, at, tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(
        tzinfo=None)


@settings(max_examples=60, deadline=None)
@given(plan=plans, zone=st.sampled_from(ZONES), start=st.sampled_from(AROUND_CHANGES),
       offset=st.integers(0, 59), day_start=st.integers(0, 6),
       logged=st.sets(st.integers(0, 3), max_size=2), paused=st.sets(st.integers(0, 3),
                                                                      max_size=2))
def test_reminders_go_exactly_at_the_chosen_local_times_and_never_otherwise(
        plan, zone, start, offset, day_start, logged, paused):
    tz = ZoneInfo(zone)
    logged_days = {start + timedelta(days=n) for n in logged}
    paused_days = {start + timedelta(days=n) for n in paused}
    # A worker waking every minute, ``offset`` seconds past it, for three days.
    begin = datetime.combine(start, time(0), tzinfo=tz).astimezone(UTC) + timedelta(
        seconds=offset)
    sent: dict[tuple[date, str], datetime] = {}
    seen: dict[tuple[date, str], set[datetime]] = {}
    for minute in range(3 * 24 * 60):
        now = begin + timedelta(minutes=minute)
        for slot in rules.due_slots(plan, timezone=zone, day_start_hour=day_start,
                                    logged_days=logged_days, paused_days=paused_days, now=now):
            seen.setdefault((slot.day, slot.key), set()).add(slot.at)
            sent.setdefault((slot.day, slot.key), now)  # the store sends a slot once
    end = begin + timedelta(minutes=3 * 24 * 60 - 1)
    for (day, key), at in sent.items():
        (slot_at,) = seen[(day, key)]  # one slot, one instant: it can never go twice
        chosen = time.fromisoformat(key)
        assert day.weekday() in plan.days and chosen in plan.times
        # At the first wake-up from its time (or from the start, for one just before it).
        assert timedelta(0) <= at - max(slot_at, begin) < timedelta(minutes=1)
        local = slot_at.astimezone(tz)
        if exists(day, chosen, tz):
            assert (local.date(), local.time()) == (day, chosen)
        else:  # skipped by a spring-forward change: the same instant, one gap later
            assert local.time() > chosen
        assert not rules.in_quiet(local.time(), plan.quiet)
        theirs = person_day(slot_at, zone, day_start)
        assert theirs not in logged_days and theirs not in paused_days
    # Nothing owed was left out: every chosen time in the window that was not quiet,
    # logged or paused went.
    for n in range(-1, 4):
        day = start + timedelta(days=n)
        if day.weekday() not in plan.days:
            continue
        for chosen in plan.times:
            at = datetime.combine(day, chosen, tzinfo=tz).astimezone(UTC)
            if not begin <= at <= end - timedelta(minutes=1):
                continue
            theirs = person_day(at, zone, day_start)
            owed = not (rules.in_quiet(at.astimezone(tz).time(), plan.quiet)
                        or theirs in logged_days or theirs in paused_days)
            assert ((day, f"{chosen:%H:%M}") in sent) == owed
    assert len(sent) <= 4 * len(plan.times)  # never more than set


def test_a_time_skipped_by_spring_forward_goes_once_an_hour_later_on_the_clock():
    plan = rules.Plan(frozenset({6}), (time(1, 30),))  # Sunday 29 March 2026, London
    at = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 02:30 BST: 01:30 GMT never happened
    (slot,) = rules.due_slots(plan, timezone="Europe/London", day_start_hour=4, logged_days=(),
                              paused_days=(), now=at)
    assert slot.at == at and slot.key == "01:30"


def test_a_time_that_happens_twice_at_fall_back_goes_the_first_time_only():
    plan = rules.Plan(frozenset({6}), (time(1, 30),))  # Sunday 25 October 2026, London
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT, an hour later
    kw = {"timezone": "Europe/London", "day_start_hour": 4, "logged_days": (), "paused_days": ()}
    (slot,) = rules.due_slots(plan, now=first, **kw)
    (again,) = rules.due_slots(plan, now=first + timedelta(minutes=30), **kw)
    assert again.at == slot.at == first and again.key == slot.key  # the same slot, one key
    assert rules.due_slots(plan, now=second, **kw) == []  # the clock's second 01:30


def test_nothing_is_due_when_no_reminder_is_set():
    at = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
    assert rules.due_slots(rules.Plan(), timezone="UTC", day_start_hour=4, logged_days=(),
                           paused_days=(), now=at) == []


def test_a_stale_slot_is_not_sent_after_the_grace_hour():
    plan = rules.Plan(frozenset({0}), (time(8, 30),))
    late = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    assert rules.due_slots(plan, timezone="UTC", day_start_hour=4, logged_days=(),
                           paused_days=(), now=late) == []


@pytest.mark.parametrize(("field", "call"), [
    ("days", lambda: rules.parse_days("mon,funday")),
    ("days", lambda: rules.parse_days("")),
    ("time", lambda: rules.parse_times("8.30")),
    ("time", lambda: rules.parse_times("24:00")),
    ("time", lambda: rules.parse_times("07:00,08:00,09:00,10:00")),
    ("quiet", lambda: rules.parse_quiet("22:00")),
    ("quiet", lambda: rules.parse_quiet("22:00-22:00")),
])
def test_bad_settings_are_refused_with_one_kind_line_naming_the_field(field, call):
    with pytest.raises(InvalidInput) as err:
        call()
    assert err.value.field == field and "\n" not in err.value.message
    assert not unkind(err.value.message)


def test_reminder_words_offer_and_never_press():
    words = [*rules._OFFERS, rules.TEST_MESSAGE, rules.described(rules.Plan()),
             *(rules.after_test(c, n) for c in rules.CHANNELS for n in (0, 1))]
    for text in words:
        assert not unkind(text), text
    # Varied: a fortnight of one daily slot uses several of the offers.
    slots = [rules.Slot(date(2026, 12, 1) + timedelta(days=n), time(8, 30),
                        datetime(2026, 12, 1, tzinfo=UTC)) for n in range(14)]
    assert len({rules.message(s) for s in slots}) >= 3

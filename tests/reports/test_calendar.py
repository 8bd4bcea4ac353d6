"""The reminders' calendar file parses back (icalendar) with the right times across
daylight-saving changes, in the person's own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from kindstep.core.reminders import Plan
from kindstep.reports.calendar import reminders_ics

STAMP = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def occurrences(data: bytes, start: datetime, end: datetime) -> list[datetime]:
    """Every occurrence of every event between ``start`` and ``end``, expanded by hand from
    the parsed RRULE (weekly on BYDAY), without EXDATEs, in the event's own zone."""
    from dateutil.rrule import rrulestr

    cal = Calendar.from_ical(data)
    found = []
    for event in cal.walk("VEVENT"):
        first = event.decoded("dtstart")
        rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=first)
        skipped = set()
        for ex in event.get("exdate", []) if isinstance(event.get("exdate"), list) else (
                [event["exdate"]] if "exdate" in event else []):
            skipped.update(d.dt for d in ex.dts)
        found += [o for o in rule.between(start, end, inc=True) if o not in skipped]
    return sorted(found)


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Australia/Sydney"])
def test_reminders_stay_at_0830_local_on_both_sides_of_a_clock_change(zone):
    tz = ZoneInfo(zone)
    plan = Plan(frozenset({0, 2, 4}), (time(8, 30),))
    data = reminders_ics(plan, timezone=zone, today=date(2026, 2, 20), stamp=STAMP)
    cal = Calendar.from_ical(data)
    assert [tz_.get("tzid") for tz_ in cal.walk("VTIMEZONE")] == [zone]
    (event,) = cal.walk("VEVENT")
    assert event.decoded("dtstart").tzinfo is not None
    assert str(event.decoded("dtstart").tzinfo) == zone
    assert event["rrule"]["FREQ"] == ["WEEKLY"] and event["rrule"]["BYDAY"] == ["MO", "WE", "FR"]
    assert event.walk("VALARM")[0]["action"] == "DISPLAY"
    start = datetime(2026, 2, 20, tzinfo=tz)
    found = occurrences(data, start, start + timedelta(days=280))  # spring and autumn changes
    assert len(found) == 120
    offsets = set()
    for at in found:
        local = at.astimezone(tz)
        assert (local.hour, local.minute) == (8, 30) and local.weekday() in plan.days
        offsets.add(local.utcoffset())
    assert len(offsets) == 2  # the UTC instant moved with the clocks; the wall time did not


def test_paused_days_are_left_out_and_the_file_names_nobody():
    plan = Plan(frozenset({0, 2}), (time(8, 30), time(18, 0)))
    data = reminders_ics(plan, timezone="Europe/London", today=date(2026, 3, 20), stamp=STAMP,
                         paused=[date(2026, 3, 30), date(2026, 3, 31)])
    tz = ZoneInfo("Europe/London")
    found = occurrences(data, datetime(2026, 3, 20, tzinfo=tz), datetime(2026, 4, 5, tzinfo=tz))
    days = sorted({at.date() for at in found})
    assert date(2026, 3, 30) not in days  # a Monday in the pause
    assert days == [date(2026, 3, 23), date(2026, 3, 25), date(2026, 4, 1)]
    text = data.decode()
    assert "UID:reminder-0830@kindstep.invalid" in text
    assert "ATTENDEE" not in text and "ORGANIZER" not in text


def test_no_reminders_means_a_calendar_with_no_events():
    cal = Calendar.from_ical(reminders_ics(Plan(), timezone="UTC", today=date(2026, 3, 20),
                                           stamp=STAMP))
    assert cal.walk("VEVENT") == []

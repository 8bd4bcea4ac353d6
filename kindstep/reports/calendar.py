"""The reminders as an iCalendar file (RFC 5545), for a calendar app to show.

One recurring event per chosen time, weekly on the chosen weekdays, written
in the person's own time zone (``DTSTART;TZID=...`` with its VTIMEZONE), so
the calendar keeps 08:30 at 08:30 on both sides of a daylight-saving change.
Each event carries a display alarm at its start. Paused days are left out
(``EXDATE``). Quiet hours need nothing here: a time inside them cannot be set.

The events carry no person data: their UIDs are the time of day and a
fixed domain, their words the same kind offer every time. No Django, no clock:
``today`` and ``stamp`` come in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from kindstep.core.reminders import Plan

_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

SUMMARY = "kindstep: something gentle, if it feels possible"
DESCRIPTION = ("A few minutes of gentle movement, or rest: both count. "
               "Open kindstep's Today when you like.")
EVENT_MINUTES = 10


def reminders_ics(plan: Plan, *, timezone: str, today: date, stamp: datetime,
                  paused: Iterable[date] = ()) -> bytes:
    """The calendar file for ``plan``, starting on ``today`` (empty of events when none is set)."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//kindstep//reminders//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "kindstep reminders")
    zone = ZoneInfo(timezone)
    skipped = sorted(set(paused))
    if plan.on:
        first = next(today + timedelta(days=n) for n in range(7)
                     if (today + timedelta(days=n)).weekday() in plan.days)
        for at in plan.times:
            event = Event()
            event.add("uid", f"reminder-{at:%H%M}@kindstep.invalid")
            event.add("dtstamp", stamp)
            start = datetime.combine(first, at, tzinfo=zone)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(minutes=EVENT_MINUTES))
            event.add("rrule", {"freq": "weekly",
                                "byday": [_BYDAY[d] for d in sorted(plan.days)]})
            event.add("summary", SUMMARY)
            event.add("description", DESCRIPTION)
            event.add("transp", "TRANSPARENT")
            off = [datetime.combine(d, at, tzinfo=zone) for d in skipped
                   if d >= first and d.weekday() in plan.days]
            if off:
                event.add("exdate", off)
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", SUMMARY)
            alarm.add("trigger", timedelta(0))
            event.add_component(alarm)
            cal.add_component(event)
        cal.add_missing_timezones()
    return cal.to_ical()

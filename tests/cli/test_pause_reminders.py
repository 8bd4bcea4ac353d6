"""`kindstep pause ...` and `kindstep reminders ...` in-process: output, --json, refusals."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
import time_machine
from icalendar import Calendar
from typer.testing import CliRunner

from kindstep.cli.main import app
from kindstep.store import actions, models
from tests.conftest import NOW
from tests.words import unkind

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(db):
    return actions.local_person()


@pytest.fixture
def run(person):
    runner = CliRunner()

    def _run(*args: str, at=NOW):
        with time_machine.travel(at, tick=False):
            return runner.invoke(app, list(args), catch_exceptions=False)

    return _run


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    assert not unkind(result.output), result.output
    return result.output


def refused(result, counts_before, counts) -> str:
    assert result.exit_code == 2, result.output
    assert counts() == counts_before
    (line,) = result.stderr.strip().splitlines()
    assert not unkind(line)
    return line


# -- pause ------------------------------------------------------------------------------------


def test_pause_says_what_is_set_starts_and_ends(run, person):
    assert ok(run("pause")) == "No pause is set.\n"
    out = ok(run("pause", "--until", "2026-12-01", "--reason", "away"))
    assert out.startswith("Paused (I'm away) until Tuesday 1 December; nothing counts against")
    data = json.loads(ok(run("pause", "--json")))
    assert data == {"pause": {"start": "2026-11-25", "until": "2026-12-01", "reason": "away"}}
    today = json.loads(ok(run("today", "--json")))
    assert today["paused"] == "away"
    assert all(c["minutes"] <= 10 and c["intensity"] in ("very_light", "light")
               for c in today["choices"])
    assert "You're away, and that's fine" in ok(run("today"))
    assert ok(run("pause", "end", at=NOW + timedelta(days=2))).startswith("Welcome back.")
    assert ok(run("pause", "end", at=NOW + timedelta(days=2))) == "No pause was set, so there was nothing to end.\n"


def test_a_reason_alone_pauses_until_ended(run):
    assert "until you end it" in ok(run("pause", "--reason", "unwell"))
    assert models.Pause.objects.get().until is None


@pytest.mark.parametrize("args", [("--until", "2026-11-01"), ("--until", "soon"),
                                  ("--reason", "tired of it")])
def test_a_bad_pause_is_refused_with_one_line_and_nothing_written(run, counts, args):
    before = counts()
    refused(run("pause", *args), before, counts)


def test_week_shows_paused_days_and_the_smaller_aim(run, person):
    run("pause", "--until", "2026-11-29")  # Wednesday to Sunday: 5 of 7 days
    data = json.loads(ok(run("week", "--json")))
    assert (data["paused_days_this_week"], data["aim_this_week"]) == (5, 1)
    assert "this week's aim is 1 day" in ok(run("week"))


# -- reminders --------------------------------------------------------------------------------


def test_reminders_are_none_by_default_then_set_then_off(run):
    assert ok(run("reminders")) == "No reminders are set.\n"
    out = ok(run("reminders", "set", "--days", "mon,wed,fri", "--time", "08:30", "--quiet",
                 "22:00-07:00"))
    assert out.startswith("Reminders on Monday, Wednesday and Friday at 08:30, by web push; "
                          "quiet 22:00-07:00.")
    assert json.loads(ok(run("reminders", "--json"))) == {
        "days": [0, 2, 4], "times": ["08:30"], "channel": "push", "quiet": "22:00-07:00"}
    assert ok(run("reminders", "off")) == "Reminders are off.\n"
    assert ok(run("reminders")) == "No reminders are set.\n"


@pytest.mark.parametrize("args", [
    ("--days", "mon", "--time", "25:00"),
    ("--days", "moon", "--time", "08:30"),
    ("--days", "mon", "--time", "08:30", "--channel", "email"),  # local mode
    ("--days", "mon", "--time", "23:30", "--quiet", "22:00-07:00"),
])
def test_bad_reminder_settings_are_refused_with_one_line_and_nothing_written(run, counts, args):
    before = counts()
    refused(run("reminders", "set", *args), before, counts)


def test_reminders_ics_writes_a_calendar_file_that_parses_back(run, tmp_path):
    run("reminders", "set", "--days", "mon", "--time", "08:30", "--channel", "calendar")
    out = tmp_path / "kindstep.ics"
    assert ok(run("reminders", "ics", "--out", str(out))).startswith("Wrote ")
    (event,) = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    start = event.decoded("dtstart")
    assert (start.hour, start.minute, str(start.tzinfo)) == (8, 30, "UTC")
    assert start.date() == date(2026, 11, 30)  # the first Monday from today
    printed = ok(run("reminders", "ics"))
    assert printed.startswith("BEGIN:VCALENDAR")


def test_reminders_ics_to_a_folder_that_cannot_be_written_is_refused(run, tmp_path):
    result = run("reminders", "ics", "--out", str(tmp_path / "missing" / "x.ics"))
    assert result.exit_code == 2 and "Could not write" in result.stderr


def test_send_due_sends_once_and_test_says_what_happened(run, person):
    run("reminders", "set", "--days", "mon", "--time", "08:30")
    monday = datetime(2026, 11, 30, 8, 31, tzinfo=NOW.tzinfo)
    assert ok(run("reminders", "send-due", at=monday)) == "1 reminder sent.\n"
    assert ok(run("reminders", "send-due", at=monday)) == "0 reminders sent.\n"
    assert "No browser has turned on notifications yet" in ok(run("reminders", "test"))

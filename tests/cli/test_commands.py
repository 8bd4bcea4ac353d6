"""The CLI in-process: each command's output, its --json, and its kind refusals."""

from __future__ import annotations

import json

import pytest
import time_machine
from typer.testing import CliRunner

from kindstep.cli.main import app
from kindstep.store import models
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(db):
    from kindstep.store import actions

    actions.local_person()  # the one person of local mode exists after the first command
    runner = CliRunner()

    def _run(*args: str):
        with time_machine.travel(NOW, tick=False):
            return runner.invoke(app, list(args), catch_exceptions=False)

    return _run


def as_json(result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_log_records_a_session_and_says_so_kindly(run):
    result = run("log", "walk", "10m", "--before", "4", "--after", "6")
    assert result.exit_code == 0
    assert "Logged Walk at an easy pace, 10 min today" in result.stdout
    row = models.MovementSession.objects.get()
    assert (row.activity, row.minutes, row.mood_before, row.mood_after) == ("walk", 10, 4, 6)


def test_log_json_describes_the_new_session(run):
    data = as_json(run("log", "walk", "1h15m", "--effort", "3", "--json"))
    assert data["activity"] == "walk"
    assert data["minutes"] == 75
    assert data["met_minutes"] == pytest.approx(2.8 * 75)
    assert data["id"].startswith("s")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("log", "wlak", "10"), "jog_walk? `kindstep activities` lists them all."),
        (("log", "walk", "0"), "from 1 minute to 24 hours"),
        (("log", "walk", "-5"), "from 1 minute to 24 hours"),
        (("log", "walk", "25h"), "from 1 minute to 24 hours"),
        (("log", "walk", "10", "--date", "2026-12-01"), "in the future"),
        (("log", "walk", "10", "--date", "1/12/2026"), "use YYYY-MM-DD"),
        (("log", "walk", "10", "--effort", "11"), "from 0 to 10"),
        (("log", "walk", "10", "--before", "ten"), "whole number from 0 to 10"),
        (("checkin", "--energy", "3", "--mood", "4", "--anxiety", "12"), "Anxiety is a number from 0 to 10"),
        (("checkin", "--energy", "3", "--mood", "4"), "Please give --anxiety"),
        (("rest", "--date", "2026-11-31"), "use YYYY-MM-DD"),
        (("history", "--days", "0"), "Days is a number from 1"),
        (("settings", "--target-days", "9"), "from 1 to 7"),
        (("settings", "--timezone", "Nowhere/Land"), "not a time zone"),
        (("edit", "s999", "--duration", "5"),
         "There is no entry s999 in your record. `kindstep history` shows the IDs you have."),
        (("delete", "zz"), "An entry ID looks like s12"),
    ],
)
def test_bad_input_gets_one_kind_line_exit_2_and_nothing_written(run, counts, args, words):
    before = counts()
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert counts() == before


def test_checkin_json_echoes_what_was_stored(run):
    data = as_json(run("checkin", "--energy", "2", "--mood", "3", "--anxiety", "7",
                       "--minutes", "10", "--sleep", "5.5", "--json"))
    assert data["energy"] == 2 and data["anxiety"] == 7 and data["minutes_available"] == 10
    assert data["sleep_hours"] == 5.5
    assert data["date"] == "2026-11-25"


def test_rest_marks_the_day_as_care(run):
    result = run("rest", "--note", "slept in")
    assert "Rest is part of healing" in result.stdout
    assert models.RestDay.objects.get().note == "slept in"
    again = run("rest")
    assert "already a rest day" in again.stdout
    assert models.RestDay.objects.count() == 1


def test_history_json_lists_every_kind_of_entry_newest_first(run):
    run("log", "walk", "10", "--date", "2026-11-20")
    run("rest", "--date", "2026-11-22")
    run("checkin", "--energy", "5", "--mood", "5", "--anxiety", "5")
    data = as_json(run("history", "--days", "30", "--json"))
    kinds = [(e["kind"], e["date"]) for e in data["entries"]]
    assert kinds == [("checkin", "2026-11-25"), ("rest", "2026-11-22"), ("session", "2026-11-20")]


def test_history_is_gentle_when_there_is_nothing_yet(run):
    result = run("history")
    assert result.exit_code == 0
    assert "gentle place to start" in result.stdout


def test_history_shows_ids_that_edit_and_delete_accept(run):
    run("log", "walk", "10")
    session = models.MovementSession.objects.get()
    assert f"s{session.pk}" in run("history").stdout
    assert run("edit", f"s{session.pk}", "--duration", "20m", "--note", "legs felt light").exit_code == 0
    session.refresh_from_db()
    assert (session.minutes, session.note) == (20, "legs felt light")
    deleted = run("delete", f"s{session.pk}")
    assert deleted.exit_code == 0
    assert deleted.stdout == (f"Removed s{session.pk}. If you change your mind, `kindstep undo"
                              f" s{session.pk}` puts it back within the hour.\n")
    assert f"s{session.pk}" not in run("history").stdout
    assert not models.MovementSession.objects.filter(removed_at__isnull=True).exists()


def test_week_json_counts_active_days_against_the_target(run):
    run("log", "walk", "10", "--date", "2026-11-23")
    run("log", "yoga_gentle", "15", "--date", "2026-11-23")
    run("log", "walk", "10", "--date", "2026-11-24")
    data = as_json(run("week", "--json"))
    assert data["week_start"] == "2026-11-23"
    assert data["active_days_this_week"] == 2
    assert data["target_days"] == 3
    assert data["minutes_this_week"] == 35
    assert 0 <= data["habit_strength"] <= 1


def test_week_says_how_the_week_is_going(run):
    run("log", "walk", "10")
    result = run("week")
    assert result.exit_code == 0
    assert "this week" in result.stdout.lower()
    assert "WHO" in result.stdout


def test_activities_json_lists_the_catalogue(run):
    data = as_json(run("activities", "--json"))
    codes = {a["code"] for a in data}
    assert {"walk", "walk_dog", "stretch_seated", "yoga_gentle"} <= codes
    assert all(a["compendium_edition"] in (2011, 2024) for a in data)


def test_settings_change_and_json(run):
    data = as_json(run("settings", "--country", "gb", "--timezone", "Europe/London",
                       "--target-days", "4", "--day-start", "5", "--avoid", "jog,swim", "--json"))
    assert data["country"] == "GB" and data["target_days"] == 4 and data["day_start_hour"] == 5
    assert data["avoided"] == ["jog", "swim"]
    assert "Europe/London" in run("settings").stdout


def test_today_json_offers_three_choices_and_rest(run):
    run("checkin", "--energy", "2", "--mood", "3", "--anxiety", "6", "--minutes", "20")
    data = as_json(run("today", "--json"))
    assert len(data["choices"]) == 3
    assert set(data["choices"][0]) >= {"activity", "minutes", "intensity", "why"}
    assert all(c["minutes"] <= 10 for c in data["choices"])
    assert all(c["intensity"] in ("very_light", "light") for c in data["choices"])
    assert data["rest"]["why"]
    assert data["checkin"]["energy"] == 2


def test_today_without_a_checkin_still_offers_gentle_choices(run):
    data = as_json(run("today", "--json"))
    assert data["checkin"] is None
    assert len(data["choices"]) == 3


def test_today_on_a_pipe_shows_choices_and_asks_nothing(run, counts):
    before = counts()
    result = run("today")
    assert result.exit_code == 0
    assert "What feels possible today?" in result.stdout
    assert "Rest" in result.stdout
    assert counts() == before


def test_help_lists_every_command(run):
    result = run("--help")
    for command in ("checkin", "today", "log", "rest", "week", "history", "activities", "edit",
                    "delete", "undo", "tidy", "settings"):
        assert command in result.stdout

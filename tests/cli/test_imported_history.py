"""`kindstep history` lists imported journal moods and sleep, read-only, next to the person's own."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from typer.testing import CliRunner

from kindstep.cli.main import app
from kindstep.store import actions, models
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(db):
    return actions.local_person()


@pytest.fixture
def run(me, monkeypatch):
    from kindstep.cli import common

    # A fresh console made inside a wide terminal, so table rows are not wrapped mid-phrase
    # (the console is kept once made, at whatever width an earlier test gave it).
    monkeypatch.setattr(common, "_console", None)
    runner = CliRunner()

    def _run(*args: str):
        with time_machine.travel(NOW, tick=False):
            return runner.invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": "200"})

    return _run


def imported(person, day: date):
    """A Daylio mood and an Apple Health night's sleep on ``day``; returns both rows."""
    entry = models.JournalEntry.objects.create(
        person=person, source="daylio", external_id=f"{day}", day=day,
        at=datetime(day.year, day.month, day.day, 19, tzinfo=UTC), mood=8, note="sunny bench",
        activities=["friends", "walk"],
    )
    night = models.DailyMeasure.objects.create(
        person=person, day=day, value=6.5, source="apple_health",
        kind=models.DailyMeasure.Kind.SLEEP_HOURS)
    return entry, night


def test_history_json_shows_journal_and_sleep_entries_with_ids_to_remove_them(run, me):
    entry, night_row = imported(me, date(2026, 11, 23))
    checkin = actions.record_checkin(me, energy=4, mood=5, anxiety=6, now=NOW)
    result = run("history", "--json")
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)["entries"]
    assert [e["kind"] for e in entries] == ["checkin", "journal", "sleep"]
    assert entries[0]["id"] == f"c{checkin.pk}"
    journal, night = entries[1], entries[2]
    assert journal == {"id": f"j{entry.pk}", "kind": "journal", "date": "2026-11-23", "mood": 8,
                       "mood_name": None, "energy": None, "anxiety": None, "note": "sunny bench",
                       "activities": ["friends", "walk"], "source": "daylio"}
    assert night == {"id": f"n{night_row.pk}", "kind": "sleep", "date": "2026-11-23",
                     "hours": 6.5, "source": "apple_health"}


def test_an_imported_mood_and_night_can_be_removed_not_changed(run, me):
    entry, night = imported(me, date(2026, 11, 23))
    refused = run("edit", f"j{entry.pk}", "--mood", "3")
    assert refused.exit_code == 2 and "can be removed" in refused.output
    assert models.JournalEntry.objects.get(pk=entry.pk).mood == 8
    for ref in (f"j{entry.pk}", f"n{night.pk}"):
        done = run("delete", ref)
        assert done.exit_code == 0 and f"Removed {ref}." in done.stdout
    assert json.loads(run("history", "--json").stdout)["entries"] == []
    again = run("delete", f"j{entry.pk}")  # already removed: there is no such entry now
    assert again.exit_code == 2 and f"no entry j{entry.pk}" in again.output


def test_history_leaves_out_imported_rows_older_than_its_days(run, me):
    imported(me, date(2026, 11, 1))
    entries = json.loads(run("history", "--days", "7", "--json").stdout)["entries"]
    assert entries == []


def test_history_table_shows_imported_rows_and_says_they_are_kept_as_they_came(run, me):
    imported(me, date(2026, 11, 24))
    text = run("history").stdout
    assert "Mood 8 (from Daylio)" in text
    assert "friends, walk; sunny bench" in text
    assert "Sleep: 6.5 hours (from Apple Health)" in text
    assert "shown as they came" in text and "kindstep delete j" in text


def test_history_never_shows_charlies_imported_rows(run, me, charlie):
    imported(charlie, date(2026, 11, 24))
    assert json.loads(run("history", "--json").stdout)["entries"] == []


def test_history_shows_an_imported_sessions_distance_and_keeps_energy_to_the_json(run, me):
    models.MovementSession.objects.create(
        person=me, day=date(2026, 11, 24), activity="walk", minutes=40, met=3.5,
        source="apple_health", external_id="w1", distance_m=3210.0, energy_kcal=151.5)
    text = run("history").stdout
    assert "Walk" in text and "3.21 km" in text and "kcal" not in text
    [entry] = json.loads(run("history", "--json").stdout)["entries"]
    assert (entry["distance_m"], entry["energy_kcal"]) == (3210.0, 151.5)


def test_history_help_says_imported_moods_and_sleep_have_ids_and_can_be_removed(run):
    result = run("history", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "no ID" not in text and "nothing edits or removes them" not in text
    assert "with IDs like j4 and n9" in text
    assert "`kindstep delete j4` removes one" in text

"""`kindstep import` and a person's own Daylio mood names: asked at a terminal, --mood in scripts."""

from __future__ import annotations

import json

import pytest
import time_machine
from typer.testing import CliRunner

from kindstep.cli import common
from kindstep.cli.main import app
from kindstep.store import models
from tests.conftest import NOW, row_counts
from tests.store.test_daylio_moods import OWN
from tests.store.test_importing import GPX_RUN
from tests.words import unkind

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(db):
    from kindstep.store import actions

    actions.local_person()
    runner = CliRunner()

    def _run(*args: str, input: str | None = None):
        with time_machine.travel(NOW, tick=False):
            return runner.invoke(app, ["import", *map(str, args)], input=input,
                                 catch_exceptions=False)

    return _run


@pytest.fixture
def daylio_csv(tmp_path):
    path = tmp_path / "daylio.csv"
    path.write_text(OWN, "utf-8")
    return path


@pytest.fixture
def at_a_terminal(monkeypatch):
    """Pretend a person is at a terminal, so the import asks its questions."""
    monkeypatch.setattr(common, "interactive", lambda: True)


def moods() -> dict:
    return {e.external_id: e.mood for e in models.JournalEntry.objects.all()}


def placed() -> dict:
    return models.Person.objects.get().daylio_moods


def test_at_a_terminal_each_new_name_is_asked_once_in_file_order_with_a_suggestion(
        run, daylio_csv, at_a_terminal):
    # average: Enter takes the suggestion (meh); tired: 1; vaguely ok: "later" leaves it.
    result = run(daylio_csv, input="\n1\nlater\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "3 mood names of your own" in out and "1 awful, 2 bad, 3 meh, 4 good, 5 rad" in out
    asked = [line for line in out.splitlines() if "(suggested:" in line]
    assert out.index("average (suggested: meh)") < out.index("tired (suggested: bad)") \
        < out.index("vaguely ok (suggested: meh)")
    assert asked and "rad (suggested" not in out
    assert placed() == {"average": 3, "tired": 1}
    assert moods()["2024-05-02T20:00"] == 0 and moods()["2024-05-03T21:00"] == 5
    assert moods()["2024-04-30T22:00"] is None
    assert "From a Daylio CSV export: 5 added, 0 already here, 0 skipped." in out
    assert "1 entry keeps its own mood name (vaguely ok 1)" in out
    assert not unkind(out)


def test_a_placed_name_is_not_asked_again_and_an_answer_off_the_scale_is_asked_again(
        run, daylio_csv, at_a_terminal):
    run(daylio_csv, "--mood", "average=4", "--mood", "tired=2", input="9\ngood\n")
    assert placed() == {"average": 4, "tired": 2, "vaguely ok": 4}
    again = run(daylio_csv, input="")  # nothing left to ask: no input is read
    assert again.exit_code == 0 and "(suggested:" not in again.stdout
    assert "0 added, 5 already here" in again.stdout
    assert "Everything in this file was already here" in again.stdout


def test_an_answer_off_the_scale_says_what_the_scale_is_and_asks_again(run, daylio_csv,
                                                                        at_a_terminal):
    result = run(daylio_csv, input="okay\n\n\n\n")
    assert "'okay' for 'average' is not on Daylio's scale: use 1 to 5" in result.stdout
    assert placed() == {"average": 3, "tired": 2, "vaguely ok": 3}


def test_in_a_script_entries_import_by_name_and_one_line_says_how_to_place_them(run, daylio_csv):
    result = run(daylio_csv)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "From a Daylio CSV export: 5 added, 0 already here, 0 skipped."
    (how,) = [line for line in lines if "--mood" in line]
    assert how.startswith("4 entries keep their own mood names (average 1, tired 2, vaguely ok 1)")
    assert f"kindstep import {daylio_csv} --mood average=meh" in how  # its suggestion
    assert row_counts()["JournalEntry"] == 5 and placed() == {}


def test_json_names_the_waiting_moods_and_how_to_place_them(run, daylio_csv):
    data = json.loads(run(daylio_csv, "--json").stdout)
    assert data["unplaced_moods"] == {"average": 1, "tired": 2, "vaguely ok": 1}
    assert "--mood" in data["how_to_place"] and data["added"] == 5


def test_placing_later_with_mood_fills_the_entries_and_adds_nothing(run, daylio_csv):
    run(daylio_csv)
    before = row_counts()
    result = run(daylio_csv, "--mood", "average=meh", "--mood", "TIRED=2",
                 "--mood", "vaguely ok=4", "--json")
    data = json.loads(result.stdout)
    assert (data["added"], data["already_present"], data["moods_filled"]) == (0, 5, 4)
    assert "unplaced_moods" not in data and "how_to_place" not in data
    assert row_counts() == before
    assert moods()["2024-05-01T22:00"] == 3 and moods()["2024-04-30T22:00"] == 8
    line = run(daylio_csv).stdout
    assert "--mood" not in line


def one_refusal(result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(("value", "says"), [
    ("tired", "NAME=LEVEL"), ("=3", "NAME=LEVEL"), ("tired=6", "1 to 5"), ("tired=okay", "1 to 5"),
    ("tired=", "1 to 5"), ("rad=4", "Daylio's own five moods"),
])
def test_a_bad_mood_value_is_one_kind_line_exit_2_and_nothing_written(run, daylio_csv, value, says):
    before = row_counts()
    line = one_refusal(run(daylio_csv, "--mood", "average=3", "--mood", value))
    assert says in line and not unkind(line)
    assert row_counts() == before and placed() == {}


def test_mood_for_a_file_that_is_not_a_daylio_csv_is_refused(run, tmp_path):
    path = tmp_path / "run.gpx"
    path.write_text(GPX_RUN)
    line = one_refusal(run(path, "--mood", "tired=2"))
    assert "Daylio CSV" in line and line.endswith("Nothing was changed.")
    assert row_counts()["MovementSession"] == 0 and placed() == {}

"""`kindstep insights` and `kindstep experiment ...` in-process: output, --json, and refusals."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from typer.testing import CliRunner

from kindstep.cli.main import app
from kindstep.store import actions, models
from tests.builders import experiment_rows as written
from tests.builders import seed_record
from tests.conftest import NOW

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


def as_json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)




# -- insights ---------------------------------------------------------------------------------


def test_insights_json_has_every_section_with_estimate_interval_n_and_enough_data(run, person):
    seed_record(person)
    data = as_json(run("insights", "--json"))
    for key in ("before_after", "active_vs_rest", "next_day", "questionnaires"):
        assert {"estimate", "ci", "n", "enough_data"} <= set(data[key]), key
    assert data["active_vs_rest"]["enough_data"] is True
    low, high = data["active_vs_rest"]["ci"]
    assert low <= data["active_vs_rest"]["estimate"] <= high
    assert data["active_vs_rest"]["estimate"] == pytest.approx(2.0)
    assert data["before_after"]["n"] == 15
    assert data["questionnaires"]["enough_data"] is False
    assert "pattern, not proof" in data["summary"]


def test_insights_with_little_data_makes_no_claim_and_says_what_would_help(run, person):
    seed_record(person, days=4)
    data = as_json(run("insights", "--json"))
    for key in ("active_vs_rest", "next_day", "before_after"):
        assert data[key]["enough_data"] is False
        assert data[key]["estimate"] is None and data[key]["ci"] is None
        assert data[key]["needed"]
    text = run("insights").stdout
    assert "will be enough" in text


def test_insights_in_words_states_the_interval_and_never_claims_cause(run, person):
    seed_record(person)
    text = run("insights").stdout
    assert "likely between" in text
    assert "pattern, not proof" in text
    assert "caused" not in text.lower()


# -- experiments -----------------------------------------------------------------------------------


def test_a_whole_experiment_from_new_to_export(run, person):
    data = as_json(run("experiment", "new", "--template", "1", "--weeks", "2", "--seed", "5",
                       "--json"))
    assert data["status"] == "active" and data["protocol"]["weeks"] == 2
    text = run("experiment", "status").stdout
    assert "day 1 of 14" in text
    assert "Noted: 6" in run("experiment", "log", "6", "--done").stdout
    assert "Updated: 7" in run("experiment", "log", "7").stdout
    yesterday_free = run("experiment", "log", "5", "--date", "2026-11-26",
                         at=NOW + timedelta(days=1))
    assert yesterday_free.exit_code == 0
    result = as_json(run("experiment", "result", "--json", at=NOW + timedelta(days=1)))
    assert result["experiment"]["result"]["enough_data"] is False
    assert result["experiment"]["ratings"] == {"2026-11-25": 7.0, "2026-11-26": 5.0}
    export = as_json(run("experiment", "export", "--json", at=NOW + timedelta(days=1)))
    assert export["format"] == "kindstep-self-experiment"
    assert len(export["schedule"]) == 14
    csv_lines = run("experiment", "export", at=NOW + timedelta(days=1)).stdout.splitlines()
    assert csv_lines[0] == "day,condition,rating,done"
    # Rated again without --done: the earlier "done" answer stays.
    assert csv_lines[1].startswith("2026-11-25,") and csv_lines[1].endswith(",7,yes")
    stopped = run("experiment", "stop", at=NOW + timedelta(days=1))
    assert "Stopping is always fine" in stopped.stdout
    assert models.Experiment.objects.get().status == "stopped"
    assert "No self-experiment is running" in run("experiment", "status").stdout


def test_an_own_question_can_be_started(run):
    data = as_json(run("experiment", "new", "--question", "Does dancing change my mood?",
                       "--intervention", "10 minutes of dancing", "--outcome", "mood, 0-10",
                       "--design", "abab", "--weeks", "4", "--json"))
    assert data["protocol"]["design"] == "abab"
    assert data["protocol"]["question"] == "Does dancing change my mood?"


def test_today_shows_the_days_assignment_in_words_and_json(run):
    run("experiment", "new", "--template", "1", "--seed", "5")
    data = as_json(run("today", "--json"))
    assert data["experiment"]["condition"] in ("A", "B")
    assert data["experiment"]["day"] == 1
    assert "Self-experiment, day 1 of 28" in run("today").stdout


def test_today_json_has_a_null_experiment_when_none_runs(run):
    assert as_json(run("today", "--json"))["experiment"] is None


def test_result_and_status_without_any_experiment_say_so_gently(run):
    assert as_json(run("experiment", "result", "--json")) == {"experiment": None}
    assert "No self-experiments yet" in run("experiment", "result").stdout
    assert as_json(run("experiment", "status", "--json")) == {"experiment": None}


def test_templates_are_listed_by_number(run):
    text = run("experiment", "templates").stdout
    assert text.startswith("1. Does a 10-minute morning walk")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("experiment", "new"), "Please choose a template"),
        (("experiment", "new", "--template", "9"), "There is no template '9'"),
        (("experiment", "new", "--template", "1", "--weeks", "9"), "from 2 to 8"),
        (("experiment", "new", "--template", "1", "--weeks", "1"), "from 2 to 8"),
        (("experiment", "new", "--template", "1", "--design", "zigzag"), "random_days or abab"),
        (("experiment", "new", "--template", "1", "--design", "abab", "--weeks", "3"),
         "pairs of weeks"),
        (("experiment", "new", "--template", "1", "--seed", "x"), "whole number"),
        (("experiment", "new", "--question", "Does it help?"), "Please give the intervention"),
        (("experiment", "log", "5"), "No self-experiment is running"),
        (("experiment", "stop"), "No self-experiment is running"),
        (("experiment", "export"), "nothing to export"),
    ],
)
def test_bad_input_without_a_running_experiment_gets_one_kind_line_exit_2(run, args, words):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert written() == (0, 0)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("experiment", "log", "11"), "from 0 to 10"),
        (("experiment", "log", "-1"), "from 0 to 10"),
        (("experiment", "log", "good"), "whole number from 0 to 10"),
        (("experiment", "log", "5", "--date", "2026-11-24"), "outside this experiment"),
        (("experiment", "log", "5", "--date", "2026-12-01"), "in the future"),
        (("experiment", "log", "5", "--date", "1/12/2026"), "use YYYY-MM-DD"),
        (("experiment", "new", "--template", "2"),
         "already running. Stopping it is always fine, and then you can start a new one."
         " `kindstep experiment stop` ends it."),
    ],
)
def test_bad_input_with_a_running_experiment_gets_one_kind_line_and_writes_nothing(
    run, args, words
):
    run("experiment", "new", "--template", "1")
    before = written()
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert written() == before

"""`kindstep plan`, `kindstep values`, `today`'s plans and the calm first run, in-process."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from typer.testing import CliRunner

from kindstep.cli import common
from kindstep.cli.main import app
from kindstep.store import actions, models
from tests.conftest import NOW, every_row
from tests.words import unkind

pytestmark = pytest.mark.django_db

TODAY = "2026-11-25"
TOMORROW = "2026-11-26"


@pytest.fixture
def run(db):
    runner = CliRunner()

    def _run(*args: str, input: str | None = None, at=NOW):
        with time_machine.travel(at, tick=False):
            return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return _run


@pytest.fixture
def at_a_terminal(monkeypatch):
    monkeypatch.setattr(common, "interactive", lambda: True)


def as_json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def the_person() -> models.Person:
    return models.Person.objects.order_by("id").get()


# -- plan ------------------------------------------------------------------------------------


def test_plan_makes_a_plan_and_today_json_lists_it_first_beside_the_choices(run):
    made = as_json(run("plan", "walk", "10m", "--time", "10:00", "--expect", "4", "--json"))
    assert made["id"] == "p1" and made["next"] == TODAY and made["expect"] == 4
    today = as_json(run("today", "--json"))
    assert [p["activity"] for p in today["planned"]] == ["walk"]
    assert today["planned"][0] | {"done": False} == today["planned"][0]
    assert len(today["choices"]) == 3 and today["rest"]["label"] == "Rest"  # rest still an equal
    shown = run("today").stdout
    assert shown.index("Planned for today") < shown.index("Rest is part of healing")


def test_a_plan_for_tomorrow_shows_then_and_fades_after_without_a_word(run):
    run("plan", "walk", "10", "--date", "tomorrow")
    assert as_json(run("today", "--json"))["planned"] == []
    assert len(as_json(run("today", "--json", at=NOW + timedelta(days=1)))["planned"]) == 1
    later = NOW + timedelta(days=2)
    assert as_json(run("today", "--json", at=later))["planned"] == []
    assert as_json(run("plan", "--list", "--json", at=later))["plans"] == []
    listed = run("plan", "--list", at=later).stdout
    assert "No plans ahead" in listed and unkind(listed) == []


def test_plan_list_move_and_drop(run):
    run("plan", "walk", "10", "--date", "tomorrow")
    run("plan", "yoga_gentle", "15", "--every", "mon,thu")
    listed = as_json(run("plan", "--list", "--json"))["plans"]
    assert [(p["id"], p["every"]) for p in listed] == [("p2", "mon,thu"), ("p1", None)]
    moved = as_json(run("plan", "move", "p1", "--date", "today", "--json"))
    assert moved["next"] == TODAY
    assert "dropped" in run("plan", "drop", "p2").stdout
    assert [p["id"] for p in as_json(run("plan", "--list", "--json"))["plans"]] == ["p1"]


@pytest.mark.parametrize("args", [
    ("plan", "wlak", "10"),
    ("plan", "walk", "10", "--date", "2020-01-01"),
    ("plan", "walk", "10", "--time", "7pm"),
    ("plan", "walk", "10", "--expect", "11"),
    ("plan", "walk", "10", "--every", "someday"),
    ("plan", "walk"),
    ("plan", "drop", "p99"),
    ("plan", "drop"),
    ("plan", "move", "p1"),
    ("plan", "walk", "--list"),
])
def test_bad_plans_get_one_kind_line_exit_2_and_nothing_written(run, args):
    run("plan", "walk", "10")  # p1 exists, for the move without a date
    before = every_row()
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert unkind(result.stderr) == []
    assert every_row() == before


def test_at_a_terminal_plan_asks_the_expectation_and_enter_skips_it(run, at_a_terminal):
    actions.welcome_step(actions.local_person(), "done")
    assert "How good do you expect this to feel" in run("plan", "walk", "10", input="\n").stdout
    run("plan", "walk", "10", input="6\n")
    assert list(models.Plan.objects.order_by("pk").values_list("expect", flat=True)) == [None, 6]


def test_logging_with_after_completes_the_pair_that_insights_compares(run):
    run("plan", "walk", "10", "--expect", "3", "--every", "mon,tue,wed,thu,fri,sat,sun")
    for offset in range(10):
        run("log", "walk", "10", "--after", "5", at=NOW + timedelta(days=offset))
    section = as_json(run("insights", "--json", at=NOW + timedelta(days=9)))["predicted_vs_actual"]
    assert section["enough_data"] and section["estimate"] == 2.0 and section["n"] == 10
    assert section["summary"].startswith("On average it felt 2.0 better than you expected")
    shown = run("insights", at=NOW + timedelta(days=9)).stdout
    assert "How did planned activities feel" in shown and "2.0 better than you expected" in shown


# -- values ----------------------------------------------------------------------------------


def test_values_picks_and_today_names_one_in_a_reason(run):
    shown = as_json(run("values", "--pick", "outdoors,calm", "--own", "my dog", "--json"))
    assert [v["words"] for v in shown["values"]] == ["Being outdoors", "Calm", "my dog"]
    whys = [c["why"] for c in as_json(run("today", "--json", "--seed", "3"))["choices"]]
    assert any("which you said matters to you" in why for why in whys)
    run("values", "--clear")
    whys = [c["why"] for c in as_json(run("today", "--json", "--seed", "3"))["choices"]]
    assert not any("matters to you" in why for why in whys)


def test_skipping_values_hides_nothing(run):
    plain = as_json(run("today", "--json", "--seed", "5"))["choices"]
    run("values", "--pick", "outdoors,others,body,making,calm")
    named = as_json(run("today", "--json", "--seed", "5"))["choices"]
    assert [c["activity"] for c in plain] == [c["activity"] for c in named]


def test_a_bad_value_is_refused_in_one_line(run):
    run("values", "--pick", "calm")
    before = every_row()
    result = run("values", "--pick", "sport")
    assert result.exit_code == 2 and unkind(result.stderr) == []
    assert every_row() == before


# -- the calm first run ----------------------------------------------------------------------


def test_the_first_today_at_a_terminal_walks_through_three_steps_once(run, at_a_terminal):
    # Enter goes on; Enter skips the country; 5 days a week; n skips readiness and check-in.
    first = run("today", input="\n\n5\nn\nn\n\n").stdout
    for words in ("Step 1 of 3", "not a medical device", "kindstep help-now",
                  "Step 2 of 3", "Which country are you in?", "Step 3 of 3", "Rest days count as care"):
        assert words in first, words
    person = the_person()
    assert (person.welcome, person.target_days, person.country_asked) == ("done", 5, True)
    again = run("today", input="n\n\n").stdout
    assert "Step 1 of 3" not in again and "Which country" not in again
    assert unkind(first) == []


def test_s_at_the_first_step_skips_the_welcome_and_it_is_remembered(run, at_a_terminal):
    out = run("today", input="s\n\nn\nn\n\n").stdout
    assert "Step 1 of 3" in out and "Step 3 of 3" not in out
    assert the_person().welcome == "done"
    assert "Which country are you in?" in out  # the country is still asked once, after it
    assert "Step 1 of 3" not in run("today", input="n\n\n").stdout


def test_each_later_step_can_be_skipped_too(run, at_a_terminal):
    out = run("today", input="\n\ns\nn\nn\n\n").stdout  # go on, skip country, skip target
    assert "Step 3 of 3" in out
    person = the_person()
    assert (person.welcome, person.target_days, person.country) == ("done", 3, "")


def test_a_welcome_left_halfway_picks_up_where_it_stopped(run, at_a_terminal):
    actions.welcome_step(actions.local_person(), "about")
    out = run("today", input="\n\nn\nn\n\n").stdout
    assert "Step 1 of 3" not in out and "Step 2 of 3" in out


def test_scripts_and_json_never_see_the_welcome(run):
    assert "Step 1 of 3" not in run("today").stdout  # no terminal here
    assert "planned" in as_json(run("today", "--json"))
    assert the_person().welcome == ""  # still to come, at a terminal

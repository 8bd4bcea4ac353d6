"""`kindstep delete`, `kindstep undo` and `kindstep tidy`: removed for an hour, then gone."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from typer.testing import CliRunner

from kindstep.cli.main import app
from kindstep.store import models
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

NOTE = "marigold-ferry-5520"
"""A note no page or table holds by chance."""


@pytest.fixture
def run(db):
    """Run a command at ``NOW + after``."""
    from kindstep.store import actions

    actions.local_person()
    runner = CliRunner()

    def _run(*args: str, after: timedelta = timedelta(0)):
        with time_machine.travel(NOW + after, tick=False):
            return runner.invoke(app, list(args), catch_exceptions=False)

    return _run


def _logged(run) -> str:
    assert run("log", "walk", "10", "--note", NOTE).exit_code == 0
    return f"s{models.MovementSession.objects.get().pk}"


def test_undo_puts_a_deleted_entry_back_within_the_hour(run):
    label = _logged(run)
    run("delete", label)
    result = run("undo", label, after=timedelta(minutes=59))
    assert (result.exit_code, result.stdout) == (0, f"{label} is back in your record.\n")
    entries = json.loads(run("history", "--json").stdout)["entries"]
    assert [(e["id"], e["note"]) for e in entries] == [(label, NOTE)]


def test_undo_twice_says_kindly_that_it_is_back_already(run):
    label = _logged(run)
    run("delete", label)
    run("undo", label)
    again = run("undo", label)
    assert again.exit_code == 0
    assert again.stdout == (f"{label} is already back in your record, so there was nothing"
                            " more to undo.\n")
    assert models.MovementSession.objects.filter(removed_at__isnull=True).count() == 1


@pytest.mark.parametrize("entry", ["s999", "zz", "s0", ""])
def test_undo_of_nothing_removed_is_refused_kindly(run, entry):
    _logged(run)
    result = run("undo", entry)
    assert result.exit_code == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert models.MovementSession.objects.get().removed_at is None


def test_after_the_hour_the_entry_is_gone_for_good_and_undo_says_so(run):
    label = _logged(run)
    run("delete", label)
    assert models.MovementSession.objects.filter(note=NOTE).exists()  # an hour to undo
    result = run("undo", label, after=timedelta(minutes=61))  # any command purges first
    assert result.exit_code == 2
    assert result.stderr == (f"{label} can no longer be put back: undo lasts an hour after a "
                             "delete. `kindstep log` records it again.\n")
    assert not models.MovementSession.objects.exists()


def test_tidy_deletes_for_good_what_is_past_its_hour_and_nothing_else(run):
    kept = _logged(run)
    run("log", "yoga_gentle", "15", "--note", "mine still")
    gone = f"s{models.MovementSession.objects.get(activity='yoga_gentle').pk}"
    run("delete", gone)
    assert run("tidy").stdout == ("Nothing to tidy: no removed entry is past its hour of"
                                  " undo.\n")
    assert models.MovementSession.objects.count() == 2
    result = run("tidy", after=timedelta(hours=2))
    assert result.stdout == "Deleted for good: 1 removed entry past their hour of undo.\n"
    assert [f"s{pk}" for pk in models.MovementSession.objects.values_list("pk", flat=True)] == [kept]


def test_history_lists_28_days_by_default_as_the_web_does(run):
    for back in (0, 27, 28):
        run("log", "walk", "10", "--date", str((NOW - timedelta(days=back)).date()))
    data = json.loads(run("history", "--json").stdout)
    assert data["days"] == 28
    assert [e["date"] for e in data["entries"]] == ["2026-11-25", "2026-10-29"]

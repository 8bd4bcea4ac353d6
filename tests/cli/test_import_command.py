"""`kindstep import`: the summary line, --json, --dry-run, and kind one-line refusals with exit 2."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import time_machine
from typer.testing import CliRunner

from kindstep.cli.main import app
from kindstep.store import models
from tests.cli.test_console_script import SCRIPT
from tests.conftest import NOW
from tests.importers.test_journals import BEARABLE, DAYLIO
from tests.store.test_importing import GPX_RUN, tables

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(db):
    from kindstep.store import actions

    actions.local_person()
    runner = CliRunner()

    def _run(*args: str):
        with time_machine.travel(NOW, tick=False):
            return runner.invoke(app, ["import", *map(str, args)], catch_exceptions=False)

    return _run


@pytest.fixture
def files(tmp_path):
    def _file(name: str, text: str):
        path = tmp_path / name
        path.write_text(text, "utf-8")
        return path

    return _file


def test_json_prints_exactly_the_summary_shape(run, files):
    result = run(files("daylio.csv", DAYLIO), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"format": "daylio_csv", "added": 3, "already_present": 0,
                                         "skipped": 0, "reasons": {}}


def test_the_summary_is_one_line_with_reasons_for_what_was_skipped(run, files):
    result = run(files("bearable.csv", BEARABLE))
    assert result.exit_code == 0
    (line,) = result.stdout.splitlines()
    assert line.startswith("From a Bearable CSV export: 7 added, 0 already here, 2 skipped (")
    again = run(files("bearable.csv", BEARABLE), "--json")
    assert json.loads(again.stdout)["already_present"] == 7


def test_no_progress_bar_is_drawn_when_not_at_a_terminal(run, files):
    result = run(files("run.gpx", GPX_RUN))
    assert result.stdout == "From a GPX file: 1 added, 0 already here, 0 skipped.\n"


def test_a_dry_run_says_so_and_writes_nothing(run, files):
    result = run(files("daylio.csv", DAYLIO), "--dry-run", "--json")
    data = json.loads(result.stdout)
    assert (data["added"], data["dry_run"]) == (3, True)
    assert tables()["JournalEntry"] == 0
    line = run(files("daylio.csv", DAYLIO), "--dry-run").stdout
    assert "3 would be added" in line and "nothing was written" in line


def one_refusal(result) -> str:
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_damaged_file_exits_2_with_one_line_saying_where_and_writes_nothing(run, files):
    run(files("run.gpx", GPX_RUN))
    before = tables()
    line = one_refusal(run(files("cut.gpx", GPX_RUN[:200])))
    assert "cut.gpx, line 4" in line and "exporting it again may help" in line
    assert line.endswith("Nothing was changed.")
    assert tables() == before


def test_a_missing_path_exits_2_with_one_line(run, tmp_path):
    line = one_refusal(run(tmp_path / "nowhere.zip"))
    assert "cannot find" in line


def test_an_unknown_format_exits_2_listing_the_formats(run, files):
    line = one_refusal(run(files("run.gpx", GPX_RUN), "--format", "runkeeper"))
    assert "gpx" in line and "bearable_csv" in line
    assert models.MovementSession.objects.count() == 0


def test_a_file_of_another_kind_exits_2_naming_what_kindstep_reads(run, files):
    line = one_refusal(run(files("notes.txt", "just some words\n")))
    assert "Apple Health" in line and "Daylio" in line


def test_the_installed_script_imports_a_file_twice_and_refuses_a_damaged_one(tmp_path):
    assert SCRIPT, "the kindstep console script is not installed"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINDSTEP_", "DJANGO_"))}
    env["KINDSTEP_DATA_DIR"] = str(tmp_path / "data")
    run_gpx = tmp_path / "run.gpx"
    run_gpx.write_text(GPX_RUN)

    def kindstep(*args):
        return subprocess.run([SCRIPT, "import", *map(str, args)], env=env, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL, timeout=60)

    first = kindstep(run_gpx, "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["added"] == 1
    assert json.loads(kindstep(run_gpx, "--json").stdout)["already_present"] == 1
    cut = tmp_path / "cut.gpx"
    cut.write_text(GPX_RUN[:200])
    refused = kindstep(cut)
    assert refused.returncode == 2 and refused.stdout == ""
    assert len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.stderr


def test_the_import_is_bounded_by_the_commands_own_clock(db, tmp_path):
    # A track three days after NOW is "in the future" by NOW's clock, and a fine past walk
    # by a clock a week later: the command passes its clock in, the importer reads none.
    from datetime import timedelta

    from kindstep.store import actions
    from tests.store.test_importing import run_at

    actions.local_person()
    start = NOW + timedelta(days=3)
    path = tmp_path / "ahead.gpx"
    path.write_text(run_at(f"{start:%Y-%m-%dT%H:%M:%SZ}",
                           f"{start + timedelta(minutes=30):%Y-%m-%dT%H:%M:%SZ}"), "utf-8")
    runner = CliRunner()
    for clock, added in ((NOW, 0), (NOW + timedelta(days=7), 1)):
        with time_machine.travel(clock, tick=False):
            result = runner.invoke(app, ["import", str(path), "--json"], catch_exceptions=False)
        assert json.loads(result.stdout)["added"] == added, result.output

"""Crash safety and concurrency against a real SQLite file, with real processes.

- An Apple Health import (the installed console script) is killed with SIGKILL at random
  moments: afterwards the database passes ``PRAGMA integrity_check``, no partial import is
  visible (each table holds none of the import or all of it), and a re-run completes with
  exact counts. ``bench/soak.py`` runs the same loop for minutes.
- Four processes log 100 sessions each into one fresh database at once: none lost, none
  duplicated, and no "database is locked" (or anything else) shown.
"""

from __future__ import annotations

import json
import random

import pytest

from tests.reliability import faults

assert faults.SCRIPT, "the kindstep console script is not installed (pip install -e .)"

KILLS = 5
RECORDS = 30_000  # about a second and a half of import on a 2-core machine


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    return faults.health_export(tmp_path_factory.mktemp("export") / "export.xml", RECORDS)


@pytest.fixture(scope="module")
def whole(tmp_path_factory, export):
    """The counts and the time of one clean import, after one session logged by hand."""
    import time

    data = tmp_path_factory.mktemp("reference") / "data"
    assert faults.kindstep(data, "log", "walk", "10").returncode == 0
    start = time.perf_counter()
    done = faults.kindstep(data, "import", str(export), "--json")
    assert done.returncode == 0, done.stderr
    return faults.state(data)["counts"], time.perf_counter() - start


def test_an_import_killed_at_random_moments_leaves_none_or_all_and_a_rerun_is_exact(
        tmp_path, export, whole):
    counts, seconds = whole
    data = tmp_path / "data"
    assert faults.kindstep(data, "log", "walk", "10").returncode == 0
    before = faults.state(data)["counts"]
    moments = random.Random(19).sample(range(5, 80), KILLS)
    landed = 0
    for percent in sorted(moments):
        landed += faults.kill_import(data, export, seconds * percent / 100)
        after = faults.state(data)
        assert after["integrity"] == [("ok",)] and after["foreign_keys"] == []
        assert after["counts"] in (before, counts), (percent, after["counts"])
        if after["counts"] == counts:  # a kill after the commit: start again from nothing
            data = tmp_path / f"data-{percent}"
            assert faults.kindstep(data, "log", "walk", "10").returncode == 0
    assert landed >= 3  # most kills really did land mid-import (load varies the timing)
    rerun = faults.kindstep(data, "import", str(export), "--json")
    assert rerun.returncode == 0 and "Traceback" not in rerun.stderr
    assert faults.state(data)["counts"] == counts
    again = json.loads(faults.kindstep(data, "import", str(export), "--json").stdout)
    assert again["added"] == 0 and faults.state(data)["counts"] == counts


def test_four_processes_logging_at_once_into_a_fresh_database_lose_nothing(tmp_path):
    """Also the regression test for two first commands both migrating a fresh database
    ('table ... already exists'): here four start at once on an empty data folder."""
    data = tmp_path / "data"
    reports = faults.log_concurrently(data, workers=4, each=100)
    for report in reports:
        assert report["returncode"] == 0 and report["stderr"] == ""
        assert set(report["codes"]) == {0}, report["shown"]
        assert "locked" not in report["shown"] and report["shown"] == ""
    notes = faults.logged_notes(data)
    assert sorted(notes) == sorted(f"w{w}-{i}" for w in range(4) for i in range(100))

"""The installed `kindstep` console script, run as a real subprocess on a real SQLite file."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = shutil.which("kindstep", path=str(Path(sys.executable).parent)) or shutil.which("kindstep")


@pytest.fixture
def kindstep(tmp_path):
    assert SCRIPT, "the kindstep console script is not installed (pip install -e .)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINDSTEP_", "DJANGO_"))}
    env["KINDSTEP_DATA_DIR"] = str(tmp_path / "data")

    def _run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([SCRIPT, *args], env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=60)

    _run.data_dir = tmp_path / "data"
    return _run


def test_a_fresh_data_dir_is_created_migrated_and_written(kindstep):
    result = kindstep("log", "walk", "10m", "--before", "3", "--after", "5")
    assert result.returncode == 0, result.stderr
    assert "Logged Walk at an easy pace, 10 min" in result.stdout
    db = kindstep.data_dir / "kindstep.sqlite3"
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("SELECT activity, minutes FROM kindstep_session").fetchall() == [("walk", 10)]
        assert con.execute("PRAGMA user_version").fetchone()[0] != 0


def test_the_daily_loop_works_end_to_end(kindstep):
    assert kindstep("checkin", "--energy", "4", "--mood", "5", "--anxiety", "3").returncode == 0
    offer = json.loads(kindstep("today", "--json").stdout)
    choice = offer["choices"][0]
    assert kindstep("log", choice["activity"], str(choice["minutes"])).returncode == 0
    week = json.loads(kindstep("week", "--json").stdout)
    assert week["active_days_this_week"] == 1
    history = json.loads(kindstep("history", "--json").stdout)
    assert {e["kind"] for e in history["entries"]} == {"checkin", "session"}


def test_bad_input_exits_2_with_one_line_and_writes_nothing(kindstep):
    assert kindstep("log", "walk", "5").returncode == 0
    for args in (("log", "swimmming", "10"), ("log", "walk", "0"), ("log", "walk", "10", "--date", "2999-01-01"),
                 ("checkin", "--energy", "3", "--mood", "4")):
        result = kindstep(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
    history = json.loads(kindstep("history", "--json").stdout)
    assert len(history["entries"]) == 1


def test_help_is_light_and_does_not_touch_the_data_dir(kindstep):
    result = kindstep("--help")
    assert result.returncode == 0
    assert "today" in result.stdout
    assert not (kindstep.data_dir / "kindstep.sqlite3").exists()


def test_a_note_with_bytes_that_are_not_utf8_is_refused_kindly_and_nothing_is_written(kindstep):
    assert kindstep("log", "walk", "5").returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINDSTEP_", "DJANGO_"))}
    env["KINDSTEP_DATA_DIR"] = str(kindstep.data_dir)
    for args in ([b"log", b"walk", b"10", b"--note", b"caf\xe9 then home"],  # Latin-1, not UTF-8
                 [b"rest", b"--note", b"\xff"]):
        result = subprocess.run([SCRIPT.encode(), *args], env=env, stdin=subprocess.DEVNULL,
                                capture_output=True, timeout=60)
        stderr = result.stderr.decode()
        assert result.returncode == 2, stderr
        assert "could not be read as text" in stderr and "Traceback" not in stderr
        assert len(stderr.strip().splitlines()) == 1
    with sqlite3.connect(kindstep.data_dir / "kindstep.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM kindstep_session").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM kindstep_rest_day").fetchone()[0] == 0

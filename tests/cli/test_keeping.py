"""`kindstep backup`, `kindstep restore` and `kindstep import` of an export, as real subprocesses on
real data folders: copies made while kindstep is in use, checked before anything is replaced."""

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


def make_kindstep(data: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINDSTEP_", "DJANGO_"))}
    env["KINDSTEP_DATA_DIR"] = str(data)
    env["TZ"] = "UTC"

    def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([SCRIPT, *args], env=env, stdin=subprocess.DEVNULL, cwd=cwd,
                              capture_output=True, text=True, timeout=120)

    _run.data = data
    _run.db = data / "kindstep.sqlite3"
    _run.env = env
    return _run


@pytest.fixture
def kindstep(tmp_path):
    assert SCRIPT, "the kindstep console script is not installed (pip install -e .)"
    return make_kindstep(tmp_path / "data")


def sessions(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT activity, minutes, note FROM kindstep_session "
                           "ORDER BY id").fetchall()


def refused(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# ---------------------------------------------------------------- export and import


def test_an_export_comes_back_whole_into_a_new_data_folder(tmp_path):
    first = make_kindstep(tmp_path / "one")
    assert first("log", "walk", "20", "--note", "by the river").returncode == 0
    assert first("rest", "--date", "2026-11-20", "--note", "slow").returncode == 0
    assert first("checkin", "--energy", "4", "--mood", "5", "--anxiety", "3").returncode == 0
    assert first("settings", "--target-days", "4").returncode == 0
    assert first("export", "out.json", cwd=tmp_path).returncode == 0
    second = make_kindstep(tmp_path / "two")
    result = second("import", str(tmp_path / "out.json"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("From a kindstep export: 3 added, 0 already here, 0 skipped.")
    assert second("export", "again.json", cwd=tmp_path).returncode == 0
    one = json.loads((tmp_path / "out.json").read_text("utf-8"))
    two = json.loads((tmp_path / "again.json").read_text("utf-8"))
    for doc in (one, two):
        doc.pop("exported_at")
        doc["settings"].pop("data_version")
    assert one == two
    assert sessions(second.db) == [("walk", 20, "by the river")]

    again = second("import", str(tmp_path / "out.json"))  # into a record that has it all
    assert again.returncode == 0
    assert "0 added, 3 already here" in again.stdout
    assert "Your settings were left as they are here" in again.stdout


def test_an_export_from_a_newer_kindstep_is_refused_kindly(kindstep, tmp_path):
    assert kindstep("log", "walk", "5").returncode == 0
    newer = tmp_path / "kindstep-export-2030-01-01.json"
    newer.write_text(json.dumps({"format": "kindstep-export", "version": 9, "settings": {},
                                 "sessions": [{"id": 1}]}), "utf-8")
    before = newer.stat().st_mtime, sessions(kindstep.db)
    line = refused(kindstep("import", str(newer)))
    assert "made by a newer kindstep (format version 9)" in line and "Nothing was changed" in line
    assert (newer.stat().st_mtime, sessions(kindstep.db)) == before


# ---------------------------------------------------------------- backup and restore


def test_a_backup_is_a_checked_copy_and_the_folder_keeps_the_newest_seven(kindstep):
    assert kindstep("log", "walk", "15").returncode == 0
    made = []
    for _ in range(9):
        result = kindstep("backup")
        assert result.returncode == 0, result.stderr
        made.append(Path(result.stdout.splitlines()[0].split(" is in ", 1)[1].rstrip(".")))
    kept = set((kindstep.data / "backups").iterdir())
    assert kept == set(made[-7:])  # the two oldest went
    assert "so 1 older copy was removed" in result.stdout
    with sqlite3.connect(made[-1]) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert sessions(made[-1]) == [("walk", 15, "")]


def test_a_backup_to_a_path_of_your_choosing_is_never_pruned_and_never_overwrites(kindstep,
                                                                                  tmp_path):
    assert kindstep("log", "walk", "15").returncode == 0
    target = tmp_path / "mine.sqlite3"
    assert kindstep("backup", str(target)).returncode == 0
    line = refused(kindstep("backup", str(target)))
    assert "There is already a file" in line
    assert refused(kindstep("backup", str(tmp_path / "nowhere" / "x.sqlite3"))).startswith(
        "There is no folder")
    assert kindstep("backup", str(tmp_path)).returncode == 0  # a folder: a dated name inside
    assert len(list(tmp_path.glob("kindstep-backup-*.sqlite3"))) == 1


def test_restore_puts_a_backup_back_and_keeps_the_replaced_file_aside(kindstep, tmp_path):
    assert kindstep("log", "walk", "15").returncode == 0
    copy = tmp_path / "copy.sqlite3"
    assert kindstep("backup", str(copy)).returncode == 0
    assert kindstep("log", "yoga_gentle", "10").returncode == 0
    result = kindstep("restore", str(copy))
    assert result.returncode == 0, result.stderr
    assert sessions(kindstep.db) == [("walk", 15, "")]
    aside = list((kindstep.data / "replaced").iterdir())
    assert len(aside) == 1 and f"kept at {aside[0]} until you remove it" in " ".join(
        result.stdout.split())
    assert sessions(aside[0]) == [("walk", 15, ""), ("yoga_gentle", 10, "")]
    assert kindstep("log", "walk", "5").returncode == 0  # kindstep carries on with it
    assert json.loads(kindstep("history", "--json").stdout)["entries"]


def _damaged(copy: Path, out: Path) -> Path:
    data = bytearray(copy.read_bytes())
    page = 4096
    for i in range(page * 2 + 100, min(len(data), page * 6), 7):
        data[i] = (data[i] + 91) % 256
    out.write_bytes(bytes(data))
    return out


def _foreign(out: Path) -> Path:
    with sqlite3.connect(out) as con:
        con.execute("CREATE TABLE recipes (name TEXT)")
    return out


def _newer(copy: Path, out: Path) -> Path:
    shutil.copy(copy, out)
    with sqlite3.connect(out) as con:
        con.execute("INSERT INTO django_migrations (app, name, applied) "
                    "VALUES ('kindstep', '9999_from_the_future', '2030-01-01')")
    return out


@pytest.mark.parametrize("case, words", [
    ("damaged", "damaged"), ("foreign", "not a kindstep backup"),
    ("newer", "made by a newer kindstep"), ("text", "not a kindstep backup"),
    ("missing", "cannot find a backup"), ("empty", "not a kindstep backup"),
])
def test_restore_refuses_a_bad_backup_in_one_line_and_changes_nothing(kindstep, tmp_path, case,
                                                                      words):
    for n in range(3):
        assert kindstep("log", "walk", str(10 + n), "--note", "x" * 2000).returncode == 0
    copy = tmp_path / "copy.sqlite3"
    assert kindstep("backup", str(copy)).returncode == 0
    path = {
        "damaged": lambda: _damaged(copy, tmp_path / "damaged.sqlite3"),
        "foreign": lambda: _foreign(tmp_path / "recipes.sqlite3"),
        "newer": lambda: _newer(copy, tmp_path / "newer.sqlite3"),
        "text": lambda: (tmp_path / "notes.txt", (tmp_path / "notes.txt").write_text("hello"))[0],
        "missing": lambda: tmp_path / "nothing-here.sqlite3",
        "empty": lambda: (tmp_path / "e.sqlite3", (tmp_path / "e.sqlite3").write_bytes(b""))[0],
    }[case]()
    before = kindstep.db.read_bytes(), sessions(kindstep.db)
    line = refused(kindstep("restore", str(path)))
    assert words in line and "Nothing was changed" in line
    assert sessions(kindstep.db) == before[1]
    assert not (kindstep.data / "replaced").exists()
    assert not list(kindstep.data.glob(".kindstep-restore-*"))

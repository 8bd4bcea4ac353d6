"""`kindstep restore` and `kindstep lock set|off`, killed with SIGKILL at random moments.

After every kill the live file passes ``PRAGMA integrity_check`` and holds either the old
record or the new one, whole: never a mix, never a half-written file. The kills are spread
over the time one uninterrupted run takes, measured first in the same test.
"""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from kindstep.store import lock
from tests.reliability import faults

KILLS = 4
"""Kills that must land inside a run; delays shrink after one that came too late."""
ROWS = 120_000  # about 20 MB: the copies take long enough for kills to land inside them
PASS = "correct horse battery"


def _fill(db: Path, note: str, rows: int) -> None:
    with closing(sqlite3.connect(db)) as con, con:
        con.execute("DELETE FROM kindstep_session")
        con.executemany(
            "INSERT INTO kindstep_session (person_id, day, activity, minutes, met, note, "
            "created_at, source) VALUES (1, '2026-01-01', 'walk', 10, 2.8, ?, "
            "'2026-01-01 10:00:00', 'kindstep')",
            ((f"{note} {i} " + "x" * 120,) for i in range(rows)))
    with closing(sqlite3.connect(db)) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _what(db: Path, key: bytes | None = None) -> tuple:
    """(integrity, number of sessions, the notes' word) of the live file, as a fresh process
    finds it (a locked one opened with ``key``)."""
    con = lock.connect(db, key) if key is not None else sqlite3.connect(db)
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchall()
        count, word = con.execute("SELECT count(*), min(substr(note, 1, 3)) "
                                  "FROM kindstep_session").fetchone()
        return integrity, count, word
    finally:
        con.close()


def _reset(data: Path, pristine: Path) -> None:
    for name in ("kindstep.sqlite3", "kindstep.sqlite3-wal", "kindstep.sqlite3-shm"):
        (data / name).unlink(missing_ok=True)
    shutil.copy(pristine, data / "kindstep.sqlite3")


def moments(seed: int, seconds: float):
    """Delays within a run of ``seconds``, until :data:`KILLS` kills have landed (at most 16
    tries); the caller sends back whether each landed, and a late one shrinks the rest."""
    rng = random.Random(seed)
    scale, landed = 1.0, 0
    for _ in range(16):
        if landed >= KILLS:
            return
        hit = yield seconds * scale * rng.uniform(0.1, 0.9)
        landed += bool(hit)
        if not hit:
            scale *= 0.75
    raise AssertionError(f"only {landed} kills landed inside a run")


def _killed(data: Path, args: list[str], delay: float, stdin: str = "",
            env: dict | None = None) -> bool:
    proc = subprocess.Popen([faults.SCRIPT, *args], env=env or faults.env(data),
                            stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    proc.stdin.write(stdin)
    proc.stdin.close()
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


@pytest.fixture
def setting(tmp_path):
    """A data folder holding the old record, a pristine copy of it, and a backup of a new one."""
    data = tmp_path / "data"
    assert faults.kindstep(data, "log", "walk", "10").returncode == 0
    db = data / "kindstep.sqlite3"
    _fill(db, "new", ROWS // 2)
    backup = tmp_path / "new.sqlite3"
    assert faults.kindstep(data, "backup", str(backup)).returncode == 0
    _fill(db, "old", ROWS)
    pristine = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(db)) as con, closing(sqlite3.connect(pristine)) as copy:
        con.backup(copy)
    return data, db, backup, pristine


def test_a_restore_killed_at_any_moment_leaves_the_old_file_or_the_new_one(setting):
    data, db, backup, pristine = setting
    old = ([("ok",)], ROWS, "old")
    new = ([("ok",)], ROWS // 2, "new")
    seconds = 99.0
    for _ in range(2):  # the quicker of two whole runs: the kills fall within it
        start = time.perf_counter()
        done = faults.kindstep(data, "restore", str(backup))
        seconds = min(seconds, time.perf_counter() - start)
        assert done.returncode == 0, done.stderr
        assert _what(db) == new
        _reset(data, pristine)
    delays = moments(23, seconds)
    hit = None
    while True:
        try:
            delay = delays.send(hit)
        except StopIteration:
            break
        hit = _killed(data, ["restore", str(backup)], delay)
        found = _what(db)
        assert found in (old, new), (delay, found)
        if found == new:
            _reset(data, pristine)
    again = faults.kindstep(data, "restore", str(backup))  # and it can always be done again
    assert again.returncode == 0 and _what(db) == new
    assert not list(data.glob(".kindstep-restore-*"))


def test_locking_and_unlocking_killed_at_any_moment_leave_the_old_file_or_the_new_one(setting):
    data, db, _, pristine = setting
    plain = ([("ok",)], ROWS, "old")
    start = time.perf_counter()
    done = subprocess.run([faults.SCRIPT, "lock", "set"], env=faults.env(data),
                          input=PASS + "\n", capture_output=True, text=True, timeout=120)
    seconds = time.perf_counter() - start
    assert done.returncode == 0, done.stderr

    def state() -> tuple:
        if lock.looks_locked(db):  # (its marker may stay after a kill before the swap)
            return ("locked", *_what(db, lock.key_for(db, PASS)))
        return ("plain", *_what(db))

    assert state() == ("locked", *plain)
    locked_copy = db.with_name("locked.sqlite3")
    shutil.copy(db, locked_copy)
    _reset(data, pristine)
    for args, start_from, env, seed in (
            (["lock", "set"], pristine, None, 29),
            (["lock", "off"], locked_copy, dict(faults.env(data), KINDSTEP_PASSPHRASE=PASS), 31)):
        delays = moments(seed, seconds)
        hit = None
        while True:
            try:
                delay = delays.send(hit)
            except StopIteration:
                break
            _reset(data, start_from)
            if start_from == locked_copy:  # a locked live file has its marker beside it
                lock.marker(db).write_text("locked\n")
            hit = _killed(data, args, delay, stdin=PASS + "\n", env=env)
            found = state()
            assert found in (("plain", *plain), ("locked", *plain)), (args, delay, found)


WRITER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], timeout=20, isolation_level=None)
con.execute("PRAGMA journal_mode=WAL")
n = 0
while True:
    n += 1
    con.execute("BEGIN IMMEDIATE")
    con.execute("INSERT INTO kindstep_session (person_id, day, activity, minutes, met, note, "
                "created_at, source) VALUES (1, '2026-01-02', 'walk', 5, 2.8, ?, "
                "'2026-01-02 10:00:00', 'writer')", (str(n),))
    con.execute("INSERT INTO kindstep_rest_day (person_id, day, note, created_at) "
                "VALUES (1, date('2000-01-01', ?), ?, '2026-01-02 10:00:00')",
                (f"+{n} days", str(n)))
    con.execute("COMMIT")
"""


def test_a_backup_made_while_another_program_writes_is_one_consistent_moment(setting, tmp_path):
    data, db, _, _ = setting
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db)])
    try:
        time.sleep(0.5)
        for i in range(4):
            copy = tmp_path / f"during-{i}.sqlite3"
            done = faults.kindstep(data, "backup", str(copy))
            assert done.returncode == 0, done.stderr
            with closing(sqlite3.connect(copy)) as con:
                assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
                sessions = sorted(int(n) for (n,) in con.execute(
                    "SELECT note FROM kindstep_session WHERE source = 'writer'"))
                rests = sorted(int(n) for (n,) in con.execute(
                    "SELECT note FROM kindstep_rest_day"))
            # Every write the copy holds is whole (both rows of it), and none is missing
            # before the last one it holds: one moment, not a mix of two.
            assert sessions and sessions == rests == list(range(1, len(sessions) + 1))
    finally:
        writer.kill()
        writer.wait()

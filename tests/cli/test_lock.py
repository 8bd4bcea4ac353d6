"""`kindstep lock set|change|off|forget` as real subprocesses on real files: the file is
encrypted at rest, a wrong passphrase is refused kindly with nothing touched, and export,
backup and restore keep working on a locked store."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess

import pytest

from kindstep.store import lock
from tests.cli.test_keeping import make_kindstep, refused

PASS = "correct horse battery"
NEW = "a new phrase here"


@pytest.fixture
def kindstep(tmp_path):
    run = make_kindstep(tmp_path / "data")
    run.env["XDG_RUNTIME_DIR"] = str(tmp_path / "runtime")  # where a terminal session keeps it
    (tmp_path / "runtime").mkdir(mode=0o700)
    assert run("log", "walk", "15", "--note", "zebra-quartz-4711").returncode == 0
    return run


def with_pass(run, passphrase: str, *args: str, stdin: str | None = None):
    env = dict(run.env, KINDSTEP_PASSPHRASE=passphrase)
    return subprocess.run([*_script(), *args], env=env, input=stdin or "", capture_output=True,
                          text=True, timeout=120)


def _script():
    from tests.cli.test_keeping import SCRIPT

    return [SCRIPT]


def set_lock(run, passphrase: str = PASS):
    result = subprocess.run([*_script(), "lock", "set"], env=run.env, input=passphrase + "\n",
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def test_a_locked_file_holds_nothing_readable_and_opens_only_with_its_passphrase(kindstep):
    set_lock(kindstep)
    assert lock.marker(kindstep.db).exists()
    raw = kindstep.db.read_bytes()
    assert b"zebra-quartz-4711" not in raw and not raw.startswith(b"SQLite format 3")
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(kindstep.db).execute("SELECT * FROM kindstep_session").fetchall()
    assert kindstep("lock", "forget").returncode == 0  # as a new terminal session would be
    line = refused(kindstep("history"))  # no terminal, no passphrase given
    assert "Your kindstep file is locked" in line and "Nothing was read" in line
    before = kindstep.db.read_bytes()
    line = refused(with_pass(kindstep, "not the one", "history"))
    assert line == ("That passphrase does not open this kindstep file. Nothing was changed; "
                    "you can try again.")
    assert kindstep.db.read_bytes() == before
    shown = with_pass(kindstep, PASS, "history")
    assert shown.returncode == 0 and "zebra-quartz-4711" in shown.stdout
    # SQLCipher's own tools open it with the passphrase too: a standard SQLCipher 4 file.
    from sqlcipher3 import dbapi2

    con = dbapi2.connect(str(kindstep.db))
    con.execute(f"PRAGMA key = '{PASS}'")
    assert con.execute("SELECT note FROM kindstep_session").fetchall() == [("zebra-quartz-4711",)]
    con.close()


def test_the_passphrase_is_asked_once_per_terminal_session_and_kept_only_there(kindstep,
                                                                               tmp_path):
    set_lock(kindstep)
    kept = list((tmp_path / "runtime").iterdir())
    assert len(kept) == 1 and oct(kept[0].stat().st_mode & 0o777) == "0o600"
    assert PASS not in kept[0].read_text()  # the derived key, never the passphrase
    # The same terminal session (this test's session id) needs no passphrase again...
    result = kindstep("log", "walk", "5")
    assert result.returncode == 0, result.stderr
    # ...another terminal session (a new session id) does.
    other = subprocess.run(["setsid", *_script(), "history"], env=kindstep.env,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert other.returncode == 2 and "locked" in other.stderr
    assert kindstep("lock", "forget").returncode == 0
    assert not list((tmp_path / "runtime").iterdir())
    assert refused(kindstep("history")).startswith("Your kindstep file is locked")


def test_change_and_off_keep_the_record_and_move_the_lock(kindstep):
    set_lock(kindstep)
    bad = with_pass(kindstep, "wrong guess!", "lock", "change", stdin=NEW + "\n")
    assert "does not open" in refused(bad)
    changed = with_pass(kindstep, PASS, "lock", "change", stdin=NEW + "\n")
    assert changed.returncode == 0, changed.stderr
    assert "does not open" in refused(with_pass(kindstep, PASS, "history"))
    assert "zebra" in with_pass(kindstep, NEW, "history").stdout
    short = with_pass(kindstep, NEW, "lock", "change", stdin="short\n")
    assert "at least 8 characters" in refused(short)
    off = with_pass(kindstep, NEW, "lock", "off")
    assert off.returncode == 0, off.stderr
    assert not lock.marker(kindstep.db).exists()
    with sqlite3.connect(kindstep.db) as con:
        assert con.execute("SELECT note FROM kindstep_session").fetchall() == [("zebra-quartz-4711",)]
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert "not locked" in refused(kindstep("lock", "off"))
    assert "not locked" in refused(kindstep("lock", "change"))


def test_setting_a_lock_twice_or_too_short_is_refused(kindstep):
    short = subprocess.run([*_script(), "lock", "set"], env=kindstep.env, input="short\n",
                           capture_output=True, text=True, timeout=60)
    assert "at least 8 characters" in refused(short)
    assert not lock.is_locked(kindstep.db)
    set_lock(kindstep)
    again = subprocess.run([*_script(), "lock", "set"], env=kindstep.env, input=NEW + "\n",
                           capture_output=True, text=True, timeout=60)
    assert "already locked" in refused(again)


def test_export_backup_and_restore_work_on_a_locked_store(kindstep, tmp_path):
    set_lock(kindstep)
    exported = with_pass(kindstep, PASS, "export", "-")
    assert json.loads(exported.stdout)["sessions"][0]["note"] == "zebra-quartz-4711"
    copy = tmp_path / "copy.sqlite3"
    assert with_pass(kindstep, PASS, "backup", str(copy)).returncode == 0
    assert lock.looks_locked(copy) and b"zebra" not in copy.read_bytes()
    assert with_pass(kindstep, PASS, "log", "yoga_gentle", "10").returncode == 0
    restored = with_pass(kindstep, PASS, "restore", str(copy))
    assert restored.returncode == 0, restored.stderr
    notes = json.loads(with_pass(kindstep, PASS, "history", "--json").stdout)["entries"]
    assert len(notes) == 1
    assert lock.is_locked(kindstep.db)
    # A backup locked under the old passphrase asks for its own, and says so when it cannot.
    assert with_pass(kindstep, PASS, "lock", "change", stdin=NEW + "\n").returncode == 0
    line = refused(with_pass(kindstep, NEW, "restore", str(copy)))
    assert "locked with a passphrase kindstep does not have here" in line
    # A plain backup put back into a locked store is locked on the way in.
    assert with_pass(kindstep, NEW, "lock", "off").returncode == 0
    plain = tmp_path / "plain.sqlite3"
    assert kindstep("backup", str(plain)).returncode == 0
    set_lock(kindstep, PASS)
    assert with_pass(kindstep, PASS, "restore", str(plain)).returncode == 0
    assert lock.is_locked(kindstep.db)
    assert with_pass(kindstep, PASS, "history").returncode == 0


def test_the_lock_waits_for_another_kindstep_holding_the_file(kindstep):
    holder = sqlite3.connect(kindstep.db)  # as `kindstep serve` would: WAL, open
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("SELECT count(*) FROM kindstep_session").fetchone()
    try:
        result = subprocess.run([*_script(), "lock", "set"], env=kindstep.env,
                                input=PASS + "\n", capture_output=True, text=True, timeout=60)
        assert "Another kindstep" in refused(result)
        assert not lock.is_locked(kindstep.db)
    finally:
        holder.close()
    assert os.path.exists(kindstep.db)


def test_help_now_never_waits_for_the_passphrase(kindstep):
    assert kindstep("settings", "--country", "GB").returncode == 0
    set_lock(kindstep)
    assert kindstep("lock", "forget").returncode == 0
    shown = subprocess.run(["script", "-qec", f"{_script()[0]} help-now", "/dev/null"],
                           env=kindstep.env, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=60)  # at a terminal, where a question could wait
    assert "Passphrase" not in shown.stdout
    assert "emergency" in shown.stdout.lower()
    kept = with_pass(kindstep, PASS, "help-now")  # with the key, your own country's lines
    assert kept.returncode == 0 and "116 123" in kept.stdout

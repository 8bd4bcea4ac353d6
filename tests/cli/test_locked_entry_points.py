"""Every way in meets a locked file kindly: with no passphrase given, each command that would
read the record refuses in one line with exit code 2, never a traceback, and leaves the file
and its folder exactly as they were. With KINDSTEP_PASSPHRASE, the background commands work."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from tests.cli.test_keeping import SCRIPT, refused
from tests.cli.test_lock import PASS, kindstep, set_lock, with_pass  # noqa: F401 - fixture

ENTRY_POINTS = [
    ("kindstep", "today"),
    ("kindstep", "move", "walk", "1"),
    ("kindstep", "tidy"),
    ("kindstep", "reminders", "send-due"),
    ("kindstep", "worker", "--batch"),
    ("kindstep", "migrate"),
    ("kindstep", "backup"),
    ("python -m kindstep", "today"),
]


def _folder(run) -> dict[str, str]:
    """Every file in the data folder and its digest: a refusal changes none of them."""
    return {str(p.relative_to(run.data)): hashlib.sha256(p.read_bytes()).hexdigest()
            if p.is_file() else "folder" for p in sorted(run.data.rglob("*"))}


@pytest.mark.parametrize("how", ENTRY_POINTS, ids=lambda how: " ".join(how))
def test_a_locked_file_with_no_passphrase_is_refused_kindly_and_nothing_changes(kindstep, how):
    set_lock(kindstep)
    assert kindstep("lock", "forget").returncode == 0
    before = _folder(kindstep)
    program = [sys.executable, "-m", "kindstep"] if how[0].startswith("python") else [SCRIPT]
    env = dict(kindstep.env, KINDSTEP_TASKS="database")  # the worker's work is in the file
    result = subprocess.run([*program, *how[1:]], env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=120)
    line = refused(result)  # exit 2, one line
    assert "locked" in line and "Traceback" not in result.stderr
    assert "zebra" not in result.stdout + result.stderr
    assert _folder(kindstep) == before


def test_the_worker_and_migrate_open_a_locked_file_with_the_passphrase_given(kindstep):
    set_lock(kindstep)
    assert kindstep("lock", "forget").returncode == 0
    kindstep.env["KINDSTEP_TASKS"] = "database"
    worked = with_pass(kindstep, PASS, "worker", "--batch")
    assert worked.returncode == 0, worked.stderr
    assert "stopped after 0 task(s)" in worked.stdout
    migrated = with_pass(kindstep, PASS, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "up to date" in migrated.stdout
    wrong = with_pass(kindstep, "not the passphrase", "worker", "--batch")
    assert "does not open this kindstep file" in refused(wrong)
    assert PASS not in worked.stdout + worked.stderr + migrated.stdout + migrated.stderr
    assert not kindstep.db.read_bytes().startswith(b"SQLite format 3")

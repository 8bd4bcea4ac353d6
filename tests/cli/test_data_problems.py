"""When kindstep's data folder or database cannot be used: one kind line saying what to try,
a defined exit code, nothing written, never a traceback; and `help-now` still answers."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from kindstep import boot
from kindstep.cli import common
from kindstep.cli.main import app
from tests.cli.test_console_script import SCRIPT
from tests.conftest import NOW

GARBAGE = bytes(range(256)) * 40
"""Bytes no SQLite file starts with."""


@pytest.fixture
def kindstep():
    """Run the real console script with ``KINDSTEP_DATA_DIR`` set to ``data`` (and ``prefix``)."""
    assert SCRIPT, "the kindstep console script is not installed (pip install -e .)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINDSTEP_", "DJANGO_"))}

    def _run(data: Path, *args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
        return subprocess.run([*prefix, SCRIPT, *args], env={**env, "KINDSTEP_DATA_DIR": str(data)},
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)

    return _run


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes, to prove nothing was written."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_one_kind_line(result: subprocess.CompletedProcess, code: int, *words: str) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


COMMANDS = [("log", "walk", "5"), ("history",), ("week",), ("today", "--json"), ("settings",),
            ("checkin", "--energy", "3", "--mood", "4", "--anxiety", "5")]


@pytest.mark.parametrize("args", COMMANDS)
def test_a_file_where_the_data_folder_should_be(kindstep, tmp_path, args):
    data = tmp_path / "not-a-folder"
    data.write_text("my shopping list", "utf-8")
    for where in (data, data / "below"):  # the data folder itself, or a folder inside the file
        result = kindstep(where, *args)
        assert_one_kind_line(result, common.EXIT_DATA, f"{data} is a file",
                             "KINDSTEP_DATA_DIR")
    assert data.read_text("utf-8") == "my shopping list"
    assert sorted(tmp_path.iterdir()) == [data]


@pytest.fixture
def damaged(tmp_path) -> Path:
    """A data folder whose database is not a database (its key is there, as after a first run)."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "kindstep.sqlite3").write_bytes(GARBAGE)
    (data / "secret.key").write_text("kept", "utf-8")
    return data


@pytest.mark.parametrize("args", COMMANDS)
def test_a_damaged_database_file(kindstep, damaged, args):
    before = snapshot(damaged)
    result = kindstep(damaged, *args)
    assert_one_kind_line(result, common.EXIT_DATA,
                         f"The file {damaged / 'kindstep.sqlite3'} is not a kindstep database",
                         "your other files are untouched")
    assert snapshot(damaged) == before


def test_a_worrying_symptom_is_met_even_when_the_data_cannot_be_used(kindstep, damaged):
    result = kindstep(damaged, "log", "walk", "10", "--symptoms", "chest_pain")
    assert_one_kind_line(result, common.EXIT_DATA, "is not a kindstep database")
    assert result.stdout.startswith("Please stop and seek care")
    assert "call your local emergency number" in result.stdout


def test_help_now_works_whatever_state_the_data_is_in(kindstep, damaged, tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("x", "utf-8")
    for data in (damaged, a_file):
        for args in (("help-now",), ("help-now", "--country", "GB"), ("help-now", "--json")):
            result = kindstep(data, *args)
            assert result.returncode == 0, result.stderr
            assert "Support is here, right now" in result.stdout
            assert "Traceback" not in result.stderr


def _without_root_powers() -> tuple[str, ...] | None:
    """A prefix that drops root's power to write through chmod, if this system has one.

    () when not root; None when running as root and no such prefix works here.
    """
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    prefix = (setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--")
    works = subprocess.run([*prefix, "true"], capture_output=True)  # needs CAP_SETPCAP
    return prefix if works.returncode == 0 else None


def test_a_read_only_data_folder(kindstep, tmp_path):
    prefix = _without_root_powers()
    if prefix is None:
        pytest.skip("running as root (os.geteuid() == 0), where chmod does not stop writes, and "
                    "setpriv cannot drop that power here; a read-only folder cannot be made")
    data = tmp_path / "data"
    data.mkdir()
    used = tmp_path / "used"
    assert kindstep(used, "log", "walk", "5").returncode == 0  # a folder with a database in it
    try:
        for folder in (data, used):
            folder.chmod(0o555)
        probe = subprocess.run([*prefix, "touch", str(data / "probe")], capture_output=True)
        if probe.returncode == 0:
            pytest.skip("this system lets the tests write into a read-only folder")
        for folder in (data, used):
            before = snapshot(folder)
            result = kindstep(folder, "log", "walk", "5", prefix=prefix)
            assert_one_kind_line(result, common.EXIT_DATA,
                                 f"kindstep can't write its data folder {folder}: is it read-only?")
            assert snapshot(folder) == before
        result = kindstep(data / "new", "log", "walk", "5", prefix=prefix)
        assert_one_kind_line(result, common.EXIT_DATA,
                             f"kindstep can't create its data folder {data / 'new'}")
    finally:
        for folder in (data, used):
            folder.chmod(0o755)


def test_a_broken_setting_is_one_line_too(kindstep, tmp_path):
    env_run = subprocess.run(
        [SCRIPT, "history"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env={**os.environ, "KINDSTEP_DATA_DIR": str(tmp_path), "KINDSTEP_MODE": "sometimes"})
    assert_one_kind_line(env_run, common.EXIT_CONFIG, "KINDSTEP_MODE should be")


# -- a database another command is busy with ------------------------------------------------


@pytest.fixture
def held_lock(transactional_db):
    """Another connection holds the write lock on the test database; kindstep waits 0.2 s."""
    from django.db import connection

    from kindstep.store import actions

    actions.local_person()
    connection.close()
    options = connection.settings_dict["OPTIONS"]
    kept = options.get("timeout")
    options["timeout"] = 0.2
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.rollback()
        other.close()
        connection.close()
        options["timeout"] = kept
        # A connection whose opening met the lock is never handed to Django, so nothing
        # closes it: it lives on in the refused command's traceback (a reference cycle)
        # until the collector runs. A real command exits at once; here it would keep the
        # test database open for later tests (a first Apple Health import then cannot
        # leave WAL). Collect it now.
        import gc

        gc.collect()


def test_a_busy_database_asks_kindly_to_try_again_and_writes_nothing(held_lock):
    from kindstep.store import models

    runner = CliRunner()
    for args in (("log", "walk", "5"), ("rest",), ("checkin", "--energy", "3", "--mood", "4",
                                                    "--anxiety", "5")):
        with time_machine.travel(NOW, tick=False):
            result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == common.EXIT_BUSY, result.output
        assert result.stderr.strip() == ("Another kindstep command (perhaps an import) is still "
                                         "busy with your data; please try again in a minute.")
    with time_machine.travel(NOW, tick=False):
        reading = runner.invoke(app, ["history", "--json"], catch_exceptions=False)
    assert reading.exit_code == 0  # reading goes on while another command writes
    assert models.MovementSession.objects.count() == 0
    assert models.RestDay.objects.count() == 0
    assert models.CheckIn.objects.count() == 0


def test_the_words_for_each_database_error():
    from django.db import utils

    locked = utils.OperationalError("database is locked")
    assert boot.data_problem(locked).kind == "busy"
    damaged = boot.data_problem(utils.DatabaseError("file is not a database"))
    assert "not a kindstep database" in damaged.message and damaged.kind == "data"
    full = boot.data_problem(utils.OperationalError("database or disk is full"))
    assert "no room left" in full.message
    # mistakes in kindstep's own code are not data problems: they must not be hidden
    assert boot.data_problem(utils.IntegrityError("UNIQUE constraint failed")) is None
    assert boot.data_problem(ValueError("x")) is None

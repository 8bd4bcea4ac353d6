"""`kindstep export` and `kindstep erase`, in-process on a real SQLite file."""

from __future__ import annotations

import json

import pytest
import time_machine
from typer.testing import CliRunner

from kindstep.cli import common
from kindstep.cli.main import app
from kindstep.store import models
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(db, tmp_path, monkeypatch):
    from kindstep.store import actions

    actions.local_person()
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def _run(*args: str, input: str | None = None):
        with time_machine.travel(NOW, tick=False):
            return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return _run


@pytest.fixture
def record(run):
    assert run("log", "walk", "20", "--note", "by the river").exit_code == 0
    assert run("rest", "--date", "2026-11-20").exit_code == 0
    assert run("checkin", "--energy", "4", "--mood", "5", "--anxiety", "3").exit_code == 0


def test_export_writes_everything_to_a_dated_file_here(run, record, tmp_path):
    result = run("export")
    assert result.exit_code == 0, result.output
    path = tmp_path / "kindstep-export-2026-11-25.json"
    data = json.loads(path.read_text("utf-8"))
    assert data["format"] == "kindstep-export"
    assert [s["note"] for s in data["sessions"]] == ["by the river"]
    assert len(data["rest_days"]) == len(data["checkins"]) == 1
    assert f"Your record is in {path.name}: 3 entries, with your settings." in result.stdout
    assert list(tmp_path.iterdir()) == [path]  # no part-file left beside it


def test_export_to_standard_output_is_the_document_alone(run, record):
    result = run("export", "-")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["sessions"][0]["minutes"] == 20


def test_export_never_replaces_a_file_unless_asked(run, record, tmp_path):
    target = tmp_path / "mine.json"
    target.write_text("my own notes")
    result = run("export", str(target))
    assert result.exit_code == 2
    assert "There is already a file at" in result.stderr and "--force" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert target.read_text() == "my own notes"
    assert run("export", str(target), "--force").exit_code == 0
    assert json.loads(target.read_text())["format"] == "kindstep-export"


def test_export_into_a_folder_that_is_not_there_is_refused_kindly(run, record, tmp_path):
    result = run("export", str(tmp_path / "no" / "such" / "place.json"))
    assert result.exit_code == 2
    assert "There is no folder" in result.stderr and "Nothing was written" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_export_into_a_folder_names_the_file_itself(run, record, tmp_path):
    (tmp_path / "backups").mkdir()
    assert run("export", str(tmp_path / "backups")).exit_code == 0
    assert (tmp_path / "backups" / "kindstep-export-2026-11-25.json").exists()


def test_erase_from_a_script_needs_yes_and_otherwise_touches_nothing(run, record, counts):
    before = counts()
    result = run("erase")
    assert result.exit_code == 2
    assert "kindstep erase --yes" in result.stderr and "Nothing has been erased" in result.stderr
    assert counts() == before


def test_erase_with_yes_leaves_a_fresh_start(run, record):
    result = run("erase", "--yes")
    assert result.exit_code == 0
    assert "Everything is erased." in result.stdout
    assert not models.MovementSession.objects.exists() and not models.CheckIn.objects.exists()
    assert not models.RestDay.objects.exists()
    history = run("history")
    assert "Nothing recorded" in history.stdout  # and kindstep carries on, afresh


@pytest.mark.parametrize(("answer", "erased"), [("\n", False), ("erase\n", True)])
def test_erase_at_a_terminal_asks_for_the_word(run, record, monkeypatch, answer, erased):
    monkeypatch.setattr(common, "interactive", lambda: True)
    result = run("erase", input=answer)
    assert result.exit_code == 0
    assert "There is no undo." in result.stdout and "kindstep export" in result.stdout
    assert ("Everything is erased." in result.stdout) is erased
    assert ("Nothing was erased." in result.stdout) is not erased
    assert models.MovementSession.objects.exists() is not erased


def test_erase_at_a_terminal_with_another_word_is_refused(run, record, monkeypatch, counts):
    monkeypatch.setattr(common, "interactive", lambda: True)
    before = counts()
    result = run("erase", input="yes\n")
    assert result.exit_code == 2
    assert 'please type the word "erase"' in result.stderr
    assert counts() == before

"""Text a person typed or a file brought in is printed as written: never read as Rich markup,
never sent to the terminal as control codes."""

from __future__ import annotations

import json
from datetime import date

import pytest
import time_machine
from typer.testing import CliRunner

from kindstep.cli import common
from kindstep.cli.main import app
from kindstep.store import actions, models
from tests.conftest import NOW
from tests.importers.test_journals import HEADER

pytestmark = pytest.mark.django_db

ESC = "\x1b"
CSI = "\x9b"  # the one-character form of ESC [ that some terminals act on


@pytest.fixture
def run(db, monkeypatch):
    actions.local_person()
    monkeypatch.setattr(common, "_console", None)  # a wide console, so table cells stay whole
    runner = CliRunner()

    def _run(*args: str):
        with time_machine.travel(NOW, tick=False):
            return runner.invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": "240"})

    return _run


def test_a_square_bracket_in_a_note_does_not_stop_history(run):
    assert run("log", "walk", "5", "--note", "[/x] oops").exit_code == 0
    result = run("history")
    assert result.exit_code == 0, result.output
    assert "[/x] oops" in result.stdout


@pytest.mark.parametrize("note",
                         ["[bold]x[/bold]", "[red]rest[/red] \\", "[link=http://a]b[/link]"])
def test_notes_that_look_like_markup_are_shown_as_written(run, note):
    assert run("log", "walk", "5", "--note", note).exit_code == 0
    assert run("rest", "--date", "2026-11-24", "--note", note).exit_code == 0
    checkin = ("checkin", "--energy", "3", "--mood", "4", "--anxiety", "5", "--note", note)
    assert run(*checkin).exit_code == 0
    result = run("history")
    assert result.exit_code == 0, result.output
    assert result.stdout.count(note) == 3


def test_control_codes_in_a_note_never_reach_the_terminal(run):
    note = f"calm{ESC}]0;new title\x07{ESC}[2J{CSI}31m\rend"
    assert run("log", "walk", "5", "--note", note).exit_code == 0
    result = run("history")
    assert result.exit_code == 0, result.output
    for code in (ESC, CSI, "\x07", "\r"):
        assert code not in result.stdout
    assert "calm\ufffd]0;new title" in result.stdout
    # --json keeps the note exactly as it was typed, every control code written as an escape
    raw = run("history", "--json").stdout
    assert ESC not in raw and CSI not in raw and "\\u009b" in raw
    assert json.loads(raw)["entries"][0]["note"] == note


def test_an_imported_journal_is_shown_as_written_and_cannot_send_escape_codes(run, tmp_path):
    daylio = tmp_path / "daylio.csv"
    daylio.write_text(
        HEADER + f'2026-11-20,20 Nov,Friday,6:50 pm,rad,"[bold]friends[/bold] | {ESC}[31mred",'
                 f'"","[/x] a note {ESC}]0;title\x07"\n', "utf-8")
    assert run("import", str(daylio)).exit_code == 0
    result = run("history", "--days", "30")
    assert result.exit_code == 0, result.output
    assert "[bold]friends[/bold]" in result.stdout
    assert "[/x] a note" in result.stdout
    assert ESC not in result.stdout and "\x07" not in result.stdout


def test_an_activity_name_from_a_file_is_shown_as_written(run):
    person = actions.local_person()
    models.MovementSession.objects.create(
        person=person, day=date(2026, 11, 24), activity=f"[red]zumba[/red]{ESC}[2J", minutes=20,
        met=5.0, source="gpx", external_id="x1", note="[i]",
    )
    result = run("history")
    assert result.exit_code == 0, result.output
    assert "[red]zumba[/red]\ufffd[2J, 20 min" in result.stdout
    assert "[i]" in result.stdout


def test_plain_text_is_escaped_and_stripped_of_control_codes():
    from rich.markup import render

    for text in ("[/x]", "[bold]b[/bold]", "a\\[b]", "ends in \\", "two \\\\", "", "ok"):
        assert render(common.plain(text)).plain == text
    assert common.plain(None) == ""
    cleaned = common.safe_text(f"a{ESC}b\x07c\r\nd\te{CSI}f\x7f")
    assert cleaned == "a\ufffdb\ufffdc\nd\te\ufffdf\ufffd"

"""`kindstep report` and `kindstep fhir`, in-process on a real SQLite file, with real files."""

from __future__ import annotations

import json
import subprocess

import pytest
import time_machine
from typer.testing import CliRunner

from kindstep.cli.main import app
from kindstep.store import models
from tests.conftest import NOW
from tests.reports.record import seed
from tests.words import unkind

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(db, tmp_path, monkeypatch):
    from kindstep.store import actions

    person = actions.local_person()
    person.timezone = "Europe/London"
    person.country = "GB"
    person.save()
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def _run(*args: str):
        with time_machine.travel(NOW, tick=False):
            return runner.invoke(app, list(args), catch_exceptions=False)

    _run.person = person
    return _run


@pytest.fixture
def record(run):
    seed(run.person, days=21)
    return run.person


def refused_in_one_kind_line(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert unkind(lines[0]) == []
    return lines[0]


def test_report_writes_a_dated_pdf_here_and_says_where(run, record, tmp_path):
    result = run("report", "--weeks", "3")
    assert result.exit_code == 0, result.output
    path = tmp_path / "kindstep-report-2026-11-25.pdf"
    assert path.read_bytes().startswith(b"%PDF-")
    assert f"Your report is in {path.name}: 3 weeks." in result.stdout
    assert list(tmp_path.iterdir()) == [path]  # no part-file beside it
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "3 weeks, 9 Nov 2026 to 25 Nov 2026" in text


def test_report_takes_a_name_and_notes_only_when_asked(run, record, tmp_path):
    out = tmp_path / "for-my-gp.pdf"
    assert run("report", "--out", str(out), "--name", "Sam", "--notes").exit_code == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "A record of movement and mood: Sam" in text and "by the river" in text
    plain = tmp_path / "plain.pdf"
    assert run("report", "--out", str(plain)).exit_code == 0
    text = subprocess.run(["pdftotext", str(plain), "-"], capture_output=True, text=True).stdout
    assert "Sam" not in text and "by the river" not in text


@pytest.mark.parametrize(("args", "words"), [
    (("--weeks", "0"), "1 to 52 weeks"),
    (("--weeks", "60"), "1 to 52 weeks"),
    (("--name", "x" * 101), "up to 100 characters"),
    (("--paper", "A5"), "A4 or Letter"),
])
def test_report_refuses_an_option_it_cannot_use_and_writes_nothing(run, record, tmp_path, counts,
                                                                   args, words):
    before = counts()
    line = refused_in_one_kind_line(run("report", *args))
    assert words in line
    assert list(tmp_path.iterdir()) == []
    assert counts() == before


def test_report_never_replaces_a_file_unless_asked(run, record, tmp_path):
    target = tmp_path / "mine.pdf"
    target.write_text("my own file")
    line = refused_in_one_kind_line(run("report", "--out", str(target)))
    assert "--force" in line and "Nothing was written" in line
    assert target.read_text() == "my own file"
    assert run("report", "--out", str(target), "--force").exit_code == 0
    assert target.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize("command", ["report", "fhir"])
def test_an_out_path_in_no_folder_is_refused_with_nothing_left(run, record, tmp_path, command):
    (tmp_path / "a-file").write_text("x")
    line = refused_in_one_kind_line(run(command, "--out", str(tmp_path / "a-file" / "out")))
    assert "There is no folder" in line and "Nothing was written" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


@pytest.mark.parametrize("command", ["report", "fhir"])
def test_an_out_path_that_cannot_be_written_is_refused_kindly(run, record, command):
    # /proc takes no new files, even from root (the tests may run as root, whom chmod
    # does not stop).
    line = refused_in_one_kind_line(run(command, "--out", "/proc/kindstep-out"))
    assert "/proc" in line and "Nothing was written" in line


def test_fhir_writes_a_bundle_file_with_every_questionnaire_and_session(run, record, tmp_path):
    result = run("fhir", "--out", str(tmp_path / "record.json"))
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "record.json").read_text("utf-8"))
    assert data["resourceType"] == "Bundle" and data["type"] == "collection"
    kinds = [e["resource"]["resourceType"] for e in data["entry"]]
    answered = models.QuestionnaireResponse.objects.count()
    sessions = models.MovementSession.objects.filter(removed_at__isnull=True).count()
    assert kinds.count("QuestionnaireResponse") == answered
    assert kinds.count("Observation") == answered + sessions
    assert f"{len(kinds) - 1} entries" in result.stdout
    assert list(tmp_path.iterdir()) == [tmp_path / "record.json"]


def test_fhir_to_standard_output_is_the_bundle_alone(run, record):
    result = run("fhir", "--out", "-", "--name", "Sam")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["entry"][0]["resource"]["name"] == [{"text": "Sam"}]


def test_fhir_default_name_is_dated_and_never_replaced_unless_asked(run, record, tmp_path):
    assert run("fhir").exit_code == 0
    path = tmp_path / "kindstep-fhir-2026-11-25.json"
    first = path.read_text("utf-8")
    refused_in_one_kind_line(run("fhir"))
    assert path.read_text("utf-8") == first
    assert run("fhir", "--force").exit_code == 0

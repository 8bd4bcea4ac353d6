"""Nothing dropped silently: every importer's summary accounts for every item, each skip with its
reason, and a file that adds nothing says why in one line with what to try (CLI, --json, web)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from typer.testing import CliRunner

from kindstep.store import models
from kindstep.store.importing import import_file
from tests.importers.test_activity_files import RUN, TCX_RUN, fit_file, tcx_text
from tests.importers.test_journals import BEARABLE, DAYLIO, HEADER, write_backup
from tests.importers.test_strava import csv_bytes, line
from tests.store.test_importing import write
from tests.words import unkind

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)

APPLE_BAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n'
             ' <ExportDate value="2024-06-30 23:59:00 +0200"/>\n'
             ' <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Phone" unit="count"'
             ' startDate="someday" endDate="someday" value="10"/>\n</HealthData>\n')
APPLE_GOOD = APPLE_BAD.replace('startDate="someday" endDate="someday"',
                               'startDate="2024-05-01 10:00:00 +0000" '
                               'endDate="2024-05-01 10:05:00 +0000"')

NOTHING_USABLE = {
    # format: (file name, content): files whose every item is set aside, each for its reason
    "gpx": ("route.gpx", '<gpx version="1.1" creator="t"><rte><rtept lat="1" lon="1"/></rte></gpx>'),
    "tcx": ("empty.tcx", tcx_text("<Activities></Activities>")),
    "fit": ("settings.fit", fit_file([], file_type=2)),
    "strava": ("activities.csv", csv_bytes([line("7", "sometime in May", "?", "Run", 600, 0.0)])),
    "daylio_csv": ("daylio.csv", HEADER + "2034-05-02,,,08:05,meh,,,\n"),
    "bearable_csv": ("bearable.csv", 'date,weekday,time of day,category,rating/amount,detail,notes\n'
                                     '"someday","","am","Mood","5","",""\n'),
    "apple_health": ("export.xml", APPLE_BAD),
}

GOOD = {
    "gpx": ("run.gpx", RUN), "tcx": ("run.tcx", TCX_RUN),
    "fit": ("ride.fit", fit_file([(2, 0, datetime(2024, 5, 3, 8, 0, tzinfo=UTC), 2700, 15000.0)])),
    "strava": ("activities.csv", csv_bytes([line("1", "May 6, 2024, 10:00:00 AM", "Walk", "Walk",
                                                  600, 900.0)])),
    "daylio_csv": ("daylio.csv", DAYLIO), "bearable_csv": ("bearable.csv", BEARABLE),
    "apple_health": ("export.xml", APPLE_GOOD),
}


def one_line(text: str) -> bool:
    return bool(text) and "\n" not in text and not unkind(text)


@pytest.mark.parametrize("fmt", sorted(NOTHING_USABLE))
def test_a_file_of_nothing_usable_counts_each_item_with_its_reason_and_says_what_to_try(
        alice, tmp_path, fmt):
    name, content = NOTHING_USABLE[fmt]
    summary = import_file(alice, write(tmp_path, name, content), now=NOW)
    assert summary.format == fmt
    assert summary.added == 0 and summary.skipped >= 1
    assert sum(summary.reasons.values()) == summary.skipped and all(summary.reasons)
    assert one_line(summary.why_nothing) and "may help" in summary.why_nothing
    assert summary.as_dict()["why_nothing"] == summary.why_nothing


@pytest.mark.parametrize("fmt", sorted(GOOD))
def test_a_file_imported_twice_says_everything_was_already_here(alice, tmp_path, fmt):
    name, content = GOOD[fmt]
    path = write(tmp_path, name, content)
    first = import_file(alice, path, now=NOW)
    assert first.added >= 1 and first.why_nothing == "" and "why_nothing" not in first.as_dict()
    again = import_file(alice, path, now=NOW)
    assert again.added == 0 and again.already_present == first.added
    assert again.why_nothing.startswith("Everything in this file was already here") \
        or (again.skipped and one_line(again.why_nothing))


def test_a_daylio_backup_with_nothing_usable_says_why(alice, tmp_path):
    path = write_backup(tmp_path / "old.daylio", {"dayEntries": [
        {"year": 2034, "month": 0, "day": 1, "hour": 9, "minute": 0, "mood": 1, "tags": []}]})
    summary = import_file(alice, path, now=NOW)
    assert summary.format == "daylio_backup" and summary.skipped == 1
    assert one_line(summary.why_nothing)


def test_a_file_with_no_entries_at_all_says_so(alice, tmp_path):
    summary = import_file(alice, write(tmp_path, "daylio.csv", HEADER), now=NOW)
    assert (summary.added, summary.already_present, summary.skipped) == (0, 0, 0)
    assert summary.why_nothing.startswith("This file holds no entries kindstep could find")


def test_a_journal_walk_left_out_because_the_day_holds_one_is_said_in_a_note(alice, tmp_path):
    import_file(alice, write(tmp_path, "run.gpx", RUN.replace("running", "walking")), now=NOW)
    walked = models.MovementSession.objects.get(person=alice)
    diary = HEADER + f"{walked.day.isoformat()},,,20:00,good,walk,,\n"
    summary = import_file(alice, write(tmp_path, "daylio.csv", diary), now=NOW)
    assert summary.added == 1
    assert models.MovementSession.objects.filter(person=alice).count() == 1
    (note,) = summary.notes
    assert note.startswith("1 movement(s) named in the journal were not added as sessions")


def test_the_cli_and_json_say_why_nothing_was_added(alice, tmp_path):
    path = write(tmp_path, "route.gpx", NOTHING_USABLE["gpx"][1])
    runner = CliRunner()
    from kindstep.cli.main import app

    with time_machine.travel(NOW, tick=False):
        text = runner.invoke(app, ["import", str(path)], catch_exceptions=False).stdout
        data = json.loads(runner.invoke(app, ["import", str(path), "--json"]).stdout)
    lines = text.splitlines()
    assert lines[0].startswith("From a GPX file: 0 added, 0 already here, 1 skipped (")
    assert lines[-1].startswith("Nothing in this file could be used")
    assert data["why_nothing"] == lines[-1] and data["skipped"] == 1


def test_the_web_page_says_why_nothing_was_added(client, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    name, content = NOTHING_USABLE["strava"]
    response = client.post("/import/", {"export": SimpleUploadedFile(name, content)})
    text = response.content.decode()
    assert '<p id="why-nothing">Nothing in this file could be used' in text
    assert "date could not be read" in text

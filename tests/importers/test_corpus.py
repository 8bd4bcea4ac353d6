"""Every real sample file of the corpus beside the checkout, read in place (never copied in)."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kindstep.importers import daylio, fit, gpx, tcx
from kindstep.importers.detect import activity_rows, detect
from kindstep.importers.rows import ImportRefused, MoodRow, SessionRow, Skipped

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"  # beside the checkout
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="the sample corpus is not on this machine"),
]
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)

EXPECTED = {
    # file: (sessions, skipped) or the start of the refusal's message
    "gpx/gpxpy__around-visnjan-with-car.gpx": (1, 0),
    "gpx/gpxpy__cerknicko-jezero.gpx": (7, 1),
    "gpx/gpxpy__track-with-empty-segment.gpx": (1, 0),
    "gpx/gpxpy__unicode_with_bom.gpx": (0, 1),
    "gpx/togeojson__apple_watch_route.gpx": (1, 0),
    "gpx/togeojson__bad.gpx": "This GPX file holds a value",
    "gpx/togeojson__missing_hr.gpx": (1, 0),
    "gpx/togeojson__opencpn.gpx": (0, 1),
    "gpx/togeojson__run.gpx": (1, 0),
    "gpx/togeojson__run_gpxtpx.gpx": (1, 0),
    "gpx/togeojson__unique_trkpt.gpx": (0, 1),
    "tcx/tcxparser__test.tcx": (1, 0),
    "tcx/tcxreader__mapmyride_biking.tcx": (1, 0),
    "tcx/tcxreader__sup_activity_1.tcx": (1, 0),
    "tcx/togeojson__bad.tcx": (1, 0),
    "tcx/togeojson__garmin_connect.tcx": (1, 0),
    "tcx/togeojson__sample.tcx": (1, 0),
    "tcx/togeojson__tcx-courses.tcx": (0, 1),
    "tcx/togeojson__tour_hr.tcx": (1, 0),
    "fit/fitparse__Activity.fit": (1, 0),
    "fit/fitparse__activity-filecrc.fit": "This FIT file's checksum",
    "fit/fitparse__activity-unexpected-eof.fit": "This FIT file ends sooner",
    "fit/fitparse__elemnt-bolt-no-application-id-inside-developer-data-id.fit": (1, 0),
    "fit/fitparse__garmin-edge-820-bike.fit": (1, 0),
    "fit/fitparse__garmin-fenix-5-run.fit": (1, 0),
    "fit/fitparse__nick.fit": "This FIT file ends sooner",
    "fit/fitparse__null_compressed_speed_dist.fit": (1, 0),
    "fit/fitparse__sample-activity-indoor-trainer.fit": (1, 0),
    "fit/fitparse__sample_mulitple_header.fit": (3, 2),
    "fit/fitparse__strava-android-app-201.10-b1218918.fit": "This FIT file has a part",
}
READERS = {"gpx": gpx.rows, "tcx": tcx.rows, "fit": fit.rows}


def test_the_table_names_every_activity_file_in_the_corpus():
    on_disk = {p.relative_to(CORPUS).as_posix() for kind in READERS for p in (CORPUS / kind).glob("*")
               if p.is_file()}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_activity_file_imports_or_is_refused_as_expected(name):
    path = CORPUS / name
    kind = name.split("/")[0]
    assert detect(path) == kind
    expected = EXPECTED[name]
    if isinstance(expected, str):
        with pytest.raises(ImportRefused) as caught:
            list(READERS[kind](path, now=NOW))
        assert caught.value.message.startswith(expected)
        return
    found = list(READERS[kind](path, now=NOW))
    sessions = [r for r in found if isinstance(r, SessionRow)]
    assert (len(sessions), sum(isinstance(r, Skipped) for r in found)) == expected
    assert len(found) == sum(expected)
    for row in sessions:
        assert row.started_at.tzinfo is UTC and 1 <= row.minutes <= 24 * 60
        assert row.key and row.source == kind


@pytest.mark.parametrize("stem", ["garmin-fenix-5-run", "garmin-edge-820-bike"])
def test_fit_sessions_match_upstreams_expected_records(stem):
    [row] = fit.rows(CORPUS / f"fit/fitparse__{stem}.fit", now=NOW)
    with open(CORPUS / f"fit/expected/fitparse__{stem}-records.csv", newline="") as handle:
        records = list(csv.DictReader(handle))
    first = datetime.strptime(records[0]["timestamp"].replace("PDT ", ""), "%a %b %d %H:%M:%S %Y")
    assert row.started_at.astimezone(UTC).replace(tzinfo=None) == first.replace(hour=first.hour + 7)
    assert row.distance_m == pytest.approx(float(records[-1]["distance"]), abs=0.1)
    assert row.day == first.date()


def test_a_folder_of_the_corpus_fit_files_reads_with_one_reason_per_damaged_file():
    found = list(activity_rows(CORPUS / "fit", now=NOW))
    assert sum(isinstance(r, SessionRow) for r in found) == 9
    damaged = [r for r in found if isinstance(r, Skipped) and "session" not in r.where]
    assert len(damaged) == 4


DAYLIO_CSV = {
    # file: (moods, of which waiting for a place, skipped, derived sessions)
    "daylio-csv-parser__sample.csv": (3, 3, 0, 1),
    "daylio-csv-parser__sample_multiple_moods.csv": (7, 5, 0, 0),
    "daylio-parser__test_data.csv": (32, 0, 0, 1),
    "daylio-stats__test_data_2020_no_note_title.csv": (32, 0, 0, 1),
    "obsidian-daylio-parser__daylio_export_escaped_characters.csv": (5, 5, 0, 0),
    "obsidian-daylio-parser__daylio_export_ok.csv": (12, 11, 0, 0),
    "obsidian-daylio-parser__daylio_export_ok_scales.csv": (7, 7, 0, 0),
}


@pytest.mark.parametrize("name", sorted(DAYLIO_CSV))
def test_each_daylio_csv_accounts_for_every_line(name):
    path = CORPUS / "daylio" / name
    assert detect(path) == "daylio_csv"
    rows = list(daylio.csv_rows(path, now=NOW))
    found = Counter(type(r).__name__ for r in rows)
    waiting = sum(isinstance(r, MoodRow) and r.mood is None for r in rows)
    assert (found["MoodRow"], waiting, found["Skipped"], found["SessionRow"]) == DAYLIO_CSV[name]
    with open(path, encoding="utf-8-sig", newline="") as handle:
        lines = sum(1 for record in csv.reader(handle) if any(record)) - 1
    assert found["MoodRow"] + found["Skipped"] == lines


def test_the_corrupted_daylio_file_is_refused():
    path = CORPUS / "daylio/obsidian-daylio-parser__daylio_export_bad_corrupted.csv"
    with pytest.raises(ImportRefused):
        detect(path)
    with pytest.raises(ImportRefused) as caught:
        list(daylio.csv_rows(path, now=NOW))
    assert "not UTF-8" in caught.value.message


def test_the_official_daylio_backup_imports_with_its_custom_moods():
    path = CORPUS / "daylio/DaylioBackupTools__english.daylio"
    assert detect(path) == "daylio_backup"
    found = list(daylio.backup_rows(path, now=NOW))
    moods = [r for r in found if isinstance(r, MoodRow)]
    assert len(moods) == 5  # metadata.number_of_entries
    assert [m.mood for m in moods] == [0, 10, 5, 0, 3]
    assert "exercice" in moods[1].activities
    assert [r.activity for r in found if isinstance(r, SessionRow)] == ["walk"]


def test_the_strava_activities_csv_is_not_mistaken_for_a_journal():
    assert detect(CORPUS / "strava/strava-insights__activities.csv") == "strava"

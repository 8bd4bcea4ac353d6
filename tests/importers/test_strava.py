"""Strava's bulk export, built here in its own layout: activities.csv with the files it names."""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kindstep.core.catalogue import load_catalogue
from kindstep.importers import detect, strava
from kindstep.importers.rows import ImportRefused, SessionRow, Skipped
from tests.importers.test_activity_files import TCX_RUN, fit_file, gpx_text, pt

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)

HEADER = [
    # The first 35 columns of activities.csv in the order Strava writes them, repeats included
    # (the first Distance is in the person's km or miles, the second in metres).
    "Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description",
    "Elapsed Time", "Distance", "Max Heart Rate", "Relative Effort", "Commute",
    "Activity Private Note", "Activity Gear", "Filename", "Athlete Weight", "Bike Weight",
    "Elapsed Time", "Moving Time", "Distance", "Max Speed", "Average Speed", "Elevation Gain",
    "Elevation Loss", "Elevation Low", "Elevation High", "Max Grade", "Average Grade",
    "Average Positive Grade", "Average Negative Grade", "Max Cadence", "Average Cadence",
    "Max Heart Rate", "Average Heart Rate", "Max Watts", "Average Watts", "Calories",
]


def line(activity_id: str, date: str, name: str, kind: str, seconds: int, metres: float,
         filename: str = "", description: str = "", calories: str = "") -> list[str]:
    row = [""] * len(HEADER)
    row[0], row[1], row[2], row[3], row[4] = activity_id, date, name, kind, description
    row[5], row[6], row[12] = str(seconds), f"{metres / 1000:.2f}", filename
    row[15], row[16], row[17], row[34] = f"{seconds}.0", f"{seconds}.0", str(metres), calories
    return row


def csv_bytes(lines: list[list[str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(lines)
    return out.getvalue().encode("utf-8")


RUN_GPX = gpx_text("\n".join([pt(51.50, -0.10, "2024-05-01T07:00:00Z"),
                              pt(51.505, -0.10, "2024-05-01T07:10:00Z"),
                              pt(51.51, -0.10, "2024-05-01T07:30:00Z")]), name="Morning Run")
WALK_GPX = gpx_text(pt(51.50, -0.10, "2024-05-02T18:00:00Z") + pt(51.501, -0.10, "2024-05-02T18:20:00Z"),
                    type_="walking", name="Evening Walk")
RIDE_FIT = fit_file([(2, 0, datetime(2024, 5, 3, 8, 0, tzinfo=UTC), 2700, 15000.0)])

LINES = [
    line("1", "May 1, 2024, 7:00:00 AM", "Morning Run", "Run", 1800, 1112.0, "activities/1.gpx"),
    line("2", "May 2, 2024, 6:00:00 PM", "Evening Walk", "Walk", 1200, 111.0, "activities/2.gpx.gz"),
    line("3", "May 3, 2024, 8:00:00 AM", "Commute", "Ride", 2700, 15000.0, "activities/3.fit.gz"),
    line("4", "May 1, 2024, 10:40:00 PM", "Late jog", "Run", 720, 1500.5, "activities/4.tcx"),
    line("5", "May 4, 2024, 9:15:00 AM", "Gentle yoga", "Yoga", 1500, 0.0,
         description="Felt calmer after", calories="80"),
    line("6", "May 5, 2024, 10:00:00 AM", "On the water", "Rowing", 2400, 5000.0),
]
FILES = {
    "activities/1.gpx": RUN_GPX.encode(),
    "activities/2.gpx.gz": gzip.compress(WALK_GPX.encode()),
    "activities/3.fit.gz": gzip.compress(RIDE_FIT),
    "activities/4.tcx": TCX_RUN.encode(),
}


def build_zip(path: Path, lines=LINES, files=FILES, *, extra: dict | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("activities.csv", csv_bytes(lines))
        archive.writestr("profile.csv", "Athlete ID,Email Address\n1,someone@example.org\n")
        for name, data in {**files, **(extra or {})}.items():
            archive.writestr(name, data)
    return path


def build_folder(folder: Path, lines=LINES, files=FILES) -> Path:
    (folder / "activities").mkdir(parents=True)
    (folder / "activities.csv").write_bytes(csv_bytes(lines))
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def read(path) -> list:
    return list(strava.rows(path, now=NOW))


# ---------------------------------------------------------------- the whole export


def test_each_activity_becomes_one_session_from_its_file_or_its_line(tmp_path):
    found = read(build_zip(tmp_path / "export_123.zip"))
    assert len(found) == len(LINES) and all(isinstance(r, SessionRow) for r in found)
    run, walk, ride, late, yoga, rowing = found
    # From the files, with the file readers' own source: plain GPX, gzipped GPX and FIT, TCX.
    assert (run.source, run.activity, run.minutes) == ("gpx", "jog", 30)
    assert (walk.source, walk.activity, walk.minutes) == ("gpx", "walk", 20)
    assert (ride.source, ride.activity, ride.minutes) == ("fit", "cycle", 45)
    assert 14999 <= ride.distance_m <= 15001
    assert (late.source, late.activity) == ("tcx", "jog")
    # From the line: no file for indoor and manual activities.
    assert (yoga.source, yoga.activity, yoga.minutes, yoga.origin) == ("strava", "yoga_gentle", 25, "Yoga")
    assert yoga.started_at == datetime(2024, 5, 4, 9, 15, tzinfo=UTC)
    assert yoga.note == "Gentle yoga\nFelt calmer after" and yoga.energy_kcal == 80.0
    assert yoga.distance_m == 0.0
    # A type with no gentle match is kept as an easy walk under its own name.
    assert (rowing.activity, rowing.origin, rowing.distance_m) == ("walk", "Rowing", 5000.0)
    assert all(r.activity in load_catalogue() for r in found)


def test_the_unpacked_folder_gives_the_same_sessions_as_the_zip(tmp_path):
    zipped = read(build_zip(tmp_path / "export.zip"))
    unpacked = read(build_folder(tmp_path / "export_123"))
    assert [(r.source, r.key) for r in unpacked] == [(r.source, r.key) for r in zipped]


def test_an_activity_from_the_export_has_the_key_of_the_same_file_imported_alone(tmp_path):
    from kindstep.importers import gpx

    [alone] = gpx.rows(RUN_GPX.encode(), now=NOW)
    assert read(build_zip(tmp_path / "e.zip"))[0].key == alone.key


def test_the_csv_alone_imports_every_activity_from_its_lines(tmp_path):
    path = tmp_path / "activities.csv"
    path.write_bytes(csv_bytes(LINES))
    found = read(path)
    assert [r.source for r in found] == ["strava"] * len(LINES)
    assert [r.activity for r in found] == ["jog", "walk", "cycle", "jog", "yoga_gentle", "walk"]
    assert [r.minutes for r in found] == [30, 20, 45, 12, 25, 40]
    assert found[2].distance_m == 15000.0  # the second Distance column, in metres
    assert all("file" not in r.note for r in found)  # no file was given, so none is missing


@pytest.mark.parametrize("damage", ["missing", "damaged", "not_activity", "no_track"])
def test_a_line_whose_file_is_missing_or_damaged_comes_from_the_line_with_the_reason(tmp_path, damage):
    files = dict(FILES)
    if damage == "missing":
        del files["activities/1.gpx"]
    elif damage == "damaged":
        files["activities/1.gpx"] = RUN_GPX.encode()[:200]
    elif damage == "not_activity":
        files["activities/1.gpx"] = b"just some words"
    else:
        files["activities/1.gpx"] = gpx_text("").encode()
    found = read(build_zip(tmp_path / "e.zip", files=files))
    assert len(found) == len(LINES)
    run = found[0]
    assert isinstance(run, SessionRow) and run.source == "strava" and run.minutes == 30
    assert run.activity == "jog" and run.started_at == datetime(2024, 5, 1, 7, 0, tzinfo=UTC)
    assert "activities/1.gpx" in run.note and run.note.startswith("Morning Run\nIts file")
    assert [r.source for r in found[1:4]] == ["gpx", "fit", "tcx"]  # the others still from files


def test_a_line_that_cannot_be_read_is_skipped_with_its_reason_and_row(tmp_path):
    bad = [line("7", "sometime in May", "?", "Run", 600, 0.0),
           line("8", "May 6, 2024, 10:00:00 AM", "No length", "Walk", 0, 0.0),
           line("9", "May 6, 2034, 10:00:00 AM", "From the future", "Walk", 600, 0.0)]
    bad[1][5] = bad[1][15] = bad[1][16] = ""
    path = tmp_path / "activities.csv"
    path.write_bytes(csv_bytes(LINES[4:] + bad))
    found = read(path)
    assert [type(r).__name__ for r in found] == ["SessionRow", "SessionRow", "Skipped", "Skipped",
                                                 "Skipped"]
    assert found[2] == Skipped("This activity's date could not be read, so there is no day to "
                               "place it on.", "row 4")
    assert "no elapsed time" in found[3].reason and found[3].where == "row 5"
    assert "outside 1990 to today" in found[4].reason and found[4].where == "row 6"


def test_another_apps_csv_or_a_broken_one_is_refused_kindly(tmp_path):
    other = tmp_path / "other.csv"
    other.write_bytes(b"Activity ID,Activity Date,Activity Type\n1,May 1 2024,Run\n")
    with pytest.raises(ImportRefused, match="lacks Strava's columns"):
        read(other)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(csv_bytes([line("1", "May 1, 2024, 7:00:00 AM", "Caf\u00e9", "Run", 60, 0.0)])
                      .replace("Caf\u00e9".encode(), b"Caf\xe9"))
    with pytest.raises(ImportRefused, match="not UTF-8") as refused:
        read(latin)
    assert refused.value.where == "line 2"
    header_only = tmp_path / "activities.csv"
    header_only.write_bytes(csv_bytes([]))
    with pytest.raises(ImportRefused, match="lists no activities, so there is nothing"):
        read(header_only)
    with pytest.raises(ImportRefused, match="could not open"):
        read(tmp_path / "nowhere.csv")
    folder = tmp_path / "empty_export"
    folder.mkdir()
    with pytest.raises(ImportRefused, match="no activities.csv"):
        read(folder)
    assert detect.detect(build_zip(tmp_path / "e.zip", lines=[])) == "strava"
    with pytest.raises(ImportRefused, match="lists no activities"):
        read(tmp_path / "e.zip")


def test_strava_types_map_to_the_catalogue_and_unknown_ones_keep_their_name():
    assert strava.strava_code("TrailRun") == "jog"
    assert strava.strava_code("Weight Training") == "strength_bodyweight"
    assert strava.strava_code("E-Bike Ride") == "cycle"
    assert strava.strava_code("Stair-Stepper") == "stairs"
    assert strava.strava_code("Kitesurf") == "walk"
    assert set(strava.STRAVA_TYPES.values()) <= set(load_catalogue()._by_code)


# ---------------------------------------------------------------- detection


def test_the_export_is_detected_as_a_zip_a_folder_or_the_csv_alone(tmp_path):
    assert detect.detect(build_zip(tmp_path / "anything.zip")) == "strava"
    folder = build_folder(tmp_path / "unpacked")
    assert detect.detect(folder) == "strava"
    assert detect.detect(folder / "activities.csv") == "strava"
    renamed = tmp_path / "my runs.txt"
    renamed.write_bytes(csv_bytes(LINES))
    assert detect.detect(renamed) == "strava"  # by the header, not the name


# ---------------------------------------------------------------- hostile exports


def test_a_zip_with_a_member_outside_its_place_is_refused(tmp_path):
    path = build_zip(tmp_path / "e.zip", extra={"../../evil.gpx": RUN_GPX.encode()})
    with pytest.raises(ImportRefused, match="outside the archive"):
        read(path)


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    path = build_zip(tmp_path / "e.zip", extra={"activities/9.gpx": b"\0" * (20 * 1024 * 1024)})
    with pytest.raises(ImportRefused, match="compressed far more"):
        read(path)


def test_a_gzip_bomb_inside_the_export_is_one_activity_from_its_line(tmp_path):
    bomb = gzip.compress(b"<" * (51 * 1024 * 1024))
    files = {**FILES, "activities/1.gpx": bomb}
    lines = [LINES[0][:12] + ["activities/1.gpx"] + LINES[0][13:]]
    found = read(build_zip(tmp_path / "e.zip", lines=lines, files=files))
    [run] = found
    assert run.source == "strava" and "could not be read" in run.note


def test_a_filename_that_leaves_the_folder_is_not_followed(tmp_path):
    outside = tmp_path / "secret.gpx"
    outside.write_text(RUN_GPX, encoding="utf-8")
    first = LINES[0][:12] + ["../secret.gpx"] + LINES[0][13:]
    linked = LINES[1][:12] + ["activities/link.gpx"] + LINES[1][13:]
    folder = build_folder(tmp_path / "export", lines=[first, linked], files={})
    (folder / "activities" / "link.gpx").symlink_to(outside)
    run, walk = read(folder)
    assert run.source == "strava" and "points outside the export" in run.note
    assert walk.source == "strava" and "link" in walk.note


# ---------------------------------------------------------------- real export


@pytest.mark.corpus
def test_the_real_activities_csv_imports_every_activity():
    from tests.importers.test_corpus import CORPUS

    path = CORPUS / "strava" / "strava-insights__activities.csv"  # read in place, never copied
    assert detect.detect(path) == "strava"
    found = read(path)
    assert len(found) == 112 and all(isinstance(r, SessionRow) for r in found)
    assert Counter(r.origin for r in found) == {"Run": 89, "Walk": 9, "Ride": 7, "Yoga": 5,
                                                "Workout": 2}
    assert Counter(r.activity for r in found)["jog"] == 89
    first = found[0]
    assert first.started_at == datetime(2021, 1, 27, 13, 57, 47, tzinfo=UTC)
    assert first.minutes == 21 and first.distance_m == 5612.4

"""A Strava export into the store: one session per activity, nothing twice, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from kindstep.store import models
from kindstep.store.importing import import_file
from tests.conftest import row_counts
from tests.importers.test_strava import (
    FILES,
    LINES,
    NOW,
    RUN_GPX,
    build_folder,
    build_zip,
    csv_bytes,
)

pytestmark = pytest.mark.django_db


def sessions(person) -> list[tuple]:
    return sorted(models.MovementSession.objects.filter(person=person)
                  .values_list("started_at", "minutes", "activity", "source"))


def test_an_export_imports_one_session_per_activity_and_again_adds_nothing(alice, tmp_path):
    path = build_zip(tmp_path / "export.zip")
    first = import_file(alice, path, now=NOW)
    assert first.as_dict() == {"format": "strava", "added": 6, "already_present": 0, "skipped": 0,
                               "reasons": {}}
    yoga = models.MovementSession.objects.get(person=alice, source="strava", activity="yoga_gentle")
    assert yoga.note == "From Strava: Yoga.\nGentle yoga\nFelt calmer after" and yoga.minutes == 25
    assert yoga.day == date(2024, 5, 4)
    # 23:40 in UTC+1 is 22:40 UTC on 1 May: London's day, as for a TCX file imported alone.
    assert models.MovementSession.objects.get(person=alice, source="tcx").day == date(2024, 5, 1)
    before = row_counts()
    again = import_file(alice, path, now=NOW)
    assert (again.added, again.already_present, again.skipped) == (0, 6, 0)
    assert row_counts() == before


def test_a_gpx_imported_alone_first_is_not_added_again_by_the_export(alice, tmp_path):
    bare = tmp_path / "4242.gpx"
    bare.write_text(RUN_GPX, encoding="utf-8")
    assert import_file(alice, bare, now=NOW).added == 1
    summary = import_file(alice, build_folder(tmp_path / "export"), now=NOW)
    assert (summary.added, summary.already_present) == (5, 1)
    assert len(sessions(alice)) == 6
    # And the other way round: the bare file after the export adds nothing.
    assert import_file(alice, bare, now=NOW).already_present == 1


def test_the_csv_alone_then_the_whole_export_counts_each_activity_once(alice, tmp_path):
    csv_alone = tmp_path / "activities.csv"
    csv_alone.write_bytes(csv_bytes(LINES))
    assert import_file(alice, csv_alone, now=NOW).added == 6
    # Same start, same length: the GPX, TCX and FIT sessions are the lines already held.
    summary = import_file(alice, build_zip(tmp_path / "export.zip"), now=NOW)
    assert (summary.added, summary.already_present) == (0, 6)
    assert {s[3] for s in sessions(alice)} == {"strava"}


def test_a_missing_file_still_imports_its_activity_and_the_file_later_adds_nothing(alice, tmp_path):
    files = {k: v for k, v in FILES.items() if k != "activities/1.gpx"}
    summary = import_file(alice, build_zip(tmp_path / "export.zip", files=files), now=NOW)
    assert (summary.added, summary.skipped) == (6, 0)
    run = models.MovementSession.objects.get(person=alice, activity="jog", minutes=30)
    assert run.source == "strava" and "Its file activities/1.gpx was not in the export." in run.note
    bare = tmp_path / "1.gpx"
    bare.write_text(RUN_GPX, encoding="utf-8")
    assert import_file(alice, bare, now=NOW).already_present == 1


def test_a_hostile_export_writes_nothing(alice, tmp_path):
    from kindstep.importers.rows import ImportRefused

    before = row_counts()
    path = build_zip(tmp_path / "e.zip", extra={"activities/../../x.gpx": b"<gpx/>"})
    with pytest.raises(ImportRefused):
        import_file(alice, path, now=NOW)
    assert row_counts() == before

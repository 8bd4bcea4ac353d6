"""Format detection sniffs the content, not only the name."""

from __future__ import annotations

import base64
import gzip
import zipfile
from datetime import UTC, datetime

import pytest

from kindstep.importers.detect import FORMATS, detect, rows_from_file
from kindstep.importers.rows import ImportRefused, MoodRow, SessionRow
from tests.importers.test_activity_files import RUN, TCX_RUN, fit_file
from tests.importers.test_journals import BEARABLE, DAYLIO


@pytest.fixture
def fit_bytes():
    from datetime import UTC, datetime

    return fit_file([(1, 0, datetime(2024, 5, 1, 7, tzinfo=UTC), 600, 1000)])


def test_single_files_are_known_by_their_content_whatever_their_name(tmp_path, fit_bytes):
    cases = {
        "gpx": RUN.encode(), "tcx": TCX_RUN.encode(), "fit": fit_bytes,
        "daylio_csv": DAYLIO.encode(), "bearable_csv": BEARABLE.encode(),
        "apple_health": b'<?xml version="1.0"?>\n<!DOCTYPE HealthData [\n]>\n<HealthData/>',
    }
    for expected, data in cases.items():
        path = tmp_path / f"{expected}.txt"
        path.write_bytes(data)
        assert detect(path) == expected, expected
    assert set(cases) <= set(FORMATS)


def test_a_bom_leading_spaces_and_gzip_do_not_hide_the_format(tmp_path):
    (tmp_path / "a").write_bytes(b"\xef\xbb\xbf" + DAYLIO.encode())
    (tmp_path / "b").write_bytes(b"   \n" + TCX_RUN.encode())
    (tmp_path / "c.gz").write_bytes(gzip.compress(RUN.encode()))
    assert [detect(tmp_path / n) for n in ("a", "b", "c.gz")] == ["daylio_csv", "tcx", "gpx"]


def test_zips_are_told_apart_by_what_they_hold(tmp_path):
    def make(name, members):
        with zipfile.ZipFile(tmp_path / name, "w") as zf:
            for member, data in members.items():
                zf.writestr(member, data)
        return tmp_path / name

    assert detect(make("a.zip", {"apple_health_export/export.xml": "<HealthData/>",
                                 "apple_health_export/workout-routes/r.gpx": RUN})) == "apple_health"
    assert detect(make("b.zip", {"backup.daylio": base64.b64encode(b"{}")})) == "daylio_backup"
    assert detect(make("c.zip", {"activities/1.gpx": RUN, "activities.csv": "x"})) == "activity_files"
    with pytest.raises(ImportRefused):
        detect(make("d.zip", {"notes.txt": "hello"}))


def test_a_folder_is_apple_health_or_activity_files(tmp_path):
    (tmp_path / "acts").mkdir()
    (tmp_path / "acts" / "1.tcx").write_text(TCX_RUN, encoding="utf-8")
    assert detect(tmp_path / "acts") == "activity_files"
    (tmp_path / "apple").mkdir()
    (tmp_path / "apple" / "export.xml").write_text("<HealthData/>", encoding="utf-8")
    assert detect(tmp_path / "apple") == "apple_health"


def test_unknown_empty_and_missing_files_are_refused_kindly(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "empty.gpx").write_bytes(b"")
    (tmp_path / "noise.gpx").write_bytes(bytes(range(256)) * 4)
    for name in ("x.csv", "empty.gpx", "noise.gpx", "missing.fit"):
        with pytest.raises(ImportRefused) as caught:
            detect(tmp_path / name)
        assert caught.value.message


def test_rows_from_file_detects_and_reads(tmp_path):
    (tmp_path / "d.csv").write_text(DAYLIO, encoding="utf-8")
    now = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    fmt, found = rows_from_file(tmp_path / "d.csv", tz="Europe/London", now=now)
    found = list(found)
    assert fmt == "daylio_csv"
    assert any(isinstance(r, MoodRow) for r in found) and any(isinstance(r, SessionRow) for r in found)

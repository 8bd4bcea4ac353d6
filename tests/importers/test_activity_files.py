"""GPX, TCX and FIT files built here in tmp_path: sessions out, hostile and broken files refused."""

from __future__ import annotations

import gzip
import struct
import zipfile
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kindstep.core.catalogue import load_catalogue
from kindstep.importers import fit, gpx, hardening, tcx
from kindstep.importers.detect import activity_files, activity_rows
from kindstep.importers.rows import ImportRefused, SessionRow, Skipped

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def gpx_text(points: str, *, type_: str = "running", name: str = "Morning Run", extra: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
{extra}<trk><name>{name}</name><type>{type_}</type><trkseg>
{points}
</trkseg></trk></gpx>"""


def pt(lat: float, lon: float, time: str) -> str:
    return f'<trkpt lat="{lat}" lon="{lon}"><time>{time}</time></trkpt>'


RUN = gpx_text("\n".join([
    pt(51.5000, -0.1000, "2024-05-01T07:00:00Z"),
    pt(51.5050, -0.1000, "2024-05-01T07:10:00Z"),
    pt(51.5100, -0.1000, "2024-05-01T07:30:10Z"),
]))


def rows_of(module, data, **kw):
    return list(module.rows(data, now=NOW, **kw))


# ---------------------------------------------------------------- GPX


def test_a_gpx_track_becomes_one_session_with_start_minutes_distance_and_activity():
    [row] = rows_of(gpx, RUN.encode())
    assert isinstance(row, SessionRow)
    assert row.source == "gpx"
    assert row.started_at == datetime(2024, 5, 1, 7, 0, tzinfo=UTC)
    assert row.day == date(2024, 5, 1)
    assert row.minutes == 30
    assert 1100 < row.distance_m < 1125  # two 0.005 degree steps of latitude
    assert row.activity == "jog" and row.origin == "running"
    assert row.activity in load_catalogue()


def test_reading_the_same_gpx_twice_gives_the_same_natural_key(tmp_path):
    path = tmp_path / "run.gpx"
    path.write_text(RUN, encoding="utf-8")
    assert [r.key for r in rows_of(gpx, path)] == [r.key for r in rows_of(gpx, RUN.encode())]


def test_the_local_day_follows_the_start_times_own_offset():
    text = gpx_text(pt(1, 1, "2024-05-01T23:30:00-05:00") + pt(1.001, 1, "2024-05-01T23:50:00-05:00"))
    [row] = rows_of(gpx, text.encode())
    assert row.day == date(2024, 5, 1)
    assert row.started_at == datetime(2024, 5, 2, 4, 30, tzinfo=UTC)


def test_an_unknown_sport_becomes_a_walk_and_keeps_its_own_name():
    text = gpx_text(pt(1, 1, "2024-05-01T07:00:00Z") + pt(1, 1.001, "2024-05-01T07:05:00Z"),
                    type_="kite_surfing", name="Afternoon")
    [row] = rows_of(gpx, text.encode())
    assert row.activity == "walk" and row.origin == "kite_surfing"


def test_the_track_name_is_a_hint_when_there_is_no_type():
    text = gpx_text(pt(1, 1, "2024-05-01T07:00:00Z") + pt(1, 1.001, "2024-05-01T07:05:00Z"),
                    type_="", name="Evening Ride")
    assert rows_of(gpx, text.encode())[0].activity == "cycle"


def test_each_track_yields_a_row_or_a_reason():
    no_times = '<trk><trkseg><trkpt lat="1" lon="1"/></trkseg></trk>'
    single = f'<trk><trkseg>{pt(1, 1, "2024-05-01T07:00:00Z")}</trkseg></trk>'
    long = (f'<trk><trkseg>{pt(1, 1, "2024-05-01T07:00:00Z")}'
            f'{pt(1, 1.1, "2024-05-02T08:00:00Z")}</trkseg></trk>')
    future = (f'<trk><trkseg>{pt(1, 1, "2031-05-01T07:00:00Z")}'
              f'{pt(1, 1.1, "2031-05-01T08:00:00Z")}</trkseg></trk>')
    text = (f'<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
            f'{no_times}{single}{long}{future}</gpx>')
    found = rows_of(gpx, text.encode())
    assert len(found) == 4 and all(isinstance(r, Skipped) for r in found)
    assert "no points with a time" in found[0].reason
    assert "No time passed" in found[1].reason
    assert "longer than a day" in found[2].reason
    assert "outside 1990 to today" in found[3].reason
    assert [r.where for r in found] == ["<trk> 1", "<trk> 2", "<trk> 3", "<trk> 4"]


def test_a_gpx_with_only_a_route_or_waypoints_yields_one_skipped():
    text = ('<gpx version="1.1" creator="t"><rte><rtept lat="1" lon="1"/></rte>'
            '<wpt lat="1" lon="2"/></gpx>')
    [row] = rows_of(gpx, text.encode())
    assert isinstance(row, Skipped) and "planned route" in row.reason


def test_a_utf8_bom_and_a_latin1_declaration_both_read():
    bom = b"\xef\xbb\xbf" + RUN.encode()
    latin = RUN.replace("UTF-8", "ISO-8859-1").replace("Morning Run", "Caf\xe9 run").encode("latin-1")
    assert isinstance(rows_of(gpx, bom)[0], SessionRow)
    assert rows_of(gpx, latin)[0].note == "Caf\xe9 run"


def test_gpx_with_bytes_that_are_not_utf8_is_refused_with_the_line():
    bad = RUN.replace("Morning Run", "Caf\udce9").encode("utf-8", "surrogateescape")
    with pytest.raises(ImportRefused) as caught:
        rows_of(gpx, bad)
    assert "line" in caught.value.where


def test_a_point_off_the_earth_is_skipped_and_a_non_number_is_refused():
    off = gpx_text(pt(95, 1, "2024-05-01T07:00:00Z") + pt(1, 1, "2024-05-01T07:05:00Z"))
    assert "not on Earth" in rows_of(gpx, off.encode())[0].reason
    with pytest.raises(ImportRefused):
        rows_of(gpx, gpx_text('<trkpt lat="undefined" lon="x"/>').encode())


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE gpx [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<gpx version="1.1" creator="&lol3;"><trk><name>&lol3;</name></trk></gpx>"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<gpx version="1.1" creator="x"><trk><name>&secret;</name></trk></gpx>"""

DTD_ONLY = """<?xml version="1.0"?>
<!DOCTYPE gpx SYSTEM "http://example.invalid/gpx.dtd">
<gpx version="1.1" creator="x"/>"""


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, EXTERNAL, DTD_ONLY])
def test_dtds_entities_and_external_references_are_refused_in_gpx_and_tcx(hostile):
    tcx_version = hostile.replace("gpx", "TrainingCenterDatabase")
    for module, data, kind in ((gpx, hostile, "GPX"), (tcx, tcx_version, "TCX")):
        with pytest.raises(ImportRefused) as caught:
            rows_of(module, data.encode())
        assert "DTD" in caught.value.message or "entit" in caught.value.message
        assert caught.value.message.startswith(f"This {kind} file")
        assert caught.value.where == "line 2"  # where the declaration is, before anything else


def test_a_truncated_gpx_is_refused_with_line_and_column():
    with pytest.raises(ImportRefused) as caught:
        rows_of(gpx, RUN.encode()[:-40])
    assert caught.value.where.startswith("line ")


@pytest.mark.parametrize("module, root", [(gpx, "gpx"), (tcx, "TrainingCenterDatabase")])
def test_an_over_deep_document_is_refused(module, root):
    deep = f"<{root}>\n" + "<extensions>" * 100 + "</extensions>" * 100 + f"</{root}>"
    with pytest.raises(ImportRefused) as caught:
        rows_of(module, deep.encode())
    assert "deep" in caught.value.message and caught.value.where == "line 2"


@pytest.mark.parametrize("module", [gpx, tcx, fit])
def test_every_activity_reader_takes_the_callers_clock_and_reads_none(module, tmp_path):
    with pytest.raises(TypeError, match="now"):
        module.rows(SMALL[module])
    with pytest.raises(TypeError, match="now"):
        activity_rows(tmp_path)
    # The same file is in the future by one clock and in the past by a later one.
    early = datetime(2024, 4, 29, tzinfo=UTC)
    assert "outside 1990 to today" in next(module.rows(SMALL[module], now=early)).reason
    assert isinstance(next(module.rows(SMALL[module], now=NOW)), SessionRow)


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(ImportRefused) as caught:
        hardening.read_limited(RUN.encode(), "GPX", limit=100)
    assert "larger than" in caught.value.message


def test_a_gzipped_gpx_reads_like_the_plain_one():
    assert rows_of(gpx, gzip.compress(RUN.encode())) == rows_of(gpx, RUN.encode())


# ---------------------------------------------------------------- TCX


def tcx_text(body: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase '
            'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
            f"{body}</TrainingCenterDatabase>")


TCX_RUN = tcx_text("""<Activities><Activity Sport="Running"><Id>2024-05-01T23:40:00+01:00</Id>
<Lap StartTime="2024-05-01T23:40:00+01:00"><TotalTimeSeconds>600</TotalTimeSeconds>
<DistanceMeters>1500.5</DistanceMeters><Calories>90</Calories><Track>
<Trackpoint><Time>2024-05-01T23:40:00+01:00</Time><DistanceMeters>0</DistanceMeters></Trackpoint>
<Trackpoint><Time>2024-05-01T23:52:00+01:00</Time><Position><LatitudeDegrees>no</LatitudeDegrees>
</Position><DistanceMeters>1500.5</DistanceMeters></Trackpoint>
</Track></Lap><Notes>Easy one</Notes></Activity></Activities>""")


def test_a_tcx_activity_becomes_one_session_with_its_local_day():
    [row] = rows_of(tcx, TCX_RUN.encode())
    assert isinstance(row, SessionRow)
    assert row.activity == "jog" and row.origin == "Running"
    assert row.started_at == datetime(2024, 5, 1, 22, 40, tzinfo=UTC)
    assert row.day == date(2024, 5, 1)
    assert row.minutes == 12  # to the last trackpoint, past the lap's 600 s
    assert row.distance_m == 1500.5 and row.energy_kcal == 90
    assert row.note == "Easy one"


def test_strava_tcx_with_spaces_before_the_declaration_reads():
    assert isinstance(rows_of(tcx, b"          " + TCX_RUN.encode())[0], SessionRow)
    assert rows_of(gpx, b" \n " + RUN.encode()) == rows_of(gpx, RUN.encode())


def test_tcx_elements_are_known_by_their_local_name_whatever_their_prefix():
    prefixed = (TCX_RUN.replace("<", "<tcx:").replace("<tcx:/", "</tcx:")
                .replace("<tcx:?xml", "<?xml").replace('xmlns="', 'xmlns:tcx="'))
    assert "<tcx:Activity " in prefixed
    assert rows_of(tcx, prefixed.encode()) == rows_of(tcx, TCX_RUN.encode())


def test_a_damaged_tcx_gives_no_rows_at_all():
    two = TCX_RUN.replace("</Activities>", TCX_RUN.split("<Activities>")[1].split("</Activities>")[0]
                          + "</Activities>")
    assert len(rows_of(tcx, two.encode())) == 2
    reader = tcx.rows(two.encode()[:-60], now=NOW)
    with pytest.raises(ImportRefused):
        next(reader)  # the first activity is whole, but nothing is given before the file is read


def test_a_tcx_course_is_skipped_and_an_empty_database_says_so():
    course = tcx_text("<Courses><Course><Name>Plan</Name></Course></Courses>")
    [row] = rows_of(tcx, course.encode())
    assert isinstance(row, Skipped) and "planned course" in row.reason
    [row] = rows_of(tcx, tcx_text("").encode())
    assert isinstance(row, Skipped)


def test_a_tcx_activity_with_no_readable_time_is_skipped():
    body = '<Activities><Activity Sport="Biking"><Id>soon</Id></Activity></Activities>'
    [row] = rows_of(tcx, tcx_text(body).encode())
    assert isinstance(row, Skipped) and row.where == "<Activity> 1"


def test_a_file_that_is_not_tcx_is_refused_by_the_tcx_reader():
    with pytest.raises(ImportRefused) as caught:
        rows_of(tcx, RUN.encode())
    assert "TrainingCenterDatabase" in caught.value.message


def test_a_truncated_tcx_is_refused_with_its_line():
    with pytest.raises(ImportRefused) as caught:
        rows_of(tcx, TCX_RUN.encode()[:300])
    assert caught.value.where.startswith("line ")


# ---------------------------------------------------------------- FIT, written by hand

FIT_EPOCH = 631065600  # 1989-12-31T00:00:00Z in Unix seconds
_CRC_TABLE = (0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
              0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400)


def fit_crc(data: bytes, crc: int = 0) -> int:
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = _CRC_TABLE[crc & 0xF]
            crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_TABLE[nibble]
    return crc


def fit_time(moment: datetime) -> int:
    return int(moment.timestamp()) - FIT_EPOCH


def fit_message(local: int, global_num: int, fields: list[tuple[int, int, int, int]]) -> bytes:
    """A definition and one data message; fields are (number, size, base type, value)."""
    definition = struct.pack("<BBBHB", 0x40 | local, 0, 0, global_num, len(fields))
    definition += b"".join(struct.pack("<BBB", n, size, base) for n, size, base, _ in fields)
    fmt = {1: "<B", 2: "<H", 4: "<I"}
    data = bytes([local]) + b"".join(struct.pack(fmt[size], v) for _, size, _, v in fields)
    return definition + data


def fit_file(sessions: list[tuple[int, int, datetime, float, float]], *,
             offset_hours: int | None = 2, file_type: int = 4) -> bytes:
    """A tiny FIT activity: sessions are (sport, sub_sport, start, seconds, metres)."""
    first = sessions[0][2] if sessions else datetime(2024, 5, 1, tzinfo=UTC)
    body = fit_message(0, 0, [(0, 1, 0x00, file_type), (4, 4, 0x86, fit_time(first))])
    for sport, sub_sport, start, seconds, metres in sessions:
        body += fit_message(1, 18, [
            (253, 4, 0x86, fit_time(start) + int(seconds)), (2, 4, 0x86, fit_time(start)),
            (7, 4, 0x86, int(seconds * 1000)), (9, 4, 0x86, int(metres * 100)),
            (5, 1, 0x00, sport), (6, 1, 0x00, sub_sport),
        ])
    if offset_hours is not None:
        end = fit_time(first) + 60
        body += fit_message(2, 34, [(253, 4, 0x86, end), (5, 4, 0x86, end + offset_hours * 3600)])
    header = struct.pack("<BBHI4s", 14, 0x10, 2093, len(body), b".FIT")
    header += struct.pack("<H", fit_crc(header))
    return header + body + struct.pack("<H", fit_crc(header + body))


def test_the_hand_written_fit_file_is_one_fitdecode_accepts():
    import fitdecode

    reader = fitdecode.FitReader(fit_file([(1, 0, datetime(2024, 5, 1, 7, tzinfo=UTC), 60, 100)]),
                                 check_crc=fitdecode.CrcCheck.RAISE)
    names = [f.name for f in reader if isinstance(f, fitdecode.FitDataMessage)]
    assert names == ["file_id", "session", "activity"]


def test_a_fit_session_becomes_a_session_with_the_devices_local_day():
    start = datetime(2024, 5, 1, 23, 0, tzinfo=UTC)  # 01:00 on 2 May at UTC+2
    [row] = rows_of(fit, fit_file([(1, 0, start, 1830.4, 5012.3)]))
    assert isinstance(row, SessionRow)
    assert row.started_at == start and row.day == date(2024, 5, 2)
    assert row.minutes == 31 and row.distance_m == 5012.3
    assert row.activity == "jog" and row.origin == "running"


def test_without_an_offset_the_day_is_the_utc_day():
    start = datetime(2024, 5, 1, 23, 0, tzinfo=UTC)
    [row] = rows_of(fit, fit_file([(2, 0, start, 600, 3000)], offset_hours=None))
    assert row.day == date(2024, 5, 1) and row.activity == "cycle"


def test_sub_sport_comes_first_and_transitions_are_skipped():
    start = datetime(2024, 5, 1, 7, 0, tzinfo=UTC)
    sessions = [(10, 43, start, 1200, 0), (3, 0, start, 60, 10), (11, 0, start, 600, 800)]
    yoga, change, walk = rows_of(fit, fit_file(sessions))
    assert yoga.activity == "yoga_gentle" and yoga.origin == "training/yoga"
    assert isinstance(change, Skipped) and change.where == "session 2"
    assert walk.activity == "walk"


def test_a_fit_session_over_a_day_is_skipped_with_its_reason():
    [row] = rows_of(fit, fit_file([(1, 0, datetime(2024, 5, 1, tzinfo=UTC), 90000, 10)]))
    assert isinstance(row, Skipped) and "longer than a day" in row.reason


def test_a_fit_file_that_is_not_an_activity_is_one_skipped():
    [row] = rows_of(fit, fit_file([], file_type=6, offset_hours=None))
    assert isinstance(row, Skipped) and "not a recorded activity" in row.reason


def test_a_fit_file_with_a_wrong_checksum_or_cut_short_is_refused():
    good = fit_file([(1, 0, datetime(2024, 5, 1, 7, tzinfo=UTC), 600, 1000)])
    with pytest.raises(ImportRefused) as caught:
        rows_of(fit, good[:-1] + bytes([good[-1] ^ 0xFF]))
    assert "checksum" in caught.value.message
    with pytest.raises(ImportRefused) as caught:
        rows_of(fit, good[:-5])
    assert "cut short" in caught.value.message and caught.value.where.startswith("byte")
    with pytest.raises(ImportRefused):
        rows_of(fit, RUN.encode())


# ---------------------------------------------------------------- folders and zips


def test_a_folder_of_activity_files_yields_every_session_and_a_reason_per_damaged_file(tmp_path):
    (tmp_path / "activities").mkdir()
    (tmp_path / "activities" / "1.gpx").write_text(RUN, encoding="utf-8")
    (tmp_path / "activities" / "2.tcx.gz").write_bytes(gzip.compress(TCX_RUN.encode()))
    good = fit_file([(1, 0, datetime(2024, 5, 3, 7, tzinfo=UTC), 600, 1000)])
    (tmp_path / "activities" / "3.fit").write_bytes(good)
    (tmp_path / "activities" / "4.fit").write_bytes(good[:-3])
    (tmp_path / "activities" / "5.gpx").write_bytes(TCX_RUN.encode())  # named wrongly
    (tmp_path / "activities.csv").write_text("Activity ID,Filename\n", encoding="utf-8")
    found = list(activity_rows(tmp_path, now=NOW))
    sessions = [r for r in found if isinstance(r, SessionRow)]
    skipped = [r for r in found if isinstance(r, Skipped)]
    assert sorted(r.source for r in sessions) == ["fit", "gpx", "tcx", "tcx"]
    assert len(skipped) == 1 and skipped[0].where.startswith("activities/4.fit")
    assert [f.format for f in activity_files(tmp_path)] == ["gpx", "tcx", "fit", "fit", "tcx"]


def test_a_zip_of_activity_files_reads_like_the_folder(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("activities/1.gpx", RUN)
        zf.writestr("activities/2.tcx", TCX_RUN)
        zf.writestr("__MACOSX/activities/._1.gpx", b"junk")
    found = list(activity_rows(archive, now=NOW))
    assert [r.source for r in found] == ["gpx", "tcx"]


def test_a_zip_with_a_member_outside_its_place_is_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../outside.gpx", RUN)
    with pytest.raises(ImportRefused):
        list(activity_rows(archive, now=NOW))


# ---------------------------------------------------------------- mutations never crash

SMALL_FIT = fit_file([(1, 0, datetime(2024, 5, 1, 7, tzinfo=UTC), 600, 1000)])
SMALL = {gpx: RUN.encode(), tcx: TCX_RUN.encode(), fit: SMALL_FIT}


def _only_refusals(module, data: bytes) -> None:
    try:
        for row in module.rows(data, now=NOW):
            assert isinstance(row, SessionRow | Skipped)
    except ImportRefused as refused:
        assert refused.message


mutation = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@mutation
@given(module=st.sampled_from([gpx, tcx, fit]), cut=st.integers(min_value=0, max_value=2000))
def test_truncating_a_valid_file_anywhere_gives_rows_or_a_refusal(module, cut):
    _only_refusals(module, SMALL[module][:cut])


@mutation
@given(module=st.sampled_from([gpx, tcx, fit]), data=st.data())
def test_flipping_bytes_in_a_valid_file_gives_rows_or_a_refusal(module, data):
    raw = bytearray(SMALL[module])
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    _only_refusals(module, bytes(raw))

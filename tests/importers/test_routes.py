"""Workout route files: the quick reading gives exactly what the element-by-element reading gives.

``apple_health.route_summary`` reads a route as the Health app writes it with
a pattern over expat-checked lines, and hands anything it is not sure of to
``_route_summary_exact``. Every file here goes through both: the same points
and metres, or the same refusal word for word. The quick reading must also
really be the one used for the Health app's own files.
"""

from __future__ import annotations

import io
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kindstep.importers import apple_health as ah
from kindstep.importers.apple_health import routes
from kindstep.importers.hardening import Limits
from kindstep.importers.rows import ImportRefused

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="Apple Health Export" xmlns="http://www.topografix.com/GPX/1/1">\n'
        '  <metadata>\n    <time>2024-05-01T07:00:00Z</time>\n  </metadata>\n'
        '  <trk>\n    <name>Route 2024-05-01 9:00am</name>\n    <trkseg>\n')
TAIL = "    </trkseg>\n  </trk>\n</gpx>\n"


def point(lat: float | str, lon: float | str, *, tag: str = "trkpt", order: str = "lon") -> str:
    """One point line as the Health app writes it (``order``: which attribute comes first)."""
    attrs = f'lon="{lon}" lat="{lat}"' if order == "lon" else f'lat="{lat}" lon="{lon}"'
    return (f'      <{tag} {attrs}><ele>31.3</ele><time>2024-05-01T07:00:47Z</time>'
            f'<extensions><speed>1.09</speed><course>195.6</course><hAcc>4.8</hAcc>'
            f'<vAcc>5.2</vAcc></extensions></{tag}>\n')


def route(n: int = 40, seed: int = 1, **kw) -> str:
    rng = random.Random(seed)
    lat, lon = 52.5 + rng.uniform(-0.1, 0.1), 13.3 + rng.uniform(-0.1, 0.1)
    lines = []
    for _ in range(n):
        lat += rng.uniform(-2e-4, 2e-4)
        lon += rng.uniform(-2e-4, 2e-4)
        lines.append(point(f"{lat:.6f}", f"{lon:.6f}", **kw))
    return HEAD + "".join(lines) + TAIL


def outcome(read) -> tuple:
    try:
        r = read()
    except ImportRefused as exc:
        return ("refused", exc.message, exc.where)
    return ("read", r.path, r.points, r.distance_m, r.problem)


def same_both_ways(data: bytes, name: str = "route_2024-05-01_9.00am.gpx",
                   limits: Limits = ah.DEFAULT_LIMITS) -> tuple:
    """The outcome of route_summary, checked against the exact reading for bytes and a stream."""
    exact = outcome(lambda: routes._route_summary_exact(data, name, limits))
    assert outcome(lambda: ah.route_summary(data, name, limits)) == exact
    assert outcome(lambda: ah.route_summary(io.BytesIO(data), name, limits)) == exact
    return exact


def quick(data: bytes, limits: Limits = ah.DEFAULT_LIMITS):
    return routes._route_summary_quick([data], "r.gpx", limits)


def test_the_health_apps_own_routes_are_read_quickly_and_exactly():
    data = route(500).encode()
    got = same_both_ways(data)
    assert got[2] == 500 and got[3] > 0
    assert quick(data) is not None  # the quick reading is really the one used


def test_every_route_of_a_generated_export_reads_the_same_both_ways():
    from tests.importers.test_apple_health import make_export

    with ah.open_export(make_export(suffix=".zip")) as source:
        members = source.route_members()
        assert members
        for member in members:
            data = source.zip.read(member)
            got = same_both_ways(data, member)
            assert got[0] == "read" and got[2] > 0
            assert quick(data) is not None


def test_a_stream_is_read_in_chunks_across_line_ends():
    data = route(3000).encode()  # several chunks of 64 KiB, cut inside lines
    exact = routes._route_summary_exact(data, "r.gpx")
    got = routes._route_summary_quick([data[i:i + 65_537] for i in range(0, len(data), 65_537)],
                                  "r.gpx", ah.DEFAULT_LIMITS)
    assert got == exact


@pytest.mark.parametrize("text", [
    route(30, order="lat"),                                       # latitude first
    route(30, tag="rtept"),                                       # a planned route's points
    HEAD + point(52.5, 13.3) + point(91, 13.3) + point(52.5, 181) + point("nan", 13.3)
    + point("", "") + point("abc", 13.3) + point("1e400", 13.3) + point(" 52.6 ", "13.4") + TAIL,
    HEAD.replace("UTF-8", "ISO-8859-1") + point(52.5, 13.3) + point(52.6, 13.4) + TAIL,
    HEAD + '      <gpx:trkpt lon="13.3" lat="52.5"></gpx:trkpt>\n' + point(52.5, 13.3) + TAIL,
    HEAD + TAIL,                                                  # no points at all
])
def test_what_the_quick_reading_takes_it_reads_as_the_exact_one_does(text):
    data = text.encode("latin-1" if "ISO-8859-1" in text else "utf-8")
    same_both_ways(data)
    assert quick(data) is not None


@pytest.mark.parametrize("text", [
    HEAD + "      <trkpt lon='13.3' lat='52.5'></trkpt>\n" + point(52.6, 13.4) + TAIL,       # quotes
    HEAD + '      <trkpt lon="13.3" lat="52.5" x="1"></trkpt>\n' + TAIL,                     # more
    HEAD + '      <trkpt lon="13.3" lat="5&#50;.5"></trkpt>\n' + point(52.6, 13.4) + TAIL,  # entity
    HEAD + '<!-- <trkpt lon="1.0" lat="2.0"> -->\n' + point(52.6, 13.4) + TAIL,             # comment
    HEAD + '<extensions><![CDATA[ <trkpt lon="1.0" lat="2.0"> ]]></extensions>\n' + TAIL,   # CDATA
    HEAD + '<?note <trkpt lon="1.0" lat="2.0">?>\n' + point(52.6, 13.4) + TAIL,             # PI
    HEAD + point(52.5, 13.3) + point(52.6, 13.4, tag="rtept") + TAIL,                       # both
    HEAD + '      <trkpt lon="13.3" lat="52.5"/>\n' + point(52.6, 13.4) + TAIL,            # empty
    HEAD + '      <trkpt lon="١٣.٣" lat="٥٢.٥"></trkpt>\n' + TAIL,                           # digits
    HEAD.replace("\n", "") + "".join(point(52.5 + i / 1e4, 13.3).strip() for i in range(900))
    + TAIL.replace("\n", ""),                                     # one line of 170 KB
])
def test_what_the_quick_reading_is_unsure_of_goes_to_the_exact_one(text):
    data = text.encode()
    assert quick(data) is None
    same_both_ways(data)


def test_a_route_in_utf16_goes_to_the_exact_reading():
    data = route(20).replace("UTF-8", "UTF-16").encode("utf-16")
    assert quick(data) is None
    assert same_both_ways(data)[2] == 20


def test_nesting_beyond_the_limit_is_refused_in_the_exact_readings_words():
    deep = HEAD + "<a>" * 80 + "</a>" * 80 + "\n" + TAIL
    got = same_both_ways(deep.encode())
    assert got[0] == "refused" and "nested deeper" in got[1]
    many_lines = HEAD + "".join("<a>\n" for _ in range(80)) + "</a>\n" * 80 + TAIL
    assert same_both_ways(many_lines.encode())[0] == "refused"
    # Just within the limit: read, quickly.
    limits = Limits(max_depth=20)
    within = HEAD + "<a>" * 14 + "</a>" * 14 + "\n" + point(52.5, 13.3) + TAIL
    assert same_both_ways(within.encode(), limits=limits)[0] == "read"
    assert quick(within.encode(), limits) is not None


@pytest.mark.parametrize("text", [
    route(30)[:-40],                                               # cut short
    route(30).replace("</ele>", "</elevation>", 1),                 # mismatched tag
    '<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY x "y">]>\n' + route(3)[39:],
    route(30).replace("<time>", "<time>\x0b", 1),                   # a control character
    "",
    route(3).replace("UTF-8", "TF-8"),                              # an unknown encoding
])
def test_broken_routes_are_refused_in_the_exact_readings_words(text):
    assert same_both_ways(text.encode())[0] == "refused"


SNIPPETS = [b"<!--", b"-->", b"&amp;", b"&#50;", b"</trkpt>", b"<trkpt ", b"<a>", b"</a>", b'"',
            b"'", b"\n", b"/>", b"<?x?>", b"<![CDATA[", b"]]>", b"\x00", b"\xff", b"<rtept "]


@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 40), st.sampled_from(SNIPPETS)),
                max_size=4))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_any_damage_to_a_route_reads_or_refuses_as_the_exact_reading_does(edits):
    data = bytearray(route(60, seed=7).encode())
    for at, cut, snippet in edits:
        at %= len(data) + 1
        data[at:at + cut % 3] = snippet
    same_both_ways(bytes(data))


def test_a_file_that_cannot_seek_back_is_opened_again_for_the_exact_reading():
    opened = []

    def opener(data: bytes):
        def open_route():
            opened.append(1)
            return io.BufferedReader(io.BytesIO(data))
        return open_route

    quick_one = route(20).encode()
    assert ah.route_summary_of(opener(quick_one), "r.gpx") == routes._route_summary_exact(quick_one, "r.gpx")
    assert len(opened) == 1
    unsure = (HEAD + "<!-- a note -->\n" + point(52.5, 13.3) + TAIL).encode()
    assert ah.route_summary_of(opener(unsure), "r.gpx") == routes._route_summary_exact(unsure, "r.gpx")
    assert len(opened) == 3


def test_routes_inside_an_export_zip_read_the_same_through_the_export(tmp_path):
    import zipfile

    quick_one = route(25).encode()
    unsure = (HEAD + "<!-- a note -->\n" + point(52.5, 13.3) + point(52.6, 13.4) + TAIL).encode()
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("apple_health_export/export.xml",
                   '<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n</HealthData>\n')
        z.writestr("apple_health_export/workout-routes/a.gpx", quick_one)
        z.writestr("apple_health_export/workout-routes/b.gpx", unsure)
    with ah.open_export(path) as source:
        a, b = (source.read_route(source.route_member(f"/workout-routes/{n}.gpx")) for n in "ab")
    assert (a.points, a.distance_m) == (25, routes._route_summary_exact(quick_one).distance_m)
    assert (b.points, b.distance_m) == (2, routes._route_summary_exact(unsure).distance_m)
    assert not a.problem and not b.problem


def test_a_route_in_an_unknown_encoding_is_a_damaged_route_not_a_crash(tmp_path):
    """A route the import cannot read is noted and the workout kept, whatever is wrong with it."""
    data = route(3).replace("UTF-8", "TF-8").encode()
    got = same_both_ways(data)
    assert got[0] == "refused" and "encoding kindstep does not know (TF-8)" in got[1]
    path = tmp_path / "workout-routes" / "r.gpx"
    path.parent.mkdir()
    path.write_bytes(data)
    from tests.importers.test_apple_health import write

    export = write(tmp_path, "")
    with ah.open_export(export) as source:
        summary = source.read_route(str(path))
    assert summary.points == 0 and "TF-8" in summary.problem

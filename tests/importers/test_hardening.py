"""The one way in for zips and XML: bombs, traversal, links, entities, depth, truncation."""

from __future__ import annotations

import stat
import time
import zipfile
from pathlib import Path

import pytest

from kindstep.importers import hardening
from kindstep.importers.hardening import Limits, open_zip, strip_internal_dtd
from kindstep.importers.rows import ImportRefused


def make_zip(path: Path, members: dict[str, bytes], *, link: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return path


def test_a_plain_zip_opens_and_lists_its_files_without_mac_litter(tmp_path):
    p = make_zip(tmp_path / "a.zip", {"dir/export.xml": b"<a/>", "__MACOSX/dir/._export.xml": b"x",
                                      "dir/.DS_Store": b"x"})
    with open_zip(p) as z:
        assert z.members() == ["dir/export.xml"]
        assert z.read("dir/export.xml") == b"<a/>"
        with pytest.raises(ImportRefused):
            z.open("nope.xml")


@pytest.mark.parametrize("name", ["../../x", "/etc/x", "C:\\x", "a\\..\\b", "a/../../b"])
def test_names_outside_their_place_are_refused(tmp_path, name):
    p = make_zip(tmp_path / "a.zip", {name: b"x"})
    with pytest.raises(ImportRefused) as info:
        open_zip(p)
    assert info.value.where == name


def test_symlink_members_are_refused(tmp_path):
    p = make_zip(tmp_path / "a.zip", {"ok.txt": b"x"}, link="apple_health_export/export.xml")
    with pytest.raises(ImportRefused, match="link"):
        open_zip(p)


def test_a_zip_bomb_is_refused_by_its_ratio_before_inflating(tmp_path):
    p = make_zip(tmp_path / "bomb.zip", {"export.xml": b"\0" * (20 * 1024 * 1024)})
    t = time.perf_counter()
    with pytest.raises(ImportRefused, match="zip bombs"):
        open_zip(p)
    assert time.perf_counter() - t < 1


def test_total_size_and_member_size_limits_apply(tmp_path):
    p = make_zip(tmp_path / "a.zip", {f"f{i}.txt": bytes(range(256)) * 40 for i in range(5)})
    with pytest.raises(ImportRefused, match="unpack to more than"):
        open_zip(p, Limits(max_total_uncompressed=30_000))
    with pytest.raises(ImportRefused, match="would unpack to"):
        open_zip(p, Limits(max_member_bytes=1000))


def test_too_many_members_are_refused(tmp_path):
    p = make_zip(tmp_path / "many.zip", {f"f{i}": b"" for i in range(30)})
    with pytest.raises(ImportRefused, match="30 files"):
        open_zip(p, Limits(max_members=20))


def test_nested_archives_and_duplicate_names_are_refused(tmp_path):
    with pytest.raises(ImportRefused, match="another archive"):
        open_zip(make_zip(tmp_path / "n.zip", {"inner.zip": b"PK"}))
    dup = tmp_path / "d.zip"
    with zipfile.ZipFile(dup, "w") as zf, pytest.warns(UserWarning):
        zf.writestr("a.xml", "1")
        zf.writestr("a.xml", "2")
    with pytest.raises(ImportRefused, match="same name"):
        open_zip(dup)


def test_an_encrypted_member_is_refused(tmp_path):
    p = make_zip(tmp_path / "e.zip", {"a.xml": b"<a/>"})
    raw = bytearray(p.read_bytes())
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 8] |= 1  # general purpose flag, bit 0: encrypted
    p.write_bytes(bytes(raw))
    with pytest.raises(ImportRefused, match="encrypted"):
        open_zip(p)


def test_truncated_empty_and_missing_files_are_refused_kindly(tmp_path):
    p = make_zip(tmp_path / "t.zip", {"a.xml": b"<a/>" * 1000})
    p.write_bytes(p.read_bytes()[:100])
    with pytest.raises(ImportRefused, match="damaged or incomplete"):
        open_zip(p)
    (tmp_path / "empty.zip").write_bytes(b"")
    with pytest.raises(ImportRefused, match="empty"):
        open_zip(tmp_path / "empty.zip")
    with pytest.raises(ImportRefused, match="could not open"):
        open_zip(tmp_path / "missing.zip")


def test_a_member_that_inflates_beyond_its_declared_size_is_stopped(tmp_path):
    p = make_zip(tmp_path / "lie.zip", {"a.txt": b"hello world, " * 100})
    raw = bytearray(p.read_bytes())
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24:central + 28] = (10).to_bytes(4, "little")  # uncompressed size: 10
    local = raw.find(b"PK\x03\x04")
    raw[local + 22:local + 26] = (10).to_bytes(4, "little")
    p.write_bytes(bytes(raw))
    with open_zip(p) as z, pytest.raises(ImportRefused):
        z.read("a.txt")


def test_the_internal_dtd_is_cut_out_keeping_line_numbers():
    head = b'<?xml version="1.0"?>\n<!DOCTYPE HealthData [\n<!ATTLIST A\n  x CDATA #IMPLIED\n]>\n<HealthData/>'
    out, found = strip_internal_dtd(head)
    assert found and out.count(b"\n") == head.count(b"\n") and b"ATTLIST" not in out


def test_a_doctype_that_never_ends_is_refused():
    with pytest.raises(ImportRefused, match="never ends"):
        strip_internal_dtd(b"<!DOCTYPE HealthData [\n<!ELEMENT a EMPTY>\n")


def test_a_doctype_inside_the_document_is_left_for_the_parser_to_refuse():
    text = b"<a><!-- <!DOCTYPE x [ ]> --></a>"
    assert strip_internal_dtd(text) == (text, False)


@pytest.mark.parametrize("doc", [
    b'<!DOCTYPE gpx [<!ENTITY a "b">]><gpx>&a;</gpx>',
    b'<!DOCTYPE gpx SYSTEM "http://127.0.0.1:9/x.dtd"><gpx/>',
    b"<gpx>" + b"<a>" * 100 + b"</a>" * 100 + b"</gpx>",
    b"<gpx><trkpt lat='1'",
    b"<gpx>&undefined;</gpx>",
])
def test_gpx_like_documents_refuse_dtds_entities_depth_and_truncation(doc):
    with pytest.raises(ImportRefused):
        hardening.parse_small_xml(doc, lambda name, attrs: None)


def test_expat_errors_name_line_column_and_a_next_step():
    with pytest.raises(ImportRefused) as info:
        hardening.parse_small_xml(b"<a>\n<b>\n", lambda name, attrs: None, what="the route")
    assert info.value.where.startswith("line ") and "exporting it again may help" in info.value.message


def test_refusals_begin_with_what_is_being_read_and_say_where():
    with pytest.raises(ImportRefused) as info:
        hardening.parse_small_xml(b'<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY a "b">]>\n<gpx/>',
                                  what="this GPX file")
    assert info.value.message.startswith("This GPX file carries a document type declaration (DTD)")
    assert info.value.where == "line 2"


@pytest.mark.parametrize("subset, words", [
    (b'<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">', "declares XML entities"),
    (b'<!ENTITY secret SYSTEM "file:///etc/passwd">', "declares XML entities"),
    (b'<!ENTITY pic SYSTEM "x.png" NDATA png>', "declares XML entities"),
])
def test_with_a_dtd_allowed_no_entity_can_still_be_declared(subset, words):
    # Apple Health's parser allows the DOCTYPE (its DTD is cut out before); entities never pass.
    p = hardening.xml_parser(forbid_dtd=False, what="the export")
    with pytest.raises(ImportRefused, match=words):
        hardening.feed_xml(p, [b"<!DOCTYPE a [" + subset + b"]>\n<a>&lol2;</a>"])


def test_an_external_dtd_is_never_fetched_even_when_a_doctype_is_allowed():
    p = hardening.xml_parser(forbid_dtd=False)
    seen = []
    p.StartElementHandler = lambda name, attrs: seen.append(name)
    hardening.feed_xml(p, [b'<!DOCTYPE a SYSTEM "http://127.0.0.1:9/x.dtd"><a/>'])
    assert seen == ["a"]  # read without the DTD: param entity parsing is off, nothing fetched


def test_spaces_before_the_declaration_are_passed_over_and_nothing_else_is():
    seen = []
    hardening.parse_small_xml(b'   \n<?xml version="1.0"?><a/>', lambda name, attrs: seen.append(name))
    assert seen == ["a"]
    with pytest.raises(ImportRefused):
        hardening.parse_small_xml(b'<a/>  <?xml version="1.0"?>')


# ---------------------------------------------------------------- every XML format, one way in

HOSTILE = {
    "billion laughs": ('<?xml version="1.0"?>\n<!DOCTYPE {root} [\n <!ENTITY lol "lol">\n'
                       ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
                       ']>\n<{root}>&lol2;</{root}>'),
    "external entity": ('<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY x SYSTEM'
                        ' "file:///etc/passwd">]>\n<{root}>&x;</{root}>'),
    "deep nesting": '<?xml version="1.0"?>\n<{root}>' + "<a>" * 200 + "</a>" * 200 + "</{root}>",
    "truncated": '<?xml version="1.0"?>\n<{root} a="1"><b>',
}
ROOTS = {"gpx": "gpx", "tcx": "TrainingCenterDatabase", "apple_health": "HealthData",
         "route": "gpx"}


@pytest.mark.parametrize("fmt", sorted(ROOTS))
@pytest.mark.parametrize("attack", sorted(HOSTILE))
def test_every_xml_format_refuses_the_same_hostile_files(tmp_path, fmt, attack):
    from datetime import UTC, datetime

    from kindstep.importers import apple_health
    from kindstep.importers.detect import rows_from_file

    text = HOSTILE[attack].replace("{root}", ROOTS[fmt])
    with pytest.raises(ImportRefused) as refused:
        if fmt == "route":  # an Apple Health route file, read by its own summary
            apple_health.route_summary(text.encode(), "workout-routes/route.gpx")
        else:
            path = tmp_path / ("export.xml" if fmt == "apple_health" else f"hostile.{fmt}")
            path.write_text(text, "utf-8")
            _fmt, rows = rows_from_file(path, fmt, now=datetime(2026, 11, 25, tzinfo=UTC))
            list(rows)
    assert refused.value.message
    assert "/etc/passwd" not in str(refused.value) and "lollol" not in str(refused.value)

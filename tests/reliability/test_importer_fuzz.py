"""Fuzzing every importer with mutations of small valid files made here.

GPX, TCX, FIT, Daylio CSV, Bearable CSV and an Apple Health export.xml are truncated,
bit-flipped, re-encoded, given a huge attribute or nested deep. Each mutant either
imports or is refused with ImportRefused, never any other exception, and a refusal
writes nothing at all.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kindstep.store.importing import ImportRefused, import_file
from tests.conftest import NOW, every_row
from tests.importers.test_apple_health import make_export
from tests.store.test_importing import FILES

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

FORMAT_OF = {"run.gpx": "gpx", "a.tcx": "tcx", "a.fit": "fit", "daylio.csv": "daylio_csv",
             "bearable.csv": "bearable_csv", "export.xml": "apple_health"}


def valid(name: str) -> bytes:
    if name == "export.xml":
        return make_export(records=40, years=0.05).read_bytes()
    data = FILES[name]
    return data if isinstance(data, bytes) else data.encode("utf-8")


@st.composite
def mutant(draw, data: bytes) -> bytes:
    """One of the ways a real file goes wrong in transit, on disk or at the hands of a tool."""
    kind = draw(st.sampled_from(["truncate", "flip", "encoding", "huge_attribute", "deep",
                                 "splice", "several"]))
    at = draw(st.integers(0, max(len(data) - 1, 0)))
    if kind == "truncate":
        return data[:at]
    if kind == "flip":
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
    if kind == "encoding":
        codec = draw(st.sampled_from(["utf-16", "utf-16-be", "utf-32", "cp1252", "latin-1"]))
        return data.decode("utf-8", "replace").encode(codec, "replace")
    if kind == "huge_attribute":  # a 2 MB attribute on the first element, or 2 MB on one line
        tag = re.search(rb"<[A-Za-z][\w:]*", data)
        huge = b' x="' + b"A" * 2_000_000 + b'"'
        if tag:
            return data[:tag.end()] + huge + data[tag.end():]
        return data[:at] + b"A" * 2_000_000 + data[at:]
    if kind == "deep":  # nesting far past any real export
        depth = draw(st.sampled_from([200, 5_000, 50_000]))
        return data[:at] + b"<a>" * depth + data[at:]
    if kind == "splice":
        return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    for _ in range(draw(st.integers(2, 20))):
        i = draw(st.integers(0, max(len(data) - 1, 0)))
        data = data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1:]
    return data


@pytest.mark.parametrize("name", sorted(FORMAT_OF))
def test_each_mutant_imports_or_is_refused_with_nothing_written(alice, tmp_path, name):
    original = valid(name)
    outcomes = {"imported": 0, "refused": 0}

    @FUZZ
    @given(data=mutant(original), told=st.booleans())
    def one(data, told):
        path = tmp_path / name
        path.write_bytes(data)
        before = every_row()
        try:
            import_file(alice, path, format=FORMAT_OF[name] if told else None, now=NOW)
        except ImportRefused as refused:
            assert str(refused).strip() and "Traceback" not in str(refused)
            assert every_row() == before
            outcomes["refused"] += 1
        else:
            outcomes["imported"] += 1

    one()
    assert outcomes["refused"] > 0  # the mutations really do damage files

"""Every readable real sample of the corpus beside the checkout into the store, twice: the
second time adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kindstep.importers.rows import ImportRefused
from kindstep.store import models
from kindstep.store.importing import import_file

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"  # beside the checkout
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.django_db,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="the sample corpus is not on this machine"),
]
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
KINDS = ("gpx", "tcx", "fit", "daylio", "apple_health", "strava")


def samples() -> list[str]:
    if not CORPUS.is_dir():
        return []
    found = [p for kind in KINDS for p in sorted((CORPUS / kind).glob("*"))
             if p.is_file() or p.name.endswith("_zip_contents")]
    found.append(CORPUS / "fit")  # a folder of activity files, some damaged
    return [p.relative_to(CORPUS).as_posix() for p in found]


def counts(person) -> dict[str, int]:
    return {
        "sessions": models.MovementSession.objects.filter(person=person).count(),
        "journal": models.JournalEntry.objects.filter(person=person).count(),
        "notes": models.JournalNote.objects.filter(person=person).count(),
        "daily": models.DailyMeasure.objects.filter(person=person).count(),
        "health": models.HealthRecord.objects.filter(person=person).count(),
    }


REFUSED = {
    "gpx/togeojson__bad.gpx": "not a number or time",
    "fit/fitparse__activity-filecrc.fit": "checksum does not match",
    "fit/fitparse__activity-unexpected-eof.fit": "ends sooner than its header promised",
    "fit/fitparse__nick.fit": "ends sooner than its header promised",
    "fit/fitparse__strava-android-app-201.10-b1218918.fit": "cannot decode",
    "daylio/obsidian-daylio-parser__daylio_export_bad_corrupted.csv": "does not recognise",
}
"""Samples that are damaged or not an export kindstep reads, and what kindstep says about each."""


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_each_damaged_or_foreign_sample_is_refused_whole_with_a_clear_message(alice, name):
    before = counts(alice)
    with pytest.raises(ImportRefused) as refused:
        import_file(alice, CORPUS / name, now=NOW)
    assert REFUSED[name] in refused.value.message
    assert counts(alice) == before


@pytest.mark.parametrize("name", [n for n in samples() if n not in REFUSED])
def test_each_readable_sample_imports_whole_and_a_second_import_adds_nothing(alice, name):
    path = CORPUS / name
    before = counts(alice)
    first = import_file(alice, path, now=NOW)
    items = first.added + first.already_present + first.skipped
    assert items > 0 and sum(first.reasons.values()) == first.skipped
    after_first = counts(alice)
    assert after_first != before or first.added == 0
    again = import_file(alice, path, now=NOW)
    assert again.added == 0
    assert again.already_present == first.added + first.already_present
    assert again.skipped == first.skipped
    assert counts(alice) == after_first

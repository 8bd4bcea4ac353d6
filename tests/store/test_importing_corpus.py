"""Every readable real sample in ../shared/corpus into the store, twice: the second time adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kindstep.importers.rows import ImportRefused
from kindstep.store import models
from kindstep.store.importing import import_file

CORPUS = Path("/work/shared/corpus")
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


@pytest.mark.parametrize("name", samples())
def test_each_readable_sample_imports_whole_and_a_second_import_adds_nothing(alice, name):
    path = CORPUS / name
    before = counts(alice)
    try:
        first = import_file(alice, path, now=NOW)
    except ImportRefused as refused:
        assert refused.message and counts(alice) == before  # refused whole: nothing written
        pytest.skip(f"kindstep declines this sample: {refused.message}")
    items = first.added + first.already_present + first.skipped
    assert items > 0 and sum(first.reasons.values()) == first.skipped
    after_first = counts(alice)
    assert after_first != before or first.added == 0
    again = import_file(alice, path, now=NOW)
    assert again.added == 0
    assert again.already_present == first.added + first.already_present
    assert again.skipped == first.skipped
    assert counts(alice) == after_first

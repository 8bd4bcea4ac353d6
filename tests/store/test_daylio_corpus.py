"""Every real Daylio CSV of the corpus beside the checkout, into the store (read in place).

Each file's entries are counted here with the csv module, independently of
kindstep's reader: every one is imported without placements (waiting ones by
their name), and importing again with placements fills their moods in and
adds nothing.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kindstep.core.moods import DEFAULT_NAMES, mood_key, suggested_level
from kindstep.importers.rows import ImportRefused
from kindstep.store import models
from kindstep.store.importing import import_file
from tests.conftest import row_counts

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "daylio"  # beside the checkout
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.django_db,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="the sample corpus is not on this machine"),
]
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
DAMAGED = "obsidian-daylio-parser__daylio_export_bad_corrupted.csv"
FILES = sorted(p.name for p in CORPUS.glob("*.csv") if p.name != DAMAGED) if CORPUS.is_dir() else []


def entries_in(path: Path) -> list[str]:
    """The mood of every entry in a Daylio CSV, read with the csv module alone."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        records = [r for r in csv.reader(handle) if any(f.strip() for f in r)]
    column = [h.strip().lower() for h in records[0]].index("mood")
    return [record[column] for record in records[1:]]


def test_the_corpus_holds_the_seven_daylio_csv_files_these_tests_expect():
    assert len(FILES) == 7


@pytest.mark.parametrize("name", FILES)
def test_every_entry_imports_without_placements_and_placing_later_fills_without_adding(alice, name):
    path = CORPUS / name
    moods = entries_in(path)
    own = {mood_key(m) for m in moods} - set(DEFAULT_NAMES)
    first = import_file(alice, path, now=NOW)
    assert (first.added, first.already_present, first.skipped) == (len(moods), 0, 0)
    assert models.JournalEntry.objects.filter(person=alice).count() == len(moods)
    assert set(first.unplaced) == own
    waiting = sum(mood_key(m) in own for m in moods)
    assert models.JournalEntry.objects.filter(person=alice, mood__isnull=True).count() == waiting
    before = row_counts()
    places = {name: suggested_level(name) for name in own}  # as if each suggestion were taken
    second = import_file(alice, path, moods=places, now=NOW)
    assert (second.added, second.already_present, second.skipped) == (0, len(moods), 0)
    assert second.moods_filled == waiting and second.unplaced == {}
    assert row_counts() == before
    assert not models.JournalEntry.objects.filter(person=alice, mood__isnull=True).exists()


@pytest.mark.parametrize("name", FILES)
def test_every_entry_imports_with_placements_given_the_first_time(alice, name):
    path = CORPUS / name
    moods = entries_in(path)
    own = {mood_key(m) for m in moods} - set(DEFAULT_NAMES)
    summary = import_file(alice, path, moods={n: 3 for n in own}, now=NOW)
    assert (summary.added, summary.skipped, summary.unplaced) == (len(moods), 0, {})
    stored = models.JournalEntry.objects.filter(person=alice)
    assert stored.count() == len(moods) and not stored.filter(mood__isnull=True).exists()


def test_the_damaged_file_is_refused_in_one_line_and_writes_nothing(alice):
    before = row_counts()
    with pytest.raises(ImportRefused) as caught:
        import_file(alice, CORPUS / DAMAGED, now=NOW)
    assert "\n" not in caught.value.message and "It reads" in caught.value.message
    assert row_counts() == before

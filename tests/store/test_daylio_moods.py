"""Daylio's own mood names in the store: kept by name, placed once, remembered, filled in later.

On SQLite and on PostgreSQL (``KINDSTEP_DATABASE_URL``), like the rest of tests/store.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kindstep.core.checks import InvalidInput
from kindstep.core.moods import DEFAULT_NAMES, mood_key
from kindstep.importers.rows import ImportRefused
from kindstep.store import actions, models, queries
from kindstep.store.importing import import_file
from tests.conftest import row_counts
from tests.importers.test_journals import HEADER
from tests.store.test_importing import GPX_RUN, write

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)

OWN = HEADER + (
    '2024-05-03,3 May,Friday,21:00,average,"reading | walk",,"A quiet day"\n'
    "2024-05-02,2 May,Thursday,20:00,Tired,work,,\n"
    "2024-05-02,2 May,Thursday,08:00,rad,,,\n"
    "2024-05-01,1 May,Wednesday,22:00,tired,,,\n"
    '2024-04-30,30 April,Tuesday,22:00,vaguely ok,"friends",,\n'
)
"""Five entries: three of the person's own names (average, tired twice, vaguely ok) and one rad."""


def entries(person):
    return {e.external_id: (e.mood, e.mood_name)
            for e in models.JournalEntry.objects.filter(person=person)}


def test_entries_with_unplaced_names_import_whole_with_the_name_kept_and_no_mood(alice, tmp_path):
    summary = import_file(alice, write(tmp_path, "d.csv", OWN), now=NOW)
    assert (summary.added, summary.already_present, summary.skipped) == (5, 0, 0)
    assert summary.unplaced == {"average": 1, "tired": 2, "vaguely ok": 1}
    assert summary.as_dict()["unplaced_moods"] == {"average": 1, "tired": 2, "vaguely ok": 1}
    assert entries(alice) == {
        "2024-05-03T21:00": (None, "average"), "2024-05-02T20:00": (None, "tired"),
        "2024-05-02T08:00": (10, "rad"), "2024-05-01T22:00": (None, "tired"),
        "2024-04-30T22:00": (None, "vaguely ok")}
    kept = models.JournalEntry.objects.get(person=alice, external_id="2024-05-03T21:00")
    assert kept.activities == ["reading", "walk"] and kept.note == "A quiet day"
    assert models.MovementSession.objects.filter(person=alice, activity="walk").count() == 1
    assert alice.daylio_moods == {}


def test_unplaced_moods_are_listed_for_placing_in_diary_order_with_suggestions(alice, tmp_path):
    import_file(alice, write(tmp_path, "d.csv", OWN), now=NOW)
    assert queries.unplaced_moods(alice) == [("vaguely ok", 1, 3), ("tired", 2, 2), ("average", 1, 3)]


def test_history_names_a_waiting_mood_and_insights_leave_it_out(alice, tmp_path):
    import_file(alice, write(tmp_path, "d.csv", OWN), now=NOW)
    day = queries.timeline(alice, today=date(2024, 5, 3), days=7)
    words = [e.what for e in day if e.kind == "journal"]
    assert "Mood: average (not placed on the scale yet)" in words and "Mood 10" in words
    with_waiting = queries.insights_for(alice, date(2024, 5, 3))
    models.JournalEntry.objects.filter(person=alice, mood__isnull=True).delete()
    assert queries.insights_for(alice, date(2024, 5, 3)) == with_waiting


def test_importing_again_with_placements_fills_the_moods_and_adds_nothing(alice, tmp_path):
    path = write(tmp_path, "d.csv", OWN)
    import_file(alice, path, now=NOW)
    before = row_counts()
    summary = import_file(alice, path, moods={"tired": 2, "Average": "meh", "vaguely ok": "good"},
                          now=NOW)
    assert (summary.added, summary.already_present, summary.moods_filled) == (0, 5, 4)
    assert summary.unplaced == {} and summary.why_nothing == ""
    assert row_counts() == before
    assert entries(alice)["2024-05-01T22:00"] == (3, "tired")
    assert entries(alice)["2024-05-03T21:00"] == (5, "average")
    assert entries(alice)["2024-04-30T22:00"] == (8, "vaguely ok")
    alice.refresh_from_db()
    assert alice.daylio_moods == {"tired": 2, "average": 3, "vaguely ok": 4}
    again = import_file(alice, path, now=NOW)
    assert (again.added, again.already_present, again.moods_filled) == (0, 5, 0)
    assert again.why_nothing.startswith("Everything in this file was already here")


def test_the_next_export_imports_with_the_remembered_places(alice, tmp_path):
    import_file(alice, write(tmp_path, "d.csv", OWN), moods={"tired": 1}, now=NOW)
    newer = HEADER + "2024-05-09,9 May,Thursday,21:00,TIRED,,,\n"
    summary = import_file(alice, write(tmp_path, "newer.csv", newer), now=NOW)
    assert summary.added == 1 and summary.unplaced == {}
    assert entries(alice)["2024-05-09T21:00"] == (0, "tired")


def test_placing_on_the_form_fills_waiting_entries_without_the_file(alice, tmp_path):
    import_file(alice, write(tmp_path, "d.csv", OWN), now=NOW)
    version = models.Person.objects.get(pk=alice.pk).data_version
    assert actions.place_moods(alice, {"tired": "bad", "average": "3"}) == 3
    assert entries(alice)["2024-05-02T20:00"] == (3, "tired")
    assert queries.unplaced_moods(alice) == [("vaguely ok", 1, 3)]
    alice.refresh_from_db()
    assert alice.daylio_moods == {"tired": 2, "average": 3} and alice.data_version > version


@pytest.mark.parametrize("placements", [{"tired": "7"}, {"tired": "2", "average": "okay"},
                                        {"rad": "4"}, {"  ": "3"}])
def test_a_bad_placement_writes_nothing(alice, tmp_path, placements):
    path = write(tmp_path, "d.csv", OWN)
    import_file(alice, path, now=NOW)
    before = (row_counts(), entries(alice))
    with pytest.raises(InvalidInput):
        actions.place_moods(alice, placements)
    with pytest.raises(InvalidInput):
        import_file(alice, path, moods=placements, now=NOW)
    alice.refresh_from_db()
    assert (row_counts(), entries(alice)) == before and alice.daylio_moods == {}


def test_placements_for_a_file_that_is_not_a_daylio_csv_are_refused(alice, tmp_path):
    with pytest.raises(ImportRefused) as caught:
        import_file(alice, write(tmp_path, "run.gpx", GPX_RUN), moods={"tired": 2}, now=NOW)
    assert "Daylio CSV" in caught.value.message
    assert row_counts()["MovementSession"] == 0


def test_a_dry_run_with_placements_remembers_nothing(alice, tmp_path):
    summary = import_file(alice, write(tmp_path, "d.csv", OWN), moods={"tired": 2}, dry_run=True,
                          now=NOW)
    assert summary.added == 5 and summary.unplaced == {"average": 1, "vaguely ok": 1}
    alice.refresh_from_db()
    assert alice.daylio_moods == {} and row_counts()["JournalEntry"] == 0


# ---------------------------------------------------------------- any names, any labels

_NAME = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
                max_size=24).filter(lambda s: mood_key(s) != "")
_LABEL = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"),
                               exclude_characters="|"), min_size=1, max_size=16)


def _csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["full_date", "date", "weekday", "time", "mood", "activities", "note_title",
                     "note"])
    for number, (name, labels) in enumerate(rows):
        day = (date(2024, 1, 1) + timedelta(days=number)).isoformat()
        writer.writerow([day, "", "", "12:00", name,
                         " | ".join(labels), "", ""])
    return out.getvalue()


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(st.tuples(st.one_of(_NAME, st.sampled_from(sorted(DEFAULT_NAMES))),
                               st.lists(_LABEL, max_size=4)), min_size=1, max_size=30),
       data=st.data())
def test_any_names_and_labels_import_every_entry_and_placing_fills_without_adding(
        alice, tmp_path, rows, data):
    models.JournalEntry.objects.filter(person=alice).delete()
    models.MovementSession.objects.filter(person=alice).delete()
    models.Person.objects.filter(pk=alice.pk).update(daylio_moods={})
    alice.refresh_from_db()
    path = write(tmp_path, "gen.csv", _csv(rows))
    first = import_file(alice, path, now=NOW)
    assert (first.added, first.already_present, first.skipped) == (len(rows), 0, 0)
    own = {mood_key(n) for n, _ in rows} - set(DEFAULT_NAMES)
    assert set(first.unplaced) == own
    assert sum(first.unplaced.values()) == sum(mood_key(n) in own for n, _ in rows)
    stored = models.JournalEntry.objects.filter(person=alice)
    assert sorted(e.mood_name for e in stored) == sorted(mood_key(n) for n, _ in rows)
    assert all(e.activities == [" ".join(x.split()) for x in labels if x.split()]
               for e, (_, labels) in zip(stored.order_by("day", "at"), rows, strict=True))
    places = {name: data.draw(st.integers(1, 5)) for name in own}
    second = import_file(alice, path, moods=places, now=NOW)
    assert (second.added, second.already_present, second.moods_filled) == (0, len(rows),
                                                                             len(rows) - sum(
        mood_key(n) in DEFAULT_NAMES for n, _ in rows))
    assert not models.JournalEntry.objects.filter(person=alice, mood__isnull=True).exists()

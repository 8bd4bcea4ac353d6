"""Deleting marks an entry removed: out of every read at once, back by undo within the hour,
deleted for good after it (and never for the memory of a removed import). SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.db import connection

from kindstep.core.checks import InvalidInput
from kindstep.store import actions, export_erase, models, queries
from tests.conftest import NOW

TODAY = date(2026, 11, 25)
HOUR = timedelta(hours=1)
NOTE = "juniper-anvil-3307"
"""A note no table, index or page holds by chance."""


@pytest.fixture
def removed(alice):
    """Alice's record: one of each kind kept, and one of each kind removed at NOW."""
    kept = {
        "session": actions.log_session(alice, activity="walk", duration=20, now=NOW),
        "rest": actions.log_rest(alice, day="2026-11-23", now=NOW)[0],
        "checkin": actions.record_checkin(alice, energy=5, mood=5, anxiety=5, now=NOW - HOUR),
    }
    gone = {
        "session": actions.log_session(alice, activity="yoga_gentle", duration=30, day="2026-11-24",
                                       note=NOTE, before=1, after=2, now=NOW),
        "rest": actions.log_rest(alice, day="2026-11-22", note=NOTE, now=NOW)[0],
        "checkin": actions.record_checkin(alice, energy=1, mood=1, anxiety=9, note=NOTE, now=NOW),
    }
    for kind, row in gone.items():
        actions.delete_entry(alice, actions.EntryRef(kind, row.pk).label, now=NOW)
    return kept, gone


def test_every_read_leaves_removed_entries_out(alice, removed):
    kept, gone = removed
    record = queries.history(alice)
    assert [s.id for s in record.sessions] == [kept["session"].pk]
    assert [r.id for r in record.rest_days] == [kept["rest"].pk]
    assert [c.id for c in record.checkins] == [kept["checkin"].pk]
    sessions, rests = queries.rhythm_record(alice, until=TODAY)
    assert [minutes for _, minutes, _ in sessions] == [20]
    assert rests == [date(2026, 11, 23).toordinal()]
    assert queries.latest_checkin(alice, TODAY).id == kept["checkin"].pk
    assert queries.today_summary(alice, TODAY).latest.id == kept["checkin"].pk
    assert queries.first_day(alice) == date(2026, 11, 23)
    assert [e.id for e in queries.timeline(alice, today=TODAY)] == [
        f"c{kept['checkin'].pk}", f"s{kept['session'].pk}", f"r{kept['rest'].pk}"]
    for kind, row in gone.items():
        label = actions.EntryRef(kind, row.pk).label
        with pytest.raises(InvalidInput, match="no entry"):
            actions.edit_entry(alice, label, now=NOW, note="changed")
        with pytest.raises(InvalidInput, match="no entry"):
            actions.delete_entry(alice, label, now=NOW)


def test_the_export_leaves_removed_entries_out_and_erase_takes_them_too(alice, removed):
    kept, _ = removed
    counts: dict[str, int] = {}
    text = "".join(actions.export_all(alice, now=NOW, counts=counts))
    assert NOTE not in text
    data = json.loads(text)
    assert [s["id"] for s in data["sessions"]] == [kept["session"].pk]
    assert [r["id"] for r in data["rest_days"]] == [kept["rest"].pk]
    assert [c["id"] for c in data["checkins"]] == [kept["checkin"].pk]
    assert (counts["sessions"], counts["rest_days"], counts["checkins"]) == (1, 1, 1)
    erased, _ = actions.erase_all(alice, confirm="erase")
    assert (erased["sessions"], erased["rest_days"], erased["checkins"]) == (2, 2, 2)
    assert not models.MovementSession.objects.exists()


def test_undo_is_by_id_within_the_hour_and_refused_after_it(alice):
    row = actions.log_session(alice, activity="walk", duration=10, now=NOW)
    actions.delete_entry(alice, f"s{row.pk}", now=NOW)
    assert actions.restore_entry(alice, f"s{row.pk}", now=NOW + HOUR).pk == row.pk  # to the second
    actions.delete_entry(alice, f"s{row.pk}", now=NOW)
    with pytest.raises(InvalidInput, match="can no longer be put back"):
        actions.restore_entry(alice, f"s{row.pk}", now=NOW + HOUR + timedelta(seconds=1))
    assert models.MovementSession.objects.get().removed_at == NOW  # refused: nothing changed


def test_undo_cannot_reach_someone_elses_removed_entry(alice, charlie):
    row = actions.log_session(charlie, activity="walk", duration=10, now=NOW)
    actions.delete_entry(charlie, f"s{row.pk}", now=NOW)
    with pytest.raises(InvalidInput):
        actions.restore_entry(alice, f"s{row.pk}", now=NOW)
    assert models.MovementSession.objects.get().removed_at == NOW


def test_a_removed_rest_day_leaves_its_day_free_and_then_cannot_be_undone_onto_it(alice):
    first, _ = actions.log_rest(alice, note="first", now=NOW)
    actions.delete_entry(alice, f"r{first.pk}", now=NOW)
    again, created = actions.log_rest(alice, note="again", now=NOW)
    assert created and again.pk != first.pk
    with pytest.raises(InvalidInput, match="already a rest day again"):
        actions.restore_entry(alice, f"r{first.pk}", now=NOW)
    moved = actions.log_rest(alice, day="2026-11-20", now=NOW)[0]
    with pytest.raises(InvalidInput, match="already marked as a rest day"):
        actions.edit_entry(alice, f"r{moved.pk}", now=NOW, date="2026-11-25")


def test_purge_deletes_only_what_is_past_its_hour(alice, charlie, removed):
    kept, gone = removed
    theirs = actions.log_session(charlie, activity="walk", duration=10, now=NOW)
    actions.delete_entry(charlie, f"s{theirs.pk}", now=NOW + timedelta(minutes=30))
    assert actions.purge_removed(now=NOW + HOUR) == 0  # exactly an hour: undo still works
    assert actions.purge_removed(now=NOW + HOUR + timedelta(seconds=1)) == 3
    assert not models.MovementSession.objects.filter(pk=gone["session"].pk).exists()
    assert not models.RestDay.objects.filter(pk=gone["rest"].pk).exists()
    assert not models.CheckIn.objects.filter(pk=gone["checkin"].pk).exists()
    assert models.MovementSession.objects.filter(pk=theirs.pk).exists()  # its half hour is left
    assert all(type(row).objects.filter(pk=row.pk).exists() for row in kept.values())
    assert actions.purge_removed(now=NOW + 2 * HOUR) == 1
    assert not models.MovementSession.objects.filter(pk=theirs.pk).exists()


def test_after_the_purge_a_deleted_note_is_in_no_table(alice, removed):
    def every_value() -> str:
        with connection.cursor() as cursor:
            found = []
            for table in connection.introspection.table_names():
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
                found += map(repr, cursor.fetchall())
        return "\n".join(found)

    assert NOTE in every_value()
    actions.purge_removed(now=NOW + 2 * HOUR)
    assert NOTE not in every_value()


def test_a_removed_import_is_remembered_through_the_purge(alice):
    entry = models.JournalEntry.objects.create(person=alice, source="daylio", external_id="k1",
                                               day=TODAY, at=NOW, mood=3)
    night = models.DailyMeasure.objects.create(person=alice, day=TODAY, kind="sleep_hours",
                                               value=6.5, source="apple_health")
    actions.delete_entry(alice, f"j{entry.pk}", now=NOW)
    actions.delete_entry(alice, f"n{night.pk}", now=NOW)
    assert actions.purge_removed(now=NOW + 2 * HOUR) == 0
    assert models.JournalEntry.objects.get().removed_at == NOW
    assert models.DailyMeasure.objects.get().removed_at == NOW
    assert queries.imported_entries(alice) == []
    with pytest.raises(InvalidInput, match="can no longer be put back"):
        actions.restore_entry(alice, f"j{entry.pk}", now=NOW + 2 * HOUR)


def test_purging_a_session_made_from_a_workout_lets_the_workout_go_of_it(alice):
    session = models.MovementSession.objects.create(
        person=alice, day=TODAY, activity="walk", minutes=30, met=3.5, source="apple_health",
        external_id="ab" * 16)
    workout = models.HealthWorkout.objects.create(
        person=alice, record_key=b"k" * 16, session=session, activity_type="HKWorkoutActivityTypeWalking",
        started_at=NOW, ended_at=NOW, minutes=30)
    actions.delete_entry(alice, f"s{session.pk}", now=NOW)
    assert actions.purge_removed(now=NOW + 2 * HOUR) == 1
    workout.refresh_from_db()
    assert workout.session_id is None
    assert models.RemovedImport.objects.filter(person=alice, external_id="ab" * 16).exists()


def test_looking_for_rows_to_purge_reads_only_the_small_indexes_of_removed_rows(alice):
    if connection.vendor != "sqlite":
        pytest.skip("the plan is SQLite's; PostgreSQL plans by its statistics")
    cutoff = connection.ops.adapt_datetimefield_value(NOW)
    with connection.cursor() as cursor:
        for table, index in (("kindstep_session", "session_removed"),
                             ("kindstep_rest_day", "rest_day_removed"),
                             ("kindstep_checkin", "checkin_removed")):
            cursor.execute(f"EXPLAIN QUERY PLAN SELECT 1 FROM {table} WHERE removed_at < %s",
                           [cutoff])
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert f"USING COVERING INDEX {index}" in plan, plan


def test_nothing_to_purge_costs_one_statement(alice, django_assert_num_queries):
    actions.log_session(alice, activity="walk", duration=10, now=NOW)
    with django_assert_num_queries(1):
        assert actions.purge_removed(now=NOW) == 0


def test_an_export_names_no_removed_entry_in_its_yours_sections(alice, removed):
    # Every section the export walks is also what erase walks: removed rows are only filtered
    # from the export, never from erase (export_erase.REMOVED_LEFT_OUT names which).
    names = {name for name, _ in export_erase.sections(alice)}
    assert export_erase.REMOVED_LEFT_OUT <= names


@pytest.mark.django_db(transaction=True)
def test_the_purge_on_the_way_never_waits_for_another_writer_and_tidy_does():
    """While another program holds the rows (a long import, say), a page or command does not
    wait to tidy: it leaves the rows for later. `kindstep tidy` waits its turn."""
    import threading
    import time

    from django.db import transaction

    person = models.Person.objects.create()
    row = actions.log_session(person, activity="walk", duration=10, now=NOW)
    actions.delete_entry(person, f"s{row.pk}", now=NOW)
    holding, release = threading.Event(), threading.Event()

    def another_program():
        from django.db import connection as theirs

        try:
            with transaction.atomic():  # SQLite: the write lock; PostgreSQL: the row's lock
                list(models.MovementSession.objects.select_for_update().filter(pk=row.pk))
                models.Person.objects.filter(pk=person.pk).update(country="GB")
                holding.set()
                release.wait(30)
        finally:
            theirs.close()

    writer = threading.Thread(target=another_program)
    writer.start()
    try:
        assert holding.wait(30)
        started = time.monotonic()
        assert actions.purge_removed(now=NOW + 2 * HOUR, wait=False) == 0
        assert time.monotonic() - started < 5  # the busy timeout is 20 s: it did not wait
        assert models.MovementSession.objects.filter(pk=row.pk).exists()
    finally:
        release.set()
        writer.join(30)
    assert actions.purge_removed(now=NOW + 2 * HOUR, wait=False) == 1
    assert not models.MovementSession.objects.filter(pk=row.pk).exists()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 20_000  # as the settings set it, again

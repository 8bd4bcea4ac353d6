"""The whole record, to take away (export_all) or to erase (erase_all): on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from kindstep.core.checks import InvalidInput
from kindstep.core.experiments import TEMPLATES as EXPERIMENT_TEMPLATES
from kindstep.store import actions, export_erase, models
from kindstep.store.health_import import import_apple_health
from tests.importers.test_apple_health import make_export

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
TEMPLATE = EXPERIMENT_TEMPLATES[0].code
MARK = "zebra-quartz-4711"  # a word no page, table name or index would hold by chance


def fill(person, *, sessions: int = 3) -> None:
    """A little of everything a person can keep: each kind of row at least once."""
    for i in range(sessions):
        actions.log_session(person, activity="walk", duration=str(10 + i),
                            day=str(date(2026, 11, 24) - timedelta(days=i)), note=f"{MARK} {i}",
                            now=NOW)
    actions.log_rest(person, day="2026-11-20", note="slow day", now=NOW)
    actions.record_checkin(person, energy=3, mood=4, anxiety=5, now=NOW)
    actions.answer_questionnaire(person, "phq9", [0, 1, 0, 1, 0, 0, 0, 0, 1], now=NOW)
    experiment = actions.start_experiment(person, template=TEMPLATE, seed=7, now=NOW)
    actions.log_experiment_outcome(person, "6", now=NOW)
    models.JournalEntry.objects.create(person=person, source="daylio", external_id="k1",
                                       day=date(2026, 11, 22), at=NOW, mood=5, note=MARK)
    models.JournalNote.objects.create(person=person, source="bearable", external_id="k2",
                                      day=date(2026, 11, 22), at=NOW, kind="symptom", text="tired")
    models.DailyMeasure.objects.create(person=person, day=date(2026, 11, 22), kind="steps",
                                       value=4000, source="apple_health")
    models.RemovedImport.objects.create(person=person, source="gpx", external_id="gone")
    assert experiment.outcomes.exists()


def document(person, counts=None) -> dict:
    return json.loads("".join(actions.export_all(person, now=NOW, counts=counts)))


def personal_models() -> set[str]:
    """Every model of the app that holds rows about one person (all but the person, the
    shared list of Apple Health types and the server's own web push key)."""
    return {m.__name__ for m in apps.get_app_config("kindstep").get_models()} - {
        "Person", "HealthType", "VapidKey"}


def test_every_table_that_holds_a_persons_rows_is_exported_and_erased(alice):
    assert {rows.model.__name__ for _, rows in export_erase.sections(alice)} == personal_models()


def test_the_export_holds_everything_and_nothing_of_anyone_else(alice, charlie):
    fill(alice)
    fill(charlie, sessions=1)
    counts: dict[str, int] = {}
    data = document(alice, counts)
    assert (data["format"], data["version"]) == ("kindstep-export", 1)
    assert data["exported_at"] == NOW.isoformat()
    assert data["settings"]["timezone"] == "Europe/London" and data["settings"]["country"] == "GB"
    for name, rows in export_erase.sections(alice):
        assert len(data[name]) == rows.count() == counts[name], name
    assert [s["note"] for s in data["sessions"]] == [f"{MARK} 0", f"{MARK} 1", f"{MARK} 2"]
    assert data["sessions"][0]["day"] == "2026-11-24" and data["sessions"][0]["minutes"] == 10
    assert data["questionnaires"][0]["answers"] == [0, 1, 0, 1, 0, 0, 0, 0, 1]
    assert data["safety_events"] and data["experiment_outcomes"][0]["value"] == 6
    assert data["journal_entries"][0]["note"] == MARK
    own_ids = {s["id"] for s in data["sessions"]}
    assert not own_ids & set(models.MovementSession.objects.filter(person=charlie)
                                 .values_list("id", flat=True))
    assert "person_id" not in data["sessions"][0]


def test_apple_health_samples_are_exported_with_their_type_by_name(alice):
    summary = import_apple_health(alice, make_export(suffix=".zip"))
    data = document(alice)
    assert len(data["health_records"]) == summary.added
    record = data["health_records"][0]
    assert record["type__name"].startswith("HK") and len(record["key"]) == 32  # 16 bytes, hex
    assert data["health_workouts"] and data["health_sources"]
    assert {w["session_id"] for w in data["health_workouts"]} <= {s["id"] for s in data["sessions"]}


@pytest.mark.parametrize("n", [0, 1, 499, 500, 501, 1000, 1001])
def test_pieces_join_into_valid_json_at_any_size(alice, n):
    models.MovementSession.objects.bulk_create(
        models.MovementSession(person=alice, day=date(2026, 1, 1) + timedelta(days=i % 300),
                               activity="walk", minutes=5, met=2.8) for i in range(n))
    pieces = list(actions.export_all(alice, now=NOW))
    assert len(json.loads("".join(pieces))["sessions"]) == n
    if n >= 1000:
        assert len(pieces) > 20  # written as it is read, a few hundred rows at a time


def test_erasing_asks_for_the_word_and_touches_nothing_without_it(alice, counts):
    fill(alice)
    before = counts()
    for word in ("", "yes", "eras", None):
        with pytest.raises(InvalidInput, match='please type the word "erase"'):
            actions.erase_all(alice, confirm=word)
    assert counts() == before
    assert models.Person.objects.filter(pk=alice.pk).exists()


def test_erasing_removes_every_row_about_the_person_and_only_theirs(alice, charlie):
    fill(alice)
    import_apple_health(alice, make_export(suffix=".zip"))
    fill(charlie, sessions=2)
    theirs = {name: rows.count() for name, rows in export_erase.sections(charlie)}
    erased, _ = actions.erase_all(alice, confirm=" Erase ")
    assert erased["sessions"] > 3 and erased["health_records"] > 100 and erased["checkins"] == 1
    assert not models.Person.objects.filter(pk=alice.pk).exists()
    for name, rows in export_erase.sections(alice):
        assert not rows.exists(), name
    assert {name: rows.count() for name, rows in export_erase.sections(charlie)} == theirs
    assert models.HealthType.objects.exists()  # shared names, no one's data


def files_of_the_database() -> list[Path]:
    name = Path(connection.settings_dict["NAME"])
    return [p for p in (name, Path(f"{name}-wal"), Path(f"{name}-journal")) if p.exists()]


@pytest.mark.django_db(transaction=True)
def test_after_erasing_nothing_of_it_can_be_read_back_from_the_file():
    if connection.vendor != "sqlite":
        pytest.skip("free pages and the write-ahead log are SQLite's; PostgreSQL reclaims its own")
    person = models.Person.objects.create()
    fill(person, sessions=50)
    connection.close()  # what was written is now in the file (or its log) for certain
    assert any(MARK.encode() in p.read_bytes() for p in files_of_the_database())
    erased, tidied = actions.erase_all(models.Person.objects.get(pk=person.pk), confirm="erase")
    assert tidied and erased["sessions"] == 50
    for p in files_of_the_database():
        assert MARK.encode() not in p.read_bytes(), p


@pytest.mark.django_db(transaction=True)
def test_an_export_reads_one_snapshot_while_another_program_writes():
    # As the CLI and the web run it: the export opens its own transaction (on PostgreSQL,
    # repeatable read; on SQLite, WAL keeps a reader's snapshot), so a write landing
    # half-way through, from another connection, cannot split the document.
    import threading

    person = models.Person.objects.create()
    fill(person, sessions=2)
    pieces = actions.export_all(person, now=NOW)
    head = next(pieces)  # the export has begun reading

    def another_program():
        from django.db import connection as theirs

        try:
            models.MovementSession.objects.create(person_id=person.pk, day=date(2026, 11, 1),
                                                  activity="walk", minutes=5, met=2.8)
        finally:
            theirs.close()

    writer = threading.Thread(target=another_program)
    writer.start()
    writer.join(30)
    data = json.loads(head + "".join(pieces))
    assert len(data["sessions"]) == 2  # as it was when the export began
    assert models.MovementSession.objects.filter(person=person).count() == 3

"""Bringing a kindstep export back (store/restore.py): exactly into an empty record, only what is
missing into one with entries, and nothing at all from a damaged, foreign or newer file."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kindstep.importers.rows import ImportRefused
from kindstep.store import actions, export_erase, models, restore
from kindstep.store.health_import import import_apple_health
from kindstep.store.importing import import_file
from tests.conftest import NOW, every_row
from tests.importers.test_apple_health import make_export
from tests.store.test_export_erase import fill


def export_to(person, path: Path) -> Path:
    path.write_text("".join(actions.export_all(person, now=NOW)), "utf-8")
    return path


def without_version(document: dict) -> dict:
    """The document with the one figure every write moves (the settings' data version)."""
    document = json.loads(json.dumps(document))
    document["settings"].pop("data_version")
    return document


def record_of(person) -> dict[str, list[dict]]:
    """Every row of every table the person owns (their settings too), person and version aside."""
    rows = dict(restore.section_rows(person))
    settings = models.Person.objects.filter(pk=person.pk).values().get()
    rows["settings"] = [{k: v for k, v in settings.items() if k not in ("id", "data_version")}]
    return rows


def test_a_whole_record_comes_back_exactly_into_an_empty_one(alice, tmp_path):
    fill(alice)
    import_apple_health(alice, make_export(suffix=".zip"))
    actions.record_movement_symptoms(alice, ["chest_pain"], now=NOW)
    before = record_of(alice)
    exported = export_to(alice, tmp_path / "kindstep-export-2026-11-25.json")
    first = json.loads(exported.read_text("utf-8"))
    actions.erase_all(alice, confirm="erase")

    newcomer = models.Person.objects.create()  # a fresh folder's person: defaults, no entries
    summary = import_file(newcomer, exported, now=NOW)
    assert summary.format == "kindstep_export"
    assert summary.added == sum(len(first[name]) for name in restore.SECTIONS)
    assert summary.already_present == summary.skipped == 0 and not summary.notes
    assert record_of(newcomer) == before  # every row of every table, column by column
    again = json.loads("".join(actions.export_all(newcomer, now=NOW)))
    assert without_version(again) == without_version(first)
    # Rows that kept their numbers leave the counters past them (PostgreSQL's sequences too).
    actions.log_session(newcomer, activity="walk", duration="5", now=NOW)
    actions.log_experiment_outcome(newcomer, "3", now=NOW + timedelta(days=1))


def test_restoring_moves_the_data_version_so_pages_kept_for_the_old_one_go(alice, tmp_path):
    fill(alice, sessions=1)
    exported = export_to(alice, tmp_path / "e.json")
    newcomer = models.Person.objects.create()
    import_file(newcomer, exported, now=NOW)
    newcomer.refresh_from_db()
    assert newcomer.data_version > 0


def test_into_a_record_with_entries_it_adds_what_is_missing_and_leaves_the_rest(alice, tmp_path):
    fill(alice, sessions=2)
    exported = export_to(alice, tmp_path / "e.json")
    actions.log_session(alice, activity="yoga_gentle", duration="15", now=NOW)  # since the export
    actions.update_settings(alice, target_days="5")
    gone = models.MovementSession.objects.filter(person=alice).order_by("pk").first()
    gone.delete()  # lost since: it should come back
    models.RestDay.objects.filter(person=alice).update(note="changed since")  # a clash
    before = every_row()

    summary = import_file(alice, exported, now=NOW)
    assert summary.added == 1
    assert summary.skipped == 1 and summary.reasons == {restore.LEFT_ALONE_CLASH: 1}
    assert summary.already_present == sum(
        len(json.loads(exported.read_text())[n]) for n in restore.SECTIONS) - 2
    assert summary.notes == [restore.LEFT_ALONE_SETTINGS]
    alice.refresh_from_db()
    assert alice.target_days == 5  # settings as they are here
    notes = sorted(models.MovementSession.objects.filter(person=alice).values_list("note", flat=True))
    assert notes == sorted(["", "zebra-quartz-4711 0", "zebra-quartz-4711 1"])
    assert models.RestDay.objects.get(person=alice).note == "changed since"
    after = every_row()
    assert len(after["MovementSession"]) == len(before["MovementSession"]) + 1

    again = import_file(alice, exported, now=NOW)  # a second time: nothing more to add
    assert again.added == 0 and again.skipped == 1


def test_a_restore_into_someone_elses_numbers_maps_every_reference(alice, charlie, tmp_path):
    # As in server mode: another person's rows already hold the export's numbers.
    fill(alice)
    import_apple_health(alice, make_export(suffix=".zip"))
    exported = export_to(alice, tmp_path / "e.json")
    before = record_of(alice)
    summary = import_file(charlie, exported, now=NOW)  # charlie had nothing: an empty record
    assert summary.skipped == 0
    theirs = record_of(charlie)

    def no_numbers(record):
        out = {}
        for name, rows in record.items():
            out[name] = [{k: v for k, v in r.items() if k not in ("id", "experiment_id",
                          "source_id", "session_id", "detail", "type_id")} for r in rows]
        return out

    assert no_numbers(theirs) == no_numbers(before)
    workouts = models.HealthWorkout.objects.filter(person=charlie).exclude(session=None)
    assert workouts.exists()
    assert all(w.session.person_id == charlie.pk for w in workouts)
    outcomes = models.ExperimentOutcome.objects.filter(experiment__person=charlie)
    assert outcomes.count() == len(before["experiment_outcomes"]) > 0
    records = models.HealthRecord.objects.filter(person=charlie).exclude(source=None)
    assert records.exists() and all(r.source.person_id == charlie.pk for r in records[:50])
    for event in models.SafetyEvent.objects.filter(person=charlie):
        if event.detail.get("response_id"):
            assert models.QuestionnaireResponse.objects.get(
                pk=event.detail["response_id"]).person_id == charlie.pk


def _write(path: Path, document: dict | str) -> Path:
    path.write_text(document if isinstance(document, str) else json.dumps(document), "utf-8")
    return path


@pytest.fixture
def exported(alice, tmp_path) -> dict:
    fill(alice, sessions=2)
    return json.loads("".join(actions.export_all(alice, now=NOW)))


def bad_files(exported: dict) -> dict[str, dict | str]:
    text = json.dumps(exported)
    newer = dict(exported, version=2)
    unknown_column = json.loads(text)
    unknown_column["sessions"][0]["colour"] = "blue"
    wrong_type = json.loads(text)
    wrong_type["sessions"][0]["minutes"] = "ten"
    out_of_range = json.loads(text)
    out_of_range["checkins"][0]["mood"] = 99
    no_number = json.loads(text)
    del no_number["sessions"][0]["id"]
    twice = json.loads(text)
    twice["sessions"].append(twice["sessions"][0])
    dangling = json.loads(text)
    dangling["experiment_outcomes"][0]["experiment_id"] = 987654
    naive = json.loads(text)
    naive["checkins"][0]["at"] = "2026-11-25T15:00:00"
    no_version = {k: v for k, v in exported.items() if k != "version"}
    cases = {
        "newer version": newer, "cut short": text[: len(text) // 2],
        "unknown column": unknown_column, "wrong type": wrong_type,
        "out of range": out_of_range, "no number": no_number, "twice": twice,
        "dangling": dangling, "naive time": naive, "no version": no_version,
        "junk after": text + "{}", "unknown part": dict(exported, extra=[1]),
        "section not a list": dict(exported, sessions={"a": 1}),
    }
    assert list(cases) == BAD
    return cases


BAD = ["newer version", "cut short", "unknown column", "wrong type", "out of range", "no number",
       "twice", "dangling", "naive time", "no version", "junk after", "unknown part",
       "section not a list"]


@pytest.mark.parametrize("case", BAD)
def test_a_damaged_foreign_or_newer_export_is_refused_and_nothing_is_written(
        case, exported, tmp_path, charlie):
    before = every_row()
    path = _write(tmp_path / "kindstep-export.json", bad_files(exported)[case])
    for person in (charlie, models.Person.objects.exclude(pk=charlie.pk).first()):
        with pytest.raises(ImportRefused) as refused:
            import_file(person, path, format="kindstep_export", now=NOW)
        assert "\n" not in str(refused.value)
    assert every_row() == before
    if case == "newer version":
        assert "newer kindstep (format version 2)" in str(refused.value)


def test_a_nul_in_an_export_comes_back_on_sqlite_and_is_refused_kindly_on_postgresql(
        exported, tmp_path, charlie):
    from django.db import connection

    exported["sessions"][0]["note"] = "before\x00after"
    path = _write(tmp_path / "nul.json", exported)
    before = every_row()
    if connection.vendor == "postgresql":
        with pytest.raises(ImportRefused, match="cannot keep in 'note'"):
            import_file(charlie, path, now=NOW)
        assert every_row() == before
    else:
        import_file(charlie, path, now=NOW)
        assert models.MovementSession.objects.filter(person=charlie,
                                                     note="before\x00after").exists()


def test_a_kindstep_export_is_recognised_by_its_content_whatever_its_name(exported, tmp_path):
    from kindstep.importers.detect import detect

    assert detect(_write(tmp_path / "anything.txt", exported)) == "kindstep_export"
    with pytest.raises(ImportRefused, match="does not recognise"):
        detect(_write(tmp_path / "other.json", {"format": "someone-else", "version": 1}))


def test_a_reformatted_export_still_comes_back(exported, tmp_path, charlie):
    path = _write(tmp_path / "pretty.json", json.dumps(exported, indent=3))
    summary = import_file(charlie, path, now=NOW)
    assert summary.added == sum(len(exported[n]) for n in restore.SECTIONS)


def test_a_dry_run_counts_and_keeps_nothing(exported, tmp_path, charlie):
    before = every_row()
    path = _write(tmp_path / "e.json", exported)
    summary = import_file(charlie, path, dry_run=True, now=NOW)
    assert summary.dry_run and summary.added > 5
    assert every_row() == before


def test_a_large_export_is_read_in_pieces(alice, tmp_path, charlie):
    models.MovementSession.objects.bulk_create(
        models.MovementSession(person=alice, day=date(2026, 1, 1) + timedelta(days=i % 300),
                               activity="walk", minutes=5, met=2.8, note="x" * (i % 50))
        for i in range(3000))
    path = export_to(alice, tmp_path / "big.json")
    summary = import_file(charlie, path, now=NOW)
    assert summary.added == 3000
    assert models.MovementSession.objects.filter(person=charlie).count() == 3000


def test_every_section_is_read_back(alice):
    assert set(restore.SECTIONS) == {name for name, _ in export_erase.sections(alice)}


# ---------------------------------------------------------------- generated records

# No NUL: PostgreSQL text cannot hold it (kindstep refuses it at every door before a write).
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00"),
               max_size=40)
DAYS = st.dates(date(2015, 1, 1), date(2026, 11, 25))
TIMES = st.datetimes(datetime(2015, 1, 1), datetime(2026, 11, 25), timezones=st.just(UTC))
SCALE = st.integers(0, 10)
FIGURE = st.none() | st.floats(0, 1e6, allow_nan=False, allow_subnormal=False)


@st.composite
def records(draw) -> dict[str, list[dict]]:
    """A person's record of any shape: every kind of entry, odd text and edge values included."""
    sessions = draw(st.lists(st.fixed_dictionaries({
        "day": DAYS, "started_at": st.none() | TIMES, "activity": st.sampled_from(
            ["walk", "yoga_gentle", "cycling"]), "minutes": st.integers(1, 1440),
        "met": st.floats(0, 20, allow_nan=False), "effort": st.none() | SCALE,
        "mood_before": st.none() | SCALE, "mood_after": st.none() | SCALE, "note": TEXT,
        "distance_m": FIGURE, "energy_kcal": FIGURE, "created_at": TIMES,
        "source": st.sampled_from(["kindstep", "gpx"]),
        "external_id": st.none() | st.uuids().map(str)}), max_size=6))
    checkins = draw(st.lists(st.fixed_dictionaries({
        "at": TIMES, "day": DAYS, "energy": SCALE, "mood": SCALE, "anxiety": SCALE,
        "minutes_available": st.none() | st.integers(0, 600),
        "sleep_hours": st.none() | st.floats(0, 24, allow_nan=False), "body_note": TEXT}),
        max_size=4))
    rest_days = [{"day": d, "note": n, "created_at": t} for d, n, t in draw(st.lists(
        st.tuples(DAYS, TEXT, TIMES), max_size=3, unique_by=lambda x: x[0]))]
    journal = draw(st.lists(st.fixed_dictionaries({
        "source": st.just("daylio"), "external_id": st.uuids().map(str), "day": DAYS, "at": TIMES,
        "mood": SCALE, "energy": st.none() | SCALE, "note": TEXT,
        "activities": st.lists(TEXT, max_size=3), "created_at": TIMES,
        "removed_at": st.none() | TIMES}), max_size=3))
    settings_ = draw(st.fixed_dictionaries({
        "timezone": st.sampled_from(["UTC", "Europe/London", "Pacific/Chatham"]),
        "country": st.sampled_from(["", "GB", "NZ"]), "target_days": st.integers(1, 7),
        "day_start_hour": st.integers(0, 23), "liked": st.lists(TEXT, max_size=2),
        "readiness": st.dictionaries(st.sampled_from(["chest", "dizzy"]), st.booleans()),
        "light_only": st.booleans(), "cleared_at": st.none() | TIMES}))
    return {"sessions": sessions, "checkins": checkins, "rest_days": rest_days,
            "journal": journal, "settings": settings_}


def _keep(person, record: dict) -> None:
    """Write the generated record as rows (raw: creation times as drawn)."""
    models.Person.objects.filter(pk=person.pk).update(**record["settings"])
    for model, rows in ((models.MovementSession, record["sessions"]),
                        (models.CheckIn, record["checkins"]),
                        (models.RestDay, record["rest_days"]),
                        (models.JournalEntry, record["journal"])):
        objs = [model(person=person, **row) for row in rows]
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        if objs:
            model._base_manager._insert(objs, fields=fields, raw=True, using="default")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(record=records())
def test_any_record_comes_back_exactly(db, tmp_path, record):
    person = models.Person.objects.create()
    _keep(person, record)
    before = record_of(person)
    exported = export_to(person, tmp_path / "e.json")
    actions.erase_all(person, confirm="erase")
    newcomer = models.Person.objects.create()
    import_file(newcomer, exported, now=NOW)
    assert record_of(newcomer) == before
    again = json.loads("".join(actions.export_all(newcomer, now=NOW)))
    assert without_version(again) == without_version(json.loads(exported.read_text("utf-8")))
    actions.erase_all(newcomer, confirm="erase")


@pytest.mark.parametrize("name", [n for n in restore.SECTIONS if restore._Table(n).checks])
def test_the_limits_checked_in_python_agree_with_the_database(db, name):
    from django.core.exceptions import ValidationError

    table = restore._Table(name)
    for constraint in table.checks:
        columns = {child[0].split("__")[0] for child in constraint.condition.flatten()
                   if isinstance(child, tuple)}
        for value in (None, 0, 1, 3, 4, 10, 11, 27, 28, 1440, 1441):
            row = {c: (value if c in columns else table.fields[c].get_default())
                   for c in table.columns if c != "type__name"}
            try:
                constraint.validate(table.model, table.model(**row))
                database = True
            except ValidationError:
                database = False
            assert (restore._holds(constraint.condition, row, table) is not False) == database, (
                constraint.name, value)

"""The Apple Health loader: one transaction, all or nothing, idempotent — on SQLite and PostgreSQL."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kindstep.core.catalogue import load_catalogue
from kindstep.importers.apple_health import Parallel
from kindstep.importers.apple_health.parallel import PART_FILES
from kindstep.importers.rows import ImportRefused
from kindstep.store import models
from kindstep.store.health_import import import_apple_health, raw_counts
from tests.conftest import NOW
from tests.importers.test_apple_health import make_export, newer_export

pytestmark = pytest.mark.django_db

ONE = Parallel(processes=1)
TWO = Parallel(processes=2)
"""Imports parse in one process, or in two (on SQLite; PostgreSQL always parses in one)."""


def everything(counts) -> dict[str, int]:
    return {**counts(), **raw_counts()}


def items_in(path: Path) -> int:
    text = path.read_text("utf-8", errors="replace")
    return text.count("<Record ") + text.count("<Workout ") + text.count("<ActivitySummary ")


def test_an_export_imports_whole_with_sessions_routes_and_daily_measures(alice):
    path = make_export(suffix=".zip")
    summary = import_apple_health(alice, path)
    xml = make_export()
    assert summary.added == items_in(xml) and summary.already_present == 0 and summary.skipped == 0
    assert summary.as_dict()["format"] == "apple_health"
    assert models.HealthRecord.objects.filter(person=alice).count() == summary.added
    sessions = models.MovementSession.objects.filter(person=alice, source="apple_health")
    workouts = models.HealthWorkout.objects.filter(person=alice)
    assert sessions.count() == workouts.count() == xml.read_text("utf-8").count("<Workout ")
    catalogue = load_catalogue()
    assert all(s.activity in catalogue and s.met == catalogue[s.activity].met for s in sessions)
    # Each session carries its workout's distance and energy (rounded to a tenth).
    totals = {w.session_id: (w.distance_m, w.energy_kcal) for w in workouts}
    assert all(s.energy_kcal is not None for s in sessions)
    assert sum(s.distance_m is not None and s.distance_m > 100 for s in sessions) > 0
    for s in sessions:
        d, e = totals[s.pk]
        assert s.distance_m == (round(d, 1) if d is not None else None) and s.energy_kcal == round(e, 1)
    routed = workouts.exclude(route_path="")
    assert routed.exists() and all(w.route_points > 10 and w.route_distance_m > 100 for w in routed)
    kinds = set(models.DailyMeasure.objects.filter(person=alice).values_list("kind", flat=True))
    assert kinds == {"steps", "mindful_minutes"}  # 9 sleep records over 91 nights: in bed only


def test_hours_asleep_land_on_the_morning_after(alice, tmp_path):
    sleep = ('<Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch"'
             ' startDate="{}" endDate="{}" value="HKCategoryValueSleepAnalysis{}"/>\n')
    body = "".join(sleep.format(s, e, v) for s, e, v in [
        ("2024-01-01 22:30:00 +0100", "2024-01-02 07:00:00 +0100", "InBed"),
        ("2024-01-01 23:00:00 +0100", "2024-01-02 03:00:00 +0100", "AsleepCore"),
        ("2024-01-02 03:00:00 +0100", "2024-01-02 03:30:00 +0100", "Awake"),
        ("2024-01-02 03:30:00 +0100", "2024-01-02 06:30:00 +0100", "AsleepREM"),
    ])
    path = tmp_path / "export.xml"
    path.write_text('<HealthData locale="en_GB">' + body + "</HealthData>", "utf-8")
    assert import_apple_health(alice, path).added == 4
    (night,) = models.DailyMeasure.objects.filter(person=alice, kind="sleep_hours")
    assert str(night.day) == "2024-01-02" and night.value == 7.0
    # A night the person removes stays removed when the same export comes in again.
    from kindstep.store import actions, queries

    actions.delete_entry(alice, f"n{night.pk}", now=NOW)
    again = import_apple_health(alice, path)
    assert again.added == 0 and again.already_present == 4
    night.refresh_from_db()
    assert night.removed_at is not None and night.value == 7.0
    assert queries.imported_entries(alice) == []


def test_importing_the_same_export_again_adds_nothing(alice, counts):
    path = make_export()
    first = import_apple_health(alice, path)
    before = everything(counts)
    again = import_apple_health(alice, path)
    assert again.added == 0 and again.already_present == first.added and again.skipped == 0
    assert everything(counts) == before


def test_a_newer_export_adds_exactly_what_is_new(alice, tmp_path):
    base = make_export()
    import_apple_health(alice, base)
    newer = newer_export(base, 15, tmp_path / "newer.xml")
    new_items = items_in(newer) - items_in(base)
    summary = import_apple_health(alice, newer)
    assert summary.added == new_items > 15
    assert summary.already_present == items_in(base)


def test_a_dry_run_counts_but_keeps_nothing(alice, counts):
    before = everything(counts)
    summary = import_apple_health(alice, make_export(), dry_run=True)
    assert summary.added > 300 and summary.dry_run
    assert everything(counts) == before


def test_progress_reports_bytes_and_items(alice):
    seen = []
    import_apple_health(alice, make_export(), progress=lambda done, total, items: seen.append((done, total, items)))
    assert seen[-1][0] == seen[-1][1] and seen[-1][2] > 300


@pytest.mark.parametrize("kind", ["truncated", "bad-encoding", "duplicate-attr", "attr-space"])
def test_a_broken_export_leaves_the_database_exactly_as_it_was(alice, counts, kind):
    import_apple_health(alice, make_export("--seed", "3", records=50, years=0.05))
    before = everything(counts)
    with pytest.raises(ImportRefused) as info:
        import_apple_health(alice, make_export("--malform", kind, "--malform-at", "0.9"))
    assert "line" in info.value.where
    assert everything(counts) == before


def test_a_truncated_zip_and_a_zip_slip_change_nothing(alice, counts, tmp_path):
    before = everything(counts)
    with pytest.raises(ImportRefused):
        import_apple_health(alice, make_export("--malform", "truncated-zip", suffix=".zip"))
    slip = tmp_path / "slip.zip"
    with zipfile.ZipFile(slip, "w") as zf:
        zf.writestr("apple_health_export/export.xml", make_export().read_bytes())
        zf.writestr("../../evil.gpx", "<gpx/>")
    with pytest.raises(ImportRefused, match="outside"):
        import_apple_health(alice, slip)
    assert everything(counts) == before


def test_control_characters_are_removed_and_reported_without_doubling_anything(alice):
    summary = import_apple_health(alice, make_export("--malform", "control-char"))
    assert summary.added == items_in(make_export()) and summary.skipped == 0
    assert "Removed 1 control character" in summary.notes[0]


def test_a_deleted_session_is_not_brought_back_by_a_later_import(alice):
    path = make_export()
    import_apple_health(alice, path)
    session = models.MovementSession.objects.filter(person=alice, source="apple_health").first()
    session.delete()
    import_apple_health(alice, path)
    assert not models.MovementSession.objects.filter(pk=session.pk).exists()
    assert not models.MovementSession.objects.filter(external_id=session.external_id).exists()


def test_two_people_import_the_same_export_without_touching_each_other(alice, charlie):
    path = make_export()
    a = import_apple_health(alice, path)
    c = import_apple_health(charlie, path)
    assert a.added == c.added
    assert raw_counts(alice)["health_records"] == raw_counts(charlie)["health_records"] == a.added
    charlie_id = charlie.pk
    charlie.delete()
    assert raw_counts(alice)["health_records"] == a.added
    assert not models.HealthRecord.objects.filter(person_id=charlie_id).exists()
    assert not models.HealthSource.objects.filter(person_id=charlie_id).exists()


_SMALL: list[bytes] = []


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_mutated_exports_import_whole_or_not_at_all(alice, counts, data):
    if not _SMALL:
        _SMALL.append(make_export(records=40, years=0.05).read_bytes())
    raw = bytearray(_SMALL[0])
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    else:
        for _ in range(data.draw(st.integers(1, 3))):
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    before = everything(counts)
    with tempfile.NamedTemporaryFile(suffix=".xml", delete=False) as fp:
        fp.write(raw)
    try:
        summary = import_apple_health(alice, fp.name)
    except ImportRefused:
        assert everything(counts) == before
    else:
        stored = models.HealthRecord.objects.filter(person=alice).exclude(kind="C").count()
        assert stored - before["health_records"] == summary.added
    finally:
        Path(fp.name).unlink()


# -- parsing in two processes (SQLite) -------------------------------------------------------


def stored(person) -> dict[str, list]:
    """What an import left for ``person``, without ids or timestamps that differ between runs."""
    src = {s.pk: (s.name, s.version, s.device) for s in models.HealthSource.objects.filter(person=person)}
    types = dict(models.HealthType.objects.values_list("pk", "name"))
    return {
        "records": [(bytes(r.key), r.kind, types[r.type_id], src.get(r.source_id), r.unit, r.creation_date,
                     r.start_date, r.end_date, r.value, r.metadata)
                    for r in models.HealthRecord.objects.filter(person=person).order_by("id")],
        "sources": sorted(src.values()),
        "workouts": sorted((bytes(w.record_key), w.activity_type, w.minutes, w.distance_m, w.energy_kcal,
                            w.route_path, w.route_points, w.route_distance_m, w.session_id is not None)
                           for w in models.HealthWorkout.objects.filter(person=person)),
        "sessions": sorted((s.external_id, s.day, s.started_at, s.activity, s.minutes)
                           for s in models.MovementSession.objects.filter(person=person)),
        "daily": sorted((d.day, d.kind, d.value) for d in models.DailyMeasure.objects.filter(person=person)),
    }


@pytest.fixture
def two_processes(monkeypatch):
    """Per merge of an import given ``parallel=TWO`` (on SQLite), how many part files there were.

    The importing process parses the first part itself, straight into the
    database, so two processes leave one helper's part to copy, which the
    helper writes in ``PART_FILES`` files one after another.
    """
    from django.db import connection

    merged = spy_on_merges(monkeypatch, lambda parts: len(parts.dbs))
    return merged if connection.vendor == "sqlite" else None


def spy_on_merges(monkeypatch, what) -> list:
    """``what(parts)`` for every merge of part files an import makes, in a list that fills as they run."""
    from kindstep.store import health_writer

    seen = []
    real = health_writer.HealthWriter.merge_parts

    def spy(self, parts, attached):
        seen.append(what(parts))
        return real(self, parts, attached)

    monkeypatch.setattr(health_writer.HealthWriter, "merge_parts", spy)
    return seen


@pytest.mark.parametrize("inline", [256, 0], ids=["ids mapped inline", "ids mapped by a table"])
def test_two_processes_store_exactly_what_one_process_stores(alice, two_processes, inline):
    twin = models.Person.objects.create(timezone=alice.timezone, country=alice.country)
    path = make_export(suffix=".zip", records=1500)
    a = import_apple_health(alice, path, parallel=TWO, map_inline=inline)
    c = import_apple_health(twin, path, parallel=ONE)
    if two_processes is not None:
        assert len(two_processes) == 1 and 1 <= two_processes[0] <= PART_FILES
    assert a.as_dict() == c.as_dict() and a.added > 1500
    assert stored(alice) == stored(twin)


@pytest.mark.django_db(transaction=True)  # each import commits, so its files are let go after
def test_files_copied_while_the_helper_still_parses_store_exactly_what_one_process_stores(
        alice, two_processes, monkeypatch):
    # The importing process takes a small first part, so it waits for the helper, and
    # copies the helper's finished files in meanwhile (small chunks and batches make the
    # helper finish files as it goes); the rest are copied after, in order.
    from django.db import connection

    copied = spy_on_merges(monkeypatch, lambda parts: parts.copied)
    twin = models.Person.objects.create(timezone=alice.timezone, country=alice.country)
    path = make_export(suffix=".zip", records=1500)
    a = import_apple_health(alice, path, parallel=Parallel(processes=2, own_lead=-0.4, batch_size=40,
                                                            chunk=4096))
    c = import_apple_health(twin, path, parallel=ONE)
    assert a.as_dict() == c.as_dict() and a.added > 1500
    assert stored(alice) == stored(twin)
    if connection.vendor == "sqlite":
        assert two_processes == [PART_FILES] and 1 <= copied[0] < PART_FILES


@pytest.mark.django_db(transaction=True)
def test_a_helper_writes_fewer_files_when_few_can_be_attached(alice, tmp_path):
    from django.db import connection, transaction

    from kindstep.store import health_import, health_writer

    if connection.vendor != "sqlite":
        pytest.skip("attaching files is how parts are copied on SQLite only")
    health_import._detach_stale()  # files earlier tests' rolled-back imports left attached
    writer = health_writer.HealthWriter(alice)
    assert writer.part_files(2) == PART_FILES
    with transaction.atomic(), connection.cursor() as c:
        for k in range(8):  # attached and read: they stay until the transaction ends
            c.execute(f"ATTACH DATABASE %s AS kindstep_part_t{k}", [str(tmp_path / f"{k}.db")])
            c.execute(f"SELECT count(*) FROM kindstep_part_t{k}.sqlite_master")
        assert writer.part_files(2) == 2 and writer.part_files(3) == 1 and writer.part_files(4) == 1
        health_import._detach_stale()  # inside a transaction: cannot, and does not try
        assert writer.part_files(2) == 2
    assert writer.part_files(2) == 2  # the transaction ended, but they are still attached
    health_import._detach_stale()  # as an import does before its transaction
    assert writer.part_files(2) == PART_FILES
    writer.close()


def test_two_processes_are_idempotent_and_add_exactly_a_newer_exports_new_items(alice, two_processes,
                                                                                 counts, tmp_path):
    base = make_export(records=1500)
    first = import_apple_health(alice, base, parallel=TWO)
    before = everything(counts)
    again = import_apple_health(alice, base, parallel=TWO)
    assert again.added == 0 and again.already_present == first.added
    assert everything(counts) == before
    newer = newer_export(base, 60, tmp_path / "newer.xml")
    summary = import_apple_health(alice, newer, parallel=TWO)
    assert summary.added == items_in(newer) - items_in(base) > 60
    if two_processes is not None:
        # Part files stay attached until the transaction ends, and a test's transaction holds
        # all its imports: later ones write fewer files, within SQLite's ten (part_files).
        assert len(two_processes) == 3 and 1 <= min(two_processes) <= max(two_processes) <= 4


def test_a_bad_record_in_the_second_part_refuses_the_whole_import_and_writes_nothing(
        alice, counts, two_processes):
    import_apple_health(alice, make_export("--seed", "3", records=50, years=0.05), parallel=TWO)
    if two_processes is not None:
        two_processes.clear()  # what that first import merged is not this test's business
    before = everything(counts)
    path = make_export("--malform", "duplicate-attr", "--malform-at", "0.9", records=1500)
    with pytest.raises(ImportRefused) as split:
        import_apple_health(alice, path, parallel=TWO)
    assert everything(counts) == before
    with pytest.raises(ImportRefused) as single:
        import_apple_health(alice, path, parallel=ONE)
    assert str(split.value) == str(single.value) and "line" in split.value.where
    assert everything(counts) == before
    if two_processes is not None:
        # The parts failed, so nothing was merged at the end; files the importing process
        # copied while the helper still parsed were rolled back with everything else.
        assert two_processes == []


def test_a_failure_after_the_merge_rolls_the_merged_rows_back(alice, counts, two_processes, monkeypatch):
    from kindstep.store import health_writer

    before = everything(counts)

    def boom(self):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(health_writer.HealthWriter, "derive_daily", boom)
    with pytest.raises(RuntimeError):
        import_apple_health(alice, make_export(records=1500), parallel=TWO)
    assert everything(counts) == before


def test_control_characters_and_dry_runs_work_the_same_with_two_processes(alice, counts, two_processes):
    before = everything(counts)
    dry = import_apple_health(alice, make_export(records=1500), dry_run=True, parallel=TWO)
    assert dry.added > 1500 and everything(counts) == before
    summary = import_apple_health(alice, make_export("--malform", "control-char"), parallel=TWO)
    assert summary.added == items_in(make_export()) and "Removed 1 control character" in summary.notes[0]


@pytest.mark.django_db(transaction=True)
def test_a_newer_export_in_two_processes_copies_only_what_is_new(tmp_path, monkeypatch):
    """Committed records (as in real use) are looked up by the parts, which leave them out."""
    from django.db import connection

    seen = spy_on_merges(monkeypatch, lambda parts: parts.left_out)
    one, two = (models.Person.objects.create(timezone="Europe/London", country="GB") for _ in range(2))
    base = make_export(records=1500)
    newer = newer_export(base, 60, tmp_path / "newer.xml")
    first = import_apple_health(two, base, parallel=TWO)
    summary = import_apple_health(two, newer, parallel=TWO)
    assert summary.added == items_in(newer) - items_in(base) > 60
    assert summary.already_present == first.added
    again = import_apple_health(two, newer, parallel=TWO)
    assert again.added == 0 and again.already_present == first.added + summary.added
    import_apple_health(one, base, parallel=ONE)
    assert import_apple_health(one, newer, parallel=ONE).as_dict() == summary.as_dict()
    assert stored(one) == stored(two)
    if connection.vendor == "sqlite":
        # The part parsed by a helper process leaves out what is stored (the first part goes
        # straight into the database, where the natural key keeps what is there).
        assert seen[0] == 0 and 0 < seen[1] <= seen[2] < first.added + summary.added


# -- the journal of a first import (SQLite) --------------------------------------------------


@pytest.fixture
def journal_during(monkeypatch):
    """The journal mode each import ran in, read while it was writing (SQLite only)."""
    from django.db import connection

    from kindstep.store import health_writer

    if connection.vendor != "sqlite":
        pytest.skip("the journal mode is a SQLite setting; this run is on " + connection.vendor)
    seen = []
    real = health_writer.HealthWriter.derive_daily

    def spy(self):
        with connection.cursor() as c:
            c.execute("PRAGMA journal_mode")
            seen.append(c.fetchone()[0])
        return real(self)

    monkeypatch.setattr(health_writer.HealthWriter, "derive_daily", spy)
    return seen


def journal_mode() -> str:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("PRAGMA journal_mode")
        return c.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_first_import_writes_with_a_rollback_journal_and_leaves_wal_on(journal_during):
    person = models.Person.objects.create(timezone="Europe/London", country="GB")
    path = make_export(suffix=".zip", records=400)
    first = import_apple_health(person, path)
    assert journal_during == ["delete"] and journal_mode() == "wal"
    assert first.added > 400 and models.HealthRecord.objects.filter(person=person).count() > 400
    again = import_apple_health(person, path)  # a re-import: its helpers may read as it writes
    assert journal_during == ["delete", "wal"] and again.added == 0 and journal_mode() == "wal"


@pytest.mark.django_db(transaction=True)
def test_with_the_file_open_elsewhere_a_first_import_stays_in_wal(journal_during):
    import sqlite3

    from django.db import connection

    person = models.Person.objects.create(timezone="Europe/London", country="GB")
    other = sqlite3.connect(connection.settings_dict["NAME"])  # a running `kindstep serve`, say
    try:
        assert other.execute("SELECT COUNT(*) FROM kindstep_person").fetchone()[0] >= 1
        summary = import_apple_health(person, make_export(suffix=".zip", records=400))
        assert other.execute("SELECT COUNT(*) FROM kindstep_health_record").fetchone()[0] > 400
    finally:
        other.close()
    assert journal_during == ["wal"] and summary.added > 400 and journal_mode() == "wal"


@pytest.mark.django_db(transaction=True)
def test_a_refused_first_import_writes_nothing_and_leaves_wal_on(journal_during, tmp_path):
    person = models.Person.objects.create(timezone="Europe/London", country="GB")
    good = make_export(records=400).read_bytes()
    cut = tmp_path / "export.xml"
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(ImportRefused):
        import_apple_health(person, cut)
    assert journal_mode() == "wal"
    assert not models.HealthRecord.objects.filter(person=person).exists()
    assert not models.MovementSession.objects.filter(person=person).exists()

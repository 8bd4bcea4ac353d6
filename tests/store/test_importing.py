"""import_file: every format into the store, idempotent, all or nothing — on SQLite and PostgreSQL."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest

from kindstep.core.catalogue import load_catalogue
from kindstep.importers.rows import ImportRefused
from kindstep.store import importing, models
from kindstep.store.importing import import_file
from tests.conftest import row_counts
from tests.importers.test_activity_files import TCX_RUN, fit_file, gpx_text, pt
from tests.importers.test_journals import BACKUP, BEARABLE, DAYLIO, write_backup

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def run_at(start: str, end: str, *, type_: str = "running") -> str:
    """A GPX track of three points from ``start`` to ``end`` (ISO, UTC)."""
    return gpx_text("\n".join([pt(51.50, -0.10, start), pt(51.505, -0.10, start),
                               pt(51.51, -0.10, end)]), type_=type_)


GPX_RUN = run_at("2024-05-01T07:00:00Z", "2024-05-01T07:30:00Z")


def tables() -> dict[str, int]:
    """Rows in every table a person owns (by model name): to prove what an import wrote, or
    that it wrote nothing."""
    return row_counts()


def adds_up(summary, items: int) -> bool:
    return summary.added + summary.already_present + summary.skipped == items


def write(tmp_path, name: str, data: str | bytes):
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


# ---------------------------------------------------------------- each format


def test_a_gpx_file_becomes_one_session_with_met_from_the_catalogue(alice, tmp_path):
    summary = import_file(alice, write(tmp_path, "run.gpx", GPX_RUN), now=NOW)
    assert summary.as_dict() == {"format": "gpx", "added": 1, "already_present": 0, "skipped": 0,
                                 "reasons": {}}
    (session,) = models.MovementSession.objects.filter(person=alice)
    assert session.source == "gpx" and session.external_id and session.activity == "jog"
    assert session.met == load_catalogue()["jog"].met and session.minutes == 30
    assert session.day == date(2024, 5, 1) and "From a GPX file" in session.note
    # About 1.1 km between the three points (0.01 degree of latitude is ~1.11 km), in its column.
    assert 1100 < session.distance_m < 1125 and "km" not in session.note


def test_distance_from_a_fit_file_is_kept_and_an_impossible_one_left_out(alice, tmp_path):
    fit = fit_file([(1, 0, datetime(2024, 5, 1, 7, tzinfo=UTC), 1830, 5012),
                    (1, 0, datetime(2024, 5, 2, 7, tzinfo=UTC), 1830, 5_000_000)])
    import_file(alice, write(tmp_path, "a.fit", fit), now=NOW)
    by_day = {s.day: s for s in models.MovementSession.objects.filter(person=alice)}
    assert by_day[date(2024, 5, 1)].distance_m == 5012.0
    # 5,000 km in half an hour is the file's mistake: the session stays, without a distance.
    assert by_day[date(2024, 5, 2)].distance_m is None and by_day[date(2024, 5, 2)].minutes == 30


def test_an_activity_files_day_follows_the_persons_time_zone_and_day_start(alice, tmp_path):
    # 02:00 UTC is 03:00 in London in May: before the 04:00 day start, so it is 30 April.
    path = write(tmp_path, "late.gpx", run_at("2024-05-01T02:00:00Z", "2024-05-01T02:20:00Z"))
    import_file(alice, path, now=NOW)
    assert models.MovementSession.objects.get(person=alice).day == date(2024, 4, 30)


def test_a_tcx_and_a_fit_file_each_import_their_sessions(alice, tmp_path):
    tcx = import_file(alice, write(tmp_path, "a.tcx", TCX_RUN), now=NOW)
    start = datetime(2024, 5, 1, 7, 0, tzinfo=UTC)
    fit = import_file(alice, write(tmp_path, "a.fit", fit_file(
        [(10, 43, start, 1200, 0), (3, 0, start, 60, 10), (11, 0, start, 600, 800)])), now=NOW)
    assert (tcx.format, tcx.added) == ("tcx", 1)
    assert (fit.format, fit.added, fit.skipped) == ("fit", 2, 1) and adds_up(fit, 3)
    assert list(fit.reasons.values()) == [1]
    sources = sorted(models.MovementSession.objects.values_list("source", flat=True))
    assert sources == ["fit", "fit", "tcx"]


def test_a_zip_of_activity_files_imports_each_and_counts_a_damaged_one_as_skipped(alice, tmp_path):
    path = tmp_path / "strava.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("activities/1.gpx", GPX_RUN)
        zf.writestr("activities/2.gpx", run_at("2024-05-02T07:00:00Z", "2024-05-02T07:25:00Z"))
        zf.writestr("activities/3.gpx", GPX_RUN[:150])  # cut short
        zf.writestr("activities/4.tcx", TCX_RUN)
        zf.writestr("activities.csv", "id,name\n1,run\n")
    summary = import_file(alice, path, now=NOW)
    assert summary.format == "activity_files"
    assert (summary.added, summary.skipped) == (3, 1) and adds_up(summary, 4)
    assert models.MovementSession.objects.filter(person=alice).count() == 3


def test_a_daylio_csv_becomes_journal_entries_with_derived_sessions_not_counted_twice(alice, tmp_path):
    summary = import_file(alice, write(tmp_path, "daylio.csv", DAYLIO), now=NOW)
    assert summary.as_dict() == {"format": "daylio_csv", "added": 3, "already_present": 0,
                                 "skipped": 0, "reasons": {}}
    entries = models.JournalEntry.objects.filter(person=alice).order_by("at")
    assert [e.mood for e in entries] == [0, 5, 10]
    assert entries[2].activities == ["friends", "walk", "Yoga"] and entries[2].energy is None
    assert entries[2].day == date(2024, 5, 2) and entries[2].source == "daylio"
    sessions = models.MovementSession.objects.filter(person=alice, source="daylio")
    assert sorted(s.activity for s in sessions) == ["walk", "walk", "yoga_gentle"]
    assert all(s.minutes == load_catalogue()[s.activity].default_minutes for s in sessions)
    assert models.CheckIn.objects.count() == 0  # a journal mood is not forced into a check-in


def test_daylio_times_are_read_in_the_persons_time_zone(alice, tmp_path):
    import_file(alice, write(tmp_path, "daylio.csv", DAYLIO), now=NOW)
    first = models.JournalEntry.objects.get(person=alice, mood=10)
    assert first.at == datetime(2024, 5, 2, 17, 50, tzinfo=UTC)  # 18:50 in London (BST)


def test_a_daylio_backup_imports_its_entries_and_skips_what_it_cannot_read(alice, tmp_path):
    summary = import_file(alice, write_backup(tmp_path / "backup.daylio", BACKUP), now=NOW)
    assert summary.format == "daylio_backup"
    assert (summary.added, summary.skipped) == (1, 2) and adds_up(summary, 3)
    assert sum(summary.reasons.values()) == 2
    assert models.JournalEntry.objects.get(person=alice).activities == ["famille", "exercice"]


def test_a_bearable_csv_becomes_entries_notes_sleep_and_sessions(alice, tmp_path):
    summary = import_file(alice, write(tmp_path, "bearable.csv", BEARABLE), now=NOW)
    assert summary.format == "bearable_csv"
    assert (summary.added, summary.skipped) == (7, 2) and adds_up(summary, 9)
    assert models.JournalEntry.objects.filter(person=alice).count() == 1
    notes = models.JournalNote.objects.filter(person=alice)
    assert sorted(n.kind for n in notes) == ["anxiety", "energy", "factors", "gratitudes", "symptom"]
    assert notes.get(kind="energy").value == 3 and notes.get(kind="anxiety").value == 8
    sleep = models.DailyMeasure.objects.get(person=alice, source="bearable")
    assert (sleep.kind, sleep.day, sleep.value) == ("sleep_hours", date(2020, 9, 22), 9.75)
    sessions = models.MovementSession.objects.filter(person=alice, source="bearable")
    assert sorted(s.activity for s in sessions) == ["walk", "yoga_gentle"]


def test_journal_rows_dated_after_today_are_skipped_and_counted(alice, tmp_path):
    # Daylio and Bearable files are read against the clock: a mood from next week would
    # otherwise be stored beyond the end of History, unseen.
    ahead = datetime.now(UTC).date() + timedelta(days=7)
    reason = f"The date {ahead.isoformat()} is outside 1990 to today."
    csv = DAYLIO + f"{ahead.isoformat()},,,08:00,good,walk,,\n"
    summary = import_file(alice, write(tmp_path, "daylio.csv", csv), now=NOW)
    assert (summary.format, summary.added, summary.skipped) == ("daylio_csv", 3, 1)
    assert summary.reasons == {reason: 1} and adds_up(summary, 4)
    assert not models.JournalEntry.objects.filter(day=ahead).exists()
    assert not models.MovementSession.objects.filter(day=ahead).exists()
    line = f'"{ahead.isoformat()}","","am","Mood","6","Walk",""\n'
    summary = import_file(alice, write(tmp_path, "bearable.csv", BEARABLE + line), now=NOW)
    assert (summary.format, summary.skipped, summary.reasons[reason]) == ("bearable_csv", 3, 1)
    assert not models.JournalEntry.objects.filter(day=ahead).exists()
    assert not models.MovementSession.objects.filter(day=ahead).exists()


def test_journal_csv_files_are_read_against_the_imports_own_now(alice, tmp_path):
    """The same ``now`` as activity files and backups: a day after it is skipped even when
    the clock has long passed it."""
    csv = DAYLIO + "2026-11-26,,,08:00,good,walk,,\n"
    summary = import_file(alice, write(tmp_path, "daylio.csv", csv), now=NOW)
    assert summary.reasons == {"The date 2026-11-26 is outside 1990 to today.": 1}
    line = '"2026-11-26","","am","Mood","6","Walk",""\n'
    summary = import_file(alice, write(tmp_path, "bearable.csv", BEARABLE + line), now=NOW)
    assert summary.reasons["The date 2026-11-26 is outside 1990 to today."] == 1
    assert not models.JournalEntry.objects.filter(day=date(2026, 11, 26)).exists()


def test_a_daylio_backup_entry_after_the_persons_today_is_skipped(alice, tmp_path):
    # The backup is read with import_file's ``now`` and the person's zone.
    late = {**BACKUP["dayEntries"][0], "datetime": None, "year": 2026, "month": 10, "day": 26}
    path = write_backup(tmp_path / "backup.daylio", {**BACKUP, "dayEntries": [
        late, BACKUP["dayEntries"][0]]})
    summary = import_file(alice, path, now=NOW)
    assert (summary.added, summary.skipped) == (1, 1) and adds_up(summary, 2)
    assert summary.reasons == {"The date 2026-11-26 is outside 1990 to today.": 1}
    assert models.JournalEntry.objects.get(person=alice).day == date(2023, 1, 24)


def test_an_apple_health_export_goes_to_its_own_loader(alice):
    from tests.importers.test_apple_health import make_export

    summary = import_file(alice, make_export(), now=NOW)
    assert summary.format == "apple_health" and summary.added > 0
    assert models.HealthRecord.objects.filter(person=alice).count() == summary.added
    again = import_file(alice, make_export(), now=NOW)
    assert again.added == 0 and again.already_present == summary.added


# ---------------------------------------------------------------- idempotent


FILES = {
    "run.gpx": GPX_RUN,
    "a.tcx": TCX_RUN,
    "a.fit": fit_file([(1, 0, datetime(2024, 5, 1, 7, tzinfo=UTC), 1830, 5012)]),
    "daylio.csv": DAYLIO,
    "bearable.csv": BEARABLE,
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_importing_the_same_file_again_adds_nothing(alice, tmp_path, name):
    path = write(tmp_path, name, FILES[name])
    first = import_file(alice, path, now=NOW)
    before = tables()
    again = import_file(alice, path, now=NOW)
    assert again.added == 0 and again.already_present == first.added
    assert again.skipped == first.skipped and again.reasons == first.reasons
    assert tables() == before


def test_a_daylio_backup_and_its_csv_do_not_double_a_diary(alice, tmp_path):
    backup = {**BACKUP, "dayEntries": BACKUP["dayEntries"][:1]}
    import_file(alice, write_backup(tmp_path / "backup.daylio", backup), now=NOW)
    csv = ("full_date,date,weekday,time,mood,activities,note_title,note\n"
           "2023-01-24,24 Jan,Tuesday,09:59,bad,famille | exercice,Title,Body\n")
    summary = import_file(alice, write(tmp_path, "daylio.csv", csv), now=NOW)
    assert (summary.added, summary.already_present) == (0, 1)


def test_a_newer_export_adds_exactly_the_new_items(alice, tmp_path):
    import_file(alice, write(tmp_path, "old.csv", DAYLIO), now=NOW)
    newer = DAYLIO + "2024-05-03,3 May,Friday,07:00,good,walk,,\n2024-05-04,4 May,Saturday,07:00,meh,,,\n"
    before = tables()
    summary = import_file(alice, write(tmp_path, "new.csv", newer), now=NOW)
    assert (summary.added, summary.already_present, summary.skipped) == (2, 3, 0)
    after = tables()
    assert after["JournalEntry"] - before["JournalEntry"] == 2
    assert after["MovementSession"] - before["MovementSession"] == 1


def test_a_key_met_twice_in_one_file_is_stored_once(alice, tmp_path):
    path = tmp_path / "twice"
    path.mkdir()
    (path / "a.gpx").write_text(GPX_RUN)
    (path / "b.gpx").write_text(GPX_RUN)
    summary = import_file(alice, path, now=NOW)
    assert (summary.added, summary.already_present) == (1, 1)
    assert models.MovementSession.objects.count() == 1


def test_one_persons_import_never_counts_another_persons_rows(alice, charlie, tmp_path):
    path = write(tmp_path, "daylio.csv", DAYLIO)
    import_file(alice, path, now=NOW)
    summary = import_file(charlie, path, now=NOW)
    assert summary.added == 3
    assert models.JournalEntry.objects.filter(person=charlie).count() == 3


def test_batches_ask_the_database_once_per_table_not_once_per_row(alice, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lines = "".join(f"2020-01-{d:02d},,,{h:02d}:00,good,walk,,\n" for d in range(1, 29) for h in range(24))
    path = write(tmp_path, "big.csv", "full_date,date,weekday,time,mood,activities,note_title,note\n" + lines)
    with CaptureQueriesContext(connection) as queries:
        summary = import_file(alice, path, now=NOW)
    assert summary.added == 28 * 24
    lookups = [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    # One batch of 1,344 rows: one lookup for journal entries, one for their sessions' keys,
    # one for the days that already hold the activities the estimates name.
    assert len(lookups) <= 3
    assert len(queries.captured_queries) < 40
    # 24 diary entries a day, each naming a walk: one estimated walk a day.
    assert models.MovementSession.objects.filter(person=alice).count() == 28


# ---------------------------------------------------------------- all or nothing, dry runs


def daylio_that_goes_bad(lines: int) -> bytes:
    good = "".join(f"2020-{1 + i // 600 % 12:02d}-{1 + i // 24 % 25:02d},,,{i % 24:02d}:{i // 7200:02d},"
                   f"good,walk,,line {i}\n" for i in range(lines))
    return ("full_date,date,weekday,time,mood,activities,note_title,note\n" + good).encode() + (
        b"2021-01-01,,,08:00,good,\xff\xfe,,\n")


def test_a_file_that_goes_bad_part_way_leaves_the_database_as_it_was(alice, tmp_path, monkeypatch):
    import_file(alice, write(tmp_path, "run.gpx", GPX_RUN), now=NOW)
    before = tables()
    monkeypatch.setattr(importing, "BATCH", 50)
    written_inside = []

    def progress(done, total, items):
        written_inside.append(models.JournalEntry.objects.count())

    with pytest.raises(ImportRefused) as refused:
        import_file(alice, write(tmp_path, "bad.csv", daylio_that_goes_bad(3000)),
                    progress=progress, now=NOW)
    assert refused.value.where.startswith("line ")
    assert max(written_inside) >= 1000  # batches had been written before the bad line ...
    assert tables() == before  # ... and all of them were rolled back


def test_a_refused_single_file_writes_nothing(alice, tmp_path):
    before = tables()
    with pytest.raises(ImportRefused):
        import_file(alice, write(tmp_path, "cut.gpx", GPX_RUN[:200]), now=NOW)
    assert tables() == before


def test_a_dry_run_counts_everything_and_writes_nothing(alice, tmp_path):
    path = write(tmp_path, "daylio.csv", DAYLIO)
    dry = import_file(alice, path, dry_run=True, now=NOW)
    assert (dry.added, dry.dry_run) == (3, True) and tables()["JournalEntry"] == 0
    assert dry.as_dict()["dry_run"] is True
    import_file(alice, path, now=NOW)
    before = tables()
    newer = write(tmp_path, "newer.csv", DAYLIO + "2024-05-03,3 May,Friday,07:00,good,,,\n")
    again = import_file(alice, newer, dry_run=True, now=NOW)
    assert (again.added, again.already_present) == (1, 3) and tables() == before


def test_missing_files_and_unknown_formats_are_refused_kindly(alice, tmp_path):
    with pytest.raises(ImportRefused) as missing:
        import_file(alice, tmp_path / "nowhere.gpx", now=NOW)
    assert "cannot find" in missing.value.message
    with pytest.raises(ImportRefused) as unknown:
        import_file(alice, write(tmp_path, "run.gpx", GPX_RUN), format="runkeeper", now=NOW)
    assert "gpx" in unknown.value.message
    with pytest.raises(ImportRefused):
        import_file(alice, write(tmp_path, "notes.txt", "just some words\n"), now=NOW)
    assert tables()["MovementSession"] == 0


def test_progress_reports_bytes_and_items_up_to_the_whole_file(alice, tmp_path):
    path = write(tmp_path, "daylio.csv", DAYLIO)
    calls = []
    import_file(alice, path, now=NOW,
                progress=lambda done, total, items: calls.append((done, total, items)))
    assert calls[-1] == (path.stat().st_size, path.stat().st_size, 3)


def test_a_removed_journal_mood_stays_removed_when_the_file_comes_in_again(alice, tmp_path):
    from kindstep.store import actions, queries

    path = write(tmp_path, "daylio.csv", DAYLIO)
    first = import_file(alice, path, now=NOW)
    entries = [e for e in queries.imported_entries(alice) if e["kind"] == "journal"]
    gone = entries[0]
    actions.delete_entry(alice, f"j{gone['pk']}", now=NOW)
    again = import_file(alice, path, now=NOW)
    assert again.added == 0 and again.already_present == first.added
    left = [e["pk"] for e in queries.imported_entries(alice) if e["kind"] == "journal"]
    assert gone["pk"] not in left and len(left) == len(entries) - 1
    # Insights read only what is shown; undo puts it back in both.
    assert models.JournalEntry.objects.filter(pk=gone["pk"], removed_at__isnull=False).exists()
    actions.restore_entry(alice, f"j{gone['pk']}", now=NOW)
    assert gone["pk"] in [e["pk"] for e in queries.imported_entries(alice)]


def test_an_imported_mood_cannot_be_edited_and_charlies_cannot_be_removed(alice, charlie, tmp_path):
    from kindstep.core.checks import InvalidInput
    from kindstep.store import actions

    import_file(charlie, write(tmp_path, "daylio.csv", DAYLIO), now=NOW)
    theirs = models.JournalEntry.objects.filter(person=charlie).first()
    mood = theirs.mood
    with pytest.raises(InvalidInput, match="no entry"):
        actions.delete_entry(alice, f"j{theirs.pk}", now=NOW)
    with pytest.raises(InvalidInput, match="can be removed"):
        actions.edit_entry(charlie, f"j{theirs.pk}", now=NOW, mood=(mood + 1) % 11)
    theirs.refresh_from_db()
    assert theirs.removed_at is None and theirs.mood == mood


def test_a_session_removed_after_import_stays_removed_until_undone(alice, tmp_path):
    from kindstep.store import actions, queries

    path = write(tmp_path, "run.gpx", GPX_RUN)
    import_file(alice, path, now=NOW)
    (session,) = models.MovementSession.objects.filter(person=alice)
    actions.delete_entry(alice, f"s{session.pk}", now=NOW)
    again = import_file(alice, path, now=NOW)
    assert (again.added, again.already_present) == (0, 1)
    assert queries.history(alice).sessions == ()
    # Undo brings it back and forgets the mark; the file then finds it present.
    actions.restore_entry(alice, f"s{session.pk}", now=NOW)
    assert not models.RemovedImport.objects.filter(person=alice).exists()
    back = models.MovementSession.objects.get(person=alice)
    assert (back.distance_m, back.energy_kcal) == (session.distance_m, session.energy_kcal)
    assert back.distance_m > 1000
    assert import_file(alice, path, now=NOW).already_present == 1
    assert models.MovementSession.objects.filter(person=alice).count() == 1


def test_a_session_logged_in_kindstep_leaves_no_mark_when_removed(alice):
    from kindstep.store import actions

    row = actions.log_session(alice, activity="walk", duration="20", now=NOW)
    actions.delete_entry(alice, f"s{row.pk}", now=NOW)
    assert not models.RemovedImport.objects.exists()


def test_a_session_from_a_file_stays_out_after_its_removal_is_purged(alice, tmp_path):
    # Past the hour the session itself is deleted for good; its mark remembers the removal.
    from datetime import timedelta

    from kindstep.store import actions

    path = write(tmp_path, "run.gpx", GPX_RUN)
    import_file(alice, path, now=NOW)
    (session,) = models.MovementSession.objects.filter(person=alice)
    actions.delete_entry(alice, f"s{session.pk}", now=NOW)
    assert actions.purge_removed(now=NOW + timedelta(hours=1, seconds=1)) == 1
    assert not models.MovementSession.objects.filter(person=alice).exists()
    assert models.RemovedImport.objects.filter(person=alice).count() == 1
    again = import_file(alice, path, now=NOW)
    assert (again.added, again.already_present) == (0, 1)
    assert not models.MovementSession.objects.filter(person=alice).exists()


def test_a_journal_estimate_gives_way_to_a_walk_already_in_the_record(alice, tmp_path):
    # 1 May: a tracked walk from a GPX file, then Daylio's "walk" label for that day.
    import_file(alice, write(tmp_path, "walk.gpx",
                             run_at("2024-05-01T09:00:00Z", "2024-05-01T09:40:00Z",
                                    type_="walking")), now=NOW)
    tracked = models.MovementSession.objects.get(person=alice)
    assert (tracked.day, tracked.activity) == (date(2024, 5, 1), "walk")
    # 2 May: walked and logged it in kindstep, 35 minutes.
    models.MovementSession.objects.create(person=alice, day=date(2024, 5, 2), activity="walk",
                                          minutes=35, met=3.5)
    summary = import_file(alice, write(tmp_path, "daylio.csv", DAYLIO), now=NOW)
    assert summary.as_dict()["added"] == 3  # the three diary entries, as before
    sessions = models.MovementSession.objects.filter(person=alice).order_by("day", "activity")
    # Each day's walk once, as recorded; the diary's yoga (nothing else that day) is kept.
    assert [(s.day, s.activity, s.source) for s in sessions] == [
        (date(2024, 5, 1), "walk", "gpx"),
        (date(2024, 5, 2), "walk", "kindstep"),
        (date(2024, 5, 2), "yoga_gentle", "daylio"),
    ]
    assert models.JournalEntry.objects.get(person=alice, mood=10).activities == [
        "friends", "walk", "Yoga"]  # the entry keeps every label
    again = import_file(alice, write(tmp_path, "daylio.csv", DAYLIO), now=NOW)
    assert (again.added, again.already_present) == (0, 3)
    assert models.MovementSession.objects.filter(person=alice).count() == 3


def test_two_diary_entries_naming_the_same_walk_on_one_day_make_one_estimate(alice, tmp_path):
    two = DAYLIO.replace("2024-05-02,2 May,Thursday,08:05,meh,,,",
                         "2024-05-02,2 May,Thursday,08:05,meh,walk,,")
    import_file(alice, write(tmp_path, "daylio.csv", two), now=NOW)
    walks = models.MovementSession.objects.filter(person=alice, activity="walk")
    assert sorted(str(w.day) for w in walks) == ["2024-05-01", "2024-05-02"]

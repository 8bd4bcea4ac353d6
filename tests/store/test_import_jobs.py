"""Background imports (store/import_jobs.py): the upload kept, run once, all or nothing —
on SQLite, and on PostgreSQL with KINDSTEP_DATABASE_URL."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kindstep.store import import_jobs, models
from kindstep.store.export_erase import erase_all
from kindstep.store.health_writer import HealthWriter
from tests.conftest import row_counts
from tests.importers.test_apple_health import make_export
from tests.store.test_importing import GPX_RUN
from tests.words import unkind

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
State = models.ImportJob.State


def clock() -> datetime:
    return NOW


def record() -> dict[str, int]:
    """Rows of the person's record: every table they own but the jobs' own bookkeeping."""
    return {k: v for k, v in row_counts().items() if k not in {"ImportJob", "UploadChunk"}}


@pytest.fixture
def in_database(settings):
    settings.UPLOAD_DIR = None  # server mode's default


@pytest.fixture
def in_folder(settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


def pieces(data: bytes, size: int = 7) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]


def test_an_upload_kept_in_the_database_is_split_into_chunks_and_read_back_whole(
        in_database, alice, monkeypatch):
    monkeypatch.setattr(import_jobs, "CHUNK", 100)  # small pieces, so a GPX file makes several
    data = GPX_RUN.encode()
    job = import_jobs.start_import(alice, pieces(data), filename="run.gpx", dry_run=False, now=NOW)
    chunks = list(models.UploadChunk.objects.filter(job=job).order_by("seq"))
    assert len(chunks) == -(-len(data) // 100) and all(len(c.data) == 100 for c in chunks[:-1])
    assert b"".join(bytes(c.data) for c in chunks) == data
    assert (job.state, job.upload_path, job.upload_bytes) == (State.QUEUED, "", len(data))

    assert import_jobs.run_job(job.pk, clock=clock) == State.DONE
    job.refresh_from_db()
    assert job.state == State.DONE and job.summary["added"] == 1 and job.summary["format"] == "gpx"
    assert models.MovementSession.objects.get(person=alice).source == "gpx"
    assert not models.UploadChunk.objects.exists()  # let go of once imported


def test_an_upload_kept_in_a_folder_is_private_and_removed_once_imported(in_folder, alice):
    job = import_jobs.start_import(alice, pieces(GPX_RUN.encode()), filename="My run.gpx",
                                   dry_run=False, now=NOW)
    kept = Path(job.upload_path)
    assert kept.parent == in_folder and kept.suffix == ".gpx" and "My run" not in kept.name
    assert kept.read_bytes() == GPX_RUN.encode() and kept.stat().st_mode & 0o777 == 0o600
    assert not models.UploadChunk.objects.exists()

    assert import_jobs.run_job(job.pk, clock=clock) == State.DONE
    assert not kept.exists() and models.ImportJob.objects.get().upload_path == ""


def test_a_job_delivered_twice_imports_once(in_database, alice):
    job = import_jobs.start_import(alice, [GPX_RUN.encode()], filename="run.gpx", dry_run=False,
                                   now=NOW)
    assert import_jobs.run_job(job.pk, clock=clock) == State.DONE
    after = record()
    assert import_jobs.run_job(job.pk, clock=clock) == ""
    assert record() == after and models.MovementSession.objects.count() == 1


def test_a_job_that_no_longer_exists_is_left_alone(alice):
    assert import_jobs.run_job(987654, clock=clock) == ""


def test_a_dry_run_job_counts_and_writes_nothing(in_database, alice):
    before = record()
    job = import_jobs.start_import(alice, [GPX_RUN.encode()], filename="run.gpx", dry_run=True,
                                   now=NOW)
    assert import_jobs.run_job(job.pk, clock=clock) == State.DONE
    job.refresh_from_db()
    assert job.summary["dry_run"] is True and job.summary["added"] == 1
    assert record() == before


@pytest.mark.parametrize("where", ["in_database", "in_folder"])
def test_an_export_cut_short_part_way_leaves_nothing_and_says_so_kindly(where, request, alice):
    request.getfixturevalue(where)
    xml = make_export(records=30000, years=1).read_bytes()
    cut = xml[: len(xml) * 3 // 4]  # past the first 10,000-row batch written in the transaction
    before = record()
    job = import_jobs.start_import(alice, pieces(cut, 4096), filename="export.xml",
                                   dry_run=False, now=NOW)
    assert import_jobs.run_job(job.pk, clock=clock) == State.REFUSED
    job.refresh_from_db()
    assert record() == before
    assert job.message.endswith("Nothing was changed.") and not unkind(job.message)
    assert "/tmp" not in job.message and "kindstep-import" not in job.message
    assert not models.UploadChunk.objects.exists() and job.upload_path == ""
    if where == "in_folder":
        assert os.listdir(request.getfixturevalue("in_folder")) == []


def test_anything_else_that_stops_an_import_part_way_leaves_nothing_and_names_no_data(
        in_database, alice, monkeypatch, caplog):
    def trouble(self):  # after every record of the file is written, inside the transaction
        raise ValueError("weight 72.4 kg on 2024-05-01")

    monkeypatch.setattr(HealthWriter, "derive_daily", trouble)
    before = record()
    job = import_jobs.start_import(alice, [make_export(records=300).read_bytes()],
                                   filename="export.xml", dry_run=False, now=NOW)
    with pytest.raises(import_jobs.ImportStopped) as stopped:
        import_jobs.run_job(job.pk, clock=clock)
    assert "72.4" not in str(stopped.value) and "ValueError" in str(stopped.value)
    assert stopped.value.__cause__ is None and stopped.value.__suppress_context__
    job.refresh_from_db()
    assert record() == before
    assert (job.state, job.message) == (State.STOPPED, import_jobs.STOPPED_MESSAGE)
    assert not unkind(job.message) and not models.UploadChunk.objects.exists()


def test_keeping_an_upload_that_stops_part_way_keeps_nothing(in_folder, alice):
    def stream():
        yield b"<gpx>"
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        import_jobs.start_import(alice, stream(), filename="run.gpx", dry_run=False, now=NOW)
    assert not models.ImportJob.objects.exists() and list(in_folder.iterdir()) == []


def test_only_the_owner_finds_their_job(in_database, alice, charlie):
    job = import_jobs.start_import(alice, [b"x"], filename="a.gpx", dry_run=False, now=NOW)
    assert import_jobs.job_for(alice, job.pk) == job
    assert import_jobs.job_for(charlie, job.pk) is None


def test_finished_jobs_are_let_go_of_after_a_day_and_waiting_ones_are_kept(in_database, alice):
    def job(state, age):
        return models.ImportJob.objects.create(person=alice, state=state, created_at=NOW - age,
                                               updated_at=NOW - age)

    old_done, old_refused = job(State.DONE, timedelta(days=2)), job(State.REFUSED, timedelta(days=2))
    new_done, old_queued = job(State.DONE, timedelta(hours=2)), job(State.QUEUED, timedelta(days=3))
    old_running = job(State.RUNNING, timedelta(days=3))
    assert import_jobs.prune_finished(NOW) == 2
    assert set(models.ImportJob.objects.values_list("pk", flat=True)) == {
        new_done.pk, old_queued.pk, old_running.pk}
    assert not {old_done.pk, old_refused.pk} & set(models.ImportJob.objects.values_list("pk", flat=True))


def test_erasing_a_person_takes_their_jobs_and_waiting_uploads(in_database, alice, charlie):
    import_jobs.start_import(alice, [b"abc"], filename="a.gpx", dry_run=False, now=NOW)
    theirs = import_jobs.start_import(charlie, [b"def"], filename="c.gpx", dry_run=False, now=NOW)
    erased = erase_all(alice)
    assert erased["import_jobs"] == 1 and erased["import_uploads"] == 1
    assert list(models.ImportJob.objects.all()) == [theirs]
    assert models.UploadChunk.objects.get().job == theirs


def test_periodic_functions_run_with_now_and_one_in_trouble_stops_no_other(caplog):
    from kindstep.work import periodic

    seen = []
    periodic.load()
    periodic.every_minute("test_seen")(lambda now: seen.append(now))

    @periodic.every_minute("test_trouble")
    def trouble(now):
        raise RuntimeError("mood 2 note: private words")

    try:
        with caplog.at_level(logging.ERROR, logger="kindstep.work"):
            done = periodic.run_all(NOW)
    finally:
        del periodic.REGISTRY["test_seen"], periodic.REGISTRY["test_trouble"]
    assert seen == [NOW]
    assert done["test_seen"] and not done["test_trouble"] and done["prune_import_jobs"]
    assert done["send_reminders"]
    assert caplog.messages == ["Periodic job test_trouble stopped with RuntimeError."]
    assert "private" not in caplog.text


def test_a_periodic_name_is_used_once():
    from kindstep.work import periodic

    periodic.load()
    with pytest.raises(ValueError, match="already called 'prune_import_jobs'"):
        periodic.every_minute("prune_import_jobs")(lambda now: None)


def test_an_import_silent_for_half_an_hour_on_postgresql_is_marked_stopped(in_database, alice):
    from django.db import connection

    def running(age):
        job = import_jobs.start_import(alice, [b"<gpx/>"], filename="a.gpx", dry_run=False,
                                       now=NOW - age)
        models.ImportJob.objects.filter(pk=job.pk).update(state=State.RUNNING)
        return job

    silent, busy = running(timedelta(minutes=31)), running(timedelta(minutes=5))
    released = import_jobs.release_stalled(NOW)
    states = dict(models.ImportJob.objects.values_list("pk", "state"))
    if connection.vendor == "postgresql":  # its worker writes progress every few seconds
        assert released == 1 and states == {silent.pk: State.STOPPED, busy.pk: State.RUNNING}
        assert models.ImportJob.objects.get(pk=silent.pk).message == import_jobs.STOPPED_MESSAGE
        assert list(models.UploadChunk.objects.values_list("job", flat=True)) == [busy.pk]
    else:  # SQLite: no progress to go by while an import holds the lock
        assert released == 0 and set(states.values()) == {State.RUNNING}

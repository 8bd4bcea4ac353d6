"""Imports that run in the background: the upload kept until a worker reads it, the progress
the Import page shows, and the outcome; all or nothing, exactly once.

- :func:`start_import` keeps the upload and records a queued :class:`ImportJob` (one
  transaction). Where the upload waits follows ``settings.UPLOAD_DIR``: a folder (the
  default beside a SQLite database, or a volume every app server and worker shares), or,
  when it is None (the default on PostgreSQL), the database itself, in pieces of :data:`CHUNK` bytes
  (``UploadChunk``), so an app server keeps no file and any worker can read it.
- :func:`run_job` is what the background task calls with the job's id (and nothing else,
  so no word of the person's reaches the task queue or a log line). It claims the job with
  one conditional UPDATE, so a task delivered twice imports once; runs the ordinary
  import (:func:`kindstep.store.importing.import_file`, one transaction for the whole
  file); and then, in one more transaction, records the outcome and lets go of the upload.
  A refused file, or anything else that stops the import part-way, rolls the import's
  transaction back: nothing of the file is written, and the job says so kindly.
- Progress: on PostgreSQL the figures (bytes read, items) are written from a second
  connection in autocommit, so the page sees them while the import's own transaction is
  still open. On SQLite the import holds the only write lock until it commits, so the page
  shows the job as under way, without figures, until it is done.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction

from kindstep.importers.rows import ImportRefused
from kindstep.store import models

ImportJob = models.ImportJob
State = models.ImportJob.State

CHUNK = 4 * 1024 * 1024
"""Bytes in one ``UploadChunk`` row: small enough to write and read one at a time, large
enough that a 2 GB export is a few hundred rows."""

PROGRESS_EVERY = 0.5
"""Seconds between two progress writes at most: the page asks every two seconds."""

STALLED_AFTER = timedelta(minutes=30)
"""A running import on PostgreSQL writes its progress every few seconds while it reads; one
silent this long has lost its worker (the last steps after reading take minutes at most)."""

KEEP_FINISHED = timedelta(days=1)
"""How long a finished job (its counts and file name) stays for the page to show."""

STOPPED_MESSAGE = ("This import stopped before it finished, for a reason on kindstep's side, "
                   "not your file's. Nothing was changed; trying again in a little while may help.")


class ImportStopped(RuntimeError):
    """Raised by :func:`run_job` after anything but a refusal stopped an import: it names only
    the job and the kind of error, never a value from the file, so the task's record and the
    worker's log stay free of a person's data."""


def _suffix(filename: str) -> str:
    """The file name's extension, letters and digits only (kept for the file's own sake)."""
    return "".join(c for c in Path(filename or "").suffix if c.isalnum() or c == ".")[:12]


def start_import(person: models.Person, pieces: Iterable[bytes], *, filename: str,
                 dry_run: bool, now: datetime) -> ImportJob:
    """Keep the uploaded file (given as ``pieces`` of bytes) and record a queued job for it.

    All or nothing: when keeping the file stops part-way (a full disk), no job is recorded
    and no piece of the file stays behind.
    """
    kept: Path | None = None
    try:
        size = 0
        if settings.UPLOAD_DIR is not None:
            # Copied before the transaction opens: on SQLite a transaction holds the only
            # write lock, which nobody should wait on while a large file is copied.
            kept = _new_upload_path(_suffix(filename))
            size = _keep_in_folder(kept, pieces)
        with transaction.atomic():
            job = ImportJob.objects.create(person=person, created_at=now, updated_at=now,
                                           filename=(filename or "")[:255], dry_run=dry_run,
                                           upload_path=str(kept or ""), upload_bytes=size)
            if kept is None:
                job.upload_bytes = _keep_in_database(job, pieces)
                job.save(update_fields=["upload_bytes"])
    except BaseException:
        if kept is not None:
            with contextlib.suppress(OSError):
                kept.unlink()
        raise
    return job


def _keep_in_database(job: ImportJob, pieces: Iterable[bytes]) -> int:
    size, seq, buffer = 0, 0, bytearray()
    for piece in pieces:
        buffer += piece
        size += len(piece)
        while len(buffer) >= CHUNK:
            models.UploadChunk.objects.create(job=job, seq=seq, data=bytes(buffer[:CHUNK]))
            del buffer[:CHUNK]
            seq += 1
    if buffer or seq == 0:
        models.UploadChunk.objects.create(job=job, seq=seq, data=bytes(buffer))
    return size


def _new_upload_path(suffix: str) -> Path:
    folder = Path(settings.UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / f"{uuid.uuid4().hex}{suffix}"


def _keep_in_folder(path: Path, pieces: Iterable[bytes]) -> int:
    size = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        for piece in pieces:
            out.write(piece)
            size += len(piece)
    return size


def job_for(person: models.Person, pk: int) -> ImportJob | None:
    """The person's own job ``pk``, or None (also for someone else's: the page answers 404)."""
    return ImportJob.objects.filter(pk=pk, person=person).first()


# ------------------------------------------------------------------ running


def run_job(job_id: int, *, clock: Callable[[], datetime]) -> str:
    """Import job ``job_id``'s upload; returns the job's final state ("" when it was not queued).

    ``clock()`` is the caller's clock (an aware datetime): read when the import starts
    (files may hold no date after it) and when it ends. Raises :class:`ImportStopped`
    (after recording the kind message and letting go of the upload) when something other
    than the file itself stopped the import.
    """
    now = clock()
    claimed = ImportJob.objects.filter(pk=job_id, state=State.QUEUED).update(
        state=State.RUNNING, updated_at=now)
    if not claimed:  # already run (a task delivered twice), or erased with its person meanwhile
        return ""
    job = ImportJob.objects.select_related("person").get(pk=job_id)
    from kindstep.store.importing import import_file

    try:
        with _upload_on_disk(job) as path, _Progress(job.pk, clock) as progress:
            summary = import_file(job.person, path, dry_run=job.dry_run, progress=progress,
                                  now=now)
    except ImportRefused as refused:
        where = job.filename if os.path.isabs(refused.where or "") else refused.where
        _finish(job, State.REFUSED, clock(), message=" ".join(
            f"{refused.message}{f' ({where})' if where else ''} Nothing was changed.".split()))
        return State.REFUSED
    except Exception as error:
        _finish(job, State.STOPPED, clock(), message=STOPPED_MESSAGE)
        raise ImportStopped(f"Import job {job_id} stopped ({type(error).__name__}); nothing of "
                            "its file was written.") from None
    _finish(job, State.DONE, clock(), summary=summary.as_dict())
    return State.DONE


def _finish(job: ImportJob, state: str, at: datetime, *, message: str = "",
            summary: dict | None = None) -> None:
    """Record the outcome and let go of the upload, in one transaction."""
    with transaction.atomic():
        models.UploadChunk.objects.filter(job=job).delete()
        ImportJob.objects.filter(pk=job.pk).update(
            state=state, message=message, summary=summary or {}, upload_path="",
            updated_at=at)
    if job.upload_path:
        with contextlib.suppress(OSError):
            os.unlink(job.upload_path)


@contextlib.contextmanager
def _upload_on_disk(job: ImportJob) -> Iterator[Path]:
    """The upload as a file the importers can open (they seek in zips): its own file when it
    waits in a folder, or a private temporary copy of its pieces from the database."""
    if job.upload_path:
        path = Path(job.upload_path)
        if not path.is_file():
            raise ImportRefused("kindstep cannot find the uploaded file any more. Uploading "
                                "it again may help.")
        yield path
        return
    folder = tempfile.mkdtemp(prefix="kindstep-import-")
    try:
        path = Path(folder) / f"upload{_suffix(job.filename)}"
        # One piece in memory at a time. Inside a transaction, the iterator's server-side
        # cursor ends with it, as a pooler in transaction mode (PgBouncer) needs.
        with open(path, "wb") as out, transaction.atomic():
            pieces = models.UploadChunk.objects.filter(job=job).order_by("seq")
            for data in pieces.values_list("data", flat=True).iterator(chunk_size=1):
                out.write(data)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class _Progress:
    """``progress(bytes_read, total_bytes, items)`` for the importers, written where the page
    can see it at once: PostgreSQL only, from a connection of its own (see the module)."""

    def __init__(self, job_id: int, clock: Callable[[], datetime]):
        self.job_id = job_id
        self.clock = clock
        self.conn = None
        self._last = 0.0

    def __enter__(self) -> _Progress:
        if connection.vendor == "postgresql":
            self.conn = connections.create_connection("default")
        return self

    def __call__(self, done: int, total: int, items: int) -> None:
        if self.conn is None or time.monotonic() - self._last < PROGRESS_EVERY:
            return
        self._last = time.monotonic()
        with self.conn.cursor() as cursor:
            cursor.execute(f"UPDATE {ImportJob._meta.db_table} SET bytes_read = %s, "
                           "total_bytes = %s, items = %s, updated_at = %s WHERE id = %s",
                           [done, total, items, self.clock(), self.job_id])

    def __exit__(self, *exc) -> None:
        if self.conn is not None:
            self.conn.close()


def forget(job: ImportJob) -> None:
    """Let go of a finished job whose outcome its owner has just been shown (local mode,
    where the import ran at once), so an import keeps nothing but what it imported."""
    ImportJob.objects.filter(pk=job.pk, state__in=[State.DONE, State.REFUSED,
                                                   State.STOPPED]).delete()


def release_stalled(now: datetime) -> int:
    """Mark stopped the imports that have said nothing for :data:`STALLED_AFTER` (their worker
    was killed: PostgreSQL rolled their transaction back), and let go of their uploads; how
    many. PostgreSQL only: on SQLite a running import writes no progress to go by."""
    if connection.vendor != "postgresql":
        return 0
    released = 0
    silent = {"state": State.RUNNING, "updated_at__lt": now - STALLED_AFTER}
    for job in ImportJob.objects.filter(**silent):
        with transaction.atomic():  # unless its worker has just finished after all
            if not ImportJob.objects.filter(pk=job.pk, **silent).update(
                    state=State.STOPPED, message=STOPPED_MESSAGE, upload_path="", updated_at=now):
                continue
            models.UploadChunk.objects.filter(job=job).delete()
        if job.upload_path:
            with contextlib.suppress(OSError):
                os.unlink(job.upload_path)
        released += 1
    return released


def prune_finished(now: datetime) -> int:
    """Let go of jobs finished more than :data:`KEEP_FINISHED` ago; how many went."""
    finished = [State.DONE, State.REFUSED, State.STOPPED]
    deleted, _ = ImportJob.objects.filter(state__in=finished,
                                          updated_at__lt=now - KEEP_FINISHED).delete()
    return deleted


__all__ = ["CHUNK", "ImportJob", "ImportStopped", "forget", "job_for", "prune_finished",
           "release_stalled", "run_job", "start_import"]

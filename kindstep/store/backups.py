"""Copies of the local database file, and putting one back (``kindstep backup``, ``kindstep restore``).

- :func:`make_backup` copies the live SQLite file with SQLite's online backup
  API, which reads one consistent snapshot even while `kindstep serve` or
  another command writes (WAL lets them carry on). The copy is written under a
  temporary name, checked (``PRAGMA integrity_check``), and only then given its
  name; in the default folder only the newest :data:`KEEP` are kept.
- :func:`restore_backup` checks a backup before anything is replaced: it must
  be a SQLite file, pass ``integrity_check``, hold kindstep's tables and record
  only migrations this kindstep knows (one from a newer kindstep is refused;
  an older one is brought up to date on next start, as any local database
  is). The live file is then copied aside (:data:`REPLACED_FOLDER`), and the
  backup is written over the live database by the backup API in one write
  transaction, so a kill at any moment leaves the live file either as it was
  or wholly the backup: SQLite's own journal guarantees it.
- A locked store (``kindstep lock``) is copied and restored with its key:
  a backup of a locked store is locked with the same passphrase.

These work on files, not on a person's rows, so they take paths, not a person.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from kindstep.core.checks import InvalidInput

__all__ = ["KEEP", "BACKUP_FOLDER", "REPLACED_FOLDER", "BackupRefused", "make_backup",
           "restore_backup", "check_backup", "backups_in"]

KEEP = 7
"""How many backups the default folder keeps: a week of daily ones. Older ones are removed
as a new one is made; backups written anywhere else are never removed."""

BACKUP_FOLDER = "backups"
"""Inside the data folder: where ``kindstep backup`` writes when no path is given."""

REPLACED_FOLDER = "replaced"
"""Inside the data folder: where ``kindstep restore`` keeps the file it replaced, until the
person removes it."""

_NAME = re.compile(r"^kindstep-backup-(\d{8}-\d{6})(?:-(\d+))?\.sqlite3$")
_HEADER = b"SQLite format 3\x00"


class BackupRefused(InvalidInput):
    """A backup cannot be made or used; the message is one kind line saying why (an
    InvalidInput, so the CLI refuses it like any value: exit 2)."""

    def __init__(self, message: str):
        super().__init__("backup", message)


# ---------------------------------------------------------------- connections


def connect(path: Path | str, key: bytes | None = None):
    """A connection to the SQLite file at ``path``; ``key`` opens a locked (SQLCipher) one."""
    if key is None:
        return sqlite3.connect(str(path), timeout=20, isolation_level=None)
    from kindstep.store import lock

    return lock.connect(path, key)


@contextlib.contextmanager
def _open(path: Path | str, key: bytes | None = None) -> Iterator:
    conn = connect(path, key)
    try:
        yield conn
    finally:
        conn.close()


def _integrity(conn) -> bool:
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError:
        return False
    except Exception as error:  # SQLCipher's own DatabaseError class
        if type(error).__name__ in ("DatabaseError", "OperationalError"):
            return False
        raise
    return rows == [("ok",)]


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
    with contextlib.suppress(OSError):  # the folder's entry too, where the system allows it
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---------------------------------------------------------------- making a backup


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S")


def default_target(data_dir: Path, now: datetime) -> Path:
    """``DATA/backups/kindstep-backup-YYYYMMDD-HHMMSS.sqlite3`` (a number added if taken)."""
    folder = data_dir / BACKUP_FOLDER
    target = folder / f"kindstep-backup-{_stamp(now)}.sqlite3"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"kindstep-backup-{_stamp(now)}-{n}.sqlite3"
    return target


def backups_in(folder: Path) -> list[Path]:
    """The backups kindstep made in ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    found = [(m, p) for p in folder.iterdir() if (m := _NAME.match(p.name)) and p.is_file()]
    return [p for m, p in sorted(found, key=lambda mp: (mp[0].group(1), int(mp[0].group(2) or 1)))]


def make_backup(live: Path, target: Path, *, key: bytes | None = None,
                prune: Path | None = None, keep: int = KEEP) -> tuple[Path, list[Path]]:
    """Copy the live database at ``live`` to ``target``; (the copy, the old backups removed).

    ``prune`` names the default folder, whose oldest backups beyond ``keep`` are
    removed once the new one is safely in place.
    """
    if not live.is_file():
        raise BackupRefused("There is nothing to back up yet: kindstep has not kept anything "
                            "in this data folder.")
    if target.exists():
        raise BackupRefused(f"There is already a file at {target}. Choose another name. "
                            "Nothing was written.")
    if not target.parent.is_dir():
        raise BackupRefused(f"There is no folder {target.parent} to write into. "
                            "Nothing was written.")
    if prune is not None:  # copies a stopped backup left behind
        for stale in prune.glob(".kindstep-backup-*.part*"):
            stale.unlink(missing_ok=True)
    fd, name = tempfile.mkstemp(prefix=".kindstep-backup-", suffix=".part", dir=target.parent)
    os.close(fd)
    part = Path(name)
    try:
        with _open(live, key) as source, _open(part, key) as copy:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            if not _integrity(copy):
                raise BackupRefused("The copy did not pass SQLite's integrity check, so it was not "
                                    "kept. `kindstep restore` from an earlier backup may help.")
        _fsync(part)
        os.replace(part, target)
    finally:
        for leftover in (part, Path(f"{part}-journal")):
            leftover.unlink(missing_ok=True)
    removed: list[Path] = []
    if prune is not None:
        held = backups_in(prune)
        for old in held[: max(0, len(held) - keep)]:
            old.unlink(missing_ok=True)
            removed.append(old)
    return target, removed


# ---------------------------------------------------------------- putting one back


def known_migrations() -> set[tuple[str, str]]:
    """Every migration this kindstep (and the Django it runs on) knows, from its files."""
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def check_backup(conn, known: set[tuple[str, str]]) -> None:
    """Refuse (BackupRefused) a copy that is damaged, not kindstep's, or from a newer kindstep."""
    if not _integrity(conn):
        raise BackupRefused("This backup is damaged: it did not pass SQLite's integrity check. "
                            "An earlier backup may be whole. Nothing was changed.")
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not {"django_migrations", "kindstep_person"} <= tables:
        raise BackupRefused("This is a SQLite database, but not a kindstep backup. "
                            "Nothing was changed.")
    recorded = set(conn.execute("SELECT app, name FROM django_migrations").fetchall())
    if recorded - known:
        raise BackupRefused("This backup was made by a newer kindstep; updating kindstep, then "
                            "restoring it again, will bring it back. Nothing was changed.")


def _readable(path: Path, key: bytes | None) -> None:
    """Refuse early what is not a SQLite file at all (or is locked without its key)."""
    if not path.is_file():
        raise BackupRefused(f"kindstep cannot find a backup at {path}. Nothing was changed.")
    with open(path, "rb") as handle:
        head = handle.read(len(_HEADER))
    if head == _HEADER:
        return
    if len(head) < len(_HEADER) or key is None:
        raise BackupRefused("This file is not a kindstep backup (it is not a SQLite database), "
                            "or it is locked with a passphrase this store does not have. "
                            "Nothing was changed.")


def restore_backup(backup: Path, live: Path, *, now: datetime, key: bytes | None = None,
                   backup_key: bytes | None = None, known: set[tuple[str, str]] | None = None
                   ) -> Path | None:
    """Put the backup at ``backup`` in place of the live database at ``live``.

    Returns where the replaced file was kept (None when there was none). Raises
    BackupRefused, with nothing changed, for a missing, damaged, foreign or
    newer backup. ``key`` opens the live file when it is locked, ``backup_key``
    the backup when it is; the backup comes in under the live file's lock
    (locked, relocked or unlocked on the way in).
    """
    backup = Path(backup)
    _readable(backup, backup_key)
    known = known if known is not None else known_migrations()
    folder = live.parent
    folder.mkdir(parents=True, exist_ok=True)
    for stale in [*folder.glob(".kindstep-restore-*.part*"),  # from a restore that was stopped
                  *(folder / REPLACED_FOLDER).glob("*.part*")]:
        stale.unlink(missing_ok=True)
    fd, name = tempfile.mkstemp(prefix=".kindstep-restore-", suffix=".part", dir=folder)
    os.close(fd)
    stage = Path(name)
    try:
        _stage(backup, stage, backup_key, key, known)
        aside = _keep_aside(live, key, now) if live.is_file() else None
        with _open(stage, key) as source, _open(live, key) as target:
            source.backup(target)  # one write transaction on the live file: old or new
            target.execute("PRAGMA journal_mode=WAL")
        return aside
    finally:
        for leftover in (stage, *(Path(f"{stage}-{end}") for end in ("journal", "wal", "shm"))):
            leftover.unlink(missing_ok=True)


def _stage(backup: Path, stage: Path, backup_key: bytes | None, key: bytes | None, known
           ) -> None:
    """A checked copy of the backup beside the live file, in its journal mode and lock."""
    with open(backup, "rb") as handle:
        header_plain = handle.read(len(_HEADER)) == _HEADER
    source_key = None if header_plain else backup_key
    try:
        with _open(backup, source_key) as source:
            source.execute("PRAGMA query_only=ON")
            check_backup(source, known)
            if source_key == key:
                with _open(stage, key) as copy:
                    source.backup(copy)
            else:  # under the live file's lock (or none) on the way in
                from kindstep.store import lock

                stage.unlink(missing_ok=True)
                lock.encrypt_copy(backup, stage, key, source_key=source_key)
    except BackupRefused:
        raise
    except Exception as error:
        if type(error).__name__ not in ("DatabaseError", "OperationalError"):
            raise
        raise BackupRefused("This file is not a kindstep backup kindstep can open (damaged, not a "
                            "SQLite database, or locked with another passphrase). "
                            "Nothing was changed.") from None
    with _open(stage, key) as copy:
        copy.execute("PRAGMA journal_mode=WAL")
        if not _integrity(copy):
            raise BackupRefused("The backup could not be copied whole; nothing was changed.")
    _fsync(stage)


def _keep_aside(live: Path, key: bytes | None, now: datetime) -> Path:
    """A consistent copy of the live file in ``replaced/``, kept until the person removes it."""
    folder = live.parent / REPLACED_FOLDER
    folder.mkdir(exist_ok=True)
    aside = folder / f"kindstep-replaced-{_stamp(now)}.sqlite3"
    n = 1
    while aside.exists():
        n += 1
        aside = folder / f"kindstep-replaced-{_stamp(now)}-{n}.sqlite3"
    part = aside.with_name(aside.name + ".part")
    try:
        with _open(live, key) as source, _open(part, key) as copy:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
        _fsync(part)
        os.replace(part, aside)
    finally:
        part.unlink(missing_ok=True)
    return aside

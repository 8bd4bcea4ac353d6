"""The lock: a passphrase that encrypts the local kindstep file at rest (SQLCipher).

A locked file is a standard SQLCipher 4 database: AES-256 pages, each with an
HMAC, the key derived from the passphrase with PBKDF2-HMAC-SHA512 (256,000
rounds) and the 16-byte salt SQLCipher keeps at the start of the file. kindstep
derives that key itself (:func:`derive`), the same way SQLCipher would, and
opens the file with the raw key and its salt (``PRAGMA key = "x'...'"``): so the
passphrase is stretched once per terminal session or web visit instead of at
every connection, and a backup made with the same key and salt opens with the
same passphrase. (Anyone with the passphrase can also open the file with
SQLCipher's own tools.)

Locking, changing and removing the lock write a whole new file beside the
live one (``sqlcipher_export``), check it, and put it in place with one
``os.replace``: a kill at any moment leaves the old file or the new one, never
half of either. While that happens the live file is held in SQLite's
exclusive locking mode, and it cannot start while another program (say
`kindstep serve`) has the file open.

What it protects against, and what not, is in the README ("A lock for a
shared computer").
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from kindstep.core.checks import InvalidInput

__all__ = ["LockRefused", "is_locked", "known_locked", "looks_locked", "marker", "derive",
           "key_for", "connect", "set_lock", "change_lock", "remove_lock", "encrypt_copy", "KEYS", "MIN_PASSPHRASE"]

KDF_ROUNDS = 256_000
"""SQLCipher 4's own PBKDF2-HMAC-SHA512 rounds, so the passphrase opens the file in its tools."""

SALT_BYTES = 16
MIN_PASSPHRASE = 8
"""Shorter passphrases are refused: guessing one of fewer letters takes a laptop little time."""

_HEADER = b"SQLite format 3\x00"

KEYS: dict[str, bytes] = {}
"""Keys given in this process, by the file's absolute path: Django's connections (see
``store/sqlite_backend.py``) open a locked file with the key found here."""


class LockRefused(InvalidInput):
    """The lock cannot be set, changed or opened as asked; the message is one kind line
    (an InvalidInput, so every interface refuses it as it refuses any value: CLI exit 2)."""

    def __init__(self, message: str):
        super().__init__("passphrase", message)


def _sqlcipher():
    try:
        from sqlcipher3 import dbapi2
    except ImportError:  # pragma: no cover - a dependency: pip install sqlcipher3-binary
        raise LockRefused("The lock needs the sqlcipher3-binary package, which is not installed "
                          "here (pip install sqlcipher3-binary).") from None
    return dbapi2


MARKER_SUFFIX = ".locked"
"""Beside a locked live file, ``kindstep.sqlite3.locked`` says it is locked: without it, a
file whose first bytes are not SQLite's is damaged, and is reported so (exit 74), instead
of being taken for a locked one. It is written before a lock is swapped in and removed
only after the plain file is back, so a locked live file always has it."""

_MARKER_TEXT = "kindstep.sqlite3 beside this file is locked with a passphrase (`kindstep lock`).\n"


def marker(path: Path | str) -> Path:
    return Path(f"{path}{MARKER_SUFFIX}")


_FOUND: dict[str, bool] = {}
"""What :func:`is_locked` last found for each live file in this process."""


def is_locked(path: Path | str) -> bool:
    """Whether the live file at ``path`` is locked: its marker is there and it looks locked.

    This reads the file's first bytes, so call it only before this process opens the file
    with SQLite: closing any other descriptor of a file drops every POSIX lock the process
    holds on it, SQLite's included ("How To Corrupt An SQLite Database File", 2.2). Code
    that runs while connections are open asks :func:`known_locked` instead.
    """
    found = marker(path).exists() and looks_locked(path)
    _FOUND[str(Path(path).absolute())] = found
    return found


def known_locked(path: Path | str) -> bool:
    """Whether the live file is locked, without opening it: what :func:`is_locked` found in
    this process (set again by every lock change here), else what its marker says."""
    found = _FOUND.get(str(Path(path).absolute()))
    return marker(path).exists() if found is None else found


def looks_locked(path: Path | str) -> bool:
    """Whether the file at ``path`` looks like a locked (SQLCipher) file: whole pages whose
    first bytes are not SQLite's (a backup carries no marker, so this is all it can say)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(_HEADER))
            size = os.fstat(handle.fileno()).st_size
    except OSError:
        return False
    # SQLCipher writes whole pages (512 bytes to 64 KiB), beginning with a random salt.
    return len(head) == len(_HEADER) and head != _HEADER and size % 512 == 0


def derive(passphrase: str, salt: bytes) -> bytes:
    """The key SQLCipher would derive from ``passphrase`` and ``salt``, followed by the salt
    (48 bytes: what ``PRAGMA key = "x'...'"`` takes to open or make a file with that salt)."""
    stretched = hashlib.pbkdf2_hmac("sha512", passphrase.encode("utf-8"), salt, KDF_ROUNDS, 32)
    return stretched + salt


def _pragma(key: bytes) -> str:
    return f"\"x'{key.hex()}'\""


def connect(path: Path | str, key: bytes | None, *, timeout: float = 20):
    """A SQLCipher connection to ``path`` in autocommit, opened with ``key`` (None: plain)."""
    conn = _sqlcipher().connect(str(path), timeout=timeout, isolation_level=None)
    conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is refused in kind words, not logged
    if key is not None:
        conn.execute(f"PRAGMA key = {_pragma(key)}")
    return conn


def opens(path: Path | str, key: bytes | None) -> bool:
    """Whether ``key`` opens the file at ``path`` (reads its schema; writes nothing)."""
    dbapi2 = _sqlcipher()
    conn = connect(path, key)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except dbapi2.DatabaseError:
        return False
    finally:
        conn.close()


def key_for(path: Path | str, passphrase: str) -> bytes:
    """The key ``passphrase`` gives for the locked file at ``path``; LockRefused if it does not
    open it (nothing is written either way)."""
    with open(path, "rb") as handle:
        salt = handle.read(SALT_BYTES)
    key = derive(passphrase, salt)
    if not opens(path, key):
        raise LockRefused("That passphrase does not open this kindstep file. Nothing was changed; "
                          "you can try again.")
    return key


def check_passphrase(passphrase: str) -> str:
    """The new passphrase, or LockRefused saying what a passphrase needs."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise LockRefused(f"A passphrase needs at least {MIN_PASSPHRASE} characters; a few words "
                          "you will remember work well. Nothing was changed.")
    return passphrase


# ---------------------------------------------------------------- setting, changing, removing


def set_lock(live: Path, passphrase: str) -> bytes:
    """Lock the plain file at ``live`` with ``passphrase``; the new key."""
    check_passphrase(passphrase)
    if is_locked(live):
        raise LockRefused("This kindstep file is already locked; `kindstep lock change` chooses a "
                          "new passphrase. Nothing was changed.")
    if not live.is_file():
        raise LockRefused("There is nothing to lock yet: kindstep has not kept anything in this "
                          "data folder. Nothing was changed.")
    key = derive(passphrase, os.urandom(SALT_BYTES))
    _swap(live, None, key)
    return key


def change_lock(live: Path, old_key: bytes, passphrase: str) -> bytes:
    """Lock the file with a new passphrase (and a new salt); the new key."""
    check_passphrase(passphrase)
    key = derive(passphrase, os.urandom(SALT_BYTES))
    _swap(live, old_key, key)
    return key


def remove_lock(live: Path, old_key: bytes) -> None:
    """Write the file back as a plain SQLite file."""
    _swap(live, old_key, None)


def encrypt_copy(source: Path, target: Path, key: bytes | None, *, source_key: bytes | None = None
                 ) -> None:
    """Write the database at ``source`` into a new file ``target``, locked with ``key`` (None:
    plain), with its user_version (kindstep's migration fingerprint) kept."""
    conn = connect(source, source_key)
    try:
        _export(conn, target, key)
    finally:
        conn.close()


def _export(conn, target: Path, key: bytes | None) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    pragma = _pragma(key) if key is not None else "''"
    conn.execute(f"ATTACH DATABASE ? AS kindstep_new KEY {pragma}", (str(target),))
    try:
        conn.execute("SELECT sqlcipher_export('kindstep_new')").fetchall()
        conn.execute(f"PRAGMA kindstep_new.user_version = {int(version)}")
    finally:
        conn.execute("DETACH DATABASE kindstep_new")


def _swap(live: Path, old_key: bytes | None, new_key: bytes | None) -> None:
    """Replace ``live`` by a copy under ``new_key``, whole or not at all."""
    dbapi2 = _sqlcipher()
    folder = live.parent
    for stale in folder.glob(".kindstep-lock-*.part*"):  # from a change that was stopped
        stale.unlink(missing_ok=True)
    fd, name = tempfile.mkstemp(prefix=".kindstep-lock-", suffix=".part", dir=folder)
    os.close(fd)
    stage = Path(name)
    stage.unlink()  # sqlcipher_export writes a new database there
    conn = connect(live, old_key, timeout=2)
    try:
        try:
            mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("COMMIT")  # in exclusive locking mode the lock is now held until close
        except dbapi2.OperationalError:
            mode = "busy"
        if mode != "delete":
            raise LockRefused("Another kindstep (perhaps `kindstep serve`) has the file open. "
                              "Stopping it, then trying again, will work. Nothing was changed.")
        _export(conn, stage, new_key)
        check = connect(stage, new_key)
        try:
            check.execute("PRAGMA journal_mode=WAL")
            if check.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
                raise LockRefused("The new file did not pass SQLite's integrity check, so the old "
                                  "one was kept. Nothing was changed.")
        finally:
            check.close()
        _fsync(stage)
        if new_key is not None and not marker(live).exists():
            marker(live).write_text(_MARKER_TEXT, "utf-8")  # before: a locked file has it
            _fsync(marker(live))
        os.replace(stage, live)  # the one step that changes anything: old file or new
        _fsync(live)
        if new_key is None:
            marker(live).unlink(missing_ok=True)  # after: the plain file is back
    finally:
        conn.close()
        for leftover in (stage, Path(f"{stage}-journal"), Path(f"{stage}-wal"),
                         Path(f"{stage}-shm")):
            leftover.unlink(missing_ok=True)
    KEYS.pop(str(live.absolute()), None)
    _FOUND[str(live.absolute())] = new_key is not None
    if new_key is not None:
        KEYS[str(live.absolute())] = new_key


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
    with contextlib.suppress(OSError):
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

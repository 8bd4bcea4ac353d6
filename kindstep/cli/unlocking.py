"""Asking for the passphrase of a locked kindstep file once per terminal session.

The first command in a terminal asks (``getpass``: nothing is echoed). The key
derived from the answer (never the passphrase itself) is kept for the rest of
that terminal session in a file only its owner can read (mode 0600) in the
runtime folder (``$XDG_RUNTIME_DIR``, which the system empties at log-out),
named after the kindstep file and the terminal's session id, so a command in
another terminal, or after logging out, asks again. ``kindstep lock forget``
removes it at once. Scripts can give the passphrase in ``KINDSTEP_PASSPHRASE``
instead (anyone who can read the script's environment can read it too).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
from pathlib import Path

from kindstep.store import lock

ENV = "KINDSTEP_PASSPHRASE"


def _runtime_dir() -> Path | None:
    """The per-user runtime folder, when there is a private one; None means no keeping."""
    chosen = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    folder = Path(chosen) if chosen else Path(f"/run/user/{os.getuid()}")
    try:
        info = folder.stat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None  # not ours alone: keep nothing there
    return folder


def session_file(live: Path) -> Path | None:
    """Where this terminal session keeps the key for ``live`` (None: nowhere suitable)."""
    folder = _runtime_dir()
    if folder is None:
        return None
    which = hashlib.sha256(str(live.absolute()).encode()).hexdigest()[:16]
    return folder / f"kindstep-{which}-{os.getsid(0)}.key"


def _kept(live: Path) -> bytes | None:
    place = session_file(live)
    if place is None:
        return None
    try:
        info = place.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            return None
        key = bytes.fromhex(place.read_text("ascii").strip())
    except (OSError, ValueError):
        return None
    if lock.opens(live, key):
        return key
    place.unlink(missing_ok=True)  # the lock was changed since: ask again
    return None


def keep(live: Path, key: bytes) -> None:
    """Keep ``key`` for this terminal session (0600, written whole or not at all)."""
    lock.KEYS[str(live.absolute())] = key
    place = session_file(live)
    if place is None:
        return
    part = place.with_name(place.name + ".part")
    with contextlib.suppress(OSError):
        part.unlink(missing_ok=True)
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(key.hex())
        os.replace(part, place)


def forget(live: Path) -> bool:
    """Forget the key kept for ``live`` in this terminal session; whether one was kept."""
    lock.KEYS.pop(str(live.absolute()), None)
    place = session_file(live)
    if place is None or not place.exists():
        return False
    place.unlink(missing_ok=True)
    return True


def ask(prompt: str) -> str:
    """One answer read without echo at the terminal; a line of standard input otherwise."""
    if sys.stdin.isatty():
        import getpass

        try:
            return getpass.getpass(prompt)
        except (KeyboardInterrupt, EOFError):
            # A refusal, not a stop: the command's own refusal path then runs, so a worrying
            # symptom named with `kindstep log` is still met with its message.
            raise lock.LockRefused("No passphrase was given. Nothing was changed.") from None
    line = sys.stdin.readline()
    if not line:
        raise lock.LockRefused("kindstep needs the passphrase, and none was given. "
                               "Nothing was changed.")
    return line.rstrip("\r\n")


def key_for(live: Path, *, ask_at_terminal: bool = True) -> bytes:
    """The key of the locked file ``live``: from ``KINDSTEP_PASSPHRASE`` when set, else kept
    in this process or terminal session, else asked for once. LockRefused for a wrong passphrase."""
    given = os.environ.get(ENV)  # given on purpose: it counts, even over a kept key
    held = lock.KEYS.get(str(live.absolute())) or (_kept(live) if given is None else None)
    if held is not None:
        lock.KEYS[str(live.absolute())] = held
        return held
    if given is None:
        if not (ask_at_terminal and sys.stdin.isatty()):
            raise lock.LockRefused("Your kindstep file is locked. Run kindstep at a terminal to "
                                   f"give its passphrase (scripts can set {ENV}). Nothing was read.")
        key = lock.key_for(live, ask("Passphrase for your kindstep file: "))
        keep(live, key)
        return key
    key = lock.key_for(live, given)
    lock.KEYS[str(live.absolute())] = key  # for this process only: the script gives it each time
    return key

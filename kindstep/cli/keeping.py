"""`kindstep backup`, `kindstep restore` and `kindstep lock`: keeping the local file safe.

Backups and restores work on the SQLite file itself (``kindstep/store/backups.py``),
so they start only the settings, never the migrations: a damaged or older live
file can still be replaced. The lock (``kindstep/store/lock.py``) encrypts that
file with a passphrase.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import app
from kindstep.cli.common import kind_errors, say


def _settings():
    """Django's settings, loaded without touching the database."""
    from kindstep import boot

    boot.setup(migrate=False)
    from django.conf import settings

    return settings


def _live(settings) -> Path:
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("sqlite3"):
        common.refuse("Backups here are of the local SQLite file; in server mode, PostgreSQL's "
                      "own tools (pg_dump) make them. Nothing was written.")
    return Path(db["NAME"]).expanduser().absolute()


def _key(live: Path) -> bytes | None:
    """The key of a locked store (asked once per terminal session), or None when unlocked."""
    from kindstep.store import lock

    if not lock.is_locked(live):
        return None
    from kindstep.cli import unlocking

    return unlocking.key_for(live)


def _backup_key(chosen: Path, key: bytes | None) -> bytes | None:
    """The key of a locked backup: this store's own, the passphrase given to this command
    (``KINDSTEP_PASSPHRASE``), or the backup's passphrase asked for at the terminal."""
    import os

    from kindstep.cli import unlocking
    from kindstep.store import lock

    if not lock.looks_locked(chosen):
        return None
    if key is not None and lock.opens(chosen, key):
        return key
    given = os.environ.get(unlocking.ENV)
    if given is not None:
        with contextlib.suppress(lock.LockRefused):
            return lock.key_for(chosen, given)
    if not sys.stdin.isatty():
        common.refuse("This backup is locked with a passphrase kindstep does not have here; "
                      "running `kindstep restore` at a terminal lets you give it. "
                      "Nothing was changed.")
    return lock.key_for(chosen, unlocking.ask("Passphrase of this backup: "))


@app.command()
@kind_errors
def backup(
    path: Annotated[str, typer.Argument(
        help="Where to write the copy (a file or a folder). Default: the backups folder in your "
             "data folder, which keeps the newest 7.", show_default=False)] = "",
) -> None:
    """Make a copy of your whole kindstep file, safe to make while kindstep is in use.

    Example: kindstep backup ~/Documents/kindstep-copy.sqlite3
    """
    from kindstep.store import backups

    settings = _settings()
    live = _live(settings)
    key = _key(live)  # asked first: a locked file with no passphrase given leaves no folder made
    now = common.now()
    if path:
        target = Path(path).expanduser()
        if target.is_dir():
            target = target / backups.default_target(target, now).name
        prune = None
    else:
        target = backups.default_target(Path(settings.DATA_DIR), now)
        target.parent.mkdir(parents=True, exist_ok=True)
        prune = target.parent
    try:
        made, removed = backups.make_backup(live, target, key=key, prune=prune)
    except backups.BackupRefused as refused:
        common.refuse(str(refused))
    say(f"A copy of your kindstep file is in {made}.", soft_wrap=True)
    if removed:
        say(f"The backups folder keeps the newest {backups.KEEP}, so {len(removed)} older "
            f"{'copy was' if len(removed) == 1 else 'copies were'} removed.", soft_wrap=True)


@app.command()
@kind_errors
def restore(
    path: Annotated[str, typer.Argument(help="A backup made by `kindstep backup`.",
                                        show_default=False)],
) -> None:
    """Put a backup in place of your kindstep file; the file it replaces is kept aside.

    The backup is checked first (whole, kindstep's, not from a newer kindstep);
    if anything is wrong, nothing is changed.

    Example: kindstep restore ~/Documents/kindstep-copy.sqlite3
    """
    from kindstep.store import backups

    settings = _settings()
    live = _live(settings)
    chosen = Path(path).expanduser()
    key = _key(live) if live.is_file() else None
    try:
        aside = backups.restore_backup(chosen, live, now=common.now(), key=key,
                                       backup_key=_backup_key(chosen, key))
    except backups.BackupRefused as refused:
        common.refuse(str(refused))
    say(f"Your kindstep file is now the one from {path}.", soft_wrap=True)
    if aside is not None:
        say(f"The file it replaced is kept at {aside} until you remove it.", soft_wrap=True)


# ---------------------------------------------------------------- the lock

lock_app = typer.Typer(
    help="A passphrase that locks your kindstep file on this computer (see the README: what it "
         "protects against, and what it does not).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(lock_app, name="lock")


def _new_passphrase() -> str:
    """The new passphrase: asked twice at a terminal; one line of standard input for scripts."""
    from kindstep.cli import unlocking
    from kindstep.store import lock

    first = unlocking.ask("New passphrase (at least 8 characters): ")
    lock.check_passphrase(first)
    if sys.stdin.isatty():
        if unlocking.ask("The same passphrase again: ") != first:
            common.refuse("The two passphrases were not the same. Nothing was changed.")
    return first


@lock_app.command("set")
@kind_errors
def lock_set() -> None:
    """Lock your kindstep file with a passphrase, asked once per terminal session or web visit.

    Example: kindstep lock set
    """
    from kindstep.cli import unlocking
    from kindstep.store import lock

    live = _live(_settings())
    if lock.is_locked(live):
        common.refuse("Your kindstep file is already locked; `kindstep lock change` chooses a new "
                      "passphrase. Nothing was changed.")
    key = lock.set_lock(live, _new_passphrase())
    unlocking.keep(live, key)
    say("Your kindstep file is locked. kindstep asks for the passphrase once in each terminal "
        "session and each visit of the web app. There is no way back in without it, so keep it "
        "somewhere safe.", soft_wrap=True)


@lock_app.command("change")
@kind_errors
def lock_change() -> None:
    """Choose a new passphrase (the current one is asked first)."""
    from kindstep.cli import unlocking
    from kindstep.store import lock

    live = _live(_settings())
    if not lock.is_locked(live):
        common.refuse("Your kindstep file is not locked; `kindstep lock set` locks it. "
                      "Nothing was changed.")
    old = unlocking.key_for(live)
    key = lock.change_lock(live, old, _new_passphrase())
    unlocking.forget(live)
    unlocking.keep(live, key)
    say("Your kindstep file is locked with the new passphrase.")


@lock_app.command("off")
@kind_errors
def lock_off() -> None:
    """Remove the lock: the file is kept as a plain SQLite file again."""
    from kindstep.cli import unlocking
    from kindstep.store import lock

    live = _live(_settings())
    if not lock.is_locked(live):
        common.refuse("Your kindstep file is not locked, so there is nothing to remove. "
                      "Nothing was changed.")
    lock.remove_lock(live, unlocking.key_for(live))
    unlocking.forget(live)
    say("The lock is off: your kindstep file opens without a passphrase again.")


@lock_app.command("forget")
@kind_errors
def lock_forget() -> None:
    """Forget the passphrase in this terminal session now (it is asked again next time)."""
    from kindstep.cli import unlocking

    live = _live(_settings())
    unlocking.forget(live)
    say("This terminal session no longer holds your passphrase.")

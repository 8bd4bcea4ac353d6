"""`kindstep backup`, `kindstep restore` and `kindstep lock`: keeping the local file safe.

Backups and restores work on the SQLite file itself (``kindstep/store/backups.py``),
so they start only the settings, never the migrations: a damaged or older live
file can still be replaced. The lock (``kindstep/store/lock.py``) encrypts that
file with a passphrase.
"""

from __future__ import annotations

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
        made, removed = backups.make_backup(live, target, key=_key(live), prune=prune)
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
    try:
        aside = backups.restore_backup(Path(path).expanduser(), live, now=common.now(),
                                       key=_key(live) if live.is_file() else None)
    except backups.BackupRefused as refused:
        common.refuse(str(refused))
    say(f"Your kindstep file is now the one from {path}.", soft_wrap=True)
    if aside is not None:
        say(f"The file it replaced is kept at {aside} until you remove it.", soft_wrap=True)

"""`kindstep migrate` and `kindstep check`: looking after a kindstep server's database and settings.

Both work in local mode too (where migrations also apply on first use), but they are
mostly for server mode, where nothing changes the database until `kindstep migrate`.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import app
from kindstep.cli.common import kind_errors, say


def _settings():
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kindstep.settings")
    from django.conf import settings

    settings.MODE  # noqa: B018 - reading a setting loads them: server mode's refusals come first
    return settings


@app.command()
@kind_errors
def migrate() -> None:
    """Bring the database's tables up to date with this version of kindstep.

    Server mode needs this after every upgrade, before `kindstep serve`; local mode
    does it by itself on first use. Running it again changes nothing.

    Example: kindstep migrate
    """
    settings = _settings()
    from kindstep import boot

    boot.setup(migrate=False)
    common.unlock()  # a locked local file: its passphrase first, refused kindly without it
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    waiting = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if settings.MODE == "server":
        _cache_table()
    if not waiting:
        say("The database is already up to date; nothing was changed.")
        return
    say(f"Bringing the database up to date ({len(waiting)} migration(s))...")
    boot.ensure_migrated()
    say("Done: the database is up to date.")


def _cache_table() -> None:
    """Server mode keeps its cache (allauth's rate limits) in the database, so every app
    server and worker counts the same attempts; the table is not a migration's."""
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)


@app.command()
@kind_errors
def check(
    deploy: Annotated[bool, typer.Option(
        "--deploy", help="Also Django's checks for a public server (server mode).")] = False,
) -> None:
    """Check kindstep's settings (Django's system checks and kindstep's own).

    In server mode it also asks the database whether migrations are waiting. Exit
    code 0 when nothing needs attention, 78 when something does.

    Example: kindstep check --deploy
    """
    settings = _settings()
    if deploy and settings.MODE != "server":
        common.refuse("--deploy checks a public server's settings; local mode listens on this "
                      "machine only and needs none. Set KINDSTEP_MODE=server (and its settings) "
                      "to check a server.")
    from kindstep import boot

    boot.setup(migrate=False, web=True)
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", deploy=deploy, fail_level="WARNING",
                     databases=["default"] if settings.MODE == "server" else None)
    except SystemCheckError as err:
        print(common.safe_text(str(err).strip()), file=sys.stderr)
        raise typer.Exit(common.EXIT_CONFIG) from None

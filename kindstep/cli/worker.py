"""`kindstep worker`: run the background work server mode queues (large imports, and the
periodic jobs of :mod:`kindstep.work.periodic`).

Only this command imports django-tasks' worker; every other command starts without it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import app
from kindstep.cli.common import kind_errors, say


@app.command()
@kind_errors
def worker(
    interval: Annotated[float, typer.Option(
        help="Seconds to wait between looks for new work when nothing is waiting.")] = 1.0,
    batch: Annotated[bool, typer.Option(
        "--batch", help="Do what is waiting now, then stop (for a timer or a test).")] = False,
    max_tasks: Annotated[int | None, typer.Option(hidden=True)] = None,
) -> None:
    """Do the background work kept in the database: imports uploaded on the web, and the
    periodic jobs.

    Run one or more beside `kindstep serve` in server mode (each takes one task at a
    time). Local mode runs its work at once and needs none.

    Example: kindstep worker
    """
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kindstep.settings")
    from django.conf import settings

    if settings.TASKS_MODE != "database":
        common.refuse("kindstep worker runs the work kept in the database, and with "
                      "KINDSTEP_TASKS=immediate (local mode's default) work runs at once "
                      "instead, so there is nothing for it to do. Set KINDSTEP_TASKS=database "
                      "to use a worker.")
    if not 0 <= interval <= 3600 or interval != interval:
        common.refuse(f"--interval is a number of seconds from 0 to 3600; got {interval}.")
    common.ready()  # a locked local file: its passphrase first (KINDSTEP_PASSPHRASE for a timer)
    from kindstep.work import runner

    if not batch:
        say("kindstep worker is waiting for work (Ctrl-C stops it).")
    ran = runner.run(interval=interval, batch=batch, max_tasks=max_tasks)
    say(f"kindstep worker has stopped after {ran} task(s).")

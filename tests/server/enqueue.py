"""Queue an import as the Import page does, from a process of its own (``python -m
tests.server.enqueue FILE NAME TIMES``): one person, one kept upload, the task queued
TIMES times (a task delivered more than once). Prints the job's and the person's ids."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path


def main(path: str, name: str, times: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kindstep.settings")
    from kindstep import boot

    boot.setup()
    from kindstep.store import import_jobs, models
    from kindstep.work.tasks import run_import

    person = models.Person.objects.create(timezone="UTC")
    job = import_jobs.start_import(person, [Path(path).read_bytes()], filename=name,
                                   dry_run=False, now=datetime.now(UTC))
    for _ in range(times):
        run_import.enqueue(job.pk)
    print(job.pk, person.pk)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))

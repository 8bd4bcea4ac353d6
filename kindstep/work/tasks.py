"""The tasks kindstep queues, through Django's Tasks API (the django-tasks backport).

Each takes ids only, never a person's words or numbers: a task's arguments are stored in
the queue's table and the worker logs each task's id and path. Which backend runs them is
``settings.TASKS`` (``KINDSTEP_TASKS``): at once, in the process that queues them
(local mode), or by ``kindstep worker`` from the database (server mode).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django_tasks import task

from kindstep.work import periodic


def _now() -> datetime:
    """The worker's clock: tasks run outside any page or command, so they read it here."""
    return datetime.now(UTC)


@task()
def run_import(job_id: int) -> str:
    """Import the upload of ``ImportJob`` ``job_id``; returns its final state.

    All or nothing (one transaction for the file); a job already run is left alone, so
    the import lands exactly once however often the task is delivered.
    """
    from kindstep.store.import_jobs import run_job

    return run_job(job_id, clock=_now)


@periodic.every_minute("prune_import_jobs")
def prune_import_jobs(now: datetime) -> None:
    """Let go of imports finished more than a day ago (their counts and file names)."""
    from kindstep.store.import_jobs import prune_finished

    prune_finished(now)


@periodic.every_minute("release_stalled_imports")
def release_stalled_imports(now: datetime) -> None:
    """Say so on the page when an import's worker was stopped mid-way (nothing was written)."""
    from kindstep.store.import_jobs import release_stalled

    release_stalled(now)


@periodic.every_minute("send_reminders")
def send_reminders(now: datetime) -> None:
    """Send the reminders people chose that are due at ``now``, each slot at most once
    however many workers run (``store.reminders.send_due_reminders`` claims each first)."""
    from kindstep.store.reminders import send_due_reminders

    send_due_reminders(now)

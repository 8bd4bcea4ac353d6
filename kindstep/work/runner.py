"""The loop behind ``kindstep worker``: django-tasks-db's worker for queued tasks, and the
periodic functions (:mod:`kindstep.work.periodic`) about once a minute in between.

django-tasks-db's ``Worker`` claims one ready task at a time with ``SELECT ... FOR UPDATE
SKIP LOCKED`` (so several workers, on one machine or many, never run the same task) and
records each outcome. Here it runs in its "batch" form (every task ready now, then back),
so the loop can call the periodic functions between batches, and sleeps ``interval``
seconds when nothing is waiting. SIGTERM or Ctrl-C lets a running task finish, then stops.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

LOGGERS = {"django_tasks": logging.INFO, "django_tasks_db": logging.WARNING,
           "kindstep.work": logging.INFO}
"""What the worker says on stderr: each task's id, path and state, and periodic jobs' trouble
(django-tasks-db's own "starting"/"no more tasks" lines would come every second here, so
only its warnings). Tasks carry ids only, so none of it holds a person's words."""


def _now() -> datetime:
    return datetime.now(UTC)


def _log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    for name, level in LOGGERS.items():
        log = logging.getLogger(name)
        log.setLevel(level)
        log.addHandler(handler)
        log.propagate = False


def run(*, interval: float = 1.0, batch: bool = False, max_tasks: int | None = None,
        clock: Callable[[], datetime] = _now) -> int:
    """Run queued tasks and periodic work until stopped (``batch``: until nothing is waiting,
    with one periodic pass); returns how many tasks ran."""
    from django.utils.crypto import get_random_string
    from django_tasks_db.management.commands.db_worker import Worker

    from kindstep.work import periodic

    _log_to_stderr()
    periodic.load()
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                    startup_delay=False, max_tasks=max_tasks, worker_id=get_random_string(32),
                    excluded_queue_names=[])
    worker.configure_signals()
    due = clock()
    try:
        while worker.running:
            worker.run()  # every task ready now (or up to max_tasks), then back here
            if max_tasks is not None and worker._run_tasks >= max_tasks:
                break
            if clock() >= due:
                worker.running_task = True  # a stop signal lets this pass end first
                try:
                    periodic.run_all(clock())
                finally:
                    worker.running_task = False
                due = clock() + periodic.EVERY
            if batch or not worker.running:
                break
            time.sleep(interval)
    except SystemExit as leaving:  # the worker's signal handler, stopping between tasks
        if leaving.code not in (0, None):
            raise
    finally:
        worker.reset_signals()
    return worker._run_tasks

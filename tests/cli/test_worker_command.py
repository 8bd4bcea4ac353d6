"""`kindstep worker` stays out of the everyday commands' way: they never import django-tasks."""

from __future__ import annotations

import os
import subprocess
import sys


def imported_by(tmp_path, *args: str, **settings: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINDSTEP_", "DJANGO_"))}
    env |= {"KINDSTEP_DATA_DIR": str(tmp_path / "data"), "TZ": "UTC", **settings}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "kindstep", *args], env=env,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stderr


def test_today_and_log_import_no_part_of_django_tasks(tmp_path):
    for command in (("today",), ("log", "walk", "10m")):
        assert "django_tasks" not in imported_by(tmp_path, *command)


def test_with_tasks_in_the_database_everyday_commands_still_import_none_of_its_worker(tmp_path):
    loaded = imported_by(tmp_path, "today", KINDSTEP_TASKS="database")
    assert "django_tasks_db.management" not in loaded and "kindstep.work" not in loaded

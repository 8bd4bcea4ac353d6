"""`kindstep worker`: imports queued in the database run in a real worker process, on the real
PostgreSQL (server mode) and on SQLite (local mode with KINDSTEP_TASKS=database)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from kindstep.cli.common import EXIT_REFUSED
from tests.server.conftest import base_env, production_env, run
from tests.store.test_importing import GPX_RUN

ROOT = Path(__file__).resolve().parents[2]
NAME = "Ana's evening run.gpx"
"""A file name with a person's name in it: it must reach no log line and no task argument."""


def enqueue(env: dict[str, str], path: Path, times: int = 1) -> tuple[int, int]:
    done = subprocess.run([sys.executable, "-m", "tests.server.enqueue", str(path), NAME,
                           str(times)], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    job, person = done.stdout.split()
    return int(job), int(person)


def query_pg(url: str, sql: str, *params):
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def query_sqlite(path: Path, sql: str, *params):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql.replace("%s", "?"), params).fetchall()


@pytest.mark.postgres
def test_an_import_queued_twice_in_server_mode_lands_once_in_a_real_worker(tmp_path, pg_database):
    env = production_env(tmp_path, pg_database)
    assert run(env, "migrate").returncode == 0
    gpx = tmp_path / "run.gpx"
    gpx.write_text(GPX_RUN)
    job, person = enqueue(env, gpx, times=2)
    assert query_pg(pg_database, "SELECT state FROM kindstep_import_job WHERE id = %s", job) == [
        ("queued",)]
    arguments = query_pg(pg_database, "SELECT args_kwargs::text, status FROM "
                         "django_tasks_database_dbtaskresult")
    assert arguments == [(f'{{"args": [{job}], "kwargs": {{}}}}', "READY")] * 2

    worker = run(env, "worker", "--batch")

    assert worker.returncode == 0, worker.stderr
    assert worker.stdout.strip() == "kindstep worker has stopped after 2 task(s)."
    assert worker.stderr.count("path=kindstep.work.tasks.run_import state=SUCCESSFUL") == 2
    for secret in ("Ana", "evening", "51.5", "2024-05-01"):
        assert secret not in worker.stderr
    assert query_pg(pg_database, "SELECT state, summary->>'added' FROM kindstep_import_job") == [
        ("done", "1")]
    assert query_pg(pg_database, "SELECT person_id, source, minutes FROM kindstep_session") \
        == [(person, "gpx", 30)]
    assert query_pg(pg_database, "SELECT count(*) FROM kindstep_upload_chunk") == [(0,)]
    assert query_pg(pg_database, "SELECT status FROM django_tasks_database_dbtaskresult") == [
        ("SUCCESSFUL",)] * 2

    again = run(env, "worker", "--batch")  # nothing left: nothing more lands
    assert again.stdout.strip() == "kindstep worker has stopped after 0 task(s)."
    assert query_pg(pg_database, "SELECT count(*) FROM kindstep_session") == [(1,)]


def test_an_import_queued_in_local_mode_on_sqlite_lands_once_in_a_real_worker(tmp_path):
    database = tmp_path / "k.sqlite3"
    env = base_env(tmp_path) | {"KINDSTEP_DATABASE_URL": f"sqlite:///{database}",
                                "KINDSTEP_TASKS": "database"}
    gpx = tmp_path / "run.gpx"
    gpx.write_text(GPX_RUN)
    job, person = enqueue(env, gpx, times=2)
    kept = query_sqlite(database, "SELECT upload_path FROM kindstep_import_job")[0][0]
    assert Path(kept).parent == tmp_path / "data" / "uploads" and Path(kept).exists()

    worker = run(env, "worker", "--batch")

    assert worker.returncode == 0, worker.stderr
    assert worker.stdout.strip() == "kindstep worker has stopped after 2 task(s)."
    assert query_sqlite(database, "SELECT state, upload_path FROM kindstep_import_job") == [
        ("done", "")]
    assert query_sqlite(database, "SELECT person_id, source FROM kindstep_session") == [
        (person, "gpx")]
    assert not Path(kept).exists()


def test_the_worker_is_refused_kindly_when_work_runs_at_once(tmp_path):
    result = run(base_env(tmp_path), "worker", "--batch")
    assert result.returncode == EXIT_REFUSED
    assert result.stderr.strip().startswith("kindstep worker runs the work kept in the database")
    assert "Set KINDSTEP_TASKS=database" in result.stderr and "Traceback" not in result.stderr


def test_an_unknown_tasks_setting_is_one_line(tmp_path):
    result = run(base_env(tmp_path) | {"KINDSTEP_TASKS": "celery"}, "worker")
    assert result.returncode != 0
    assert "KINDSTEP_TASKS should be 'immediate' or 'database', not 'celery'." in result.stderr
    assert "Traceback" not in result.stderr


def test_turning_on_database_tasks_later_brings_their_table_in_on_sqlite(tmp_path):
    env = base_env(tmp_path) | {"KINDSTEP_DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite3'}"}
    assert run(env, "log", "walk", "10m").returncode == 0  # migrated without django-tasks
    worker = run(env | {"KINDSTEP_TASKS": "database"}, "worker", "--batch")
    assert worker.returncode == 0, worker.stderr
    assert worker.stdout.strip() == "kindstep worker has stopped after 0 task(s)."

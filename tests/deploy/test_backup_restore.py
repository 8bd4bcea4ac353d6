"""docs/deploy.md's backup and restore, run as written against the real PostgreSQL: a database
filled through kindstep is dumped, restored into a new database, and every row compared."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.server.conftest import POSTGRES, base_env, pg_database, run  # noqa: F401 - a fixture

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "deploy.md").read_text("utf-8")


def documented(first_word: str) -> list[str]:
    """The lines of the doc's ```sh blocks that run ``first_word`` (backslashes joined)."""
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", DOC, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip().split(" ", 1)[0] == first_word:
                lines.append(line.strip())
    return lines


def every_row(url: str) -> dict[str, list[tuple]]:
    with psycopg.connect(url) as conn:
        names = [row[0] for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        return {name: conn.execute(f'SELECT * FROM "{name}" ORDER BY 1').fetchall()
                for name in names}


@pytest.fixture
def restored():
    name = f"kindstep_restored_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_documented_commands_are_one_dump_and_one_restore():
    assert documented("pg_dump") == [
        'pg_dump --format=custom --no-owner --file="$BACKUP" "$KINDSTEP_DATABASE_URL"']
    assert documented("createdb") == ['createdb --template=template0 "$RESTORED"']
    assert documented("pg_restore") == [
        'pg_restore --no-owner --exit-on-error --single-transaction --dbname="$RESTORED_URL" '
        '"$BACKUP"']


def test_a_backup_restores_every_row_of_a_database_kindstep_filled(tmp_path, pg_database,
                                                                     restored):
    env = base_env(tmp_path) | {"KINDSTEP_DATABASE_URL": pg_database, "KINDSTEP_TASKS": "database",
                                "TZ": "UTC"}
    steps = [("migrate",), ("checkin", "--energy", "3", "--mood", "4", "--anxiety", "6",
                            "--note", "tight shoulders"),
             ("log", "walk", "20m", "--note", "by the river"), ("rest", "--note", "a slow day"),
             ("import", str(ROOT / "docs" / "examples" / "morning-walk.gpx"))]
    for step in steps:
        done = run(env, *step)
        assert done.returncode == 0, (step, done.stderr)
    queued = subprocess.run([sys.executable, "-m", "tests.server.enqueue",
                             str(ROOT / "docs" / "examples" / "morning-walk.gpx"), "walk.gpx", "1"],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert queued.returncode == 0, queued.stderr
    before = every_row(pg_database)
    assert before["kindstep_session"] and before["kindstep_checkin"] and before["kindstep_rest_day"]
    assert before["kindstep_upload_chunk"] and before["django_tasks_database_dbtaskresult"]

    shell = env | {"BACKUP": str(tmp_path / "kindstep.dump"), "RESTORED": restored,
                   "RESTORED_URL": f"{POSTGRES}/{restored}",
                   "PGHOST": "127.0.0.1", "PGUSER": "postgres"}
    for line in [*documented("pg_dump"), *documented("createdb"), *documented("pg_restore")]:
        done = subprocess.run(["bash", "-euc", line], env=shell, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, (line, done.stderr)

    assert every_row(f"{POSTGRES}/{restored}") == before
    again = run(env | {"KINDSTEP_DATABASE_URL": f"{POSTGRES}/{restored}"}, "migrate")
    assert again.stdout.strip() == "The database is already up to date; nothing was changed."


def test_a_restore_into_a_database_that_is_not_empty_changes_nothing(tmp_path, pg_database):
    env = base_env(tmp_path) | {"KINDSTEP_DATABASE_URL": pg_database}
    assert run(env, "migrate").returncode == 0
    assert run(env, "log", "walk", "10m").returncode == 0
    backup = tmp_path / "kindstep.dump"
    shell = env | {"BACKUP": str(backup), "RESTORED_URL": pg_database}
    assert subprocess.run(["bash", "-euc", documented("pg_dump")[0]], env=shell,
                          timeout=300).returncode == 0
    assert run(env, "log", "walk", "15m").returncode == 0
    before = every_row(pg_database)
    done = subprocess.run(["bash", "-euc", documented("pg_restore")[0]], env=shell,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and "already exists" in done.stderr
    assert every_row(pg_database) == before  # --single-transaction: all or nothing

"""`kindstep createuser EMAIL [--admin] [--password-stdin]`, through the real console script."""

from __future__ import annotations

import subprocess

import psycopg
import pytest

from kindstep.cli.common import EXIT_REFUSED
from tests.server.conftest import SCRIPT, base_env, production_env, run

PASSWORD = "a gentle walk by the river 42"


def createuser(env, *args: str, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run([SCRIPT, "createuser", *args], env=env, input=stdin, text=True,
                          capture_output=True, timeout=120)


def accounts(database_url: str) -> list[tuple]:
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT u.email, u.is_staff, u.is_superuser, e.verified, left(u.password, 16) "
            "FROM auth_user u JOIN account_emailaddress e ON e.user_id = u.id ORDER BY u.email"
        ).fetchall()


@pytest.mark.postgres
def test_createuser_makes_a_verified_account_and_an_admin(tmp_path, pg_database):
    env = production_env(tmp_path, pg_database)
    assert run(env, "migrate").returncode == 0
    made = createuser(env, "ada@example.org", "--admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "Made the account ada@example.org (an admin). It can sign in now."
    assert PASSWORD not in made.stdout + made.stderr
    member = createuser(env, "bo@example.org", "--password-stdin", stdin=PASSWORD)
    assert member.returncode == 0, member.stderr
    assert accounts(pg_database) == [
        ("ada@example.org", True, True, True, "argon2$argon2id$"),
        ("bo@example.org", False, False, True, "argon2$argon2id$"),
    ]


@pytest.mark.postgres
@pytest.mark.parametrize(("args", "stdin", "says"), [
    (["ada@example.org"], "password\n", "That password cannot be used: This password is too "
     "common. No account was made."),
    (["ada@example.org"], "12\n", "That password cannot be used: This password is too short. "
     "It must contain at least 8 characters. This password is too common. This password is "
     "entirely numeric. No account was made."),
    (["not an address"], PASSWORD, "'not an address' does not look like an email address (such "
     "as ada@example.org); no account was made."),
    (["taken@example.org"], PASSWORD, "There is already an account for taken@example.org; "
     "nothing was changed."),
])
def test_createuser_refuses_kindly_and_makes_nothing(tmp_path, pg_database, args, stdin, says):
    env = production_env(tmp_path, pg_database)
    assert run(env, "migrate").returncode == 0
    assert createuser(env, "taken@example.org", "--password-stdin", stdin=PASSWORD).returncode == 0
    result = createuser(env, *args, "--password-stdin", stdin=stdin)
    assert result.returncode == EXIT_REFUSED
    assert result.stderr.strip() == says
    assert len(accounts(pg_database)) == 1


def test_createuser_is_for_server_mode(tmp_path):
    result = createuser(base_env(tmp_path), "ada@example.org", "--password-stdin", stdin=PASSWORD)
    assert result.returncode == EXIT_REFUSED
    assert result.stderr.strip().startswith("Accounts are for server mode; local mode keeps one "
                                            "person's record on this computer")

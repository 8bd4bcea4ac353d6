"""Server mode refuses to start, with one kind line saying what to set, and starts nothing.

Each case runs the real console script twice on a real, empty PostgreSQL database:
`kindstep serve` (nothing listens afterwards, gunicorn never starts) and `kindstep
migrate` (the database stays empty). The exit code is 78 (EX_CONFIG) and the one
line never repeats the secret key.
"""

from __future__ import annotations

import pytest

from kindstep.cli.common import EXIT_CONFIG
from tests.server.conftest import HOST, ORIGIN, free_port, listening, production_env, run, tables

NEW_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
MISSING_KEY = ("Server mode needs KINDSTEP_SECRET_KEY: please set it to a long random string kept "
               f"secret, such as {NEW_KEY} prints.")
WEAK_KEY = ("KINDSTEP_SECRET_KEY is too short or too simple for server mode: please set it to a "
            f"random string of at least 50 varied characters, such as {NEW_KEY} prints.")
DEBUG_ON = ("KINDSTEP_DEBUG is on, and its error pages would show visitors kindstep's insides: "
            "please unset it (or set it to 0) in server mode.")
NOT_POSTGRES = ("Server mode keeps everyone's records in PostgreSQL: please set "
                "KINDSTEP_DATABASE_URL to postgresql://user:password@host:5432/dbname.")
NO_HOSTS = ("Server mode needs KINDSTEP_ALLOWED_HOSTS: please set it to the host names people "
            "reach kindstep by, separated by commas (such as kindstep.example.org).")
NO_ORIGIN = ("Server mode needs KINDSTEP_ORIGIN: please set it to the public https address "
             f"people open kindstep at (such as {ORIGIN}).")


def not_an_origin(value: str) -> str:
    return ("KINDSTEP_ORIGIN should be the public https address people open kindstep at, with "
            f"no path (such as {ORIGIN}), not {value!r}.")


CASES = {
    "key missing": ({"KINDSTEP_SECRET_KEY": None}, MISSING_KEY),
    "key blank": ({"KINDSTEP_SECRET_KEY": "   "}, MISSING_KEY),
    "key short": ({"KINDSTEP_SECRET_KEY": "Q7v!x2-short-but-random"}, WEAK_KEY),
    "key of few characters": ({"KINDSTEP_SECRET_KEY": "abcd" * 20}, WEAK_KEY),
    "key with Django's insecure prefix": (
        {"KINDSTEP_SECRET_KEY": "django-insecure-" + "Zq8#rT2$wX9!mB4&kL7*pN3@vC6^hJ1%"}, WEAK_KEY),
    "debug on": ({"KINDSTEP_DEBUG": "1"}, DEBUG_ON),
    "database unset (SQLite)": ({"KINDSTEP_DATABASE_URL": None}, NOT_POSTGRES),
    "database SQLite": ({"KINDSTEP_DATABASE_URL": "sqlite:///{tmp}/kindstep.sqlite3"}, NOT_POSTGRES),
    "hosts missing": ({"KINDSTEP_ALLOWED_HOSTS": None}, NO_HOSTS),
    "hosts only commas": ({"KINDSTEP_ALLOWED_HOSTS": " , ,"}, NO_HOSTS),
    "origin missing": ({"KINDSTEP_ORIGIN": None}, NO_ORIGIN),
    "origin plain http": ({"KINDSTEP_ORIGIN": f"http://{HOST}"}, not_an_origin(f"http://{HOST}")),
    "origin with a path": ({"KINDSTEP_ORIGIN": f"{ORIGIN}/kindstep"},
                           not_an_origin(f"{ORIGIN}/kindstep")),
    "origin without a host": ({"KINDSTEP_ORIGIN": "https://"}, not_an_origin("https:")),
    "origin's host not allowed": (
        {"KINDSTEP_ORIGIN": "https://elsewhere.example.net"},
        "KINDSTEP_ORIGIN's host 'elsewhere.example.net' is not in KINDSTEP_ALLOWED_HOSTS: "
        "please add it there, or correct the origin."),
}


def assert_refused(result, sentence: str, env: dict[str, str]) -> None:
    assert result.returncode == EXIT_CONFIG, (result.returncode, result.stderr, result.stdout)
    assert result.stderr.strip() == sentence
    assert result.stdout == ""
    key = env.get("KINDSTEP_SECRET_KEY", "").strip()
    if key:
        assert key not in result.stderr


@pytest.mark.postgres
@pytest.mark.parametrize("changes, sentence", CASES.values(), ids=CASES.keys())
def test_server_mode_refuses_to_start_and_says_what_to_set(tmp_path, pg_database, changes,
                                                           sentence):
    changes = {k: v.replace("{tmp}", str(tmp_path)) if v else v for k, v in changes.items()}
    env = production_env(tmp_path, pg_database, **changes)
    port = free_port()

    served = run(env, "serve", "--no-browser", "--port", str(port), timeout=60)
    assert_refused(served, sentence, env)
    assert "gunicorn" not in served.stderr.lower()
    assert not listening(port)

    migrated = run(env, "migrate", timeout=60)
    assert_refused(migrated, sentence, env)
    assert tables(pg_database) == set()
    assert not (tmp_path / "kindstep.sqlite3").exists()
    assert not (tmp_path / "data").exists()  # no key, no SQLite file: nothing at all was written


def test_every_refusal_is_one_check_of_the_same_rule():
    """The rule itself: good production settings pass; each bad one gives its own check id."""
    from kindstep.settings import server_problems

    good = {"secret_key": "k" + "x7Y!" * 15, "debug": False,
            "database": {"ENGINE": "django.db.backends.postgresql"},
            "allowed_hosts": [HOST], "origin": ORIGIN}
    assert server_problems(**good) == []
    assert server_problems(**good | {"allowed_hosts": [".example.org"]}) == []
    assert server_problems(**good | {"origin": f"{ORIGIN}:8443"}) == []

    def ids(**bad):
        return [check_id for check_id, _ in server_problems(**good | bad)]

    assert ids(secret_key="") == ["kindstep.E001"]
    assert ids(secret_key="ab" * 40) == ["kindstep.E002"]
    assert ids(debug=True) == ["kindstep.E003"]
    assert ids(database={"ENGINE": "django.db.backends.sqlite3"}) == ["kindstep.E004"]
    assert ids(allowed_hosts=[]) == ["kindstep.E005"]
    assert ids(origin="") == ["kindstep.E006"]
    assert ids(origin="https://kindstep.example.org:notaport") == ["kindstep.E007"]
    assert ids(origin="https://kindstep.example.org/?a=1") == ["kindstep.E007"]
    assert ids(origin="https://someone:pw@kindstep.example.org") == ["kindstep.E007"]
    assert ids(origin="https://kindstep.example.net") == ["kindstep.E008"]
    assert ids(secret_key="", debug=True, allowed_hosts=[]) == [
        "kindstep.E001", "kindstep.E003", "kindstep.E005"]


def test_the_bar_for_a_strong_key_is_djangos_own():
    from django.core.checks.security import base

    from kindstep import settings

    assert settings.SECRET_KEY_MIN_LENGTH == base.SECRET_KEY_MIN_LENGTH
    assert settings.SECRET_KEY_MIN_UNIQUE_CHARACTERS == base.SECRET_KEY_MIN_UNIQUE_CHARACTERS
    assert settings.SECRET_KEY_INSECURE_PREFIX == base.SECRET_KEY_INSECURE_PREFIX

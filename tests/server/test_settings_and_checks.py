"""Server mode's derived settings, kindstep's own checks, `kindstep migrate` and `check --deploy`.

Settings are read once per process, so each case reads them in a fresh Python
process with the environment under test.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kindstep.cli.common import EXIT_CONFIG, EXIT_REFUSED
from tests.server.conftest import HOST, ORIGIN, base_env, production_env, run, tables

SHOWN = ["MODE", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SECURE_PROXY_SSL_HEADER",
         "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
         "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
         "SESSION_COOKIE_NAME", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE",
         "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_NAME", "CSRF_COOKIE_SAMESITE",
         "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "X_FRAME_OPTIONS", "DEBUG"]


def settings_in(env: dict[str, str]) -> dict:
    code = ("import json; from django.conf import settings; "
            f"print(json.dumps({{n: getattr(settings, n) for n in {SHOWN!r}}}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, env=env | {"DJANGO_SETTINGS_MODULE": "kindstep.settings"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_server_settings_follow_from_the_origin(tmp_path):
    # Reading the settings opens no database: a name that does not exist is fine here.
    env = production_env(tmp_path, "postgresql://postgres@127.0.0.1:5432/not_opened",
                         KINDSTEP_ALLOWED_HOSTS=f" {HOST} , .example.org ,",
                         KINDSTEP_ORIGIN=ORIGIN + "/")
    s = settings_in(env)
    assert s["MODE"] == "server"
    assert s["ALLOWED_HOSTS"] == [HOST, ".example.org"]
    assert s["CSRF_TRUSTED_ORIGINS"] == [ORIGIN]  # the trailing slash is dropped
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SECURE_HSTS_PRELOAD"] is False
    assert s["SESSION_COOKIE_SECURE"] is s["CSRF_COOKIE_SECURE"] is True
    assert s["SESSION_COOKIE_HTTPONLY"] is s["CSRF_COOKIE_HTTPONLY"] is True
    assert s["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert s["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert (s["SESSION_COOKIE_SAMESITE"], s["CSRF_COOKIE_SAMESITE"]) == ("Lax", "Strict")
    assert s["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert s["SECURE_REFERRER_POLICY"] == "same-origin"
    assert s["X_FRAME_OPTIONS"] == "DENY"
    assert s["DEBUG"] is False


def test_hsts_can_be_shortened_while_trying_a_server_out(tmp_path):
    env = production_env(tmp_path, "postgresql://postgres@127.0.0.1:5432/not_opened",
                         KINDSTEP_HSTS_SECONDS="3600")
    assert settings_in(env)["SECURE_HSTS_SECONDS"] == 3600
    result = run(production_env(tmp_path, "postgresql://postgres@127.0.0.1:5432/not_opened",
                                KINDSTEP_HSTS_SECONDS="an hour"), "check")
    assert result.returncode == EXIT_CONFIG
    assert result.stderr.strip() == "KINDSTEP_HSTS_SECONDS should be a whole number, not 'an hour'."


def test_local_mode_keeps_its_settings(tmp_path):
    s = settings_in(base_env(tmp_path))
    assert s["MODE"] == "local"
    assert s["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]", "testserver"]
    assert s["CSRF_TRUSTED_ORIGINS"] == []
    assert s["SECURE_PROXY_SSL_HEADER"] is None
    assert s["SECURE_SSL_REDIRECT"] is False
    assert s["SECURE_HSTS_SECONDS"] == 0
    assert s["SESSION_COOKIE_SECURE"] is s["CSRF_COOKIE_SECURE"] is False
    assert s["CSRF_COOKIE_NAME"] == "csrftoken"


def test_kindstep_check_holds_server_modes_refusals_as_errors(settings):
    """Settings changed after start (here, a test's) are still caught by the same rule."""
    from django.core.checks import Error, run_checks

    settings.MODE = "server"
    settings.DEBUG = True
    settings.SECRET_KEY = "Zebra-77"
    settings.ALLOWED_HOSTS = [HOST]
    settings.ORIGIN = ORIGIN
    found = [m for m in run_checks(tags=["kindstep"]) if m.id.startswith("kindstep.")]
    assert {m.id for m in found} == {"kindstep.E002", "kindstep.E003", "kindstep.E004"}
    assert all(isinstance(m, Error) for m in found)
    assert all("Zebra-77" not in m.msg for m in found)

    settings.MODE = "local"
    assert [m for m in run_checks(tags=["kindstep"]) if m.id.startswith("kindstep.")] == []


def test_check_in_local_mode_is_clean_and_deploy_is_kindly_declined(tmp_path):
    env = base_env(tmp_path)
    result = run(env, "check")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    declined = run(env, "check", "--deploy")
    assert declined.returncode == EXIT_REFUSED
    assert declined.stderr.strip() == (
        "--deploy checks a public server's settings; local mode listens on this machine only "
        "and needs none. Set KINDSTEP_MODE=server (and its settings) to check a server.")


@pytest.mark.postgres
def test_migrate_then_check_deploy_reports_nothing(tmp_path, pg_database):
    env = production_env(tmp_path, pg_database)

    waiting = run(env, "check", "--deploy")  # a new database: the one thing to do is migrate
    assert waiting.returncode == EXIT_CONFIG
    assert "(kindstep.W001)" in waiting.stderr and "`kindstep migrate` applies them" in waiting.stderr
    assert "security." not in waiting.stderr
    assert tables(pg_database) == set()

    first = run(env, "migrate")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Bringing the database up to date (")
    assert first.stdout.rstrip().endswith("Done: the database is up to date.")
    assert {"kindstep_person", "auth_user", "django_migrations"} <= tables(pg_database)

    again = run(env, "migrate")
    assert again.returncode == 0
    assert again.stdout == "The database is already up to date; nothing was changed.\n"

    clean = run(env, "check", "--deploy")
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout == "System check identified no issues (1 silenced).\n"
    assert clean.stderr == ""


@pytest.mark.postgres
def test_check_says_kindly_when_the_database_cannot_be_reached(tmp_path):
    env = production_env(tmp_path, "postgresql://postgres@127.0.0.1:1/kindstep")
    result = run(env, "check")
    assert result.returncode == 74
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("kindstep can't reach its database (")
    assert "KINDSTEP_DATABASE_URL is right" in result.stderr


def test_migrate_in_local_mode_prepares_the_file_that_first_use_would(tmp_path):
    env = base_env(tmp_path)
    first = run(env, "migrate")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Bringing the database up to date (")
    assert (tmp_path / "data" / "kindstep.sqlite3").is_file()
    again = run(env, "migrate")
    assert again.stdout == "The database is already up to date; nothing was changed.\n"
    logged = run(env, "log", "walk", "10")  # the everyday commands find it ready
    assert logged.returncode == 0, logged.stderr


# -- server mode's account settings ---------------------------------------------------------


@pytest.mark.parametrize(("changes", "says"), [
    ({"KINDSTEP_SIGNUP": "everyone"}, "KINDSTEP_SIGNUP should be invite, open or closed, not 'everyone'."),
    ({"KINDSTEP_OIDC_URL": "https://id.example.org"}, "Signing in through OpenID Connect also "
     "needs KINDSTEP_OIDC_CLIENT_ID, KINDSTEP_OIDC_SECRET."),
    ({"KINDSTEP_OIDC_URL": "http://id.example.org", "KINDSTEP_OIDC_CLIENT_ID": "kindstep",
      "KINDSTEP_OIDC_SECRET": "s3cret"},
     "KINDSTEP_OIDC_URL should be the provider's https address (plain http only on this "
     "machine: 127.0.0.1 or localhost), not 'http://id.example.org'."),
    ({"KINDSTEP_OIDC_URL": "http://localhost.example.org", "KINDSTEP_OIDC_CLIENT_ID": "kindstep",
      "KINDSTEP_OIDC_SECRET": "s3cret"},
     "KINDSTEP_OIDC_URL should be the provider's https address (plain http only on this "
     "machine: 127.0.0.1 or localhost), not 'http://localhost.example.org'."),
    ({"KINDSTEP_LOGIN_ATTEMPTS": "0"}, "KINDSTEP_LOGIN_ATTEMPTS should be at least 1, not 0."),
])
def test_an_account_setting_that_cannot_be_used_is_refused_in_one_line(tmp_path, changes, says):
    env = production_env(tmp_path, "postgresql://postgres@127.0.0.1:5432/not_opened", **changes)
    result = run(env, "check")
    assert result.returncode == EXIT_CONFIG
    assert result.stderr.strip() == says


def test_openid_connect_is_off_unless_configured(tmp_path):
    code = ("import json; from django.conf import settings; print(json.dumps(["
            "'allauth.socialaccount' in settings.INSTALLED_APPS, "
            "getattr(settings, 'SOCIALACCOUNT_PROVIDERS', {})]))")
    env = production_env(tmp_path, "postgresql://postgres@127.0.0.1:5432/not_opened")
    read = lambda e: json.loads(subprocess.run(  # noqa: E731
        [sys.executable, "-c", code], env=e | {"DJANGO_SETTINGS_MODULE": "kindstep.settings"},
        capture_output=True, text=True, timeout=60, check=True).stdout)
    assert read(env) == [False, {}]
    on, providers = read(env | {"KINDSTEP_OIDC_URL": "https://id.example.org",
                                "KINDSTEP_OIDC_CLIENT_ID": "kindstep",
                                "KINDSTEP_OIDC_SECRET": "s3cret"})
    assert on is True
    assert providers["openid_connect"]["APPS"][0]["settings"] == {
        "server_url": "https://id.example.org", "oauth_pkce_enabled": True}


@pytest.mark.postgres
def test_check_deploy_is_clean_with_accounts_and_openid_connect(tmp_path, pg_database):
    env = production_env(tmp_path, pg_database, KINDSTEP_OIDC_URL="https://id.example.org",
                         KINDSTEP_OIDC_CLIENT_ID="kindstep", KINDSTEP_OIDC_SECRET="s3cret")
    assert run(env, "migrate").returncode == 0
    result = run(env, "check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert "socialaccount_socialaccount" in tables(pg_database)
    assert "kindstep_member" in tables(pg_database) and "kindstep_cache" in tables(pg_database)


def test_local_mode_loads_no_accounts_machinery(tmp_path):
    code = ("import sys; from kindstep.cli.main import run; sys.argv = ['kindstep', 'today']\n"
            "try:\n    run()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('allauth', 'django.contrib.auth',"
            " 'kindstep.accounts', 'argon2'))), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code], env=base_env(tmp_path), input="",
                            capture_output=True, text=True, timeout=120)
    assert "Starting gently" in result.stdout  # `kindstep today` ran in full
    assert result.stderr.strip().splitlines()[-1] == "[]", result.stderr

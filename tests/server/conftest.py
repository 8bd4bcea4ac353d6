"""Server mode's helpers: the real console script, real PostgreSQL databases, production settings."""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

SCRIPT = shutil.which("kindstep", path=str(Path(sys.executable).parent))
POSTGRES = os.environ.get("KINDSTEP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
"""The real PostgreSQL server the server-mode tests make their own databases on."""
ORIGIN = "https://kindstep.example.org"
HOST = "kindstep.example.org"


def strong_key() -> str:
    return secrets.token_urlsafe(50)


def base_env(tmp_path: Path) -> dict[str, str]:
    """This process's environment without any KINDSTEP_ or DJANGO_ variable, and a fresh data folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINDSTEP_", "DJANGO_"))}
    env["KINDSTEP_DATA_DIR"] = str(tmp_path / "data")
    return env


def production_env(tmp_path: Path, database_url: str, **changes: str | None) -> dict[str, str]:
    """Server mode with good production settings; ``changes`` replace (None: remove) variables."""
    env = base_env(tmp_path) | {
        "KINDSTEP_MODE": "server",
        "KINDSTEP_DATABASE_URL": database_url,
        "KINDSTEP_SECRET_KEY": strong_key(),
        "KINDSTEP_ALLOWED_HOSTS": HOST,
        "KINDSTEP_ORIGIN": ORIGIN,
    }
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    assert SCRIPT, "the kindstep console script is not installed (pip install -e .)"
    return subprocess.run([SCRIPT, *args], env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def request_keeping_cookies(port: int, cookies: dict[str, str], method: str, path: str,
                            body: bytes | None, headers: dict[str, str]
                            ) -> tuple[int, dict[str, str], bytes]:
    """One request to the server on ``port`` as a browser would send it: ``cookies`` go with
    it, and the cookies it sets are kept in ``cookies`` for the next."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    sent = dict(headers)
    if cookies:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    try:
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key] = rest.split(";", 1)[0]
        got = {name.lower(): value for name, value in response.getheaders()}
        return response.status, got, response.read()
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def pg_database():
    """A new, empty database on the real PostgreSQL server (its URL), dropped afterwards."""
    import psycopg

    name = f"kindstep_server_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def tables(database_url: str) -> set[str]:
    """The tables in the public schema of ``database_url``."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row[0] for row in rows}

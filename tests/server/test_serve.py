"""`kindstep serve` in server mode: gunicorn on loopback, on the real PostgreSQL, behind a "proxy".

The test plays the reverse proxy: it sends the public Host and X-Forwarded-Proto
headers a proxy terminating TLS for KINDSTEP_ORIGIN would send.
"""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import time

import pytest

from kindstep.cli.common import EXIT_REFUSED
from tests.server.conftest import (
    HOST,
    ORIGIN,
    SCRIPT,
    base_env,
    free_port,
    listening,
    production_env,
    run,
)

PROXIED = {"Host": HOST, "X-Forwarded-Proto": "https"}


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


@pytest.mark.postgres
def test_server_mode_serves_with_gunicorn_and_every_security_header(tmp_path, pg_database):
    env = production_env(tmp_path, pg_database)
    assert run(env, "migrate").returncode == 0
    port = free_port()
    proc = subprocess.Popen([SCRIPT, "serve", "--port", str(port), "--workers", "2"], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(300):
            if listening(port) or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert proc.poll() is None, proc.communicate()
        status, headers, html = get(port, "/history/", PROXIED)

        assert status == 302  # anyone not signed in is asked to sign in first
        assert headers["Location"] == "/accounts/login/?next=/history/"
        status, headers, html = get(port, "/accounts/login/", PROXIED)
        assert status == 200 and 'name="password"' in html and "Your record is yours alone" in html
        assert "/help-now/" in html
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert headers["Server"] == "gunicorn"

        status, _, html = get(port, "/help-now/", PROXIED)  # help needs no account
        assert status == 200 and "emergency" in html.lower()

        status, headers, _ = get(port, "/today/?x=1", {"Host": HOST})  # plain http: to https
        assert status == 301 and headers["Location"] == f"{ORIGIN}/today/?x=1"
        status, _, _ = get(port, "/", {"Host": "evil.example.net", "X-Forwarded-Proto": "https"})
        assert status == 400
        status, headers, _ = get(port, "/static/kindstep/htmx.min.js", PROXIED)
        assert status == 200 and "max-age" in headers.get("Cache-Control", "")
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert out.startswith(f"kindstep (server mode) is starting on http://127.0.0.1:{port}/ "
                          f"with 2 worker(s), for {ORIGIN}")
    assert out.rstrip().endswith("kindstep has stopped.")
    assert out.count("kindstep has stopped.") == 1  # the workers leave quietly
    assert len(re.findall(r"Booting worker with pid", err)) == 2
    assert "Traceback" not in err
    assert "Shutting down: Master" in err
    assert not listening(port)


def test_default_workers_follow_the_cores():
    import os

    from kindstep.cli.serve import default_workers

    assert default_workers() == 2 * len(os.sched_getaffinity(0)) + 1


@pytest.mark.postgres
@pytest.mark.parametrize("workers", ["0", "257"])
def test_a_number_of_workers_out_of_range_is_refused(tmp_path, pg_database, workers):
    port = free_port()
    result = run(production_env(tmp_path, pg_database), "serve", "--port", str(port),
                 "--workers", workers)
    assert result.returncode == EXIT_REFUSED
    assert result.stderr.strip() == f"--workers is a number from 1 to 256; got {workers}."
    assert not listening(port)


@pytest.mark.postgres
def test_a_port_in_use_is_one_kind_line_in_server_mode_too(tmp_path, pg_database):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run(production_env(tmp_path, pg_database), "serve", "--port", str(port))
    assert result.returncode == EXIT_REFUSED
    assert len(result.stderr.strip().splitlines()) == 1
    assert f"could not listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr
    assert "gunicorn" not in result.stderr.lower()


def test_local_mode_has_no_workers_to_set(tmp_path):
    result = run(base_env(tmp_path), "serve", "--no-browser", "--workers", "3")
    assert result.returncode == EXIT_REFUSED
    assert result.stderr.strip() == ("--workers is for server mode; local mode serves one person "
                                     "from one process, so it needs none.")

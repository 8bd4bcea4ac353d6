"""Server mode (https behind a proxy, before sign-in exists): a phone can still install kindstep
and keep Help now for offline, since none of that holds anyone's data."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest

from tests.server.conftest import SCRIPT, free_port, listening, production_env, run
from tests.server.test_serve import PROXIED, get


@pytest.mark.postgres
def test_the_manifest_worker_install_and_offline_pages_answer_in_server_mode(tmp_path, pg_database):
    env = production_env(tmp_path, pg_database)
    assert run(env, "migrate").returncode == 0
    port = free_port()
    proc = subprocess.Popen([SCRIPT, "serve", "--port", str(port), "--workers", "1"], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(300):
            if listening(port) or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert proc.poll() is None, proc.communicate()
        status, headers, body = get(port, "/manifest.webmanifest", PROXIED)
        assert status == 200 and headers["Content-Type"] == "application/manifest+json"
        assert json.loads(body)["display"] == "standalone"
        status, headers, body = get(port, "/sw.js", PROXIED)
        assert status == 200 and headers["Service-Worker-Allowed"] == "/"
        assert "worker-src 'self'" in headers["Content-Security-Policy"]
        for path in ("/install/", "/offline/", "/help-now/"):
            status, _, _ = get(port, path, PROXIED)
            assert status == 200, path
        status, headers, _ = get(port, "/log/", PROXIED)  # a person's pages need signing in
        assert status == 302 and headers["Location"].startswith("/accounts/login/")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)

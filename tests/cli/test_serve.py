"""`kindstep serve`: loopback only in local mode, a kind refusal otherwise, and a real server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kindstep.cli.serve import is_loopback

SCRIPT = shutil.which("kindstep", path=str(Path(sys.executable).parent))


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_addresses_are_allowed(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "example.org", ""])
def test_other_addresses_are_not_loopback(host):
    assert not is_loopback(host)


def _env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINDSTEP_", "DJANGO_"))}
    env["KINDSTEP_DATA_DIR"] = str(tmp_path / "data")
    return env


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20"])
def test_local_mode_refuses_to_listen_beyond_this_machine(tmp_path, host):
    result = subprocess.run([SCRIPT, "serve", "--no-browser", "--host", host], env=_env(tmp_path),
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert "only listens on this machine" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_port_in_use_gets_a_kind_message(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = subprocess.run([SCRIPT, "serve", "--no-browser", "--port", str(port)],
                                env=_env(tmp_path), capture_output=True, text=True, timeout=60,
                                stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert "could not listen" in result.stderr and "--port" in result.stderr


def test_serve_answers_pages_and_static_files_with_a_strict_policy(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([SCRIPT, "serve", "--no-browser", "--port", str(port)], env=_env(tmp_path),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as page:
                    html = page.read().decode()
                    csp = page.headers["Content-Security-Policy"]
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("kindstep serve did not answer")
        assert "What feels possible today?" in html
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        with urllib.request.urlopen(base + "/static/kindstep/htmx.min.js", timeout=5) as js:
            assert js.status == 200 and b"htmx" in js.read()
    finally:
        proc.terminate()
        proc.wait(timeout=10)

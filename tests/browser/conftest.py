"""Browser tests: a real `kindstep serve` on a real SQLite file, driven in Debian's Chromium.

No downloaded browser and no mocked server: each test gets a fresh data folder
and its own server process on a free loopback port, and one Chromium serves
the whole run (`executable_path="/usr/bin/chromium"`).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KINDSTEP_CHROMIUM", "/usr/bin/chromium")
SCRIPT = shutil.which("kindstep", path=str(Path(sys.executable).parent))
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running `kindstep serve` with its own data folder, and the CLI on the same data."""

    def __init__(self, data_dir: Path, **settings: str):
        self.data_dir = data_dir
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("KINDSTEP_", "DJANGO_"))}
        self.env["KINDSTEP_DATA_DIR"] = str(data_dir)
        self.env.update(settings)  # KINDSTEP_ settings a test runs the server with
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.start()

    def start(self, pythonpath: Path | None = None) -> None:
        """Start `kindstep serve` on this port and data; ``pythonpath``: another copy of kindstep."""
        env = dict(self.env, PYTHONPATH=str(pythonpath)) if pythonpath else self.env
        self.process = subprocess.Popen(
            [SCRIPT, "serve", "--no-browser", "--port", str(self.port)],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/help-now/", timeout=2).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    out = self.process.stdout.read().decode() if self.process.stdout else ""
                    raise RuntimeError(f"kindstep serve did not start:\n{out}") from None
                time.sleep(0.1)

    def cli(self, *args: str) -> dict | list | str:
        """Run the kindstep CLI on the same data; parse JSON when --json was asked for."""
        out = subprocess.run([SCRIPT, *args], env=self.env, capture_output=True, text=True,
                             stdin=subprocess.DEVNULL, check=True).stdout
        return json.loads(out) if "--json" in args else out

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: scripts/test installs Debian's chromium.")
    from tests.playwright_once import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def server(tmp_path):
    assert SCRIPT, "the kindstep console script is not installed (scripts/install --test)"
    s = Server(tmp_path / "data")
    yield s
    s.stop()


@pytest.fixture
def page(browser, server):
    """A phone-sized page (390x844) on a fresh server; CSP errors fail the test."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server.url)
    pg = context.new_page()
    problems: list[str] = []
    # A re-rendered form answers 422 by design; Chromium logs that as a failed resource.
    pg.on("console", lambda m: problems.append(m.text)
          if m.type == "error" and "status of 422" not in m.text else None)
    pg.on("pageerror", lambda e: problems.append(str(e)))
    pg.problems = problems
    yield pg
    context.close()
    assert not problems, f"the browser reported errors: {problems}"

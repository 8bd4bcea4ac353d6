"""Fault injection shared by the reliability tests and ``bench/soak.py``.

- :func:`kill_import`: a real ``kindstep import`` of an Apple Health export, killed with
  SIGKILL after a given delay; :func:`state` then reads the SQLite file as a fresh
  process would (WAL recovery included).
- :func:`log_concurrently`: several processes, each running the ``kindstep`` console
  script's entry point in a loop (``python -m tests.reliability.faults worker ...``), all
  logging into one SQLite database at once.
- :func:`serve` and :class:`WebClient`: a real ``kindstep serve`` on the same data, and a
  person's browser without JavaScript (cookies, the CSRF token, form posts);
  :func:`post_concurrently` runs web clients in threads beside the CLI processes.

SQLite's own account of what a crash may and may not do is at
https://www.sqlite.org/atomiccommit.html and https://www.sqlite.org/howtocorrupt.html.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import io
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = shutil.which("kindstep", path=str(Path(sys.executable).parent)) or shutil.which("kindstep")
IMPORTED = ("kindstep_health_record", "kindstep_health_workout", "kindstep_daily_measure",
            "kindstep_session")
"""The tables an Apple Health import writes to (workouts become sessions too)."""


def env(data_dir: Path) -> dict[str, str]:
    """The environment of a person's terminal, with kindstep's data in ``data_dir``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KINDSTEP_", "DJANGO_"))}
    return {**clean, "KINDSTEP_DATA_DIR": str(data_dir), "TZ": "UTC"}


def kindstep(data_dir: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The installed console script, run to the end."""
    return subprocess.run([SCRIPT, *args], env=env(data_dir), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


def health_export(out: Path, records: int) -> Path:
    """A deterministic synthetic export.xml (tests/importers/gen_health_export.py)."""
    from tests.importers import gen_health_export as gen

    if not out.exists():
        with contextlib.redirect_stdout(io.StringIO()):
            gen.main(["--records", str(records), "--years", "1", "--route-interval", "60",
                      "--ecg", "0", "--out", str(out)])
    return out


def kill_import(data_dir: Path, export: Path, delay: float) -> bool:
    """Start ``kindstep import export`` and SIGKILL it after ``delay`` seconds.

    Returns True when the kill landed (the import was still running), False when
    the import had already finished.
    """
    proc = subprocess.Popen([SCRIPT, "import", str(export)], env=env(data_dir),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def state(data_dir: Path) -> dict:
    """What a fresh process finds: integrity_check, foreign_key_check and row counts."""
    con = sqlite3.connect(data_dir / "kindstep.sqlite3")
    try:
        return {
            "integrity": con.execute("PRAGMA integrity_check").fetchall(),
            "foreign_keys": con.execute("PRAGMA foreign_key_check").fetchall(),
            "counts": {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in IMPORTED},
        }
    finally:
        con.close()


def log_concurrently(data_dir: Path, workers: int, each: int) -> list[dict]:
    """``workers`` processes at once, each logging ``each`` sessions; their reports."""
    procs = [subprocess.Popen([sys.executable, "-m", "tests.reliability.faults", "worker",
                               str(w), str(each)], cwd=ROOT, env=env(data_dir),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for w in range(workers)]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        report = json.loads(out.strip().splitlines()[-1])
        report["stderr"] = err
        report["returncode"] = proc.returncode
        reports.append(report)
    return reports


class WebClient:
    """A person's browser without JavaScript: cookies, the CSRF token, form posts."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def token(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            body = response.read().decode()
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1]

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        """The status after redirects, and the page."""
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": self.token(path), **fields})
        request = urllib.request.Request(self.base + path, data=data.encode(),
                                         headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(data_dir: Path):
    """A running ``kindstep serve`` on ``data_dir`` (the Popen has ``.url``), stopped after."""
    port = _free_port()
    proc = subprocess.Popen([SCRIPT, "serve", "--no-browser", "--port", str(port)],
                            env=env(data_dir), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proc.url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(proc.url + "/help-now/", timeout=2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("kindstep serve did not start") from None
            time.sleep(0.1)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def post_concurrently(base: str, clients: int, each: int) -> list[dict]:
    """``clients`` web clients in threads, each posting ``each`` sessions (notes
    ``web{client}-{i}``); each client's statuses and whether a page spoke of a lock."""
    reports = [{"client": n, "statuses": [], "locked": False} for n in range(clients)]

    def run(report: dict) -> None:
        person = WebClient(base)
        for i in range(each):
            status, body = person.post("/log/", {"activity": "walk", "minutes": "5",
                                                 "note": f"web{report['client']}-{i}"})
            report["statuses"].append(status)
            report["locked"] |= "locked" in body.lower()

    threads = [threading.Thread(target=run, args=(r,)) for r in reports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    return reports


def logged_notes(data_dir: Path) -> list[str]:
    con = sqlite3.connect(data_dir / "kindstep.sqlite3")
    try:
        return [n for (n,) in con.execute("SELECT note FROM kindstep_session")]
    finally:
        con.close()


def _worker(number: int, each: int) -> None:
    """Log ``each`` sessions through the console script's entry point, one command at a time.

    Each command is what `kindstep log` runs (its own connection use and transaction);
    only the interpreter start-up is shared. What the person would see is kept.
    """
    from kindstep.cli import main

    codes, shown = [], io.StringIO()
    real_out = sys.stdout
    for i in range(each):
        sys.argv = ["kindstep", "log", "walk", str(1 + i % 60), f"--note=w{number}-{i}"]
        with contextlib.redirect_stderr(shown), contextlib.redirect_stdout(io.StringIO()):
            try:
                main.run()
                codes.append(0)
            except SystemExit as leaving:
                codes.append(leaving.code or 0)
    sys.stdout = real_out
    print(json.dumps({"worker": number, "codes": codes, "shown": shown.getvalue()}))


if __name__ == "__main__" and sys.argv[1:2] == ["worker"]:
    _worker(int(sys.argv[2]), int(sys.argv[3]))
    time.sleep(0)

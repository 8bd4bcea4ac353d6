"""Fault injection shared by the reliability tests and ``bench/soak.py``.

- :func:`kill_import`: a real ``kindstep import`` of an Apple Health export, killed with
  SIGKILL after a given delay; :func:`state` then reads the SQLite file as a fresh
  process would (WAL recovery included).
- :func:`log_concurrently`: several processes, each running the ``kindstep`` console
  script's entry point in a loop (``python -m tests.reliability.faults worker ...``), all
  logging into one SQLite database at once.

SQLite's own account of what a crash may and may not do is at
https://www.sqlite.org/atomiccommit.html and https://www.sqlite.org/howtocorrupt.html.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
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

"""Export, bring back, back up, restore and lock a large record, through the installed CLI.

    .venv/bin/python bench/keeping.py [--sessions 100000]

A data folder gets ``--sessions`` sessions (written straight into SQLite, 120-character
notes), then each command runs as a person runs it, timed as a whole process. The
baseline, measured in the same run, is ``kindstep week`` on the same folder (start-up
and one small read) and a plain ``cp`` of the database file. Prints one line per step.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

SCRIPT = shutil.which("kindstep", path=str(Path(sys.executable).parent)) or "kindstep"
PASS = "correct horse battery"


def env(data: Path, **extra: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KINDSTEP_", "DJANGO_"))}
    return {**clean, "KINDSTEP_DATA_DIR": str(data), "TZ": "UTC", **extra}


def timed(args: list[str], environ: dict, stdin: str = "") -> float:
    start = time.perf_counter()
    done = subprocess.run(args, env=environ, input=stdin, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{args}: {done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100_000)
    n = parser.parse_args().sessions
    work = Path(tempfile.mkdtemp(prefix="kindstep-bench-keeping-"))
    one, two = work / "one", work / "two"
    subprocess.run([SCRIPT, "log", "walk", "10"], env=env(one), check=True, capture_output=True)
    db = one / "kindstep.sqlite3"
    with closing(sqlite3.connect(db)) as con, con:
        con.executemany(
            "INSERT INTO kindstep_session (person_id, day, activity, minutes, met, note, "
            "created_at, source) VALUES (1, date('2020-01-01', ?), 'walk', 10, 2.8, ?, "
            "'2026-01-01 10:00:00', 'kindstep')",
            ((f"+{i % 2000} days", f"note {i} " + "x" * 110) for i in range(n)))
    size = db.stat().st_size / 1e6
    rows = [("baseline: kindstep week", timed([SCRIPT, "week"], env(one))),
            ("baseline: cp of the file", timed(["cp", str(db), str(work / "copy")], env(one)))]
    rows.append(("kindstep export", timed([SCRIPT, "export", str(work / "e.json")], env(one))))
    rows.append(("kindstep import (into an empty folder)",
                 timed([SCRIPT, "import", str(work / "e.json")], env(two))))
    rows.append(("kindstep import (again: all already here)",
                 timed([SCRIPT, "import", str(work / "e.json")], env(two))))
    rows.append(("kindstep backup", timed([SCRIPT, "backup", str(work / "b.sqlite3")], env(one))))
    rows.append(("kindstep restore", timed([SCRIPT, "restore", str(work / "b.sqlite3")], env(one))))
    rows.append(("kindstep lock set", timed([SCRIPT, "lock", "set"], env(one), PASS + "\n")))
    locked = env(one, KINDSTEP_PASSPHRASE=PASS)
    rows.append(("kindstep week, locked (passphrase given)", timed([SCRIPT, "week"], locked)))
    rows.append(("kindstep lock off", timed([SCRIPT, "lock", "off"], locked)))
    print(f"{n:,} sessions, database {size:.1f} MB, export "
          f"{(work / 'e.json').stat().st_size / 1e6:.1f} MB")
    for name, seconds in rows:
        print(f"{name:45s} {seconds * 1000:8.0f} ms")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()

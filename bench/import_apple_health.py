"""Benchmark: kindstep's Apple Health import against healthkit-to-sqlite, in one run.

    .venv/bin/python bench/import_apple_health.py [--sizes 100000 1000000] [--skip-h2s]

For each size it generates an ``export.zip`` with the generator
(``tests/importers/gen_health_export.py``, a copy of
``../shared/tools/gen_health_export.py``), imports it with healthkit-to-sqlite
(installed on first use into ``bench/.work/h2s-venv``, git-ignored) and with
kindstep (a fresh SQLite file), each in a child process of its own, and
prints wall time, records/s and peak RSS for both, with their ratio.

Peak RSS is measured per child with ``/usr/bin/time`` as the launcher (or a
small Python launcher when it is missing): a child started straight from
this process would inherit this process's own peak (Linux carries the
parent's high-water mark across fork/vfork and exec into the child's
``ru_maxrss``), which is how an earlier version reported 302 MB for a
re-import that peaks below 100 MB. kindstep's figure is the largest of its
processes; the main process and its helpers (parse parts, route reader)
are also shown apart. Then it imports a *newer* export
— the same one plus 5 % more records, workouts and summaries dated after it,
as the phone's next full export would be — into the same database and
prints its time and the rows it added (which must equal the new items).

Everything lands in ``bench/.work/``. It takes a few minutes at 1M records.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
GEN = ROOT / "tests" / "importers" / "gen_health_export.py"
H2S_VENV = WORK / "h2s-venv"

CHILD = r"""
import json, os, sys, time
t0 = time.perf_counter()
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kindstep.settings")
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from kindstep.store import models
from kindstep.store.health_import import import_apple_health
person = models.Person.objects.order_by("id").first() or models.Person.objects.create()
t1 = time.perf_counter()
summary = import_apple_health(person, sys.argv[1])
t2 = time.perf_counter()
import resource
main_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
helpers_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"summary": summary.as_dict(), "import_s": t2 - t1, "startup_s": t1 - t0,
                  "main_kib": main_kib, "helpers_kib": helpers_kib}))
"""

LAUNCHER = r"""
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
with open(sys.argv[1], "w") as fp:
    fp.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_child(cmd: list[str], env: dict | None = None) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KiB) of this one child (and its own children), and its stdout.

    The child is started by a small launcher (``/usr/bin/time``, else a tiny
    Python process), so its ``ru_maxrss`` starts from the launcher's few MB
    rather than from this process's high-water mark.
    """
    out = WORK / "child.out"
    rss_file = WORK / "child.rss"
    rss_file.unlink(missing_ok=True)
    if os.path.exists("/usr/bin/time"):
        launch = ["/usr/bin/time", "-q", "-f", "%M", "-o", str(rss_file)]
    else:
        launch = [sys.executable, "-c", LAUNCHER, str(rss_file)]
    with open(out, "wb") as fp, open(WORK / "child.err", "wb") as errfp:
        t = time.perf_counter()
        proc = subprocess.run([*launch, *cmd], stdout=fp, stderr=errfp, env=env)
        wall = time.perf_counter() - t
    if proc.returncode != 0:
        err = (WORK / "child.err").read_text(errors="replace")
        raise SystemExit(f"{cmd[0]} exited with {proc.returncode}:\n{err[-3000:]}")
    rss = int(rss_file.read_text().split()[-1])
    return wall, rss, out.read_text(errors="replace")


def generate(out: Path, *args: str) -> dict:
    if out.exists():
        return {}
    proc = subprocess.run([sys.executable, str(GEN), "--out", str(out), *args],
                          check=True, capture_output=True, text=True)
    return json.loads(proc.stdout)


def newer_export(base: Path, records: int, out: Path) -> int:
    """``base`` plus ~5 % more items dated after it (a later full export); returns the new items."""
    if out.exists():
        out.unlink()
    days = max(1, round(0.05 * 3 * 365.25))
    later = WORK / f"later-{records}.zip"
    generate(later, "--records", str(records), "--seed", "2", "--end-date", "2024-08-24",
             "--years", f"{days / 365.25:.6f}", "--no-dtd", "--ecg", "0", "--cda-every", "0")

    def sections(zf: zipfile.ZipFile, name: str):
        head, parts = [], {"R": [], "W": [], "A": []}
        state = "H"
        with zf.open(name) as fp:
            for raw in io.TextIOWrapper(fp, "utf-8"):
                if state == "H":
                    head.append(raw)
                    if raw.startswith(" <Me "):
                        state = "R"
                        yield "head", "".join(head)
                    continue
                if raw.startswith(" <Workout "):
                    state = "W"
                elif raw.startswith(" <ActivitySummary "):
                    state = "A"
                elif raw.startswith("</HealthData>"):
                    break
                yield state, raw

    new_items = 0
    with zipfile.ZipFile(later) as lz:
        later_parts: dict[str, list[str]] = {"R": [], "W": [], "A": []}
        for state, raw in sections(lz, "apple_health_export/export.xml"):
            if state == "head":
                export_date = [x for x in raw.splitlines() if "<ExportDate" in x][0]
            else:
                later_parts[state].append(raw)
                new_items += raw.startswith((" <Record ", " <Workout ", " <ActivitySummary "))
        later_routes = [n for n in lz.namelist() if n.endswith(".gpx")]
        with zipfile.ZipFile(base) as bz, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as oz:
            with oz.open("apple_health_export/export.xml", "w", force_zip64=True) as dst:
                state_done = {"R": False, "W": False}
                buf: list[str] = []

                def emit(text: str) -> None:
                    buf.append(text)
                    if len(buf) > 4096:
                        dst.write("".join(buf).encode())
                        buf.clear()

                current = "R"
                for state, raw in sections(bz, "apple_health_export/export.xml"):
                    if state == "head":
                        # The newer export's date, so the later items fall inside it.
                        emit("".join(export_date + "\n" if "<ExportDate" in x else x
                                     for x in raw.splitlines(keepends=True)))
                        continue
                    if state != current:
                        for s in ("R", "W"):
                            if s == current and not state_done[s]:
                                for line in later_parts[s]:
                                    emit(line)
                                state_done[s] = True
                        current = state
                    emit(raw)
                for line in later_parts["A"]:
                    emit(line)
                emit("</HealthData>\n")
                dst.write("".join(buf).encode())
            for zname, z in ((n, bz) for n in bz.namelist() if n.endswith(".gpx")):
                with z.open(zname) as src, oz.open(zname, "w") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
            for zname in later_routes:
                if zname in bz.namelist():
                    continue
                with lz.open(zname) as src, oz.open(zname, "w") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
    return new_items


def distinct_new(base: Path, newer: Path) -> int:
    """Distinct natural keys in ``newer`` that ``base`` lacks (duplicates inside a file count once)."""
    sys.path.insert(0, str(ROOT))
    from kindstep.importers import apple_health as ah

    def keys(path: Path) -> set[bytes]:
        sink = ah.CountingSink()
        with ah.open_export(path) as source:
            ah.parse_export(source, sink)
        return {k for k in sink.keys}

    return len(keys(newer) - keys(base))


def ensure_h2s() -> Path:
    exe = H2S_VENV / "bin" / "healthkit-to-sqlite"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(H2S_VENV)], check=True)
        subprocess.run([str(H2S_VENV / "bin" / "pip"), "install", "-q", "healthkit-to-sqlite"], check=True)
    return exe


def kindstep_import(zip_path: Path, db: Path) -> tuple[float, int, dict]:
    env = dict(os.environ, KINDSTEP_DATA_DIR=str(WORK / "data"),
               KINDSTEP_DATABASE_URL=f"sqlite:///{db}", KINDSTEP_MODE="local")
    wall, rss, out = run_child([sys.executable, "-c", CHILD, str(zip_path)], env)
    return wall, rss, json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--skip-h2s", action="store_true")
    args = ap.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    h2s = None if args.skip_h2s else ensure_h2s()
    print(f"machine: {os.cpu_count()} cores (shared), python {sys.version.split()[0]}", flush=True)
    rows = []
    for n in args.sizes:
        zip_path = WORK / f"export-{n}.zip"
        stats = generate(zip_path, "--records", str(n))
        items = None
        if stats:
            items = stats["records"] + stats["workouts"] + stats["activity_summaries"]
        print(f"\n== {n:,} records: {zip_path.name} ({zip_path.stat().st_size / 1e6:.0f} MB zip)", flush=True)
        line = {"records": n}
        if h2s is not None:
            out_db = WORK / f"h2s-{n}.db"
            out_db.unlink(missing_ok=True)
            wall, rss, _ = run_child([str(h2s), str(zip_path), str(out_db)])
            line["h2s"] = (wall, rss)
            print(f"healthkit-to-sqlite  wall {wall:7.2f} s  {n / wall:>9,.0f} records/s  peak RSS {rss / 1024:6.1f} MB", flush=True)
        db = WORK / f"kindstep-{n}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        wall, rss, out = kindstep_import(zip_path, db)
        line["kindstep"] = (wall, rss)
        s = out["summary"]
        print(f"kindstep             wall {wall:7.2f} s  {n / wall:>9,.0f} records/s  peak RSS {rss / 1024:6.1f} MB"
              f"  (import {out['import_s']:.2f} s, start-up+migrate {out['startup_s']:.2f} s;"
              f" added {s['added']:,}, skipped {s['skipped']};"
              f" RSS main {out['main_kib'] / 1024:.1f} MB, largest helper {out['helpers_kib'] / 1024:.1f} MB)",
              flush=True)
        if items is not None and s["added"] != items:
            print(f"  note: generator reported {items:,} items", flush=True)
        if h2s is not None:
            ratio = line["h2s"][0] / wall
            print(f"ratio (healthkit-to-sqlite / kindstep wall): {ratio:.1f}x", flush=True)
        extra = max(1, n // 20)
        newer = WORK / f"newer-{n}.zip"
        newer_export(zip_path, extra, newer)
        # In a child of its own: key sets of 1M items would otherwise swell this process, and
        # Linux carries a parent's peak RSS across fork+exec into the next child's ru_maxrss.
        new_items = int(subprocess.run(
            [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]);"
             " from bench.import_apple_health import distinct_new; from pathlib import Path;"
             " print(distinct_new(Path(sys.argv[2]), Path(sys.argv[3])))",
             str(ROOT), str(zip_path), str(newer)],
            check=True, capture_output=True, text=True).stdout.strip())
        wall2, rss2, out2 = kindstep_import(newer, db)
        s2 = out2["summary"]
        print(f"kindstep re-import of a newer export (+{extra:,} records, {new_items:,} new distinct items):"
              f" wall {wall2:.2f} s (import {out2['import_s']:.2f} s), peak RSS {rss2 / 1024:.1f} MB"
              f" (main {out2['main_kib'] / 1024:.1f}, largest helper {out2['helpers_kib'] / 1024:.1f}),"
              f" added {s2['added']:,}, already present {s2['already_present']:,}"
              f" -> {'exactly the new items' if s2['added'] == new_items else 'MISMATCH'};"
              f" {wall2 / wall:.2f}x the first import's wall time", flush=True)
        rows.append(line)
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())

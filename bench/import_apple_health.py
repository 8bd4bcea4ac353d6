"""Benchmark: kindstep's Apple Health import against healthkit-to-sqlite, in one run.

    .venv/bin/python bench/import_apple_health.py [--sizes 100000 1000000] [--skip-h2s] [--rounds 3]

For each size it generates an ``export.zip`` with the generator
(``tests/importers/gen_health_export.py``), imports it with healthkit-to-sqlite
(installed on first use into ``bench/.work/h2s-venv``, git-ignored) and with
kindstep, each in a child process of its own, and prints wall time,
records/s and peak RSS for both, with their ratio. kindstep is timed as a
person runs it: the installed ``kindstep import export.zip --json``, the
whole command from start to exit, into a new data folder that a first
command (``kindstep week``, which creates the database once) has set up
before; that set-up is printed apart.

Peak RSS is measured per child with ``/usr/bin/time`` as the launcher (or a
small Python launcher when it is missing): a child started straight from
this process would inherit this process's own peak (Linux carries the
parent's high-water mark across fork/vfork and exec into the child's
``ru_maxrss``), which is how an earlier version reported 302 MB for a
re-import that peaks below 100 MB. kindstep's figure is that of its largest
process (the command itself or one of its parse and route helpers). Then it
imports a *newer* export
— the same one plus 5 % more records, workouts and summaries dated after it,
as the phone's next full export would be — into the same database and
prints its time and the rows it added (which must equal the new items).

With ``--baseline CHECKOUT`` it compares kindstep with kindstep instead: this
checkout's import against another checkout's (say, a worktree of main before
a change), ``--rounds`` times each in turn, wall and CPU seconds.

With ``--rounds N`` each size is imported N times, healthkit-to-sqlite and
kindstep in turn, and the median ratio is printed with its range: on a shared
machine the speed of both drifts by 10-40 % within minutes, and one round's
ratio can land anywhere in that band. Everything lands in ``bench/.work/``. It takes a few minutes at 1M records.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
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
        proc = subprocess.run([*launch, *cmd], stdout=fp, stderr=errfp, env=env, check=False)
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
        head = []
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
                export_date = next(x for x in raw.splitlines() if "<ExportDate" in x)
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


KINDSTEP = Path(sys.executable).with_name("kindstep")
"""The installed command, as a person runs it."""


def kindstep_env(db: Path) -> dict:
    return dict(os.environ, KINDSTEP_DATA_DIR=str(WORK / "data"),
                KINDSTEP_DATABASE_URL=f"sqlite:///{db}", KINDSTEP_MODE="local")


def kindstep_setup(db: Path, exe: Path = KINDSTEP) -> float:
    """A new data folder, made ready by a first command (untimed in the comparison); its seconds."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    wall, _, _ = run_child([str(exe), "week"], kindstep_env(db))
    return wall


def kindstep_import(zip_path: Path, db: Path, exe: Path = KINDSTEP) -> tuple[float, int, dict]:
    """``kindstep import ZIP --json``: wall seconds, peak RSS (KiB, largest process), summary."""
    wall, rss, out = run_child([str(exe), "import", str(zip_path), "--json"], kindstep_env(db))
    return wall, rss, json.loads(out)


def against_baseline(zip_path: Path, baseline: Path, rounds: int) -> None:
    """This checkout's import against another checkout's (``baseline``), in alternating rounds.

    Each round imports the same zip into a new data folder with both commands,
    the order swapped every round, and prints wall and CPU seconds (user +
    system of the command and its helpers); then the medians and the ratio.
    On a shared machine wall time follows the load; CPU time less so.
    """
    import resource

    exes = {"baseline": baseline / ".venv" / "bin" / "kindstep", "this": KINDSTEP}
    if not exes["baseline"].exists():
        raise SystemExit(f"{exes['baseline']} is missing: run scripts/install in {baseline} first")
    walls: dict[str, list[float]] = {k: [] for k in exes}
    cpus: dict[str, list[float]] = {k: [] for k in exes}
    for r in range(rounds):
        for name in (("baseline", "this") if r % 2 == 0 else ("this", "baseline")):
            db = WORK / f"kindstep-{name}.sqlite3"
            kindstep_setup(db, exes[name])
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall, rss, s = kindstep_import(zip_path, db, exes[name])
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            walls[name].append(wall)
            cpus[name].append(cpu)
            print(f"round {r + 1}: {name:8}  wall {wall:7.2f} s  CPU {cpu:7.2f} s"
                  f"  peak RSS {rss / 1024:6.1f} MB  added {s['added']:,}", flush=True)
    med = {k: (statistics.median(walls[k]), statistics.median(cpus[k])) for k in exes}
    print(f"median of {rounds}: baseline wall {med['baseline'][0]:.2f} s, CPU {med['baseline'][1]:.2f} s;"
          f" this wall {med['this'][0]:.2f} s, CPU {med['this'][1]:.2f} s;"
          f" this / baseline: wall {med['this'][0] / med['baseline'][0]:.3f},"
          f" CPU {med['this'][1] / med['baseline'][1]:.3f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--skip-h2s", action="store_true")
    ap.add_argument("--rounds", type=int, default=1,
                    help="import each size this many times, healthkit-to-sqlite and kindstep in turn,"
                         " and print the median ratio (a shared machine's speed drifts by 10-40%%)")
    ap.add_argument("--baseline", type=Path, metavar="CHECKOUT",
                    help="instead, compare this checkout's import with another checkout's (its"
                         " .venv/bin/kindstep; e.g. a worktree of main) in alternating rounds")
    args = ap.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    if args.baseline is not None:
        print(f"machine: {os.cpu_count()} cores (shared), python {sys.version.split()[0]}", flush=True)
        for n in args.sizes:
            zip_path = WORK / f"export-{n}.zip"
            generate(zip_path, "--records", str(n))
            print(f"\n== {n:,} records: {zip_path.name}, against {args.baseline}", flush=True)
            against_baseline(zip_path, args.baseline.resolve(), args.rounds)
        return 0
    h2s = None if args.skip_h2s else ensure_h2s()
    print(f"machine: {os.cpu_count()} cores (shared), python {sys.version.split()[0]}", flush=True)
    for n in args.sizes:
        zip_path = WORK / f"export-{n}.zip"
        stats = generate(zip_path, "--records", str(n))
        items = None
        if stats:
            items = stats["records"] + stats["workouts"] + stats["activity_summaries"]
        print(f"\n== {n:,} records: {zip_path.name} ({zip_path.stat().st_size / 1e6:.0f} MB zip)", flush=True)
        h2s_walls: list[float] = []
        walls: list[float] = []
        for round_ in range(1, args.rounds + 1):
            label = f"round {round_}: " if args.rounds > 1 else ""
            if h2s is not None:
                out_db = WORK / f"h2s-{n}.db"
                out_db.unlink(missing_ok=True)
                h_wall, h_rss, _ = run_child([str(h2s), str(zip_path), str(out_db)])
                h2s_walls.append(h_wall)
                print(f"{label}healthkit-to-sqlite  wall {h_wall:7.2f} s  {n / h_wall:>9,.0f} records/s"
                      f"  peak RSS {h_rss / 1024:6.1f} MB", flush=True)
            db = WORK / f"kindstep-{n}.sqlite3"
            setup = kindstep_setup(db)
            wall, rss, s = kindstep_import(zip_path, db)
            walls.append(wall)
            print(f"{label}kindstep             wall {wall:7.2f} s  {n / wall:>9,.0f} records/s"
                  f"  peak RSS {rss / 1024:6.1f} MB  (`kindstep import --json`, whole command; added"
                  f" {s['added']:,}, skipped {s['skipped']}; the data folder's first set-up before it,"
                  f" `kindstep week`: {setup:.2f} s)", flush=True)
            if items is not None and s["added"] != items:
                print(f"  note: generator reported {items:,} items", flush=True)
            if h2s is not None:
                print(f"{label}ratio (healthkit-to-sqlite / kindstep wall): {h_wall / wall:.1f}x", flush=True)
        if h2s is not None and args.rounds > 1:
            ratios = sorted(h / k for h, k in zip(h2s_walls, walls, strict=True))
            print(f"median of {args.rounds} rounds: healthkit-to-sqlite {statistics.median(h2s_walls):.2f} s,"
                  f" kindstep {statistics.median(walls):.2f} s; ratio median"
                  f" {statistics.median(ratios):.1f}x (range {ratios[0]:.1f}x to {ratios[-1]:.1f}x)",
                  flush=True)
        wall = statistics.median(walls)
        extra = max(1, n // 20)
        newer = WORK / f"newer-{n}.zip"
        newer_export(zip_path, extra, newer)
        # In a child of its own: key sets of 1M items would otherwise swell this process, and
        # Linux carries a parent's peak RSS across fork+exec into the next child's ru_maxrss.
        new_items = int(subprocess.run(
            [sys.executable, "-c", ("import sys; sys.path.insert(0, sys.argv[1]);"
                                    " from bench.import_apple_health import distinct_new;"
                                    " from pathlib import Path;"
                                    " print(distinct_new(Path(sys.argv[2]), Path(sys.argv[3])))"),
             str(ROOT), str(zip_path), str(newer)],
            check=True, capture_output=True, text=True).stdout.strip())
        wall2, rss2, s2 = kindstep_import(newer, db)
        print(f"kindstep re-import of a newer export (+{extra:,} records, {new_items:,} new distinct items):"
              f" wall {wall2:.2f} s, peak RSS {rss2 / 1024:.1f} MB,"
              f" added {s2['added']:,}, already present {s2['already_present']:,}"
              f" -> {'exactly the new items' if s2['added'] == new_items else 'MISMATCH'};"
              f" {wall2 / wall:.2f}x the first import's wall time"
              f"{' (its median)' if args.rounds > 1 else ''}", flush=True)
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())

"""Soak: the reliability suite's kill and concurrency loops, for minutes instead of seconds.

Run: .venv/bin/python bench/soak.py [--minutes 5] [--records 30000] [--workers 4] [--each 100]

Round after round, until the time is up, it alternates two faults on real SQLite files in
a temporary folder, with the installed ``kindstep`` console script:

- kill: ``kindstep import export.xml`` (a generated Apple Health export) is killed with
  SIGKILL at a random moment; then ``PRAGMA integrity_check`` and
  ``foreign_key_check`` must be clean and each table must hold none of the import or all
  of it. Every few kills the import is run to the end and its counts must be exact.
- concurrency: ``--workers`` processes log ``--each`` sessions each into one fresh
  database at once; every note must be there exactly once and nothing may be shown.
  Every other such round is mixed: half the writers are web clients posting the Log form
  to a running ``kindstep serve`` on the same database, half are CLI processes.

It prints one line per round and a summary (the figures docs/reliability.md publishes):
kills landed, partial imports seen, integrity failures, rows lost, rows duplicated,
messages shown. The exit status is 1 if any of those that must be 0 is not.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reliability import faults  # noqa: E402


def _write_together(folder: Path, workers: int, clients: int, each: int):
    """CLI processes and (when ``clients``) web clients of one ``kindstep serve``, at once."""
    if not clients:
        return faults.log_concurrently(folder, workers, each), []
    faults.kindstep(folder, "today")  # the database exists before the server opens it
    with faults.serve(folder) as server:
        web: list[dict] = []
        posting = threading.Thread(
            target=lambda: web.extend(faults.post_concurrently(server.url, clients, each)))
        posting.start()
        reports = faults.log_concurrently(folder, workers, each)
        posting.join()
    return reports, web


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=5)
    p.add_argument("--records", type=int, default=30_000)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--each", type=int, default=100)
    p.add_argument("--seed", type=int, default=19)
    args = p.parse_args()
    rng = random.Random(args.seed)
    tally = Counter()
    with tempfile.TemporaryDirectory(prefix="kindstep-soak-") as tmp:
        root = Path(tmp)
        export = faults.health_export(root / "export.xml", args.records)
        reference = root / "reference"
        faults.kindstep(reference, "log", "walk", "10")
        start = time.perf_counter()
        assert faults.kindstep(reference, "import", str(export)).returncode == 0
        seconds = time.perf_counter() - start
        whole = faults.state(reference)["counts"]
        print(f"export: {args.records} records; a clean import takes {seconds:.2f} s; "
              f"whole: {whole}", flush=True)
        end = time.monotonic() + args.minutes * 60
        round_ = 0
        data = None
        while time.monotonic() < end:
            round_ += 1
            if round_ % 4 == 0:  # concurrency, every other time the web and the CLI together
                folder = root / f"concurrent-{round_}"
                mixed = round_ % 8 == 0
                clients = args.workers // 2 if mixed else 0
                reports, web = _write_together(folder, args.workers - clients, clients,
                                               args.each)
                notes = Counter(faults.logged_notes(folder))
                expected = {f"w{w}-{i}" for w in range(args.workers - clients)
                            for i in range(args.each)}
                expected |= {f"web{c}-{i}" for c in range(clients) for i in range(args.each)}
                lost = len(expected - set(notes))
                doubled = sum(n - 1 for n in notes.values() if n > 1)
                shown = sum(bool(r["shown"] or r["stderr"]) or set(r["codes"]) != {0}
                            for r in reports)
                shown += sum(c["locked"] or set(c["statuses"]) != {200} for c in web)
                tally.update(sessions_logged=len(expected), sessions_lost=lost,
                             sessions_duplicated=doubled, processes_showing_errors=shown,
                             concurrency_rounds=1, mixed_rounds=int(mixed),
                             sessions_posted_on_the_web=clients * args.each)
                who = (f"{args.workers - clients} CLI + {clients} web" if mixed
                       else f"{args.workers} CLI")
                print(f"round {round_}: {who} x{args.each} logs: lost {lost}, "
                      f"duplicated {doubled}, writers that showed anything {shown}", flush=True)
                continue
            if data is None:
                data = root / f"data-{round_}"
                faults.kindstep(data, "log", "walk", "10")
                before = faults.state(data)["counts"]
            delay = rng.uniform(0.05, seconds)
            landed = faults.kill_import(data, export, delay)
            after = faults.state(data)
            partial = after["counts"] not in (before, whole)
            broken = after["integrity"] != [("ok",)] or after["foreign_keys"] != []
            tally.update(kills_tried=1, kills_landed=int(landed), partial_imports=int(partial),
                         integrity_failures=int(broken))
            print(f"round {round_}: kill at {delay:.2f} s: {'landed' if landed else 'too late'}, "
                  f"integrity {'ok' if not broken else after['integrity']}, "
                  f"{'PARTIAL ' + str(after['counts']) if partial else 'none or all'}", flush=True)
            if after["counts"] == whole or round_ % 4 == 3:  # finish it: the counts must be exact
                done = faults.kindstep(data, "import", str(export))
                exact = done.returncode == 0 and faults.state(data)["counts"] == whole
                tally.update(reruns=1, rerun_rows_wrong=int(not exact))
                data = None
    print("summary:", dict(sorted(tally.items())), flush=True)
    bad = ("partial_imports", "integrity_failures", "sessions_lost", "sessions_duplicated",
           "processes_showing_errors", "rerun_rows_wrong")
    return 1 if any(tally[k] for k in bad) else 0


if __name__ == "__main__":
    sys.exit(main())

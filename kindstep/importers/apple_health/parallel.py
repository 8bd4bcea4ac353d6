"""Parsing in several processes at once: the one door to it is :func:`parse_in_parts`.

A reader who wants to know what an import does can skip this module: the
result is the same as one process gives (tests compare them row for row).
It exists for speed on large exports, where a second core roughly halves
the parse. The store calls :func:`parse_in_parts` and :class:`RouteProcess`,
says how with a :class:`Parallel`, and reads the helpers' files back (their
layout is in :mod:`~kindstep.importers.apple_health.part_files`).

How: the XML is cut before top-level ``<Record`` elements into byte ranges
(:mod:`~kindstep.importers.apple_health.byte_ranges`). The importing process
parses the first range itself, straight into its own sink; each helper
process (a plain ``python -c`` child, never multiprocessing's spawn, which
would re-run the caller's main script) parses a later range, wrapped in a
synthetic ``<HealthData>`` so expat still checks every byte, into private
SQLite files (``part_files.PartSink``) that the store then copies in. Any part
that fails, or parts that do not fit together, and :func:`parse_in_parts`
returns None: the caller parses the whole file in one process instead — the
usual result or refusal, word for word.

Helpers read nothing of the person's database themselves: to leave out rows
already stored, the caller names a *filter* (``"module:factory"`` and its
JSON arguments, see ``part_files.KnownRows``) that each helper builds and asks.

Workout routes (GPX files) are summarised in a second process too, while
the XML is parsed (:class:`RouteProcess`); it writes nothing but JSON.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from kindstep.importers import hardening
from kindstep.importers.apple_health.byte_ranges import Part, head_max_day, split_targets
from kindstep.importers.apple_health.dates import NO_MAX_DAY
from kindstep.importers.apple_health.parse import ParseResult, Sink, parse_export
from kindstep.importers.apple_health.part_files import part_out
from kindstep.importers.apple_health.routes import RouteSummary
from kindstep.importers.apple_health.source import ExportSource
from kindstep.importers.hardening import Limits
from kindstep.importers.rows import ImportRefused

NEAR_DONE = 0.9
"""The share of the XML parsed at which ``first_done`` is called even though no part is done
yet: the route process then starts while the parts finish, rather than after the first one
ends (when the two parts end close together, it was the last thing waited for, 0.2-0.4 s)."""
ZIP_SKIP_COST = 0.03
"""Inflating a byte to skip it costs a few percent of parsing it (0.44 s per 420 MB vs 10+ s)."""
OWN_LEAD = -0.025
"""How much more of the file (here: less) the importing process parses when it parses the
first part itself. It starts at once while a helper first starts Python (~0.15 s) and
inflates what it skips, and its rows then need no copy, so with an even split it was done
about as early as the helper; with a little less it is usually done first and copies the
helper's finished files (:data:`PART_FILES`) while the helper ends its part. Measured on
1M records, seven alternating pairs: 9.48 s on average against 9.90 s with 0.02 and one
file (the tail after the helper is done halved, 0.3-0.4 s against 0.7-1 s)."""
PART_FILES = 4
"""Files a helper writes its part into, one after another. The importing process copies a
finished one in while it waits for the rest (when its own part is done first), instead
of copying the whole part only once the helper is done."""
PART_BATCH = 10_000
"""Rows a helper hands to its file at a time (the batch of :func:`parse_export`)."""
PARTS_MIN_BYTES = 32 * 1024 * 1024
"""XML from which parsing in several processes pays for their start-up (~0.1 s each)."""
MAX_PROCESSES = 4
ROUTE_PROCESS_MIN = 16
"""Route files from which a second process pays for its start-up (~0.2 s)."""


@dataclass(frozen=True)
class Parallel:
    """How an import uses several processes; the defaults are what was measured fastest.

    Tests pass small values to reach the edges (many files, tiny chunks).
    """

    processes: int | None = None
    """None: one per available core (at most :data:`MAX_PROCESSES`) for XML of
    :data:`PARTS_MIN_BYTES` or more, else one. 1: never in parts."""
    files: int = PART_FILES
    own_lead: float = OWN_LEAD
    batch_size: int = PART_BATCH
    chunk: int = hardening.CHUNK
    """Bytes read at a time by every part."""

    def processes_for(self, source: ExportSource) -> int:
        """How many processes to parse ``source`` in."""
        if self.processes is not None:
            return self.processes
        if source.xml_size < PARTS_MIN_BYTES:
            return 1
        try:
            cores = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cores = os.cpu_count() or 1
        return max(1, min(cores, MAX_PROCESSES))


def _python_env() -> dict[str, str]:
    """The environment of a child process, with this checkout first on its import path."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[3])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


@dataclass
class Parts:
    """What :func:`parse_in_parts` made: the helpers' SQLite files, and the combined counts."""

    dbs: list[str]
    """Every file the helpers wrote, in file order (see :data:`PART_FILES`)."""
    result: ParseResult
    workdir: str
    left_out: int = 0
    """Rows the parts left out because the database already stores them."""
    copied: int = 0
    """How many of ``dbs``, from the first, ``on_file`` was given while the helpers parsed."""

    def cleanup(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


def parse_in_parts(
    source: ExportSource,
    n: int,
    *,
    progress: Callable[[int, int, int], None] | None = None,
    first_done: Callable[[], None] | None = None,
    known: tuple[str, dict] | None = None,
    own: Sink | None = None,
    on_file: Callable[[str], None] | None = None,
    tuning: Parallel = Parallel(),
) -> Parts | None:
    """Parse the export's XML in ``n`` processes at once, each helper into private SQLite files.

    Returns None — after cleaning up — when any part fails or the parts do
    not fit together (a cut inside an element, a different encoding, an
    ExportDate after the first cut, too many items): the caller then parses
    the whole file in one process, which gives exactly the usual result or
    refusal. ``first_done`` is called when the first helper is done (a core
    is free again), or once :data:`NEAR_DONE` of the XML is parsed,
    whichever comes first. ``known`` names the filter by which helpers leave
    out rows already stored: ``("module:factory", kwargs)``, called in each
    helper to make a ``part_files.KnownRows``; the caller must keep what it reads
    from changing meanwhile.

    With ``own``, this process parses the first part itself, straight into
    ``own`` (the database's own sink), while the others parse theirs: one
    process fewer to start, and one part fewer to copy afterwards
    (``Parts.dbs`` then holds the other parts only). Should the parts not fit
    together, what ``own`` was given must be thrown away (the caller holds it
    in a transaction it rolls back).

    The first helper writes its part in ``tuning.files`` files, one after
    another, the others in one each. ``on_file(path)`` is given each file of
    the first helper's part that is finished while that helper still parses
    (and this process has nothing else to do), in order, so the caller can
    copy it in meanwhile; ``Parts.copied`` says how many were, and
    ``Parts.dbs`` still lists them. Should the parts then not fit together,
    what was copied must be thrown away with the rest.
    """
    run = _Run(source, progress, first_done)
    try:
        targets = split_targets(source.xml_size, n, ZIP_SKIP_COST if source.zip is not None else 0.0)
        if own is not None and n > 1:
            first = min(targets[0][1] + round(tuning.own_lead * source.xml_size),
                        targets[1][1] or source.xml_size)
            targets[0], targets[1] = (None, first), (first, targets[1][1])
        if not run.start_helpers(targets[1:] if own is not None else targets,
                                 first_is_own=own is not None, known=known, tuning=tuning):
            return None
        outs = []
        if own is not None:
            try:
                outs.append(run.parse_own(own, targets[0][1], tuning.chunk))
            except ImportRefused:
                return None  # the whole file in one process gives the true refusal
        copied = run.wait(on_file)
        helper_outs = run.results()
        if helper_outs is None:
            return None
        res = _combine(outs + helper_outs, [NO_MAX_DAY] * len(outs) + [j["max_day"] for j in run.jobs],
                       source.limits)
        if res is None:
            return None
        if progress is not None:
            progress(res.bytes_read, source.xml_size, res.items)
        dbs = [db for o in helper_outs for db in o["dbs"]]  # the copied ones first, as given
        run.keep = True
        return Parts(dbs, res, run.workdir, sum(o["left_out"] for o in outs + helper_outs), copied)
    finally:
        run.close()


def _combine(outs: list[dict], started: list[str], limits: Limits) -> ParseResult | None:
    """The counts of all parts in order, or None when they do not fit together."""
    if not all(o.get("ok") for o in outs):
        return None
    # The parts fit together only if each started from the state the one before ended in.
    for k in range(1, len(outs)):
        if outs[k - 1]["max_day"] != started[k]:
            return None
    if outs[0]["encoding"].lower() not in ("", "utf-8", "utf8"):
        return None
    res = ParseResult()
    for o in outs:
        res.records += o["records"]
        res.workouts += o["workouts"]
        res.summaries += o["summaries"]
        res.correlations += o["correlations"]
        res.skipped.update(o["skipped"])
        res.bytes_read += o["bytes_read"]
        res.notes += o["notes"]
        res.export_date = o["export_date"] or res.export_date
        res.max_day = o["max_day"]
        for f, key in o["routes"]:
            res.routes[f] = key
    res.had_dtd = outs[0]["had_dtd"]
    if (res.records + res.workouts + res.summaries + res.correlations > limits.max_items
            or sum(len(o["routes"]) for o in outs) >= limits.max_members):
        return None
    return res


class _Run:
    """The helpers of one :func:`parse_in_parts`: started, listened to, waited for, cleaned up."""

    def __init__(self, source: ExportSource, progress: Callable[[int, int, int], None] | None,
                 first_done: Callable[[], None] | None):
        self.source = source
        self.progress = progress
        self.first_done = first_done
        self.workdir = tempfile.mkdtemp(prefix="kindstep-health-")
        self.procs: list[subprocess.Popen] = []
        self.jobs: list[dict] = []
        self.done: list[tuple[int, int]] = []
        """Progress so far, (bytes, items) per helper; this process's own part, if any, is last."""
        self.finished: list[int] = []
        """Files each helper has finished so far."""
        self.sel = selectors.DefaultSelector()
        self.open_streams = 0
        self.keep = False
        """Whether the files are the caller's now (else they go when the run closes)."""

    def start_helpers(self, targets: list[tuple[int | None, int | None]], *, first_is_own: bool,
                      known: tuple[str, dict] | None, tuning: Parallel) -> bool:
        """One helper per target; False when a process cannot be had."""
        source = self.source
        guess = head_max_day(source)
        env = _python_env()
        for k, (lo, hi) in enumerate(targets, start=1 if first_is_own else 0):
            span = (hi if hi is not None else source.xml_size) - (lo or 0)
            count = max(1, tuning.files) if not self.jobs else 1  # only the first helper's are copied early
            dbs = [os.path.join(self.workdir, f"part{k}-{j}.sqlite3") for j in range(count)]
            job = {"path": str(source.path.resolve()), "xml_name": source.xml_name,
                   "limits": asdict(source.limits),
                   "lo": lo, "hi": hi, "max_day": NO_MAX_DAY if k == 0 else guess,
                   "known": known, "dbs": dbs,
                   "file_ends": [span * j // count for j in range(1, count)],
                   "chunk": tuning.chunk, "batch_size": tuning.batch_size,
                   "result": os.path.join(self.workdir, f"part{k}.json")}
            try:
                proc = subprocess.Popen(
                    [sys.executable, "-c",
                     "from kindstep.importers.apple_health.part_files import part_worker; part_worker()"],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                    env=env, cwd=self.workdir)
            except OSError:
                return False  # no process to be had: one process it is
            self.procs.append(proc)
            self.jobs.append(job)
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(json.dumps(job).encode())
                proc.stdin.close()
            except OSError:
                return False
            self.sel.register(proc.stdout, selectors.EVENT_READ, len(self.procs) - 1)
            self.open_streams += 1
        self.done = [(0, 0)] * (len(self.procs) + 1)
        self.finished = [0] * len(self.procs)
        return True

    def _first_done(self) -> None:
        if self.first_done is not None:
            first_done, self.first_done = self.first_done, None
            first_done()

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(sum(d[0] for d in self.done), self.source.xml_size,
                          sum(d[1] for d in self.done))

    def listen(self, timeout: float | None) -> None:
        """Read what the helpers said (progress lines, finished files, their end)."""
        for key, _ in self.sel.select(timeout):
            line = key.fileobj.readline()  # type: ignore[union-attr]
            if not line:
                self.sel.unregister(key.fileobj)
                self.open_streams -= 1
                self._first_done()
                continue
            if line.startswith(b"file "):
                self.finished[key.data] += 1
                continue
            try:
                b, i = line.split()
                self.done[key.data] = (int(b), int(i))
            except ValueError:
                continue
            self._report()

    def parse_own(self, own: Sink, hi: int | None, chunk: int) -> dict:
        """Parse the first part here, into ``own``, listening to the helpers between chunks."""
        def own_progress(b: int, _total: int, i: int) -> None:
            self.done[-1] = (b, i)
            if self.open_streams:
                self.listen(0)  # the others' news, without waiting for it
            else:
                self._report()
            if sum(d[0] for d in self.done) >= NEAR_DONE * self.source.xml_size:
                self._first_done()  # the route process starts up while the parts finish

        res = parse_export(self.source, own, progress=own_progress, part=Part(None, hi, NO_MAX_DAY),
                           chunk=chunk)
        self._first_done()
        return part_out(res)

    def wait(self, on_file: Callable[[str], None] | None) -> int:
        """Wait for every helper, giving ``on_file`` the first one's finished files; how many."""
        copied = 0
        procs = self.procs
        while self.open_streams:
            if on_file is not None and procs and copied < self.finished[0] and procs[0].poll() is None:
                on_file(self.jobs[0]["dbs"][copied])
                copied += 1
                self.listen(0)
                continue
            self.listen(None)
        for proc in procs:
            proc.wait()
        return copied

    def results(self) -> list[dict] | None:
        """What each helper reported, in order; None when one left no report."""
        outs = []
        for job in self.jobs:
            try:
                with open(job["result"], encoding="utf-8") as fp:
                    outs.append(json.load(fp))
            except (OSError, ValueError):
                return None
        return outs

    def close(self) -> None:
        self.sel.close()
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if not self.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)


# ---------------------------------------------------------------------------
# Routes, summarised in a process of their own
# ---------------------------------------------------------------------------


def summarise_routes(path: str, members: list[str], limits: Limits) -> dict[str, RouteSummary]:
    """Every route in ``members`` of the export at ``path``."""
    with ExportSource(path, limits) as source:
        return {m: source.read_route(m) for m in members}


def route_worker() -> None:
    """Entry point of the route process: JSON job on stdin, JSON summaries on stdout."""
    job = json.loads(sys.stdin.buffer.read())
    out = summarise_routes(job["path"], job["members"], Limits(**job["limits"]))
    sys.stdout.write(json.dumps({m: [r.points, r.distance_m, r.problem] for m, r in out.items()}))


class RouteProcess:
    """Route summaries worked out in a second process while the XML is parsed.

    Worth it on a first import of a zip with many routes (``first_time``:
    the person has no routes stored yet); otherwise nothing is started and
    :meth:`results` is empty, so the caller reads routes in-process. The
    child reads the zip itself and writes nothing but JSON to its stdout,
    so the import stays all or nothing.
    """

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.started = False

    def start(self, source: ExportSource, *, first_time: bool) -> None:
        """Start the process (once; later calls do nothing)."""
        if self.started:
            return
        self.started = True
        members = source.route_members()
        if not (first_time and len(members) >= ROUTE_PROCESS_MIN):
            return
        job = json.dumps({"path": str(source.path), "members": members,
                          "limits": asdict(source.limits)}).encode()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c",
                 "from kindstep.importers.apple_health.parallel import route_worker; route_worker()"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                env=_python_env())
        except OSError:
            self.proc = None
            return
        threading.Thread(target=self._send, args=(self.proc, job), daemon=True).start()

    @staticmethod
    def _send(proc: subprocess.Popen, job: bytes) -> None:
        with contextlib.suppress(OSError, ValueError):
            assert proc.stdin is not None
            proc.stdin.write(job)
            proc.stdin.close()

    def results(self) -> dict[str, RouteSummary]:
        """The summaries by member (empty with no process, or when it crashed)."""
        if self.proc is None:
            return {}
        try:
            assert self.proc.stdout is not None
            out = self.proc.stdout.read()
            self.proc.wait(timeout=60)
            data = json.loads(out or b"{}")
            return {m: RouteSummary(m, int(p), float(d), str(why)) for m, (p, d, why) in data.items()}
        except (ValueError, TypeError, subprocess.TimeoutExpired, OSError):
            return {}  # a crashed worker: routes are read in-process instead
        finally:
            self.close()

    def close(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            for stream in (self.proc.stdout, self.proc.stdin):
                with contextlib.suppress(OSError, ValueError):
                    if stream is not None:
                        stream.close()
            self.proc = None

"""A helper process's side of parsing in parts: its entry point and the SQLite files it writes.

Internal to :mod:`~kindstep.importers.apple_health.parallel`, which starts
the helpers; the store reads the files back (their four tables are below)
and maps the part's own type and source ids onto its own.
"""

from __future__ import annotations

import json
import os
import pkgutil
import sqlite3
import sys
import time
from collections.abc import Iterable
from typing import Protocol

from kindstep.importers.apple_health.byte_ranges import Part
from kindstep.importers.apple_health.handler import WorkoutInfo
from kindstep.importers.apple_health.parse import ParseResult, parse_export
from kindstep.importers.apple_health.source import ExportSource
from kindstep.importers.apple_health.sqlite_rows import insert_rows, plain_binding, values_of
from kindstep.importers.hardening import Limits
from kindstep.importers.rows import ImportRefused


class KnownRows(Protocol):
    """What a helper asks which of its rows are stored already (built from the caller's filter)."""

    def leave_out(self, rows: list[list], type_names: dict[int, str]) -> list[list]:
        """``rows`` less those already stored; ``type_names`` maps their type ids to names."""

    def close(self) -> None: ...


_PART_SCHEMA = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE s (id INTEGER PRIMARY KEY, name TEXT NOT NULL, version TEXT NOT NULL, device TEXT NOT NULL);
CREATE TABLE r (key BLOB NOT NULL, kind TEXT NOT NULL, type_id INTEGER NOT NULL, source_id INTEGER,
                unit TEXT, creation_date TEXT, start_date TEXT NOT NULL, end_date TEXT NOT NULL,
                value TEXT, metadata TEXT);
CREATE TABLE w (key BLOB NOT NULL, activity_type TEXT, source_name TEXT, start TEXT, "end" TEXT,
                minutes REAL, distance_m REAL, energy_kcal REAL, routes TEXT, inline_points INTEGER,
                inline_distance_m REAL);
"""
"""A part file: types (t), sources (s), raw rows (r) and workouts (w), with the part's own ids."""
_PART_ONE = "INSERT INTO r VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_PART_MANY = f"INSERT INTO r VALUES {values_of('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')}"


class PartSink:
    """The sink of a helper: private SQLite files with the part's own type and source ids.

    The importing process attaches each file and copies its rows with one
    ``INSERT … SELECT`` inside its own transaction, mapping the ids.
    ``known`` (see :class:`KnownRows`) leaves out rows already stored.
    """

    def __init__(self, path: str, known: KnownRows | None = None):
        self.paths = [path]
        """Every file written so far, in order; the last one is being written."""
        self.db = self._open(path)
        self.types: dict[str, int] = {}
        self.type_names: dict[int, str] = {}
        self.sources: dict[tuple[str, str, str], int] = {}
        self.known = known
        self.left_out = 0

    @staticmethod
    def _open(path: str) -> sqlite3.Connection:
        db = sqlite3.connect(path, isolation_level=None)
        db.executescript(_PART_SCHEMA)
        db.execute("BEGIN")
        return db

    def next_file(self, path: str) -> None:
        """Finish the file being written and go on in ``path`` (see ``parallel.PART_FILES``).

        The new file starts with every type and source met so far, so each
        file can be copied on its own; rows keep their order across files.
        """
        self.db.execute("COMMIT")
        self.db.close()
        self.db = self._open(path)
        self.db.executemany("INSERT INTO t VALUES (?, ?)", list(self.type_names.items()))
        self.db.executemany("INSERT INTO s VALUES (?, ?, ?, ?)",
                            [(i, *k) for k, i in self.sources.items()])
        self.paths.append(path)

    def type_id(self, name: str) -> int:
        i = self.types.get(name)
        if i is None:
            i = self.types[name] = len(self.types) + 1
            self.type_names[i] = name
            self.db.execute("INSERT INTO t VALUES (?, ?)", (i, name))
        return i

    def source_id(self, name: str, version: str, device: str) -> int:
        k = (name, version, device)
        i = self.sources.get(k)
        if i is None:
            i = self.sources[k] = len(self.sources) + 1
            self.db.execute("INSERT INTO s VALUES (?, ?, ?, ?)", (i, *k))
        return i

    def records(self, rows: list[list]) -> None:
        if self.known is not None:
            kept = self.known.leave_out(rows, self.type_names)
            self.left_out += len(rows) - len(kept)
            rows = kept
        insert_rows(self._executemany, _PART_ONE, _PART_MANY, rows)

    def _executemany(self, sql: str, params: list) -> int:
        return self.db.executemany(sql, params).rowcount

    def workouts(self, infos: list[WorkoutInfo]) -> None:
        self.db.executemany("INSERT INTO w VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            (i.key, i.activity_type, i.source_name, i.start, i.end, i.minutes, i.distance_m,
             i.energy_kcal, json.dumps(list(i.routes)), i.inline_points, i.inline_distance_m)
            for i in infos])

    def close(self) -> None:
        self.db.execute("COMMIT")
        self.db.close()
        if self.known is not None:
            self.known.close()


def part_workouts(rows: Iterable[tuple]) -> list[WorkoutInfo]:
    """WorkoutInfo values back from rows of a part file's ``w`` table."""
    return [WorkoutInfo(bytes(k), at, sn, s, e, m, d, en, tuple(json.loads(r)), ip, idist)
            for k, at, sn, s, e, m, d, en, r, ip, idist in rows]


def part_worker() -> None:
    """Entry point of a helper process: a JSON job on stdin; progress lines on stdout.

    Writes the rows to the job's SQLite files and the counts as JSON to its
    result file; any problem is reported there too, and the importing
    process then parses the whole file itself.
    """
    job = json.loads(sys.stdin.buffer.read())
    out: dict = {"ok": False}
    files = list(job["dbs"][1:])
    file_ends = list(job["file_ends"])
    sink: PartSink | None = None
    try:
        last = [0.0]

        def progress(done: int, total: int, items: int) -> None:
            while files and file_ends and done >= file_ends[0] and sink is not None:
                # Rows handed over so far are in the file being finished: the importing
                # process may copy it in while this one goes on.
                file_ends.pop(0)
                sink.next_file(files.pop(0))
                sys.stdout.write(f"file {len(sink.paths) - 2}\n")
                sys.stdout.flush()
            now = time.monotonic()
            if now - last[0] >= 0.2:
                last[0] = now
                sys.stdout.write(f"{done} {items}\n")
                sys.stdout.flush()

        known = None
        if job["known"] is not None:
            factory, kwargs = job["known"]
            known = pkgutil.resolve_name(factory)(**kwargs)
        with ExportSource(job["path"], Limits(**job["limits"])) as source, plain_binding():
            if source.xml_name != job["xml_name"]:
                raise ImportRefused("The export changed while it was being read.")
            sink = PartSink(job["dbs"][0], known)
            res = parse_export(source, sink, progress=progress, batch_size=job["batch_size"],
                               part=Part(job["lo"], job["hi"], job["max_day"]), chunk=job["chunk"])
            sink.close()
        out = part_out(res, sink.left_out)
        out["dbs"] = sink.paths
    except ImportRefused as exc:
        out = {"ok": False, "error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - reported; the caller parses in one process instead
        out = {"ok": False, "error": repr(exc)}
    tmp = job["result"] + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fp:
        json.dump(out, fp)
    os.replace(tmp, job["result"])


def part_out(res: ParseResult, left_out: int = 0) -> dict:
    """What a part reports when it is done (as JSON from a helper)."""
    return {"ok": True, "records": res.records, "workouts": res.workouts,
            "summaries": res.summaries, "correlations": res.correlations,
            "skipped": dict(res.skipped), "bytes_read": res.bytes_read,
            "had_dtd": res.had_dtd, "export_date": res.export_date,
            "routes": list(res.routes.items()), "notes": res.notes,
            "max_day": res.max_day, "encoding": res.encoding, "left_out": left_out}

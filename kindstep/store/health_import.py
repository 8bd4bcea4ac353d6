"""Load an Apple Health export into the store: one transaction, all or nothing, idempotent.

:func:`import_apple_health` is the action the CLI, the web upload page and
the lead's generic ``kindstep import`` call. It streams the export through
:func:`kindstep.importers.apple_health.parse_export` and writes with
``executemany`` in batches of 10,000 rows on Django's own connection, inside
one ``transaction.atomic()`` — on SQLite and PostgreSQL alike.

- Idempotent: every raw row carries its natural key; ``INSERT … ON CONFLICT
  DO NOTHING`` against the unique natural-key index means a second import
  adds nothing and a newer full export adds exactly what is new. Counts come
  from the table before and after (one process) or from the inserts' own
  row counts (several), so they are exact.
- All or nothing: a refused file raises ImportRefused from inside the
  transaction, which rolls back every row, dictionary entry and session.
  A file with control characters is parsed again with them removed (the
  first attempt rolled back), and the summary says how many went.
- Derived: each new workout becomes a ``MovementSession`` (source
  ``apple_health``, external_id = the key in hex) plus a ``HealthWorkout``
  with distance, energy and route; steps, mindful minutes and hours asleep
  per day are recomputed from the raw records into ``DailyMeasure``. A
  session the person deleted is not brought back by a later import.
- Two processes (SQLite, exports of 32 MB of XML or more, two cores or
  more): once the transaction has opened (and with it SQLite's write lock),
  :func:`apple_health.parse_in_parts` parses the XML in byte ranges at once:
  this process parses the first range itself, straight into the database,
  and each helper process one later range into private SQLite files; those
  files are attached and copied with one ``INSERT … SELECT`` each, in file
  order, so the rows, ids and counts are the same as one process would make.
  The first helper writes its range in a few files one after another, and
  this process, once its own range is done, copies the finished ones while
  the helper ends its range (fewer when SQLite can attach few more files).
  When the person already has records, every part looks them up and
  leaves out the rows already stored, so a newer full export writes only
  what is new; the inserts still check every row. When a part fails or the
  parts do not fit together, the transaction is rolled back (with what this
  process had written of the first part) and the file parsed again in one
  process — which also gives every refusal its usual message.
- The natural-key index is (person, type, start, kind, key): exports list
  each type in time order, so rows reach it in order and a million inserts
  (or a million "already present" checks) stay sequential.
- A person's first import into a SQLite file nobody else has open writes
  with a rollback journal and sets WAL again after (:func:`_bulk_journal`):
  in WAL every page would be written twice. Rows go in fifty to a
  statement (``apple_health.insert_rows``).
- Routes: GPX files are summarised (points, length) in a second process
  while the main one parses the XML, on the first import of a zip with many
  routes; otherwise in-process, only for new workouts. The worker writes
  nothing, so the import stays all or nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import operator
import os
import subprocess
import sys
import threading
from collections.abc import Callable

from django.db import DatabaseError, connection, transaction

from kindstep.core.catalogue import load_catalogue
from kindstep.core.days import person_day
from kindstep.importers import apple_health
from kindstep.importers.apple_health import RouteSummary, WorkoutInfo
from kindstep.importers.hardening import DEFAULT_LIMITS, Limits
from kindstep.importers.rows import MOST_KCAL, MOST_METRES, ImportRefused, ImportSummary, plausible
from kindstep.store import models

ROUTE_WORKER_MIN = 16
"""Route files from which a second process pays for its start-up (~0.2 s)."""

SQLITE_CACHE_KIB = 2 * 1024
"""SQLite page cache during an import. Rows reach the natural-key index in its order, so a
small cache does (16 MB made no difference at 1M records); it also caps what SQLite's sorter
holds in memory for the daily sums, which keeps RSS the same at 100k and 1M records."""

PARTS_MIN_BYTES = 32 * 1024 * 1024
"""XML from which parsing in several processes pays for their start-up (~0.1 s each)."""

PROCESSES: int | None = None
"""Processes to parse in: None = one per available core, at most :data:`MAX_PROCESSES`."""

MAX_PROCESSES = 4

NATURAL_KEY = "(person_id, type_id, start_date, kind, key)"
"""The unique index a raw row's natural key is checked against (see HealthRecord.key)."""

_ALIASES = itertools.count(1)
_KIND = operator.itemgetter(1)
"""A raw row's kind ("R", "W", "A" or "C")."""


MAP_INLINE = 256
"""Up to this many types and sources, a part's ids are mapped with a CASE in the copy itself."""


def _case(column: str, pairs: list[tuple[int, int]]) -> str:
    """``CASE column WHEN local THEN global … END`` (NULL for an id not in ``pairs``)."""
    if not pairs:
        return "NULL"
    whens = " ".join(f"WHEN {int(lid)} THEN {int(gid)}" for lid, gid in pairs)
    return f"CASE {column} {whens} END"


class _PartsUnusable(Exception):
    """The parts could not be merged here (e.g. no ATTACH); nothing was written."""


def _processes(source: apple_health.ExportSource) -> int:
    if connection.vendor != "sqlite":
        return 1  # PostgreSQL: one process (the merge relies on SQLite's ATTACH)
    if PROCESSES is not None:
        return PROCESSES
    if source.xml_size < PARTS_MIN_BYTES:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_PROCESSES))


class _DryRun(Exception):
    def __init__(self, summary: ImportSummary):
        self.summary = summary


def import_apple_health(
    person: models.Person,
    path: str | os.PathLike,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportSummary:
    """Import an Apple Health ``export.zip`` or ``export.xml`` for ``person``; returns the summary.

    ``progress(bytes_read, total_bytes, items)`` is called after every MB of
    XML. ``dry_run`` does the whole import and then rolls it back, so the
    counts are exactly what a real import would report. Raises
    ImportRefused (nothing written) for a file that cannot be imported.
    """
    with apple_health.open_export(path, limits) as source, _bulk_journal(person):
        n = _processes(source)
        routes = _Routes(person, source)
        try:
            if n > 1:
                _detach_stale()
                try:
                    with _no_row_by_row_foreign_key_checks():
                        return _load(person, source, routes, strip=False, dry_run=dry_run,
                                     progress=progress, processes=n)
                except _PartsUnusable:
                    pass  # rolled back before anything was written: parse in one process below
            routes.start()
            try:
                return _load(person, source, routes, strip=False, dry_run=dry_run, progress=progress)
            except apple_health.ControlCharacters:
                return _load(person, source, routes, strip=True, dry_run=dry_run, progress=progress)
        finally:
            routes.close()


def _load(person, source, routes, *, strip, dry_run, progress, processes=1) -> ImportSummary:
    attached: list[str] = []
    try:
        with transaction.atomic():
            writer = _Writer(person)
            try:
                if processes > 1:
                    # Inside the transaction (SQLite: the write lock is taken at its start), so
                    # the records the parts see as already stored stay so until the merge.
                    parts = apple_health.parse_in_parts(
                        source, processes, progress=progress, first_done=routes.start,
                        existing=writer.existing_records(), own=writer,
                        files=writer.part_files(processes),
                        on_file=lambda db: writer.copy_file(db, attached))
                    routes.start()
                    if parts is None:
                        raise _PartsUnusable("a part could not be read or the parts do not fit together")
                    try:
                        res, added = writer.merge_parts(parts, attached)
                    finally:
                        parts.cleanup()
                    added += writer.added  # the first part, parsed here straight in
                else:
                    before = writer.count()
                    res = apple_health.parse_export(source, writer, strip_controls=strip,
                                                    progress=progress)
                notes = writer.link_routes(source, res.routes, routes.job)
                writer.derive_daily()
                if processes == 1:
                    added = writer.count() - before
            finally:
                writer.close()
            skipped = sum(res.skipped.values())
            summary = ImportSummary(
                format=apple_health.FORMAT,
                added=added,
                already_present=res.items - skipped - added,
                skipped=skipped,
                reasons=dict(sorted(res.skipped.items())),
                notes=notes,
                dry_run=dry_run,
            )
            if res.control_chars_removed:
                summary.notes.insert(0, f"Removed {res.control_chars_removed} control character(s)"
                                        " that XML does not allow (an iOS export quirk).")
            if writer.no_session:
                summary.notes.append(
                    f"{writer.no_session} workout(s) had a length kindstep could not use, so they"
                    " are kept with the raw data but not shown as sessions."
                )
            if dry_run:
                raise _DryRun(summary)
    except _DryRun as done:
        return done.summary
    finally:
        _detach(attached)
    return summary


@contextlib.contextmanager
def _bulk_journal(person: models.Person):
    """A person's first import into a SQLite file nobody else has open: a rollback journal.

    In WAL mode every page of a large import is written twice, into the WAL
    during the load and into the database at the commit's checkpoint (0.4-0.5
    s of a 1M-record import, plus the WAL's own writing). With a rollback
    journal, new pages go straight to the file and the journal keeps only the
    few pages that existed before, so the import is as all or nothing as
    before (synchronous=FULL while it lasts; a crash leaves a journal that
    SQLite rolls back on the next open). SQLite refuses to leave WAL while
    another connection has the file open (a running ``kindstep serve``, for
    one): the import then runs in WAL as before. Not for a re-import, whose
    helper processes read the stored records while this one writes (which
    WAL allows and a rollback journal does not). WAL is set again at the end,
    whatever happened.
    """
    if (connection.vendor != "sqlite" or connection.in_atomic_block
            or models.HealthRecord.objects.filter(person=person).exists()):
        yield
        return
    switched = False
    with contextlib.suppress(DatabaseError), connection.cursor() as c:
        c.execute("PRAGMA journal_mode")
        if str(c.fetchone()[0]).lower() == "wal":
            c.execute("PRAGMA journal_mode = DELETE")
            switched = str(c.fetchone()[0]).lower() == "delete"
            if switched:
                c.execute("PRAGMA synchronous = FULL")
    try:
        yield
    finally:
        if switched:
            # Should another connection have opened the file meanwhile and hold it, WAL is
            # set by the next connection kindstep opens (settings: init_command).
            with contextlib.suppress(DatabaseError), connection.cursor() as c:
                c.execute("PRAGMA journal_mode = WAL")
                c.execute("PRAGMA synchronous = NORMAL")


@contextlib.contextmanager
def _no_row_by_row_foreign_key_checks():
    """SQLite's per-row foreign key lookups off for one import's transaction (a third of the merge).

    Every id the merge writes was resolved inside that same transaction (the
    person; types and sources from get_or_create), and SQLite lets nobody
    else write meanwhile, so the checks could only ever pass. Like Django's
    own ``constraint_checks_disabled()`` (used by loaddata), it only takes
    effect outside a transaction; inside one the checks stay on.
    """
    with connection.cursor() as c:
        c.execute("PRAGMA foreign_keys")
        was_on = bool(c.fetchone()[0])
        if was_on and not connection.in_atomic_block:
            c.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        if was_on:
            with connection.cursor() as c:
                c.execute("PRAGMA foreign_keys = ON")


def _detach_stale() -> None:
    """Let go of part files an earlier import left attached, when that can be done.

    They stay attached when that import ran inside an outer transaction that
    was then rolled back: SQLite cannot detach a file while a transaction
    has read it, and any statement inside a transaction reads every attached
    file's schema. So this is done before the import's transaction begins,
    and only when no outer one is open.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with connection.cursor() as c:
        c.execute("PRAGMA database_list")
        for _seq, name, _file in c.fetchall():
            if name.startswith("kindstep_part_"):
                with contextlib.suppress(DatabaseError):
                    c.execute(f"DETACH DATABASE {name}")


def _detach(aliases: list[str]) -> None:
    """Detach the parts' files once no transaction reads them (SQLite refuses it before)."""
    def detach(alias: str) -> None:
        with contextlib.suppress(DatabaseError), connection.cursor() as c:
            c.execute(f"DETACH DATABASE {alias}")

    for alias in aliases:
        if connection.in_atomic_block:  # an outer transaction (a test, a caller) still reads it
            connection.on_commit(lambda a=alias: detach(a))
        else:
            detach(alias)


class _Routes:
    """The route process of one import, started once (with parts: when a core is free)."""

    def __init__(self, person: models.Person, source: apple_health.ExportSource):
        self.person = person
        self.source = source
        self.job = _RouteJob.none()

    def start(self) -> None:
        if not self.job.started:
            self.job = _RouteJob(self.person, self.source)

    def close(self) -> None:
        self.job.close()


class _RouteJob:
    """Route summaries computed in a second process, started before the XML parse.

    The worker is a plain ``python -c`` child that reads the zip itself and
    writes nothing but JSON to its stdout, so the import stays all or nothing.
    """

    @classmethod
    def none(cls) -> _RouteJob:
        """A job with no process: routes are read in-process when asked."""
        job = cls.__new__(cls)
        job.proc = None
        job.started = False
        return job

    def __init__(self, person: models.Person, source: apple_health.ExportSource):
        self.proc: subprocess.Popen | None = None
        self.started = True
        members = source.route_members()
        first_time = not models.HealthWorkout.objects.filter(person=person).exclude(route_path="").exists()
        if first_time and len(members) >= ROUTE_WORKER_MIN:
            job = json.dumps({"path": str(source.path), "members": members,
                              "limits": dataclasses.asdict(source.limits)}).encode()
            try:
                self.proc = subprocess.Popen(
                    [sys.executable, "-c",
                     "from kindstep.importers.apple_health import route_worker; route_worker()"],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                self._job = job
                self._writer = threading.Thread(target=self._send, daemon=True)
                self._writer.start()
            except OSError:
                self.proc = None

    def _send(self) -> None:
        try:
            assert self.proc is not None and self.proc.stdin is not None
            self.proc.stdin.write(self._job)
            self.proc.stdin.close()
        except (OSError, ValueError):
            pass

    def results(self) -> dict[str, RouteSummary]:
        if self.proc is None:
            return {}
        try:
            assert self.proc.stdout is not None
            out = self.proc.stdout.read()
            self.proc.wait(timeout=60)
            data = json.loads(out or b"{}")
            return {m: RouteSummary(m, int(p), float(d), str(why)) for m, (p, d, why) in data.items()}
        except (ValueError, TypeError, subprocess.TimeoutExpired, OSError):
            return {}  # a crashed worker: routes are read here instead
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


class _Writer:
    """The sink :func:`parse_export` writes into: raw rows, dictionaries, sessions."""

    def __init__(self, person: models.Person):
        self.person = person
        self.pid = int(person.pk)
        self.cursor = connection.cursor()
        self.sqlite = connection.vendor == "sqlite"
        self.no_session = 0
        self.had_records = models.HealthRecord.objects.filter(person=person).exists()
        self.added = 0
        """Records, workouts and summaries :meth:`records` has stored (not correlations)."""
        self.copied_items = 0
        """Records, workouts and summaries :meth:`copy_file` has stored (not correlations)."""
        self.catalogue = load_catalogue()
        head = ("INSERT INTO kindstep_health_record (person_id, key, kind, type_id, source_id, unit,"
                " creation_date, start_date, end_date, value, metadata) VALUES ")
        one = f"({self.pid}, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        tail = f" ON CONFLICT {NATURAL_KEY} DO NOTHING"
        self.insert = head + one + tail
        self.insert_many = head + apple_health.values_of(one) + tail
        self._types: dict[str, int] = {}
        self._sources: dict[tuple[str, str, str], int] = {}
        if self.sqlite:
            apple_health.bind_plainly()
            self.cursor.execute("PRAGMA cache_size")
            self._old_cache = self.cursor.fetchone()[0]
            self.cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")

    def close(self) -> None:
        if self.sqlite:
            self.cursor.execute(f"PRAGMA cache_size = {int(self._old_cache)}")
        self.cursor.close()

    def count(self) -> int:
        self.cursor.execute(
            "SELECT COUNT(*) FROM kindstep_health_record WHERE person_id = %s AND kind IN ('R', 'W', 'A')",
            [self.pid],
        )
        return self.cursor.fetchone()[0]

    # -- the sink protocol --------------------------------------------------------

    def type_id(self, name: str) -> int:
        i = self._types.get(name)
        if i is None:
            i = self._types[name] = models.HealthType.objects.get_or_create(name=name)[0].pk
        return i

    def source_id(self, name: str, version: str, device: str) -> int:
        k = (name, version, device)
        i = self._sources.get(k)
        if i is None:
            i = self._sources[k] = models.HealthSource.objects.get_or_create(
                person=self.person, name=name, version=version, device=device)[0].pk
        return i

    def records(self, rows: list[list]) -> None:
        if self.had_records:  # a newer export repeats what is stored: leave that out first
            rows = apple_health.not_stored(rows, self.pid, lambda tid: tid, self._rows)
        if "C" in map(_KIND, rows):
            # Correlations are stored, but are not items of the export: leave them out of the count.
            self._insert([r for r in rows if r[1] == "C"])
            rows = [r for r in rows if r[1] != "C"]
        if rows:
            self.added += self._insert(rows)

    def _insert(self, rows: list[list]) -> int:
        """Raw rows in, in order, many to a statement; returns how many were new."""
        return apple_health.insert_rows(self._executemany, self.insert, self.insert_many, rows)

    def _executemany(self, sql: str, params: list) -> int:
        self.cursor.executemany(sql, params)
        return max(self.cursor.rowcount, 0)

    def _rows(self, sql: str, params) -> list[tuple]:
        self.cursor.execute(sql, params)
        return self.cursor.fetchall()

    def existing_records(self) -> dict | None:
        """Where the parts may look up this person's stored records (SQLite file), or None.

        Only when the person has records already: then the parts leave out
        rows that are stored (a newer full export repeats all of them), and
        only what is new is copied. The merge still checks every row.
        """
        name = str(connection.settings_dict.get("NAME") or "")
        if not self.sqlite or not name or name == ":memory:" or name.startswith("file:"):
            return None
        if not self.had_records:
            return None
        return {"db": os.path.abspath(name), "person": self.pid}

    def part_files(self, processes: int) -> int:
        """How many files the first helper may write its part in (see ``PART_FILES``).

        Each file is attached to be copied, and SQLite lets a connection attach
        only so many (ten, unless built otherwise) until its transaction ends:
        files still attached from an earlier import in the same outer
        transaction (see :func:`_detach_stale`) leave fewer.
        """
        import sqlite3

        c = self.cursor
        c.execute("PRAGMA database_list")
        used = sum(1 for _seq, name, _file in c.fetchall() if name not in ("main", "temp"))
        try:
            limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED)
        except (AttributeError, sqlite3.Error):
            limit = 10
        return max(1, min(apple_health.PART_FILES, limit - used - (processes - 2)))

    def merge_parts(self, parts: apple_health.Parts,
                    attached: list[str]) -> tuple[apple_health.ParseResult, int]:
        """Copy in the parts' files not copied yet (see :meth:`copy_file`); SQLite only.

        Returns the counts and how many Records, Workouts and
        ActivitySummaries all the copies added.
        """
        for db in parts.dbs[parts.copied:]:
            self.copy_file(db, attached)
        return parts.result, self.copied_items

    def copy_file(self, db: str, attached: list[str]) -> None:
        """Copy one part file's rows in, in file order, mapping its type and source ids.

        Files are copied in file order, and types and sources are created in
        the order one process would meet them, so ids match too. Adds to
        ``copied_items`` how many Records, Workouts and ActivitySummaries
        were added (the insert's own count, less the Correlations among them:
        no count of a million rows before and after). Raises _PartsUnusable
        when the file cannot be attached; the caller's transaction, which may
        hold other files' rows, is then rolled back.
        """
        c = self.cursor
        alias = f"kindstep_part_{next(_ALIASES)}"
        try:
            c.execute(f"ATTACH DATABASE %s AS {alias}", [db])
        except DatabaseError as exc:
            raise _PartsUnusable(str(exc)) from exc
        attached.append(alias)
        # Correlations are stored but not counted as items: count this person's, by their types.
        c.execute(f"SELECT name FROM {alias}.t WHERE id IN"
                  f" (SELECT DISTINCT type_id FROM {alias}.r WHERE kind = 'C')")
        corr_types = {name for (name,) in c.fetchall()}
        corr_before = self._count_correlations(corr_types)
        c.execute("CREATE TEMP TABLE IF NOT EXISTS kindstep_part_map"
                  " (what INTEGER NOT NULL, lid INTEGER NOT NULL, gid INTEGER NOT NULL,"
                  " PRIMARY KEY (what, lid)) WITHOUT ROWID")
        c.execute(f"SELECT id, name FROM {alias}.t ORDER BY id")
        types = [(lid, self.type_id(name)) for lid, name in c.fetchall()]
        c.execute(f"SELECT id, name, version, device FROM {alias}.s ORDER BY id")
        sources = [(lid, self.source_id(n, v, d)) for lid, n, v, d in c.fetchall()]
        if len(types) <= MAP_INLINE and len(sources) <= MAP_INLINE:
            # A few ids: mapped in the statement itself (a fifth of the copy's time
            # went on joining a mapping table). Both sides are our own integers.
            type_gid = _case("r.type_id", types)
            source_gid = _case("r.source_id", sources)
            joins = f" WHERE {type_gid} IS NOT NULL"
        else:
            c.execute("DELETE FROM kindstep_part_map")
            c.executemany("INSERT INTO kindstep_part_map VALUES (%s, %s, %s)",
                          [(0, lid, gid) for lid, gid in types]
                          + [(1, lid, gid) for lid, gid in sources])
            type_gid, source_gid = "t.gid", "s.gid"
            joins = (" JOIN kindstep_part_map AS t ON t.what = 0 AND t.lid = r.type_id"
                     " LEFT JOIN kindstep_part_map AS s ON s.what = 1 AND s.lid = r.source_id"
                     " WHERE true")
        c.execute(
            "INSERT INTO kindstep_health_record (person_id, key, kind, type_id, source_id, unit,"
            " creation_date, start_date, end_date, value, metadata)"
            f" SELECT {self.pid}, r.key, r.kind, {type_gid}, {source_gid}, r.unit, r.creation_date,"
            " r.start_date, r.end_date, r.value, r.metadata"
            f" FROM {alias}.r AS r{joins}"
            f" ORDER BY r.rowid ON CONFLICT {NATURAL_KEY} DO NOTHING")
        inserted = c.rowcount
        c.execute(f"SELECT * FROM {alias}.w ORDER BY rowid")
        while batch := c.fetchmany(2000):
            self.workouts(apple_health.part_workouts(batch))
        c.execute("DROP TABLE kindstep_part_map")
        self.copied_items += inserted - (self._count_correlations(corr_types) - corr_before)

    def _count_correlations(self, type_names: set[str]) -> int:
        type_ids = set(models.HealthType.objects.filter(name__in=type_names).values_list("id", flat=True))
        if not type_ids:
            return 0
        self.cursor.execute(
            "SELECT COUNT(*) FROM kindstep_health_record WHERE person_id = %s AND type_id IN ("
            + ", ".join(["%s"] * len(type_ids)) + ") AND kind = 'C'", [self.pid, *sorted(type_ids)])
        return self.cursor.fetchone()[0]

    def workouts(self, infos: list[WorkoutInfo]) -> None:
        keys = [i.key for i in infos]
        done = {bytes(k) for k in models.HealthWorkout.objects.filter(
            person=self.person, record_key__in=keys).values_list("record_key", flat=True)}
        todo = [i for i in infos if i.key not in done]
        if not todo:
            return
        existing = dict(models.MovementSession.objects.filter(
            person=self.person, source=apple_health.SOURCE,
            external_id__in=[i.key.hex() for i in todo]).values_list("external_id", "id"))
        sessions = []
        for info in todo:
            row = info.session_row()
            if row is None:
                self.no_session += 1
                continue
            if row.key in existing:
                continue
            activity = self.catalogue.get(row.activity) or self.catalogue[apple_health.FALLBACK_ACTIVITY]
            sessions.append(models.MovementSession(
                person=self.person,
                day=person_day(row.started_at, self.person.timezone, self.person.day_start_hour),
                started_at=row.started_at,
                activity=activity.code,
                minutes=row.minutes,
                met=activity.met,
                distance_m=plausible(row.distance_m, MOST_METRES),
                energy_kcal=plausible(row.energy_kcal, MOST_KCAL),
                source=apple_health.SOURCE,
                external_id=row.key,
            ))
        if sessions:
            models.MovementSession.objects.bulk_create(sessions)
            existing.update(models.MovementSession.objects.filter(
                person=self.person, source=apple_health.SOURCE,
                external_id__in=[s.external_id for s in sessions]).values_list("external_id", "id"))
        models.HealthWorkout.objects.bulk_create([
            models.HealthWorkout(
                person=self.person,
                record_key=info.key,
                session_id=existing.get(info.key.hex()),
                activity_type=info.activity_type[:512],
                source_name=info.source_name[:512],
                started_at=apple_health.parse_time(info.start),
                ended_at=apple_health.parse_time(info.end),
                minutes=round(info.minutes, 3) if info.minutes is not None else 0.0,
                distance_m=info.distance_m,
                energy_kcal=info.energy_kcal,
                route_path=info.routes[0] if info.routes else "",
                route_points=info.inline_points or None,
                route_distance_m=info.inline_distance_m or None,
            )
            for info in todo
        ], ignore_conflicts=True)

    # -- after the parse ----------------------------------------------------------

    def link_routes(self, source: apple_health.ExportSource, routes: dict[str, str],
                    job: _RouteJob) -> list[str]:
        """Fill in points and length for new workouts' route files; returns notes."""
        pending = list(models.HealthWorkout.objects.filter(
            person=self.person, route_points__isnull=True).exclude(route_path="").values_list(
            "record_key", "route_path"))
        if not pending:
            return []
        summaries = job.results()
        updates, missing, problems = [], 0, 0
        for key, path in pending:
            member = source.route_member(path)
            if member is None:
                missing += 1
                continue
            summary = summaries.get(member) or source.read_route(member)
            if summary.problem:
                problems += 1
                continue
            updates.append((summary.points, summary.distance_m, self.pid, bytes(key)))
        if updates:
            self.cursor.executemany(
                "UPDATE kindstep_health_workout SET route_points = %s, route_distance_m = %s"
                " WHERE person_id = %s AND record_key = %s", updates)
        notes = []
        if problems:
            notes.append(f"{problems} route file(s) could not be read; those workouts are"
                         " imported without their route.")
        if missing and source.zip is not None:
            notes.append(f"{missing} workout route file(s) named in the export are not in the zip.")
        return notes

    def derive_daily(self) -> None:
        """Recompute steps, mindful minutes and hours asleep per day from the raw records."""
        ids = dict(models.HealthType.objects.filter(
            name__in=[apple_health.STEPS, apple_health.MINDFUL, apple_health.SLEEP]).values_list("name", "id"))
        rows = []
        c = self.cursor
        if apple_health.STEPS in ids:
            c.execute(
                "SELECT substr(start_date, 1, 10), source_id, SUM(CAST(value AS DOUBLE PRECISION))"
                " FROM kindstep_health_record WHERE person_id = %s AND type_id = %s AND kind = 'R'"
                " GROUP BY substr(start_date, 1, 10), source_id",
                [self.pid, ids[apple_health.STEPS]],
            )
            rows += apple_health.daily_steps(c.fetchall())
        if apple_health.MINDFUL in ids:
            c.execute(
                "SELECT start_date, end_date FROM kindstep_health_record"
                " WHERE person_id = %s AND type_id = %s AND kind = 'R'",
                [self.pid, ids[apple_health.MINDFUL]],
            )
            rows += apple_health.daily_mindful(_stream(c))
        if apple_health.SLEEP in ids:
            asleep = sorted(apple_health.ASLEEP)
            c.execute(
                "SELECT start_date, end_date, value FROM kindstep_health_record"
                " WHERE person_id = %s AND type_id = %s AND kind = 'R'"
                f" AND value IN ({', '.join(['%s'] * len(asleep))})",
                [self.pid, ids[apple_health.SLEEP], *asleep],
            )
            rows += apple_health.daily_sleep(_stream(c))
        if rows:
            c.executemany(
                "INSERT INTO kindstep_daily_measure (person_id, day, kind, value, source)"
                " VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (person_id, source, kind, day) DO UPDATE SET value = excluded.value",
                [(self.pid, r.day, r.kind, r.value, r.source) for r in rows],
            )


def _stream(cursor, size: int = 5000):
    """A cursor's rows a batch at a time (never all of a person's samples in memory at once)."""
    while batch := cursor.fetchmany(size):
        yield from batch


def raw_counts(person: models.Person | None = None) -> dict[str, int]:
    """Rows in the Apple Health tables (for one person, or all): to prove what an import wrote."""
    def n(model):
        qs = model.objects.all()
        if person is not None:
            qs = qs.filter(person=person)
        return qs.count()

    return {
        "health_records": n(models.HealthRecord),
        "health_sources": n(models.HealthSource),
        "health_workouts": n(models.HealthWorkout),
        "daily_measures": n(models.DailyMeasure),
        "health_types": models.HealthType.objects.count(),
    }


__all__ = ["ImportRefused", "import_apple_health", "raw_counts"]

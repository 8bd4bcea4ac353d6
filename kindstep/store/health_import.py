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
  :func:`apple_health.parallel.parse_in_parts` parses the XML in byte ranges at once:
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
  statement (``apple_health.sqlite_rows.insert_rows``).
- Routes: GPX files are summarised (points, length) in a second process
  while the main one parses the XML, on the first import of a zip with many
  routes; otherwise in-process, only for new workouts. The worker writes
  nothing, so the import stays all or nothing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable

from django.db import DatabaseError, connection, transaction

from kindstep.importers import apple_health
from kindstep.importers.apple_health.parallel import Parallel, RouteProcess, parse_in_parts
from kindstep.importers.apple_health.sqlite_rows import plain_binding
from kindstep.importers.hardening import DEFAULT_LIMITS, Limits
from kindstep.importers.rows import ImportRefused, ImportSummary
from kindstep.store import models
from kindstep.store.health_writer import MAP_INLINE, HealthWriter, PartsUnusable

AS_MEASURED = Parallel()
"""Processes as many as pay on this machine, and the sizes measured fastest."""


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
    parallel: Parallel = AS_MEASURED,
    map_inline: int = MAP_INLINE,
) -> ImportSummary:
    """Import an Apple Health ``export.zip`` or ``export.xml`` for ``person``; returns the summary.

    ``progress(bytes_read, total_bytes, items)`` is called after every MB of
    XML. ``dry_run`` does the whole import and then rolls it back, so the
    counts are exactly what a real import would report. Raises
    ImportRefused (nothing written) for a file that cannot be imported.
    ``parallel`` says how many processes parse (by default: as many as pay
    on this machine, SQLite only) and ``map_inline`` how part files' ids are
    mapped (see ``HealthWriter.copy_file``); tests change them.
    """
    with apple_health.open_export(path, limits) as source, _bulk_journal(person), plain_binding():
        # PostgreSQL: one process (the merge relies on SQLite's ATTACH).
        n = parallel.processes_for(source) if connection.vendor == "sqlite" else 1
        routes = RouteProcess()
        first_routes = not models.HealthWorkout.objects.filter(person=person).exclude(route_path="").exists()

        def start_routes() -> None:
            routes.start(source, first_time=first_routes)

        try:
            if n > 1:
                _detach_stale()
                try:
                    with _no_row_by_row_foreign_key_checks():
                        return _load(person, source, routes, start_routes, strip=False, dry_run=dry_run,
                                     progress=progress, processes=n, parallel=parallel,
                                     map_inline=map_inline)
                except PartsUnusable:
                    pass  # rolled back before anything was written: parse in one process below
            start_routes()
            try:
                return _load(person, source, routes, start_routes, strip=False, dry_run=dry_run,
                             progress=progress)
            except apple_health.ControlCharacters:
                return _load(person, source, routes, start_routes, strip=True, dry_run=dry_run,
                             progress=progress)
        finally:
            routes.close()


def _load(person, source, routes, start_routes, *, strip, dry_run, progress, processes=1,
          parallel=AS_MEASURED, map_inline=MAP_INLINE) -> ImportSummary:
    attached: list[str] = []
    try:
        with transaction.atomic():
            writer = HealthWriter(person, map_inline=map_inline)
            try:
                if processes > 1:
                    # Inside the transaction (SQLite: the write lock is taken at its start), so
                    # the records the parts see as already stored stay so until the merge.
                    parts = parse_in_parts(
                        source, processes, progress=progress, first_done=start_routes,
                        known=writer.stored_records(), own=writer,
                        on_file=lambda db: writer.copy_file(db, attached),
                        tuning=Parallel(parallel.processes, writer.part_files(processes, parallel.files),
                                        parallel.own_lead, parallel.batch_size, parallel.chunk))
                    start_routes()
                    if parts is None:
                        raise PartsUnusable("a part could not be read or the parts do not fit together")
                    try:
                        res, added = writer.merge_parts(parts, attached)
                    finally:
                        parts.cleanup()
                    added += writer.added  # the first part, parsed here straight in
                else:
                    before = writer.count()
                    res = apple_health.parse_export(source, writer, strip_controls=strip,
                                                    progress=progress)
                notes = writer.link_routes(source, res.routes, routes.results)
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

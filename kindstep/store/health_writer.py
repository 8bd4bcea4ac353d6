"""The sink an Apple Health import writes into: raw rows, dictionaries, sessions, daily sums.

:class:`HealthWriter` receives what :func:`kindstep.importers.apple_health.parse_export`
reads, a batch at a time, inside the import's one transaction
(:mod:`kindstep.store.health_import`): raw rows go in fifty to a statement
(``INSERT … ON CONFLICT DO NOTHING`` against the natural key), each new
workout becomes a ``MovementSession`` plus a ``HealthWorkout``, and once the
parse is done routes are linked and the daily sums recomputed. When the
export was parsed in parts, the helpers' files are copied in here too
(:meth:`HealthWriter.copy_file`, SQLite only).
"""

from __future__ import annotations

import itertools
import operator
import os
from collections.abc import Callable

from django.db import DatabaseError, connection

from kindstep.core.catalogue import load_catalogue
from kindstep.core.days import person_day
from kindstep.importers import apple_health
from kindstep.importers.apple_health import Parts, RouteSummary, WorkoutInfo
from kindstep.importers.apple_health.parallel import PART_FILES
from kindstep.importers.apple_health.part_files import part_workouts
from kindstep.importers.apple_health.sqlite_rows import insert_rows, values_of
from kindstep.importers.rows import MOST_KCAL, MOST_METRES, plausible
from kindstep.store import models
from kindstep.store.health_stored import not_stored

SQLITE_CACHE_KIB = 2 * 1024
"""SQLite page cache during an import. Rows reach the natural-key index in its order, so a
small cache does (16 MB made no difference at 1M records); it also caps what SQLite's sorter
holds in memory for the daily sums, which keeps RSS the same at 100k and 1M records."""

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


class PartsUnusable(Exception):
    """The parts could not be merged here (e.g. no ATTACH); nothing was written."""


class HealthWriter:
    """The sink :func:`parse_export` writes into: raw rows, dictionaries, sessions.

    ``map_inline``: up to this many types and sources, a part file's ids are
    mapped with a CASE in the copy itself (see :meth:`copy_file`).
    """

    def __init__(self, person: models.Person, *, map_inline: int = MAP_INLINE):
        self.map_inline = map_inline
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
        self.insert_many = head + values_of(one) + tail
        self._types: dict[str, int] = {}
        self._sources: dict[tuple[str, str, str], int] = {}
        if self.sqlite:
            self.cursor.execute("PRAGMA cache_size")
            self._old_cache = self.cursor.fetchone()[0]
            self.cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")

    def close(self) -> None:
        # After a failed statement (a full disk, say) the transaction is broken and any
        # statement would raise again, hiding the error that says what happened; the
        # larger page cache then lasts only until this connection closes.
        if self.sqlite and not connection.needs_rollback:
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
            rows = not_stored(rows, self.pid, lambda tid: tid, self._rows)
        if "C" in map(_KIND, rows):
            # Correlations are stored, but are not items of the export: leave them out of the count.
            self._insert([r for r in rows if r[1] == "C"])
            rows = [r for r in rows if r[1] != "C"]
        if rows:
            self.added += self._insert(rows)

    def _insert(self, rows: list[list]) -> int:
        """Raw rows in, in order, many to a statement; returns how many were new."""
        return insert_rows(self._executemany, self.insert, self.insert_many, rows)

    def _executemany(self, sql: str, params: list) -> int:
        self.cursor.executemany(sql, params)
        return max(self.cursor.rowcount, 0)

    def _rows(self, sql: str, params) -> list[tuple]:
        self.cursor.execute(sql, params)
        return self.cursor.fetchall()

    def stored_records(self) -> tuple[str, dict] | None:
        """The filter by which helper processes leave out this person's stored records, or None.

        Only when the person has records already (in a SQLite file): then the
        parts leave out rows that are stored (a newer full export repeats all
        of them), and only what is new is copied. The merge still checks
        every row. See :class:`kindstep.store.health_stored.StoredRecords`.
        """
        name = str(connection.settings_dict.get("NAME") or "")
        if not self.sqlite or not name or name == ":memory:" or name.startswith("file:"):
            return None
        if not self.had_records:
            return None
        return ("kindstep.store.health_stored:StoredRecords",
                {"db": os.path.abspath(name), "person": self.pid})

    def part_files(self, processes: int, wanted: int = PART_FILES) -> int:
        """How many files (``wanted`` at most) the first helper may write its part in.

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
        return max(1, min(wanted, limit - used - (processes - 2)))

    def merge_parts(self, parts: Parts,
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
        no count of a million rows before and after). Raises PartsUnusable
        when the file cannot be attached; the caller's transaction, which may
        hold other files' rows, is then rolled back.
        """
        c = self.cursor
        alias = f"kindstep_part_{next(_ALIASES)}"
        try:
            c.execute(f"ATTACH DATABASE %s AS {alias}", [db])
        except DatabaseError as exc:
            raise PartsUnusable(str(exc)) from exc
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
        if len(types) <= self.map_inline and len(sources) <= self.map_inline:
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
            self.workouts(part_workouts(batch))
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
                    worked_out: Callable[[], dict[str, RouteSummary]]) -> list[str]:
        """Fill in points and length for new workouts' route files; returns notes.

        ``worked_out()`` gives the summaries a route process made (asked only
        when some route is pending); any other route is read here.
        """
        pending = list(models.HealthWorkout.objects.filter(
            person=self.person, route_points__isnull=True).exclude(route_path="").values_list(
            "record_key", "route_path"))
        if not pending:
            return []
        summaries = worked_out()
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



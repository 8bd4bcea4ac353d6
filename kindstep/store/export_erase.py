"""A person's whole record, to take away (``export_all``) or to erase (``erase_all``).

The promise (docs/design.md, "Private"): one person's data lives in one file on
their machine, and nothing leaves it unless they export it. So the export
holds everything kindstep keeps about the person, in a structured,
machine-readable format (GDPR Art. 15 and 20): one JSON document, written
as it is read so that years of Apple Health samples never sit in memory at
once, from one consistent snapshot of the database. Erasing deletes every
row about the person in one transaction and then, on SQLite, rewrites the
file so nothing of it lingers in free pages or in the write-ahead log (Art.
17). Both walk the same list of sections (:func:`sections`), so a table
added later is exported and erased alike, and a test checks that every
model holding a person's rows is on the list.

The CLI (``kindstep export``, ``kindstep erase``) and the Settings page
call these same functions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal

from django.db import connection, transaction
from django.dispatch import Signal

from kindstep.store import models

person_erasing = Signal()
"""Sent with ``person_id`` inside :func:`erase_all`'s transaction, just before the person goes:
server mode's apps that keep rows about a person outside this record (a peer group's
membership) delete them here, so they go with the record or not at all."""

FORMAT = "kindstep-export"
VERSION = 1
"""The document's ``format`` and ``version``: a reader can tell what it holds."""

_ROWS_PER_CHUNK = 500

REMOVED_LEFT_OUT = frozenset({"sessions", "rest_days", "checkins"})
"""Sections whose removed rows the export leaves out: an entry the person deleted waits only
out the hour undo lasts, then goes for good (``actions.purge_removed``), so it is no longer
part of what kindstep keeps. (Imported moods and nights that were removed are kept, marked
``removed_at``, so that importing the file again leaves them out: the export shows them so.)
Erasing takes removed rows too."""


def sections(person: models.Person) -> list[tuple[str, object]]:
    """Each part of the person's record: (name in the export, rows as a query), in an order
    that can be deleted from first to last (rows that point at others come first)."""
    m = models
    own = {"person": person}
    return [
        ("predictions", m.Prediction.objects.filter(**own)),
        ("plans", m.Plan.objects.filter(**own)),
        ("experiment_outcomes", m.ExperimentOutcome.objects.filter(experiment__person=person)),
        ("experiments", m.Experiment.objects.filter(**own)),
        ("health_workouts", m.HealthWorkout.objects.filter(**own)),
        ("health_records", m.HealthRecord.objects.filter(**own)),
        ("health_sources", m.HealthSource.objects.filter(**own)),
        ("daily_measures", m.DailyMeasure.objects.filter(**own)),
        ("journal_entries", m.JournalEntry.objects.filter(**own)),
        ("journal_notes", m.JournalNote.objects.filter(**own)),
        ("safety_events", m.SafetyEvent.objects.filter(**own)),
        ("pauses", m.Pause.objects.filter(**own)),
        ("reminder_settings", m.ReminderSettings.objects.filter(**own)),
        ("push_subscriptions", m.PushSubscription.objects.filter(**own)),
        ("reminders_sent", m.ReminderSent.objects.filter(**own)),
        ("questionnaires", m.QuestionnaireResponse.objects.filter(**own)),
        ("removed_imports", m.RemovedImport.objects.filter(**own)),
        ("import_uploads", m.UploadChunk.objects.filter(job__person=person)),
        ("import_jobs", m.ImportJob.objects.filter(**own)),
        ("rest_days", m.RestDay.objects.filter(**own)),
        ("checkins", m.CheckIn.objects.filter(**own)),
        ("sessions", m.MovementSession.objects.filter(**own)),
    ]


def _columns(model) -> list[str]:
    """What the export shows of each row: every column but the person it belongs to, with a
    health record's type by its name (types are shared by everyone, so their ids mean nothing)."""
    names = [f.attname for f in model._meta.concrete_fields if f.name != "person"]
    return ["type__name" if name == "type_id" else name for name in names]


def _plain(value):
    if isinstance(value, datetime | date | time):  # a plan's time of day is a time
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"kindstep cannot write a {type(value).__name__} into its export")


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=_plain)


def export_all(person: models.Person, *, now: datetime, counts: dict[str, int] | None = None
               ) -> Iterator[str]:
    """The whole record as one JSON document, in pieces of text to write one after another.

    ``{"format": "kindstep-export", "version": 1, "exported_at": ..., "settings": {...},
    "sessions": [...], "checkins": [...], ...}``: every section of :func:`sections`, rows
    in the order they were kept, dates and times in ISO 8601 (instants in UTC). ``counts``,
    when given, is filled with the number of rows of each section as they are written.

    Read from one snapshot, without holding up anyone who writes meanwhile: on
    SQLite a plain (deferred) read transaction, which in WAL mode lets the CLI
    log a walk while the web streams a long export (kindstep's own transactions
    take the write lock at once, so they are not used here); on PostgreSQL a
    repeatable-read transaction.
    """
    if connection.in_atomic_block:  # inside someone's transaction: read within it
        yield from _document(person, now, counts)
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("BEGIN")
        try:
            yield from _document(person, now, counts)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")  # it only read: nothing to keep or to undo
    else:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield from _document(person, now, counts)


def _document(person: models.Person, now: datetime, counts: dict[str, int] | None
              ) -> Iterator[str]:
    settings = models.Person.objects.filter(pk=person.pk).values(
        *[f.attname for f in models.Person._meta.concrete_fields if f.name != "id"]).first()
    head = {"format": FORMAT, "version": VERSION, "exported_at": now.isoformat(),
            "about": "Everything kindstep keeps about you, as it was when exported.",
            "settings": settings or {}}
    yield _json(head)[:-1]  # the object stays open for the sections
    for name, rows in reversed(sections(person)):  # the record first, the details after
        if name in REMOVED_LEFT_OUT:
            rows = rows.filter(removed_at__isnull=True)
        columns = _columns(rows.model)
        yield f", {_json(name)}: ["
        n = 0
        piece: list[str] = []
        for row in rows.order_by("pk").values_list(*columns).iterator(chunk_size=2000):
            piece.append(_json(dict(zip(columns, row, strict=True))))
            n += 1
            if len(piece) >= _ROWS_PER_CHUNK:
                yield ("," if n > len(piece) else "") + ",\n".join(piece)
                piece = []
        if piece:
            yield ("," if n > len(piece) else "") + ",\n".join(piece)
        yield "]"
        if counts is not None:
            counts[name] = n
    yield "}\n"


def erase_all(person: models.Person) -> dict[str, int]:
    """Delete everything kindstep keeps about ``person``, settings included; how many rows of
    each section went.

    One transaction: all of it goes, or (on any error) none of it. Plain DELETE
    statements, so a million Apple Health samples go in one statement each
    table, not one by one. On SQLite the file is then rewritten (``VACUUM``)
    and its write-ahead log emptied, with ``secure_delete`` on, so the erased
    rows cannot be read back from free pages; :func:`compact` says whether
    that could be done at once (another program holding the file open can
    delay it).
    """
    erased: dict[str, int] = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA secure_delete = ON")
            for name, rows in sections(person):
                sql, params = rows.values("pk").query.sql_with_params()
                table = connection.ops.quote_name(rows.model._meta.db_table)
                pk = connection.ops.quote_name(rows.model._meta.pk.column)
                cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({sql})", params)
                erased[name] = cursor.rowcount
            person_erasing.send(sender=models.Person, person_id=person.pk)
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(models.Person._meta.db_table)}"
                           " WHERE id = %s", [person.pk])
    return erased


def compact() -> bool:
    """On SQLite, rewrite the file and empty its write-ahead log, so erased rows are gone from
    the disk too; True when that was done (always on PostgreSQL, which reclaims space itself)."""
    if connection.vendor != "sqlite":
        return True
    from django.db import OperationalError

    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, _, _ = cursor.fetchone()
        return busy == 0
    except OperationalError:  # another connection is reading or writing: later, then
        return False

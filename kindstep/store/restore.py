"""Bring a kindstep export back into a person's record: exactly into an empty one, only what is
missing into one that already holds entries.

:func:`restore_export` is the action behind ``kindstep import kindstep-export-DATE.json``,
the web's Import page (both reach it through ``store.importing.import_file``) and
server mode's "moving in" upload, which calls it for the signed-in person.

- **Read twice, write once.** The first pass reads the whole file (streamed, so a
  large export never sits in memory) and checks every row: its section, its
  columns, each value against the column it goes into, and that the rows it
  points at are in the file. Only a file that passes is written, in one
  transaction, by the second pass: all of it lands or none of it.
- **An empty record** (no entries, whatever the settings) gets everything back as
  it was, settings included, and each row keeps its number when no one else's row
  holds it, so exporting again gives the same document (only ``data_version``,
  which moves with every write, differs).
- **A record with entries** keeps what it has. A row from the file that is the
  same as one already here (every column but its number) counts as already
  here; one that would clash with a different row here (a rest day on a day
  that already has one, a second running experiment) is left alone and counted
  under its reason; the rest is added. The settings stay as they are, and the
  summary says so.
- **Versions.** An export of a newer format version is refused before anything
  is read further: this kindstep cannot know what its new parts mean.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction
from django.db.models import CheckConstraint

from kindstep.importers import kindstep_export
from kindstep.importers.rows import ImportRefused, ImportSummary
from kindstep.store import export_erase, models
from kindstep.store.versioning import touch

__all__ = ["restore_export", "SECTIONS", "LEFT_ALONE_CLASH"]

SECTIONS = [name for name, _ in reversed(export_erase.sections(models.Person(pk=0)))]
"""The sections in the order the export writes them: a row's references come before it."""

LEFT_ALONE_CLASH = "Left as it is here: your record already holds a different entry in its place"
LEFT_ALONE_SETTINGS = ("Your settings were left as they are here; the export's settings come back "
                       "only into a record with no entries yet.")
_NEWER = ("This export was made by a newer kindstep (format version {found}); this one reads "
          "version {known}. Updating kindstep, then importing it again, will bring it in.")

_REFERENCES = {
    "experiment_outcomes": {"experiment_id": "experiments"},
    "health_records": {"source_id": "health_sources"},
    "health_workouts": {"session_id": "sessions"},
}
"""Columns that hold another row's number, and the section that row is in."""

_DETAIL_REFERENCES = {"session_id": "sessions", "response_id": "questionnaires"}
"""Row numbers a safety event's ``detail`` names (the session or questionnaire it came with)."""

_INSERT_BATCH = 500


class _Table:
    """How one section's rows become model rows: columns, fields, references."""

    def __init__(self, name: str):
        self.name = name
        self.model = dict(export_erase.sections(models.Person(pk=0)))[name].model
        self.columns = export_erase._columns(self.model)
        fields = {f.attname: f for f in self.model._meta.concrete_fields}
        self.fields = {c: fields["type_id" if c == "type__name" else c] for c in self.columns}
        self.refs = _REFERENCES.get(name, {})
        self.owned = any(f.name == "person" for f in self.model._meta.concrete_fields)
        self.checks = [c for c in self.model._meta.constraints
                       if isinstance(c, CheckConstraint)]


def _tables() -> dict[str, _Table]:
    return {name: _Table(name) for name in SECTIONS}


# ---------------------------------------------------------------- checking values


def _value(field, value, where: str):
    """``value`` as the column holds it, or ImportRefused naming the column."""
    name = field.attname
    if value is None:
        if not field.null:
            raise ImportRefused(f"This kindstep export has no value for {name!r}, which every "
                                "entry needs. It may have been edited; exporting it again may help.",
                                where)
        return None
    try:
        if field.get_internal_type() == "BinaryField":
            return bytes.fromhex(value)
        if field.get_internal_type() == "JSONField":
            if "\\u0000" in json.dumps(value) and connection.vendor == "postgresql":
                raise ValidationError("a NUL character")
            return value
        if field.is_relation:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError("not a number")
            return value
        if field.get_internal_type() in ("CharField", "TextField") and not isinstance(value, str):
            raise ValidationError("not text")
        if isinstance(value, str) and "\x00" in value and connection.vendor == "postgresql":
            raise ValidationError("a NUL character, which PostgreSQL text cannot hold")
        if field.get_internal_type() == "BooleanField" and not isinstance(value, bool):
            raise ValidationError("not true or false")
        if field.get_internal_type().endswith("IntegerField") and (
                isinstance(value, bool) or not isinstance(value, int)):
            raise ValidationError("not a whole number")
        converted = field.to_python(value)
        field.run_validators(converted)
        if field.choices and converted not in {c for c, _ in field.flatchoices}:
            raise ValidationError("not one of its choices")
        if isinstance(converted, datetime) and converted.tzinfo is None:
            raise ValidationError("a time without its zone")
        return converted
    except (ValidationError, ValueError, TypeError, OverflowError):
        raise ImportRefused(f"This kindstep export holds a value kindstep cannot keep in {name!r}. "
                            "It may have been edited; exporting it again may help.", where) from None


def _check_head(head: dict) -> None:
    fmt, version = head.get("format"), head.get("version")
    if fmt != kindstep_export.FORMAT or isinstance(version, bool) or not isinstance(version, int):
        raise ImportRefused("This file is not a kindstep export kindstep can read: it does not say "
                            "which format version it is. Exporting it again may help.")
    if version > export_erase.VERSION:
        raise ImportRefused(_NEWER.format(found=version, known=export_erase.VERSION))
    if version < 1:
        raise ImportRefused("This file names a kindstep export version that never existed.")


_SETTINGS_FIELDS = {f.attname: f for f in models.Person._meta.concrete_fields
                    if f.attname not in ("id",)}


def _settings(value: object) -> dict:
    if not isinstance(value, dict):
        raise ImportRefused("This kindstep export's settings are damaged. Exporting it again may help.",
                            "settings")
    unknown = set(value) - set(_SETTINGS_FIELDS)
    if unknown:
        raise ImportRefused("This kindstep export's settings hold something this kindstep does not "
                            "know. Updating kindstep may help.", "settings")
    return {name: _value(_SETTINGS_FIELDS[name], v, f"settings, {name}")
            for name, v in value.items() if name != "data_version"}


class _Plan:
    """What the first pass learned: the head, the settings, and each section's row numbers."""

    def __init__(self):
        self.head: dict = {}
        self.settings: dict = {}
        self.ids: dict[str, set[int]] = {name: set() for name in SECTIONS}
        self.rows = 0


def _check(path: Path, tables: dict[str, _Table]) -> _Plan:
    """Read the whole file once and check every part of it; nothing is written."""
    plan = _Plan()
    seen: list[str] = []
    for part in kindstep_export.parts(path, set(SECTIONS)):
        if part.index is None:
            if part.key in SECTIONS:
                raise ImportRefused("This kindstep export is damaged: a section is not a list "
                                    "of entries. Exporting it again may help.", part.key)
            if part.key == "settings":
                plan.settings = _settings(part.value)
            elif part.key in ("format", "version", "exported_at", "about"):
                plan.head[part.key] = part.value
                if "format" in plan.head and "version" in plan.head:
                    _check_head(plan.head)
            else:
                raise ImportRefused("This kindstep export holds a part this kindstep does not know. "
                                    "Updating kindstep may help.", part.key)
            continue
        if "version" not in plan.head:
            raise ImportRefused("This file does not say which kindstep export version it is, so "
                                "kindstep cannot read it.")
        if not seen or seen[-1] != part.key:
            if part.key in seen:
                raise ImportRefused("This kindstep export names a section twice.", part.key)
            seen.append(part.key)
        where = f"{part.key}, entry {part.index}"
        table = tables[part.key]
        row = _row(table, part.value, where)
        number = row["id"]
        if number in plan.ids[part.key]:
            raise ImportRefused("This kindstep export holds the same entry twice.", where)
        for column, section in table.refs.items():
            # A session removed within the hour is left out of the export; what pointed at it
            # comes back pointing at nothing, as it will once the hour is over.
            if (row[column] is not None and row[column] not in plan.ids[section]
                    and section != "sessions"):
                raise ImportRefused("This kindstep export names an entry it does not hold.", where)
        plan.ids[part.key].add(number)
        plan.rows += 1
    if "version" not in plan.head:
        raise ImportRefused("This file does not say which kindstep export version it is, so "
                            "kindstep cannot read it.")
    _check_head(plan.head)
    return plan


def _row(table: _Table, value: object, where: str, *, limits: bool = True) -> dict:
    """One exported row, each column as the model holds it (``type__name`` stays a name);
    ``limits`` checks the table's own constraints too (the first pass does, once)."""
    if not isinstance(value, dict):
        raise ImportRefused("This kindstep export is damaged: an entry is not a set of columns.",
                            where)
    unknown = set(value) - set(table.columns)
    if unknown:
        raise ImportRefused("This kindstep export holds a column this kindstep does not know. "
                            "Updating kindstep may help.", where)
    if "id" not in value:
        raise ImportRefused("This kindstep export has an entry without its number.", where)
    out = {}
    for column in table.columns:
        field = table.fields[column]
        if column not in value:
            if field.has_default() or field.null:
                out[column] = field.get_default()
                continue
            raise ImportRefused(f"This kindstep export has no value for {column!r}.", where)
        if column == "type__name":
            if not isinstance(value[column], str) or not value[column]:
                raise ImportRefused("This kindstep export has an Apple Health sample without its "
                                    "type.", where)
            out[column] = value[column]
        else:
            out[column] = _value(field, value[column], where)
    if limits and table.checks:
        for constraint in table.checks:  # the table's own limits, checked before any write
            if _holds(constraint.condition, out, table) is False:
                raise ImportRefused("This kindstep export holds a value outside what kindstep "
                                    "keeps. It may have been edited; exporting it again may "
                                    "help.", where)
    return out


_LOOKUPS = {"lte": lambda a, b: None if a is None else a <= b,
            "gte": lambda a, b: None if a is None else a >= b,
            "isnull": lambda a, b: (a is None) == b,
            "exact": lambda a, b: None if a is None else a == b}
"""SQL's three values: a comparison with NULL is unknown (None), and a CHECK passes unless
its condition is false."""


def _holds(condition, row: dict, table: _Table) -> bool | None:
    """Whether ``row`` meets a check constraint's condition, in Python (a Q of the simple
    lookups kindstep's tables use); any other lookup is asked of the database instead."""
    results = []
    for child in condition.children:
        if isinstance(child, tuple):
            name, _, lookup = child[0].partition("__")
            test = _LOOKUPS.get(lookup or "exact")
            if test is None or name not in row:
                instance = table.model(**{c: v for c, v in row.items() if c != "type__name"})
                try:
                    CheckConstraint(condition=condition, name="x").validate(table.model, instance)
                    return True
                except ValidationError:
                    return False
            results.append(test(row[name], child[1]))
        else:
            results.append(_holds(child, row, table))
    if condition.connector == "OR":
        held = True if True in results else (None if None in results else False)
    else:
        held = False if False in results else (None if None in results else True)
    return held if held is None or not condition.negated else not held


# ---------------------------------------------------------------- writing


def restore_export(person: models.Person, path: str | os.PathLike, *, dry_run: bool = False,
                   now: datetime) -> ImportSummary:
    """Bring the kindstep export at ``path`` into ``person``'s record; what was added and left.

    Raises ImportRefused, with nothing written, for a damaged, foreign or newer
    export. ``now`` is unused by the rows (they keep their own times) and kept
    for the shape every action shares.
    """
    del now
    p = Path(path)
    tables = _tables()
    plan = _check(p, tables)
    summary = ImportSummary(format="kindstep_export", dry_run=dry_run)

    class _DryRun(Exception):
        pass

    try:
        with transaction.atomic():
            locked = models.Person.objects.select_for_update().filter(pk=person.pk).first()
            if locked is None:
                raise ImportRefused("There is no record to bring this export into.")
            empty = not any(rows.exists() for _, rows in export_erase.sections(person))
            _Writer(person, tables, plan, summary, empty).write(p)
            if empty and plan.settings:
                models.Person.objects.filter(pk=person.pk).update(**plan.settings)
                for name, value in plan.settings.items():
                    setattr(person, name, value)
            elif plan.settings:
                summary.notes.append(LEFT_ALONE_SETTINGS)
            touch(person)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    summary.reasons = dict(sorted(summary.reasons.items()))
    return summary


def _plain_key(value) -> object:
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return value


class _Writer:
    """The second pass: rows into the store, numbers mapped, what is here already left alone."""

    def __init__(self, person, tables, plan: _Plan, summary: ImportSummary, empty: bool):
        self.person = person
        self.tables = tables
        self.plan = plan
        self.summary = summary
        self.empty = empty
        self.numbers: dict[str, dict[int, int]] = {name: {} for name in SECTIONS}
        self.types: dict[str, int] = {}
        self.keep: dict[str, bool] = {}
        self.held: dict[str, dict] = {}

    def write(self, path: Path) -> None:
        batch: list[dict] = []
        current = None
        for part in kindstep_export.parts(path, set(SECTIONS)):
            if part.index is None:
                continue
            if part.key != current:
                self._flush(current, batch)
                batch, current = [], part.key
            batch.append(_row(self.tables[part.key], part.value,
                              f"{part.key}, entry {part.index}", limits=False))
            if len(batch) >= _INSERT_BATCH:
                self._flush(current, batch)
                batch = []
        self._flush(current, batch)
        self._reset_sequences()

    # -- numbers

    def _keeps_numbers(self, name: str) -> bool:
        """Whether this section's rows keep their numbers: only when none of them is taken."""
        if name not in self.keep:
            ids = self.plan.ids[name]
            model = self.tables[name].model
            self.keep[name] = bool(ids) and not model._base_manager.filter(
                pk__gte=min(ids), pk__lte=max(ids)).exists()
        return self.keep[name]

    def _reset_sequences(self) -> None:
        kept = [self.tables[name].model for name, keep in self.keep.items() if keep]
        if kept and connection.vendor != "sqlite":  # SQLite moves its counter on by itself
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), kept):
                    cursor.execute(sql)

    # -- rows

    def _resolve(self, table: _Table, row: dict) -> dict:
        """The row with its references turned into this store's numbers."""
        row = dict(row)
        for column, section in table.refs.items():
            if row[column] is not None:
                row[column] = self.numbers[section].get(row[column])
        if "type__name" in row:
            name = row.pop("type__name")
            if name not in self.types:
                self.types[name] = models.HealthType.objects.get_or_create(name=name)[0].pk
            row["type_id"] = self.types[name]
        if table.name == "safety_events" and isinstance(row.get("detail"), dict):
            detail = dict(row["detail"])
            for key, section in _DETAIL_REFERENCES.items():
                if isinstance(detail.get(key), int):
                    detail[key] = self.numbers[section].get(detail[key])
            row["detail"] = detail
        return row

    def _identity(self, table: _Table, row: dict) -> tuple:
        """What makes two rows the same entry: every column but its number (Apple Health
        samples: their natural key, which already fixes the rest)."""
        if table.name == "health_records":
            return (row["type_id"], row["start_date"], row["kind"], _plain_key(row["key"]))
        return tuple(_plain_key(row[c]) for c in self._identity_columns(table))

    @staticmethod
    def _identity_columns(table: _Table) -> list[str]:
        return [("type_id" if c == "type__name" else c) for c in table.columns if c != "id"]

    def _held(self, table: _Table) -> dict:
        """The entries already in this record, by identity, with their numbers."""
        if table.name not in self.held:
            held: dict = {}
            if not self.empty:
                rows = export_erase.sections(self.person)
                query = dict(rows)[table.name]
                columns = self._identity_columns(table)
                for values in query.values_list("pk", *columns).iterator(chunk_size=2000):
                    row = dict(zip(columns, values[1:], strict=True))
                    held[self._identity(table, row)] = values[0]
            self.held[table.name] = held
        return self.held[table.name]

    def _flush(self, name: str | None, batch: list[dict]) -> None:
        if not name or not batch:
            return
        table = self.tables[name]
        held = self._held(table)
        new: list[tuple[int, dict]] = []
        for row in batch:
            row = self._resolve(table, row)
            found = held.get(self._identity(table, row))
            if found is not None:
                self.numbers[name][row["id"]] = found
                self.summary.already_present += 1
                continue
            new.append((row.pop("id"), row))
        if new:
            self._insert(table, new)

    def _insert(self, table: _Table, new: list[tuple[int, dict]]) -> None:
        keep = self._keeps_numbers(table.name)
        try:
            with transaction.atomic():
                numbers = self._insert_rows(table, new, keep)
        except IntegrityError:  # some clash with rows here: one at a time, to keep the rest
            numbers = []
            for number, row in new:
                try:
                    with transaction.atomic():
                        numbers += self._insert_rows(table, [(number, row)], keep)
                except IntegrityError:
                    numbers.append(None)
        for (number, row), made in zip(new, numbers, strict=True):
            if made is None:
                self.summary.skipped += 1
                self.summary.reasons[LEFT_ALONE_CLASH] = self.summary.reasons.get(
                    LEFT_ALONE_CLASH, 0) + 1
                continue
            self.numbers[table.name][number] = made
            self.held[table.name][self._identity(table, row)] = made
            self.summary.added += 1

    def _insert_rows(self, table: _Table, new: list[tuple[int, dict]], keep: bool) -> list[int]:
        """Insert as given (``raw``: creation times stay the export's); the rows' numbers."""
        model = table.model
        objs = []
        for number, row in new:
            obj = model(**row)
            if table.owned:
                obj.person_id = self.person.pk
            if keep:
                obj.pk = number
            objs.append(obj)
        fields = [f for f in model._meta.concrete_fields if keep or not f.primary_key]
        if keep:
            model._base_manager._insert(objs, fields=fields, raw=True, using="default")
            return [number for number, _ in new]
        returned = model._base_manager._insert(objs, fields=fields, raw=True, using="default",
                                               returning_fields=[model._meta.pk])
        return [r[0] for r in returned]


def section_rows(person: models.Person) -> Iterator[tuple[str, list[dict]]]:
    """Every row of each section of ``person``'s record, without its person (for comparing)."""
    for name, rows in reversed(export_erase.sections(person)):
        yield name, [{k: v for k, v in row.items() if k != "person_id"}
                     for row in rows.order_by("pk").values()]

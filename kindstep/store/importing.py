"""Import any export kindstep reads into the store: one transaction, all or nothing, idempotent.

:func:`import_file` is the action behind ``kindstep import`` and the web
upload page. It detects the format (or takes the one given), hands Apple
Health to :func:`kindstep.store.health_import.import_apple_health`, and for
every other format streams the importer's rows into the store:

=====================  =========================================================
row                    stored as
=====================  =========================================================
``SessionRow``         ``MovementSession`` (``source``, ``external_id`` = key),
                       ``met`` from the catalogue
``MoodRow``            ``JournalEntry`` (a journal mood has no energy or anxiety,
                       so it is not forced into a ``CheckIn``)
``NoteRow``            ``JournalNote`` (Bearable energy, symptoms, factors ...)
``DailyRow``           ``DailyMeasure`` (one figure per source, kind and day)
``Skipped``            nothing; counted under its reason
=====================  =========================================================

- **Counts** are of the source's own items: every row is one item except a
  session with ``derived_from`` set (a Daylio entry's "walk"), which belongs
  to the entry before it and is not counted again. So
  ``added + already_present + skipped`` is the number of items in the file.
- **Idempotent**: rows are gathered in batches of :data:`BATCH`; each batch
  asks the database once per table which natural keys it already holds
  (never once per row), then writes the new ones with ``bulk_create``. A
  second import of the same file adds nothing; a newer export adds exactly
  the new items. A key met twice in one file counts as already present.
- **All or nothing**: everything happens inside one ``transaction.atomic()``;
  a file that raises ImportRefused part-way (a damaged line 5,000 rows in)
  rolls back every batch already written.
- **Removed stays removed**: a session from a file that the person removed
  leaves a mark (``RemovedImport``: source and key), so importing that file
  again counts it as already present instead of bringing it back; undoing
  the removal forgets the mark. (Apple Health workouts keep their own row,
  which does the same; imported moods and nights are marked removed in place.)
- **Daylio's own mood names**: an entry whose mood name the person has not
  placed is stored with ``mood`` empty and the name in ``mood_name`` (shown by
  its name in History, left out of insights). Placements ({name: level 1-5},
  ``core.moods``) come in as ``moods=`` or through ``actions.place_moods``;
  they are kept on the person (``Person.daylio_moods``) so the next export is
  read with them, and every waiting entry under a placed name gets its mood
  (:func:`fill_placed_moods`), so placing later adds nothing twice.
- **Nothing silent**: a summary that adds nothing carries one line saying why
  and what to try (:func:`why_nothing`); journal movement left out as a
  doubled estimate (below) is counted in a note.
- **Dry run** does the whole import inside the transaction and then rolls it
  back, so its counts (already-present ones included) are exactly what a
  real import would report, and nothing is kept.
- **Days**: a session read from a GPX, TCX or FIT file has its day
  re-derived from ``started_at`` in the person's time zone with their
  day-start hour (:func:`kindstep.core.days.person_day`), like a session
  logged in kindstep. Journal rows keep the day the journal gave: the person
  chose it there.
- **Sessions** keep their distance and energy in their own columns, and the
  file's own name for the activity in the note ("From a GPX file: running.").
- **Estimates give way**: a session derived from a journal's activity label
  (Daylio or Bearable: "walk", at kindstep's usual length, since the app
  records no minutes) is left out when that day already holds a session of
  the same activity, tracked, imported or logged in kindstep; otherwise a
  walk the watch recorded and the diary mentioned would count twice. (The
  journal entry keeps the label either way. A walk logged or tracked *after*
  the journal's import sits beside its estimate, which can be deleted.)
"""

from __future__ import annotations

import hashlib
import io
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from django.db import transaction

from kindstep.core.catalogue import Catalogue, load_catalogue
from kindstep.core.checks import InvalidInput
from kindstep.core.days import person_day
from kindstep.importers import detect as detect_module
from kindstep.importers.rows import (
    MOST_KCAL,
    MOST_METRES,
    DailyRow,
    ImportRefused,
    ImportSummary,
    MoodRow,
    NoteRow,
    SessionRow,
    Skipped,
    plausible,
)
from kindstep.store import models
from kindstep.store.versioning import touch

__all__ = ["import_file", "fill_placed_moods", "valid_placements", "ImportSummary", "ImportRefused",
           "FORMATS", "FORMAT_NAMES", "BATCH"]

FORMATS = detect_module.FORMATS
"""The formats ``--format`` accepts (see :mod:`kindstep.importers.detect`)."""

FORMAT_NAMES = {
    "apple_health": "an Apple Health export",
    "gpx": "a GPX file",
    "tcx": "a TCX file",
    "fit": "a FIT file",
    "activity_files": "a folder or zip of activity files",
    "daylio_csv": "a Daylio CSV export",
    "daylio_backup": "a Daylio backup",
    "bearable_csv": "a Bearable CSV export",
    "strava": "a Strava export",
    "kindstep_export": "a kindstep export",
}
"""How the CLI and the web page name each format in a sentence."""

BATCH = 2000
"""Rows gathered before one lookup per table and one bulk insert: memory stays flat."""

ACTIVITY_FILE_SOURCES = ("gpx", "tcx", "fit")
"""Sources whose sessions get their day re-derived in the person's time zone."""

TIMED_SOURCES = (*ACTIVITY_FILE_SOURCES, "strava")
"""Sources of recorded activities. A session from one of them that starts at the same second
as one already held from another, and is as long (within a minute: a file's first-to-last point
and Strava's elapsed time may round apart), is the same activity: a GPX imported on its own and
the same run in a Strava export, in either order, count as already present."""

MAX_KEY = 200
"""``external_id`` columns hold 200 characters; a longer key is stored as its SHA-256."""

Progress = Callable[[int, int, int], None]
"""``progress(bytes_read, total_bytes, items)``, as Apple Health's importer calls it."""

_STREAMED = ("gpx", "tcx", "fit", "daylio_csv", "bearable_csv")
"""Single-file formats read through a byte-counting stream, so progress shows bytes."""


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back once it is counted."""


def import_file(
    person: models.Person,
    path: str | os.PathLike,
    *,
    format: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    moods: Mapping[str, int] | None = None,
    now: datetime,
) -> ImportSummary:
    """Import the export at ``path`` for ``person``; returns what was added, found and skipped.

    ``format`` (one of :data:`FORMATS`) skips detection. Raises
    ImportRefused, with nothing written, for a missing, unknown or damaged
    file. ``now`` (the interface's clock, an aware datetime) bounds the dates
    every file may carry: the importers never read the clock themselves.

    ``moods`` places Daylio mood names ({name: level 1-5}, ``core.moods``) for a
    Daylio CSV: they are remembered for the person with the ones placed before,
    and entries already imported under those names get their mood. InvalidInput
    for a level off the scale or a name Daylio places itself; ImportRefused when
    the file is not a Daylio CSV.
    """
    p = Path(path)
    if format is not None and format not in FORMATS:
        raise ImportRefused(f"kindstep does not know the format {format!r}. "
                            f"It reads: {', '.join(FORMATS)}.")
    placements = valid_placements(moods or {})
    if not p.exists():
        raise ImportRefused("kindstep cannot find this file or folder. Checking the path "
                            "(or copying the export here again) may help.", str(p))
    fmt = format or detect_module.detect(p)
    if placements and fmt != "daylio_csv":
        raise ImportRefused(f"Placing mood names is for a Daylio CSV export, and this is "
                            f"{FORMAT_NAMES.get(fmt, fmt)}, which needs none.", str(p))
    if fmt == "kindstep_export":  # your own record coming back: kindstep/store/restore.py
        from kindstep.store.restore import restore_export

        return restore_export(person, p, dry_run=dry_run, now=now)
    if fmt == "apple_health":
        from kindstep.store.health_import import import_apple_health

        if p.is_dir():  # an unpacked export: its export.xml (routes stay with the zip import)
            p = next((x for x in sorted(p.rglob("export.xml")) if x.is_file()), p)
        summary = import_apple_health(person, p, dry_run=dry_run, progress=progress)
        if not dry_run and summary.added:
            touch(person)  # its rows are written in bulk, past the signals
        summary.why_nothing = why_nothing(summary)
        return summary
    total = _size(p)
    counter = _Counter(total, progress)
    summary = ImportSummary(format=fmt, dry_run=dry_run)
    try:
        with transaction.atomic():
            placed = {**(person.daylio_moods or {}), **placements}
            if placements:
                remember_placements(person, placements)
            loader = _Loader(person, summary, counter)
            with _open_rows(p, fmt, person, counter, now, placed) as rows:
                loader.load(rows)
            summary.moods_filled = fill_placed_moods(
                person, {n: v for n, v in placed.items() if n in loader.mood_names})
            if summary.added or summary.moods_filled or placements:
                touch(person)  # bulk writes pass the signals by
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    counter.finish(summary)
    summary.reasons = dict(sorted(summary.reasons.items()))
    summary.unplaced = dict(loader.unplaced)
    if loader.estimates_left_out:
        summary.notes.append(
            f"{loader.estimates_left_out} movement(s) named in the journal were not added as "
            "sessions, because those days already hold the same activity; the entries keep "
            "their labels.")
    summary.why_nothing = why_nothing(summary)
    return summary


def valid_placements(moods: Mapping[str, object]) -> dict[str, int]:
    """``moods`` as {mood key: level 1-5}; InvalidInput for a level off Daylio's scale or one of
    Daylio's own names (which are never placed)."""
    from kindstep.core.moods import DEFAULT_NAMES, mood_key, parse_level

    out: dict[str, int] = {}
    for name, level in moods.items():
        key = mood_key(name)
        if not key or key in DEFAULT_NAMES:
            raise InvalidInput("mood", f"{str(name)[:60]!r} is one of Daylio's own five moods, "
                                       "so it already has its place." if key else
                                       "A mood name to place is empty.")
        out[key] = parse_level(str(level), name=key)
    return out


def remember_placements(person: models.Person, placements: Mapping[str, int]) -> None:
    person.daylio_moods = {**(person.daylio_moods or {}), **placements}
    person.save(update_fields=["daylio_moods"])


def fill_placed_moods(person: models.Person, placements: Mapping[str, int]) -> int:
    """Give each Daylio entry still waiting under a placed name its mood; returns how many.

    One UPDATE per name. Only entries with no mood yet are filled: an entry
    already on the scale keeps its mood (a backup's moods come with their place).
    """
    from kindstep.core.moods import scale_value

    filled = 0
    for name, level in placements.items():
        filled += models.JournalEntry.objects.filter(
            person=person, source="daylio", mood__isnull=True, mood_name=name,
        ).update(mood=scale_value(level))
    return filled


def why_nothing(summary: ImportSummary) -> str:
    """One line saying why an import added nothing, and what to try; "" when it added something.

    >>> why_nothing(ImportSummary("gpx", already_present=2))
    'Everything in this file was already here, so nothing new was added.'
    """
    if summary.added or summary.moods_filled:
        return ""
    if not (summary.already_present or summary.skipped):
        return ("This file holds no entries kindstep could find. A fresh export from the app, "
                "covering the dates you want, may hold them.")
    if not summary.skipped:
        return "Everything in this file was already here, so nothing new was added."
    if not summary.already_present:
        return ("Nothing in this file could be used, for the reasons listed. A fresh export from "
                "the app may help; if it looks the same, the reasons say what kindstep needs.")
    return ("Nothing new was added: the rest was already here, and the reasons listed say why "
            "the others were set aside.")


# ---------------------------------------------------------------- reading


def _size(p: Path) -> int:
    if p.is_file():
        return p.stat().st_size
    total = 0
    for root, _dirs, files in os.walk(p, followlinks=False):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


class _Counter:
    """Bytes read and items seen, reported at most every 256 KiB or 500 items."""

    def __init__(self, total: int, progress: Progress | None):
        self.total = total
        self.read = 0
        self.items = 0
        self.progress = progress
        self._last = (0, 0)

    def bytes(self, n: int) -> None:
        self.read += n
        self._report()

    def item(self) -> None:
        self.items += 1
        self._report()

    def _report(self, force: bool = False) -> None:
        if self.progress is None:
            return
        last_bytes, last_items = self._last
        if force or self.read - last_bytes >= 256 * 1024 or self.items - last_items >= 500:
            self._last = (self.read, self.items)
            self.progress(min(self.read, self.total), self.total, self.items)

    def finish(self, summary: ImportSummary) -> None:
        self.read = self.total
        self._report(force=True)


class _CountingReader(io.RawIOBase):
    """A binary file that tells the counter how many bytes were read from it."""

    def __init__(self, fp: BinaryIO, counter: _Counter):
        self.fp = fp
        self.counter = counter

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.fp.readinto(buffer)
        self.counter.bytes(n or 0)
        return n

    def close(self) -> None:
        self.fp.close()
        super().close()


class _open_rows:
    """The importer's rows for ``p`` in ``fmt`` (a context manager that closes the file)."""

    def __init__(self, p: Path, fmt: str, person: models.Person, counter: _Counter,
                 now: datetime, placed: Mapping[str, int]):
        from kindstep.core.moods import scale_value

        self.args = (p, fmt, person, counter, now)
        self.moods = {name: scale_value(level) for name, level in placed.items()}
        self.fp: io.BufferedReader | None = None

    def __enter__(self) -> Iterator:
        p, fmt, person, counter, now = self.args
        if fmt in _STREAMED and p.is_file():
            from kindstep.importers import bearable, daylio, fit, gpx, tcx

            try:
                raw = open(p, "rb")  # noqa: SIM115 - closed in __exit__
                self.fp = io.BufferedReader(_CountingReader(raw, counter))
            except OSError as error:
                raise ImportRefused(f"kindstep could not open this file ({error.strerror}).",
                                    str(p)) from None
            readers = {
                "gpx": lambda s: gpx.rows(s, now=now),
                "tcx": lambda s: tcx.rows(s, now=now),
                "fit": lambda s: fit.rows(s, now=now),
                "daylio_csv": lambda s: daylio.csv_rows(s, tz=person.timezone, moods=self.moods,
                                                        now=now),
                "bearable_csv": lambda s: bearable.rows(s, tz=person.timezone, now=now),
            }
            return readers[fmt](self.fp)
        if fmt == "daylio_csv":  # a named pipe or the like: not streamed, still placed
            from kindstep.importers import daylio

            return daylio.csv_rows(p, tz=person.timezone, moods=self.moods, now=now)
        _fmt, rows = detect_module.rows_from_file(p, fmt, tz=person.timezone, now=now)
        return rows

    def __exit__(self, *exc) -> None:
        if self.fp is not None and not self.fp.closed:
            self.fp.close()


# ---------------------------------------------------------------- writing


def _external_id(key: str) -> str:
    if len(key) <= MAX_KEY:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _scale(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10


class _Loader:
    """Rows in, batches written, the summary counted."""

    def __init__(self, person: models.Person, summary: ImportSummary, counter: _Counter):
        self.person = person
        self.summary = summary
        self.counter = counter
        self.catalogue: Catalogue = load_catalogue()
        self.batch: list[tuple[object, bool]] = []
        self.mood_names: set[str] = set()
        """Every mood name the file's entries carry."""
        self.unplaced: dict[str, int] = {}
        """Mood names with no place yet -> how many of the file's entries carry them."""
        self.estimates_left_out = 0
        """Journal movement estimates not added because their day already holds that activity."""

    def load(self, rows: Iterable) -> None:
        for row in rows:
            counted = not (isinstance(row, SessionRow) and row.derived_from)
            if counted:
                self.counter.item()
            if isinstance(row, Skipped):
                self.skip(row.reason)
                continue
            if isinstance(row, MoodRow) and row.mood_name:
                self.mood_names.add(row.mood_name)
                if row.mood is None:
                    self.unplaced[row.mood_name] = self.unplaced.get(row.mood_name, 0) + 1
            problem = self.check(row)
            if problem:
                if counted:
                    self.skip(problem)
                continue  # a derived session that cannot be stored: its entry keeps the label
            self.batch.append((row, counted))
            if len(self.batch) >= BATCH:
                self.flush()
        self.flush()

    def skip(self, reason: str) -> None:
        self.summary.skipped += 1
        self.summary.reasons[reason] = self.summary.reasons.get(reason, 0) + 1

    def check(self, row: object) -> str:
        """Why a row cannot be stored, or ""; importers validate, this is the store's own guard."""
        if isinstance(row, SessionRow):
            if row.activity not in self.catalogue:
                return "An activity kindstep's catalogue does not hold."
            if not 1 <= row.minutes <= 1440:
                return "A session shorter than a minute or longer than a day."
            return ""
        if isinstance(row, MoodRow):
            if row.mood is None and not row.mood_name:
                return "A mood with neither a value nor a name."
            values = (row.mood, row.energy, row.anxiety)
            if any(value is not None and not _scale(value) for value in values):
                return "A mood outside kindstep's 0-10 scale."
            return ""
        if isinstance(row, NoteRow):
            return "" if row.value is None or _scale(row.value) else "A rating outside 0-10."
        if isinstance(row, DailyRow):
            if row.kind not in models.DailyMeasure.Kind.values:
                return f"A daily measure kindstep does not keep ({row.kind})."
            if not isinstance(row.value, int | float) or not math.isfinite(row.value) or row.value < 0:
                return "A daily figure that is not a number kindstep can use."
            return ""
        return "A row kindstep does not know how to keep."

    def flush(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        sessions = [(r, c) for r, c in batch if isinstance(r, SessionRow)]
        moods = [(r, c) for r, c in batch if isinstance(r, MoodRow)]
        notes = [(r, c) for r, c in batch if isinstance(r, NoteRow)]
        daily = [(r, c) for r, c in batch if isinstance(r, DailyRow)]
        if sessions:
            self._keyed(models.MovementSession, sessions, self._session)
        if moods:
            self._keyed(models.JournalEntry, moods, self._mood)
        if notes:
            self._keyed(models.JournalNote, notes, self._note)
        if daily:
            self._daily(daily)

    def _tally(self, counted: bool, new: bool) -> None:
        if not counted:
            return
        if new:
            self.summary.added += 1
        else:
            self.summary.already_present += 1

    def _keyed(self, model, rows: list[tuple], build: Callable) -> None:
        """One query per source for the keys already stored, then one bulk insert."""
        wanted: dict[str, set[str]] = {}
        for row, _ in rows:
            wanted.setdefault(row.source, set()).add(_external_id(row.key))
        present: set[tuple[str, str]] = set()
        for source, keys in wanted.items():
            found = model.objects.filter(person=self.person, source=source,
                                         external_id__in=keys).values_list("external_id", flat=True)
            if model is models.MovementSession:  # sessions the person removed stay removed
                found = found.union(models.RemovedImport.objects.filter(
                    person=self.person, source=source, external_id__in=keys,
                ).values_list("external_id", flat=True))
            present.update((source, k) for k in found)
        held = self._timed_sessions(rows) if model is models.MovementSession else {}
        new = []
        for row, counted in rows:
            natural = (row.source, _external_id(row.key))
            is_new = natural not in present and not _same_timed(row, held)
            if is_new:
                present.add(natural)  # a key met twice in one file is stored once
                if model is models.MovementSession and row.source in TIMED_SOURCES and row.started_at:
                    held.setdefault(row.started_at, []).append(row.minutes)
                new.append(build(row))
            self._tally(counted, is_new)
        if model is models.MovementSession:
            new = self._without_doubled_estimates(new, rows)
        model.objects.bulk_create(new, batch_size=500)

    def _timed_sessions(self, rows: list[tuple]) -> dict:
        """Minutes of the sessions already held (removed ones too) that start when ``rows`` do.

        One query per batch; see :data:`TIMED_SOURCES`.
        """
        starts = {row.started_at for row, _ in rows
                  if row.source in TIMED_SOURCES and row.started_at is not None}
        held: dict = {}
        if not starts:
            return held
        found = models.MovementSession.objects.filter(
            person=self.person, source__in=TIMED_SOURCES, started_at__in=starts,
        ).values_list("started_at", "minutes")
        for started_at, minutes in found:
            held.setdefault(started_at, []).append(minutes)
        return held

    def _without_doubled_estimates(self, new: list, rows: list[tuple]) -> list:
        """``new`` sessions less the journal estimates whose day already holds that activity.

        One query for the days and activities the estimates name; sessions new
        in this batch count as held too, the estimates' own included, so a
        second label for the same day and activity is not kept twice either.
        """
        derived = {(row.source, _external_id(row.key)) for row, _ in rows if row.derived_from}
        estimates = [s for s in new if (s.source, s.external_id) in derived]
        if not estimates:
            return new
        held = set(models.MovementSession.objects.filter(
            person=self.person, removed_at__isnull=True, day__in={s.day for s in estimates},
            activity__in={s.activity for s in estimates},
        ).values_list("day", "activity"))
        held.update((s.day, s.activity) for s in new if (s.source, s.external_id) not in derived)
        kept = []
        for session in new:
            if (session.source, session.external_id) in derived:
                if (session.day, session.activity) in held:
                    self.estimates_left_out += 1
                    continue
                held.add((session.day, session.activity))
            kept.append(session)
        return kept

    def _session(self, row: SessionRow) -> models.MovementSession:
        day = row.day
        if row.started_at is not None and row.source in TIMED_SOURCES:
            day = person_day(row.started_at, self.person.timezone, self.person.day_start_hour)
        return models.MovementSession(
            person=self.person, day=day, started_at=row.started_at, activity=row.activity,
            minutes=row.minutes, met=self.catalogue[row.activity].met, note=_session_note(row),
            distance_m=plausible(row.distance_m, MOST_METRES),
            energy_kcal=plausible(row.energy_kcal, MOST_KCAL),
            source=row.source, external_id=_external_id(row.key),
        )

    def _mood(self, row: MoodRow) -> models.JournalEntry:
        return models.JournalEntry(
            person=self.person, source=row.source, external_id=_external_id(row.key), day=row.day,
            at=row.at, mood=row.mood, energy=row.energy, anxiety=row.anxiety, note=row.note,
            activities=list(row.activities), mood_name=row.mood_name[:64],
        )

    def _note(self, row: NoteRow) -> models.JournalNote:
        return models.JournalNote(
            person=self.person, source=row.source, external_id=_external_id(row.key), day=row.day,
            at=row.at, kind=row.kind[:64], text=row.text, value=row.value,
        )

    def _daily(self, rows: list[tuple[DailyRow, bool]]) -> None:
        """One figure per source, kind and day: a day already held is already present."""
        days_by_source: dict[str, set] = {}
        for row, _ in rows:
            days_by_source.setdefault(row.source, set()).add(row.day)
        present: set[tuple] = set()
        for source, days in days_by_source.items():
            found = models.DailyMeasure.objects.filter(person=self.person, source=source,
                                                       day__in=days).values_list("kind", "day")
            present.update((source, kind, day) for kind, day in found)
        new = []
        for row, counted in rows:
            natural = (row.source, row.kind, row.day)
            is_new = natural not in present
            if is_new:
                present.add(natural)  # a second figure for the same day in one file: kept once
                new.append(models.DailyMeasure(person=self.person, day=row.day, kind=row.kind,
                                               value=float(row.value), source=row.source))
            self._tally(counted, is_new)
        models.DailyMeasure.objects.bulk_create(new, batch_size=500)


def _same_timed(row: object, held: dict) -> bool:
    """Whether ``row`` is a recorded session already held under another source or key."""
    if not isinstance(row, SessionRow) or row.source not in TIMED_SOURCES or row.started_at is None:
        return False
    return any(abs(minutes - row.minutes) <= 1 for minutes in held.get(row.started_at, ()))


def _session_note(row: SessionRow) -> str:
    """The importer's note, with where the session came from."""
    parts = []
    if row.source in ACTIVITY_FILE_SOURCES:
        details = [row.origin] if row.origin and row.origin != row.activity else []
        what = f"From a {row.source.upper()} file"
        parts.append(f"{what}: {', '.join(details)}." if details else f"{what}.")
    elif row.source == "strava":
        parts.append(f"From Strava: {row.origin}." if row.origin else "From Strava.")
    if row.note:
        parts.append(row.note)
    return "\n".join(parts)

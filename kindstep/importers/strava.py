"""Strava's bulk export ("Download your data"): ``activities.csv`` and the files it names.

``rows(path, now=...)`` takes the zip Strava sends, its unpacked folder, or
``activities.csv`` alone, and yields one row per line of the CSV:

- a line whose ``Filename`` names a GPX, TCX or FIT file (``activities/123.gpx``,
  ``activities/123.fit.gz``) that is present and readable becomes the session
  (for a GPX file of several tracks, the sessions) that file's own reader finds (:mod:`kindstep.importers.gpx`, ``tcx``,
  ``fit``), with that reader's source and natural key. So a file imported on
  its own before, or after, is the same session and is not added twice.
- a line with no file (indoor and manual activities), or whose file is
  missing, damaged or holds no timed track, becomes a session from the line
  itself: ``Activity Date`` (UTC), the first ``Elapsed Time`` (seconds), the
  second ``Distance`` (metres; the first is in the person's km or miles),
  ``Calories``, ``Activity Name`` and ``Activity Description``. Source
  ``strava``; when a file was named but could not be used, the session's
  note says why.
- a line that cannot be read (no date, no elapsed time) is a Skipped with
  its reason and row number.

The columns are the ones Strava writes; its CSV repeats some names
(``Elapsed Time``, ``Distance``, ``Max Heart Rate``, ``Relative Effort``,
``Commute``), so columns are found by name *and* position. Described in
Strava's help article "Exporting your Data and Bulk Export" and, column by
column, by public readers of the export such as the Athlytics R package
(``load_local_activities``) and TheNewThinkTank/strava-insights
(``data/activities.csv``, a real export).

Bounds, as for the other importers: the zip goes through
:func:`kindstep.importers.hardening.open_zip` (names, sizes, ratios, member
count; nothing extracted to disk); ``activities.csv`` is read up to
:data:`MAX_CSV_BYTES` and :data:`MAX_ROWS` lines; each activity file
through :func:`~kindstep.importers.hardening.read_limited` (gzip undone,
size bounded). In a folder, a ``Filename`` that leaves the folder or is a
link is not followed.

Strava's activity types map onto kindstep's catalogue by :data:`STRAVA_TYPES`,
then by :func:`kindstep.importers.sessions.activity_code` (the table GPX,
TCX and FIT share); a type neither knows becomes an easy walk with Strava's
name kept as its origin, as for GPX.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from kindstep.importers.hardening import (
    ACTIVITY_FILE_BYTES,
    MIB,
    check_file_size,
    open_zip,
    read_limited,
)
from kindstep.importers.rows import MOST_KCAL, ImportRefused, SessionRow, Skipped, plausible
from kindstep.importers.sessions import activity_code, session_or_skip

__all__ = ["rows", "is_strava_header", "STRAVA_TYPES", "SOURCE"]

SOURCE = "strava"
CSV_NAME = "activities.csv"
MAX_CSV_BYTES = 64 * MIB
"""A decade of daily activities is a few MB; 64 MB leaves room and bounds memory."""
MAX_ROWS = 200_000

STRAVA_TYPES: dict[str, str] = {
    # lower case, spaces, "-" and "_" removed: "Weight Training" and "WeightTraining" alike
    "run": "jog", "trailrun": "jog", "virtualrun": "jog",
    "walk": "walk", "wheelchair": "walk",
    "hike": "hike", "snowshoe": "hike",
    "ride": "cycle", "virtualride": "cycle", "ebikeride": "cycle", "mountainbikeride": "cycle",
    "gravelride": "cycle", "emountainbikeride": "cycle", "handcycle": "cycle",
    "velomobile": "cycle",
    "swim": "swim",
    "yoga": "yoga_gentle", "pilates": "pilates",
    "weighttraining": "strength_bodyweight", "workout": "strength_bodyweight",
    "crossfit": "strength_bodyweight", "highintensityintervaltraining": "strength_bodyweight",
    "stairstepper": "stairs",
    "dance": "dance",
}
"""Strava's activity type -> catalogue code, where Strava's name is its own word for it.

Anything else is looked up in :data:`kindstep.importers.sessions.ACTIVITY_NAMES`
and then becomes an easy walk (``walk``) with Strava's type kept as the
origin: kindstep counts gentle minutes, and claims no more about a rowing
machine or a ski day than that time passed moving."""

_DATE_FORMATS = ("%b %d, %Y, %I:%M:%S %p", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ",
                 "%d %b %Y, %H:%M:%S")
_SQUEEZE = re.compile(r"[\s_\-]+")
_READERS = ("gpx", "tcx", "fit")


def is_strava_header(columns: set[str]) -> bool:
    """Whether lower-cased CSV header names are Strava's ``activities.csv``.

    >>> is_strava_header({"activity id", "activity date", "activity type", "elapsed time"})
    True
    """
    return {"activity id", "activity date", "activity type"} <= columns


def strava_code(kind: str) -> str:
    """The catalogue code for a Strava activity type.

    >>> strava_code("Run"), strava_code("Weight Training"), strava_code("Rowing")
    ('jog', 'strength_bodyweight', 'walk')
    """
    squeezed = _SQUEEZE.sub("", kind.lower())
    return STRAVA_TYPES.get(squeezed) or activity_code(kind)


# --------------------------------------------------------------------------- where files are


class _Export:
    """``activities.csv`` and a way to read the files it names, from a zip, folder or the CSV."""

    def __init__(self, csv_bytes: bytes, fetch: Callable[[str], bytes | None],
                 close: Callable[[], None] = lambda: None, *, alone: bool = False):
        self.csv_bytes = csv_bytes
        self.alone = alone
        """Only ``activities.csv`` was given: its lines stand for their files, with no note."""
        self.fetch = fetch
        """``fetch(filename)``: the file's bytes (gzip undone), None if absent; may raise ImportRefused."""
        self.close = close


def _read_csv_file(path: Path) -> bytes:
    size = check_file_size(path)
    if size > MAX_CSV_BYTES:
        raise ImportRefused(f"This activities.csv is larger than the {MAX_CSV_BYTES // MIB} MB "
                            "kindstep reads.", str(path))
    with open(path, "rb") as handle:
        return handle.read(MAX_CSV_BYTES + 1)


def _safe_relative(name: str) -> str | None:
    """The ``Filename`` as a clean relative POSIX path, or None when it would leave its place."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return None
    parts = PurePosixPath(name).parts
    if ".." in parts:
        return None
    return PurePosixPath(*parts).as_posix()


def _open_export(path: Path) -> _Export:
    if path.is_dir():
        return _open_folder(path)
    check_file_size(path)  # missing, empty, not a regular file: refused kindly
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _open_zip(path)
    return _Export(_read_csv_file(path), lambda name: None, alone=True)


def _open_folder(folder: Path) -> _Export:
    found = folder / CSV_NAME
    if not found.is_file():
        candidates = sorted(p for p in folder.glob(f"*/{CSV_NAME}") if p.is_file())
        if not candidates:
            raise ImportRefused("This folder holds no activities.csv, so it is not a Strava export.",
                                str(folder))
        found = candidates[0]
    if found.is_symlink():
        raise ImportRefused("activities.csv here is a link; kindstep does not follow links.",
                            str(found))
    base = found.parent.resolve()

    def fetch(name: str) -> bytes | None:
        clean = _safe_relative(name)
        if clean is None:
            raise ImportRefused("Its file name points outside the export, so it was not opened.")
        target = base / clean
        if target.is_symlink():
            raise ImportRefused("Its file is a link; kindstep does not follow links.")
        if not target.is_file():
            return None
        if base not in target.resolve().parents:
            raise ImportRefused("Its file name points outside the export, so it was not opened.")
        return read_limited(target, "activity")

    return _Export(_read_csv_file(found), fetch)


def _open_zip(path: Path) -> _Export:
    archive = open_zip(path)
    try:
        members = archive.members()
        csvs = sorted((n for n in members if PurePosixPath(n).name.lower() == CSV_NAME),
                      key=lambda n: (n.count("/"), n))
        if not csvs:
            raise ImportRefused("This zip holds no activities.csv, so it is not a Strava export.",
                                str(path))
        csv_name = csvs[0]
        base = csv_name.rsplit("/", 1)[0] + "/" if "/" in csv_name else ""
        csv_bytes = archive.read(csv_name, MAX_CSV_BYTES)
        if len(csv_bytes) > MAX_CSV_BYTES:
            raise ImportRefused(f"This activities.csv is larger than the {MAX_CSV_BYTES // MIB} MB "
                                "kindstep reads.", csv_name)
        held = set(members)
    except BaseException:
        archive.close()
        raise

    def fetch(name: str) -> bytes | None:
        clean = _safe_relative(name)
        if clean is None:
            raise ImportRefused("Its file name points outside the export, so it was not opened.")
        member = base + clean
        if member not in held:
            return None
        return read_limited(archive.read(member, ACTIVITY_FILE_BYTES), "activity")

    return _Export(csv_bytes, fetch, archive.close)


# --------------------------------------------------------------------------- rows


def rows(source: str | os.PathLike, *, now: datetime) -> Iterator[SessionRow | Skipped]:
    """One SessionRow (or Skipped with its reason) per activity in a Strava export.

    ``source`` is the zip, the unpacked folder, or ``activities.csv`` alone;
    ``now`` (the caller's clock, aware) bounds the dates. Raises
    ImportRefused when the export as a whole cannot be read (no
    ``activities.csv``, not Strava's columns, a hostile zip).
    """
    export = _open_export(Path(source))
    try:
        table = _table(export.csv_bytes)
        header = next(table, None)
        if header is None:
            raise ImportRefused("This activities.csv is empty. Exporting again from Strava may help.")
        columns = _Columns([h.strip().lower() for h in header])
        if not columns.ok:
            raise ImportRefused(
                "This is not Strava's activities.csv: its first line lacks Strava's columns "
                "(Activity ID, Activity Date, Activity Type, Elapsed Time).", "row 1")
        listed = 0
        for number, line in enumerate(table, start=2):
            if number > MAX_ROWS + 1:
                raise ImportRefused(f"This activities.csv holds more than {MAX_ROWS} activities; "
                                    "kindstep reads up to that many at once.", f"row {number}")
            if not any(cell.strip() for cell in line):
                continue
            listed += 1
            yield from _activity(columns, line, f"row {number}", export, now)
        if not listed:
            raise ImportRefused("This activities.csv lists no activities, so there is nothing to "
                                "bring in. A newer export from Strava may hold them.", "row 2")
    finally:
        export.close()


def _table(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRefused("This activities.csv has bytes that are not UTF-8 text. Exporting "
                            "again from Strava may help.", f"line {line}") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from reader
    except csv.Error as error:
        raise ImportRefused(f"This activities.csv could not be read as CSV ({error}).",
                            f"line {reader.line_num}") from None


class _Columns:
    """Where Strava's columns are; repeated names are told apart by their order."""

    def __init__(self, names: list[str]):
        self.where: dict[str, list[int]] = {}
        for index, name in enumerate(names):
            self.where.setdefault(name, []).append(index)
        self.ok = is_strava_header(set(names)) and "elapsed time" in self.where

    def get(self, line: list[str], name: str, nth: int = 0) -> str:
        places = self.where.get(name, [])
        if nth >= len(places) or places[nth] >= len(line):
            return ""
        return line[places[nth]].strip()

    def count(self, name: str) -> int:
        return len(self.where.get(name, []))


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "")) if text else None
    except ValueError:
        return None


def _when(text: str) -> datetime | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _activity(columns: _Columns, line: list[str], where: str, export: _Export,
              now: datetime) -> Iterator[SessionRow | Skipped]:
    filename = columns.get(line, "filename")
    why_not_file = ""
    if filename and not export.alone:
        from_file, why_not_file = _from_file(filename, export, now)
        if from_file:
            yield from from_file
            return
    yield _from_line(columns, line, where, now, why_not_file)


def _from_file(filename: str, export: _Export, now: datetime
               ) -> tuple[list[SessionRow], str]:
    """The file's sessions, or ``([], why)`` when the line must stand in for it."""
    from kindstep.importers import detect, fit, gpx, tcx

    readers = {"gpx": gpx.rows, "tcx": tcx.rows, "fit": fit.rows}
    try:
        data = export.fetch(filename)
    except ImportRefused as refused:
        return [], f"Its file {filename} could not be read: {refused.message}"
    if data is None:
        return [], f"Its file {filename} was not in the export."
    kind = detect.sniff_bytes(data[:64 * 1024])
    if kind not in _READERS:
        return [], f"Its file {filename} is not a GPX, TCX or FIT file."
    try:
        found = list(readers[kind](data, now=now))
    except ImportRefused as refused:
        return [], f"Its file {filename} is damaged ({refused.message})"
    sessions = [row for row in found if isinstance(row, SessionRow)]
    if not sessions:
        reasons = "; ".join(row.reason for row in found if isinstance(row, Skipped))
        return [], f"Its file {filename} holds no timed track ({reasons or 'nothing to read'})."
    return sessions, ""


def _from_line(columns: _Columns, line: list[str], where: str, now: datetime,
               why_not_file: str) -> SessionRow | Skipped:
    stamp = columns.get(line, "activity date")
    start = _when(stamp)
    if start is None:
        return Skipped("This activity's date could not be read, so there is no day to place it on.",
                       where)
    seconds = _number(columns.get(line, "elapsed time")) or _number(
        columns.get(line, "elapsed time", 1)) or _number(columns.get(line, "moving time"))
    if seconds is None:
        return Skipped("This activity has no elapsed time, so its length is unknown.", where)
    distance = _number(columns.get(line, "distance", 1)) if columns.count("distance") > 1 else None
    kind = columns.get(line, "activity type")
    name = columns.get(line, "activity name")
    description = columns.get(line, "activity description")
    note = "\n".join(p for p in (name, description, why_not_file) if p)
    return session_or_skip(
        source=SOURCE, start=start, seconds=seconds, distance_m=distance,
        origin=kind or "Strava", activity=strava_code(kind) if kind else "walk", where=where,
        note=note, energy_kcal=plausible(_number(columns.get(line, "calories")), MOST_KCAL),
        now=now,
    )

"""What kind of export a path holds, and the activity files inside a folder or zip.

- :func:`detect` (``path -> str``) sniffs the content, not only the name, and
  returns one of :data:`FORMATS`; anything else raises ImportRefused listing
  what kindstep reads.
- :func:`activity_files` yields the GPX, TCX and FIT files (also ``.gz``, as
  Strava's bulk export writes them) in a folder or zip, each as an
  :class:`ActivityFile` whose format is sniffed from its bytes.
- :func:`activity_rows` reads them all: each file's rows, or one Skipped
  naming the file when that file is damaged, so one bad file in a folder of
  hundreds does not stop the others (a single file given on its own is
  refused instead).
- :func:`rows_from_file` (``path, format=None -> (format, rows)``) dispatches
  to the right importer.

Zips are opened with :func:`kindstep.importers.hardening.open_zip` (sizes,
ratios, member names and links checked; nothing extracted). Folders are
walked without following links.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path, PurePosixPath

from kindstep.importers.rows import ImportRefused, Skipped

__all__ = ["FORMATS", "ActivityFile", "detect", "activity_files", "activity_rows",
           "rows_from_file", "sniff_bytes"]

FORMATS = ("apple_health", "gpx", "tcx", "fit", "daylio_csv", "daylio_backup", "bearable_csv",
           "activity_files", "strava", "kindstep_export")
"""What :func:`detect` may return; ``activity_files`` is a folder or zip of GPX/TCX/FIT files,
``strava`` Strava's bulk export (its zip, folder, or ``activities.csv`` alone),
``kindstep_export`` kindstep's own export (``kindstep export``), to bring a record back."""

ACTIVITY_SUFFIXES = (".gpx", ".tcx", ".fit", ".gpx.gz", ".tcx.gz", ".fit.gz")
MAX_FOLDER_FILES = 20_000
_HEAD = 64 * 1024
_ELEMENT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_KINDSTEP_EXPORT = re.compile(rb'^\{\s*"format"\s*:\s*"kindstep-export"')
_WHAT_WE_READ = ("a kindstep export, an Apple Health export (export.zip or export.xml), GPX, TCX or FIT files "
                 "(or a folder or zip of them), a Strava export (its zip, folder or activities.csv), "
                 "a Daylio CSV export or .daylio backup, or a Bearable CSV export")


@dataclass(frozen=True)
class ActivityFile:
    """One GPX/TCX/FIT file inside a folder or zip; call ``read()`` before moving to the next."""

    name: str
    format: str
    """``gpx``, ``tcx`` or ``fit``, sniffed from the content."""
    read: Callable[[], bytes]


def detect(path: str | os.PathLike) -> str:
    """The format of the export at ``path`` (one of :data:`FORMATS`), from its content.

    Raises ImportRefused for a missing, empty or unrecognised file.
    """
    p = Path(path)
    if p.is_dir():
        return _detect_folder(p)
    try:
        with open(p, "rb") as handle:
            head = handle.read(_HEAD)
    except OSError as error:
        raise ImportRefused(f"kindstep could not open this file ({error.strerror}).", str(p)) from None
    if not head:
        raise ImportRefused("This file is empty. Exporting or copying it again may help.", str(p))
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _detect_zip(p)
    found = sniff_bytes(head)
    if found is None:
        raise ImportRefused(f"kindstep does not recognise this file. It reads {_WHAT_WE_READ}.",
                            str(p))
    return found


def sniff_bytes(head: bytes) -> str | None:
    """The format the first bytes of a single file show, or None.

    >>> sniff_bytes(b'<?xml version="1.0"?><gpx version="1.1">')
    'gpx'
    >>> sniff_bytes(b"full_date,date,weekday,time,mood,activities,note\\n")
    'daylio_csv'
    """
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(head)) as inner:
                head = inner.read(_HEAD)
        except (OSError, EOFError):
            pass  # a truncated head still gives some bytes; read what came
        except Exception:
            return None
        found = sniff_bytes(head) if head[:2] != b"\x1f\x8b" else None
        return found if found in ("gpx", "tcx", "fit") else None
    if len(head) >= 12 and head[8:12] == b".FIT" and head[0] in (12, 14):
        return "fit"
    body = head[3:] if head[:3] == b"\xef\xbb\xbf" else head
    body = body.lstrip()
    if _KINDSTEP_EXPORT.match(body):
        return "kindstep_export"
    if body[:1] == b"<":
        return _sniff_xml(body)
    first_line = body.split(b"\n", 1)[0].strip(b"\r")
    try:
        header = first_line.decode("utf-8").lower()
    except UnicodeDecodeError:
        return None
    columns = {c.strip().strip('"').strip() for c in header.split(",")}
    if {"full_date", "mood"} <= columns:
        return "daylio_csv"
    if {"date", "category", "rating/amount"} <= columns:
        return "bearable_csv"
    if {"activity id", "activity date", "activity type"} <= columns:
        return "strava"
    return None


def _sniff_xml(body: bytes) -> str | None:
    if re.search(rb"<!DOCTYPE\s+HealthData", body[:_HEAD]):
        return "apple_health"
    text = re.sub(rb"<\?.*?\?>|<!--.*?-->", b"", body, flags=re.S)
    text = re.sub(rb"<!DOCTYPE[^\[>]*(\[.*?\])?\s*>", b"", text, flags=re.S)
    found = _ELEMENT.search(text)
    if not found:
        return None
    root = found.group(2).decode("ascii", "replace")
    return {"gpx": "gpx", "TrainingCenterDatabase": "tcx", "HealthData": "apple_health"}.get(root)


def _is_activity_name(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(ACTIVITY_SUFFIXES) and not _is_litter(name)


def _is_litter(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return "__MACOSX" in parts or (parts and (parts[-1] == ".DS_Store"
                                              or parts[-1].startswith("._")))


def _detect_zip(p: Path) -> str:
    try:
        with zipfile.ZipFile(p) as archive:
            names = [n for n in archive.namelist() if not _is_litter(n)]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise ImportRefused("This zip file is damaged or incomplete. This often happens when a "
                            "download was interrupted; downloading it again may help.",
                            str(p)) from None
    bases = {n.rsplit("/", 1)[-1].lower() for n in names}
    if "backup.daylio" in bases:
        return "daylio_backup"
    if "export.xml" in bases or "export_cda.xml" in bases:
        return "apple_health"
    if any(n.rsplit("/", 1)[-1].lower() == "activities.csv" and n.count("/") <= 1
           and _strava_head(_archive_head(p, n)) for n in names):
        return "strava"
    if any(_is_activity_name(n) for n in names):
        return "activity_files"
    raise ImportRefused(f"This zip holds nothing kindstep recognises. It reads {_WHAT_WE_READ}.",
                        str(p))


def _strava_head(head: bytes) -> bool:
    """Whether these first bytes are Strava's ``activities.csv`` (its header names its columns)."""
    return sniff_bytes(head) == "strava"


def _archive_head(p: Path, name: str) -> bytes:
    """The first bytes of one zip member (at most 64 KB read; a damaged member gives b"")."""
    try:
        with zipfile.ZipFile(p) as archive, archive.open(name) as member:
            return member.read(_HEAD)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        return b""


def _file_head(p: Path) -> bytes:
    try:
        with open(p, "rb") as handle:
            return handle.read(_HEAD)
    except OSError:
        return b""


def _walk(folder: Path) -> Iterator[Path]:
    count = 0
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d != "__MACOSX")
        for name in sorted(files):
            path = Path(root) / name
            if path.is_symlink():
                continue
            count += 1
            if count > MAX_FOLDER_FILES:
                raise ImportRefused(f"This folder holds more than {MAX_FOLDER_FILES} files; "
                                    "kindstep reads up to that many at once.", str(folder))
            yield path


def _detect_folder(folder: Path) -> str:
    for found in [folder / "activities.csv", *sorted(folder.glob("*/activities.csv"))]:
        if found.is_file() and not found.is_symlink() and _strava_head(_file_head(found)):
            return "strava"
    found_activity = False
    for path in _walk(folder):
        name = path.name.lower()
        if name == "export.xml":
            return "apple_health"
        if _is_activity_name(path.name):
            found_activity = True
    if found_activity:
        return "activity_files"
    raise ImportRefused(f"This folder holds nothing kindstep recognises. It reads {_WHAT_WE_READ}.",
                        str(folder))


def activity_files(path: str | os.PathLike) -> Iterator[ActivityFile]:
    """The GPX, TCX and FIT files in a folder or zip, in name order, formats sniffed from content.

    Other files (Strava's ``activities.csv``, photos, macOS litter) are passed over.
    A file whose content is none of the three is yielded with format ``unknown``.
    """
    from kindstep.importers import hardening
    from kindstep.importers.hardening import ACTIVITY_FILE_BYTES, read_limited

    p = Path(path)
    if p.is_dir():
        for file in _walk(p):
            if not _is_activity_name(file.name):
                continue
            name = file.relative_to(p).as_posix()
            yield _activity_file(name, lambda file=file: read_limited(file, "activity"))
        return
    with hardening.open_zip(p) as archive:
        for name in sorted(archive.members()):
            if not _is_activity_name(name):
                continue
            yield _activity_file(name, lambda name=name: read_limited(
                archive.read(name, ACTIVITY_FILE_BYTES), "activity"))


def _activity_file(name: str, read: Callable[[], bytes]) -> ActivityFile:
    """The file with its format sniffed from its bytes (read once and kept for ``read()``)."""
    guess = name.lower().removesuffix(".gz").rsplit(".", 1)[-1]
    try:
        data = read()
    except ImportRefused as refused:
        def again(refused: ImportRefused = refused) -> bytes:
            raise refused

        return ActivityFile(name, guess, again)  # the parser's caller reports why, per file
    return ActivityFile(name, sniff_bytes(data[:_HEAD]) or "unknown", lambda: data)


def activity_rows(path: str | os.PathLike, *, now: datetime) -> Iterator:
    """Rows from every activity file in a folder or zip; a damaged file becomes one Skipped.

    ``now`` (the caller's clock) bounds the start times every file may carry.

    Each file's rows are gathered before any is yielded, so a file counts
    whole or as one Skipped, never half.
    """
    from kindstep.importers import fit, gpx, tcx

    readers = {"gpx": gpx.rows, "tcx": tcx.rows, "fit": fit.rows}
    for item in activity_files(path):
        reader = readers.get(item.format)
        if reader is None:
            yield Skipped("This file is named like an activity file, but its content is not GPX, "
                          "TCX or FIT.", item.name)
            continue
        try:
            found = list(reader(item.read(), now=now))
        except ImportRefused as refused:
            where = f"{item.name}, {refused.where}" if refused.where else item.name
            yield Skipped(refused.message, where)
            continue
        for row in found:
            if isinstance(row, Skipped):
                yield Skipped(row.reason, f"{item.name}, {row.where}" if row.where else item.name)
            else:
                yield row


def rows_from_file(path: str | os.PathLike, format: str | None = None, *,
                   tz: tzinfo | str | None = None, now: datetime
                   ) -> tuple[str, Iterator]:
    """``(format, rows)`` for the export at ``path``; the format is detected unless given.

    ``tz`` is the person's time zone, used where a journal writes clock times
    without one (Daylio CSV, Bearable) and for the person's today. ``now``
    (the caller's clock, an aware datetime) bounds the dates every file may carry.
    """
    from kindstep.importers import bearable, daylio, fit, gpx, tcx

    fmt = format or detect(path)
    if fmt == "gpx":
        return fmt, gpx.rows(path, now=now)
    if fmt == "tcx":
        return fmt, tcx.rows(path, now=now)
    if fmt == "fit":
        return fmt, fit.rows(path, now=now)
    if fmt == "daylio_csv":
        return fmt, daylio.csv_rows(path, tz=tz, now=now)
    if fmt == "daylio_backup":
        return fmt, daylio.backup_rows(path, tz=tz, now=now)
    if fmt == "bearable_csv":
        return fmt, bearable.rows(path, tz=tz, now=now)
    if fmt == "activity_files":
        return fmt, activity_rows(path, now=now)
    if fmt == "strava":
        from kindstep.importers import strava

        return fmt, strava.rows(path, now=now)
    if fmt == "kindstep_export":
        raise ImportRefused("A kindstep export is brought back by the store "
                            "(kindstep.store.restore), not read as rows.")
    if fmt == "apple_health":
        from kindstep.importers import apple_health  # written alongside; its own API

        return fmt, apple_health.rows(path)
    raise ImportRefused(f"kindstep does not know the format {fmt!r}; it reads {', '.join(FORMATS)}.")

"""FIT (Garmin, Wahoo, Zwift, Strava app) files: each ``session`` message becomes a :class:`SessionRow`.

``rows(source)`` reads the whole file with fitdecode, checking the CRC and
treating every decoding problem as an error (``CrcCheck.RAISE``,
``ErrorHandling.RAISE``; fitdecode's defaults only warn; docs/design.md,
"Files kindstep reads"), and only then
yields rows, so a damaged file yields nothing but an :class:`ImportRefused`
naming the byte where it went wrong. Chained files (a triathlon written as
several FIT files back to back) are read whole.

Per session: ``start_time``, ``total_elapsed_time`` (pauses included; else
``total_timer_time``), ``total_distance`` and ``total_calories``; the activity
comes from ``sub_sport`` then ``sport`` (running -> jog, cycling -> cycle,
walking -> walk, hiking -> hike, swimming -> swim, training/yoga -> yoga_gentle,
training/strength_training -> strength_bodyweight, anything else -> walk with
``origin`` kept), see :data:`kindstep.importers.gpx.ACTIVITY_NAMES`.
A ``transition`` session (the change-over in a triathlon) is Skipped with
its reason; the sports around it are imported.

The local day uses the offset between the ``activity`` message's
``local_timestamp`` and ``timestamp`` when the device wrote one, else UTC.
A file with records but no session message yields one session spanning its
records. A FIT file that is not an activity (a course, settings, a
wellness log) yields one Skipped.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import BinaryIO

from kindstep.importers.gpx import activity_code, read_limited, session_or_skip
from kindstep.importers.rows import ImportRefused, SessionRow, Skipped

__all__ = ["rows"]

SOURCE = "fit"
_MAX_OFFSET = timedelta(hours=14)


def rows(source: str | os.PathLike | bytes | BinaryIO, *, now: datetime | None = None
         ) -> Iterator[SessionRow | Skipped]:
    """A SessionRow or Skipped for each session in a FIT file; ImportRefused for a damaged file."""
    data = read_limited(source, "FIT")
    if len(data) < 12 or data[8:12] != b".FIT" or data[0] not in (12, 14):
        raise ImportRefused(
            "This file does not start like a FIT file (the '.FIT' mark is not in its header).",
            "bytes 8 to 12")
    found = _read(data)
    yield from _rows(found, now)


class _Found:
    def __init__(self) -> None:
        self.file_type: str | None = None
        self.sessions: list[dict] = []
        self.offset: timedelta | None = None
        self.sport: tuple[str, str] = ("", "")
        self.first_record: datetime | None = None
        self.last_record: datetime | None = None
        self.record_distance: float | None = None


def _read(data: bytes) -> _Found:
    import fitdecode

    found = _Found()
    reader = fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.RAISE,
        error_handling=fitdecode.ErrorHandling.RAISE,
    )
    try:
        for frame in reader:
            if not isinstance(frame, fitdecode.FitDataMessage):
                continue
            name = frame.name
            if name == "file_id" and found.file_type is None:
                found.file_type = _text(_get(frame, "type"))
            elif name == "session":
                found.sessions.append({
                    field: _get(frame, field)
                    for field in ("start_time", "timestamp", "total_elapsed_time",
                                  "total_timer_time", "total_distance", "total_calories",
                                  "sport", "sub_sport")
                })
            elif name == "sport":
                found.sport = (_text(_get(frame, "sport")), _text(_get(frame, "sub_sport")))
            elif name == "activity":
                found.offset = _offset(_get(frame, "timestamp"), _get(frame, "local_timestamp"))
            elif name == "record":
                moment = _get(frame, "timestamp")
                if isinstance(moment, datetime):
                    if found.first_record is None:
                        found.first_record = moment
                    found.last_record = moment
                distance = _get(frame, "distance")
                if isinstance(distance, int | float):
                    found.record_distance = max(found.record_distance or 0.0, float(distance))
    except fitdecode.FitCRCError:
        raise ImportRefused(
            "This FIT file's checksum does not match its contents, so it was changed or damaged "
            "after the device wrote it. Copying it from the device or the app again may help.",
            "the checksum at the end of the file") from None
    except fitdecode.FitEOFError as error:
        raise ImportRefused(
            "This FIT file ends sooner than its header promised: it looks cut short. "
            "Copying it from the device or the app again may help.", _where(error)) from None
    except fitdecode.FitHeaderError as error:
        raise ImportRefused("This FIT file's header cannot be read.", _where(error)) from None
    except fitdecode.FitError as error:
        raise ImportRefused(
            f"This FIT file has a part kindstep cannot decode ({_reason(error)}).",
            _where(error)) from None
    except Exception:  # noqa: BLE001 - struct.error and friends from hostile bytes deep in fitdecode
        raise ImportRefused("This FIT file holds a part kindstep cannot decode; it may be "
                            "damaged. Copying it from the device or the app again may help.") from None
    finally:
        reader.close()
    return found


def _rows(found: _Found, now: datetime | None) -> Iterator[SessionRow | Skipped]:
    if found.file_type not in (None, "activity"):
        yield Skipped(f"This is a FIT '{found.file_type}' file, not a recorded activity, so there "
                      "is no movement to add.", "file_id")
        return
    if not found.sessions:
        if found.first_record is None:
            yield Skipped("This FIT file holds no session and no timed records, so there is no "
                          "movement to add.", "the whole file")
            return
        sport, sub_sport = found.sport
        found.sessions.append({
            "start_time": found.first_record,
            "total_elapsed_time": (found.last_record - found.first_record).total_seconds(),
            "total_distance": found.record_distance, "sport": sport, "sub_sport": sub_sport,
        })
    for number, session in enumerate(found.sessions, start=1):
        yield _row(number, session, found, now)


def _row(number: int, session: dict, found: _Found, now: datetime | None) -> SessionRow | Skipped:
    where = f"session {number}"
    sport = _text(session.get("sport")) or found.sport[0]
    sub_sport = _text(session.get("sub_sport"))
    if sport == "transition":
        return Skipped("A change-over between sports in a multisport recording; the sports "
                       "themselves are imported.", where)
    start = session.get("start_time")
    if not isinstance(start, datetime):
        start = found.first_record
    seconds = _seconds(session.get("total_elapsed_time"))
    if seconds is None:
        seconds = _seconds(session.get("total_timer_time"))
    if seconds is None and isinstance(session.get("timestamp"), datetime) and start:
        seconds = (session["timestamp"] - start).total_seconds()
    if isinstance(start, datetime):
        start = start if start.tzinfo else start.replace(tzinfo=UTC)
        if found.offset:
            start = start.astimezone(timezone(found.offset))
    distance = session.get("total_distance")
    calories = session.get("total_calories")
    origin = sport + (f"/{sub_sport}" if sub_sport and sub_sport != "generic" else "")
    return session_or_skip(
        source=SOURCE, start=start if isinstance(start, datetime) else None, seconds=seconds,
        distance_m=float(distance) if isinstance(distance, int | float) else None,
        origin=origin,
        activity=activity_code(sub_sport if sub_sport != "generic" else None, sport),
        where=where,
        energy_kcal=float(calories) if isinstance(calories, int | float) else None,
        now=now,
    )


def _get(frame, name: str):
    try:
        return frame.get_value(name, fallback=None)
    except (KeyError, ValueError, TypeError):
        return None


def _text(value) -> str:
    if value is None:
        return ""
    return str(value) if not isinstance(value, int) else f"sport {value}"


def _seconds(value) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _offset(utc, local) -> timedelta | None:
    """The device's UTC offset, from ``local_timestamp`` (naive local) and ``timestamp`` (UTC)."""
    if not isinstance(utc, datetime) or not isinstance(local, datetime | int):
        return None
    if isinstance(local, int):
        # fitdecode leaves local_timestamp as seconds since the FIT epoch (1989-12-31 UTC).
        local = datetime(1989, 12, 31, tzinfo=UTC) + timedelta(seconds=local)
    local = local.replace(tzinfo=UTC)
    offset = local - utc.astimezone(UTC)
    # Round to the quarter hour: the two stamps may be written a second apart.
    quarter = round(offset.total_seconds() / 900) * 900
    offset = timedelta(seconds=quarter)
    return offset if abs(offset) <= _MAX_OFFSET else None


def _where(error: Exception) -> str:
    """``byte 7471`` from fitdecode's ``... @ 7471: detail`` messages."""
    text = str(error)
    if "@" not in text:
        return ""
    number = text.rsplit("@", 1)[-1].split(":", 1)[0].strip()
    return f"byte {number}" if number.isdigit() else ""


def _reason(error: Exception) -> str:
    text = str(error)
    if "@" in text and ":" in text.rsplit("@", 1)[-1]:
        return text.rsplit("@", 1)[-1].split(":", 1)[1].strip()
    return text.split("@")[0].strip(" :") or "an unreadable part"

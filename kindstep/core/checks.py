"""Input checks shared by every interface: each returns a clean value or raises.

Every refusal is an :class:`InvalidInput` naming the field and the accepted
range in one kind sentence, so the CLI, the web forms and the API can show
the same words.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

MAX_MINUTES = 24 * 60
"""A single session can be at most a day long."""


class InvalidInput(ValueError):
    """A value that cannot be used; ``message`` is ready to show to a person.

    ``message`` suits every interface. Where the CLI has a command that shows
    the right values, ``cli_hint`` names it; :attr:`for_cli` joins the two. A
    web page or the API never shows a command to type.
    """

    def __init__(self, field: str, message: str, *, cli_hint: str = ""):
        self.field = field
        self.message = message
        self.cli_hint = cli_hint
        super().__init__(self.for_cli)

    @property
    def for_cli(self) -> str:
        """The message with the CLI's pointer to the accepted values, when there is one."""
        return f"{self.message} {self.cli_hint}" if self.cli_hint else self.message


def scale(field: str, value: object, *, low: int = 0, high: int = 10, label: str = "") -> int:
    """``value`` as a whole number from ``low`` to ``high``.

    >>> scale("energy", "7")
    7
    """
    name = label or field
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(
            field, f"{name.capitalize()} is a whole number from {low} to {high}; got {value!r}."
        ) from None
    if not low <= number <= high:
        raise InvalidInput(
            field, f"{name.capitalize()} is a number from {low} to {high}; got {number}."
        )
    return number


def optional_scale(field: str, value: object, **kw) -> int | None:
    """Like :func:`scale`, but ``None`` or an empty string stays ``None``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return scale(field, value, **kw)


_DURATION = re.compile(
    r"^\s*(?:(?P<h>\d+(?:\.\d+)?)\s*h(?:ours?|rs?)?)?\s*"
    r"(?:(?P<m>\d+(?:\.\d+)?)\s*m(?:in(?:ute)?s?)?)?\s*$",
    re.IGNORECASE,
)


def duration(value: object, field: str = "duration") -> int:
    """Minutes in a duration written as ``10``, ``10m``, ``1h15m`` or ``1.5h``.

    >>> duration("10"), duration("10m"), duration("1h15m"), duration("1.5h")
    (10, 10, 75, 90)
    """
    text = str(value).strip().replace(" ", "")
    minutes: float | None = None
    if re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        minutes = float(text)
    else:
        match = _DURATION.match(text)
        if match and (match["h"] or match["m"]):
            minutes = float(match["h"] or 0) * 60 + float(match["m"] or 0)
    if minutes is None:
        raise InvalidInput(
            field, f"The duration {str(value)!r} is not one kindstep can read; try 10, 10m or 1h15m."
        )
    whole = round(minutes)
    if whole < 1 or whole > MAX_MINUTES:
        raise InvalidInput(
            field, f"A duration is from 1 minute to 24 hours (1 to 1440 minutes); got {str(value)!r}."
        )
    return whole


def day(value: object, *, today: date, field: str = "date", oldest_years: int = 120) -> date:
    """A date written as ``YYYY-MM-DD`` (or a date), not in the future.

    >>> day("2026-01-02", today=date(2026, 3, 1))
    datetime.date(2026, 1, 2)
    """
    if isinstance(value, date):
        parsed = value
    else:
        text = str(value).strip()
        if text.lower() in {"today", ""}:
            return today
        if text.lower() == "yesterday":
            return today - timedelta(days=1)
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError
            parsed = date.fromisoformat(text)
        except ValueError:
            raise InvalidInput(
                field, f"The date {text!r} is not one kindstep can read; use YYYY-MM-DD."
            ) from None
    if parsed > today:
        raise InvalidInput(
            field, f"The date {parsed.isoformat()} is in the future; pick today or an earlier day."
        )
    if parsed.year < today.year - oldest_years:
        raise InvalidInput(field, f"The date {parsed.isoformat()} is too long ago to record.")
    return parsed


def sleep_hours(value: object) -> float | None:
    """Hours of sleep from 0 to 24, or None when not given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        hours = float(str(value).strip())
    except ValueError:
        raise InvalidInput("sleep", f"Sleep is a number of hours from 0 to 24; got {value!r}.") from None
    if not 0 <= hours <= 24 or hours != hours:
        raise InvalidInput("sleep", f"Sleep is a number of hours from 0 to 24; got {value!r}.")
    return round(hours, 2)


def minutes_available(value: object) -> int | None:
    """Minutes free today, 0 to 1440, or None when not given."""
    return optional_scale(
        "minutes", value, low=0, high=MAX_MINUTES, label="minutes you could spare"
    )


def note(value: object, field: str = "note", limit: int = 2000) -> str:
    """A free-text note, trimmed, at most ``limit`` characters."""
    text = "" if value is None else str(value).strip()
    if len(text) > limit:
        raise InvalidInput(field, f"A note can be up to {limit} characters; this one has {len(text)}.")
    if "\x00" in text:
        raise InvalidInput(field, "A note cannot contain a NUL character.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # bytes a terminal sent that are not UTF-8 (surrogate escapes)
        raise InvalidInput(field, "Part of this note could not be read as text, perhaps "
                                  "because the terminal is not set to UTF-8. Typing it again "
                                  "may help.") from None
    return text


def target_days(value: object) -> int:
    """Active days a week to aim for, 1 to 7."""
    return scale("target_days", value, low=1, high=7, label="target days a week")


def day_start_hour(value: object) -> int:
    """The hour a new day starts, 0 to 12 (04:00 by default)."""
    return scale("day_start", value, low=0, high=12, label="the day-start hour")


def country(value: object) -> str:
    """A two-letter country code (ISO 3166), upper case, or '' to clear it."""
    text = str(value or "").strip().upper()
    if text and not re.fullmatch(r"[A-Z]{2}", text):
        raise InvalidInput("country", f"A country is a two-letter code such as GB or US; got {value!r}.")
    return text


_DEVICE_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


def device_id(value: object) -> str | None:
    """An entry's id made on the person's device (``crypto.randomUUID``), or None when none came.

    The server keeps each id once per person, so an entry kept offline and sent
    again after a dropped connection is stored once. Letters, digits and
    hyphens, 8 to 64 of them (a UUID is 36).

    >>> device_id("0f8e2c1a-4b7d-4e1f-9a3b-5c6d7e8f9a0b")
    '0f8e2c1a-4b7d-4e1f-9a3b-5c6d7e8f9a0b'
    >>> device_id("") is None
    True
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if not _DEVICE_ID.fullmatch(text):
        raise InvalidInput("device_id", "The entry's device id is letters, digits and hyphens, "
                           "8 to 64 of them; this one is not, so nothing was saved.")
    return text

"""Plain value objects shared by every part of kindstep's core.

Everything here is a frozen dataclass or an enum: no Django, no I/O, no
clock. The store maps its rows to these (``store/mapping.py``) and the
interfaces render them. Time always arrives as an argument.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


class Intensity(enum.IntEnum):
    """Intensity band of an activity, ordered from gentlest to hardest.

    The bands follow MET thresholds (docs/evidence.md section 7): light is below
    3.0 METs, moderate 3.0 to 5.9, vigorous 6.0 and above. kindstep splits
    "light" once more at 2.0 METs so that the very gentlest things a person
    can do on a hard day (standing outside, breathing in bed) have a band of
    their own.
    """

    VERY_LIGHT = 0
    LIGHT = 1
    MODERATE = 2
    VIGOROUS = 3

    @property
    def label(self) -> str:
        """The band's name as people read it: ``"very light"``."""
        return self.name.lower().replace("_", " ")

    @property
    def code(self) -> str:
        """The band's stable machine name: ``"very_light"``."""
        return self.name.lower()

    @classmethod
    def from_code(cls, code: str) -> Intensity:
        """The band named by ``code`` (``"very_light"``, ``"light"``, ...)."""
        return cls[code.upper()]

    @classmethod
    def for_met(cls, met: float) -> Intensity:
        """The band a MET value falls in.

        >>> Intensity.for_met(1.3).code, Intensity.for_met(4.3).code
        ('very_light', 'moderate')
        """
        if met < 2.0:
            return cls.VERY_LIGHT
        if met < 3.0:
            return cls.LIGHT
        if met < 6.0:
            return cls.MODERATE
        return cls.VIGOROUS


@dataclass(frozen=True)
class Activity:
    """One entry of the activity catalogue (``data/activities.toml``)."""

    code: str
    name: str
    met: float
    compendium_code: str
    compendium_edition: int
    intensity: Intensity
    default_minutes: int
    min_minutes: int
    tags: frozenset[str] = frozenset()
    note: str = ""
    resource_url: str = ""
    serves: frozenset[str] = frozenset()
    """The values (``core.matters.VALUES``) this activity can serve: ``outdoors``, ``calm``..."""


@dataclass(frozen=True)
class Profile:
    """What a person has told kindstep about themselves and their rhythm."""

    timezone: str = "UTC"
    country: str = ""
    target_days: int = 3
    """Active days a week the person aims for; 3 by default (docs/design.md)."""
    day_start_hour: int = 4
    """A day starts at 04:00 so that a late night belongs to the day before."""
    week_start: int = 0
    """First day of the week, 0 = Monday (ISO weeks) to 6 = Sunday."""
    liked: frozenset[str] = frozenset()
    avoided: frozenset[str] = frozenset()
    light_only: bool = False
    """True while a readiness answer suggests talking with a doctor first:
    suggestions then stay at light intensity or below."""
    see_doctor_first: bool = False
    """True while the readiness answers name chest pain or fainting and no doctor has seen
    the person since: suggestions stay at their gentlest (``core.readiness``)."""
    supervised: bool = False
    """True while the readiness answers say a doctor advised activity only with medical
    supervision: suggestions are only breathing and gentle stretches."""


@dataclass(frozen=True)
class CheckIn:
    """How a person feels at one moment, on 0-10 scales."""

    day: date
    energy: int
    mood: int
    anxiety: int
    minutes_available: int | None = None
    sleep_hours: float | None = None
    body_note: str = ""
    at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class Session:
    """A stretch of movement a person did on one day."""

    day: date
    activity: str
    minutes: int
    met: float = 0.0
    effort: int | None = None
    mood_before: int | None = None
    mood_after: int | None = None
    note: str = ""
    id: int | None = None
    distance_m: float | None = None
    """Metres, when a watch, phone or activity file measured it."""
    energy_kcal: float | None = None


@dataclass(frozen=True)
class RestDay:
    """A day the person chose rest: care, not inactivity."""

    day: date
    note: str = ""
    id: int | None = None


@dataclass(frozen=True)
class History:
    """A person's recent record, oldest first, as core functions read it."""

    sessions: tuple[Session, ...] = ()
    rest_days: tuple[RestDay, ...] = ()
    checkins: tuple[CheckIn, ...] = ()

    @property
    def active_days(self) -> frozenset[date]:
        """Days with at least one movement session."""
        return frozenset(s.day for s in self.sessions)

    @property
    def rest_day_dates(self) -> frozenset[date]:
        """Days the person marked as rest."""
        return frozenset(r.day for r in self.rest_days)


@dataclass(frozen=True)
class Choice:
    """One thing to do today, sized to the day, with the reason it was offered."""

    activity: str
    name: str
    minutes: int
    intensity: Intensity
    why: str
    note: str = ""


@dataclass(frozen=True)
class RestChoice:
    """Rest, offered as an equal choice."""

    why: str
    label: str = "Rest"


@dataclass(frozen=True)
class Offer:
    """What feels possible today: three movement choices and rest."""

    choices: tuple[Choice, ...]
    rest: RestChoice
    notes: tuple[str, ...] = field(default=())

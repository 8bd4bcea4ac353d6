"""Sharing by consent: what a member may share, whether a share is live, and the item-9 flag.

Pure decisions for ``kindstep/sharing`` (server mode): no Django, no clock. A
member chooses who sees what (the scopes below) and until when; a share is
live until its end date has passed on the member's own calendar or the member
revokes it. The flag a clinician or supporter sees reads PHQ-9 item 9 through
:func:`kindstep.core.scales.safety_answer`, the one place that rule is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kindstep.core.checks import InvalidInput
from kindstep.core.safety import CrisisResources, SafetyMessage

ROLES: dict[str, str] = {
    "clinician": "A clinician (a GP, therapist, nurse or other health professional)",
    "supporter": "A supporter (a friend, partner or family member)",
}
"""Who a member may invite, and the words the invitation form shows."""

SCOPES: dict[str, str] = {
    "rhythm": "Your rhythm: how many days a week you were active, against your target",
    "checkins": "Your check-in trends: average mood and anxiety by week",
    "scores": "Your PHQ-9 and GAD-7 scores, their bands and any reliable change",
    "insights": "Your insights: what seems to go with movement for you",
    "notes": "The notes you wrote with your entries (off unless you tick it)",
}
"""What a member may share, in the order pages list them, each in plain words."""

DEFAULT_SCOPES = ("rhythm", "checkins", "scores")
"""What the invitation form has ticked at first; notes are never ticked for the member."""

REPORT_SCOPES = frozenset({"rhythm", "checkins", "scores"})
"""The PDF report shows active days, mood and scores together: it is offered only when all
three are shared (notes go in only when ``notes`` is shared too)."""

INVITE_DAYS = 7
"""How long an invitation's code can be used."""

MAX_SHARE_DAYS = 2 * 366
"""The furthest end date a member can choose; "until I stop it" has no end."""

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U, so a code read out loud is not misheard."""
CODE_LENGTH = 10
"""Ten characters: 50 bits, in two groups of five."""

NOT_A_MONITORING_SERVICE = (
    "kindstep is not a monitoring or crisis service. Nobody watches what is recorded here in "
    "real time, and a share never sends an alert: what is shared is seen only when someone "
    "opens it."
)
"""Said to both sides, on the member's sharing page and on every page of a shared record."""


def check_role(role: object) -> str:
    text = str(role or "").strip().lower()
    if text not in ROLES:
        raise InvalidInput("role", "Please choose who you are inviting: a clinician or a supporter.")
    return text


def check_scopes(scopes: Iterable[object]) -> tuple[str, ...]:
    """The chosen scopes in :data:`SCOPES`' order; at least one, each one known."""
    chosen = {str(s).strip().lower() for s in scopes if str(s).strip()}
    unknown = chosen - set(SCOPES)
    if unknown:
        raise InvalidInput("scopes", "Please choose from the parts listed.")
    if not chosen:
        raise InvalidInput("scopes", "Please tick at least one part to share; "
                                     "nothing has been shared.")
    return tuple(s for s in SCOPES if s in chosen)


def check_ends_on(value: object, *, today: date) -> date | None:
    """An end date (YYYY-MM-DD) from today up to :data:`MAX_SHARE_DAYS` ahead, or None when
    empty (until the member stops it)."""
    if isinstance(value, date):
        day = value
    else:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise InvalidInput("ends_on", "Please give the end date as a date, like "
                                          f"{(today + timedelta(days=30)).isoformat()}, "
                                          "or leave it empty.") from None
    if day < today:
        raise InvalidInput("ends_on", "The end date is already past; please choose today or "
                                      "a later day, or leave it empty.")
    if day > today + timedelta(days=MAX_SHARE_DAYS):
        raise InvalidInput("ends_on", "Please choose an end date within two years, or leave it "
                                      "empty to share until you stop it.")
    return day


def is_live(*, ends_on: date | None, revoked_at: datetime | None, today: date) -> bool:
    """Whether a share can be seen on ``today`` (the member's own day): not revoked, and its
    end date (inclusive) not past.

    >>> is_live(ends_on=date(2026, 1, 5), revoked_at=None, today=date(2026, 1, 5))
    True
    >>> is_live(ends_on=date(2026, 1, 5), revoked_at=None, today=date(2026, 1, 6))
    False
    """
    return revoked_at is None and (ends_on is None or today <= ends_on)


def shown_scopes(scopes: Iterable[str]) -> dict[str, bool]:
    """Each scope of :data:`SCOPES`, True when shared: what a page may show."""
    given = set(scopes)
    return {scope: scope in given for scope in SCOPES}


def report_allowed(scopes: Iterable[str]) -> bool:
    return REPORT_SCOPES <= set(scopes)


# -- the one-time code -----------------------------------------------------------------


def make_code(random_bytes: bytes) -> str:
    """A code of :data:`CODE_LENGTH` characters from ``random_bytes`` (the caller's
    randomness; core has none), written in two groups: ``ABCDE-12345``."""
    if len(random_bytes) < CODE_LENGTH:
        raise ValueError("need at least CODE_LENGTH random bytes")
    chars = "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in random_bytes[:CODE_LENGTH])
    return f"{chars[:5]}-{chars[5:]}"


_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def normalise_code(text: object) -> str:
    """A typed code as stored: capitals, no spaces or dashes, letters often misread mapped
    (O to 0, I and L to 1); "" when it cannot be a code.

    >>> normalise_code(" abcde-fgh1o "), normalise_code("short")
    ('ABCDEFGH10', '')
    """
    cleaned = re.sub(r"[\s\-]", "", str(text or "")).upper().translate(_READS_AS)
    if len(cleaned) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in cleaned):
        return ""
    return cleaned


def invitation_expires(created: datetime) -> datetime:
    return created + timedelta(days=INVITE_DAYS)


# -- the item-9 flag -------------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    """One stored questionnaire, as the flag reads it."""

    at: datetime
    day: date
    scale: str
    answers: Sequence[object]


def item9_since(answered: Iterable[Answered], last_looked_at: datetime | None) -> date | None:
    """The latest day PHQ-9 item 9 was answered above 0 after ``last_looked_at`` (ever, when
    never looked), or None: the flag. The rule itself is ``scales.safety_answer``.

    >>> from datetime import UTC
    >>> at = datetime(2026, 1, 2, 9, tzinfo=UTC)
    >>> item9_since([Answered(at, at.date(), "phq9", [0] * 8 + [1])], None)
    datetime.date(2026, 1, 2)
    >>> item9_since([Answered(at, at.date(), "phq9", [0] * 8 + [1])], at) is None
    True
    """
    from kindstep.core.scales import safety_answer

    latest: date | None = None
    for a in answered:
        if last_looked_at is not None and a.at <= last_looked_at:
            continue
        if safety_answer(a.scale, a.answers) is not None:
            latest = a.day if latest is None else max(latest, a.day)
    return latest


def flag_message(day: date, resources: CrisisResources) -> SafetyMessage:
    """What the person a member shares with reads when the flag is up, with the member's
    country's crisis resources (to pass on, or to act on in an emergency)."""
    body = (
        f"On {day.isoformat()} this person answered the PHQ-9's question about thoughts of "
        "self-harm above 0 (\"not at all\"). This is a prompt to check in with them in the way "
        "you have agreed, not an emergency alert. " + NOT_A_MONITORING_SERVICE + " "
        f"If you believe they are in danger now, {resources.emergency_instruction}. "
        "These are the lines for their country:"
    )
    return SafetyMessage(title="Worth a gentle check-in", body=body, resources=resources)

"""Mindful movement guides: short, gentle scripts to follow while moving or resting.

The scripts live in ``kindstep/data/guides.toml`` and are kindstep's own
words, written to be trauma-sensitive (eyes open is fine, your pace, stop or
skip whenever you like). They have not been tested in trials; the ``mindful``
evidence card says what the research on yoga, tai chi and qigong does show.

:func:`cue_schedule` turns a guide into timed cues for a session of a given
length; :func:`default_guide_for` picks a guide that suits an activity.
Errors: :class:`UnknownGuide` (a ``KeyError``) for a code that does not
exist; ``ValueError`` with a one-line message for a session length or
interval outside the accepted range.
"""

from __future__ import annotations

import difflib
import functools
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from kindstep.core.catalogue import load_catalogue

MAX_MINUTES = 240
"""Longest session a schedule is made for; four hours covers any gentle session."""

MIN_INTERVAL = 15
"""Fewest seconds between cues by default, so each one can be read or heard calmly."""

MAX_INTERVAL = 90
"""Most seconds between cues by default, so a long session still feels accompanied."""

_WALKING_WORDS = frozenset({"walk", "walking", "stroll", "hike", "wander", "ramble"})
_BED_WORDS = frozenset({"bed", "lying", "lie"})
_SEATED_WORDS = frozenset({"seated", "sit", "sitting", "chair"})


class UnknownGuide(KeyError):
    """There is no guide with this code; ``suggestions`` lists close ones."""

    def __init__(self, code: str, suggestions: list[str], known: list[str]):
        super().__init__(code)
        self.code = code
        self.suggestions = suggestions
        self.known = known

    def __str__(self) -> str:
        message = f"There isn't a guide called {self.code!r}."
        if self.suggestions:
            message += " Did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        return message + " The guides are: " + ", ".join(self.known) + "."


@dataclass(frozen=True)
class Guide:
    """One guided script: an intro, gentle cues in order, and a closing line."""

    code: str
    title: str
    intro: str
    cues: tuple[str, ...]
    closing: str


def guide_from_dict(code: str, raw: dict) -> Guide:
    """One Guide from its TOML table; raises ValueError naming what is wrong."""
    where = f"guide {code!r}"
    texts: dict[str, str] = {}
    for key in ("title", "intro", "closing"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{where} needs a non-empty {key!r}")
        texts[key] = value.strip()
    cues = tuple(str(c).strip() for c in raw.get("cues", ()) if str(c).strip())
    if not cues:
        raise ValueError(f"{where} needs at least one cue")
    return Guide(code=code, cues=cues, **texts)


@functools.cache
def load_guides() -> tuple[Guide, ...]:
    """Every guide shipped in ``kindstep/data/guides.toml``, in file order."""
    text = resources.files("kindstep.data").joinpath("guides.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    return tuple(guide_from_dict(code, table) for code, table in raw["guide"].items())


def guide(code: str) -> Guide:
    """The guide with this code (case and surrounding spaces ignored).

    Raises UnknownGuide, carrying the closest codes, when there is none.

    >>> guide("feet").title
    'Feet on the ground'
    """
    wanted = code.strip().lower()
    guides = load_guides()
    for g in guides:
        if g.code == wanted:
            return g
    known = [g.code for g in guides]
    names = {g.code: g.code for g in guides} | {g.title.lower(): g.code for g in guides}
    suggestions: list[str] = []
    for match in difflib.get_close_matches(wanted, list(names), n=6, cutoff=0.5):
        if names[match] not in suggestions:
            suggestions.append(names[match])
    for g in guides:  # "breath" is part of "breath_walk"
        if wanted and wanted in g.code and g.code not in suggestions:
            suggestions.append(g.code)
    raise UnknownGuide(code.strip(), suggestions[:3], known)


_lookup = guide  # cue_schedule's parameter is called ``guide`` too


def cue_schedule(
    guide: Guide | str, minutes: int, *, interval_seconds: int | None = None
) -> list[tuple[int, str]]:
    """Seconds from the start, paired with what to say then, for a session of ``minutes``.

    The intro comes at 0 and the closing line 10 to 30 seconds before the end.
    Cues follow in order every ``interval_seconds``; by default the interval
    spreads the cues once over the session, kept between 15 and 90 seconds,
    so a long session cycles back through them. No cue lands within 10
    seconds (or one interval, if shorter) of the closing. Offsets are
    strictly increasing and below ``minutes * 60``. The result depends only
    on the arguments.

    >>> [offset for offset, _ in cue_schedule("grounding", 1)]
    [0, 15, 30, 50]
    >>> cue_schedule("grounding", 1)[-1][1].startswith("That is the end")
    True
    """
    g = _lookup(guide) if isinstance(guide, str) else guide
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
        raise ValueError(f"minutes must be a whole number from 1 to {MAX_MINUTES}; got {minutes!r}")
    duration = minutes * 60
    closing_at = duration - min(30, max(10, duration // 6))
    if interval_seconds is None:
        interval = min(MAX_INTERVAL, max(MIN_INTERVAL, closing_at // (len(g.cues) + 1)))
    elif (
        isinstance(interval_seconds, bool)
        or not isinstance(interval_seconds, int)
        or interval_seconds < 1
    ):
        raise ValueError(
            "interval_seconds must be a whole number of seconds, 1 or more;"
            f" got {interval_seconds!r}"
        )
    else:
        interval = interval_seconds
    quiet_before_closing = min(interval, 10)

    schedule = [(0, g.intro)]
    offset, index = interval, 0
    while offset + quiet_before_closing <= closing_at:
        schedule.append((offset, g.cues[index % len(g.cues)]))
        offset += interval
        index += 1
    schedule.append((closing_at, g.closing))
    return schedule


def default_guide_for(activity_code: str, tags: Iterable[str] | None = None) -> str:
    """The code of the guide that suits an activity best.

    Activities done in bed get ``body_scan``, seated ones ``feet``, walking
    ones ``breath_walk``, and everything else ``grounding``. ``tags`` default
    to the activity's tags in the catalogue; when the code is not in the
    catalogue, words in the code itself ("walk", "bed", "seated") decide.

    >>> default_guide_for("walk_dog"), default_guide_for("stretch_bed")
    ('breath_walk', 'body_scan')
    >>> default_guide_for("sit_outside"), default_guide_for("dance_kitchen")
    ('feet', 'grounding')
    """
    code = activity_code.strip().lower()
    if tags is None:
        activity = load_catalogue().get(code)
        tags = activity.tags if activity is not None else ()
    tag_set = frozenset(tags)
    words = frozenset(code.replace("-", "_").split("_"))
    if "bed" in tag_set:
        return "body_scan"
    if "seated" in tag_set:
        return "feet"
    if words & _WALKING_WORDS:
        return "breath_walk"
    if words & _BED_WORDS:
        return "body_scan"
    if words & _SEATED_WORDS:
        return "feet"
    return "grounding"

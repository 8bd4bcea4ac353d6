"""Daylio's mood scale, and where a person's own mood names sit on it.

Daylio has five mood levels, shown from left to right as awful, bad, meh,
good and rad. Most people rename them or add their own ("average", "tired",
"vaguely ok"); a Daylio CSV export then holds only the name, not the level.
kindstep asks the person once per name and remembers the answer (a
*placement*). Levels are numbered 1 (awful) to 5 (rad), so a higher number
is a better mood, as on kindstep's own 0-10 scale, and each maps onto 0-10
as Daylio's own five names always have (:data:`SCALE`).

:func:`suggested_level` offers a first guess from the plain meaning of the
words in a name; the person decides. With no word it knows, it suggests the
middle, meh. Questions are asked in the order names first appear in the file
(:func:`unplaced`), so the person meets them as they wrote them.

Pure: plain values in and out; no Django, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from kindstep.core.checks import InvalidInput

LEVELS: tuple[str, ...] = ("awful", "bad", "meh", "good", "rad")
"""Daylio's five levels, level 1 first (awful) and level 5 last (rad)."""

SCALE: dict[int, int] = {1: 0, 2: 3, 3: 5, 4: 8, 5: 10}
"""Level -> kindstep's 0-10 mood: awful 0, bad 3 (2.5 rounded up), meh 5, good 8 (7.5
rounded up), rad 10; the same figures Daylio's own five names import with."""

DEFAULT_NAMES: dict[str, int] = {"awful": 1, "bad": 2, "fugly": 2, "meh": 3, "good": 4, "rad": 5}
"""Daylio's own names and their levels ("fugly" was the old name for bad). They are never asked."""

MAX_NAME = 64
"""A mood name is kept to 64 characters; Daylio's are a word or two."""

_WORDS: dict[str, int] = {
    **{w: 5 for w in ("rad", "great", "amazing", "awesome", "fantastic", "wonderful", "excellent",
                      "ecstatic", "elated", "joyful", "joy", "thrilled", "euphoric", "love",
                      "loving", "blissful", "laughing", "excited", "brilliant", "perfect", "best",
                      "super", "superb", "incredible", "marvellous", "marvelous", "awe")},
    **{w: 4 for w in ("good", "happy", "nice", "content", "calm", "relaxed", "peaceful",
                      "refreshed", "rested", "grateful", "thankful", "hopeful", "productive",
                      "proud", "cheerful", "pleased", "glad", "positive", "captivated",
                      "energetic", "energised", "energized", "motivated", "better", "well",
                      "inspired", "focused", "loved", "safe", "fun", "cozy", "cosy", "playful")},
    **{w: 3 for w in ("meh", "ok", "okay", "average", "neutral", "fine", "alright", "so-so",
                      "normal", "mixed", "bored", "indifferent", "blah", "sleepy", "quiet",
                      "middling", "mid", "meh-ish", "unsure", "confused")},
    **{w: 2 for w in ("bad", "sad", "tired", "fatigued", "exhausted", "anxious", "stressed",
                      "worried", "nervous", "frustrated", "irritated", "annoyed", "angry",
                      "lonely", "down", "low", "sick", "ill", "unwell", "grumpy", "upset",
                      "overwhelmed", "hurt", "drained", "numb", "restless", "moody", "cranky",
                      "unhappy", "blue", "gloomy", "sore", "scared", "afraid", "fugly")},
    **{w: 1 for w in ("awful", "terrible", "horrible", "miserable", "depressed",
                      "hopeless", "helpless", "devastated", "worst", "despair", "dreadful",
                      "crying", "panic", "panicked", "panicking", "wretched", "agony", "lifeless")},
}
"""Plain words a mood name may hold -> the level they usually mean, for suggestions only."""

_SOFTER = frozenset({"vaguely", "slightly", "somewhat", "kinda", "kind", "bit", "little",
                     "mildly", "sort", "sorta", "almost", "fairly", "semi", "rather"})
"""Words that pull a suggestion one step toward meh ("vaguely good" is nearer meh than good)."""
_STRONGER = frozenset({"very", "really", "so", "extremely", "totally", "incredibly", "truly",
                       "deeply", "utterly", "absolutely", "too"})
"""Words that push a suggestion one step away from meh ("very sad" is nearer awful)."""
_NOT = frozenset({"not", "no", "never", "isn't", "wasn't", "don't", "didn't", "non"})
"""A negation mirrors the suggestion around meh ("not good" is as far below it as good is above)."""

_WORD = re.compile(r"[a-z][a-z'\-]*")


def mood_key(name: str) -> str:
    """A mood name as kindstep compares and keeps it: lower case, single spaces, at most 64 characters.

    >>> mood_key("  Vaguely   OK ")
    'vaguely ok'
    """
    return " ".join(str(name).lower().split())[:MAX_NAME]


def level_name(level: int) -> str:
    """The name of a level: ``level_name(1)`` is 'awful', ``level_name(5)`` is 'rad'."""
    return LEVELS[level - 1]


def parse_level(text: str, *, name: str = "") -> int:
    """A level from ``1``-``5`` or one of awful, bad, meh, good, rad; InvalidInput otherwise.

    >>> parse_level("good"), parse_level(" 2 ")
    (4, 2)
    """
    word = " ".join(str(text).lower().split())
    if word in LEVELS:
        return LEVELS.index(word) + 1
    if word in ("1", "2", "3", "4", "5"):
        return int(word)
    whose = f" for {name!r}" if name else ""
    raise InvalidInput("mood", f"The place {str(text)[:40]!r}{whose} is not on Daylio's scale: "
                               "use 1 to 5 or awful, bad, meh, good, rad.")


def parse_placement(text: str) -> tuple[str, int]:
    """``NAME=LEVEL`` (as ``--mood`` takes it) -> (mood key, level); InvalidInput when it is not one.

    >>> parse_placement("vaguely ok=meh")
    ('vaguely ok', 3)
    """
    name, sep, level = str(text).rpartition("=")
    key = mood_key(name)
    if not sep or not key:
        raise InvalidInput("mood", f"{str(text)[:60]!r} is not a mood and its place: write it as "
                                   "NAME=LEVEL, for example tired=bad or tired=2.")
    if key in DEFAULT_NAMES:
        raise InvalidInput("mood", f"{key!r} is one of Daylio's own five moods, so it already has "
                                   "its place; --mood is for the names you chose yourself.")
    return key, parse_level(level, name=key)


def suggested_level(name: str) -> int:
    """A first guess at where ``name`` sits (1 awful ... 5 rad), from the plain meaning of its words.

    Daylio's own names give their own level. Otherwise the known words in the name
    are averaged (rounded toward meh); "vaguely", "slightly" pull one step toward
    meh, "very", "really" push one step away, and "not" mirrors around meh. A name
    with no word kindstep knows gets meh, the middle. Only ever a suggestion.

    >>> [suggested_level(n) for n in ("average", "sad", "vaguely good", "very tired", "not great")]
    [3, 2, 3, 1, 1]
    """
    key = mood_key(name)
    if key in DEFAULT_NAMES:
        return DEFAULT_NAMES[key]
    words = _WORD.findall(key)
    known = [_WORDS[w] for w in words if w in _WORDS]
    if not known:
        return 3
    total = sum(known)
    # Toward meh: the mean's distance from 3, rounded down, keeps the side it is on.
    offset = (total - 3 * len(known)) / len(known)
    step = int(abs(offset) + 0.5) if abs(offset) % 1 != 0.5 else int(abs(offset))
    level = 3 + (step if offset > 0 else -step)
    if level != 3 and any(w in _SOFTER for w in words):
        level += -1 if level > 3 else 1
    elif level != 3 and any(w in _STRONGER for w in words):
        level = min(5, level + 1) if level > 3 else max(1, level - 1)
    if any(w in _NOT for w in words):
        level = 6 - level
    return level


def unplaced(names: Iterable[str], placed: Mapping[str, int]) -> list[str]:
    """The names (as :func:`mood_key`) that Daylio does not place and ``placed`` does not hold,
    each once, in the order they first appear.

    >>> unplaced(["Tired", "rad", "sad", "tired", "Calm"], {"calm": 4})
    ['tired', 'sad']
    """
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        key = mood_key(name)
        if key and key not in seen and key not in DEFAULT_NAMES and key not in placed:
            seen.add(key)
            out.append(key)
    return out


def scale_value(level: int) -> int:
    """A level's mood on kindstep's 0-10 scale: ``scale_value(3)`` is 5."""
    return SCALE[level]

"""The activity catalogue: every kind of movement kindstep can offer or log.

The data lives in ``kindstep/data/activities.toml``; MET values come from the
Compendium of Physical Activities (docs/evidence.md section 6) and are never
altered here.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Iterator
from importlib import resources

from kindstep.core.values import Activity, Intensity

TAGS = frozenset(
    {
        "soothing",
        "outdoors",
        "seated",
        "bed",
        "social",
        "dog",
        "no_equipment",
        "equipment",
        "breathing",
        "stretching",
    }
)
"""Tags an activity may carry; the data test refuses any other."""


class Catalogue:
    """An ordered, read-only set of activities, looked up by their short code."""

    def __init__(self, activities: Iterable[Activity]):
        self._by_code: dict[str, Activity] = {}
        for activity in activities:
            if activity.code in self._by_code:
                raise ValueError(f"activity code {activity.code!r} appears twice")
            self._by_code[activity.code] = activity

    def __iter__(self) -> Iterator[Activity]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Activity | None:
        """The activity with this code, or None."""
        return self._by_code.get(code)

    def __getitem__(self, code: str) -> Activity:
        return self._by_code[code]

    def closest(self, text: str, n: int = 3) -> list[str]:
        """Codes of the activities whose code or name is closest to ``text``.

        Used to offer a kind "did you mean" when a code is unknown.

        >>> cat = Catalogue([_demo("walk", "Walk"), _demo("walk_dog", "Walk the dog")])
        >>> cat.closest("wlak")
        ['walk', 'walk_dog']
        """
        text = text.strip().lower()
        names: dict[str, str] = {}
        for activity in self:
            names.setdefault(activity.code.lower(), activity.code)
            names.setdefault(activity.name.lower(), activity.code)
        found: list[str] = []
        import difflib  # only when a code is unknown

        for match in difflib.get_close_matches(text, list(names), n=n * 2, cutoff=0.5):
            code = names[match]
            if code not in found:
                found.append(code)
        for activity in self:  # a word that appears in a name ("dog") is a good hint too
            if len(found) >= n:
                break
            if text and text in activity.name.lower() and activity.code not in found:
                found.append(activity.code)
        return found[:n]


def _demo(code: str, name: str) -> Activity:
    return Activity(code, name, 2.0, "00000", 2011, Intensity.LIGHT, 5, 2)


def activity_from_dict(code: str, raw: dict) -> Activity:
    """One Activity from its TOML table; raises ValueError naming what is wrong."""
    try:
        met = float(raw["met"])
        activity = Activity(
            code=code,
            name=str(raw["name"]),
            met=met,
            compendium_code=str(raw["compendium_code"]),
            compendium_edition=int(raw["compendium_edition"]),
            intensity=Intensity.for_met(met),
            default_minutes=int(raw["default_minutes"]),
            min_minutes=int(raw["min_minutes"]),
            tags=frozenset(raw.get("tags", ())),
            note=str(raw.get("note", "")),
            resource_url=str(raw.get("resource_url", "")),
            serves=frozenset(raw.get("serves", ())),
        )
    except KeyError as missing:
        raise ValueError(f"activity {code!r} has no {missing.args[0]!r}") from None
    unknown = activity.tags - TAGS
    if unknown:
        raise ValueError(f"activity {code!r} has unknown tags {sorted(unknown)}")
    from kindstep.core.matters import VALUES

    if activity.serves - set(VALUES):
        raise ValueError(f"activity {code!r} serves unknown values "
                         f"{sorted(activity.serves - set(VALUES))}")
    return activity


@functools.cache
def load_catalogue() -> Catalogue:
    """The catalogue shipped in ``kindstep/data/activities.toml`` (cached)."""
    text = resources.files("kindstep.data").joinpath("activities.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    return Catalogue(activity_from_dict(code, table) for code, table in raw["activity"].items())

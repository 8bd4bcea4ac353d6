"""The safety path: local crisis lines, emergency numbers and calm words to go with them.

Any sign of risk (PHQ-9 item 9 above 0, decided by ``scales.safety_answer``)
is met at once with :func:`safety_message`; worrying symptoms during movement
(:data:`WORRYING_SYMPTOMS`) with :func:`stop_and_seek_care`. Both work from
packaged data only, so they work offline.

Gentler signs get gentler words, each decided by one rule: a PHQ-9 or GAD-7
total in the moderately severe or severe range (``scales.care_needed``) gets
:func:`care_message`, a suggestion to talk with a doctor or clinician soon;
a check-in at an extreme (:func:`checkin_care`) gets one quiet line. Both
point to Help now; interfaces add where it is (``kindstep help-now``, the
web's Help now page). Neither is an alarm or a diagnosis.

Source of every number: ``kindstep/data/crisis_lines.toml``, where each
line names the public page its details were seen on (checked 2026-11-25;
docs/evidence.md section 4).
Re-check each number on the operator's own website before a release.
Countries not listed fall back to the Find A Helpline directory and "call
your local emergency number".

Countries are shown by name everywhere (:func:`country_name`): the listed
ones by the names in ``crisis_lines.toml``, every other ISO 3166 code by the
name in the IANA time zone database's ``iso3166.tab`` (the ``tzdata``
package). :func:`suggest_country` works out a country to offer from a time
zone (``zone.tab``) or a locale such as ``en_GB.UTF-8``; a person always
confirms it, kindstep never sets it on its own.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

WORRYING_SYMPTOMS = MappingProxyType(
    {
        "chest_pain": "Chest pain, pressure or tightness",
        "faintness": "Feeling faint, dizzy or light-headed",
        "severe_breathlessness": "Severe breathlessness, or breathing that will not settle",
        "palpitations": "A racing, pounding or irregular heartbeat (palpitations)",
    }
)
"""Symptoms during movement that mean: stop now and seek medical care. Code -> plain label."""

_ALIASES = {"UK": "GB"}
"""Common codes that are not ISO 3166-1 alpha-2 but mean a listed country."""


@dataclass(frozen=True)
class CrisisLine:
    """One helpline: how to reach it, when, and what it is for."""

    name: str
    purpose: str
    source: str
    call: str = ""
    text: str = ""
    web: str = ""
    hours: str = ""

    @property
    def numbers(self) -> tuple[tuple[str, str], ...]:
        """Each number to call, as shown and as dialled: ``("0800 111 0 111", "08001110111")``.

        ``call`` may hold several (``"14416 or 1-800-891-4416"``) and a word
        spelled in letters after a number (``"0508 828 865 (0508 TAUTOKO)"``);
        a phone dials only the digits (and a leading ``+``).
        """
        found = []
        for shown in self.call.split(" or "):
            shown = shown.strip()
            number = shown.split("(", 1)[0]
            dialled = ("+" if number.strip().startswith("+") else "") + "".join(
                c for c in number if c in "0123456789")
            if dialled.strip("+"):
                found.append((shown, dialled))
        return tuple(found)

    @property
    def web_link(self) -> str:
        """Where ``web`` leads, for a link: the address itself, ``mailto:`` for an e-mail
        address, a site named in the words (``"... via beyondblue.org.au"``), or "" when
        the words name no place (``"Online chat on Lifeline's website"``)."""
        if self.web.startswith(("https://", "http://")):
            return self.web
        for word in self.web.split():
            word = word.rstrip(".,;")
            if "@" in word and "." in word.split("@", 1)[1]:
                return f"mailto:{word}"
            if "." in word and word.replace(".", "").replace("-", "").isalnum() \
                    and word.rsplit(".", 1)[1].isalpha():
                return f"https://{word}"
        return ""

    @property
    def contact(self) -> str:
        """Every way to reach the line, in one short line: ``"Call 116 123 · Email ..."``."""
        ways = [f"Call {self.call}"] if self.call else []
        ways += [way for way in (self.text, self.web) if way]
        return " · ".join(ways)


@dataclass(frozen=True)
class Directory:
    """A directory of helplines for countries kindstep does not list itself."""

    name: str
    web: str
    purpose: str
    source: str


@dataclass(frozen=True)
class CrisisResources:
    """Where to turn in one country; ``country`` is "" when the country is not listed."""

    country: str
    country_name: str
    emergency: str
    """The local emergency number, or "" when the country is not listed."""
    emergency_label: str
    emergency_source: str
    lines: tuple[CrisisLine, ...]
    directories: tuple[Directory, ...]
    checked: str
    """The date these numbers were last checked against their sources."""
    note: str = ""
    emergency_landline: str = ""
    """The emergency number from a landline, where ``emergency`` is for mobiles ("" if the same)."""

    @property
    def emergency_instruction(self) -> str:
        """"call 999", "call 112 (10177 from a landline)" or "call your local emergency number"."""
        if self.emergency and self.emergency_landline:
            return f"call {self.emergency} ({self.emergency_landline} from a landline)"
        if self.emergency:
            return f"call {self.emergency}"
        return "call your local emergency number"


@dataclass(frozen=True)
class SafetyMessage:
    """Calm words and the resources to show with them; interfaces render it."""

    title: str
    body: str
    resources: CrisisResources
    show_lines: bool = True
    """False for the medical message, which only needs the emergency number."""

    def as_dict(self) -> dict:
        """The message as JSON (`--json`, the API): the words, the emergency number and
        every line shown."""
        res = self.resources
        shown = self.show_lines
        return {
            "title": self.title,
            "message": self.body,
            "country": res.country,
            "country_name": res.country_name,
            "emergency": res.emergency,
            "emergency_label": res.emergency_label,
            "emergency_instruction": res.emergency_instruction,
            "lines": [{"name": line.name, "call": line.call, "text": line.text, "web": line.web,
                       "hours": line.hours, "purpose": line.purpose}
                      for line in (res.lines if shown else ())],
            "directories": [{"name": d.name, "web": d.web, "purpose": d.purpose}
                            for d in (res.directories if shown else ())],
            "note": res.note,
            "checked": res.checked,
            "text": self.as_text(),
        }

    def as_text(self) -> str:
        """The whole message as plain text, resources included."""
        res = self.resources
        parts = [self.title, "", self.body, ""]
        if res.note:
            parts += [res.note, ""]
        if res.emergency:
            parts.append(
                f"Emergency ({res.country_name}): call {res.emergency}, {res.emergency_label}."
            )
        else:
            parts.append("Emergency: call your local emergency number.")
        if self.show_lines:
            for line in res.lines:
                hours = f" ({line.hours})" if line.hours else ""
                parts.append(f"{line.name}: {line.contact}{hours}")
                parts.append(f"  {line.purpose}")
            for directory in res.directories:
                where = "Somewhere else" if res.lines else "Helplines near you"
                parts.append(f"{where}: {directory.name}, {directory.web}")
                parts.append(f"  {directory.purpose}")
        return "\n".join(parts)


@functools.cache
def _data() -> tuple[dict[str, CrisisResources], tuple[Directory, ...], str]:
    raw = tomllib.loads(
        resources.files("kindstep.data").joinpath("crisis_lines.toml").read_text(encoding="utf-8")
    )
    checked = raw["checked"]
    directories = tuple(Directory(**entry) for entry in raw["directories"].values())
    countries: dict[str, CrisisResources] = {}
    for code, entry in raw["countries"].items():
        countries[code] = CrisisResources(
            country=code,
            country_name=entry["name"],
            emergency=entry["emergency"],
            emergency_label=entry["emergency_label"],
            emergency_source=entry["emergency_source"],
            emergency_landline=entry.get("emergency_landline", ""),
            lines=tuple(CrisisLine(**line) for line in entry["lines"]),
            directories=directories,
            checked=checked,
        )
    return countries, directories, checked


def countries() -> tuple[str, ...]:
    """Codes of the countries with their own crisis lines, in data-file order.

    >>> "GB" in countries() and "ZA" in countries()
    True
    """
    return tuple(_data()[0])


@functools.cache
def _tz_tables() -> tuple[dict[str, str], dict[str, str]]:
    """``({code: name}, {time zone: code})`` from the tz database's ``iso3166.tab`` and
    ``zone.tab``, as the ``tzdata`` package ships them (packaged data, read once)."""
    folder = resources.files("tzdata.zoneinfo")

    def rows(name: str) -> list[list[str]]:
        text = folder.joinpath(name).read_text(encoding="utf-8")
        return [line.split("\t") for line in text.splitlines() if line and line[0] != "#"]

    names = {row[0]: row[1] for row in rows("iso3166.tab") if len(row) >= 2}
    zones = {row[2]: row[0] for row in rows("zone.tab") if len(row) >= 3}
    return names, zones


def country_name(code: str | None) -> str:
    """A country's name from its ISO 3166 code; "" for an empty or unknown code.

    >>> country_name("gb"), country_name("JP"), country_name("XX")
    ('United Kingdom', 'Japan', '')
    """
    key = (code or "").strip().upper()
    key = _ALIASES.get(key, key)
    listed = _data()[0]
    if key in listed:
        return listed[key].country_name
    return _tz_tables()[0].get(key, "")


@functools.cache
def all_countries() -> tuple[tuple[str, str], ...]:
    """Every ISO 3166 country as ``(code, name)``, by name: for a full list to choose from.

    >>> ("JP", "Japan") in all_countries() and ("GB", "United Kingdom") in all_countries()
    True
    """
    codes = set(_tz_tables()[0]) | set(_data()[0])
    return tuple(sorted(((code, country_name(code)) for code in codes),
                        key=lambda pair: pair[1].casefold()))


@functools.cache
def listed_countries() -> tuple[tuple[str, str], ...]:
    """The countries kindstep has lines for, as ``(code, name)``, by name: a short list.

    >>> listed_countries()[0]
    ('AU', 'Australia')
    """
    return tuple(sorted(((code, res.country_name) for code, res in _data()[0].items()),
                        key=lambda pair: pair[1].casefold()))


def country_code(text: str | None) -> str:
    """The ISO 3166 code for a code (``"gb"``, ``"UK"``) or a name (``"Ireland"``,
    ``"japan"``); "" when it names no country.

    >>> country_code("uk"), country_code(" new zealand "), country_code("Narnia")
    ('GB', 'NZ', '')
    """
    key = " ".join((text or "").split())
    if not key:
        return ""
    code = _ALIASES.get(key.upper(), key.upper())
    if len(code) == 2 and country_name(code):
        return code
    for found, name in all_countries():
        if name.casefold() == key.casefold():
            return found
    return ""


_LOCALE_REGION = re.compile(r"^[A-Za-z]{2,3}[_-]([A-Za-z]{2})(?:[.@]|$)")


def suggest_country(timezone: str | None = "", locale: str | None = "") -> str:
    """A country to offer a person, worked out from a time zone, else a locale; "" if neither
    names one. Only ever a suggestion: the person confirms it.

    >>> suggest_country("Europe/London"), suggest_country("UTC", "en_NZ.UTF-8")
    ('GB', 'NZ')
    >>> suggest_country("UTC", "C.UTF-8")
    ''
    """
    code = _tz_tables()[1].get((timezone or "").strip(), "")
    if code:
        return code
    for part in (locale or "").replace(",", " ").split():
        match = _LOCALE_REGION.match(part.strip())
        if match and country_name(match[1]):
            return match[1].upper()
    return ""


def crisis_resources(country: str | None) -> CrisisResources:
    """Crisis lines and the emergency number for a country code (``"GB"``, ``"uk"``, ``"NZ"``).

    A country name ("Ireland") works too. An empty, unknown or missing
    country gets the international directory and "call your local emergency
    number", never nothing.

    >>> crisis_resources("gb").emergency
    '999'
    >>> crisis_resources("XX").emergency_instruction
    'call your local emergency number'
    """
    listed, directories, checked = _data()
    key = (country or "").strip()
    code = _ALIASES.get(key.upper(), key.upper())
    if code in listed:
        return listed[code]
    for found in listed.values():
        if key and found.country_name.lower() == key.lower():
            return found
    name = country_name(country_code(key))
    if name:
        first = f"kindstep does not list lines for {name} yet."
    elif key:
        first = "kindstep does not know that country, so it cannot show its lines."
    else:  # no country chosen: kindstep may well list its lines, so promise nothing either way
        first = "No country is chosen yet, so kindstep cannot show the lines where you are."
    return CrisisResources(
        country="",
        country_name=name,
        emergency="",
        emergency_label="",
        emergency_source="",
        lines=(),
        directories=directories,
        checked=checked,
        note=(
            f"{first} In an emergency, "
            "call your local emergency number. Find A Helpline can show you free, "
            "confidential lines where you are."
        ),
    )


def safety_message(resources: CrisisResources) -> SafetyMessage:
    """The calm message shown at once when someone may be at risk, with their local resources.

    >>> msg = safety_message(crisis_resources("AU"))
    >>> "000" in msg.body and "13 11 14" in msg.as_text()
    True
    """
    if resources.lines:
        reach = "One of the lines below, or someone you trust,"
    else:
        reach = "A helpline from the directory below, or someone you trust,"
    body = (
        "You don't have to carry this alone. kindstep is not a crisis service and "
        "can't respond in an emergency, but there are people ready to listen right now. "
        f"{reach} can help; please reach out now. "
        "If you might act on thoughts of harming yourself, or you are in danger, "
        f"{resources.emergency_instruction} now."
    )
    return SafetyMessage(title="Support is here, right now", body=body, resources=resources)


def stop_and_seek_care(
    resources: CrisisResources, symptoms: Iterable[str] = ()
) -> SafetyMessage:
    """The message for a worrying symptom during movement: stop, and seek medical care.

    ``symptoms`` are codes from :data:`WORRYING_SYMPTOMS`; a code not listed
    there raises ValueError.

    >>> msg = stop_and_seek_care(crisis_resources("NZ"), ["chest_pain"])
    >>> msg.body.startswith("Please stop now and seek medical care.") and "111" in msg.body
    True
    """
    codes = list(symptoms)
    unknown = [code for code in codes if code not in WORRYING_SYMPTOMS]
    if unknown:
        known = ", ".join(WORRYING_SYMPTOMS)
        raise ValueError(f"Unknown symptom {unknown[0]!r}; the symptoms are {known}.")
    sentences = ["Please stop now and seek medical care."]
    if codes:
        labels = "; ".join(WORRYING_SYMPTOMS[code].lower() for code in codes)
        sentences.append(f"You told us about: {labels}.")
    sentences.append(
        "Sit or lie down somewhere safe, and let someone nearby know if you can. "
        f"If it feels severe, or you are at all unsure, {resources.emergency_instruction} now. "
        "It is always all right to call."
    )
    return SafetyMessage(
        title="Please stop and seek care",
        body=" ".join(sentences),
        resources=resources,
        show_lines=False,
    )


# -- gentler signs: a high score, a check-in at an extreme ------------------------------


@dataclass(frozen=True)
class CareMessage:
    """Gentle words suggesting care, shown beside Help now; no alarm, no diagnosis.

    Interfaces add where help is: ``kindstep help-now`` in the terminal, a link
    to Help now on the web (:data:`HELP_NOW_COMMAND` in JSON).
    """

    title: str
    body: str
    quiet: bool = False
    """True for one quiet line (a check-in), False for a short section (a score)."""


HELP_NOW_COMMAND = "kindstep help-now"
"""Where help is, in the terminal: crisis lines and the emergency number, at any time."""


def care_message(result) -> CareMessage | None:
    """For a ``scales.Result`` whose total asks for care (``result.care``): kind words
    suggesting a talk with a doctor or clinician soon. None otherwise.

    >>> from kindstep.core.scales import score
    >>> care_message(score("gad7", [3] * 7)).title
    'Someone to talk this over with'
    >>> care_message(score("phq9", [1] * 9)) is None
    True
    """
    if not getattr(result, "care", False):
        return None
    from kindstep.core.scales import get_scale

    name = get_scale(result.code).name
    return CareMessage(
        title="Someone to talk this over with",
        body=(
            f"A {name} total of {result.total} is in the range where it is worth talking "
            "with a doctor or clinician soon about how the last two weeks have been; you "
            "could show them this score. If things feel like too much before then, "
            "support is there."
        ),
    )


LOW_MOOD_TOP = 1
"""A check-in mood of 0 or 1 (of 10) is at the low extreme."""
HIGH_ANXIETY_FROM = 9
"""A check-in anxiety of 9 or 10 (of 10) is at the high extreme."""
RUNNING = 3
"""The same extreme this many check-ins running also earns the quiet line."""


def at_an_extreme(checkin) -> bool:
    """True when a check-in has mood 0-1 or anxiety 9-10: :func:`checkin_care` can only
    answer for a latest check-in like this, so a caller may skip reading earlier ones.

    >>> from datetime import date
    >>> from kindstep.core.values import CheckIn
    >>> at_an_extreme(CheckIn(date(2026, 1, 1), energy=5, mood=1, anxiety=3))
    True
    """
    return checkin.mood <= LOW_MOOD_TOP or checkin.anxiety >= HIGH_ANXIETY_FROM


def checkin_care(recent: Sequence) -> CareMessage | None:
    """One quiet line pointing to Help now after a check-in at an extreme, else None.

    ``recent`` holds the person's latest check-ins (core ``values.CheckIn``),
    oldest first, the one just made last. The line shows when that one has
    mood 0-1 together with anxiety 9-10, or when the same extreme (mood 0-1,
    or anxiety 9-10) held in each of the last :data:`RUNNING` check-ins. Only
    the numbers are read, never the words of a note. This is the one place the
    rule is written.

    >>> from datetime import date
    >>> from kindstep.core.values import CheckIn
    >>> day = date(2026, 1, 1)
    >>> checkin_care([CheckIn(day, energy=2, mood=1, anxiety=9)]).quiet
    True
    >>> checkin_care([CheckIn(day, energy=2, mood=1, anxiety=5)]) is None
    True
    >>> checkin_care([CheckIn(day, energy=2, mood=0, anxiety=5)] * 3) is not None
    True
    """
    if not recent or not at_an_extreme(recent[-1]):
        return None

    def low(checkin) -> bool:
        return checkin.mood <= LOW_MOOD_TOP

    def tense(checkin) -> bool:
        return checkin.anxiety >= HIGH_ANXIETY_FROM

    latest = recent[-1]
    running = list(recent[-RUNNING:])
    extreme = low(latest) and tense(latest)
    if len(running) == RUNNING:
        extreme = extreme or all(map(low, running)) or all(map(tense, running))
    if not extreme:
        return None
    return CareMessage(
        title="You don't have to carry this alone",
        body="On days this hard, you don't have to carry it alone; someone can listen.",
        quiet=True,
    )

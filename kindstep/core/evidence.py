"""Evidence cards: short, honest answers to "why would movement help?".

The cards live in ``kindstep/data/evidence.toml`` and are shown by
``kindstep why TOPIC``. Each card has a plain summary, the figures exactly as
the reviews report them (with their uncertainty), a certainty note and full
citations with DOIs. Sources and figures are those of docs/evidence.md
(sections 1, 7 and 8); a figure that could not be checked is left out.

Every figure string ends with its source in brackets, ``"... (Cooney et al.
2013, Cochrane)"``; :func:`split_figure` separates the two. A card may have no
figures only when it says why in ``no_figures_because``.

Errors: :class:`UnknownTopic` (a ``KeyError``) for a topic that does not
exist, carrying close matches; ``ValueError`` naming the problem when the
data file itself is malformed.
"""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
"""The syntax every DOI must match (Crossref's recommended pattern, simplified)."""

_FIGURE_SOURCE = re.compile(r"^(?P<text>.*\S)\s*\((?P<source>[^()]*\b(?:19|20)\d{2}\b[^()]*)\)\s*$")


class UnknownTopic(KeyError):
    """There is no evidence card for this topic; ``suggestions`` lists close ones."""

    def __init__(self, topic: str, suggestions: list[str], known: list[str]):
        super().__init__(topic)
        self.topic = topic
        self.suggestions = suggestions
        self.known = known

    def __str__(self) -> str:
        message = f"There isn't a card called {self.topic!r}."
        if self.suggestions:
            message += " Did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        return message + " The topics are: " + ", ".join(self.known) + "."


@dataclass(frozen=True)
class Citation:
    """One published source, cited in full."""

    key: str
    authors: str
    year: int
    title: str
    journal: str
    doi: str

    @property
    def url(self) -> str:
        """The DOI as a link: ``https://doi.org/<doi>``."""
        return f"https://doi.org/{self.doi}"

    @property
    def first_author(self) -> str:
        """The first author's surname, as written in ``authors``.

        >>> Citation("x", "van Jaarsveld CHM, Lally P", 2010, "t", "j", "10.1/x").first_author
        'van Jaarsveld'
        """
        first = self.authors.split(",")[0].strip()
        parts = first.split()
        if len(parts) > 1 and parts[-1].isupper():  # drop trailing initials ("GM")
            parts = parts[:-1]
        return " ".join(parts)

    def __str__(self) -> str:
        return f"{self.authors} ({self.year}). {self.title}. {self.journal}. doi:{self.doi}"


@dataclass(frozen=True)
class Card:
    """One evidence card, looked up by its short stable ``code``."""

    code: str
    title: str
    summary: str
    figures: tuple[str, ...]
    certainty: str
    citations: tuple[Citation, ...]
    no_figures_because: str = ""


def split_figure(figure: str) -> tuple[str, str]:
    """The figure as the source reports it, and the source named in brackets at its end.

    >>> split_figure("SMD −0.62 (95% CI −0.81 to −0.42) (Cooney et al. 2013, Cochrane)")
    ('SMD −0.62 (95% CI −0.81 to −0.42)', 'Cooney et al. 2013, Cochrane')
    >>> split_figure("no source here")
    ('no source here', '')
    """
    match = _FIGURE_SOURCE.match(figure)
    if not match:
        return figure.strip(), ""
    return match["text"], match["source"].strip()


def _text(raw: dict, key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} needs a non-empty {key!r}")
    return " ".join(value.split())


def citation_from_dict(key: str, raw: dict) -> Citation:
    """One Citation from its TOML table; raises ValueError naming what is wrong."""
    where = f"citation {key!r}"
    doi = _text(raw, "doi", where)
    if not DOI_PATTERN.match(doi):
        raise ValueError(f"{where} has a DOI that is not DOI syntax: {doi!r}")
    year = raw.get("year")
    if not isinstance(year, int) or not 1900 <= year <= 2100:
        raise ValueError(f"{where} needs a four-digit 'year'")
    return Citation(
        key=key,
        authors=_text(raw, "authors", where),
        year=year,
        title=_text(raw, "title", where),
        journal=_text(raw, "journal", where),
        doi=doi,
    )


def cards_from_dict(raw: dict) -> tuple[Card, ...]:
    """All cards from the parsed TOML document; raises ValueError naming what is wrong."""
    citations = {
        key: citation_from_dict(key, table) for key, table in raw.get("citation", {}).items()
    }
    cards: list[Card] = []
    seen: set[str] = set()
    for table in raw.get("card", []):
        code = _text(table, "code", "a card")
        where = f"card {code!r}"
        if code in seen:
            raise ValueError(f"{where} appears twice")
        seen.add(code)
        keys = table.get("citations") or []
        if not keys:
            raise ValueError(f"{where} cites nothing")
        unknown = [k for k in keys if k not in citations]
        if unknown:
            raise ValueError(f"{where} cites unknown sources {unknown}")
        figures = tuple(" ".join(str(f).split()) for f in table.get("figures", []))
        because = " ".join(str(table.get("no_figures_because", "")).split())
        if not figures and not because:
            raise ValueError(f"{where} has no figures and does not say why (no_figures_because)")
        cards.append(
            Card(
                code=code,
                title=_text(table, "title", where),
                summary=_text(table, "summary", where),
                figures=figures,
                certainty=_text(table, "certainty", where),
                citations=tuple(citations[k] for k in keys),
                no_figures_because=because,
            )
        )
    return tuple(cards)


@functools.cache
def load_cards() -> tuple[Card, ...]:
    """Every evidence card shipped in ``kindstep/data/evidence.toml``, in display order."""
    text = resources.files("kindstep.data").joinpath("evidence.toml").read_text("utf-8")
    return cards_from_dict(tomllib.loads(text))


def topics() -> list[str]:
    """The topic codes people can type after ``kindstep why``, in display order.

    >>> topics()[:2]
    ['mood', 'anxiety']
    """
    return [c.code for c in load_cards()]


def card(topic: str) -> Card:
    """The card for ``topic`` (case and surrounding spaces ignored).

    Raises UnknownTopic, carrying the closest topics, when there is none.

    >>> card(" Mood ").title
    'Why movement can help with low mood'
    >>> card("mod")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kindstep.core.evidence.UnknownTopic: There isn't a card called 'mod'. Did you mean 'mood'? ...
    """
    wanted = topic.strip().lower()
    cards = load_cards()
    for c in cards:
        if c.code == wanted:
            return c
    raise UnknownTopic(topic.strip(), _close_topics(wanted, cards), [c.code for c in cards])


def _close_topics(wanted: str, cards: tuple[Card, ...], n: int = 3) -> list[str]:
    codes = [c.code for c in cards]
    found = difflib.get_close_matches(wanted, codes, n=n, cutoff=0.5)
    # A word from a card's title ("yoga", "anxious") is a good hint too.
    for c in cards:
        if len(found) >= n:
            break
        words = re.findall(r"[a-z]+", c.title.lower())
        close = difflib.get_close_matches(wanted, words, n=1, cutoff=0.8)
        if wanted and c.code not in found and close:
            found.append(c.code)
    return found[:n]

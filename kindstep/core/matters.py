"""What matters to a person: a few values they may pick, and the activities that serve them.

Behavioural activation plans activities that fit what a person cares about
(docs/evidence.md section 8). kindstep offers a short, optional exercise: pick
a few of :data:`VALUES`, or say one in your own words. The catalogue says which
values each activity can serve (``serves`` in ``data/activities.toml``), and
Today's reason for a choice may then name one the person picked. Only the
words change: the choices themselves are the same for someone who skipped it.
"""

from __future__ import annotations

from dataclasses import replace

from kindstep.core.checks import InvalidInput
from kindstep.core.values import Offer

__all__ = ["OWN_WORDS_LIMIT", "VALUES", "clean_matters", "label", "with_values"]

VALUES: dict[str, str] = {
    "outdoors": "Being outdoors",
    "others": "Time with others",
    "body": "Caring for your body",
    "making": "Making and tending things",
    "calm": "Calm",
}
"""The values offered, by code, as a person reads them."""

OWN_WORDS_LIMIT = 80
"""Characters in one value said in the person's own words."""

MOST = 8
"""A few values is the point; more than this is refused kindly."""


def label(code: str) -> str:
    """The words for a value: the list's label, or the person's own words as they wrote them.

    >>> label("outdoors"), label("my garden")
    ('Being outdoors', 'my garden')
    """
    return VALUES.get(code, code)


def clean_matters(picked: object, own: object = "") -> list[str]:
    """The value codes picked plus any in the person's own words (comma-separated), checked.

    >>> clean_matters(["outdoors", "calm"], "music, my dog")
    ['outdoors', 'calm', 'music', 'my dog']
    """
    if isinstance(picked, str):
        picked = [p for p in picked.replace(" ", ",").split(",")]
    found: list[str] = []
    for code in picked or ():
        code = str(code).strip().lower()
        if not code:
            continue
        if code not in VALUES:
            raise InvalidInput("values", f"{code!r} is not one of the listed values "
                               f"({', '.join(VALUES)}); your own words go in --own.")
        if code not in found:
            found.append(code)
    for words in str(own or "").split(","):
        words = " ".join(words.split())
        if not words:
            continue
        if len(words) > OWN_WORDS_LIMIT:
            raise InvalidInput("own", f"Please keep each value to {OWN_WORDS_LIMIT} characters.")
        if any(ord(ch) < 32 for ch in words):
            raise InvalidInput("own", "Please use plain words for your values.")
        if words.lower() not in (f.lower() for f in found):
            found.append(words)
    if len(found) > MOST:
        raise InvalidInput("values", f"A few is plenty: please choose at most {MOST}.")
    return found


def with_values(offer: Offer, serves: dict[str, frozenset[str]], picked: list[str]) -> Offer:
    """``offer`` with each choice's reason naming a picked value the activity serves, if any.

    ``serves`` maps an activity code to the values it can serve (the catalogue's).
    The choices, their order and their minutes stay exactly as they were.
    """
    chosen = [code for code in picked if code in VALUES]
    if not chosen:
        return offer
    choices = []
    for choice in offer.choices:
        value = next((code for code in chosen if code in serves.get(choice.activity, ())), None)
        if value is not None:
            words = VALUES[value]
            choice = replace(choice, why=f"{choice.why} {words}, which you said matters to you.")
        choices.append(choice)
    return replace(offer, choices=tuple(choices))

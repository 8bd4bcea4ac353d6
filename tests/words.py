"""The words kindstep never uses with a person, in one place for every test that checks wording.

kindstep offers and never demands, and nothing it says shames: no "missed",
no "failed", no streaks. Every test that checks what a person reads (the
package's strings in tests/test_words.py, and each module's own sentences
in its tests) asks :func:`unkind` about the same list. The one exception is
the validated questionnaire wording (PHQ-9 item 6 says "failure"), which is
kept word for word.
"""

from __future__ import annotations

import re

NEVER_SAID: tuple[str, ...] = (
    "missed", "miss a day", "failed", "failure", "fail", "failing", "lazy",
    "streak", "streaks", "streak broken", "broke your streak",
    "should have", "no excuses", "push harder", "push yourself", "you must", "you have to",
    "don't give up", "behind schedule",
)
"""Whole words and phrases, matched regardless of case."""

PATTERN = re.compile(r"\b(" + "|".join(re.escape(w) for w in NEVER_SAID) + r")\b", re.IGNORECASE)


def unkind(text: str) -> list[str]:
    """The never-said words in ``text`` as they appear there; empty when the text is kind.

    >>> unkind("You missed a day. Streak broken!")
    ['missed', 'Streak']
    >>> unkind("Rest is part of healing; a rest day counts as care.")
    []
    """
    return [m.group(0) for m in PATTERN.finditer(text)]

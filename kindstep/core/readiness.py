"""kindstep's readiness check: a few yes/no questions before moving more.

The questions are kindstep's own, in ``kindstep/data/readiness.toml``. They
follow widely used pre-activity screening practice and cover the same
considerations (docs/evidence.md section 5). The answers are not all alike:

- Chest pain, or fainting or losing balance from dizziness in the last year
  (:data:`SEE_DOCTOR_FIRST`): see a doctor before starting anything new;
  until the person says a doctor has seen them, kindstep offers only its
  gentlest choices (``Profile.see_doctor_first``).
- A doctor's advice to be active only with medical supervision
  (:data:`SUPERVISED`): kindstep offers no unsupervised movement beyond slow
  breathing and gentle stretches, and says why (``Profile.supervised``). A
  doctor's go-ahead for more than light activity does not lift this: it lasts
  until the person answers that question differently.
- Any other "yes": talk with a doctor before moderate or vigorous activity;
  until the person says they have their doctor's go-ahead, suggestions stay
  light (``Profile.light_only``).

All "no" means: start gently and build up.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

SEE_DOCTOR_FIRST = frozenset({"chest_pain", "dizziness"})
"""Questions whose "yes" means seeing a doctor before starting anything new."""

SUPERVISED = "supervised"
"""The question whose "yes" means a doctor advised activity only with medical supervision."""

_YES = frozenset({"yes", "y", "true"})
_NO = frozenset({"no", "n", "false"})


class ReadinessError(ValueError):
    """Readiness answers kindstep cannot use; the message is kind and one line."""


@dataclass(frozen=True)
class Question:
    """One readiness question: a stable code, the question, and why kindstep asks it."""

    code: str
    text: str
    why: str


@dataclass(frozen=True)
class ReadinessResult:
    """What the answers mean for today's suggestions."""

    any_yes: bool
    light_only: bool
    """True when suggestions should stay light until the person has a doctor's go-ahead."""
    message: str
    yes_codes: tuple[str, ...] = ()
    """Codes of the questions answered yes, in question order."""
    notes: tuple[str, ...] = ()
    """General notes that apply whatever the answers (passing illness, pregnancy, changes)."""
    see_doctor_first: bool = False
    """True when chest pain or fainting was answered yes and no doctor has seen the person
    since: only the gentlest choices until they have."""
    supervised: bool = False
    """True when a doctor advised activity only with medical supervision: only breathing and
    gentle stretches."""


@functools.cache
def _data() -> tuple[str, tuple[str, ...], tuple[Question, ...]]:
    raw = tomllib.loads(
        resources.files("kindstep.data").joinpath("readiness.toml").read_text(encoding="utf-8")
    )
    questions = tuple(Question(**entry) for entry in raw["questions"])
    codes = [q.code for q in questions]
    if len(set(codes)) != len(codes):
        raise ValueError("readiness.toml: question codes must be unique")
    return raw["intro"], tuple(raw["notes"]), questions


def load_questions() -> tuple[Question, ...]:
    """The readiness questions, in the order they are asked.

    >>> [q.code for q in load_questions()][:2]
    ['heart', 'chest_pain']
    """
    return _data()[2]


def intro() -> str:
    """The sentence shown before the questions."""
    return _data()[0]


def _count_message(given: int) -> str:
    total = len(load_questions())
    answers = "1 answer was given" if given == 1 else f"{given} answers were given"
    return f"There are {total} readiness questions; {answers}."


def parse_yes_no(text: str) -> list[bool]:
    """The answers in ``"yes,no,..."`` as booleans, one per question in order.

    ``y``/``n`` and ``true``/``false`` work too, in any case, separated by
    commas and/or spaces. Raises ReadinessError on a word that is not yes or
    no, or on the wrong number of answers.

    >>> parse_yes_no("no, no, no, no, no, no, yes")
    [False, False, False, False, False, False, True]
    >>> parse_yes_no("no,maybe")
    Traceback (most recent call last):
    ...
    kindstep.core.readiness.ReadinessError: Answer 2 ('maybe') needs to be yes or no.
    """
    words = text.replace(",", " ").split()
    answers: list[bool] = []
    for number, word in enumerate(words, start=1):
        lowered = word.lower()
        if lowered in _YES:
            answers.append(True)
        elif lowered in _NO:
            answers.append(False)
        else:
            raise ReadinessError(f"Answer {number} ({word!r}) needs to be yes or no.")
    if len(answers) != len(load_questions()):
        raise ReadinessError(_count_message(len(answers)))
    return answers


def _as_mapping(answers: Mapping[str, bool] | Sequence[bool]) -> dict[str, bool]:
    questions = load_questions()
    codes = [q.code for q in questions]
    if isinstance(answers, str | bytes):
        raise ReadinessError("Please give the answers as yes or no for each question.")
    if isinstance(answers, Mapping):
        unknown = [code for code in answers if code not in codes]
        if unknown:
            raise ReadinessError(
                f"There is no readiness question called {unknown[0]!r}; "
                f"the questions are {', '.join(codes)}."
            )
        absent = [code for code in codes if code not in answers]
        if absent:
            raise ReadinessError(f"Please answer the question {absent[0]!r} with yes or no.")
        by_code = dict(answers)
    else:
        values = list(answers)
        if len(values) != len(codes):
            raise ReadinessError(_count_message(len(values)))
        by_code = dict(zip(codes, values, strict=True))
    for number, code in enumerate(codes, start=1):
        if not isinstance(by_code[code], bool):
            raise ReadinessError(f"Answer {number} ({code}) needs to be yes or no.")
    return {code: by_code[code] for code in codes}


def assess(
    answers: Mapping[str, bool] | Sequence[bool], *, doctor_go_ahead: bool = False
) -> ReadinessResult:
    """What the readiness answers mean: whether to keep suggestions light, and a kind message.

    ``answers`` is either a mapping from question code to yes (True) / no
    (False), or one boolean per question in order. ``doctor_go_ahead`` is
    True once the person says a doctor has cleared them for more than light
    activity; any yes then no longer keeps suggestions light.

    >>> assess([False] * 7).light_only
    False
    >>> result = assess([True] + [False] * 6)
    >>> result.light_only, result.yes_codes
    (True, ('heart',))
    """
    checked = _as_mapping(answers)
    notes = _data()[1]
    yes_codes = tuple(code for code, answer in checked.items() if answer)
    if not yes_codes:
        message = (
            "Thank you for answering. Nothing here suggests you need a doctor's "
            "go-ahead before moving more. Start gently and build up gradually, "
            "at whatever pace feels right for you."
        )
        return ReadinessResult(any_yes=False, light_only=False, message=message, notes=notes)
    supervised = SUPERVISED in yes_codes
    see_doctor = not doctor_go_ahead and bool(SEE_DOCTOR_FIRST & set(yes_codes))
    sentences = []
    if see_doctor:
        sentences.append(
            "Thank you for telling us. Chest pain, or fainting or losing your balance from "
            "dizziness, is a reason to see a doctor before starting anything new. Until you "
            "tell kindstep a doctor has seen you, it will offer only its gentlest choices, "
            "such as slow breathing or a few minutes outside, and rest. If you have chest "
            "pain right now, please seek medical care now: Help now shows the emergency number."
        )
    elif doctor_go_ahead:
        sentences.append(
            "Thank you. Since your doctor has said more than light activity is fine for you, "
            + ("the light limit is lifted. " if supervised else
               "kindstep will offer the full range of suggestions. ")
            + "Keep following their advice, build up gradually, and answer these questions "
            "again if your health changes."
        )
    else:
        sentences.append(
            "Thank you for telling us. Because you answered yes to at least one question, "
            "it would be a good idea to talk with a doctor before doing moderate or vigorous "
            "activity. Until you tell kindstep you have their go-ahead, it will keep its "
            "suggestions light."
        )
    if supervised:
        sentences.append(
            "A doctor has advised you to be active only with medical supervision, so "
            "kindstep follows that advice: on your own it suggests only slow breathing and "
            "gentle stretches, and rest. Anything more is for the supervised sessions your "
            "doctor advised; if that advice changes, answer these questions again."
        )
    elif not see_doctor and not doctor_go_ahead:
        sentences.append("Light, gentle movement still counts, and there is plenty to choose from.")
    return ReadinessResult(
        any_yes=True, light_only=not doctor_go_ahead, message=" ".join(sentences),
        yes_codes=yes_codes, notes=notes, see_doctor_first=see_doctor, supervised=supervised,
    )


def standing_limits(stored: Mapping[str, object], *, doctor_go_ahead: bool) -> tuple[bool, bool]:
    """``(see_doctor_first, supervised)`` from stored answers (``{code: bool}``, or
    ``{"skipped": True}``, or ``{}``): what the answers ask of today's suggestions.

    >>> standing_limits({"chest_pain": True, "supervised": False}, doctor_go_ahead=False)
    (True, False)
    >>> standing_limits({"chest_pain": True, "supervised": True}, doctor_go_ahead=True)
    (False, True)
    >>> standing_limits({"skipped": True}, doctor_go_ahead=False)
    (False, False)
    """
    said = {code for code, answer in stored.items() if answer is True}
    return (not doctor_go_ahead and bool(SEE_DOCTOR_FIRST & said), SUPERVISED in said)

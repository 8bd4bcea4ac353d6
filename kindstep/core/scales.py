"""Validated questionnaires: the PHQ-9, GAD-7, PHQ-2 and GAD-2, and their scores.

Source: the PHQ and GAD-7 screeners developed by Drs. Robert L. Spitzer,
Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant
from Pfizer Inc. ("No permission required to reproduce, translate, display or
distribute"). PHQ-9: Kroenke, Spitzer, Williams, J Gen Intern Med
2001;16:606-613. GAD-7: Spitzer, Kroenke, Williams, Loewe, Arch Intern Med
2006;166:1092-1097. Each scoring threshold in the data file names its published source
(docs/evidence.md sections 2 and 3).

The wording lives in ``kindstep/data/instruments.toml``, copied unchanged from
the published forms; a test compares it with the project's reference copy. Never alter or reorder
items.

Scores are information for the person and their clinician, never a diagnosis.

Terms used in a :class:`Result`:

- **change**: this total minus the most recent previous total of the same scale.
- **reliable change**: a change at least as large as the scale's threshold
  (PHQ-9: 5 points, Loewe et al. 2004; GAD-7: 6 points, the reliable change
  index of Bischoff et al. 2020). The short screeners have none.
- **episode** (PHQ-9 only): the previous results since the most recent one in
  the remission range (or all of them, if none was). Its first result is the
  baseline. When the latest previous result was itself in that range, a new
  episode starts now and there is no baseline yet.
- **response**: a total at or below half the episode's baseline (a drop of
  50 % or more).
- **remission**: a total below 5, after a baseline that was not (ICSI
  guideline; doi:10.1176/appi.ps.201900295).

Both words are used only where they are defined: against a baseline taken at
least two weeks (:data:`DUE_AFTER`) before, and never beside an answer above 0
to the safety item. Otherwise ``response`` and ``remission`` are None and the
summary says the range in plain words. The GAD-7 has no verified published
definition of either, so kindstep never uses them for it.

Two rules decide when kindstep points to help, each in one function that every
interface calls: :func:`safety_answer` (any answer above 0 to PHQ-9 item 9,
read even from answers that cannot be scored) and :func:`care_needed` (a PHQ-9
or GAD-7 total in the moderately severe or severe range).
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import Literal

DUE_AFTER = timedelta(days=14)
"""The questionnaires ask about "the last 2 weeks", so one is due 14 days after the last."""

ANSWER_MIN = 0
ANSWER_MAX = 3
"""Every item of these four scales is answered 0 ("Not at all") to 3 ("Nearly every day")."""

ChangeDirection = Literal["improved", "worsened"]

SCORES_NOTE = "Scores are information for you and your clinician, never a diagnosis."
"""Said with every score, on every interface."""


class ScaleError(ValueError):
    """A questionnaire answer or code kindstep cannot use; the message is kind and one line."""


@dataclass(frozen=True)
class Band:
    """A named range of totals, inclusive at both ends."""

    low: int
    high: int
    label: str

    def __contains__(self, total: object) -> bool:
        return isinstance(total, int) and self.low <= total <= self.high


@dataclass(frozen=True)
class Scale:
    """One questionnaire: its official wording and kindstep's scoring metadata."""

    code: str
    name: str
    stem: str
    options: tuple[str, ...]
    items: tuple[str, ...]
    bands: tuple[Band, ...]
    credit: str
    safety_item: int | None = None
    """1-based number of the item whose any answer above 0 starts the safety path."""
    difficulty_question: str = ""
    difficulty_options: tuple[str, ...] = ()
    reliable_change: int | None = None
    """Smallest change in total, in points, counted as a reliable change."""
    remission_below: int | None = None
    """A total below this counts as remission."""
    screen_cutoff: int | None = None
    """For a short screener: at or above this total, the full scale is worth taking."""
    full_scale: str | None = None
    """For a short screener: the code of the full scale its items come from."""
    care_from: int | None = None
    """At or above this total, kindstep suggests talking with a doctor or clinician soon."""

    @property
    def max_total(self) -> int:
        """The highest possible total: three points per item."""
        return ANSWER_MAX * len(self.items)

    def band_for(self, total: int) -> Band:
        """The band a total falls in; ScaleError when it is out of range."""
        for band in self.bands:
            if total in band:
                return band
        raise ScaleError(f"A {self.name} total must be between 0 and {self.max_total}.")


@dataclass(frozen=True)
class Result:
    """A scored questionnaire, with what it means next to earlier results."""

    code: str
    answers: tuple[int, ...]
    total: int
    max_total: int
    band: str
    plain_summary: str
    difficulty: int | None = None
    change: int | None = None
    """This total minus the last previous total; None with nothing to compare."""
    reliable_change: ChangeDirection | None = None
    response: bool | None = None
    """None when there is no baseline in the current episode (see the module docstring)."""
    remission: bool | None = None
    """None for the short screeners, which have no remission threshold."""
    safety_flag: bool = False
    """True when the safety item (PHQ-9 item 9) was answered above 0 (:func:`safety_answer`)."""
    suggests_full: str | None = None
    """For a screener at or above its cut-off: the code of the full scale to offer."""
    care: bool = False
    """True when the total is in the range where talking with a doctor soon is suggested
    (:func:`care_needed`)."""
    taken_on: date | None = None
    """The person's local day the answers were given, when known."""


# ---------------------------------------------------------------------------
# Loading


@functools.cache
def _scales() -> tuple[tuple[str, Scale], ...]:
    raw = tomllib.loads(
        resources.files("kindstep.data").joinpath("instruments.toml").read_text(encoding="utf-8")
    )
    credit = raw["credit"]
    tables = {code: table for code, table in raw.items() if isinstance(table, dict)}
    scales: dict[str, Scale] = {}
    for code, table in tables.items():
        source = tables[table["items_from"]] if "items_from" in table else table
        if "items_from" in table:
            items = tuple(source["items"][number - 1] for number in table["items"])
        else:
            items = tuple(table["items"])
        scale = Scale(
            code=code,
            name=table["name"],
            stem=source["stem"],
            options=tuple(source["options"]),
            items=items,
            bands=tuple(Band(low, high, label) for low, high, label in table["bands"]),
            credit=credit,
            safety_item=table.get("safety_item"),
            difficulty_question=table.get("difficulty_question", ""),
            difficulty_options=tuple(table.get("difficulty_options", ())),
            reliable_change=table.get("reliable_change"),
            remission_below=table.get("remission_below"),
            screen_cutoff=table.get("screen_cutoff"),
            full_scale=table.get("items_from"),
            care_from=table.get("care_from"),
        )
        _check(scale)
        scales[code] = scale
    return tuple(scales.items())


def _check(scale: Scale) -> None:
    """Refuse data whose bands leave a gap or overlap, or whose options are not 0..3."""
    expected_low = 0
    for band in scale.bands:
        if band.low != expected_low or band.high < band.low:
            raise ValueError(f"{scale.code}: bands must cover every total once, in order")
        expected_low = band.high + 1
    if expected_low != scale.max_total + 1:
        raise ValueError(f"{scale.code}: bands must end at {scale.max_total}")
    if len(scale.options) != ANSWER_MAX - ANSWER_MIN + 1:
        raise ValueError(f"{scale.code}: expected four answer options")
    if scale.safety_item is not None and not 1 <= scale.safety_item <= len(scale.items):
        raise ValueError(f"{scale.code}: safety_item is not one of its items")
    if scale.care_from is not None and scale.care_from not in {b.low for b in scale.bands}:
        raise ValueError(f"{scale.code}: care_from must be the lower edge of a band")


def load_scales() -> dict[str, Scale]:
    """Every questionnaire kindstep offers, keyed by its short code.

    >>> sorted(load_scales())
    ['gad2', 'gad7', 'phq2', 'phq9']
    >>> load_scales()["phq9"].max_total
    27
    """
    return dict(_scales())


def get_scale(scale_code: str) -> Scale:
    """The scale with this code (``"phq9"``; ``"PHQ-9"`` works too); ScaleError if none.

    >>> get_scale("GAD-7").code
    'gad7'
    """
    scales = load_scales()
    key = scale_code.strip().lower().replace("-", "").replace(" ", "")
    if key not in scales:
        names = ", ".join(sorted(scales))
        raise ScaleError(f"There is no questionnaire called {scale_code!r}; try one of {names}.")
    return scales[key]


# ---------------------------------------------------------------------------
# Answers


def validate_answers(scale_code: str, answers: Sequence[int]) -> list[int]:
    """The answers as a list of whole numbers, after checking count and range.

    Raises ScaleError with one kind line naming what to change.

    >>> validate_answers("phq2", [0, 3])
    [0, 3]
    >>> validate_answers("phq2", [0, 4])
    Traceback (most recent call last):
    ...
    kindstep.core.scales.ScaleError: Answer 2 must be between 0 and 3.
    """
    scale = get_scale(scale_code)
    if isinstance(answers, str | bytes):
        raise ScaleError("Please give the answers as a list of numbers from 0 to 3.")
    answers = list(answers)
    if len(answers) != len(scale.items):
        given = "1 answer was given" if len(answers) == 1 else f"{len(answers)} answers were given"
        raise ScaleError(f"{scale.name} has {len(scale.items)} questions; {given}.")
    for number, answer in enumerate(answers, start=1):
        if isinstance(answer, bool) or not isinstance(answer, int):
            raise ScaleError(
                f"Answer {number} must be a whole number between {ANSWER_MIN} and {ANSWER_MAX}."
            )
        if not ANSWER_MIN <= answer <= ANSWER_MAX:
            raise ScaleError(f"Answer {number} must be between {ANSWER_MIN} and {ANSWER_MAX}.")
    return answers


def parse_answers(text: str, scale_code: str | None = None) -> list[int]:
    """The whole numbers in ``"0,1,2,..."`` (commas and/or spaces between them).

    With ``scale_code``, the count and range are checked too (see validate_answers).

    >>> parse_answers("0, 1 2,3")
    [0, 1, 2, 3]
    >>> parse_answers("1,x")
    Traceback (most recent call last):
    ...
    kindstep.core.scales.ScaleError: Answer 2 ('x') must be a whole number between 0 and 3.
    """
    pieces = [piece for piece in text.replace(",", " ").split()]
    if not pieces:
        raise ScaleError("Please give your answers as numbers from 0 to 3, separated by commas.")
    answers: list[int] = []
    for number, piece in enumerate(pieces, start=1):
        if not (piece.isascii() and piece.isdigit()):
            raise ScaleError(
                f"Answer {number} ({piece!r}) must be a whole number "
                f"between {ANSWER_MIN} and {ANSWER_MAX}."
            )
        answers.append(int(piece))
    if scale_code is not None:
        return validate_answers(scale_code, answers)
    return answers


def _validate_difficulty(scale: Scale, difficulty: int | None) -> int | None:
    if difficulty is None:
        return None
    if not scale.difficulty_question:
        raise ScaleError(f"{scale.name} has no difficulty question; please leave it out.")
    top = len(scale.difficulty_options) - 1
    is_whole = isinstance(difficulty, int) and not isinstance(difficulty, bool)
    if not is_whole or not 0 <= difficulty <= top:
        raise ScaleError(f"The difficulty answer must be between 0 and {top}.")
    return difficulty


# ---------------------------------------------------------------------------
# The two rules that point to help


@dataclass(frozen=True)
class SafetyAnswer:
    """An answer above 0 to a scale's safety item (PHQ-9 item 9): it starts the safety path."""

    scale: str
    item: int
    """The 1-based number of the safety item."""
    answer: int | float
    """The answer as given; a whole number 1-3 when the answers are valid."""


def _as_number(value: object) -> int | float | None:
    """``value`` as a number when it reads as one (``2``, ``"2"``, ``" 3 "``), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if isinstance(value, str):
        text = value.strip()
        if text.isascii():
            try:
                number = float(text)
            except ValueError:
                return None
            return int(number) if number.is_integer() else number
    return None


def safety_answer(scale_code: str, answers: str | Sequence[object]) -> SafetyAnswer | None:
    """The item-9 rule: the safety item's answer when it is above 0, else None.

    This is the one place the rule is written; scoring, the store, the CLI and
    the web all call it. Help must never wait for answers that can be saved, so
    ``answers`` may be anything a person sent: ``"0,1,2,..."`` text, a list of
    numbers, or form values, with the wrong count or other answers out of
    range. Only the safety item's own answer (the 9th given) is read; any
    number above 0 there counts, even one out of range.

    >>> safety_answer("phq9", "0,0,0,0,0,0,0,0,2").answer
    2
    >>> safety_answer("phq9", ["0", "7", "", "x", "0", "0", "0", "0", "1", "0"]).item
    9
    >>> safety_answer("phq9", [3] * 8 + [0]) is None, safety_answer("gad7", [3] * 7) is None
    (True, True)
    """
    scale = get_scale(scale_code)
    if scale.safety_item is None:
        return None
    if isinstance(answers, str | bytes):
        text = answers.decode("ascii", "replace") if isinstance(answers, bytes) else answers
        given: list[object] = list(text.replace(",", " ").split())
    else:
        try:
            given = list(answers)
        except TypeError:
            return None
    if len(given) < scale.safety_item:
        return None
    answer = _as_number(given[scale.safety_item - 1])
    if answer is None or not answer > 0:
        return None
    return SafetyAnswer(scale=scale.code, item=scale.safety_item, answer=answer)


def care_needed(scale_code: str, total: int) -> bool:
    """The high-score rule: True when ``total`` is in the range where kindstep suggests
    talking with a doctor or clinician soon.

    The thresholds are the lower edges of the PHQ-9's "Moderately severe" band
    and the GAD-7's "Severe" band (both 15; Kroenke et al. 2001, Spitzer et al.
    2006). The short screeners have none. This is the one place the rule is
    written; every interface reads it from :attr:`Result.care`.

    >>> care_needed("phq9", 14), care_needed("phq9", 15), care_needed("gad7", 15)
    (False, True, True)
    >>> care_needed("phq2", 6)
    False
    """
    scale = get_scale(scale_code)
    return scale.care_from is not None and total >= scale.care_from


# ---------------------------------------------------------------------------
# Scoring


def score(
    scale_code: str,
    answers: Sequence[int],
    *,
    previous: Sequence[Result] | None = None,
    difficulty: int | None = None,
    taken_on: date | None = None,
) -> Result:
    """The scored result, compared with ``previous`` results (oldest first).

    Previous results of other scales are ignored. ``difficulty`` is the
    answer (0-3) to the PHQ-9's unscored difficulty question. ``taken_on`` is
    the person's local day; without it (or the baseline's) there is no
    response or remission to speak of.

    >>> first = score("phq9", [2, 2, 2, 2, 2, 2, 1, 1, 0], taken_on=date(2026, 1, 1))
    >>> first.total, first.band, first.safety_flag
    (14, 'Moderate', False)
    >>> later = score("phq9", [1, 1, 1, 1, 1, 1, 1, 0, 0], previous=[first],
    ...               taken_on=date(2026, 1, 15))
    >>> later.change, later.reliable_change, later.response
    (-7, 'improved', True)
    >>> soon = score("phq9", [1, 1, 1, 1, 1, 1, 1, 0, 0], previous=[first],
    ...              taken_on=date(2026, 1, 8))
    >>> soon.change, soon.response
    (-7, None)
    """
    scale = get_scale(scale_code)
    checked = validate_answers(scale.code, answers)
    difficulty = _validate_difficulty(scale, difficulty)
    total = sum(checked)
    band = scale.band_for(total)
    earlier = [r for r in (previous or ()) if r.code == scale.code]

    change = total - earlier[-1].total if earlier else None
    reliable: ChangeDirection | None = None
    if change is not None and scale.reliable_change is not None:
        if change <= -scale.reliable_change:
            reliable = "improved"
        elif change >= scale.reliable_change:
            reliable = "worsened"

    safety_flag = safety_answer(scale.code, checked) is not None
    remission: bool | None = None
    response: bool | None = None
    baseline: int | None = None
    if scale.remission_below is not None and not safety_flag:
        first = _episode_baseline(earlier, scale.remission_below)
        if _two_weeks_apart(first, taken_on):
            baseline = first.total  # type: ignore[union-attr]
            remission = total < scale.remission_below
            response = total * 2 <= baseline
    suggests_full = None
    if scale.screen_cutoff is not None and total >= scale.screen_cutoff:
        suggests_full = scale.full_scale

    summary = _summary(
        scale,
        total=total,
        band=band,
        change=change,
        reliable=reliable,
        response=response,
        baseline=baseline,
        remission=remission,
        safety_flag=safety_flag,
        suggests_full=suggests_full,
    )
    return Result(
        code=scale.code,
        answers=tuple(checked),
        total=total,
        max_total=scale.max_total,
        band=band.label,
        plain_summary=summary,
        difficulty=difficulty,
        change=change,
        reliable_change=reliable,
        response=response,
        remission=remission,
        safety_flag=safety_flag,
        suggests_full=suggests_full,
        care=care_needed(scale.code, total),
        taken_on=taken_on,
    )


def _episode_baseline(earlier: Sequence[Result], remission_below: int) -> Result | None:
    """The first result since the last one in the remission range, or None when a new
    episode starts now."""
    start = 0
    for index, result in enumerate(earlier):
        if result.total < remission_below:
            start = index + 1
    episode = earlier[start:]
    return episode[0] if episode else None


def _two_weeks_apart(baseline: Result | None, taken_on: date | None) -> bool:
    """True when ``baseline`` was taken at least :data:`DUE_AFTER` before ``taken_on``."""
    if baseline is None or baseline.taken_on is None or taken_on is None:
        return False
    return taken_on - baseline.taken_on >= DUE_AFTER


def _points(n: int) -> str:
    return "1 point" if n == 1 else f"{n} points"


def _summary(
    scale: Scale,
    *,
    total: int,
    band: Band,
    change: int | None,
    reliable: ChangeDirection | None,
    response: bool | None,
    baseline: int | None,
    remission: bool | None,
    safety_flag: bool,
    suggests_full: str | None,
) -> str:
    sentences: list[str] = []
    if scale.screen_cutoff is not None:
        where = band.label[0].lower() + band.label[1:]
        sentences.append(f"Your {scale.name} total is {total} out of {scale.max_total}, {where}.")
        if suggests_full:
            full = get_scale(suggests_full).name
            sentences.append(f"Taking the full {full} would give a fuller picture.")
    else:
        sentences.append(
            f"Your {scale.name} total is {total} out of {scale.max_total}, "
            f'in the range usually called "{band.label.lower()}".'
        )
    if change is not None:
        if change == 0:
            sentences.append("That is the same as last time.")
        else:
            direction = "lower (fewer symptoms)" if change < 0 else "higher (more symptoms)"
            text = f"That is {_points(abs(change))} {direction} than last time"
            if reliable is not None:
                text += ", a change bigger than the questionnaire's usual ups and downs."
            elif scale.reliable_change is not None:
                text += ", within the questionnaire's usual ups and downs."
            else:
                text += "."
            sentences.append(text)
            if reliable == "worsened":
                sentences.append(
                    "It could help to talk this over with someone you trust or your clinician."
                )
    if response and baseline is not None:
        sentences.append(
            f"It is half or less of {baseline}, where this stretch began at least two weeks "
            "ago; clinicians call a drop like this a response."
        )
    if remission and baseline is not None:
        sentences.append(
            f"After starting at {baseline}, a total below {scale.remission_below} is in the "
            "range clinicians call remission."
        )
    if safety_flag:
        sentences.append(
            "You told us about thoughts of being better off dead or of hurting yourself. "
            "You deserve support with that now; the support options shown here are for you."
        )
    sentences.append(SCORES_NOTE)
    return " ".join(sentences)


# ---------------------------------------------------------------------------
# Timing


def next_due(last_taken: date) -> date:
    """The day a questionnaire taken on ``last_taken`` is due again.

    >>> next_due(date(2026, 1, 1))
    datetime.date(2026, 1, 15)
    """
    return last_taken + DUE_AFTER


def is_due(last_taken: date | None, today: date) -> bool:
    """True when there is no earlier answer or 14 days or more have passed.

    The questionnaires ask about "the last 2 weeks", so asking more often
    would count the same days twice.

    >>> is_due(None, date(2026, 1, 1))
    True
    >>> is_due(date(2026, 1, 1), date(2026, 1, 14)), is_due(date(2026, 1, 1), date(2026, 1, 15))
    (False, True)
    """
    if last_taken is None:
        return True
    return today >= next_due(last_taken)

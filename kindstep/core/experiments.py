"""Self-experiments (N-of-1 trials): a fair way for one person to test one question.

A person picks a question ("Does a 10-minute morning walk change my evening
mood?"), an outcome they rate 0-10 each day, and a length of 2 to 8 weeks.
kindstep makes a balanced random schedule of **B** days (do the thing) and
**A** days (a usual day), collects the ratings and, at the end or whenever
the person stops, reports what the days showed (docs/evidence.md section 9.6;
Kravitz & Duan 2014; StudyU, Konigorski et al. 2022).

One module on purpose: the protocol, the schedule, the daily line and the analysis are
one design (a schedule is only fair with the test that reads it), so they stay together.

Designs
-------
``random_days`` (the default, and the recommended one)
    Within each week, 3 or 4 of the 7 days are B days, chosen at random; the
    week with 4 alternates (which of the first two weeks has 4 is random), so
    two weeks hold 7 B days and 7 A days. Randomising each day keeps the
    schedule independent of how the person feels.
``abab``
    Week-long blocks in pairs; within each pair of weeks the order (A then
    B, or B then A) is random: the multiple crossover of the AHRQ N-of-1
    guide. It needs an even number of weeks. A week of the same condition
    lets slow effects build up, but it gives few possible schedules, so the
    randomisation test cannot give small p-values (the smallest possible one
    is reported).

Analysis (intention to treat: days count by their assignment, whatever was done)
-------------------------------------------------------------------------------
- **Effect**: ``random_days``: mean outcome on B days minus on A days, with a
  Welch t-interval (separate variances). The days' order was random, so
  day-to-day carry-over in mood does not line up with the assignment and
  the day-level interval is fair. ``abab``: each pair of weeks gives one
  difference (B-week mean minus A-week mean); the estimate is their mean
  and the interval a t-interval over pairs (pairs - 1 degrees of freedom),
  since days inside one block are not independent.
- **Randomisation test**: the same statistic recomputed under re-drawn
  schedules from the same design (``random_days``: 4999 seeded re-draws,
  p = (1 + as extreme) / (1 + re-draws); ``abab``: every possible order of
  every pair, exactly). Two-sided. It needs no assumption about the shape
  of the ratings or about autocorrelation: only that the schedule was
  random.
- **Enough data**: at least 5 rated days on each side (``abab``: and two
  pairs of weeks with ratings in both weeks); below that there is no
  estimate, only how much more would do it.
- **Adherence**: the share of scheduled days so far that have a rating;
  with ``done`` (the days the person did the B activity), also the share of
  B days it was done.
- **Stopping** is always allowed. A stopped experiment is analysed on the
  days up to and including the stop day, and the result says so.

Nothing here reads the clock: ``today`` and ``start`` are arguments, and the
seed comes from the caller (an interface draws it once, with ``secrets``).
``numpy`` and ``scipy`` are imported only inside :func:`result`, where the
statistics run: a schedule or today's line (every ``kindstep today`` while an
experiment runs) loads neither.
"""

from __future__ import annotations

import itertools
import math
import random
import warnings
import zlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "DESIGNS",
    "OUTCOME_MAX",
    "OUTCOME_MIN",
    "PERMUTATIONS",
    "TEMPLATES",
    "Assignment",
    "ExperimentError",
    "ExperimentResult",
    "Protocol",
    "Template",
    "assignment_for",
    "export",
    "from_template",
    "result",
    "schedule",
    "today_line",
    "welch_ci",
]

Design = Literal["random_days", "abab"]
Condition = Literal["A", "B"]

DESIGNS: tuple[str, ...] = ("random_days", "abab")
MIN_WEEKS = 2
MAX_WEEKS = 8
"""2 to 8 weeks: long enough to see a difference, short enough to keep going gently."""
OUTCOME_MIN = 0
OUTCOME_MAX = 10
MIN_PER_CONDITION = 5
"""Rated days needed on each side before an estimate is shown (docs/evidence.md section 9.4)."""
PERMUTATIONS = 4999
"""Re-drawn schedules for the ``random_days`` randomisation test; p is then a multiple of 1/5000."""
MAX_TEXT = 300


class ExperimentError(ValueError):
    """A self-experiment setting or rating kindstep cannot use; the message is kind and one line."""


@dataclass(frozen=True)
class Template:
    """A ready-made question a person can start from, and change."""

    code: str
    question: str
    intervention: str
    outcome: str
    when: str


TEMPLATES: tuple[Template, ...] = (
    Template(
        "morning_walk",
        "Does a 10-minute morning walk change my evening mood?",
        "a 10-minute walk before midday, at any pace",
        "evening mood, 0-10",
        "in the evening, before bed",
    ),
    Template(
        "stretch_anxiety",
        "Do 10 minutes of gentle stretching change how anxious I feel in the evening?",
        "10 minutes of gentle stretching, at any time of day",
        "evening anxiety, 0-10 (0 = calm)",
        "in the evening, before bed",
    ),
    Template(
        "daylight_energy",
        "Does stepping outside in daylight for 5 minutes change my afternoon energy?",
        "5 minutes outside in daylight before midday",
        "afternoon energy, 0-10",
        "in the late afternoon",
    ),
    Template(
        "lunch_walk",
        "Does a short walk after lunch change my mood later in the day?",
        "a walk of 5-15 minutes after lunch",
        "mood later in the day, 0-10",
        "in the evening",
    ),
)
"""Starting points; every field can be changed. Outcomes are same-day 0-10 ratings."""


def _check_text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ExperimentError(f"Please give the {name} a few words.")
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise ExperimentError(f"Please keep the {name} under {MAX_TEXT} characters.")
    return value


@dataclass(frozen=True)
class Protocol:
    """What is being tested, how, for how long: everything the schedule follows from.

    Condition ``B`` is doing the intervention; ``A`` is ``control`` (a usual day).
    Raises :class:`ExperimentError` on a setting it cannot use.
    """

    question: str
    intervention: str
    outcome: str
    start: date
    seed: int
    weeks: int = 4
    design: Design = "random_days"
    when: str = "in the evening"
    control: str = "a usual day"

    def __post_init__(self) -> None:
        for name in ("question", "intervention", "outcome", "when", "control"):
            object.__setattr__(self, name, _check_text(name, getattr(self, name)))
        if isinstance(self.start, datetime) or not isinstance(self.start, date):
            raise ExperimentError("The start must be a date, like 2026-12-01.")
        if isinstance(self.weeks, bool) or not isinstance(self.weeks, int):
            raise ExperimentError(
                f"The length must be a whole number of weeks, {MIN_WEEKS} to {MAX_WEEKS}."
            )
        if not MIN_WEEKS <= self.weeks <= MAX_WEEKS:
            raise ExperimentError(f"The length must be between {MIN_WEEKS} and {MAX_WEEKS} weeks.")
        if self.design not in DESIGNS:
            raise ExperimentError("The design must be 'random_days' or 'abab'.")
        if self.design == "abab" and self.weeks % 2:
            raise ExperimentError(
                "An ABAB experiment runs in pairs of weeks: please choose 2, 4, 6 or 8 weeks."
            )
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ExperimentError("The seed must be a whole number of 0 or more.")

    @property
    def days(self) -> int:
        return 7 * self.weeks

    @property
    def end(self) -> date:
        """The last scheduled day."""
        return self.start + timedelta(days=self.days - 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "intervention": self.intervention,
            "control": self.control,
            "outcome": self.outcome,
            "when": self.when,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "weeks": self.weeks,
            "design": self.design,
            "seed": self.seed,
        }


def from_template(
    code: str, *, start: date, seed: int, weeks: int = 4, design: Design = "random_days"
) -> Protocol:
    """A protocol from the template called ``code``.

    >>> p = from_template("morning_walk", start=date(2026, 12, 7), seed=7)
    >>> p.question, p.end
    ('Does a 10-minute morning walk change my evening mood?', datetime.date(2027, 1, 3))
    """
    for t in TEMPLATES:
        if t.code == code:
            return Protocol(
                question=t.question,
                intervention=t.intervention,
                outcome=t.outcome,
                when=t.when,
                start=start,
                seed=seed,
                weeks=weeks,
                design=design,
            )
    names = ", ".join(t.code for t in TEMPLATES)
    raise ExperimentError(f"There is no template called {code!r}; try one of {names}.")


# ---------------------------------------------------------------------------
# Schedule


@dataclass(frozen=True)
class Assignment:
    """One scheduled day and its condition: ``"B"`` do the intervention, ``"A"`` a usual day."""

    day: date
    condition: Condition


def _conditions(protocol: Protocol) -> tuple[Condition, ...]:
    rng = random.Random(protocol.seed)
    out: list[Condition] = []
    if protocol.design == "random_days":
        surplus_first = rng.randrange(2)
        for week in range(protocol.weeks):
            k = 3 + (week + surplus_first) % 2
            chosen = set(rng.sample(range(7), k))
            out.extend("B" if d in chosen else "A" for d in range(7))
    else:
        for _ in range(protocol.weeks // 2):
            first: Condition = "A" if rng.randrange(2) == 0 else "B"
            second: Condition = "B" if first == "A" else "A"
            out.extend([first] * 7 + [second] * 7)
    return tuple(out)


def schedule(protocol: Protocol) -> tuple[Assignment, ...]:
    """Every day of the experiment with its condition; the same seed always gives the same schedule.

    >>> s = schedule(Protocol("Q?", "walk", "mood 0-10", date(2026, 12, 7), seed=1, weeks=2))
    >>> len(s), sum(a.condition == "B" for a in s)
    (14, 7)
    """
    return tuple(
        Assignment(protocol.start + timedelta(days=i), c)
        for i, c in enumerate(_conditions(protocol))
    )


def assignment_for(protocol: Protocol, day: date) -> Assignment | None:
    """The assignment for ``day``, or None when the day is outside the experiment."""
    offset = (day - protocol.start).days
    if not 0 <= offset < protocol.days:
        return None
    return Assignment(day, _conditions(protocol)[offset])


def today_line(protocol: Protocol, day: date) -> str | None:
    """What ``kindstep today`` says about the experiment on ``day``; None outside it."""
    a = assignment_for(protocol, day)
    if a is None:
        return None
    number = (day - protocol.start).days + 1
    if a.condition == "B":
        what = f"today is a B day: {protocol.intervention}"
    else:
        what = f"today is an A day: {protocol.control}, nothing extra to do"
    return (
        f"Self-experiment, day {number} of {protocol.days}: {what}. "
        f"Rate your {protocol.outcome} {protocol.when}. Skipping any day is fine."
    )


# ---------------------------------------------------------------------------
# Result


@dataclass(frozen=True)
class ExperimentResult:
    """What the days showed: effect, interval, randomisation p-value, adherence, in plain words."""

    estimate: float | None
    """Mean outcome on B days minus on A days (``abab``: mean of pair differences)."""
    ci: tuple[float, float] | None
    p_value: float | None
    min_p_value: float
    """The smallest p-value this design and length can give."""
    n_a: int
    n_b: int
    days_so_far: int
    """Scheduled days up to today (or the stop day)."""
    days_total: int
    adherence: float | None
    """Share of scheduled days so far with a rating; None before the first day."""
    intervention_adherence: float | None
    """Share of B days so far the intervention was done; None when not recorded."""
    done_on_a_days: int | None
    stopped_early: bool
    complete: bool
    """True when every scheduled day has passed (and it was not stopped before)."""
    enough_data: bool
    needed: str
    method: str
    plain: str
    done_days: tuple[date, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(float(x), 4)

        return {
            "estimate": r(self.estimate),
            "ci": [r(self.ci[0]), r(self.ci[1])] if self.ci is not None else None,
            "p_value": r(self.p_value),
            "min_p_value": r(self.min_p_value),
            "n": {"A": self.n_a, "B": self.n_b},
            "days_so_far": self.days_so_far,
            "days_total": self.days_total,
            "adherence": r(self.adherence),
            "intervention_adherence": r(self.intervention_adherence),
            "done_on_a_days": self.done_on_a_days,
            "stopped_early": self.stopped_early,
            "complete": self.complete,
            "enough_data": self.enough_data,
            "needed": self.needed,
            "method": self.method,
            "plain": self.plain,
        }


def _check_outcomes(
    protocol: Protocol, outcomes: Mapping[date, float], today: date
) -> dict[date, float]:
    if not isinstance(outcomes, Mapping):
        raise ExperimentError("Ratings must be given day by day, as a mapping from date to rating.")
    checked: dict[date, float] = {}
    for day, value in outcomes.items():
        if isinstance(day, datetime) or not isinstance(day, date):
            raise ExperimentError(
                f"{day!r} is not a date; ratings are kept by day, like 2026-12-01."
            )
        if day > today:
            raise ExperimentError(f"The rating for {day.isoformat()} is dated after today.")
        if not protocol.start <= day <= protocol.end:
            raise ExperimentError(
                f"The rating for {day.isoformat()} is outside this experiment "
                f"({protocol.start.isoformat()} to {protocol.end.isoformat()})."
            )
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value):
            raise ExperimentError(
                f"The rating for {day.isoformat()} must be a number from 0 to 10."
            )
        if not OUTCOME_MIN <= value <= OUTCOME_MAX:
            raise ExperimentError(
                f"The rating for {day.isoformat()} must be between {OUTCOME_MIN} and {OUTCOME_MAX}."
            )
        checked[day] = float(value)
    return checked


def _random_days_draws(weeks: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    """``draws`` fresh ``random_days`` schedules, True for B: shape (draws, 7 * weeks)."""
    import numpy as np

    keys = rng.random((draws, weeks, 7))
    ranks = keys.argsort(axis=2).argsort(axis=2)
    surplus_first = rng.integers(0, 2, size=(draws, 1))
    k = 3 + (np.arange(weeks)[None, :] + surplus_first) % 2
    return (ranks < k[:, :, None]).reshape(draws, 7 * weeks)


def _mean_difference(b: np.ndarray, y: np.ndarray, rated: np.ndarray) -> np.ndarray:
    """B-minus-A mean of ``y`` over rated days, for each row of ``b``; NaN where a side is empty."""
    import numpy as np

    bf = (b & rated).astype(float)
    af = (~b & rated).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (bf @ y) / bf.sum(axis=-1) - (af @ y) / af.sum(axis=-1)


def _pair_differences(
    conditions: tuple[Condition, ...], y: np.ndarray, rated: np.ndarray
) -> np.ndarray:
    """One B-week-minus-A-week difference per pair of weeks with ratings in both weeks."""
    import numpy as np

    diffs = []
    for pair in range(len(conditions) // 14):
        first = slice(14 * pair, 14 * pair + 7)
        second = slice(14 * pair + 7, 14 * pair + 14)
        if rated[first].any() and rated[second].any():
            d = y[second][rated[second]].mean() - y[first][rated[first]].mean()
            diffs.append(d if conditions[14 * pair] == "A" else -d)
    return np.array(diffs)


def _seed(protocol: Protocol, y: np.ndarray, rated: np.ndarray) -> int:
    crc = zlib.crc32(repr(sorted(protocol.as_dict().items())).encode())
    crc = zlib.crc32(y.tobytes(), crc)
    return zlib.crc32(rated.tobytes(), crc)


def result(
    protocol: Protocol,
    outcomes: Mapping[date, float],
    *,
    today: date,
    stopped_on: date | None = None,
    done: Collection[date] | None = None,
) -> ExperimentResult:
    """What the experiment's days show so far (or at its end, or where it was stopped).

    ``outcomes`` maps days to 0-10 ratings; a rating outside the experiment,
    after ``today`` or out of range is an :class:`ExperimentError`. Ratings
    after ``stopped_on`` are left out. ``done`` (optional) holds the days the
    intervention was done, for adherence only: the comparison is always by
    assignment.

    >>> p = Protocol("Q?", "walk", "mood 0-10", date(2026, 12, 7), seed=3, weeks=2)
    >>> r = result(p, {}, today=date(2026, 12, 10))
    >>> r.enough_data, r.estimate, r.days_so_far
    (False, None, 4)
    """
    import numpy as np

    from kindstep.core.insights import mean_ci

    if isinstance(today, datetime) or not isinstance(today, date):
        raise ExperimentError("today must be a date.")
    if stopped_on is not None:
        if isinstance(stopped_on, datetime) or not isinstance(stopped_on, date):
            raise ExperimentError("The stop day must be a date, like 2026-12-01.")
        if stopped_on > today:
            raise ExperimentError("The stop day can't be after today.")
        if stopped_on < protocol.start:
            raise ExperimentError("The stop day can't be before the experiment starts.")
    ratings = _check_outcomes(protocol, outcomes, today)
    done_days = _check_done(protocol, done, today)

    last = min(today, protocol.end, stopped_on or protocol.end)
    days_so_far = max(0, (last - protocol.start).days + 1)
    stopped_early = stopped_on is not None and stopped_on < protocol.end
    complete = not stopped_early and today >= protocol.end
    conditions = _conditions(protocol)
    is_b = np.array([c == "B" for c in conditions])
    y = np.zeros(protocol.days)
    rated = np.zeros(protocol.days, dtype=bool)
    for day, value in ratings.items():
        i = (day - protocol.start).days
        if i < days_so_far:
            y[i] = value
            rated[i] = True
    n_b = int((rated & is_b).sum())
    n_a = int((rated & ~is_b).sum())
    adherence = rated[:days_so_far].mean() if days_so_far else None
    b_so_far = [protocol.start + timedelta(days=i) for i in range(days_so_far) if is_b[i]]
    a_so_far = [protocol.start + timedelta(days=i) for i in range(days_so_far) if not is_b[i]]
    intervention_adherence = None
    done_on_a = None
    if done is not None:
        intervention_adherence = (
            sum(d in done_days for d in b_so_far) / len(b_so_far) if b_so_far else None
        )
        done_on_a = sum(d in done_days for d in a_so_far)

    if protocol.design == "random_days":
        min_p = 1 / (PERMUTATIONS + 1)
        method = (
            "Mean rating on B days minus on A days, 95% Welch t-interval; two-sided randomisation "
            f"test over {PERMUTATIONS} re-drawn schedules of random days within weeks."
        )
    else:
        pairs = protocol.weeks // 2
        min_p = min(1.0, 2 / 2**pairs)
        method = (
            "Mean of the B-week minus A-week differences, one per pair of weeks, with a 95% "
            "t-interval over pairs; exact two-sided randomisation test over every order "
            "of the pairs."
        )

    estimate: float | None = None
    ci: tuple[float, float] | None = None
    p_value: float | None = None
    enough = n_a >= MIN_PER_CONDITION and n_b >= MIN_PER_CONDITION
    needed = ""
    rng = np.random.default_rng(_seed(protocol, y, rated))
    if protocol.design == "random_days" and enough:
        observed = float(_mean_difference(is_b, y, rated))
        ci = welch_ci(y[rated & is_b], y[rated & ~is_b])
        draws = _random_days_draws(protocol.weeks, PERMUTATIONS, rng)
        null = _mean_difference(draws, y, rated)
        extreme = int(np.sum(np.abs(null) >= abs(observed) - 1e-9))
        p_value = (1 + extreme) / (1 + PERMUTATIONS)
        estimate = observed
    elif protocol.design == "abab" and enough:
        diffs = _pair_differences(conditions, y, rated)
        if diffs.size >= 2:
            estimate = float(diffs.mean())
            ci = mean_ci(diffs)
            signs = np.array(list(itertools.product((1.0, -1.0), repeat=diffs.size)))
            null = (signs * diffs).mean(axis=1)
            p_value = float(np.mean(np.abs(null) >= abs(estimate) - 1e-9))
            min_p = min(1.0, 2 / 2**diffs.size)
        else:
            enough = False
            needed = (
                "Ratings in both weeks of at least two pairs of weeks are needed "
                "for an ABAB result."
            )
    if not enough and not needed:
        more_a = max(0, MIN_PER_CONDITION - n_a)
        more_b = max(0, MIN_PER_CONDITION - n_b)
        parts = [
            f"{m} more rated {d} day{'s' if m != 1 else ''}"
            for m, d in ((more_b, "B"), (more_a, "A"))
            if m
        ]
        needed = f"{' and '.join(parts)} will be enough to compare (so far: {n_b} B, {n_a} A)."
        needed = needed[0].upper() + needed[1:]
    plain = _plain(
        protocol, estimate, ci, p_value, min_p, enough, needed, days_so_far, stopped_early, complete
    )
    return ExperimentResult(
        estimate=estimate,
        ci=ci,
        p_value=p_value,
        min_p_value=min_p,
        n_a=n_a,
        n_b=n_b,
        days_so_far=days_so_far,
        days_total=protocol.days,
        adherence=float(adherence) if adherence is not None else None,
        intervention_adherence=intervention_adherence,
        done_on_a_days=done_on_a,
        stopped_early=stopped_early,
        complete=complete,
        enough_data=enough,
        needed=needed,
        method=method,
        plain=plain,
        done_days=tuple(sorted(done_days)),
    )


def _check_done(protocol: Protocol, done: Collection[date] | None, today: date) -> frozenset[date]:
    if done is None:
        return frozenset()
    if isinstance(done, str | bytes) or not isinstance(done, Collection):
        raise ExperimentError("The days the intervention was done must be a collection of dates.")
    days = set()
    for day in done:
        if isinstance(day, datetime) or not isinstance(day, date):
            raise ExperimentError(
                f"{day!r} is not a date; done days are kept by day, like 2026-12-01."
            )
        if day > today:
            raise ExperimentError(f"{day.isoformat()} is marked done but is after today.")
        if protocol.start <= day <= protocol.end:
            days.add(day)
    return frozenset(days)


def welch_ci(b: np.ndarray, a: np.ndarray) -> tuple[float, float]:
    """95 % Welch interval for mean(b) - mean(a): scipy's ``ttest_ind(equal_var=False)``.

    Zero width when both sides are constant (scipy's own answer); its warning
    about "nearly identical" data is quietened for that one call, since a side
    rated the same every day is a real answer and the warning would only reach
    a person's terminal.
    """
    from scipy import stats

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Precision loss occurred", category=RuntimeWarning)
        ci = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    return float(ci.low), float(ci.high)


def _num(x: float) -> str:
    text = f"{abs(x):.1f}"
    return text if text == "0.0" or x >= 0 else "-" + text


def _plain(
    protocol: Protocol,
    estimate: float | None,
    ci: tuple[float, float] | None,
    p_value: float | None,
    min_p: float,
    enough: bool,
    needed: str,
    days_so_far: int,
    stopped_early: bool,
    complete: bool,
) -> str:
    sentences: list[str] = []
    if days_so_far == 0:
        return f"This experiment starts on {protocol.start.isoformat()}."
    if stopped_early:
        sentences.append(
            f"You stopped this experiment after {days_so_far} of {protocol.days} days — "
            "stopping is always fine. Here is what those days show; "
            "fewer days means more uncertainty."
        )
    elif not complete:
        sentences.append(
            f"Day {days_so_far} of {protocol.days}: an early look, not the final answer."
        )
    if not enough or estimate is None or ci is None:
        sentences.append(needed)
        return " ".join(sentences)
    outcome = protocol.outcome.split(",")[0]
    low, high = ci
    p = f"randomisation test p = {p_value:.3f}" if p_value is not None else ""
    if low > 0 or high < 0:
        direction = "higher" if estimate > 0 else "lower"
        sentences.append(
            f"On B days ({protocol.intervention}), your {outcome} was about {_num(abs(estimate))} "
            f"points {direction} than on A days (likely between {_num(low)} and {_num(high)}; {p})."
        )
        if p_value is not None and p_value <= 0.05:
            sentences.append(
                "Because the days were chosen at random, this is fair evidence that the difference "
                "came with the B days themselves, for you, over these weeks."
            )
        else:
            sentences.append(
                "The randomisation test is less sure, so treat it as a lead worth repeating."
            )
    else:
        sentences.append(
            f"No clear difference: your {outcome} on B days was within about the same range "
            "as on A days "
            f"(difference likely between {_num(low)} and {_num(high)} points; {p}). "
            "That is a real answer too, and a longer run could sharpen it."
        )
    if min_p > 0.05:
        sentences.append(
            f"With this design and length the smallest possible p-value is {min_p:.3f}, so the "
            "interval carries most of the information."
        )
    return " ".join(sentences)


def export(
    protocol: Protocol, outcomes: Mapping[date, float], result: ExperimentResult
) -> dict[str, Any]:
    """The protocol, its schedule, the ratings and the result as one JSON-ready dict.

    >>> p = Protocol("Q?", "walk", "mood 0-10", date(2026, 12, 7), seed=3, weeks=2)
    >>> rated = {date(2026, 12, 7): 6}
    >>> data = export(p, rated, result(p, rated, today=date(2026, 12, 7)))
    >>> data["ratings"]
    [{'day': '2026-12-07', 'condition': 'A', 'rating': 6.0}]
    """
    plan = {a.day: a.condition for a in schedule(protocol)}
    return {
        "format": "kindstep-self-experiment",
        "version": 1,
        "protocol": protocol.as_dict(),
        "schedule": [{"day": d.isoformat(), "condition": c} for d, c in plan.items()],
        "ratings": [
            {"day": d.isoformat(), "condition": plan.get(d), "rating": float(v)}
            for d, v in sorted(outcomes.items())
        ],
        "done": [d.isoformat() for d in result.done_days],
        "result": result.as_dict(),
    }

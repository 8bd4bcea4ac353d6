"""Honest personal insights: what seems to go with movement for this person, and how sure we can be.

``insights(history, today=...)`` returns an :class:`Insights` of frozen
sections. Every section carries an ``estimate``, a 95 % interval ``ci``, the
number of observations ``n``, ``enough_data``, a ``needed`` sentence when
there is not enough yet, and a one-sentence ``method``. Below the minimum
amount of data a section has no estimate and no interval: it says how much
more is needed instead of guessing.

One module on purpose: every section follows the same few definitions below and shares
the block bootstrap and the interval wording, so they are read together.

Definitions (docs/evidence.md section 9):

- **A day's mood** is the mood of the day's *latest* check-in (by ``at`` when
  every check-in that day has one, else the last one in the history, which
  is oldest first). The latest check-in usually comes after any movement,
  so it is the closest thing to "how the day went"; a mean of the day's
  check-ins would mix in the morning before anything happened.
- **A day with movement** has at least one session; every other day from
  the first record to ``today`` is a day without movement (rest days
  included: rest is care, and it counts as not moving here only in the
  arithmetic sense), except a **paused day** (``core.pause``) with no
  movement: a pause asks nothing, so such a day is left out of every
  comparison, on neither side (its mood can still be the next day's
  outcome after a day with or without movement).
- **Enough data** (a recommendation, not a sourced rule, docs/evidence.md 9.4):
  at least ``min_days`` (14) days with a mood, with at least 5 on each side
  of the comparison. Before/after needs 10 sessions with both ratings.

Methods:

- ``before_after``: mean of ``mood_after - mood_before`` over sessions with
  both ratings, with scipy's one-sample t-interval (:func:`mean_ci`). Sessions carry
  no anxiety ratings, so only mood is compared.
- ``active_vs_rest``: the person's own mean mood on days with movement minus
  their mean mood on days without (a within-person contrast; one person's
  data needs no further centring). It is descriptive: people also move more
  on better days (docs/evidence.md 9.3), so it is never called an effect.
- ``next_day``: least-squares regression of mood on day t+1 on movement on
  day t and mood on day t (not mean-centred, as docs/evidence.md 9.1
  explains for a lagged outcome). The estimate is the coefficient of movement: how much
  higher the next day's mood was after a day with movement, allowing for
  how the person felt that day.
- ``by_activity`` and ``by_duration``: mean mood on days with that activity
  (or with a day's total minutes under 10, 10-29, 30+) minus mean mood on
  days without movement.
- Intervals for every day-based section come from a **circular moving-block
  bootstrap over calendar days** (Kuensch 1989; Politis & Romano 1992):
  the day series is cut into blocks of ``L`` consecutive days, blocks are
  drawn with replacement (wrapping round the end) and the estimate is
  recomputed on each of 1000 resamples; the interval is the estimate plus or
  minus the bootstrap standard error times the t quantile on (number of
  blocks - 1) degrees of freedom. Plain percentile intervals covered the
  truth in only about 89 % of simulated 60-day records; this version covers
  about 94 % and tends to the usual 1.96 for long records. Keeping days
  together in blocks keeps the day-to-day carry-over of mood and of
  movement inside each resample, so the interval is not falsely narrow the
  way a naive t-test on autocorrelated days is (docs/evidence.md 9.2; in our
  simulations with strong carry-over a naive Welch interval covered 71 %).
  ``L = max(7, round(1.5 * n ** (1/3)))`` days: the usual ``n ** (1/3)``
  growth rate, and never shorter than a week, so weekly rhythms stay inside
  a block. The bootstrap is seeded from the data and
  ``today``, so the same record always gives the same numbers.
- ``questionnaires``: PHQ-9 and GAD-7 totals in the order given (oldest
  first): first, latest, change, and the reliable-change markers the
  :class:`~kindstep.core.scales.Result` already carries, plus whether the
  change from first to latest is itself bigger than the scale's usual ups
  and downs.

Nothing here reads the clock or does I/O. ``numpy`` is imported here;
``scipy`` only inside the functions that work out an interval, so a module
that needs only :func:`daily_mood` does not load it.
"""

from __future__ import annotations

import math
import warnings
import zlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from kindstep.core import scales
from kindstep.core.values import History

__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "MIN_PREDICTIONS",
    "DURATION_BANDS",
    "MIN_PER_CONDITION",
    "MIN_SESSIONS",
    "Insights",
    "QuestionnaireSection",
    "QuestionnaireTrend",
    "Section",
    "block_length",
    "daily_mood",
    "insights",
    "mean_ci",
    "predicted_vs_actual",
]

MIN_PER_CONDITION = 5
"""Days needed on each side of a comparison (docs/evidence.md 9.4, a recommendation)."""

MIN_SESSIONS = 10
"""Sessions with both mood ratings needed before a before/after change is shown:
with fewer, a t-interval is so wide that it says little."""

MIN_PREDICTIONS = 10
"""Sessions with both an expectation and a mood after, before they are compared: the same
minimum as before/after, for the same reason (a t-interval on fewer says little)."""

BOOTSTRAP_RESAMPLES = 1000
"""Block-bootstrap resamples: enough for stable 2.5th/97.5th percentiles, fast for ten years."""

DURATION_BANDS: tuple[tuple[str, str, int, int | None], ...] = (
    ("under_10", "under 10 minutes", 0, 10),
    ("10_29", "10 to 29 minutes", 10, 30),
    ("30_plus", "30 minutes or more", 30, None),
)
"""(key, words, low, high): a day's total minutes of movement, low <= minutes < high."""

QUESTIONNAIRE_CODES = ("phq9", "gad7")
"""The full scales whose trend is shown; the short screeners are stepping stones."""

PATTERN_NOT_PROOF = "This is a pattern, not proof — a self-experiment can test it."

_BOOTSTRAP_METHOD = (
    "95% interval from a circular moving-block bootstrap over days "
    "({blocks}-day blocks, {resamples} resamples, standard error times t), which keeps "
    "day-to-day carry-over in mood."
)


# ---------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class Section:
    """One comparison: the estimate and its 95 % interval, or what more data is needed."""

    key: str
    title: str
    """The question this section answers, in plain words."""
    estimate: float | None
    ci: tuple[float, float] | None
    n: int
    """Observations behind the estimate: sessions, days or pairs of days."""
    enough_data: bool
    needed: str
    """When there is not enough data: how much more would do it. Empty otherwise."""
    method: str
    sentence: str
    """The finding (or the lack of one) in one or two plain sentences."""
    n_with: int | None = None
    """Days (or pairs) on the "with movement" side; None for before/after."""
    n_without: int | None = None
    """Days (or pairs) on the "without movement" side; None for before/after."""

    @property
    def clear(self) -> bool:
        """True when there is an interval and it does not include 0."""
        return self.ci is not None and (self.ci[0] > 0 or self.ci[1] < 0)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape: ``estimate``, ``ci`` ``[low, high]``, ``n``, ``enough_data``, words."""
        return {
            "title": self.title,
            "estimate": _round(self.estimate),
            "ci": [_round(self.ci[0]), _round(self.ci[1])] if self.ci is not None else None,
            "n": self.n,
            "n_with": self.n_with,
            "n_without": self.n_without,
            "enough_data": self.enough_data,
            "needed": self.needed,
            "method": self.method,
            "sentence": self.sentence,
        }


@dataclass(frozen=True)
class QuestionnaireTrend:
    """One questionnaire's totals over time (oldest first) and what changed."""

    code: str
    name: str
    totals: tuple[int, ...]
    first: int | None
    latest: int | None
    change: int | None
    """Latest minus first total; None with fewer than two results."""
    reliable_change: scales.ChangeDirection | None
    """Whether first-to-latest is bigger than the scale's usual ups and downs."""
    markers: tuple[tuple[int, scales.ChangeDirection], ...]
    """(0-based position, direction) of each result reliably changed from the one before."""
    sentence: str

    @property
    def n(self) -> int:
        return len(self.totals)

    def as_dict(self) -> dict[str, Any]:
        return {
            "estimate": self.change,
            "ci": None,
            "n": self.n,
            "enough_data": self.n >= 2,
            "totals": list(self.totals),
            "first": self.first,
            "latest": self.latest,
            "change": self.change,
            "reliable_change": self.reliable_change,
            "markers": [{"index": i, "direction": d} for i, d in self.markers],
            "sentence": self.sentence,
        }


@dataclass(frozen=True)
class QuestionnaireSection:
    """The PHQ-9 and GAD-7 trends; questionnaires have totals, not an estimate or interval."""

    trends: tuple[QuestionnaireTrend, ...]
    n: int
    enough_data: bool
    needed: str
    method: str
    sentence: str
    estimate: None = None
    ci: None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "estimate": None,
            "ci": None,
            "n": self.n,
            "enough_data": self.enough_data,
            "needed": self.needed,
            "method": self.method,
            "sentence": self.sentence,
            "scales": {t.code: t.as_dict() for t in self.trends},
        }


@dataclass(frozen=True)
class Insights:
    """Everything kindstep can honestly say about a person's record, section by section."""

    today: date
    before_after: Section
    active_vs_rest: Section
    next_day: Section
    by_activity: tuple[Section, ...]
    by_duration: tuple[Section, ...]
    questionnaires: QuestionnaireSection
    summary: str
    block_days: int
    """The bootstrap block length used, in days."""
    predicted_vs_actual: Section | None = None
    """How sessions felt against how the person expected them to (``predicted_vs_actual``)."""
    paused_left_out: int = 0
    """Paused days with no movement, left out of the day comparisons (neither side)."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: sections with ``estimate``, ``ci`` [low, high], ``n``, ``enough_data``."""
        return {
            "today": self.today.isoformat(),
            "before_after": self.before_after.as_dict(),
            "active_vs_rest": self.active_vs_rest.as_dict(),
            "next_day": self.next_day.as_dict(),
            "by_activity": {s.key: s.as_dict() for s in self.by_activity},
            "by_duration": {s.key: s.as_dict() for s in self.by_duration},
            "questionnaires": self.questionnaires.as_dict(),
            "predicted_vs_actual": (self.predicted_vs_actual or predicted_vs_actual(()))
            .as_dict() | {"summary": (self.predicted_vs_actual
                                      or predicted_vs_actual(())).sentence},
            "summary": self.summary,
            "paused_days_left_out": self.paused_left_out,
        }


# ---------------------------------------------------------------------------
# Small helpers


def _round(x: float | None, places: int = 3) -> float | None:
    return None if x is None else round(float(x), places)


def _num(x: float) -> str:
    """One decimal, never ``-0.0``."""
    text = f"{abs(x):.1f}"
    return text if text == "0.0" or x >= 0 else "-" + text


def _points(x: float) -> str:
    text = _num(abs(x))
    return f"{text} point" if text == "1.0" else f"{text} points"


def _days(n: int, what: str = "day") -> str:
    return f"1 {what}" if n == 1 else f"{n} {what}s"


def _n_blocks(n_days: int) -> int:
    return math.ceil(n_days / min(block_length(n_days), n_days))


def block_length(n_days: int) -> int:
    """The bootstrap block length for a series of ``n_days`` days.

    ``round(1.5 * n ** (1/3))``, the usual cube-root growth, but never under
    7 so a block always holds a whole week.

    >>> block_length(60), block_length(3650)
    (7, 23)
    """
    return max(7, round(1.5 * max(n_days, 1) ** (1 / 3)))


def daily_mood(history: History, *, today: date) -> dict[date, int]:
    """Each day's mood: the latest check-in of the day, on or before ``today``.

    >>> from kindstep.core.values import CheckIn
    >>> d = date(2026, 1, 5)
    >>> h = History(checkins=(CheckIn(d, 5, 3, 4), CheckIn(d, 5, 6, 4)))
    >>> daily_mood(h, today=d)
    {datetime.date(2026, 1, 5): 6}
    """
    by_day: dict[date, list[tuple[int, Any]]] = {}
    for index, c in enumerate(history.checkins):
        if c.day <= today:
            by_day.setdefault(c.day, []).append((index, c))
    moods: dict[date, int] = {}
    for day, items in by_day.items():
        if all(c.at is not None for _, c in items):
            try:
                latest = max(items, key=lambda item: (item[1].at, item[0]))[1]
            except TypeError:  # naive and aware instants mixed: fall back to order
                latest = items[-1][1]
        else:
            latest = items[-1][1]
        moods[day] = latest.mood
    return moods


def mean_ci(values: np.ndarray) -> tuple[float, float]:
    """95 % t-interval for the mean of ``values``: scipy's ``ttest_1samp(...).confidence_interval()``.

    The same values every time give a zero-width interval at their mean
    (scipy's own answer); its warning about "nearly identical" data is
    quietened for that one call, since it would only reach a person's terminal.

    >>> [round(x, 3) for x in mean_ci(np.array([1.0, 2.0, 3.0]))]
    [-0.484, 4.484]
    """
    from scipy import stats

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Precision loss occurred", category=RuntimeWarning)
        ci = stats.ttest_1samp(values, 0.0).confidence_interval(0.95)
    return float(ci.low), float(ci.high)


# ---------------------------------------------------------------------------
# Bootstrap machinery


def _seed(today: date, *arrays: np.ndarray) -> int:
    crc = zlib.crc32(today.isoformat().encode())
    for a in arrays:
        crc = zlib.crc32(np.ascontiguousarray(a).tobytes(), crc)
    return crc


class _Resamples:
    """Circular moving-block resamples of a day series, as block start days.

    Each resample is ``ceil(n / block)`` blocks of ``block`` consecutive days
    drawn with replacement, wrapping round the end of the series. Sums over
    a resample are sums of block sums, and every possible block's sum comes
    from one prefix sum, so all resamples cost ``resamples * blocks`` look-ups
    instead of building resampled series of ``n`` days.
    """

    def __init__(self, n: int, resamples: int, block: int, rng: np.random.Generator):
        self.n = n
        self.block = min(block, n)
        self.n_blocks = math.ceil(n / self.block)
        self.starts = rng.integers(0, n, size=(resamples, self.n_blocks))

    def sums(self, cols: np.ndarray) -> np.ndarray:
        """Column sums of ``cols`` (one row per day) over each resample: shape (resamples, columns)."""
        wrapped = np.concatenate([cols, cols[: self.block]])
        prefix = np.concatenate([np.zeros((1, cols.shape[1])), np.cumsum(wrapped, axis=0)])
        block_sums = prefix[self.block : self.block + self.n] - prefix[: self.n]
        return block_sums[self.starts].sum(axis=1)

    def weights(self) -> np.ndarray:
        """How often each day appears in each resample: shape (resamples, n). For tests."""
        return self.sums(np.eye(self.n))


def _bootstrap_ci(point: float, values: np.ndarray, n_blocks: int) -> tuple[float, float] | None:
    """``point +/- t(0.975, n_blocks - 1) * sd(values)``; None when too few resamples worked.

    Percentile intervals from a block bootstrap run narrow on a few weeks of
    data (about 89 % coverage at 60 days in our checks), because a resample
    holds only ``n_blocks`` independent pieces. Using the bootstrap standard
    error with a t critical value on ``n_blocks - 1`` degrees of freedom
    corrects that and tends to the usual 1.96 for long records.
    """
    from scipy import stats

    values = values[np.isfinite(values)]
    if values.size < 20 or not math.isfinite(point) or n_blocks < 2:
        return None
    half = float(stats.t.ppf(0.975, n_blocks - 1)) * float(values.std(ddof=1))
    return point - half, point + half


class _GroupSums:
    """Mood sums and day counts per group of days, for the full record and every resample."""

    def __init__(
        self,
        mood: np.ndarray,
        has_mood: np.ndarray,
        groups: dict[str, np.ndarray],
        resamples: _Resamples | None,
    ):
        self.keys = {key: i for i, key in enumerate(groups)}
        masks = np.stack([g & has_mood for g in groups.values()], axis=1).astype(float)
        y = np.where(has_mood, mood, 0.0)
        cols = np.concatenate([masks * y[:, None], masks], axis=1)
        self.k = masks.shape[1]
        self.point = cols.sum(axis=0)
        self.boot = resamples.sums(cols) if resamples is not None else None

    def contrast(self, with_: str, without: str) -> tuple[float, np.ndarray]:
        """Mean mood on ``with_`` days minus on ``without`` days: full record and per resample."""
        i, j, k = self.keys[with_], self.keys[without], self.k
        point = self.point[i] / self.point[k + i] - self.point[j] / self.point[k + j]
        assert self.boot is not None
        b = self.boot
        with np.errstate(invalid="ignore", divide="ignore"):
            boot = b[:, i] / b[:, k + i] - b[:, j] / b[:, k + j]
        return float(point), boot


def _next_day_fit(
    mood: np.ndarray, has_mood: np.ndarray, active: np.ndarray, resamples: _Resamples,
    set_aside: np.ndarray | None = None,
) -> tuple[float, np.ndarray, int, int]:
    """Coefficient of moved(t) in mood(t+1) ~ 1 + moved(t) + mood(t): point and per resample.
    Pairs whose day t is ``set_aside`` (paused, no movement) are left out."""
    pair = has_mood[:-1] & has_mood[1:]
    if set_aside is not None:
        pair &= ~set_aside[:-1]
    a = np.where(pair, active[:-1].astype(float), 0.0)
    m = np.where(pair, mood[:-1], 0.0)
    y = np.where(pair, mood[1:], 0.0)
    one = pair.astype(float)
    cols = np.stack([one, a, m, a * m, m * m, y, a * y, m * y], axis=1)
    # Pair (t, t+1) goes wherever day t goes, so blocks of days are blocks of pairs.
    boot = resamples.sums(np.concatenate([cols, np.zeros((1, cols.shape[1]))]))
    sums = np.vstack([cols.sum(axis=0), boot])
    s1, sa, sm, sam, smm, sy, say, smy = sums.T
    xtx = np.empty((len(sums), 3, 3))
    xtx[:, 0] = np.stack([s1, sa, sm], axis=1)
    xtx[:, 1] = np.stack([sa, sa, sam], axis=1)
    xtx[:, 2] = np.stack([sm, sam, smm], axis=1)
    xty = np.stack([sy, say, smy], axis=1)
    det = np.linalg.det(xtx)
    scale = np.maximum(1.0, np.abs(xtx).max(axis=(1, 2))) ** 3
    ok = np.abs(det) > 1e-9 * scale
    coef = np.full(len(sums), np.nan)
    if ok.any():
        solved = np.linalg.solve(xtx[ok], xty[ok][..., None])[..., 0]
        coef[ok] = solved[:, 1]
    n_with = int((pair & active[:-1]).sum())
    n_without = int((pair & ~active[:-1]).sum())
    return float(coef[0]), coef[1:], n_with, n_without


# ---------------------------------------------------------------------------
# Sentences


DAY_UNITS = ("day with a check-in", "days with a check-in")
PAIR_UNITS = (
    "pair of back-to-back days with check-ins",
    "pairs of back-to-back days with check-ins",
)


def _needed_days(
    n: int, n_with: int, n_without: int, min_days: int, units: tuple[str, str] = DAY_UNITS,
    paused: int = 0,
) -> str:
    more_with = max(0, MIN_PER_CONDITION - n_with)
    more_without = max(0, MIN_PER_CONDITION - n_without)
    more = max(min_days - n, more_with + more_without)
    parts = []
    if more_with:
        parts.append(f"{more_with} with some movement")
    if more_without:
        parts.append(f"{more_without} without (rest days count)")
    including = f", including {' and '.join(parts)}" if parts else ""
    return (
        f"About {more} more {units[0] if more == 1 else units[1]}{including} "
        "will be enough to look for a pattern "
        f"(so far: {n}, {n_with} with movement). No rush — it builds as you go."
        + (f" {_paused_words(paused)}" if paused else "")
    )


def _paused_words(paused: int) -> str:
    """What insights say about paused days left out of the comparisons."""
    return (f"{_days(paused, 'paused day').capitalize()} with no movement "
            f"{'is' if paused == 1 else 'are'} left out: a pause asks nothing of you, so "
            "those days count neither way.")


def _difference_sentence(lead: str, est: float, ci: tuple[float, float], compared: str) -> str:
    low, high = ci
    if _num(low) == _num(high):  # no spread at all: an interval would claim a certainty
        if est == 0:
            return f"{lead}, your mood was the same{compared.replace(' than ', ' as ', 1)}."
        direction = "higher" if est > 0 else "lower"
        return (
            f"{lead}, your mood was {_points(abs(est))} {direction}{compared} every time so far; "
            "with no spread yet, kindstep cannot say how sure that is."
        )
    if low > 0 or high < 0:
        direction = "higher" if est > 0 else "lower"
        return (
            f"{lead}, your mood was about {_points(est)} {direction}{compared} "
            f"(likely between {_num(low)} and {_num(high)})."
        )
    same = compared.replace(" than ", " as ", 1)
    return (
        f"{lead}, your mood was about the same{same}: no clear pattern yet "
        f"(the difference is likely between {_num(low)} and {_num(high)} points)."
    )


# ---------------------------------------------------------------------------
# Sections


def _before_after(history: History, today: date) -> Section:
    diffs = np.array(
        [
            s.mood_after - s.mood_before
            for s in history.sessions
            if s.day <= today and s.mood_before is not None and s.mood_after is not None
        ],
        dtype=float,
    )
    n = int(diffs.size)
    method = (
        "Mean change from before to after each session, with a 95% t-interval "
        f"(n - 1 degrees of freedom); at least {MIN_SESSIONS} sessions with both ratings."
    )
    title = "How does your mood change from before a session to after it?"
    if n < MIN_SESSIONS:
        more = MIN_SESSIONS - n
        needed = (
            f"Rating your mood before and after {_days(more, 'more session')} will be enough "
            f"to compare (so far: {n})."
        )
        return Section("before_after", title, None, None, n, False, needed, method, needed)
    mean = float(diffs.mean())
    ci = mean_ci(diffs)
    sentence = _difference_sentence(
        f"Across {n} sessions", mean, ci, compared=" after moving than before"
    )
    if (ci[0] > 0 or ci[1] < 0) and _num(ci[0]) != _num(ci[1]):
        sentence = (
            f"Across {n} sessions, your mood was about {_points(mean)} "
            f"{'higher' if mean > 0 else 'lower'} after moving than before "
            f"(likely between {_num(ci[0])} and {_num(ci[1])})."
        )
    return Section("before_after", title, mean, ci, n, True, "", method, sentence)


@dataclass(frozen=True)
class _Days:
    first: date
    mood: np.ndarray
    has_mood: np.ndarray
    active: np.ndarray
    minutes: np.ndarray
    activities: dict[str, np.ndarray]
    set_aside: np.ndarray
    """Paused days with no movement: on neither side of a comparison."""

    @property
    def n_set_aside(self) -> int:
        return int(self.set_aside.sum())


def _days_arrays(history: History, today: date, paused: Collection[date] = ()) -> _Days | None:
    moods = daily_mood(history, today=today)
    sessions = [s for s in history.sessions if s.day <= today]
    known = list(moods) + [s.day for s in sessions]
    if not known:
        return None
    first = min(known)
    n = (today - first).days + 1
    mood = np.zeros(n)
    has_mood = np.zeros(n, dtype=bool)
    for day, value in moods.items():
        i = (day - first).days
        mood[i] = value
        has_mood[i] = True
    active = np.zeros(n, dtype=bool)
    minutes = np.zeros(n)
    activities: dict[str, np.ndarray] = {}
    for s in sessions:
        i = (s.day - first).days
        active[i] = True
        minutes[i] += s.minutes
        activities.setdefault(s.activity, np.zeros(n, dtype=bool))[i] = True
    set_aside = np.zeros(n, dtype=bool)
    for day in paused:
        if first <= day <= today:
            set_aside[(day - first).days] = True
    set_aside &= ~active  # movement on a paused day is still movement
    return _Days(first, mood, has_mood, active, minutes, activities, set_aside)


def _same_day_section(
    key: str,
    title: str,
    lead: str,
    days: _Days | None,
    group: str,
    sums: _GroupSums | None,
    min_days: int,
    method: str,
    compared: str = " than on days without movement",
) -> Section:
    if days is None or sums is None:
        needed = _needed_days(0, 0, 0, min_days)
        return Section(key, title, None, None, 0, False, needed, method, needed, 0, 0)
    k = sums.k
    n_with = int(sums.point[k + sums.keys[group]])
    n_without = int(sums.point[k + sums.keys["without"]])
    n = n_with + n_without
    ci = None
    if n >= min_days and n_with >= MIN_PER_CONDITION and n_without >= MIN_PER_CONDITION:
        point, boot = sums.contrast(group, "without")
        ci = _bootstrap_ci(point, boot, _n_blocks(len(days.mood)))
    if ci is None:
        needed = _needed_days(n, n_with, n_without, min_days, paused=days.n_set_aside)
        return Section(key, title, None, None, n, False, needed, method, needed, n_with, n_without)
    sentence = _difference_sentence(lead, point, ci, compared)
    return Section(key, title, point, ci, n, True, "", method, sentence, n_with, n_without)


def _next_day_section(
    days: _Days | None, resamples: _Resamples | None, min_days: int, method: str
) -> Section:
    title = "Is your mood different the day after you move?"
    if days is None:
        needed = _needed_days(0, 0, 0, min_days, PAIR_UNITS)
        return Section("next_day", title, None, None, 0, False, needed, method, needed, 0, 0)
    pair = days.has_mood[:-1] & days.has_mood[1:] & ~days.set_aside[:-1]
    n_with = int((pair & days.active[:-1]).sum())
    n_without = int((pair & ~days.active[:-1]).sum())
    n = n_with + n_without
    too_few = n < min_days or n_with < MIN_PER_CONDITION or n_without < MIN_PER_CONDITION
    if too_few or resamples is None:
        needed = _needed_days(n, n_with, n_without, min_days, PAIR_UNITS, days.n_set_aside)
        return Section(
            "next_day", title, None, None, n, False, needed, method, needed, n_with, n_without
        )
    point, boot, _, _ = _next_day_fit(days.mood, days.has_mood, days.active, resamples,
                                      days.set_aside)
    ci = _bootstrap_ci(point, boot, _n_blocks(len(days.mood)))
    if ci is None or not math.isfinite(point):
        needed = _needed_days(n, n_with, n_without, min_days, PAIR_UNITS, days.n_set_aside)
        return Section(
            "next_day", title, None, None, n, False, needed, method, needed, n_with, n_without
        )
    sentence = _difference_sentence(
        "The day after you moved",
        point,
        ci,
        compared=(
            " than the day after a day without movement, allowing for how you felt the day before"
        ),
    )
    return Section("next_day", title, point, ci, n, True, "", method, sentence, n_with, n_without)


def _questionnaires(results: Sequence[scales.Result]) -> QuestionnaireSection:
    trends = []
    for code in QUESTIONNAIRE_CODES:
        scale = scales.get_scale(code)
        own = [r for r in results if r.code == code]
        totals = tuple(r.total for r in own)
        markers = tuple(
            (i, r.reliable_change) for i, r in enumerate(own) if r.reliable_change is not None
        )
        first = totals[0] if totals else None
        latest = totals[-1] if totals else None
        change = latest - first if len(totals) >= 2 else None  # type: ignore[operator]
        reliable: scales.ChangeDirection | None = None
        if change is not None and scale.reliable_change is not None:
            if change <= -scale.reliable_change:
                reliable = "improved"
            elif change >= scale.reliable_change:
                reliable = "worsened"
        if not totals:
            sentence = f"No {scale.name} yet."
        elif change is None:
            sentence = (
                f"Your {scale.name} total was {first}. A second one, two weeks or more later, "
                "will show a trend."
            )
        elif change == 0:
            sentence = f"Your {scale.name} total is {latest}, the same as your first ({first})."
        else:
            direction = "lower (fewer symptoms)" if change < 0 else "higher (more symptoms)"
            sentence = (
                f"Your {scale.name} total went from {first} to {latest} over {len(totals)} "
                f"questionnaires: {_days(abs(change), 'point')} {direction}"
            )
            if reliable is not None:
                sentence += ", a change bigger than the questionnaire's usual ups and downs."
            else:
                sentence += ", within the questionnaire's usual ups and downs."
        trends.append(
            QuestionnaireTrend(
                code, scale.name, totals, first, latest, change, reliable, markers, sentence
            )
        )
    n = sum(t.n for t in trends)
    enough = any(t.n >= 2 for t in trends)
    needed = (
        "" if enough else "Two or more PHQ-9 or GAD-7 results, two weeks apart, will show a trend."
    )
    method = (
        "First and latest totals in the order taken, with reliable-change markers "
        "(PHQ-9: 5 points, GAD-7: 6 points)."
    )
    sentence = " ".join(t.sentence for t in trends if t.n) or needed
    return QuestionnaireSection(tuple(trends), n, enough, needed, method, sentence)


def insights(
    history: History,
    *,
    today: date,
    questionnaires: Sequence[scales.Result] = (),
    min_days: int = 14,
    names: Mapping[str, str] | None = None,
    predictions: Sequence[tuple[int, int]] = (),
    paused: Collection[date] = (),
) -> Insights:
    """Every insight kindstep can honestly offer about ``history`` up to ``today``.

    Records after ``today`` are left out. Sections below the minimum amount
    of data (``min_days`` days with a mood, 5 on each side) have no estimate
    and say what more is needed; the summary never claims a cause.
    ``names`` gives an activity's name by its code (the catalogue's), for the
    questions about single activities. ``predictions`` are (expected, actual)
    pairs: how good a planned session was expected to feel and the mood after it.
    ``paused`` are the person's paused days (``core.pause``): those with no movement are
    left out of the day comparisons, never counted as days without movement.

    >>> from datetime import timedelta
    >>> from kindstep.core.values import CheckIn
    >>> start = date(2026, 1, 1)
    >>> h = History(checkins=tuple(CheckIn(start + timedelta(i), 5, 5, 3) for i in range(3)))
    >>> result = insights(h, today=start + timedelta(2))
    >>> result.active_vs_rest.enough_data, result.active_vs_rest.estimate
    (False, None)
    """
    if min_days < 2:
        raise ValueError("min_days must be at least 2.")
    days = _days_arrays(history, today, paused)
    resamples = None
    sums = None
    block = block_length(0)
    if days is not None:
        n = len(days.mood)
        block = block_length(n)
        if days.has_mood.sum() >= 2:
            seed = _seed(today, days.mood, days.has_mood, days.active, days.minutes)
            rng = np.random.default_rng(seed)
            resamples = _Resamples(n, BOOTSTRAP_RESAMPLES, block, rng)
        groups = {"with": days.active, "without": ~days.active & ~days.set_aside}
        groups.update({f"activity:{code}": mask for code, mask in days.activities.items()})
        groups.update(
            {f"band:{key}": _band(days, low, high) for key, _, low, high in DURATION_BANDS}
        )
        sums = _GroupSums(days.mood, days.has_mood, groups, resamples)
    boot = _BOOTSTRAP_METHOD.format(blocks=block, resamples=BOOTSTRAP_RESAMPLES)
    left_out = days.n_set_aside if days is not None else 0
    if left_out:
        boot += " Paused days with no movement are left out, on neither side."

    active_vs_rest = _same_day_section(
        "active_vs_rest",
        "Is your mood different on days you move?",
        "On days you moved",
        days,
        "with",
        sums,
        min_days,
        "Your mean mood (latest check-in of the day) on days with movement minus on days "
        "without. " + boot,
    )
    next_day = _next_day_section(
        days,
        resamples,
        min_days,
        "Least-squares regression of the next day's mood on moving today and today's mood; "
        "the estimate is the coefficient of moving. " + boot,
    )
    def named(code: str) -> str:
        name = (names or {}).get(code) or code.replace("_", " ")
        return name[:1].lower() + name[1:] if name[1:2].islower() else name

    by_activity = tuple(
        _same_day_section(
            code,
            f"Is your mood different on days with {named(code)}?",
            f"On days with {named(code)}",
            days,
            f"activity:{code}",
            sums,
            min_days,
            f"Your mean mood on days with {named(code)} minus on days without "
            "movement. " + boot,
        )
        for code in sorted(days.activities if days is not None else ())
    )
    by_duration = tuple(
        _same_day_section(
            key,
            f"Is your mood different on days with {words} of movement?",
            f"On days with {words} of movement",
            days,
            f"band:{key}",
            sums,
            min_days,
            f"Your mean mood on days with {words} of movement in total minus on days without "
            "movement. " + boot,
        )
        for key, words, low, high in DURATION_BANDS
    )
    before_after = _before_after(history, today)
    trend = _questionnaires(questionnaires)
    summary = _summary(active_vs_rest, next_day, before_after, trend)
    if left_out and active_vs_rest.enough_data:  # else the "needed" sentence says it already
        summary = f"{summary} {_paused_words(left_out)}"
    return Insights(
        today=today,
        before_after=before_after,
        active_vs_rest=active_vs_rest,
        next_day=next_day,
        by_activity=by_activity,
        by_duration=by_duration,
        questionnaires=trend,
        summary=summary,
        block_days=block,
        predicted_vs_actual=predicted_vs_actual(predictions),
        paused_left_out=left_out,
    )


def _band(days: _Days, low: int, high: int | None) -> np.ndarray:
    inside = days.active & (days.minutes >= low)
    if high is not None:
        inside &= days.minutes < high
    return inside


def _summary(
    active_vs_rest: Section, next_day: Section, before_after: Section, trend: QuestionnaireSection
) -> str:
    sentences: list[str] = []
    shown = [s for s in (active_vs_rest, next_day, before_after) if s.enough_data]
    if not active_vs_rest.enough_data:
        sentences.append(
            "There isn't enough data yet to look for a pattern between moving and mood."
        )
        sentences.append(active_vs_rest.needed)
    sentences.extend(s.sentence for s in shown)
    if any(s.clear for s in shown):
        sentences.append(PATTERN_NOT_PROOF)
    elif shown:
        sentences.append(
            "No clear pattern yet is a real answer too; more days will sharpen the picture, "
            "and a self-experiment can test a question directly."
        )
    if trend.n:
        sentences.append(trend.sentence)
    return " ".join(sentences)


# ---------------------------------------------------------------------------
# Predicted and actual (behavioural activation's "expect, do, compare")


def _better(points: float) -> str:
    """``1.8 better``, ``1 point better`` style words for a positive difference."""
    return f"{_num(points)} better" if _num(points) != "1.0" else "1 point better"


def predicted_vs_actual(pairs: Sequence[tuple[int, int]]) -> Section:
    """How sessions felt (the mood after) against how good the person expected them to feel.

    The estimate is the mean of actual minus expected over the ``(expected, actual)``
    pairs, with a 95 % t-interval (:func:`mean_ci`); each pair is one session. Below
    :data:`MIN_PREDICTIONS` pairs there is no estimate, and the section says "not
    enough data yet". Worded kindly whichever way it goes: expectations are guesses.

    >>> section = predicted_vs_actual([(3, 5)] * 12)
    >>> section.estimate, section.sentence
    (2.0, 'On average it felt 2.0 better than you expected, across 12 sessions.')
    >>> predicted_vs_actual([(3, 5)]).sentence[:19]
    'Not enough data yet'
    """
    diffs = np.array([actual - expected for expected, actual in pairs], dtype=float)
    n = int(diffs.size)
    title = "How did planned activities feel, against how you expected them to feel?"
    method = (
        "Mean of the mood after each session minus how good you expected it to feel (0-10), "
        f"with a 95% t-interval (n - 1 degrees of freedom); at least {MIN_PREDICTIONS} "
        "sessions with both."
    )
    if n < MIN_PREDICTIONS:
        more = MIN_PREDICTIONS - n
        needed = (
            f"Not enough data yet: guessing how {more} more "
            f"{'activity' if more == 1 else 'activities'} will feel and "
            f"noting your mood after will be enough to compare (so far: {n}). There is no rush."
        )
        return Section("predicted_vs_actual", title, None, None, n, False, needed, method,
                       needed)
    mean = float(diffs.mean())
    low, high = mean_ci(diffs)
    across = f"across {n} sessions"
    if _num(low) == _num(high):
        if _num(mean) == "0.0":
            sentence = f"It felt just as you expected every time, {across}."
        elif mean > 0:
            sentence = f"On average it felt {_better(mean)} than you expected, {across}."
        else:
            sentence = (f"On average it felt {_num(-mean)} less good than you expected, {across}; "
                        "a guess is only a guess, and noticing this is useful too.")
    elif low > 0:
        sentence = (f"On average it felt {_better(mean)} than you expected, {across} "
                    f"(likely between {_num(low)} and {_num(high)} better).")
    elif high < 0:
        sentence = (f"On average it felt {_num(-mean)} less good than you expected, {across} "
                    f"(likely between {_num(-high)} and {_num(-low)}). A guess is only a guess; "
                    "noticing how things really go is what helps, and gentler plans are fine.")
    else:
        sentence = (f"On average it felt about as good as you expected, {across}: no clear "
                    f"difference yet (likely between {_num(low)} and {_num(high)} points).")
    return Section("predicted_vs_actual", title, mean, (low, high), n, True, "", method,
                   sentence)

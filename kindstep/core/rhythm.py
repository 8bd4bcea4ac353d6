"""A person's rhythm: active days per week against their own target.

Consistency over intensity (docs/design.md): the headline is how many days this
week had some movement, against a personal target (3 by default), and how
many weeks met it. Alongside it sit a forgiving habit strength modelled on
Loop Habit Tracker, and this week's minutes and MET-minutes shown next to
the WHO guideline as information, never as a demand.

Days in the values are already the person's local dates (``core.days``), so
nothing here touches time zones or the clock: ``today`` is an argument.

Habit strength (docs/evidence.md section 10) follows Loop Habit Tracker's published
formula (uhabits ``Score.compute`` and ``ScoreList.recompute``). Each day,
from the first recorded day to ``today``::

    score = prev * m + c * (1 - m)
    m = 0.5 ** (sqrt(f) / 13),   f = target_days / 7
    c = min(1, active days in the trailing window / needed)

For targets below 7 days a week the window is doubled, as in Loop: the
trailing 14 days (today included) against ``2 * target_days``; for 7 days a
week it is the trailing 7 days against 7. Active days only are counted in
the window, as Loop counts only manual check marks.

Two deliberate, documented departures from Loop keep the score kind:

* A planned rest day (a rest day with no session) never lowers the score:
  ``score = max(prev, prev * m + c * (1 - m))``. Loop leaves a skipped day's
  score exactly unchanged; kindstep does the same unless the trailing
  window would have lifted it, in which case rest lifts it as a quiet day
  would. Without this, logging rest could cost a person strength early on,
  when ``c`` is above the score, and rest is care, never a cost.
* An active day never lowers the score either (same ``max``). In Loop the
  first session after a long break can lower the score, because the window
  is still nearly empty; coming back should never feel like losing ground.

With these, only a quiet day (no session, no planned rest) lowers the
score, and only by a factor ``m`` (about 0.951 for 3 days a week), so it
never resets. The reference figures of Loop's formula are unchanged: perfect
adherence on Monday, Wednesday and Friday reaches 54 % at 4 weeks and 83 %
at 8; after 12 such weeks (93 %) two quiet weeks bring it to 71 %.

Paused days ("I'm unwell", "I'm away"; ``core.pause``) neither count nor
count against. The rule, so a pause is judged fairly:

* A pause covers only days with nothing logged. A day with a session is
  active and a day with rest is rest, pause or not: movement a person did
  while away is never taken from them.
* Habit strength is frozen: paused days are taken out of the calendar
  before the formula runs, as though they never happened. The score on the
  last day of a pause is the score on the day before it began, and the
  trailing window after it reaches back across it to the days before.
* A week's aim shrinks with its paused days: ``ceil(target * open / 7)``,
  ``open`` being the week's days not paused (planned days later in the
  current week count too). A week paused whole has no aim: it is neither
  met nor not met, and a run of weeks passes over it unbroken.

So a pause changes nothing it covers: the strength after a pause is the
strength before it, as though its days were never there, and pausing days
never lowers a week's verdict, the weeks met or a run
(``tests/core/test_rhythm_pause.py`` checks each by property).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from kindstep.core.days import week_start as _week_start
from kindstep.core.values import History, Profile

__all__ = ["Rhythm", "WeekSummary", "habit_strength", "rhythm", "rhythm_of"]

WHO_SENTENCE_GUIDE = (
    "WHO suggests 150–300 minutes of moderate activity a week for adults "
    "(or 75–150 minutes of vigorous activity), and some activity is better than none."
)
"""WHO 2020 guideline (Bull et al., Br J Sports Med 2020;54:1451-1462),
docs/evidence.md section 7, phrased as information, never as a demand."""

WHO_REFERENCE = ("World Health Organization 2020 guidelines on physical activity "
                 "(Bull et al., Br J Sports Med 2020;54:1451-1462)")
"""Where the WHO line comes from, shown beside it wherever it is shown."""
WHO_URL = "https://doi.org/10.1136/bjsports-2020-102955"


def minutes_line(r: Rhythm, *, kept_light: bool) -> tuple[str, str]:
    """This week's minutes as a sentence, and the reference of the WHO line in it.

    While today's choices are kept light (readiness answers or a worrying
    symptom, ``core.suggest.kept_light``), the WHO weekly amounts are left
    out (and the reference is ""): they are not the measure for that time.
    """
    if not kept_light:
        return r.who_sentence, WHO_REFERENCE
    sentence = (f"This week: {_plural(r.minutes_this_week, 'minute')}, "
                f"{round(r.met_minutes_this_week)} MET-minutes.")
    return sentence, ""


@dataclass(frozen=True)
class WeekSummary:
    """One week of a person's record, from ``start`` (their first weekday)."""

    start: date
    active_days: int
    """Days in the week with at least one session (several on a day count once)."""
    rest_days: int
    """Days marked as rest that had no session (a day with both is active)."""
    minutes: int
    met_minutes: float
    """Sum of MET x minutes over the week's sessions (MET 0 when unknown)."""
    met_target: bool
    """True when ``active_days`` reached the week's aim (the target, less any pause)."""
    paused_days: int = 0
    """Days of the week paused with nothing logged (``core.pause``); they neither count
    nor count against."""
    aim: int | None = field(default=None, compare=False)
    """The week's aim: the target, made smaller by paused days (module docstring); None
    for a week paused whole, which has no aim. Left out of equality: it follows from
    ``paused_days`` and the person's target."""


@dataclass(frozen=True)
class Rhythm:
    """A person's rhythm as of ``today``: this week, past weeks, habit strength."""

    week_start: date
    active_days_this_week: int
    target_days: int
    rest_days_this_week: int
    met_target_this_week: bool
    weeks: tuple[WeekSummary, ...]
    """Weeks from the first with any session or rest day to the current week,
    oldest first, quiet weeks included as zeros; trimmed to the last
    ``weeks`` weeks when ``rhythm(..., weeks=n)`` asked for that."""
    weeks_recorded: int
    """Number of weeks in the whole record (the length of ``weeks`` untrimmed)."""
    weeks_meeting_target: int
    """Weeks in the whole record that reached the target."""
    current_run_weeks: int
    """Consecutive weeks reaching the target, ending with the current week if
    it already has, else with last week: a week in progress never ends a run."""
    longest_run_weeks: int
    habit_strength: float
    """From 0 to 1; see the module docstring."""
    habit_sentence: str
    minutes_this_week: int
    met_minutes_this_week: float
    who_sentence: str
    summary: str
    paused_days_this_week: int = 0
    """Days of this week paused with nothing logged, planned ones later in the week too."""
    aim_this_week: int | None = None
    """This week's aim after any pause (None when the whole week is paused)."""


def _check_target(target_days: int) -> None:
    if isinstance(target_days, bool) or not isinstance(target_days, int):
        raise ValueError(
            f"The weekly target should be a whole number of days; got {target_days!r}."
        )
    if not 1 <= target_days <= 7:
        raise ValueError(f"The weekly target should be from 1 to 7 days a week; got {target_days}.")


def _strength(active: Iterable[int], rest: Iterable[int], target_days: int, end: int,
              paused: Iterable[int] = ()) -> float:
    """Habit strength on day ordinal ``end`` from active and rest day ordinals.

    Paused day ordinals with nothing logged are taken out of the calendar
    first (the module docstring's rule), which freezes the score across them.

    Days after ``end`` are ignored. Rest ordinals that are also active count
    as active. Runs in time linear in the number of days covered: each day
    is one mark in two byte arrays (active; active or planned rest), read
    once as it enters the window and once as it leaves.
    """
    active_set = {d for d in active if d <= end}
    if not active_set:
        return 0.0
    rest_set = {d for d in rest if d <= end} - active_set
    gone = sorted({d for d in paused if d <= end} - active_set - rest_set)
    if gone:
        # Each remaining day moves back by the number of paused days before it.
        active_set = {d - bisect.bisect_left(gone, d) for d in active_set}
        rest_set = {d - bisect.bisect_left(gone, d) for d in rest_set}
        end -= len(gone)
    start = min(active_set)
    if rest_set:
        start = min(start, min(rest_set))
    if target_days < 7:
        window, needed = 14, 2 * target_days
    else:
        window, needed = 7, 7
    multiplier = 0.5 ** (math.sqrt(target_days / 7) / 13)
    gain = 1 - multiplier
    # What a day adds, by how many active days its window holds: c * (1 - m).
    adds = [(k / needed if k / needed < 1.0 else 1.0) * gain for k in range(window + 1)]
    size = end - start + 1
    moving = bytearray(size)  # 1 on an active day
    marked = bytearray(size)  # 1 on an active day or a planned rest day
    for day in active_set:
        moving[day - start] = marked[day - start] = 1
    for day in rest_set:
        marked[day - start] = 1
    # The day that leaves the window as each day enters it (longer: its tail is never read).
    leaving = bytes(window) + moving
    score = 0.0
    in_window = 0
    for enters, leaves, mark in zip(moving, leaving, marked, strict=False):
        in_window += enters - leaves
        moved = score * multiplier + adds[in_window]
        if mark:
            # Kindstep's departure from Loop: neither movement nor planned
            # rest ever lowers the score; only a quiet day does, a little.
            if moved > score:
                score = moved
        else:
            score = moved
    return min(1.0, max(0.0, score))


def habit_strength(history: History, profile: Profile, *, today: date,
                   paused: Iterable[date] = ()) -> float:
    """Habit strength from 0 to 1 on ``today``, Loop-style and forgiving.

    Computed day by day from the first recorded day (a session or a rest
    day) to ``today``; records after ``today`` are ignored. An empty record
    has strength 0. ``paused`` days with nothing logged are left out of the
    calendar (frozen). See the module docstring for the formula and the pause rule.

    >>> from datetime import timedelta
    >>> from kindstep.core.values import Session
    >>> monday = date(2025, 1, 6)
    >>> days = [monday + timedelta(days=7 * w + d) for w in range(4) for d in (0, 2, 4)]
    >>> history = History(sessions=tuple(Session(day=d, activity="walk", minutes=20) for d in days))
    >>> round(habit_strength(history, Profile(), today=monday + timedelta(days=27)), 2)
    0.54
    """
    _check_target(profile.target_days)
    return _strength(
        (s.day.toordinal() for s in history.sessions),
        (r.day.toordinal() for r in history.rest_days),
        profile.target_days,
        today.toordinal(),
        (d.toordinal() for d in paused),
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _target_phrase(target_days: int) -> str:
    if target_days == 7:
        return "every day"
    return f"at least {_plural(target_days, 'day')} a week"


def _summary(active: int, target: int, rest: int, current_run: int,
             paused: int = 0, aim: int | None = None) -> str:
    if paused and aim is None:
        parts = ["This week is paused: nothing in it counts against you."]
        if active:
            parts.append(f"You were active on {_plural(active, 'day')} all the same.")
        return " ".join(parts)
    if paused and aim != target:
        parts = [_summary(active, aim, rest, current_run)]
        parts.insert(0, f"{_plural(paused, 'day')} of this week "
                        f"{'is' if paused == 1 else 'are'} paused, so this week's aim is "
                        f"{_plural(aim, 'day')}.")
        return " ".join(parts)
    if active == 0:
        parts = ["No active days logged yet this week; any small movement counts."]
    elif active < target:
        parts = [f"Active {active} of {_plural(target, 'day')} this week."]
    elif active == target:
        parts = [f"Active {active} of {_plural(target, 'day')} this week: your aim is reached."]
    else:
        parts = [f"Active {_plural(active, 'day')} this week, beyond your aim of {target}."]
    if rest:
        parts.append(f"You took {_plural(rest, 'rest day')}, and rest is care too.")
    if current_run >= 2:
        parts.append(f"You have been active {_target_phrase(target)} for {current_run} weeks.")
    return " ".join(parts)


def _habit_sentence(strength: float) -> str:
    percent = round(strength * 100)
    return (
        f"Your habit strength is {percent}%: it grows a little with each active day, "
        "a quiet day only lowers it a little, and rest days never lower it."
    )


def _who_sentence(minutes: int, met_minutes: float) -> str:
    return (
        f"This week: {_plural(minutes, 'minute')}, {round(met_minutes)} MET-minutes. "
        + WHO_SENTENCE_GUIDE
    )


def rhythm(
    history: History, profile: Profile, *, today: date, weeks: int | None = None,
    paused: Iterable[date] = (),
) -> Rhythm:
    """The person's rhythm as of ``today``.

    Weeks start on ``profile.week_start`` (0 = Monday, ISO, to 6 = Sunday).
    An active day is a day with at least one session; several sessions on a
    day count once. Records after ``today`` are ignored. Counts, runs and
    habit strength always cover the whole record; ``weeks`` (at least 1)
    only trims the ``weeks`` tuple to the most recent ones, for display.
    ``paused`` days follow the module docstring's rule.
    Raises ValueError for a target outside 1-7 days or a bad ``weeks``.

    >>> from kindstep.core.values import Session
    >>> sessions = (
    ...     Session(day=date(2025, 3, 3), activity="walk", minutes=20, met=3.5),
    ...     Session(day=date(2025, 3, 3), activity="stretch", minutes=10, met=2.3),
    ...     Session(day=date(2025, 3, 5), activity="walk", minutes=25, met=3.5),
    ... )
    >>> r = rhythm(History(sessions=sessions), Profile(), today=date(2025, 3, 6))
    >>> r.summary
    'Active 2 of 3 days this week.'
    >>> r.minutes_this_week, r.met_minutes_this_week
    (55, 180.5)
    """
    return rhythm_of(((s.day.toordinal(), s.minutes, s.met) for s in history.sessions),
                     (r.day.toordinal() for r in history.rest_days), profile, today=today,
                     weeks=weeks, paused=(d.toordinal() for d in paused))


def rhythm_of(
    sessions: Iterable[tuple[int, int, float]],
    rest_days: Iterable[int],
    profile: Profile,
    *,
    today: date,
    weeks: int | None = None,
    paused: Iterable[int] = (),
) -> Rhythm:
    """:func:`rhythm` from each session's ``(day, minutes, met)`` and the rest days, days as
    ordinals (``date.toordinal()``).

    For readers that fetch only those columns (the Rhythm page reads three
    years at a time, its days counted by the database); the result is the
    same, figure for figure, as :func:`rhythm` on a History holding the same
    sessions in the same order. Only the weeks shown are made into
    :class:`WeekSummary` values; the counts and runs cover every week.
    """
    _check_target(profile.target_days)
    if weeks is not None and (isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1):
        raise ValueError(f"The number of weeks to show should be 1 or more; got {weeks!r}.")
    target = profile.target_days
    end = today.toordinal()
    this_week = _week_start(today, profile.week_start)

    sessions = [row for row in sessions if row[0] <= end]
    active_ords = {day for day, _, _ in sessions}
    rest_ords = {day for day in rest_days if day <= end} - active_ords
    record = active_ords | rest_ords
    # Paused days count up to the end of this week: a planned pause shrinks this week's aim.
    week_end = this_week.toordinal() + 6
    paused_ords = {day for day in paused if day <= week_end} - record

    count = 0
    if record:
        first = _week_start(date.fromordinal(min(record)), profile.week_start).toordinal()
        count = (this_week.toordinal() - first) // 7 + 1
        active_n = [0] * count
        rest_n = [0] * count
        minutes_n = [0] * count
        met_n = [0.0] * count
        for day in active_ords:
            active_n[(day - first) // 7] += 1
        for day in rest_ords:
            rest_n[(day - first) // 7] += 1
        for day, minutes, met in sessions:
            i = (day - first) // 7
            minutes_n[i] += minutes
            met_n[i] += met * minutes
        paused_n = [0] * count
        for day in paused_ords:
            if day >= first:
                paused_n[(day - first) // 7] += 1
    aims = [_aim(target, paused_n[i]) for i in range(count)]
    # None marks a week paused whole: neither met nor not met.
    verdicts = [None if aim is None else n >= aim for n, aim in zip(active_n, aims, strict=True)
                ] if count else []
    met_flags = [bool(v) for v in verdicts]
    summaries = [
        WeekSummary(
            start=date.fromordinal(first + 7 * i),
            active_days=active_n[i],
            rest_days=rest_n[i],
            minutes=minutes_n[i],
            met_minutes=met_n[i],
            met_target=met_flags[i],
            paused_days=paused_n[i],
            aim=aims[i],
        )
        for i in range(0 if weeks is None else max(0, count - weeks), count)
    ]

    judged = [v for v in verdicts if v is not None]  # a week paused whole ends no run
    longest = run = 0
    for met in judged:
        run = run + 1 if met else 0
        longest = max(longest, run)
    current = 0
    last = len(judged) - 1
    if verdicts and verdicts[-1] is False:
        last -= 1  # the week in progress has not counted yet; it ends nothing
    while last >= 0 and judged[last]:
        current += 1
        last -= 1

    now = summaries[-1] if summaries else WeekSummary(
        this_week, 0, 0, 0, 0.0, False, 0, _aim(target, 0))
    if not record:  # no record yet: this week's pause still shows
        this_paused = sum(1 for d in paused_ords if d >= this_week.toordinal())
        now = WeekSummary(this_week, 0, 0, 0, 0.0, False, this_paused, _aim(target, this_paused))
    strength = _strength(active_ords, rest_ords, target, end, paused_ords)
    shown = tuple(summaries)
    return Rhythm(
        week_start=this_week,
        active_days_this_week=now.active_days,
        target_days=target,
        rest_days_this_week=now.rest_days,
        met_target_this_week=now.met_target,
        weeks=shown,
        weeks_recorded=count,
        weeks_meeting_target=sum(met_flags),
        current_run_weeks=current,
        longest_run_weeks=longest,
        habit_strength=strength,
        habit_sentence=_habit_sentence(strength),
        minutes_this_week=now.minutes,
        met_minutes_this_week=now.met_minutes,
        who_sentence=_who_sentence(now.minutes, now.met_minutes),
        summary=_summary(now.active_days, target, now.rest_days, current,
                         now.paused_days, now.aim),
        paused_days_this_week=now.paused_days,
        aim_this_week=now.aim,
    )


def _aim(target: int, paused: int) -> int | None:
    """A week's aim with ``paused`` of its days paused: the target in proportion to the
    open days, rounded up; None for a week paused whole.

    >>> _aim(3, 0), _aim(3, 3), _aim(3, 5), _aim(3, 7)
    (3, 2, 1, None)
    """
    open_days = 7 - paused
    if open_days <= 0:
        return None
    return -(-target * open_days // 7)

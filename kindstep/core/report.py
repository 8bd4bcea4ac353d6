"""The clinician report: a person's recent weeks as figures and plain sentences.

:func:`report` takes plain values (the record of the period, the rhythm, the
scored questionnaires, the readiness answers, the safety events) and returns
a :class:`Report` that the PDF template only lays out: every figure and
every sentence in the PDF is decided here, once, so a test can check each
one against the database.

What it says is descriptive and no more than the record shows: counts,
averages and ranges, with "what this does not show" beside the mood before
and after moving (a record of one person is not a trial). Scores are
information for the person and their clinician, never a diagnosis
(``scales.SCORES_NOTE``). The words follow kindstep's rules: no pressure, no
falling short; a quiet week is a quiet week.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from kindstep.core import scales
from kindstep.core.checks import InvalidInput
from kindstep.core.rhythm import Rhythm
from kindstep.core.values import CheckIn, History

__all__ = [
    "MAX_WEEKS",
    "MIN_WEEKS",
    "BeforeAfter",
    "Note",
    "QuestionnaireLine",
    "Readiness",
    "Report",
    "SafetyLine",
    "WeekLine",
    "check_name",
    "check_paper",
    "check_weeks",
    "latest_each_day",
    "notes_of",
    "report",
]

MIN_WEEKS = 1
MAX_WEEKS = 52
"""A report covers 1 to 52 weeks. Up to about 20 weeks keep to two pages (notes aside); a
longer period's weekly table takes a third."""

RELIABLE_WORDS = {
    "improved": "reliable improvement",
    "worsened": "reliable worsening",
}
"""The reliable-change marker beside a result, as `kindstep scores` words it."""


NAME_MAX = 100
"""The longest name the report prints in its heading."""

PAPERS = ("a4", "letter")
LETTER_COUNTRIES = frozenset({"US", "CA", "MX", "PH"})
"""Countries where Letter paper is the usual size; everywhere else A4 (ISO 216)."""


def check_weeks(weeks: object) -> int:
    """``weeks`` as a whole number from 1 to 52, or InvalidInput saying what is accepted.

    >>> check_weeks("12")
    12
    """
    try:
        n = int(str(weeks).strip())
    except ValueError:
        n = None
    if n is None or isinstance(weeks, bool) or not MIN_WEEKS <= n <= MAX_WEEKS:
        raise InvalidInput("weeks", f"The report covers {MIN_WEEKS} to {MAX_WEEKS} weeks; "
                           "please give a whole number in that range.")
    return n


def check_name(name: object) -> str:
    """The name to print (spaces trimmed; "" for none), at most 100 characters, no controls.

    >>> check_name("  Sam  ")
    'Sam'
    """
    text = "" if name is None else str(name).strip()
    if len(text) > NAME_MAX or any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in text):
        raise InvalidInput("name", f"A name on the report can be up to {NAME_MAX} characters "
                                   "of plain text; it is optional.")
    return text


def check_paper(paper: object, country: str = "") -> str:
    """``"a4"`` or ``"letter"``; when none is given, Letter in the countries that use it.

    >>> check_paper(None, "US"), check_paper("", "GB"), check_paper("A4", "US")
    ('letter', 'a4', 'a4')
    """
    text = "" if paper is None else str(paper).strip().lower()
    if not text:
        return "letter" if country.upper() in LETTER_COUNTRIES else "a4"
    if text not in PAPERS:
        raise InvalidInput("paper", "The paper size can be A4 or Letter.")
    return text


@dataclass(frozen=True)
class WeekLine:
    """One week of the period: movement, rest, and the days' mood and anxiety."""

    start: date
    active_days: int
    target_days: int
    met_target: bool
    rest_days: int
    minutes: int
    met_minutes: int
    """Rounded to whole MET-minutes, as the Rhythm page shows them."""
    checkin_days: int
    mood: float | None
    """Average of each day's latest check-in mood (0-10), one decimal; None without any."""
    anxiety: float | None
    """Average of each day's latest check-in anxiety (0-10), one decimal; None without any."""


@dataclass(frozen=True)
class BeforeAfter:
    """Sessions of the period rated before and after: what the record shows, nothing more."""

    n: int
    mean_before: float | None
    mean_after: float | None
    higher: int
    same: int
    lower: int
    sentence: str


@dataclass(frozen=True)
class QuestionnaireLine:
    """One PHQ-9 or GAD-7 result of the period."""

    day: date
    code: str
    name: str
    total: int
    max_total: int
    band: str
    change: int | None
    marker: str
    """"reliable improvement", "reliable worsening" or "" (see ``scales``)."""
    item9: int | None
    """The PHQ-9's item 9 answer (0-3); None for the GAD-7."""


@dataclass(frozen=True)
class Readiness:
    """The readiness answers as the person gave them."""

    state: str
    """"answered", "skipped" or "not_asked"."""
    yes: tuple[str, ...]
    """The questions answered yes, in their own words, in question order."""
    light_only: bool
    sentence: str


@dataclass(frozen=True)
class SafetyLine:
    """A moment kindstep met a sign of risk and showed where to find help."""

    day: date
    what: str
    followed_up: date | None
    """The day a later check-in asked how things were; None until then."""


@dataclass(frozen=True)
class Note:
    """A note the person wrote, shown only when they chose to include notes."""

    day: date
    where: str
    text: str


@dataclass(frozen=True)
class Report:
    """Everything the clinician report shows, decided in one place."""

    start: date
    end: date
    weeks: tuple[WeekLine, ...]
    target_days: int
    headline: str
    active_days: int
    weeks_meeting_target: int
    minutes: int
    met_minutes: int
    mood_days: int
    mood_sentence: str
    before_after: BeforeAfter
    questionnaires: tuple[QuestionnaireLine, ...]
    questionnaire_sentence: str
    readiness: Readiness
    safety: tuple[SafetyLine, ...]
    notes: tuple[Note, ...] | None
    """None when the person chose not to include notes (the report then says nothing of them)."""
    generated: date
    name: str = ""


# ---------------------------------------------------------------------------
# Helpers


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _mean(values: Sequence[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _long(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def latest_each_day(history: History, *, until: date) -> dict[date, CheckIn]:
    """Each day's latest check-in on or before ``until`` (the one that counts), by day.

    The same rule as ``insights.daily_mood``: the latest instant wins; without
    instants, the last in the record's order.

    >>> d = date(2026, 1, 5)
    >>> h = History(checkins=(CheckIn(d, 5, 3, 4), CheckIn(d, 5, 6, 2)))
    >>> latest_each_day(h, until=d)[d].anxiety
    2
    """
    by_day: dict[date, list[tuple[int, CheckIn]]] = {}
    for index, c in enumerate(history.checkins):
        if c.day <= until:
            by_day.setdefault(c.day, []).append((index, c))
    found: dict[date, CheckIn] = {}
    for day, items in by_day.items():
        if all(c.at is not None for _, c in items):
            try:
                found[day] = max(items, key=lambda item: (item[1].at, item[0]))[1]
                continue
            except TypeError:  # naive and aware instants mixed: fall back to order
                pass
        found[day] = items[-1][1]
    return found


# ---------------------------------------------------------------------------
# Sections


def _weeks(r: Rhythm, daily: Mapping[date, CheckIn], start: date,
           count: int) -> tuple[WeekLine, ...]:
    """Each of the ``count`` weeks from ``start``; a week before the record began is quiet."""
    recorded = {w.start: w for w in r.weeks}
    lines = []
    for i in range(count):
        first = start + timedelta(days=7 * i)
        w = recorded.get(first)
        days = [daily[d] for d in sorted(daily) if first <= d < first + timedelta(days=7)]
        lines.append(WeekLine(
            start=first, active_days=w.active_days if w else 0, target_days=r.target_days,
            met_target=w.met_target if w else False, rest_days=w.rest_days if w else 0,
            minutes=w.minutes if w else 0, met_minutes=round(w.met_minutes) if w else 0,
            checkin_days=len(days),
            mood=_mean([c.mood for c in days]), anxiety=_mean([c.anxiety for c in days]),
        ))
    return tuple(lines)


def _headline(weeks: Sequence[WeekLine], target: int) -> str:
    if not any(w.active_days or w.rest_days for w in weeks):
        return "No movement or rest recorded in this period yet."
    active = sum(w.active_days for w in weeks)
    met = sum(w.met_target for w in weeks)
    return (f"Active on {_plural(active, 'day')} over {_plural(len(weeks), 'week')} "
            f"(personal target: {_plural(target, 'day')} a week). "
            f"Weeks reaching the target: {met} of {len(weeks)}.")


def _mood_sentence(daily: Mapping[date, CheckIn]) -> str:
    if not daily:
        return "No check-ins in this period, so there is no mood or anxiety to show."
    moods = [c.mood for c in daily.values()]
    anxieties = [c.anxiety for c in daily.values()]
    return (f"Check-ins on {_plural(len(daily), 'day')}: mood from {min(moods)} to {max(moods)} "
            f"out of 10 (average {_mean(moods):.1f}), anxiety from {min(anxieties)} to "
            f"{max(anxieties)} (average {_mean(anxieties):.1f}). "
            "Each day counts its latest check-in.")


def _before_after(history: History, start: date, end: date) -> BeforeAfter:
    pairs = [s for s in history.sessions if start <= s.day <= end
             and s.mood_before is not None and s.mood_after is not None]
    if not pairs:
        return BeforeAfter(0, None, None, 0, 0, 0,
                           "No sessions in this period have a mood noted both before and after.")
    before = [s.mood_before for s in pairs]
    after = [s.mood_after for s in pairs]
    higher = sum(a > b for a, b in zip(after, before, strict=True))
    lower = sum(a < b for a, b in zip(after, before, strict=True))
    same = len(pairs) - higher - lower
    sentence = (
        f"{_plural(len(pairs), 'session')} with a mood noted before and after: on average "
        f"{_mean(before):.1f} before and {_mean(after):.1f} after (out of 10); the mood after "
        f"was higher in {higher}, the same in {same} and lower in {lower}. "
        "This describes these sessions; it does not show that moving caused the change."
    )
    return BeforeAfter(len(pairs), _mean(before), _mean(after), higher, same, lower, sentence)


def _questionnaires(
    results: Sequence[scales.Result], start: date, end: date
) -> tuple[tuple[QuestionnaireLine, ...], str]:
    lines = []
    for r in results:
        if r.code not in ("phq9", "gad7") or r.taken_on is None or not start <= r.taken_on <= end:
            continue
        scale = scales.get_scale(r.code)
        # The safety item's answer, read through the one rule (it names only answers above 0).
        risk = scales.safety_answer(r.code, r.answers)
        item9 = int(risk.answer) if risk else (0 if r.code == "phq9" else None)
        lines.append(QuestionnaireLine(
            day=r.taken_on, code=r.code, name=scale.name, total=r.total, max_total=r.max_total,
            band=r.band, change=r.change, marker=RELIABLE_WORDS.get(r.reliable_change or "", ""),
            item9=item9,
        ))
    if not lines:
        return (), "No PHQ-9 or GAD-7 answered in this period."
    sentence = ("Change is from the previous result of the same questionnaire. A reliable change "
                "is one bigger than the questionnaire's usual ups and downs (PHQ-9: 5 points, "
                "GAD-7: 6 points). " + scales.SCORES_NOTE)
    return tuple(lines), sentence


def _readiness(stored: Mapping[str, object], questions: Sequence[tuple[str, str]],
               light_only: bool) -> Readiness:
    if not stored:
        return Readiness("not_asked", (), light_only,
                         "The readiness questions have not been answered yet.")
    if stored.get("skipped"):
        return Readiness("skipped", (), light_only,
                         "The person chose to skip the readiness questions.")
    yes = tuple(text for code, text in questions if stored.get(code) is True)
    if not yes:
        sentence = "All readiness questions were answered no."
    else:
        sentence = f"{_plural(len(yes), 'readiness question')} answered yes."
        if light_only:
            sentence += (" kindstep keeps its suggestions light until the person says a doctor "
                         "has given the go-ahead.")
    return Readiness("answered", yes, light_only, sentence)


# ---------------------------------------------------------------------------
# The report


def report(
    history: History,
    rhythm: Rhythm,
    *,
    today: date,
    weeks: int,
    questionnaires: Sequence[scales.Result] = (),
    readiness: Mapping[str, object] | None = None,
    readiness_questions: Sequence[tuple[str, str]] = (),
    light_only: bool = False,
    safety: Sequence[SafetyLine] = (),
    notes: Sequence[Note] | None = None,
    name: str = "",
) -> Report:
    """The report of the ``weeks`` weeks up to ``today`` (the current week included).

    ``history`` holds at least the period's sessions, rest days and check-ins;
    ``rhythm`` is ``core.rhythm.rhythm`` of the whole record up to ``today``;
    ``questionnaires`` are every scored result, oldest first (each compared
    with the one before it, even when that one is older than the period);
    ``readiness`` is the stored answers ({code: bool}, or {"skipped": True});
    ``readiness_questions`` each question's ``(code, text)`` in order;
    ``notes`` None leaves notes out.

    >>> from kindstep.core.rhythm import rhythm as rhythm_of
    >>> from kindstep.core.values import Profile, Session
    >>> h = History(sessions=(Session(date(2026, 3, 2), "walk", 20, 3.5),))
    >>> r = report(h, rhythm_of(h, Profile(), today=date(2026, 3, 4)), today=date(2026, 3, 4),
    ...            weeks=1)
    >>> r.headline
    'Active on 1 day over 1 week (personal target: 3 days a week). Weeks reaching the target: 0 of 1.'
    >>> r.weeks[0].minutes, r.weeks[0].met_minutes
    (20, 70)
    """
    weeks = check_weeks(weeks)
    start = rhythm.week_start - timedelta(days=7 * (weeks - 1))
    daily = {d: c for d, c in latest_each_day(history, until=today).items() if start <= d}
    lines = _weeks(rhythm, daily, start, weeks)
    q_lines, q_sentence = _questionnaires(questionnaires, start, today)
    return Report(
        start=start,
        end=today,
        weeks=lines,
        target_days=rhythm.target_days,
        headline=_headline(lines, rhythm.target_days),
        active_days=sum(w.active_days for w in lines),
        weeks_meeting_target=sum(w.met_target for w in lines),
        minutes=sum(w.minutes for w in lines),
        met_minutes=round(sum(w.met_minutes for w in rhythm.weeks if w.start >= start)),
        mood_days=len(daily),
        mood_sentence=_mood_sentence(daily),
        before_after=_before_after(history, start, today),
        questionnaires=q_lines,
        questionnaire_sentence=q_sentence,
        readiness=_readiness(readiness or {}, readiness_questions, light_only),
        safety=tuple(s for s in safety if start <= s.day <= today),
        notes=None if notes is None else tuple(n for n in notes if start <= n.day <= today),
        generated=today,
        name=check_name(name),
    )


def safety_words(kind: str, detail: Mapping[str, object], symptom_names: Mapping[str, str]) -> str:
    """A safety event in plain words for the report.

    >>> safety_words("phq9_item9", {"answer": 2}, {})
    'PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered 2 of 3'
    """
    if kind == "phq9_item9":
        return ("PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered "
                f"{detail.get('answer', '?')} of 3")
    codes = detail.get("symptoms") or ()
    named = "; ".join(symptom_names.get(str(c), str(c)).lower() for c in codes)  # type: ignore[union-attr]
    return f"A worrying symptom while moving: {named}" if named else "A worrying symptom while moving"


def notes_of(history: History) -> tuple[Note, ...]:
    """The person's own notes in ``history`` (sessions, rest days, check-ins), by day.

    >>> from kindstep.core.values import RestDay
    >>> notes_of(History(rest_days=(RestDay(date(2026, 1, 2), "slept in"),)))
    (Note(day=datetime.date(2026, 1, 2), where='Rest day', text='slept in'),)
    """
    found = [Note(s.day, "Movement", s.note.strip()) for s in history.sessions if s.note.strip()]
    found += [Note(r.day, "Rest day", r.note.strip()) for r in history.rest_days if r.note.strip()]
    found += [Note(c.day, "Check-in", c.body_note.strip())
              for c in history.checkins if c.body_note.strip()]
    return tuple(sorted(found, key=lambda n: n.day))

"""What feels possible today: three small movement choices, and rest.

``suggestions()`` turns a check-in, a person's recent record and their
profile into an :class:`~kindstep.core.values.Offer`: exactly three distinct
movement choices, each with one plain sentence saying why it is there, and
rest offered as an equal choice.

How the day is sized (every cap only ever lowers what is offered):

- **Energy** sets a tier (``ENERGY_TIERS``): energy 0-2 stays light and at
  most 10 minutes; 3-4 light, 20 minutes; 5-6 moderate, 30; 7+ vigorous, 60.
  The caps rise with energy, so more energy never shrinks the offer.
- **Anxiety** of 7 or more keeps things light and at most 15 minutes, and
  puts soothing activities first.
- **Recent history** (the four weeks up to and including ``today``): never
  more than about what the person did lately plus one gentle step. Minutes:
  the longest recent session plus a quarter of it, at most 5 minutes more.
  Intensity: the highest band done lately, or one band higher after three
  comfortable sessions (effort 6 or less, or unrated) at that band. Without
  recent sessions, and as a floor, the start is gentle: light, 10 minutes.
- **Time**: never more than ``checkin.minutes_available``.
- **Readiness**: ``profile.light_only`` keeps everything at light or below;
  ``profile.see_doctor_first`` (chest pain or fainting answered yes, and no
  doctor has seen the person since) keeps the very gentlest choices, as a
  worrying symptom does; ``profile.supervised`` (a doctor advised activity
  only with medical supervision) offers only breathing and gentle stretches
  (tags ``breathing`` and ``stretching``), however few of them are left.
- **A worrying symptom while moving** (``symptoms``: the codes of
  ``core.safety.WORRYING_SYMPTOMS`` the store says to heed, see
  :data:`SEE_DOCTOR_SYMPTOMS`): the very gentlest choices, 10 minutes at
  most, with a note to check with a doctor before moving more. Rest stays
  beside them as the equal it always is.
- **A pause** (``paused``: "unwell" or "away", ``core.pause``): rest and the
  gentlest choices only, as after a worrying symptom, with a kind line
  saying nothing counts against the person meanwhile.

:func:`kept_light` names which of these holds the day back, for every
interface to show the same reason (and to leave out the WHO weekly minutes
while it holds).
- No check-in means a middle-of-the-road day, kept gentle (20 minutes).

The intensity cap is never below LIGHT except after a worrying symptom, and
then only when three very light activities are left to offer, so a catalogue
with three light-or-gentler activities the person does not avoid always
yields three choices. The three choices differ usefully: the gentlest thing that fits,
a "step" choice at the top of the day's caps (the person's familiar thing
when there is one), and a variety choice, rotated by day and ``seed``.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import date, timedelta

from kindstep.core.catalogue import Catalogue
from kindstep.core.values import (
    Activity,
    CheckIn,
    Choice,
    History,
    Intensity,
    Offer,
    Profile,
    RestChoice,
    Session,
)

__all__ = ["REST_WHY", "SEE_DOCTOR_SYMPTOMS", "kept_light", "suggestions"]

RECENT_DAYS = 28
""""Recently" means the four weeks up to and including today."""

FRESH_DAYS = 2
"""Activities done today or in the two days before are offered less, for variety."""

SYMPTOM_MINUTES = 10
"""The longest choice offered after a worrying symptom while moving."""

SEE_DOCTOR_SYMPTOMS = frozenset({"chest_pain", "faintness", "severe_breathlessness"})
"""Symptoms while moving that keep the choices at their gentlest until the person says a
doctor has seen them (the readiness check's clearance), not merely until the next
check-in. Palpitations are heeded until the next check-in, and on the day they were named."""

SUPERVISION_TAGS = frozenset({"breathing", "stretching"})
"""What kindstep still offers when a doctor advised activity only with supervision."""

KEPT_LIGHT = ("supervised", "symptoms", "see_doctor", "light_only")
"""The reasons :func:`kept_light` gives, the one that holds most first."""


def kept_light(profile: Profile, symptoms: tuple[str, ...] = ()) -> str:
    """Why today's choices are held back, one of :data:`KEPT_LIGHT`, or "" when nothing is.

    >>> kept_light(Profile()), kept_light(Profile(light_only=True), ("chest_pain",))
    ('', 'symptoms')
    """
    if profile.supervised:
        return "supervised"
    if symptoms:
        return "symptoms"
    if profile.see_doctor_first:
        return "see_doctor"
    if profile.light_only:
        return "light_only"
    return ""

START_MINUTES = 10
"""A gentle start (no recent sessions) offers at most this many minutes; also a floor."""

START_INTENSITY = Intensity.LIGHT
"""A gentle start offers at most light intensity; very light options always exist."""

STEP_MINUTES = 5
"""The gentle step above recent minutes: a quarter of the longest session, at most this."""

COMFORTABLE_EFFORT = 6
"""A session rated at or below this (0-10 "how hard did it feel?") counts as comfortable."""

SESSIONS_BEFORE_STEP_UP = 3
"""Comfortable sessions at the top band needed before one band higher is offered."""

LOW_ENERGY = 2
"""Energy at or below this keeps choices light and at most 10 minutes."""

ANXIOUS = 7
"""Anxiety at or above this keeps choices light and short, soothing first."""

ANXIOUS_CAP = (Intensity.LIGHT, 15)

ENERGY_TIERS: tuple[tuple[int, Intensity, int], ...] = (
    (LOW_ENERGY, Intensity.LIGHT, 10),
    (4, Intensity.LIGHT, 20),
    (6, Intensity.MODERATE, 30),
)
"""(highest energy in tier, intensity cap, minute cap); energy above them: vigorous, 60."""

TOP_TIER = (Intensity.VIGOROUS, 60)
NO_CHECKIN_CAP = (Intensity.MODERATE, 20)
"""Without a check-in: a middle-of-the-road day, kept gentle."""

REST_WHY = "Rest is part of healing; a rest day counts as care."

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class _Recent:
    """What the last four weeks say about a person's comfortable amount."""

    longest: Session | None
    top: Intensity | None
    step_up: bool
    familiar: frozenset[str]
    lately: frozenset[str]


@dataclass(frozen=True)
class _Caps:
    intensity: Intensity
    minutes: int
    reason: str
    """Which cap set the minutes: time, energy, anxiety, history, start, no_checkin or symptoms."""


def suggestions(
    checkin: CheckIn | None,
    history: History,
    profile: Profile,
    catalogue: Catalogue,
    *,
    today: date,
    seed: int = 0,
    symptoms: tuple[str, ...] = (),
    paused: str = "",
) -> Offer:
    """Three distinct movement choices sized to today, and rest as an equal choice.

    ``history.sessions`` must be oldest first (as ``History`` promises);
    sessions after ``today`` are ignored. The result depends only on the
    arguments: the same inputs always give the same offer, and ``seed``
    (with ``today``) only rotates which variety choice comes up.

    Raises ValueError when fewer than three activities the person does not
    avoid are gentle enough for today's intensity cap (which is never below
    light), since three honest choices cannot be made from them.

    >>> from kindstep.core.values import Activity
    >>> def act(code, name, band, minutes, tags=()):
    ...     return Activity(code, name, 2.0, "00000", 2011, band, minutes, 2, frozenset(tags))
    >>> catalogue = Catalogue([
    ...     act("breathe_bed", "Breathe in bed", Intensity.VERY_LIGHT, 5, ["bed", "soothing"]),
    ...     act("stand_outside", "Stand outside", Intensity.VERY_LIGHT, 5, ["outdoors"]),
    ...     act("walk_slow", "Slow walk", Intensity.LIGHT, 10, ["outdoors"]),
    ...     act("jog", "Jog", Intensity.VIGOROUS, 20),
    ... ])
    >>> day = date(2026, 3, 5)
    >>> tired = CheckIn(day=day, energy=2, mood=3, anxiety=4)
    >>> offer = suggestions(tired, History(), Profile(), catalogue, today=day)
    >>> for choice in offer.choices:
    ...     print(choice.activity, choice.minutes, choice.intensity.label)
    breathe_bed 5 very light
    stand_outside 5 very light
    walk_slow 10 light
    >>> offer.rest.why
    'Rest is part of healing; a rest day counts as care.'
    """
    recent = _recent(history.sessions, catalogue, today)
    caps = _caps(checkin, recent, profile)
    allowed = [a for a in catalogue if a.code not in profile.avoided
               and (not profile.supervised or a.tags & SUPERVISION_TAGS)]
    if symptoms or profile.see_doctor_first or paused:
        very_light = [a for a in allowed if a.intensity <= Intensity.VERY_LIGHT]
        caps = _Caps(
            intensity=Intensity.VERY_LIGHT if len(very_light) >= 3 else min(caps.intensity,
                                                                           Intensity.LIGHT),
            minutes=min(caps.minutes, SYMPTOM_MINUTES),
            reason="symptoms" if symptoms else "see_doctor" if profile.see_doctor_first
            else "paused")
    elif profile.supervised:
        caps = _Caps(intensity=min(caps.intensity, Intensity.LIGHT), minutes=caps.minutes,
                     reason=caps.reason)
    anxious = checkin is not None and checkin.anxiety >= ANXIOUS
    low_energy = checkin is not None and checkin.energy <= LOW_ENERGY

    pool = [a for a in allowed if a.intensity <= caps.intensity]
    if len(pool) < 3 and not profile.supervised:
        raise ValueError(
            f"suggestions need at least three activities that are not avoided and at most "
            f"{caps.intensity.label} in intensity today; the catalogue has {len(pool)}"
        )

    rng = random.Random(f"kindstep.suggest:{today.isoformat()}:{seed}")
    jitter = {a.code: rng.random() for a in catalogue}

    def score(activity: Activity) -> float:
        value = jitter[activity.code]
        if activity.code in profile.liked:
            value += 4
        if anxious and "soothing" in activity.tags:
            value += 3
        if activity.code in recent.lately:
            value -= 3
        return value

    fits = [a for a in pool if _min_minutes(a) <= caps.minutes]
    picked: list[tuple[int, Choice]] = []  # (role, choice): 0 gentle, 1 step, 2 variety, 3 other
    if fits:
        top_band = max(a.intensity for a in fits)
        # The step is the familiar thing when it can be, even if done in the last few days.
        step = max(
            (a for a in fits if a.intensity == top_band),
            key=lambda a: (score(a) + 4 * (a.code in recent.familiar), a.code),
        )
        why = _step_why(step, caps, recent, checkin, today)
        picked.append((1, _choice(step, caps.minutes, why)))
        rest_fits = [a for a in fits if a is not step]
    else:
        rest_fits = []

    if rest_fits:

        def gentle_key(a: Activity) -> tuple[int, float, str]:
            bonus = 0.0
            if low_energy and a.tags & {"seated", "bed"}:
                bonus += 2
            if "soothing" in a.tags:
                bonus += 1
            return (-a.intensity, score(a) + bonus, a.code)

        gentle = max(rest_fits, key=gentle_key)
        minutes = max(_min_minutes(gentle), _nice(min(gentle.default_minutes, caps.minutes, 10)))
        picked.append((0, _choice(gentle, minutes, _gentle_why(gentle, low_energy, anxious))))
        rest_fits = [a for a in rest_fits if a is not gentle]

    if rest_fits:
        # Only the step choice goes beyond the band done lately: one gentle step at a time.
        usual_band = max(START_INTENSITY, recent.top or START_INTENSITY)
        rest_fits = [a for a in rest_fits if a.intensity <= usual_band] or rest_fits
        # Something new, unless the step is already new ground: then the familiar thing,
        # even if it was done in the last couple of days.
        step_code = picked[0][1].activity
        want_new = step_code in recent.familiar or not recent.familiar

        def variety_key(a: Activity) -> tuple[float, str]:
            new = a.code not in recent.familiar
            bonus = 2 * new if want_new else 6 * (not new)
            # A second helping of jitter: the variety choice is the one that rotates most.
            return (score(a) + jitter[a.code] + bonus, a.code)

        variety = max(rest_fits, key=variety_key)
        minutes = max(_min_minutes(variety), _nice(min(variety.default_minutes, caps.minutes)))
        picked.append((2, _choice(variety, minutes, _variety_why(variety, profile, recent))))

    notes: list[str] = []
    if len(picked) < 3 and len(pool) > len(picked):
        # Too few activities fit the time: offer the gentlest others, shortened.
        chosen = {choice.activity for _, choice in picked}
        spare = sorted(
            (a for a in pool if a.code not in chosen and _min_minutes(a) > caps.minutes),
            key=lambda a: (a.intensity, -score(a), a.code),
        )
        for activity in spare[: 3 - len(picked)]:
            why = "Shorter than usual so it fits today; a few minutes still count."
            # caps.minutes is below this activity's usual minimum, by design.
            picked.append((3, _choice(activity, caps.minutes, why)))
        notes.append("Some choices are shorter than their usual length, to fit today.")

    notes[:0] = _notes(checkin, recent, profile, low_energy, anxious, bool(symptoms))
    if symptoms:
        notes.insert(0, symptom_note(symptoms))
    if paused:
        from kindstep.core.pause import pause_note

        notes.insert(0, pause_note(paused))
    # Gentlest band first; within a band: the gentle one, the step, then variety.
    picked.sort(key=lambda item: (item[1].intensity, item[0]))
    return Offer(
        choices=tuple(choice for _, choice in picked),
        rest=RestChoice(why=REST_WHY),
        notes=tuple(notes),
    )


def _min_minutes(activity: Activity) -> int:
    """The fewest minutes an activity is usually offered for (at least 1)."""
    return max(1, activity.min_minutes)


def _choice(activity: Activity, minutes: int, why: str) -> Choice:
    return Choice(
        activity=activity.code,
        name=activity.name,
        minutes=minutes,
        intensity=activity.intensity,
        why=why,
        note=activity.note,
    )


def _nice(minutes: int) -> int:
    """Minutes rounded down to a multiple of 5 above 10, never below 1."""
    if minutes <= 10:
        return max(1, minutes)
    return minutes - minutes % 5


def _recent(sessions: tuple[Session, ...], catalogue: Catalogue, today: date) -> _Recent:
    start = today - timedelta(days=RECENT_DAYS - 1)
    fresh = today - timedelta(days=FRESH_DAYS)
    # Oldest first: jump straight to the window instead of reading years of history.
    first = bisect.bisect_left(sessions, start, key=lambda s: s.day)
    window = [s for s in sessions[first:] if start <= s.day <= today]
    if not window:
        return _Recent(None, None, False, frozenset(), frozenset())

    longest = window[0]
    for session in window:
        if session.minutes >= longest.minutes:
            longest = session  # ties go to the most recent

    bands: list[tuple[Intensity, Session]] = []
    for session in window:
        activity = catalogue.get(session.activity)
        if activity is not None:
            bands.append((activity.intensity, session))
        elif session.met > 0:
            bands.append((Intensity.for_met(session.met), session))
    top = max((band for band, _ in bands), default=None)
    step_up = False
    if top is not None and top < Intensity.VIGOROUS:
        at_top = [s for band, s in bands if band == top]
        comfortable = [s for s in at_top if s.effort is None or s.effort <= COMFORTABLE_EFFORT]
        step_up = len(comfortable) >= SESSIONS_BEFORE_STEP_UP and at_top[-1] in comfortable
    return _Recent(
        longest=longest,
        top=top,
        step_up=step_up,
        familiar=frozenset(s.activity for s in window),
        lately=frozenset(s.activity for s in window if s.day >= fresh),
    )


def _history_cap(recent: _Recent) -> tuple[Intensity, int]:
    if recent.longest is None:
        return START_INTENSITY, START_MINUTES
    base = recent.longest.minutes
    raw = base + min(STEP_MINUTES, -(-base // 4))
    minutes = _nice(raw) if _nice(raw) >= base else raw
    intensity = START_INTENSITY
    if recent.top is not None:
        intensity = max(intensity, Intensity(recent.top + recent.step_up))
    return intensity, max(START_MINUTES, minutes)


def _caps(checkin: CheckIn | None, recent: _Recent, profile: Profile) -> _Caps:
    # Candidates in order of which one names the reason when several tie.
    minute_caps: list[tuple[int, str]] = []
    intensities: list[Intensity] = []
    if checkin is None:
        intensities.append(NO_CHECKIN_CAP[0])
        no_checkin_minutes = NO_CHECKIN_CAP[1]
    else:
        if checkin.minutes_available is not None:
            minute_caps.append((_nice(checkin.minutes_available), "time"))
        band, minutes = TOP_TIER
        for highest, tier_band, tier_minutes in ENERGY_TIERS:
            if checkin.energy <= highest:
                band, minutes = tier_band, tier_minutes
                break
        intensities.append(band)
        minute_caps.append((minutes, "energy"))
        if checkin.anxiety >= ANXIOUS:
            intensities.append(ANXIOUS_CAP[0])
            minute_caps.append((ANXIOUS_CAP[1], "anxiety"))
    history_band, history_minutes = _history_cap(recent)
    intensities.append(history_band)
    minute_caps.append((history_minutes, "history" if recent.longest else "start"))
    if checkin is None:
        minute_caps.append((no_checkin_minutes, "no_checkin"))
    if profile.light_only:
        intensities.append(Intensity.LIGHT)
    minutes, reason = min(minute_caps, key=lambda cap: cap[0])
    return _Caps(intensity=min(intensities), minutes=minutes, reason=reason)


def _when(day: date, today: date) -> str:
    ago = (today - day).days
    if ago == 0:
        return "earlier today"
    if ago == 1:
        return "yesterday"
    if ago < 7:
        return f"on {_WEEKDAYS[day.weekday()]}"
    return f"on {day.day} {_MONTHS[day.month - 1]}"


def _step_why(
    activity: Activity, caps: _Caps, recent: _Recent, checkin: CheckIn | None, today: date
) -> str:
    if recent.step_up and recent.top is not None and activity.intensity > recent.top:
        return "A small step up in pace, after several sessions that felt comfortable."
    if caps.reason == "symptoms":
        return "Very gentle and short, after what you noticed while moving."
    if caps.reason == "see_doctor":
        return "Very gentle and short, until a doctor has seen you."
    if caps.reason == "paused":
        return "The gentlest and shortest, while you're paused."
    if caps.reason == "time":
        return "Sized to fit the time you have today."
    if caps.reason == "energy":
        if checkin is not None and checkin.energy <= LOW_ENERGY:
            return "Short and light, for a low-energy day."
        return "Sized to match today's energy, and fine to stop early."
    if caps.reason == "anxiety":
        return "Calm and steady, sized for an anxious day."
    if caps.reason == "no_checkin":
        return "A middle-of-the-road amount, kept gentle."
    if caps.reason == "start" or recent.longest is None:
        return "A gentle start; it can grow as you feel ready."
    base = recent.longest.minutes
    when = _when(recent.longest.day, today)
    if caps.minutes > base + STEP_MINUTES:
        return f"A little more than the {base} minutes you moved {when}, still short and gentle."
    if caps.minutes > base:
        return f"Close to the {base} minutes you moved {when}, plus a few gentle minutes."
    return f"About the {base} minutes you moved {when}, a familiar amount."


def _gentle_why(activity: Activity, low_energy: bool, anxious: bool) -> str:
    if anxious and "soothing" in activity.tags:
        return "Slow and soothing, to help settle an anxious day."
    if "bed" in activity.tags:
        return "Gentle enough to do lying down, an easy way in."
    if "seated" in activity.tags:
        if low_energy:
            return "Short and seated, for a low-energy day."
        return "Short and seated, an easy way in."
    if "outdoors" in activity.tags:
        return "A few minutes outside, an easy way in."
    return "The gentlest choice here, short and easy."


def _variety_why(activity: Activity, profile: Profile, recent: _Recent) -> str:
    if activity.code in profile.liked:
        return "One you have said you enjoy."
    if activity.code not in recent.familiar:
        return "Something different, for a little variety."
    return "A familiar choice, sized for today."


_SYMPTOM_WORDS = {
    "chest_pain": "chest pain",
    "faintness": "feeling faint or dizzy",
    "severe_breathlessness": "severe breathlessness",
    "palpitations": "a racing or irregular heartbeat",
}
"""Each of core.safety.WORRYING_SYMPTOMS as a few words inside a sentence."""


def symptom_note(symptoms: tuple[str, ...]) -> str:
    """What the offer says after a worrying symptom while moving (codes of WORRYING_SYMPTOMS).

    >>> symptom_note(("chest_pain", "faintness"))[:57]
    'You mentioned chest pain and feeling faint or dizzy while'
    """
    named = [_SYMPTOM_WORDS[code] for code in dict.fromkeys(symptoms) if code in _SYMPTOM_WORDS]
    if not named:
        what = "a worrying symptom"
    elif len(named) == 1:
        what = named[0]
    else:
        what = ", ".join(named[:-1]) + " and " + named[-1]
    if SEE_DOCTOR_SYMPTOMS & set(symptoms):
        until = ("until you tell kindstep a doctor has seen you, the choices stay very gentle "
                 "and short, and rest is a good one.")
    else:
        until = "for now the choices stay very gentle and short, and rest is a good one."
    return (f"You mentioned {what} while moving. Please check with a doctor before moving "
            f"more; {until}")


def _notes(
    checkin: CheckIn | None,
    recent: _Recent,
    profile: Profile,
    low_energy: bool,
    anxious: bool,
    symptoms: bool = False,
) -> list[str]:
    notes: list[str] = []
    if profile.supervised:
        notes.append(
            "A doctor has advised you to be active only with medical supervision, so on "
            "your own kindstep suggests only slow breathing and gentle stretches; anything "
            "more is for your supervised sessions."
        )
    if profile.see_doctor_first and not symptoms:
        notes.append(
            "Your health answers name chest pain or fainting, a reason to see a doctor "
            "before starting anything new. Until you tell kindstep a doctor has seen you, "
            "it offers only its gentlest choices, and rest."
        )
    elif profile.light_only and not profile.supervised and not symptoms:
        notes.append(
            "Choices stay light for now, as your readiness answers suggest "
            "checking with a doctor first."
        )
    if low_energy:
        notes.append("Today's choices are kept light and short, to match how you feel.")
    if anxious:
        notes.append("Soothing choices come first today, and all of them are light and short.")
    if checkin is None:
        notes.append("Without a check-in today, these are middle-of-the-road and kept gentle.")
    if recent.longest is None:
        notes.append("Starting gently: choices grow as you log a few sessions.")
    if checkin is not None and checkin.minutes_available is not None:
        if checkin.minutes_available < 1:
            notes.append("Time is short today: rest is a full choice, and one minute counts too.")
    return notes

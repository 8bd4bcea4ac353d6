"""Tests for kindstep.core.suggest: what feels possible today."""

from __future__ import annotations

import dataclasses
import doctest
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from importlib import resources

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kindstep.core import suggest as suggest_module
from kindstep.core.catalogue import Catalogue, load_catalogue
from kindstep.core.suggest import REST_WHY, suggestions
from kindstep.core.values import (
    Activity,
    CheckIn,
    History,
    Intensity,
    Offer,
    Profile,
    RestDay,
    Session,
)
from tests.words import unkind

VL, L, M, V = Intensity.VERY_LIGHT, Intensity.LIGHT, Intensity.MODERATE, Intensity.VIGOROUS
TODAY = date(2026, 3, 5)  # a Thursday


def act(code, met, band, default, minimum, tags=(), note=""):
    return Activity(
        code, code.replace("_", " ").capitalize(), met, "00000", 2011, band, default, minimum,
        frozenset(tags), note,
    )  # fmt: skip


HAND = Catalogue(
    [
        act("breathe_bed", 1.3, VL, 5, 1, ["bed", "soothing"], "Stop whenever you like."),
        act("stand_outside", 1.3, VL, 5, 2, ["outdoors"]),
        act("stretch_seated", 1.8, VL, 10, 3, ["seated", "soothing"]),
        act("walk_slow", 2.0, L, 10, 3, ["outdoors"]),
        act("walk_mailbox", 2.8, L, 5, 2, ["outdoors"]),
        act("yoga_gentle", 2.5, L, 15, 5, ["soothing"]),
        act("walk", 2.8, L, 20, 5, ["outdoors"]),
        act("tai_chi", 3.0, M, 20, 10, ["soothing"]),
        act("walk_dog", 3.0, M, 20, 5, ["outdoors", "dog"]),
        act("walk_brisk", 4.3, M, 25, 10, ["outdoors"]),
        act("cycle", 4.0, M, 30, 15, ["outdoors", "equipment"]),
        act("jog", 7.0, V, 20, 10, ["outdoors"]),
        act("swim", 6.0, V, 30, 20, ["equipment"]),
    ]
)
"""A small catalogue so these tests do not wait for data/activities.toml."""


def real_catalogue() -> Catalogue | None:
    if not resources.files("kindstep.data").joinpath("activities.toml").is_file():
        return None
    return load_catalogue()


CATALOGUES = [HAND] + ([real_catalogue()] if real_catalogue() is not None else [])


def checkin(energy=5, anxiety=3, minutes=None, mood=5, day=TODAY):
    return CheckIn(day=day, energy=energy, mood=mood, anxiety=anxiety, minutes_available=minutes)


def sessions(*items):
    """Sessions from (days ago, activity, minutes[, effort]) tuples, oldest first."""
    built = [
        Session(day=TODAY - timedelta(days=ago), activity=code, minutes=minutes, effort=rest[0])
        if rest
        else Session(day=TODAY - timedelta(days=ago), activity=code, minutes=minutes)
        for ago, code, minutes, *rest in items
    ]
    return History(sessions=tuple(sorted(built, key=lambda s: s.day)))


NO_HISTORY = History()
DEFAULT_PROFILE = Profile()


def offer_for(check=None, history=NO_HISTORY, profile=DEFAULT_PROFILE, catalogue=HAND, **kw) -> Offer:
    return suggestions(check, history, profile, catalogue, today=kw.pop("today", TODAY), **kw)


def top(offer: Offer) -> tuple[int, Intensity]:
    return max(c.minutes for c in offer.choices), max(c.intensity for c in offer.choices)


def texts(offer: Offer) -> list[str]:
    return [c.why for c in offer.choices] + [offer.rest.why, *offer.notes]


# --- strategies -------------------------------------------------------------


@st.composite
def cases(draw, with_checkin=True):
    catalogue = draw(st.sampled_from(CATALOGUES))
    codes = [a.code for a in catalogue]
    today = draw(st.dates(date(2024, 1, 1), date(2030, 12, 31)))
    check = None
    include = draw(st.booleans()) if with_checkin is None else with_checkin
    if include:
        check = CheckIn(
            day=today,
            energy=draw(st.integers(0, 10)),
            mood=draw(st.integers(0, 10)),
            anxiety=draw(st.integers(0, 10)),
            minutes_available=draw(st.none() | st.integers(0, 120)),
        )
    history_sessions = draw(
        st.lists(
            st.builds(
                Session,
                day=st.integers(-3, 60).map(lambda ago: today - timedelta(days=ago)),
                activity=st.sampled_from([*codes, "mystery"]),
                minutes=st.integers(1, 120),
                met=st.sampled_from([0.0, 1.5, 2.5, 4.0, 7.0]),
                effort=st.none() | st.integers(0, 10),
            ),
            max_size=30,
        )
    )
    history = History(sessions=tuple(sorted(history_sessions, key=lambda s: s.day)))
    gentle = [a.code for a in catalogue if a.intensity <= L]
    avoided = set(draw(st.sets(st.sampled_from(codes), max_size=6)))
    assume(len([c for c in gentle if c not in avoided]) >= 3)
    profile = Profile(
        liked=frozenset(draw(st.sets(st.sampled_from(codes), max_size=3))),
        avoided=frozenset(avoided),
        light_only=draw(st.booleans()),
    )
    seed = draw(st.integers(0, 2**32))
    return check, history, profile, catalogue, today, seed


def run(case) -> Offer:
    check, history, profile, catalogue, today, seed = case
    return suggestions(check, history, profile, catalogue, today=today, seed=seed)


# --- properties -------------------------------------------------------------


@given(cases(with_checkin=None))
def test_rest_is_always_offered_as_care(case):
    offer = run(case)
    assert offer.rest.why == REST_WHY
    assert offer.rest.label == "Rest"


@given(cases(with_checkin=None))
def test_exactly_three_distinct_choices_come_back_with_whole_minutes(case):
    offer = run(case)
    assert len(offer.choices) == 3
    assert len({c.activity for c in offer.choices}) == 3
    catalogue = case[3]
    for choice in offer.choices:
        assert isinstance(choice.minutes, int) and choice.minutes >= 1
        assert choice.activity in catalogue
        assert choice.intensity == catalogue[choice.activity].intensity
        assert choice.note == catalogue[choice.activity].note
        assert choice.why.endswith(".") and choice.why.count(". ") == 0


@given(cases(with_checkin=None))
def test_every_sentence_is_kind(case):
    for text in texts(run(case)):
        assert text
        assert not unkind(text)


@given(cases(), st.integers(0, 2))
def test_low_energy_never_yields_more_than_light_or_ten_minutes(case, energy):
    check = dataclasses.replace(case[0], energy=energy)
    offer = run((check, *case[1:]))
    for choice in offer.choices:
        assert choice.intensity <= L
        assert choice.minutes <= 10


@given(cases(), st.integers(0, 10), st.integers(0, 10))
def test_raising_energy_never_shrinks_the_offer(case, first, second):
    low, high = sorted((first, second))
    check = case[0]
    low_offer = run((dataclasses.replace(check, energy=low), *case[1:]))
    high_offer = run((dataclasses.replace(check, energy=high), *case[1:]))
    assert top(high_offer)[0] >= top(low_offer)[0]
    assert top(high_offer)[1] >= top(low_offer)[1]


@given(cases(with_checkin=None))
def test_the_same_inputs_give_the_same_offer(case):
    assert run(case) == run(case)


@given(cases(with_checkin=None))
def test_avoided_activities_never_appear(case):
    avoided = case[2].avoided
    assert not {c.activity for c in run(case).choices} & avoided


@given(cases())
def test_minutes_never_exceed_the_time_available(case):
    check = case[0]
    assume(check.minutes_available is not None and check.minutes_available >= 1)
    for choice in run(case).choices:
        assert choice.minutes <= check.minutes_available


@given(cases(with_checkin=None))
def test_light_only_never_yields_above_light(case):
    profile = dataclasses.replace(case[2], light_only=True)
    offer = run((case[0], case[1], profile, *case[3:]))
    assert all(c.intensity <= L for c in offer.choices)
    assert any("doctor" in note for note in offer.notes)


@given(cases(with_checkin=None))
def test_no_history_never_yields_above_a_gentle_start(case):
    offer = run((case[0], History(), *case[2:]))
    assert all(c.intensity <= L and c.minutes <= 10 for c in offer.choices)


@given(cases())
def test_high_anxiety_keeps_choices_light_and_short(case):
    check = dataclasses.replace(case[0], anxiety=8)
    offer = run((check, *case[1:]))
    assert all(c.intensity <= L and c.minutes <= 15 for c in offer.choices)


@given(cases(with_checkin=None))
def test_choices_never_go_beyond_recent_minutes_plus_a_gentle_step(case):
    check, history, profile, catalogue, today, seed = case
    recent = [s for s in history.sessions if today - timedelta(days=27) <= s.day <= today]
    longest = max((s.minutes for s in recent), default=0)
    allowed = max(10, longest + min(5, -(-longest // 4)))
    assert all(c.minutes <= allowed for c in run(case).choices)


# --- the recent-plus-one-step rule ------------------------------------------


def test_a_good_day_offers_the_recent_walk_plus_a_few_gentle_minutes():
    history = sessions((2, "walk", 12))  # Tuesday
    offer = offer_for(checkin(energy=8), history)
    assert top(offer) == (15, L)
    step = next(c for c in offer.choices if c.minutes == 15)
    assert step.activity == "walk"
    assert step.why == "Close to the 12 minutes you moved on Tuesday, plus a few gentle minutes."


@pytest.mark.skipif(real_catalogue() is None, reason="data/activities.toml not written yet")
def test_the_real_catalogue_offers_the_recent_walk_plus_a_few_gentle_minutes():
    offer = offer_for(checkin(energy=8), sessions((2, "walk", 12)), catalogue=real_catalogue())
    walk = next(c for c in offer.choices if c.activity == "walk")
    assert (walk.minutes, walk.intensity) == (15, L)
    assert walk.note == real_catalogue()["walk"].note
    assert all(c.intensity <= L and c.minutes <= 15 for c in offer.choices)


def test_the_step_is_at_most_five_minutes_above_a_long_session():
    offer = offer_for(checkin(energy=9), sessions((3, "walk", 40)))
    assert top(offer)[0] == 45


def test_intensity_stays_at_the_highest_band_done_recently():
    history = sessions((6, "walk", 20), (4, "walk", 20))
    assert top(offer_for(checkin(energy=9), history))[1] == L


def test_three_comfortable_sessions_at_the_top_band_open_one_band_higher():
    history = sessions((6, "walk", 20, 5), (4, "walk", 20), (2, "walk", 20, 4))
    offer = offer_for(checkin(energy=9), history)
    assert top(offer)[1] == M
    assert any("step up" in c.why for c in offer.choices)


def test_after_a_step_up_only_one_choice_is_new_ground_and_the_familiar_thing_stays():
    history = sessions((6, "walk", 20, 5), (4, "walk", 20), (2, "walk", 20, 4))
    for seed in range(10):
        offer = offer_for(checkin(energy=9), history, seed=seed)
        assert [c.intensity for c in offer.choices].count(M) == 1
        assert "walk" in {c.activity for c in offer.choices}


def test_a_hard_latest_session_holds_the_band_where_it_is():
    history = sessions((8, "walk", 20, 5), (6, "walk", 20, 5), (4, "walk", 20), (2, "walk", 20, 9))
    assert top(offer_for(checkin(energy=9), history))[1] == L


def test_sessions_older_than_four_weeks_mean_a_gentle_start_again():
    history = sessions(*[(30 + i, "jog", 40, 3) for i in range(10)])
    offer = offer_for(checkin(energy=9), history)
    assert top(offer) == (10, L)
    assert any("Starting gently" in note for note in offer.notes)


def test_sessions_dated_after_today_are_ignored():
    history = sessions((-2, "jog", 40), (-1, "jog", 40), (-3, "jog", 40))
    assert top(offer_for(checkin(energy=9), history)) == (10, L)


def test_rest_days_do_not_lower_what_is_offered():
    history = sessions((3, "walk", 20))
    with_rest = dataclasses.replace(history, rest_days=(RestDay(TODAY - timedelta(days=1)),))
    assert offer_for(checkin(energy=8), with_rest) == offer_for(checkin(energy=8), history)


# --- sizing the day ---------------------------------------------------------


def test_a_low_energy_day_offers_something_short_and_seated():
    offer = offer_for(checkin(energy=1), sessions((2, "walk_brisk", 30)))
    assert top(offer) == (10, L)
    assert "Short and light, for a low-energy day." in [c.why for c in offer.choices]
    assert any("light and short" in note for note in offer.notes)


def test_an_anxious_day_puts_soothing_choices_first():
    history = sessions((3, "walk_brisk", 30), (2, "walk_brisk", 30))
    offer = offer_for(checkin(energy=6, anxiety=8), history)
    gentlest = offer.choices[0]
    assert "soothing" in HAND[gentlest.activity].tags
    assert gentlest.why == "Slow and soothing, to help settle an anxious day."


def test_little_time_means_choices_that_fit_it():
    history = sessions((3, "walk", 30))
    offer = offer_for(checkin(energy=8, minutes=4), history)
    assert all(c.minutes <= 4 for c in offer.choices)
    assert all(HAND[c.activity].min_minutes <= 4 for c in offer.choices)


def test_when_too_little_fits_the_gentlest_others_are_shortened():
    offer = offer_for(checkin(energy=8, minutes=1), sessions((3, "walk", 30)))
    assert len(offer.choices) == 3
    assert all(c.minutes == 1 for c in offer.choices)
    assert {c.activity for c in offer.choices} <= {"breathe_bed", "stand_outside", "stretch_seated"}
    assert any("shorter than their usual" in note for note in offer.notes)


def test_no_checkin_is_a_middle_of_the_road_day_kept_gentle():
    history = sessions((6, "cycle", 45), (4, "cycle", 45), (2, "cycle", 45))
    offer = offer_for(None, history)
    assert top(offer) == (20, M)
    assert any("Without a check-in" in note for note in offer.notes)


def test_liked_activities_are_favoured():
    history = sessions((5, "walk", 20))
    profile = Profile(liked=frozenset({"walk_mailbox"}))
    for seed in range(10):
        offer = offer_for(checkin(energy=6), history, profile, seed=seed)
        assert "walk_mailbox" in {c.activity for c in offer.choices}


def test_the_three_choices_are_gentle_familiar_and_something_different():
    history = sessions((9, "walk", 20), (5, "walk", 20))
    offer = offer_for(checkin(energy=6), history)
    whys = [c.why for c in offer.choices]
    assert offer.choices[0].intensity == VL
    assert any(c.activity == "walk" and c.minutes == 25 for c in offer.choices)
    assert "Something different, for a little variety." in whys


def test_activities_done_in_the_last_two_days_make_way_for_others():
    history = sessions((10, "walk", 20), (1, "walk_slow", 10), (0, "walk_mailbox", 5))
    for seed in range(10):
        chosen = {c.activity for c in offer_for(checkin(energy=6), history, seed=seed).choices}
        assert not chosen & {"walk_slow", "walk_mailbox"}


def test_the_variety_choice_rotates_across_days():
    history = sessions((20, "walk", 20))
    seen = set()
    for ago in range(14):
        day = TODAY + timedelta(days=ago)
        offer = offer_for(checkin(energy=6, day=day), history, today=day)
        seen |= {c.activity for c in offer.choices}
    assert len(seen) >= 5


def test_too_few_gentle_activities_raise_a_clear_error():
    profile = Profile(avoided=frozenset(a.code for a in HAND if a.intensity <= L) - {"walk"})
    with pytest.raises(ValueError, match="at least three activities"):
        offer_for(checkin(energy=2), History(), profile)


def test_the_offer_is_the_same_in_a_fresh_process_with_a_different_hash_seed():
    code = (
        "from datetime import date; from kindstep.core.suggest import suggestions;"
        "from kindstep.core.values import *; from tests.core.test_suggest import HAND, sessions;"
        "print(suggestions(CheckIn(date(2026,3,5),6,5,3), sessions((3,'walk',20)), Profile(),"
        " HAND, today=date(2026,3,5), seed=7))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
        ).stdout
        for hash_seed in ("1", "2")
    }
    assert len(outputs) == 1


def test_a_call_on_three_years_of_history_takes_under_a_millisecond():
    days = [TODAY - timedelta(days=n) for n in range(3 * 365, -1, -1)]
    history = History(
        sessions=tuple(Session(day=d, activity="walk", minutes=20, effort=4) for d in days)
    )
    check = checkin(energy=7)
    suggestions(check, history, Profile(), HAND, today=TODAY)
    calls = 300
    start = time.perf_counter()
    for seed in range(calls):
        suggestions(check, history, Profile(), HAND, today=TODAY, seed=seed)
    assert (time.perf_counter() - start) / calls < 0.001


def test_the_docstring_example_runs():
    assert doctest.testmod(suggest_module).failed == 0


@pytest.mark.parametrize("catalogue", CATALOGUES)
@pytest.mark.parametrize("symptoms", [("chest_pain",), ("faintness", "palpitations"),
                                      ("severe_breathlessness",)])
def test_after_a_worrying_symptom_only_the_gentlest_short_choices_are_offered(catalogue, symptoms):
    busy = sessions((1, "walk", 30, 3), (2, "walk", 30, 3), (3, "walk", 30, 3))
    before = offer_for(checkin(energy=9, anxiety=1, minutes=60), busy, catalogue=catalogue)
    assert top(before)[0] > 10
    after = offer_for(checkin(energy=9, anxiety=1, minutes=60), busy, catalogue=catalogue,
                      symptoms=symptoms)
    assert len(after.choices) == 3 and len({c.activity for c in after.choices}) == 3
    assert all(c.intensity == VL and c.minutes <= 10 for c in after.choices)
    assert after.notes[0].startswith("You mentioned ")
    assert "Please check with a doctor before moving more" in after.notes[0]
    assert after.rest.why == REST_WHY
    assert not any(unkind(text) for text in texts(after))


def test_after_a_worrying_symptom_avoided_gentlest_choices_leave_light_ones_not_fewer():
    """Three choices still, when the person avoids the very light ones: light, never more."""
    profile = Profile(avoided=frozenset({"breathe_bed", "stand_outside"}))
    offer = offer_for(checkin(energy=9, anxiety=1), profile=profile, symptoms=("chest_pain",))
    assert len(offer.choices) == 3
    assert all(c.intensity <= L and c.minutes <= 10 for c in offer.choices)
    assert all(c.activity not in profile.avoided for c in offer.choices)


# -- readiness answers that differ, and why the day is held back ----------------------------


def test_see_a_doctor_first_keeps_the_gentlest_choices_as_a_symptom_does():
    busy = sessions((1, "walk", 30, 3), (2, "walk", 30, 3), (3, "walk", 30, 3))
    offer = offer_for(checkin(energy=9, anxiety=1, minutes=60), busy,
                      catalogue=load_catalogue(), profile=Profile(see_doctor_first=True))
    assert len(offer.choices) == 3
    assert all(c.intensity == VL and c.minutes <= 10 for c in offer.choices)
    assert any("a reason to see a doctor before starting anything new" in n for n in offer.notes)
    assert not any("Choices stay light for now" in n for n in offer.notes)


@given(energy=st.integers(0, 10), anxiety=st.integers(0, 10), seed=st.integers(0, 50),
       symptoms=st.sampled_from([(), ("chest_pain",), ("palpitations",)]))
def test_supervision_only_ever_offers_breathing_and_gentle_stretches(energy, anxiety, seed,
                                                                     symptoms):
    catalogue = load_catalogue()
    offer = suggestions(checkin(energy=energy, anxiety=anxiety), History(),
                        Profile(supervised=True, light_only=True), catalogue, today=TODAY,
                        seed=seed, symptoms=symptoms)
    assert offer.choices, "breathing and stretches are always there to offer"
    for choice in offer.choices:
        assert catalogue[choice.activity].tags & {"breathing", "stretching"}, choice.activity
    assert any("only with medical supervision" in n for n in offer.notes)
    assert offer.rest.why == REST_WHY


def test_supervision_with_most_of_them_avoided_offers_fewer_never_others():
    avoided = frozenset({"stretch_seated", "stretch_bed", "stretch_standing"})
    offer = suggestions(checkin(), History(), Profile(supervised=True, avoided=avoided),
                        load_catalogue(), today=TODAY)
    assert [c.activity for c in offer.choices] == ["breathe_bed"]


def test_the_catalogue_s_breathing_and_stretching_are_the_gentle_ones():
    tagged = {a.code for a in load_catalogue() if a.tags & {"breathing", "stretching"}}
    assert tagged == {"breathe_bed", "stretch_seated", "stretch_bed", "stretch_standing"}
    assert all(load_catalogue()[code].intensity <= L for code in tagged)


@pytest.mark.parametrize(("profile", "symptoms", "reason"), [
    (Profile(), (), ""),
    (Profile(light_only=True), (), "light_only"),
    (Profile(light_only=True, see_doctor_first=True), (), "see_doctor"),
    (Profile(light_only=True), ("palpitations",), "symptoms"),
    (Profile(supervised=True), ("chest_pain",), "supervised"),
])
def test_kept_light_names_the_reason_that_holds_most(profile, symptoms, reason):
    assert suggest_module.kept_light(profile, symptoms) == reason


def test_the_symptom_note_says_how_long_the_gentlest_choices_last():
    assert "until you tell kindstep a doctor has seen you" in suggest_module.symptom_note(
        ("chest_pain",))
    assert "for now the choices stay very gentle" in suggest_module.symptom_note(
        ("palpitations",))

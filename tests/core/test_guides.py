"""Mindful movement guides: gentle words, and schedules that behave for any session."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kindstep.core.guides import (
    MAX_MINUTES,
    Guide,
    UnknownGuide,
    cue_schedule,
    default_guide_for,
    guide,
    guide_from_dict,
    load_guides,
)
from tests.words import unkind

CODES = ["breath_walk", "feet", "grounding", "body_scan"]


def all_text(g: Guide) -> list[str]:
    return [g.title, g.intro, *g.cues, g.closing]


def assert_well_formed(schedule: list[tuple[int, str]], g: Guide, minutes: int) -> None:
    offsets = [offset for offset, _ in schedule]
    assert offsets == sorted(set(offsets)), "offsets must be strictly increasing"
    assert all(0 <= offset < minutes * 60 for offset in offsets)
    assert schedule[0] == (0, g.intro)
    assert schedule[-1][1] == g.closing
    assert all(text in g.cues for _, text in schedule[1:-1])


def test_there_are_the_four_guides_in_order():
    assert [g.code for g in load_guides()] == CODES


def test_every_guide_has_a_title_intro_cues_and_a_closing_line():
    for g in load_guides():
        assert g.title and g.intro and g.closing
        assert len(g.cues) >= 5, g.code


def test_every_cue_is_a_short_sentence():
    for g in load_guides():
        for cue in g.cues:
            assert len(cue) <= 120, cue
            assert cue[-1] in ".?!", cue


def test_no_guide_uses_a_banned_or_demanding_word():
    for g in load_guides():
        for text in all_text(g):
            assert not unkind(text), (g.code, text)


def test_every_guide_offers_choice_your_pace_and_a_way_out():
    for g in load_guides():
        text = " ".join(all_text(g)).lower()
        assert "stop" in text or "skip" in text, g.code
        assert "skip" in text or "your own pace" in text or "your pace" in text, g.code


def test_no_guide_asks_anyone_to_close_their_eyes():
    for g in load_guides():
        for text in all_text(g):
            lowered = text.lower()
            assert not re.search(r"close your eyes|shut your eyes", lowered), (g.code, text)
            if "eyes" in lowered and "closed" in lowered:  # offered only beside "open"
                assert "open" in lowered, (g.code, text)


def test_guide_finds_a_code_whatever_its_case_or_spaces():
    assert guide(" Body_Scan ").code == "body_scan"


def test_an_unknown_guide_gives_a_kind_error_with_close_matches():
    with pytest.raises(UnknownGuide) as caught:
        guide("breath")
    error = caught.value
    assert isinstance(error, KeyError)
    assert error.suggestions[0] == "breath_walk"
    assert "Did you mean 'breath_walk'?" in str(error)
    assert "grounding" in str(error)  # lists every guide
    assert not unkind(str(error))


def test_an_unknown_guide_with_nothing_close_still_lists_the_guides():
    with pytest.raises(UnknownGuide) as caught:
        cue_schedule("zzzz", 5)
    assert caught.value.suggestions == []
    assert "feet" in str(caught.value)


@pytest.mark.parametrize("code", CODES)
def test_a_one_minute_session_has_the_intro_a_cue_or_two_and_the_closing(code):
    g = guide(code)
    schedule = cue_schedule(g, 1)
    assert_well_formed(schedule, g, 1)
    assert schedule == [(0, g.intro), (15, g.cues[0]), (30, g.cues[1]), (50, g.closing)]


@pytest.mark.parametrize("code", CODES)
def test_a_sixty_minute_session_cycles_through_every_cue_in_order(code):
    g = guide(code)
    schedule = cue_schedule(g, 60)
    assert_well_formed(schedule, g, 60)
    cues = [text for _, text in schedule[1:-1]]
    assert set(cues) == set(g.cues)
    assert len(cues) > len(g.cues)  # it came round again
    assert cues == [g.cues[i % len(g.cues)] for i in range(len(cues))]
    assert schedule[-1][0] == 60 * 60 - 30
    gaps = {b - a for (a, _), (b, _) in itertools.pairwise(schedule[1:-1])}
    assert gaps == {90}


def test_a_ten_minute_session_spreads_each_cue_once_across_the_session():
    g = guide("breath_walk")
    schedule = cue_schedule(g, 10)
    cues = [text for _, text in schedule[1:-1]]
    assert cues == list(g.cues)
    assert schedule[-2][0] > 10 * 60 / 2  # the cues reach the second half, not bunched up front


def test_a_given_interval_spaces_the_cues_evenly():
    schedule = cue_schedule("feet", 5, interval_seconds=45)
    assert [offset for offset, _ in schedule] == [0, 45, 90, 135, 180, 225, 270]


def test_an_interval_longer_than_the_session_gives_just_the_intro_and_closing():
    g = guide("grounding")
    assert cue_schedule(g, 2, interval_seconds=600) == [(0, g.intro), (100, g.closing)]


def test_the_schedule_accepts_a_guide_or_its_code_and_is_deterministic():
    assert cue_schedule("body_scan", 7) == cue_schedule(guide("body_scan"), 7)
    assert cue_schedule("body_scan", 7) == cue_schedule("body_scan", 7)


@pytest.mark.parametrize("minutes", [0, -5, MAX_MINUTES + 1, 2.5, True, "10"])
def test_a_session_length_outside_the_range_is_refused_kindly(minutes):
    with pytest.raises(ValueError, match=f"minutes must be a whole number from 1 to {MAX_MINUTES}"):
        cue_schedule("feet", minutes)


@pytest.mark.parametrize("interval", [0, -1, 1.5, True])
def test_an_interval_that_is_not_a_positive_whole_number_is_refused(interval):
    with pytest.raises(ValueError, match="interval_seconds must be"):
        cue_schedule("feet", 5, interval_seconds=interval)


@given(
    code=st.sampled_from(CODES),
    minutes=st.integers(min_value=1, max_value=MAX_MINUTES),
    interval=st.none() | st.integers(min_value=1, max_value=5000),
)
def test_any_schedule_is_strictly_increasing_and_within_the_session(code, minutes, interval):
    g = guide(code)
    schedule = cue_schedule(g, minutes, interval_seconds=interval)
    assert_well_formed(schedule, g, minutes)
    closing_at = schedule[-1][0]
    assert minutes * 60 - 30 <= closing_at <= minutes * 60 - 10
    if len(schedule) > 2:  # a quiet moment before the closing
        assert closing_at - schedule[-2][0] >= min(10, interval or 15)


def test_a_guide_without_cues_is_refused_loudly():
    with pytest.raises(ValueError, match="at least one cue"):
        guide_from_dict("x", {"title": "T", "intro": "I", "closing": "C", "cues": []})


@pytest.mark.parametrize(
    ("activity", "expected"),
    [
        ("walk", "breath_walk"),
        ("walk_dog", "breath_walk"),
        ("hike_easy", "breath_walk"),
        ("breathe_bed", "body_scan"),
        ("stretch_bed", "body_scan"),
        ("sit_outside", "feet"),
        ("tai_chi_seated", "feet"),
        ("dance_kitchen", "grounding"),
        ("stand_outside", "grounding"),
    ],
)
def test_default_guide_for_catalogue_activities(activity, expected):
    assert default_guide_for(activity) == expected


def test_default_guide_for_an_unlisted_code_reads_the_words_in_it():
    assert default_guide_for("evening_stroll") == "breath_walk"
    assert default_guide_for("lying_stretch") == "body_scan"
    assert default_guide_for("chair_yoga") == "feet"
    assert default_guide_for("something_new") == "grounding"


def test_default_guide_for_uses_the_tags_it_is_given():
    assert default_guide_for("anything", tags={"bed", "soothing"}) == "body_scan"
    assert default_guide_for("anything", tags={"seated"}) == "feet"
    assert default_guide_for("walk", tags=()) == "breath_walk"


def test_every_default_guide_exists():
    for activity in ["walk", "breathe_bed", "sit_outside", "swim"]:
        assert guide(default_guide_for(activity)).code in CODES

"""The shipped activity catalogue (kindstep/data/activities.toml) is complete, honest and kind.

MET values are pinned here twice over: the activities that docs/evidence.md section 6
covers against its table, and every other activity against the 2011
Compendium entry it was checked against. A changed value, a new activity
without a checked source, or an unkind word makes a test here fail.
"""

import re

import pytest

from kindstep.core.catalogue import TAGS, load_catalogue
from kindstep.core.values import Intensity
from tests.words import unkind

CODE_PATTERN = re.compile(r"[a-z][a-z0-9_]*")

SCIENCE_ROWS = {
    # Compendium code: (2011 MET, 2024 MET where checked, else None).
    # Copied from the table in docs/evidence.md section 6; tai chi's 2024 value (3.3)
    # is reported inconsistently, so only its 2011 value is used.
    "17151": (2.0, None),
    "17152": (2.8, None),
    "17165": (3.0, 3.0),
    "17200": (4.3, 4.8),
    "02150": (2.5, 2.3),
    "02101": (2.3, 2.3),
    "07040": (1.3, None),
    "08260": (3.0, 2.3),
    "08245": (3.8, 3.8),
    "03040": (3.0, 3.0),
    "03025": (4.5, 4.5),
    "01010": (4.0, 4.0),
    "18310": (6.0, 6.0),
    "02022": (3.8, 3.8),
    "02024": (2.8, 2.8),
    "02030": (3.5, 3.5),
    "15670": (3.0, None),
    "05025": (2.8, 2.8),
    "05040": (2.5, None),
}

SCIENCE_ACTIVITIES = {
    # activity code: (compendium code, edition, MET), as docs/evidence.md section 6 gives them
    "walk_slow": ("17151", 2011, 2.0),
    "walk_mailbox": ("17151", 2011, 2.0),
    "walk": ("17152", 2011, 2.8),
    "walk_dog": ("17165", 2024, 3.0),
    "walk_brisk": ("17200", 2024, 4.8),
    "yoga_gentle": ("02150", 2024, 2.3),
    "stretch_seated": ("02101", 2024, 2.3),
    "stretch_bed": ("02101", 2024, 2.3),
    "stretch_standing": ("02101", 2024, 2.3),
    "stand_outside": ("07040", 2011, 1.3),
    "garden_light": ("08260", 2024, 2.3),
    "garden": ("08245", 2024, 3.8),
    "dance_slow": ("03040", 2024, 3.0),
    "dance_kitchen": ("03040", 2024, 3.0),
    "dance": ("03025", 2024, 4.5),
    "cycle": ("01010", 2024, 4.0),
    "swim": ("18310", 2024, 6.0),
    "strength_bodyweight": ("02022", 2024, 3.8),
    "strength_light": ("02024", 2024, 2.8),
    "back_exercises": ("02030", 2024, 3.5),
    "tai_chi": ("15670", 2011, 3.0),
    "qigong": ("15670", 2011, 3.0),
    "housework_light": ("05025", 2024, 2.8),
    "tidy_up": ("05040", 2011, 2.5),
}

CHECKED_2011 = {
    # activity code: (2011 compendium code, 2011 MET), each checked against a
    # published 2011 Compendium dataset (code, description and MET).
    "breathe_bed": ("07011", 1.3),  # lying quietly, doing nothing, lying in bed awake
    "sit_outside": ("07021", 1.3),  # sitting quietly, general
    "tai_chi_seated": ("15672", 1.5),  # tai chi, qi gong, sitting, light effort
    "water_plants": ("08230", 1.5),  # watering lawn or garden, standing or walking
    "stand_chat": ("09050", 1.8),  # standing, talking in person, on the phone ...
    "play_kids_seated": ("05170", 2.2),  # sitting, playing with child(ren), light effort
    "walk_friend": ("17162", 2.5),  # walking to neighbor's or family's house, social
    "bird_watch": ("17085", 2.5),  # bird watching, slow walk
    "play_pet_seated": ("05190", 2.5),  # sit, playing with animals, light effort
    "play_catch": ("15235", 2.5),  # football or baseball, playing catch
    "water_walk": ("18367", 2.5),  # water walking, light effort, slow pace
    "play_kids": ("05171", 2.8),  # standing, playing with child(ren), light effort
    "play_dog": ("05192", 3.0),  # walk/run, playing with animals, general, light effort
    "frisbee": ("15240", 3.0),  # frisbee playing, general
    "pilates": ("02105", 3.0),  # pilates, general
    "yoga_flow": ("02180", 3.3),  # yoga, Surya Namaskar
    "strength_bands": ("02054", 3.5),  # resistance training, multiple exercises, 8-15 reps
    "play_kids_active": ("05175", 3.5),  # walking/running, playing with child(ren), moderate
    "stairs": ("17133", 4.0),  # stair climbing, slow pace
    "water_aerobics": ("02120", 5.3),  # water aerobics, water calisthenics, water exercise
    "hike_easy": ("17082", 5.3),  # hiking or walking at a normal pace, fields and hillsides
    "jog_walk": ("12010", 6.0),  # jog/walk combination (jogging under 10 minutes)
    "hike": ("17080", 6.0),  # hiking, cross country
    "jog": ("12020", 7.0),  # jogging, general
    "dance_lively": ("03031", 7.8),  # general dancing (disco, folk, line dancing ...)
}

REQUIRED_CODES = [
    "stand_outside",
    "breathe_bed",
    "stretch_seated",
    "walk_mailbox",
    "walk_slow",
    "walk_dog",
    "yoga_gentle",
    "tai_chi",
    "garden_light",
    "walk_brisk",
    "yoga_flow",
    "cycle",
    "dance",
    "swim",
    "strength_bodyweight",
    "jog",
    "walk",
]



@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_the_catalogue_loads_through_the_core_loader(catalogue):
    assert len(catalogue) > 0
    assert catalogue["walk"].name == "Walk at an easy pace"


def test_it_offers_at_least_thirty_activities(catalogue):
    assert len(catalogue) >= 30


@pytest.mark.parametrize("code", REQUIRED_CODES)
def test_each_activity_the_issue_names_is_there(catalogue, code):
    assert code in catalogue


def test_every_code_is_short_lowercase_and_typeable(catalogue):
    for activity in catalogue:
        assert CODE_PATTERN.fullmatch(activity.code), activity.code
        assert len(activity.code) <= 24, activity.code


@pytest.mark.parametrize("band", list(Intensity))
def test_every_intensity_band_has_at_least_two_activities(catalogue, band):
    assert sum(1 for a in catalogue if a.intensity is band) >= 2


def test_activities_run_from_gentlest_to_hardest(catalogue):
    mets = [a.met for a in catalogue]
    assert mets == sorted(mets)
    assert next(iter(catalogue)).intensity is Intensity.VERY_LIGHT


def test_every_edition_is_2011_or_2024(catalogue):
    for activity in catalogue:
        assert activity.compendium_edition in (2011, 2024), activity.code


def test_every_compendium_code_is_five_digits(catalogue):
    for activity in catalogue:
        assert re.fullmatch(r"\d{5}", activity.compendium_code), activity.code


def test_minutes_are_positive_and_the_minimum_never_exceeds_the_default(catalogue):
    for activity in catalogue:
        assert 0 < activity.min_minutes <= activity.default_minutes <= 120, activity.code


def test_the_gentle_bands_ask_for_only_a_few_minutes(catalogue):
    for activity in catalogue:
        if activity.intensity is Intensity.VERY_LIGHT:
            assert activity.min_minutes <= 2 and activity.default_minutes <= 5, activity.code
        elif activity.intensity is Intensity.LIGHT:
            assert activity.min_minutes <= 5 and activity.default_minutes <= 10, activity.code
        else:
            assert activity.min_minutes <= 10 and activity.default_minutes <= 20, activity.code


def test_every_tag_is_an_allowed_tag(catalogue):
    for activity in catalogue:
        assert activity.tags <= TAGS, (activity.code, activity.tags - TAGS)


def test_values_from_the_science_table_match_it_exactly(catalogue):
    for code, expected in SCIENCE_ACTIVITIES.items():
        activity = catalogue[code]
        found = (activity.compendium_code, activity.compendium_edition, activity.met)
        assert found == expected, code


def test_any_activity_using_a_science_table_code_takes_the_preferred_value(catalogue):
    for activity in catalogue:
        if activity.compendium_code not in SCIENCE_ROWS:
            continue
        met_2011, met_2024 = SCIENCE_ROWS[activity.compendium_code]
        expected = (2024, met_2024) if met_2024 is not None else (2011, met_2011)
        assert (activity.compendium_edition, activity.met) == expected, activity.code


def test_every_other_activity_uses_its_checked_2011_code_and_value(catalogue):
    for code, (compendium_code, met) in CHECKED_2011.items():
        activity = catalogue[code]
        assert activity.compendium_code == compendium_code, code
        assert activity.compendium_edition == 2011, code
        assert activity.met == met, code


def test_every_activity_has_a_checked_source(catalogue):
    unchecked = {a.code for a in catalogue} - set(SCIENCE_ACTIVITIES) - set(CHECKED_2011)
    assert not unchecked


def test_notes_and_names_use_none_of_the_banned_words(catalogue):
    for activity in catalogue:
        assert not unkind(activity.note), activity.code
        assert not unkind(activity.name), activity.code


def test_every_activity_has_a_name_and_a_one_line_note(catalogue):
    for activity in catalogue:
        assert activity.name.strip(), activity.code
        assert activity.note.strip(), activity.code
        assert "\n" not in activity.note, activity.code


def test_every_band_has_something_to_do_without_equipment(catalogue):
    for band in Intensity:
        assert any(
            a.intensity is band and "no_equipment" in a.tags for a in catalogue
        ), band.code


def test_the_gentle_bands_have_options_from_a_chair_and_from_bed(catalogue):
    for band in (Intensity.VERY_LIGHT, Intensity.LIGHT):
        in_band = [a for a in catalogue if a.intensity is band]
        assert any("seated" in a.tags for a in in_band), band.code
        assert any("bed" in a.tags for a in in_band), band.code


def test_there_are_social_and_dog_options(catalogue):
    assert sum(1 for a in catalogue if "social" in a.tags) >= 3
    assert "dog" in catalogue["walk_dog"].tags
    assert sum(1 for a in catalogue if "dog" in a.tags) >= 2


def test_equipment_tags_never_contradict_each_other(catalogue):
    for activity in catalogue:
        assert not {"equipment", "no_equipment"} <= activity.tags, activity.code


def test_any_resource_link_is_https(catalogue):
    for activity in catalogue:
        if activity.resource_url:
            assert activity.resource_url.startswith("https://"), activity.code

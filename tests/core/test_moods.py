"""Daylio's mood scale and suggestions for a person's own mood names (core.moods)."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kindstep.core import moods
from kindstep.core.checks import InvalidInput


def test_the_five_levels_map_onto_0_to_10_as_daylios_own_names_import():
    from kindstep.importers.daylio import DEFAULT_MOODS

    for name, level in moods.DEFAULT_NAMES.items():
        assert moods.scale_value(level) == DEFAULT_MOODS[name]
    assert [moods.level_name(n) for n in range(1, 6)] == ["awful", "bad", "meh", "good", "rad"]


@pytest.mark.parametrize(("text", "level"), [
    ("1", 1), ("5", 5), (" 3 ", 3), ("awful", 1), ("Bad", 2), ("MEH", 3), ("good", 4), ("rad", 5),
])
def test_a_level_is_a_number_from_1_to_5_or_one_of_the_five_names(text, level):
    assert moods.parse_level(text) == level


@pytest.mark.parametrize("text", ["0", "6", "-1", "2.5", "", "okay", "fugly", "²", "10"])
def test_anything_else_is_refused_with_one_line_naming_the_scale(text):
    with pytest.raises(InvalidInput) as caught:
        moods.parse_level(text, name="tired")
    message = caught.value.message
    assert "'tired'" in message and "1 to 5" in message and "\n" not in message


@pytest.mark.parametrize(("text", "placed"), [
    ("tired=2", ("tired", 2)), ("Vaguely  OK=meh", ("vaguely ok", 3)),
    ("a=b=good", ("a=b", 4)), ("ok but sleepy = 3", ("ok but sleepy", 3)),
])
def test_a_placement_is_a_name_and_a_level(text, placed):
    assert moods.parse_placement(text) == placed


@pytest.mark.parametrize(("text", "says"), [
    ("tired", "NAME=LEVEL"), ("=3", "NAME=LEVEL"), ("  =good", "NAME=LEVEL"),
    ("tired=7", "1 to 5"), ("tired=", "1 to 5"), ("rad=4", "Daylio's own five"),
    ("Fugly=1", "Daylio's own five"),
])
def test_a_bad_placement_is_refused_kindly(text, says):
    with pytest.raises(InvalidInput) as caught:
        moods.parse_placement(text)
    assert says in caught.value.message


@pytest.mark.parametrize(("name", "level"), [
    ("rad", 5), ("awful", 1), ("average", 3), ("sad ", 2), ("tired", 2), ("OK", 3),
    ("Refreshed", 4), ("Anxious", 2), ("vaguely ok", 3), ("vaguely good", 3), ("fatigued", 2),
    ("captivated", 4), ("helpless", 1), ("laughing", 5), ("rested", 4), ("ok but sleepy", 3),
    ("very happy", 5), ("really sad", 1), ("not good", 2), ("not bad", 4), ("zorblax", 3),
])
def test_suggestions_follow_the_plain_meaning_of_the_words(name, level):
    assert moods.suggested_level(name) == level


@given(st.text(max_size=80))
def test_a_suggestion_is_always_on_the_scale(name):
    assert 1 <= moods.suggested_level(name) <= 5


@given(st.sampled_from(sorted(moods._WORDS)))
def test_not_mirrors_a_word_around_meh(word):
    assert moods.suggested_level(f"not {word}") == 6 - moods.suggested_level(word)


@given(st.sampled_from(sorted(moods._WORDS)))
def test_a_softening_word_never_moves_a_suggestion_away_from_meh(word):
    plain, soft = moods.suggested_level(word), moods.suggested_level(f"slightly {word}")
    assert abs(soft - 3) <= abs(plain - 3)


@given(st.lists(st.text(max_size=20), max_size=30),
       st.dictionaries(st.text(max_size=20), st.integers(1, 5), max_size=5))
def test_unplaced_names_come_once_each_in_file_order_without_daylios_own_or_placed_ones(names, placed):
    placed = {moods.mood_key(k): v for k, v in placed.items()}
    found = moods.unplaced(names, placed)
    assert len(found) == len(set(found))
    assert not set(found) & (set(moods.DEFAULT_NAMES) | set(placed) | {""})
    keys = [moods.mood_key(n) for n in names]
    assert found == sorted(found, key=keys.index)
    assert set(found) == {k for k in keys if k and k not in moods.DEFAULT_NAMES and k not in placed}


def test_a_mood_key_is_short_and_plain():
    assert moods.mood_key("  Very\tTIRED  ") == "very tired"
    assert len(moods.mood_key("x" * 500)) == moods.MAX_NAME


def test_the_doctests_pass():
    assert doctest.testmod(moods).failed == 0

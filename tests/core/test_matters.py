"""kindstep.core.matters: the values a person may pick, and Today's reasons that name them."""

from __future__ import annotations

import doctest
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kindstep.core import matters as matters_module
from kindstep.core.catalogue import load_catalogue
from kindstep.core.checks import InvalidInput
from kindstep.core.matters import VALUES, clean_matters, with_values
from kindstep.core.suggest import suggestions
from kindstep.core.values import CheckIn, History, Profile
from tests.words import unkind

CATALOGUE = load_catalogue()
SERVES = {a.code: a.serves for a in CATALOGUE}
DAY = date(2026, 3, 5)


def test_every_value_is_served_by_several_activities_and_every_activity_names_only_known_values():
    for code in VALUES:
        assert sum(code in a.serves for a in CATALOGUE) >= 3, code
    for activity in CATALOGUE:
        assert activity.serves <= set(VALUES), activity.code


def test_outdoor_activities_serve_being_outdoors():
    for activity in CATALOGUE:
        assert ("outdoors" in activity.tags) == ("outdoors" in activity.serves), activity.code


@settings(max_examples=150, deadline=None)
@given(energy=st.integers(0, 10), anxiety=st.integers(0, 10), seed=st.integers(0, 50),
       picked=st.lists(st.sampled_from(list(VALUES)), unique=True))
def test_picking_values_changes_only_the_words_never_the_choices(energy, anxiety, seed, picked):
    checkin = CheckIn(DAY, energy, 5, anxiety)
    offer = suggestions(checkin, History(), Profile(), CATALOGUE, today=DAY, seed=seed)
    named = with_values(offer, SERVES, picked)
    assert [(c.activity, c.minutes, c.intensity) for c in named.choices] == \
        [(c.activity, c.minutes, c.intensity) for c in offer.choices]
    assert named.rest == offer.rest and named.notes == offer.notes
    for before, after in zip(offer.choices, named.choices, strict=True):
        assert after.why.startswith(before.why)
        served = [v for v in picked if v in SERVES[before.activity]]
        if served:
            assert after.why.endswith(f"{VALUES[served[0]]}, which you said matters to you.")
        else:
            assert after.why == before.why
        assert unkind(after.why) == []


def test_own_words_are_kept_but_never_named_in_a_reason():
    offer = suggestions(None, History(), Profile(), CATALOGUE, today=DAY)
    assert with_values(offer, SERVES, ["walking by the sea"]) == offer


def test_values_are_checked_and_own_words_kept_as_written():
    assert clean_matters("outdoors,calm", " my  dog , music") == ["outdoors", "calm", "my dog", "music"]
    assert clean_matters([], "") == []
    for picked, own in ((["sport"], ""), ([], "x" * 81), ([], "a\x07b"),
                        (list(VALUES), "a, b, c, d")):
        with pytest.raises(InvalidInput) as err:
            clean_matters(picked, own)
        assert unkind(err.value.message) == []


def test_the_doctests_pass():
    assert doctest.testmod(matters_module).failed == 0

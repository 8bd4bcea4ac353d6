"""Tests for kindstep.core.groups: what a peer group sees, and never ranks or names."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kindstep.core import groups
from kindstep.core.checks import InvalidInput
from kindstep.core.groups import MemberWeek, group_week
from tests.words import unkind

NAMES = st.text(alphabet="abcdefgABCDEFG éß", min_size=1, max_size=12).map(str.strip).filter(bool)
MEMBERS = st.lists(
    st.builds(MemberWeek, active_days=st.integers(0, 7), show_days=st.booleans(), name=NAMES,
              joined=st.integers(0, 1000)),
    max_size=groups.MAX_MEMBERS,
)
COMPARING = re.compile(r"\b(most|least|top|best|worst|rank|ranked|first place|behind|ahead|"
                       r"more than|fewer than|less than|only|didn't|did not|of \d+)\b",
                       re.IGNORECASE)
"""Words that would set one person against another or against the group's size."""


def texts(week) -> list[str]:
    return [week.summary, *(s.words for s in week.shown)]


@given(MEMBERS)
def test_only_members_who_chose_to_show_their_days_are_named(members):
    week = group_week(members)
    shown = [s.name for s in week.shown]
    assert sorted(shown) == sorted(m.name for m in members if m.show_days)
    # Nothing else carries a name: the sentences are the same whatever anyone is called.
    renamed = group_week([MemberWeek(m.active_days, m.show_days, "Someone", m.joined)
                          for m in members])
    assert week.summary == renamed.summary
    assert sorted(s.words for s in week.shown) == sorted(s.words for s in renamed.shown)


@given(MEMBERS)
def test_the_list_is_alphabetical_and_never_ordered_by_days(members):
    week = group_week(members)
    keys = [s.name.casefold() for s in week.shown]
    assert keys == sorted(keys)
    # The same people with everyone's days changed are listed in the very same order.
    changed = [MemberWeek((m.active_days + 3) % 8, m.show_days, m.name, m.joined) for m in members]
    assert [s.name for s in group_week(changed).shown] == [s.name for s in week.shown]


@given(MEMBERS)
def test_the_counts_add_up_and_say_nothing_about_who(members):
    week = group_week(members)
    assert week.members == len(members)
    assert week.moved == sum(1 for m in members if m.active_days)
    assert week.active_days == sum(m.active_days for m in members)
    for text in texts(week):
        assert not unkind(text), text
        assert not COMPARING.search(text), text


@given(MEMBERS, st.randoms())
def test_the_order_people_are_given_in_changes_nothing_but_ties(members, rnd):
    shuffled = list(members)
    rnd.shuffle(shuffled)
    a, b = group_week(members), group_week(shuffled)
    assert (a.members, a.moved, a.active_days, a.summary) == (b.members, b.moved, b.active_days,
                                                              b.summary)
    assert [s.name for s in a.shown] == [s.name for s in b.shown]


def test_a_week_reads_kindly_in_each_case():
    assert group_week([MemberWeek(2)]).summary.startswith("It is just you here")
    assert group_week([MemberWeek(0), MemberWeek(0)]).summary == (
        "A quiet week so far for the group. Rest is care too.")
    assert group_week([MemberWeek(1), MemberWeek(0)]).summary == (
        "This week 1 person in the group moved, on 1 day in all.")
    week = group_week([MemberWeek(0, True, "Robin"), MemberWeek(4, True, "ash")])
    assert [(s.name, s.words) for s in week.shown] == [
        ("ash", "moved on 4 days this week"), ("Robin", "a quiet week so far")]


def test_a_shown_member_without_a_name_is_not_listed():
    assert group_week([MemberWeek(3, True, "")]).shown == ()


@pytest.mark.parametrize("days", [-1, 8, True])
def test_days_outside_a_week_are_refused(days):
    with pytest.raises(ValueError):
        group_week([MemberWeek(days)])


def test_a_group_name_is_tidied_and_checked():
    assert groups.group_name(" Tuesday\u200b\n  walkers ") == "Tuesday walkers"
    for bad in ("", "   ", None, "x" * 61):
        with pytest.raises(InvalidInput) as err:
            groups.group_name(bad)
        assert err.value.field == "name" and not unkind(err.value.message)


def test_showing_days_needs_a_name_and_a_name_has_a_limit():
    assert groups.display_name("  Sam ", show_days=True) == "Sam"
    assert groups.display_name("", show_days=False) == ""
    for bad, show in (("", True), ("  ", True), ("x" * 41, False)):
        with pytest.raises(InvalidInput) as err:
            groups.display_name(bad, show_days=show)
        assert err.value.field == "display_name"


def test_an_invite_code_is_read_as_typed_and_checked_before_any_look_up():
    assert groups.code("abcd efgh-jk23") == "ABCDEFGHJK23"
    assert groups.shown_code("ABCDEFGHJK23") == "ABCD-EFGH-JK23"
    for bad in ("", None, "ABCD", "ABCDEFGHJK2O", "ABCDEFGHJK231"):
        with pytest.raises(InvalidInput) as err:
            groups.code(bad)
        assert err.value.field == "code"

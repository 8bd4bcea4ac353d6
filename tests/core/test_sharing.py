"""core.sharing: what a member may share, when a share is live, the code, and the item-9 flag."""

from __future__ import annotations

import doctest
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kindstep.core import safety, sharing
from kindstep.core.checks import InvalidInput
from tests.words import unkind

TODAY = date(2026, 11, 25)
AT = datetime(2026, 11, 25, 15, tzinfo=UTC)


def test_the_doctests_pass():
    assert doctest.testmod(sharing).failed == 0


def test_scopes_come_back_in_the_pages_order_and_must_be_known_and_at_least_one():
    assert sharing.check_scopes(["notes", " Rhythm ", "rhythm"]) == ("rhythm", "notes")
    with pytest.raises(InvalidInput) as none:
        sharing.check_scopes([])
    with pytest.raises(InvalidInput) as unknown:
        sharing.check_scopes(["rhythm", "passwords"])
    assert none.value.field == unknown.value.field == "scopes"
    assert "notes" not in sharing.DEFAULT_SCOPES


def test_roles_are_a_clinician_or_a_supporter():
    assert sharing.check_role(" Clinician") == "clinician"
    with pytest.raises(InvalidInput):
        sharing.check_role("admin")


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "2026-11-24", "2030-01-01"])
def test_an_end_date_must_be_a_date_from_today_within_two_years(text):
    with pytest.raises(InvalidInput) as refused:
        sharing.check_ends_on(text, today=TODAY)
    assert refused.value.field == "ends_on"


def test_an_empty_end_date_shares_until_stopped_and_today_is_allowed():
    assert sharing.check_ends_on("", today=TODAY) is None
    assert sharing.check_ends_on(" 2026-11-25 ", today=TODAY) == TODAY


@given(st.integers(-400, 400), st.booleans())
def test_a_share_is_live_through_its_last_day_until_revoked(offset, revoked):
    ends = TODAY + timedelta(days=offset)
    live = sharing.is_live(ends_on=ends, revoked_at=AT if revoked else None, today=TODAY)
    assert live == (not revoked and offset >= 0)
    assert sharing.is_live(ends_on=None, revoked_at=None, today=TODAY)


@given(st.binary(min_size=sharing.CODE_LENGTH, max_size=40))
def test_a_made_code_reads_back_as_itself_however_it_is_typed(random):
    code = sharing.make_code(random)
    assert len(code) == sharing.CODE_LENGTH + 1 and code[5] == "-"
    stored = sharing.normalise_code(code)
    assert stored == code.replace("-", "")
    assert sharing.normalise_code(f"  {code.lower()} ") == stored
    assert sharing.normalise_code(code.replace("-", " ")) == stored


def test_a_code_of_the_wrong_shape_normalises_to_nothing():
    assert sharing.normalise_code("ABCDE-FGHJ") == ""
    assert sharing.normalise_code("ABCDE-FGHJ!") == ""
    assert sharing.normalise_code(None) == ""


def _answered(at, scale, answers):
    return sharing.Answered(at=at, day=at.date(), scale=scale, answers=answers)


def test_the_flag_is_phq9_item_9_above_0_since_the_last_look():
    early, late = AT - timedelta(days=3), AT + timedelta(hours=1)
    answered = [_answered(early, "phq9", [0] * 8 + [2]), _answered(late, "gad7", [3] * 7),
                _answered(late, "phq9", [3] * 8 + [0])]
    assert sharing.item9_since(answered, None) == early.date()
    assert sharing.item9_since(answered, AT) is None  # looked since; later answers are 0
    answered.append(_answered(late, "phq9", ["0"] * 8 + ["1"]))  # as stored, even as text
    assert sharing.item9_since(answered, AT) == late.date()


def test_the_flag_message_is_calm_names_no_monitoring_and_carries_the_lines():
    resources = safety.crisis_resources("GB")
    message = sharing.flag_message(TODAY, resources)
    assert message.resources == resources and message.show_lines
    assert sharing.NOT_A_MONITORING_SERVICE in message.body
    assert resources.emergency_instruction in message.body
    for text in (message.title, message.body, sharing.NOT_A_MONITORING_SERVICE,
                 *sharing.SCOPES.values(), *sharing.ROLES.values()):
        assert unkind(text) == []


def test_the_report_needs_rhythm_checkins_and_scores():
    assert sharing.report_allowed(["rhythm", "checkins", "scores"])
    assert not sharing.report_allowed(["rhythm", "scores", "notes"])

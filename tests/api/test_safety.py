"""A PHQ-9 answered through the API with item 9 above 0 carries the crisis lines for the
person's country (``core.scales.safety_answer``, the one item-9 rule), before anything else
can fail: with every other answer refused too."""

from __future__ import annotations

import pytest

from kindstep.store import models
from tests.api.helpers import api_client, call, make_member, token_for

pytestmark = pytest.mark.postgres


@pytest.fixture
def alices_user(alice):  # Alice lives in the UK (tests/conftest.py)
    return make_member("alice@example.org", person=alice)


@pytest.fixture
def member(alices_user):
    return api_client(token_for(alices_user))


def uk_lines(payload) -> None:
    assert payload["country"] == "GB"
    assert payload["emergency"] and payload["lines"]
    assert "Samaritans" in payload["text"]


def test_a_whole_phq9_with_item_9_above_0_is_kept_and_answered_with_help(member, alice):
    response = call(member, "POST", "/api/questionnaires",
                    {"scale": "phq9", "answers": [0, 0, 0, 0, 0, 0, 0, 0, 1]})
    assert response.status_code == 201
    uk_lines(response.json()["safety"])
    assert response.json()["safety_flag"] is True
    assert models.SafetyEvent.objects.filter(person=alice).count() == 1
    pk = response.json()["id"]
    uk_lines(call(member, "GET", f"/api/questionnaires/{pk}").json()["safety"])


@pytest.mark.parametrize("body", [
    {"scale": "phq9", "answers": [0, 0, 7, 0, 0, 0, 0, 0, 2]},  # another answer off the scale
    {"scale": "phq9", "answers": [0, 0, 0, 0, 0, 0, 0, 0, 2, 1]},  # one answer too many
    {"scale": "phq9", "answers": "0,0,0,0,0,0,0,0,3", "difficulty": 9},  # difficulty off
    {"scale": "phq9", "answers": [0, "x", None, 0, 0, 0, 0, 0, 1]},  # not numbers at all
    {"scale": "phq9", "answers": [0, 0, 0, 0, 0, 0, 0, 0, 1], "difficulty": [1]},  # a list
])
def test_help_comes_with_every_refusal_of_an_answer_with_item_9_above_0(
        member, counts, body):
    before = counts()
    response = call(member, "POST", "/api/questionnaires", body)
    assert response.status_code == 422, response.content
    assert response.json()["errors"]
    uk_lines(response.json()["safety"])
    assert counts() == before


def test_help_comes_before_a_read_only_tokens_refusal_too(alices_user, counts):
    before = counts()
    response = call(api_client(token_for(alices_user, read_only=True)), "POST",
                    "/api/questionnaires", {"scale": "phq9", "answers": [0] * 8 + [1]})
    assert response.status_code == 403
    uk_lines(response.json()["safety"])
    assert counts() == before


def test_no_safety_payload_without_item_9_above_0(member):
    for body in ({"scale": "phq9", "answers": [3] * 8 + [0]},
                 {"scale": "gad7", "answers": [3] * 7}, {"scale": "phq9", "answers": [3] * 4}):
        assert call(member, "POST", "/api/questionnaires", body).json().get("safety") is None


def test_the_lines_follow_the_persons_country(charlie):
    response = call(api_client(token_for(make_member("charlie@example.org", person=charlie))),
                    "POST", "/api/questionnaires", {"scale": "phq9", "answers": [0] * 8 + [2]})
    assert response.json()["safety"]["country"] == "US"
    assert "988" in response.json()["safety"]["text"]


def test_a_checkin_at_an_extreme_carries_the_quiet_line_to_help_now(member):
    calm = call(member, "POST", "/api/checkins", {"energy": 5, "mood": 6, "anxiety": 3})
    assert calm.json()["care"] is None
    low = call(member, "POST", "/api/checkins", {"energy": 2, "mood": 0, "anxiety": 10})
    assert low.status_code == 201
    assert low.json()["care"]["message"] and low.json()["care"]["where_help_is"]

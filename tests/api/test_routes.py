"""The API's routes do what the web and the CLI do, through the same actions and queries."""

from __future__ import annotations

import pytest

from kindstep.store import actions, models
from tests.api.helpers import api_client, call, make_member, token_for
from tests.conftest import NOW

pytestmark = pytest.mark.postgres


@pytest.fixture
def member(alice):
    return api_client(token_for(make_member("alice@example.org", person=alice)))


def test_a_checkin_is_recorded_read_changed_and_removed(member, alice):
    made = call(member, "POST", "/api/checkins", {"energy": 4, "mood": 5, "anxiety": 3,
                                                  "note": "slow morning"})
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert made.json()["entry"] == f"c{pk}"
    assert models.CheckIn.objects.get(pk=pk, person=alice).body_note == "slow morning"
    assert [c["id"] for c in call(member, "GET", "/api/checkins").json()] == [pk]
    assert call(member, "GET", f"/api/checkins/{pk}").json()["mood"] == 5
    changed = call(member, "PATCH", f"/api/checkins/{pk}", {"mood": 7, "sleep": 6.5})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["mood"], changed.json()["sleep_hours"]) == (7, 6.5)
    assert call(member, "DELETE", f"/api/checkins/{pk}").status_code == 204
    assert call(member, "GET", f"/api/checkins/{pk}").status_code == 404
    assert models.CheckIn.objects.get(pk=pk).removed_at is not None  # undo can still put it back


def test_a_session_and_a_rest_day_go_through_the_same_actions(member, alice):
    made = call(member, "POST", "/api/sessions", {"activity": "walk", "duration": "25m",
                                                  "after": 6})
    assert made.status_code == 201, made.content
    assert (made.json()["minutes"], made.json()["mood_after"]) == (25, 6)
    pk = made.json()["id"]
    assert call(member, "PATCH", f"/api/sessions/{pk}", {"after": ""}).json()["mood_after"] is None
    rest = call(member, "POST", "/api/rest-days", {"note": "a quiet day"})
    assert rest.status_code == 201
    again = call(member, "POST", "/api/rest-days", {"note": "a quiet day"})
    assert again.status_code == 200 and again.json()["id"] == rest.json()["id"]
    assert call(member, "GET", "/api/rest-days").json()[0]["note"] == "a quiet day"
    assert call(member, "DELETE", f"/api/rest-days/{rest.json()['id']}").status_code == 204
    assert call(member, "GET", "/api/sessions").json()[0]["activity"] == "walk"


@pytest.mark.parametrize(("path", "body", "field", "message"), [
    ("/api/checkins", {"energy": 11, "mood": 5, "anxiety": 3}, "energy", "energy"),
    ("/api/checkins", {"mood": 5, "anxiety": 3}, "energy", "needed"),
    ("/api/checkins", {"energy": [1], "mood": 5, "anxiety": 3}, "energy", "energy"),
    ("/api/sessions", {"activity": "flying", "duration": 10}, "activity", "does not know"),
    ("/api/sessions", {"activity": "walk", "duration": "forever"}, "duration", ""),
    ("/api/rest-days", {"date": "the day after never"}, "date", ""),
    ("/api/questionnaires", {"scale": "gad7", "answers": [1, 2]}, "answers", ""),
    ("/api/questionnaires", {"scale": "bdi", "answers": [1, 2]}, "scale", ""),
])
def test_bad_input_is_422_naming_the_field_and_nothing_is_written(
        member, counts, path, body, field, message):
    before = counts()
    response = call(member, "POST", path, body)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert errors[0]["field"] == field
    assert message.lower() in errors[0]["message"].lower()
    assert counts() == before


def test_the_messages_are_the_ones_the_cli_gives(member):
    from kindstep.core import checks
    from kindstep.core.checks import InvalidInput

    with pytest.raises(InvalidInput) as cli:
        checks.scale("mood", "12")
    response = call(member, "POST", "/api/checkins", {"energy": 4, "mood": "12", "anxiety": 3})
    assert response.json()["errors"] == [{"field": "mood", "message": cli.value.message}]


def test_a_body_that_is_not_json_is_422(member):
    response = member.post("/api/checkins", data="energy=4", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"


def test_editing_with_nothing_to_change_names_it(member, alice):
    row = actions.record_checkin(alice, energy=4, mood=5, anxiety=3, now=NOW)
    response = call(member, "PATCH", f"/api/checkins/{row.pk}", {})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "changes"


def test_a_questionnaire_is_scored_listed_and_deleted(member):
    made = call(member, "POST", "/api/questionnaires",
                {"scale": "phq9", "answers": [1, 1, 0, 0, 1, 0, 0, 0, 0]})
    assert made.status_code == 201, made.content
    assert made.json()["total"] == 3 and made.json()["safety"] is None
    pk = made.json()["id"]
    assert call(member, "GET", f"/api/questionnaires/{pk}").json()["band"] == made.json()["band"]
    assert call(member, "PATCH", f"/api/questionnaires/{pk}", {}).status_code == 405
    assert call(member, "DELETE", f"/api/questionnaires/{pk}").status_code == 204
    assert call(member, "GET", f"/api/questionnaires/{pk}").status_code == 404
    assert call(member, "GET", "/api/questionnaires").json() == []


def test_today_rhythm_insights_and_export_answer(member, alice):
    actions.log_session(alice, activity="walk", duration=10, now=NOW)
    today = call(member, "GET", "/api/today").json()
    assert len(today["choices"]) == 3 and today["rest"]["label"]
    assert call(member, "GET", "/api/rhythm").json()["target_days"] == alice.target_days
    assert "summary" in call(member, "GET", "/api/insights").json()
    export = call(member, "GET", "/api/export")
    import json

    whole = json.loads(b"".join(export.streaming_content))
    assert export.status_code == 200 and export["Content-Type"] == "application/json"
    assert any(s["activity"] == "walk" for s in whole["sessions"])


def test_an_unknown_api_address_answers_json(member):
    response = call(member, "GET", "/api/nowhere/at/all")
    assert response.status_code == 404 and response.json()["detail"]


def test_the_schema_is_served_without_a_token(db):
    response = api_client().get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/checkins/{id}" in response.json()["paths"]

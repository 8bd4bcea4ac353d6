"""Insights and Experiments pages: what they show, their charts, every refusal (422, no write)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from kindstep.reports.charts import svg_is_safe
from kindstep.store import actions, models
from tests.builders import experiment_rows as written
from tests.builders import seed_record
from tests.conftest import NOW
from tests.web.helpers import field_error, page, shows

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)




# -- Insights ------------------------------------------------------------------------------------


def test_the_insights_page_with_no_record_says_what_would_help_and_claims_nothing(client):
    response = client.get("/insights/")
    assert response.status_code == 200
    text = page(response)
    assert "will be enough" in text
    assert "likely between" not in text
    assert 'aria-current="page"' in text and ">Insights<" in text


def test_the_insights_page_shows_estimates_with_intervals_and_pattern_not_proof(client, person):
    seed_record(person)
    text = page(client.get("/insights/"))
    assert "+2.0 points" in text
    assert "likely between" in text
    assert "pattern, not proof" in text


def test_every_chart_has_an_image_a_text_alternative_and_a_table(client, person):
    seed_record(person)
    text = page(client.get("/insights/"))
    for name in ("active_days", "minutes", "mood", "questionnaires", "predictions"):
        assert f'src="/insights/charts/{name}.svg"' in text
    assert text.count('alt="') >= 5
    assert text.count("<table>") == 5
    assert "Mood (latest check-in)" in text


@pytest.mark.parametrize("name", ["active_days", "minutes", "mood", "questionnaires"])
def test_each_chart_is_a_private_svg_with_no_scripts_or_styles(client, person, name):
    seed_record(person)
    actions.answer_questionnaire(person, "phq9", "1,1,1,1,1,1,1,1,0", now=NOW)
    response = client.get(f"/insights/charts/{name}.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "private, no-store"
    svg = page(response)
    assert svg.startswith("<svg") and "<title>" in svg
    assert svg_is_safe(svg)
    assert "red" not in svg.lower().replace("ordered", "")


def test_an_unknown_chart_is_not_found(client):
    assert client.get("/insights/charts/secrets.svg").status_code == 404


# -- Experiments -------------------------------------------------------------------------------


def start(client, **fields):
    form = {"template": "morning_walk", "weeks": "2", "design": "random_days"}
    form.update(fields)
    return client.post("/experiments/start/", form)


def test_the_experiments_page_offers_the_templates_and_a_start_form(client):
    response = client.get("/experiments/")
    assert response.status_code == 200
    assert shows(response, "Does a 10-minute morning walk change my evening mood?")
    assert 'action="/experiments/start/"' in page(response)
    assert 'action="/experiments/log/"' not in page(response)


def test_starting_an_experiment_shows_todays_plan_and_the_rating_form(client, person):
    response = start(client)
    assert response.status_code == 302
    assert response["Location"] == "/experiments/?done=started"
    row = models.Experiment.objects.get()
    assert (row.person_id, row.status, row.protocol["weeks"]) == (person.pk, "active", 2)
    text = page(client.get(response["Location"]))
    assert "Self-experiment, day 1 of 14" in text
    assert 'action="/experiments/log/"' in text and 'action="/experiments/stop/"' in text


def test_an_own_question_can_be_started_from_the_page(client):
    response = start(client, template="own", question="Does dancing change my mood?",
                     intervention="10 minutes of dancing", outcome="mood, 0-10", weeks="4",
                     design="abab")
    assert response.status_code == 302
    protocol = models.Experiment.objects.get().protocol
    assert (protocol["question"], protocol["design"]) == ("Does dancing change my mood?", "abab")


@pytest.mark.parametrize(
    ("fields", "field_id", "words"),
    [
        ({"template": "own"}, None, "Please choose a template"),
        ({"template": "nothing_like_it"}, "template", "There is no template"),
        ({"weeks": "12"}, "weeks", "from 2 to 8"),
        ({"weeks": "soon"}, "weeks", "whole number"),
        ({"design": "zigzag"}, "design", "random_days or abab"),
        ({"design": "abab", "weeks": "3"}, "weeks", "pairs of weeks"),
        ({"template": "own", "question": "Does it help?"}, "intervention",
         "Please give the intervention"),
    ],
)
def test_a_bad_start_is_refused_with_422_a_message_and_nothing_written(client, fields, field_id,
                                                                         words):
    response = start(client, **fields)
    assert response.status_code == 422
    if field_id:
        assert words in (field_error(response, field_id) or "")
    else:
        assert words in page(response)
    assert written() == (0, 0)


def test_a_second_experiment_is_refused_while_one_runs(client):
    start(client)
    response = start(client, template="lunch_walk")
    assert response.status_code == 422
    assert "already running. Stopping it is always fine" in page(response)
    assert "kindstep experiment" not in page(response)  # no command to type on a web page
    assert written() == (1, 0)


def test_rating_the_day_saves_it_and_shows_thanks(client):
    start(client)
    response = client.post("/experiments/log/", {"value": "6", "done": "yes",
                                                 "date": TODAY.isoformat()})
    assert response.status_code == 302
    row = models.ExperimentOutcome.objects.get()
    assert (row.day, row.value, row.done) == (TODAY, 6, True)
    text = page(client.get(response["Location"]))
    assert "rating is saved" in text and "Today's rating so far: 6." in text


@pytest.mark.parametrize(
    ("fields", "field_id", "words"),
    [
        ({"value": ""}, "value", "Please choose a rating"),
        ({"value": "12"}, "value", "from 0 to 10"),
        ({"value": "great"}, "value", "whole number"),
        ({"value": "5", "date": "2026-11-20"}, "rate-date", "outside this experiment"),
        ({"value": "5", "date": "2026-12-20"}, "rate-date", "in the future"),
        ({"value": "5", "date": "yesterday-ish"}, "rate-date", "use YYYY-MM-DD"),
    ],
)
def test_a_bad_rating_is_refused_with_422_a_message_and_nothing_written(client, fields, field_id,
                                                                          words):
    start(client)
    response = client.post("/experiments/log/", fields)
    assert response.status_code == 422
    assert words in (field_error(response, field_id) or "")
    assert written() == (1, 0)


def test_rating_or_stopping_with_nothing_running_is_refused_kindly(client):
    for url, form in (("/experiments/log/", {"value": "5"}), ("/experiments/stop/", {})):
        response = client.post(url, form)
        assert response.status_code == 422
        assert "No self-experiment is running" in page(response)
    assert written() == (0, 0)


def test_stopping_shows_the_honest_result_and_the_start_form_again(client, frozen):
    start(client)
    client.post("/experiments/log/", {"value": "6"})
    frozen.shift(timedelta(days=2))
    response = client.post("/experiments/stop/")
    assert response.status_code == 302
    assert models.Experiment.objects.get().status == "stopped"
    text = page(client.get(response["Location"]))
    assert "Stopping is always fine" in text
    assert "You stopped this experiment after 3 of 14 days" in text
    assert 'action="/experiments/start/"' in text


def test_the_export_is_a_json_file_of_protocol_schedule_and_ratings(client):
    assert client.get("/experiments/export/").status_code == 404
    start(client)
    client.post("/experiments/log/", {"value": "6"})
    response = client.get("/experiments/export/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(page(response))
    assert data["ratings"][0]["rating"] == 6.0 and len(data["schedule"]) == 14


def test_the_get_forms_lead_back_to_the_page(client):
    for url in ("/experiments/start/", "/experiments/log/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/experiments/"
    assert client.get("/experiments/stop/").status_code == 405

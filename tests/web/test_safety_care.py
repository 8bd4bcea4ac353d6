"""The safety path's second pass on the web: the country asked on the first visit and chosen
in place in every safety box, held symptoms and readiness answers that differ, the WHO line
with its source, and Today read through the same ``queries.today_offer`` as the CLI."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import time_machine
from typer.testing import CliRunner

from kindstep.core import safety
from kindstep.core.rhythm import WHO_REFERENCE
from kindstep.store import actions, models
from tests.conftest import NOW
from tests.web.helpers import page

pytestmark = pytest.mark.django_db

SUPPORT = "Support is here, right now"


def without_country(person) -> None:
    """A new record: no country, and never asked for one."""
    models.Person.objects.filter(pk=person.pk).update(country="", country_asked=False)
    person.refresh_from_db()


def phq9(value: int = 0, **items: int) -> dict[str, str]:
    form = {f"item{i}": str(value) for i in range(1, 10)}
    form.update({k: str(v) for k, v in items.items()})
    return form


# -- 2. the first visit asks for the country -------------------------------------------------


def test_the_first_visit_asks_the_country_with_the_time_zone_s_suggestion_chosen(client, person):
    without_country(person)  # Alice's time zone is Europe/London
    text = page(client.get("/"))
    assert "Which country are you in?" in text
    assert "Your time zone suggests United Kingdom" in text
    assert '<option value="GB" selected>United Kingdom</option>' in text
    assert '<option value="JP">Japan</option>' in text  # every country, by name
    assert re.search(r"<option value=\"[A-Z]{2}\"[^>]*>[A-Z]{2}</option>", text) is None
    person.refresh_from_db()
    assert (person.country, person.country_asked) == ("", False)  # never set on its own


def test_the_browser_language_suggests_when_the_time_zone_cannot(client, person):
    without_country(person)
    models.Person.objects.filter(pk=person.pk).update(timezone="UTC")
    text = page(client.get("/", HTTP_ACCEPT_LANGUAGE="en-NZ,en;q=0.8"))
    assert '<option value="NZ" selected>New Zealand</option>' in text


def test_saving_the_country_keeps_it_and_the_question_is_not_asked_again(client, person):
    without_country(person)
    response = client.post("/settings/country/", {"country": "IE", "choice": "save"})
    assert response.status_code == 302 and response["Location"] == "/?country=1"
    person.refresh_from_db()
    assert (person.country, person.country_asked) == ("IE", True)
    text = page(client.get(response["Location"]))
    assert "Help now shows the lines for Ireland at any time" in text
    assert "Which country are you in?" not in text


def test_not_now_is_remembered_and_sets_nothing(client, person):
    without_country(person)
    response = client.post("/settings/country/", {"country": "GB", "choice": "skip"})
    assert response["Location"] == "/"
    person.refresh_from_db()
    assert (person.country, person.country_asked) == ("", True)
    assert "Which country are you in?" not in page(client.get("/"))


@pytest.mark.parametrize("form", [{"country": "", "choice": "save"},
                                  {"country": "Narnia", "choice": "save"}])
def test_saving_nothing_or_a_made_up_country_writes_nothing_and_asks_again(
        client, person, snapshot, form):
    without_country(person)
    before = snapshot()
    response = client.post("/settings/country/", form)
    assert response["Location"] == "/"
    assert snapshot() == before
    assert "Which country are you in?" in page(client.get("/"))


def test_a_country_without_lines_is_named_and_no_number_is_promised(client, person):
    without_country(person)
    client.post("/settings/country/", {"country": "JP", "choice": "save"})
    text = page(client.get("/?country=1"))
    assert "kindstep does not list lines for Japan yet" in text
    assert "call your local emergency number" in text


# -- 2. the safety box offers the country in place --------------------------------------------


def test_the_result_page_s_safety_box_shows_the_chosen_country_s_lines_at_once(client, person):
    without_country(person)
    answered = client.post("/checkins/phq9/", phq9(0, item9=2))
    result_url = answered["Location"]
    text = page(client.get(result_url))
    assert SUPPORT in text and "call your local emergency number" in text
    assert f'<form method="post" action="{result_url}" class="inline country-choice">' in text
    assert '<option value="ZA">South Africa</option>' in text
    chosen = client.post(result_url, {"safety_country": "ZA"})
    assert chosen.status_code == 302 and chosen["Location"] == result_url  # the same page
    person.refresh_from_db()
    assert person.country == "ZA"
    text = page(client.get(result_url))
    assert "SADAG Suicide Crisis Helpline" in text and "0800 567 567" in text
    assert '<a href="tel:112"><strong>112</strong></a>' in text
    assert 'from a landline: <a href="tel:10177"><strong>10177</strong></a>' in text
    assert models.QuestionnaireResponse.objects.count() == 1  # the choice wrote nothing else


def test_a_refused_questionnaire_keeps_its_answers_when_the_country_is_chosen(
        client, person):
    without_country(person)
    form = phq9(1, item9=2)
    del form["item4"]
    refused = client.post("/checkins/phq9/", form)
    assert refused.status_code == 422
    text = page(refused)
    # The answers travel along, hidden, in the safety box's own form.
    assert '<input type="hidden" name="item9" value="2">' in text
    again = client.post("/checkins/phq9/", {**form, "safety_country": "AU"})
    assert again.status_code == 422
    text = page(again)
    assert "Lifeline" in text and "13 11 14" in text
    assert 'name="item9" value="2" checked' in text  # still as sent, to finish
    assert models.QuestionnaireResponse.objects.count() == 0
    person.refresh_from_db()
    assert person.country == "AU"


def test_a_refused_log_with_a_symptom_keeps_the_stop_message_when_the_country_is_chosen(
        client, person, snapshot):
    without_country(person)
    form = {"activity": "walk", "minutes": "0", "symptoms": ["chest_pain"]}
    refused = client.post("/log/", form)
    assert refused.status_code == 422 and "Please stop now and seek medical care." in page(refused)
    assert "call your local emergency number" in page(refused)
    again = client.post("/log/", {**form, "safety_country": "NZ"})
    assert again.status_code == 422
    text = page(again)
    assert "Please stop now and seek medical care." in text
    assert '<a href="tel:111"><strong>111</strong></a>' in text
    assert models.MovementSession.objects.count() == 0
    assert models.SafetyEvent.objects.count() == 0


def test_help_now_takes_the_country_in_place_and_remembers_it(client, person):
    without_country(person)
    response = client.post("/help-now/", {"safety_country": "CA"})
    assert response.status_code == 302 and response["Location"] == "/help-now/"
    text = page(client.get("/help-now/"))
    assert "9-8-8 Suicide Crisis Helpline" in text
    assert '<option value="CA" selected>Canada</option>' in text
    assert "In another country? Show its lines" in text


# -- 5 and 6. held symptoms and readiness answers that differ -----------------------------------


def test_supervision_only_offers_breathing_and_stretches_and_says_why(client, person):
    actions.record_readiness(person, "no,no,no,no,no,no,yes", now=NOW)
    actions.record_checkin(person, energy=8, mood=6, anxiety=2, minutes=60, now=NOW)
    response = client.get("/")
    offer = response.context["offer"]
    allowed = {"breathe_bed", "stretch_seated", "stretch_bed", "stretch_standing"}
    assert offer.choices and {c.activity for c in offer.choices} <= allowed
    assert response.context["kept_light"] == "supervised"
    assert "only with medical supervision" in page(response)
    assert "Rest today" in page(response)


def test_chest_pain_in_the_health_questions_keeps_only_the_gentlest_until_a_doctor(client, person):
    answered = client.post("/readiness/", {"heart": "no", "chest_pain": "yes", "dizziness": "no",
                                           "long_term_condition": "no", "medication": "no",
                                           "bones_joints": "no", "supervised": "no"})
    shown = page(client.get(answered["Location"]))
    assert "is a reason to see a doctor before starting anything new" in shown
    assert "plenty to choose from" not in shown
    actions.record_checkin(person, energy=8, mood=6, anxiety=2, minutes=60, now=NOW)
    response = client.get("/")
    assert response.context["kept_light"] == "see_doctor"
    assert all(c.minutes <= 10 for c in response.context["offer"].choices)
    assert "Gentle for now" in page(response)


def test_a_doctor_s_go_ahead_says_what_it_leaves_when_supervision_was_advised(client, person):
    actions.record_readiness(person, "no,yes,no,no,no,no,yes", now=NOW)
    client.post("/readiness/", {"action": "clearance"})
    text = page(client.get("/readiness/?cleared=1"))
    assert "still suggests only slow breathing and gentle stretches" in text


# -- 8. the WHO line, with its source, not while kept light --------------------------------------


def test_rhythm_gives_the_who_line_with_its_source(client, person):
    actions.log_session(person, activity="walk", duration=20, now=NOW)
    text = page(client.get("/rhythm/"))
    assert "WHO suggests 150–300 minutes" in text
    assert WHO_REFERENCE in text and 'href="https://doi.org/10.1136/bjsports-2020-102955"' in text


def test_rhythm_leaves_the_who_line_out_while_choices_are_kept_light(client, person):
    actions.log_session(person, activity="walk", duration=20, now=NOW)
    actions.record_movement_symptoms(person, ["faintness"], now=NOW)
    text = page(client.get("/rhythm/"))
    assert "150–300" not in text and WHO_REFERENCE not in text
    assert "This week: 20 minutes" in text


def test_why_shows_the_intensity_findings_with_their_certainty(client):
    text = page(client.get("/why/"))
    assert "proportional to the intensity prescribed" in text
    assert "larger effects than low-intensity ones" in text
    assert "has not verified a certainty grade for the 2024 finding" in text


# -- 15.4 Today: one reading for the web and the CLI -----------------------------------------------


@pytest.mark.parametrize("scene", ["plain", "symptom", "supervised", "item9"])
def test_the_web_s_today_and_the_cli_s_today_json_agree(client, person, scene):
    actions.record_checkin(person, energy=6, mood=5, anxiety=3, minutes=40, now=NOW)
    for back in (1, 2, 3):
        actions.log_session(person, activity="walk", duration=25, now=NOW - timedelta(days=back))
    if scene == "symptom":
        actions.record_movement_symptoms(person, ["chest_pain"], now=NOW - timedelta(days=2))
    elif scene == "supervised":
        actions.record_readiness(person, "no,no,no,no,no,no,yes", now=NOW)
    elif scene == "item9":
        actions.answer_questionnaire(person, "phq9", "0,0,0,0,0,0,0,0,1", now=NOW)
    web = client.get("/").context
    from kindstep.cli.main import app

    with time_machine.travel(NOW, tick=False):
        cli = json.loads(CliRunner().invoke(app, ["today", "--json"]).stdout)
    assert [(c["activity"], c["minutes"]) for c in cli["choices"]] == [
        (c.activity, c.minutes) for c in web["offer"].choices]
    assert cli["notes"] == list(web["offer"].notes)
    assert (cli["kept_light"] or "") == web["kept_light"]
    assert cli["symptoms_heeded"] == list(web["symptoms"])
    assert cli["safety_follow_up_open"] == web["safety_event"]
    assert cli["questionnaires_due"] == web["due"]


def test_every_listed_country_in_a_box_is_a_name(client, person):
    without_country(person)
    text = page(client.get("/help-now/"))
    for code, name in safety.listed_countries():
        assert f'<option value="{code}">{name}</option>' in text


def test_the_health_questions_offer_the_doctor_s_word_after_a_held_symptom(client, person):
    """Supervised as well: the symptom still waits for the doctor's word, and the page asks."""
    actions.record_readiness(person, "no,no,no,no,no,no,yes", now=NOW)
    actions.record_clearance(person, now=NOW)
    actions.record_movement_symptoms(person, ["chest_pain"], now=NOW + timedelta(minutes=1))
    text = page(client.get("/readiness/"))
    assert "Has a doctor seen you?" in text and "A doctor has said more is fine" in text

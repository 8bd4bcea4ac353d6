"""Check-ins (PHQ-9, GAD-7, PHQ-2, GAD-2), the item-9 safety path, readiness, Help now, Why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils.html import escape

from kindstep.core import evidence, safety, scales
from kindstep.core.readiness import intro, load_questions
from kindstep.store import actions, models
from tests.conftest import NOW
from tests.web.helpers import field_error, page, shows

pytestmark = pytest.mark.django_db

SCALES = ("phq9", "gad7", "phq2", "gad2")
SUPPORT = "Support is here, right now"


def answers(code: str, value: int = 1, **items: int) -> dict[str, str]:
    """A whole form for ``code``: every item ``value``, with ``item9=3`` style overrides."""
    n = len(scales.get_scale(code).items)
    form = {f"item{i}": str(value) for i in range(1, n + 1)}
    form.update({k: str(v) for k, v in items.items()})
    return form


# -- Check-ins list --------------------------------------------------------------------------------


def test_the_checkins_page_offers_both_questionnaires_and_says_scores_are_not_a_diagnosis(client):
    response = client.get("/checkins/")
    assert response.status_code == 200
    assert 'href="/checkins/phq9/"' in page(response)
    assert 'href="/checkins/gad7/"' in page(response)
    assert "never a diagnosis" in page(response)
    assert "No questionnaires yet." in page(response)


def test_the_checkins_page_lists_scores_newest_first_with_change(client, person):
    actions.answer_questionnaire(person, "phq9", "2,2,2,2,2,2,1,1,0", now=NOW - timedelta(days=28))
    client.post("/checkins/phq9/", answers("phq9", 1, item9=0))
    client.post("/checkins/gad7/", answers("gad7", 0))
    response = client.get("/checkins/")
    text = page(response)
    assert "No questionnaires yet." not in text
    assert "14 of 27" in text and "8 of 27" in text and "0 of 21" in text
    assert "-6 (a reliable improvement)" in text
    assert text.index("8 of 27") < text.index("14 of 27")  # newest first
    assert text.count("<td>first</td>") == 2


# -- Questionnaire pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", SCALES)
def test_each_questionnaire_shows_its_exact_stem_items_options_and_credit(client, code):
    spec = scales.get_scale(code)
    response = client.get(f"/checkins/{code}/")
    assert response.status_code == 200
    assert shows(response, spec.name)
    assert f"<strong>{escape(spec.stem)}</strong>" in page(response)
    for n, item in enumerate(spec.items, 1):
        assert f'<span class="quiet">{n}.</span> {escape(item)}</legend>' in page(response)
        assert f'name="item{n}" value="0"' in page(response)
        assert f'name="item{n}" value="3"' in page(response)
    assert f'name="item{len(spec.items) + 1}"' not in page(response)
    for option in spec.options:
        assert shows(response, option)
    assert f'<p class="credit quiet">{escape(spec.credit)}</p>' in page(response)
    if spec.difficulty_question:
        assert shows(response, spec.difficulty_question)


@pytest.mark.parametrize("code", SCALES)
def test_a_questionnaire_with_a_missing_answer_stores_nothing_and_says_which(
    client, snapshot, code
):
    form = answers(code)
    del form["item2"]
    before = snapshot()
    response = client.post(f"/checkins/{code}/", form)
    assert response.status_code == 422
    assert 'role="alert"' in page(response)
    assert "Please answer question 2; each has four choices from 0 to 3." in page(response)
    assert snapshot() == before
    # The answers already chosen stay chosen.
    assert 'name="item1" value="1" checked' in page(response)


@pytest.mark.parametrize("form", [
    {**answers("phq9", 0, item9=3), "item4": ""},       # another answer left out
    answers("phq9", 0, item9=1, difficulty=7),          # a difficulty out of range
])
def test_item9_above_0_on_a_form_that_comes_back_still_shows_support_first(client, snapshot, form):
    """Help never waits for a finished questionnaire: the answer is not saved, the help shows."""
    form = {k: v for k, v in form.items() if v != ""}
    before = snapshot()
    response = client.post("/checkins/phq9/", form)
    assert response.status_code == 422
    text = page(response)
    assert SUPPORT in text and "Samaritans" in text
    assert '<a href="tel:999"><strong>999</strong></a>' in text
    assert text.index(SUPPORT) < text.index('role="alert"')
    assert snapshot() == before


@pytest.mark.parametrize("item9", ["0", ""])
def test_a_form_that_comes_back_without_item9_above_0_shows_no_crisis_section(client, item9):
    form = {**answers("phq9", 0), "item9": item9, "item3": ""}
    response = client.post("/checkins/phq9/", {k: v for k, v in form.items() if v != ""})
    assert response.status_code == 422
    assert SUPPORT not in page(response)


def test_a_questionnaire_with_several_missing_answers_counts_them(client, snapshot):
    before = snapshot()
    response = client.post("/checkins/phq9/", {"item1": "1"})
    assert response.status_code == 422
    assert "Please answer question 2 (and 7 more)" in page(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "value"), [("item3", "4"), ("item3", "often"), ("difficulty", "9")]
)
def test_a_questionnaire_answer_out_of_range_stores_nothing(client, snapshot, field, value):
    before = snapshot()
    response = client.post("/checkins/phq9/", {**answers("phq9"), field: value})
    assert response.status_code == 422
    assert 'class="field-error"' in page(response)
    assert "0" in page(response).split('role="alert"')[1].split("</div>")[0]
    assert snapshot() == before


@pytest.mark.parametrize("code", SCALES)
def test_a_whole_questionnaire_is_stored_and_shows_its_total_and_band(client, person, code):
    spec = scales.get_scale(code)
    form = answers(code, 1, item9=0) if code == "phq9" else answers(code, 1)
    response = client.post(f"/checkins/{code}/", form, follow=True)
    assert response.redirect_chain[-1][1] == 302 and response.status_code == 200
    row = models.QuestionnaireResponse.objects.get()
    assert (row.person_id, row.scale, row.total) == (person.pk, code, row.total)
    total = sum(int(v) for v in form.values())
    assert row.total == total
    band = spec.band_for(total).label
    assert f"{total} of {spec.max_total}: {escape(band)}" in page(response)
    assert SUPPORT not in page(response)
    assert not models.SafetyEvent.objects.exists()


def test_the_phq9_difficulty_answer_is_kept(client):
    client.post("/checkins/phq9/", {**answers("phq9", 0), "difficulty": "2"})
    assert models.QuestionnaireResponse.objects.get().difficulty == 2


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item9_above_0_shows_support_before_the_score_and_records_it(client, person, item9):
    response = client.post("/checkins/phq9/", answers("phq9", 0, item9=item9), follow=True)
    assert response.status_code == 200
    text = page(response)
    assert SUPPORT in text
    assert "kindstep is not a crisis service" in text
    assert "please reach out now" in text
    assert '<a href="tel:999"><strong>999</strong></a>' in text  # Alice is in the UK
    assert "Samaritans" in text
    score = f"{item9} of 27"
    assert score in text
    assert text.index(SUPPORT) < text.index(score)
    assert text.index("Samaritans") < text.index(score)
    event = models.SafetyEvent.objects.get()
    row = models.QuestionnaireResponse.objects.get()
    assert event.kind == "phq9_item9"
    assert event.detail == {"scale": "phq9", "item": 9, "answer": item9, "response_id": row.pk}
    assert row.safety_flag


def test_the_support_message_uses_the_persons_country(client, person):
    actions.update_settings(person, country="AU")
    text = page(client.post("/checkins/phq9/", answers("phq9", 0, item9=1), follow=True))
    assert '<a href="tel:000"><strong>000</strong></a>' in text
    assert "Lifeline" in text


def test_the_support_message_without_a_country_points_to_the_directory(client, person):
    actions.update_settings(person, country="")
    text = page(client.post("/checkins/phq9/", answers("phq9", 0, item9=2), follow=True))
    assert SUPPORT in text
    assert "Find A Helpline" in text
    assert "call your local emergency number now" in text


def test_reloading_a_result_shows_it_again_and_saves_nothing_more(client, person):
    """The result has its own address: a reload or Back-and-Forward repeats no answer and
    no safety event, and the help still comes first."""
    response = client.post("/checkins/phq9/", answers("phq9", 0, item9=2))
    row = models.QuestionnaireResponse.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/checkins/phq9/{row.pk}/"
    for _ in range(2):
        text = page(client.get(response["Location"]))
        assert SUPPORT in text and text.index(SUPPORT) < text.index("2 of 27")
    assert models.QuestionnaireResponse.objects.count() == 1
    assert models.SafetyEvent.objects.count() == 1


def test_a_result_is_only_its_owners_and_only_under_its_own_scale(client, person, charlie):
    mine = client.post("/checkins/gad7/", answers("gad7", 1))["Location"]
    pk = models.QuestionnaireResponse.objects.get().pk
    assert client.get(mine).status_code == 200
    assert client.get(f"/checkins/phq9/{pk}/").status_code == 404
    assert client.get(f"/checkins/gad7/{pk + 1}/").status_code == 404
    assert client.get(f"/checkins/beck/{pk}/").status_code == 404
    actions.answer_questionnaire(charlie, "gad7", "3,3,3,3,3,3,3", now=NOW)
    theirs = models.QuestionnaireResponse.objects.get(person=charlie).pk
    assert client.get(f"/checkins/gad7/{theirs}/").status_code == 404


@pytest.mark.parametrize("scale", ["beck", "phq8", "PHQ-10", "gad"])
def test_an_unknown_questionnaire_is_a_calm_404(client, scale):
    response = client.get(f"/checkins/{scale}/")
    assert response.status_code == 404
    assert shows(response, "This page isn't here")
    assert client.post(f"/checkins/{scale}/", answers("phq9")).status_code == 404
    assert not models.QuestionnaireResponse.objects.exists()


# -- Readiness -------------------------------------------------------------------------------------


def all_answers(value: str = "no", **overrides: str) -> dict[str, str]:
    form = {q.code: value for q in load_questions()}
    form.update(overrides)
    return {**form, "action": "answer"}


def test_the_readiness_page_asks_every_question(client):
    response = client.get("/readiness/")
    assert response.status_code == 200
    assert shows(response, intro())
    for q in load_questions():
        assert shows(response, q.text)
        assert f'name="{q.code}" value="yes"' in page(response)
        assert f'name="{q.code}" value="no"' in page(response)
    assert "A doctor has said more is fine" not in page(response)


def test_all_no_is_saved_and_keeps_every_choice_open(client, person):
    response = client.post("/readiness/", all_answers("no"))
    assert response.status_code == 302  # the answer has its own address: a reload resends nothing
    assert response["Location"] == "/readiness/?answered=1"
    response = client.get(response["Location"])
    person.refresh_from_db()
    assert person.readiness == {q.code: False for q in load_questions()}
    assert not person.light_only
    assert 'id="result-title">Thank you' in page(response)


def test_any_yes_keeps_suggestions_light_and_offers_clearance(client, person):
    response = client.post("/readiness/", all_answers("no", chest_pain="yes"), follow=True)
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.light_only
    assert person.readiness["chest_pain"] is True
    assert "doctor" in page(response).lower()
    assert "A doctor has said more is fine" in page(client.get("/readiness/"))


def test_clearance_lifts_the_light_cap(client, person):
    client.post("/readiness/", all_answers("no", heart="yes"))
    response = client.post("/readiness/", {"action": "clearance"})
    assert response.status_code == 302
    assert response["Location"] == "/readiness/?cleared=1"
    person.refresh_from_db()
    assert not person.light_only
    shown = page(client.get(response["Location"]))
    assert "kindstep will offer the full range of choices again" in shown
    assert "A doctor has said more is fine" not in shown
    # The earlier answer's address now says what it means today: the go-ahead counts.
    later = page(client.get("/readiness/?answered=1"))
    assert 'id="result-title">Thank you' in later
    assert "A doctor has said more is fine" not in later
    assert not models.Person.objects.get(pk=person.pk).light_only  # a visit changes nothing


def test_skipping_is_remembered_and_today_stops_asking(client, person):
    response = client.post("/readiness/", {"action": "skip"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    person.refresh_from_db()
    assert person.readiness == {"skipped": True}
    assert not person.light_only
    assert "A few health questions, if you like" not in page(client.get("/"))


@pytest.mark.parametrize("gap", ["missing", "maybe"])
def test_a_readiness_answer_left_out_is_asked_for_kindly_and_nothing_saved(client, snapshot, gap):
    form = all_answers("yes")
    if gap == "missing":
        del form["medication"]
    else:
        form["medication"] = "maybe"
    before = snapshot()
    response = client.post("/readiness/", form)
    assert response.status_code == 422
    assert field_error(response, "medication") == "Please choose yes or no for this question."
    assert 'aria-describedby="medication-error"' in page(response)
    assert snapshot() == before
    assert 'name="heart" value="yes" checked' in page(response)


# -- Help now --------------------------------------------------------------------------------------


def test_help_now_shows_the_persons_own_country(client):
    response = client.get("/help-now/")
    assert response.status_code == 200
    text = page(response)
    assert SUPPORT in text
    assert "In an emergency in United Kingdom: call" in text
    assert '<a href="tel:999"><strong>999</strong></a>' in text
    assert "Samaritans" in text
    assert '<option value="GB" selected>' in text


@pytest.mark.parametrize("country", safety.countries())
def test_help_now_shows_each_countrys_emergency_number_and_lines(client, country):
    resources = safety.crisis_resources(country)
    response = client.get(f"/help-now/?country={country}")
    assert response.status_code == 200
    text = page(response)
    number = escape(resources.emergency)
    assert f'<a href="tel:{number}"><strong>{number}</strong></a>' in text
    assert f"In an emergency in {escape(resources.country_name)}" in text
    for line in resources.lines:
        assert f"<strong>{escape(line.name)}</strong>" in text
    assert f'<option value="{country}" selected>' in text


@pytest.mark.parametrize("country", ["XX", "Atlantis", "zz"])
def test_help_now_for_an_unlisted_country_shows_the_international_directory(client, country):
    response = client.get(f"/help-now/?country={country}")
    assert response.status_code == 200
    text = page(response)
    assert "Find A Helpline" in text
    assert "call your local emergency number now" in text
    assert "Samaritans" not in text
    assert '<option value="ZA">South Africa</option>' in text  # names, not bare codes
    assert ">ZA<" not in text


def test_help_now_for_someone_without_a_country_shows_the_directory(client, person):
    actions.update_settings(person, country="")
    text = page(client.get("/help-now/"))
    assert "Find A Helpline" in text


@pytest.mark.parametrize("path", ["/help-now/", "/help-now/?stop=1", "/help-now/?country=XX",
                                  "/help-now/?country=JP"])
def test_without_a_known_country_the_emergency_line_still_says_what_to_call(client, person, path):
    """Never "call" and an empty link: the words for any country, the country chosen in
    place, and no sentence promising a number that Settings cannot give."""
    actions.update_settings(person, country="")
    actions.record_movement_symptoms(person, ["chest_pain"], now=NOW)
    text = page(client.get(path))
    assert 'href="tel:"' not in text
    assert "In an emergency: <strong>call your local emergency number</strong>" in text
    assert "shows its number here" not in text and "Settings</a> shows" not in text
    assert '<select id="safety-country-1" name="safety_country">' in text
    assert '<option value="ZA">South Africa</option>' in text


@pytest.mark.parametrize("country", safety.countries())
def test_every_link_to_a_crisis_line_dials_digits_or_opens_a_real_address(client, country):
    """A tap on a number dials it (one link per number, digits only); e-mail and chat
    words lead to their address or are plain text, never a broken page of ours."""
    import re

    section = page(client.get(f"/help-now/?country={country}")).split("<main")[1].split("</main>")[0]
    section = section.split('<section class="safety"')[1].split("</section>")[0]
    links = re.findall(r'href="([^"]*)"', section)
    assert links
    for href in links:
        assert re.fullmatch(r"tel:\+?[0-9]+|mailto:[^@\s]+@[^@\s]+|https?://\S+|/settings/", href), href
    for line in safety.crisis_resources(country).lines:
        for shown, dialled in line.numbers:
            assert f'<a href="tel:{dialled}">{escape(shown)}</a>' in section


def test_help_now_ignores_unknown_symptoms_in_the_address(client):
    text = page(client.get("/help-now/?symptoms=sore_toe,<script>"))
    assert "Please stop now" not in text
    assert "<script>" not in text.split("<main")[1]


# -- Why it helps ----------------------------------------------------------------------------------


def test_why_shows_every_card_with_its_sources(client):
    response = client.get("/why/")
    assert response.status_code == 200
    cards = evidence.load_cards()
    assert cards
    for card in cards:
        assert f'id="{card.code}-title">{escape(card.title)}</h2>' in page(response)
        assert card.citations
        for citation in card.citations:
            link = f'<a href="https://doi.org/{escape(citation.doi)}" rel="noopener">'
            assert link in page(response)
    assert page(response).count('href="https://doi.org/10.') >= len(cards)

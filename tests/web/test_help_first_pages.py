"""The safety paths on the web: help before anything else, a gentle care note for a high
total, "response" and "remission" only where defined, a quiet line after an extreme check-in.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from kindstep.store import actions, models
from tests.conftest import NOW
from tests.web.helpers import page
from tests.web.test_clinical_pages import SUPPORT, answers

pytestmark = pytest.mark.django_db

CARE_TITLE = "Someone to talk this over with"
CARE_WORDS = "talking with a doctor or clinician soon"
QUIET_LINE = "you don&#39;t have to carry it alone"
HELP_LINK = '<a href="/help-now/">Help now</a>'


# -- item 1: a high total without item 9 -----------------------------------------------------------


@pytest.mark.parametrize(("code", "form", "score"), [
    ("phq9", answers("phq9", 3, item9=0), "24 of 27"),
    ("phq9", answers("phq9", 2, item8=1, item9=0), "15 of 27"),
    ("gad7", answers("gad7", 3), "21 of 21"),
    ("gad7", answers("gad7", 3, item6=0, item7=0), "15 of 21"),
])
def test_a_high_total_shows_a_gentle_care_note_with_help_now(client, code, form, score):
    response = client.post(f"/checkins/{code}/", form, follow=True)
    assert response.status_code == 200
    text = page(response)
    assert SUPPORT not in text  # no crisis box for a high total alone
    assert CARE_TITLE in text and CARE_WORDS in text
    care = text[text.index(CARE_TITLE):]
    assert HELP_LINK in care[:care.index("</section>")]
    assert text.index(score) < text.index(CARE_TITLE)
    assert not models.SafetyEvent.objects.exists()


@pytest.mark.parametrize(("code", "form"), [
    ("phq9", answers("phq9", 2, item8=0, item9=0)),  # 14
    ("gad7", answers("gad7", 2)),                    # 14
])
def test_a_total_below_the_range_shows_no_care_note(client, code, form):
    text = page(client.post(f"/checkins/{code}/", form, follow=True))
    assert CARE_TITLE not in text and CARE_WORDS not in text


def test_item9_with_a_high_total_shows_the_crisis_box_first_and_the_care_note_after(client):
    text = page(client.post("/checkins/phq9/", answers("phq9", 3, item9=1), follow=True))
    assert text.index(SUPPORT) < text.index("25 of 27") < text.index(CARE_TITLE)


# -- item 3: help before anything else can fail ----------------------------------------------------


@pytest.mark.parametrize("form", [
    {**answers("phq9", 0, item9=3), "item3": "often"},   # another answer unreadable
    {**answers("phq9", 0, item9=2), "item1": "4"},       # another answer out of range
    answers("phq9", 0, item9=7),                          # item 9 itself out of range
    {**answers("phq9", 0, item9=1), "difficulty": "9"},  # a refused difficulty
    {"item9": "2"},                                       # nothing else answered at all
])
def test_item9_above_0_on_a_refused_form_still_shows_the_whole_message_first(
    client, snapshot, form
):
    before = snapshot()
    response = client.post("/checkins/phq9/", form)
    assert response.status_code == 422
    text = page(response)
    assert SUPPORT in text and "Samaritans" in text and "116 123" in text
    assert '<a href="tel:999"><strong>999</strong></a>' in text
    assert text.index(SUPPORT) < text.index('role="alert"')
    assert snapshot() == before


def test_without_a_country_a_refused_form_still_shows_a_whole_message(client, person, snapshot):
    actions.update_settings(person, country="")
    before = snapshot()
    text = page(client.post("/checkins/phq9/", {"item9": "1"}))
    assert SUPPORT in text
    assert "call your local emergency number" in text
    assert "findahelpline.com" in text
    assert snapshot() == before


# -- item 4: "response" and "remission" only where defined -----------------------------------------


def main(response) -> str:
    """The page's own words, from ``<main>`` on (the head names htmx's response settings)."""
    text = page(response)
    return text[text.index("<main"):]


def test_a_first_low_phq9_with_item9_above_0_never_says_remission(client):
    text = main(client.post("/checkins/phq9/", answers("phq9", 0, item9=1), follow=True))
    assert SUPPORT in text
    assert "remission" not in text.lower()


def test_two_gad7s_minutes_apart_are_not_called_a_response(client, person):
    actions.answer_questionnaire(person, "gad7", "3,3,3,3,2,0,0", now=NOW - timedelta(minutes=5))
    text = main(client.post("/checkins/gad7/", answers("gad7", 0), follow=True))
    assert "response" not in text and "remission" not in text
    assert "0 of 21" in text


def test_two_phq9s_two_weeks_apart_name_response_and_remission(client, person):
    actions.answer_questionnaire(person, "phq9", "3,3,2,2,2,2,1,1,0", now=NOW - timedelta(days=14))
    text = page(client.post("/checkins/phq9/", answers("phq9", 0), follow=True))
    assert "clinicians call a drop like this a response" in text
    assert "range clinicians call remission" in text


# -- item 7: a check-in at an extreme --------------------------------------------------------------


def checkin(client, mood: int, anxiety: int):
    return client.post("/checkin/", {"energy": "3", "mood": str(mood), "anxiety": str(anxiety)},
                       follow=True)


def test_a_checkin_at_both_extremes_adds_one_quiet_line_pointing_to_help_now(client):
    text = page(checkin(client, 1, 9))
    assert text.count(QUIET_LINE) == 1
    line = text[text.index(QUIET_LINE):]
    assert HELP_LINK in line[:line.index("</p>")]
    assert SUPPORT not in text  # a quiet line, not the crisis box


def test_an_ordinary_checkin_adds_no_line(client):
    assert QUIET_LINE not in page(checkin(client, 2, 8))


def test_the_same_extreme_three_checkins_running_adds_the_line(client, person, frozen):
    for days_ago in (2, 1):
        actions.record_checkin(person, energy=4, mood=1, anxiety=4,
                               now=NOW - timedelta(days=days_ago))
    assert QUIET_LINE in page(checkin(client, 0, 3))


def test_the_line_follows_the_latest_checkin_not_a_note(client, person):
    assert QUIET_LINE in page(checkin(client, 0, 10))
    response = client.post("/checkin/", {"energy": "3", "mood": "6", "anxiety": "3",
                                         "note": "I want it all to stop"}, follow=True)
    assert QUIET_LINE not in page(response)  # the numbers decide, never the words

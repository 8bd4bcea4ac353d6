"""Today: the check-in, three choices and rest, and the gentle offers beside them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kindstep.core.values import Intensity
from kindstep.store import actions, models
from tests.conftest import NOW
from tests.web.helpers import field_error, page

pytestmark = pytest.mark.django_db


def checkin(person, **values):
    defaults = {"energy": 5, "mood": 5, "anxiety": 3, "minutes": 30}
    return actions.record_checkin(person, now=NOW, **{**defaults, **values})


def test_a_first_visit_shows_the_checkin_form_and_no_choices(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "What feels possible today?" in page(response)
    assert 'action="/checkin/"' in page(response)
    for name in ("energy", "mood", "anxiety"):
        assert f'name="{name}"' in page(response)
    assert response.context["offer"] is None
    assert '<li class="choice">' not in page(response)
    assert 'href="/?skip=1"' in page(response)


def test_after_a_checkin_today_shows_exactly_three_choices_and_rest(client, person):
    checkin(person)
    response = client.get("/")
    assert response.status_code == 200
    assert page(response).count('<li class="choice">') == 3
    assert page(response).count('<li class="choice rest">') == 1
    assert "Rest today" in page(response)
    assert len(response.context["offer"].choices) == 3
    assert "Sized to your check-in: energy 5, mood 5, anxiety 3, 30 minutes free" in page(response)
    # Each choice can be started with a guide or logged with one tap.
    assert page(response).count("Start with a guide</a>") == 3
    assert page(response).count(">I did this</button>") == 3


def test_skipping_the_checkin_still_offers_three_gentle_choices_and_rest(client):
    response = client.get("/?skip=1")
    assert response.status_code == 200
    assert page(response).count('<li class="choice">') == 3
    assert '<li class="choice rest">' in page(response)
    assert "No check-in yet today" in page(response)


def test_a_checkin_is_stored_and_leads_back_to_today(client, person):
    form = {"energy": "3", "mood": "4", "anxiety": "6", "minutes": "15"}
    response = client.post("/checkin/", form)
    assert response.status_code == 302
    assert response["Location"] == "/"
    row = models.CheckIn.objects.get()
    assert (row.person_id, row.energy, row.mood, row.anxiety, row.minutes_available) == (
        person.pk, 3, 4, 6, 15,
    )
    assert row.day.isoformat() == "2026-11-25"


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"energy": "11", "mood": "4", "anxiety": "3"}, "energy", "Energy is a number from 0"),
        ({"energy": "3", "mood": "4", "anxiety": "-1"}, "anxiety", "Anxiety is a number from 0"),
        ({"energy": "3", "anxiety": "3"}, "mood", "mood"),
        ({"energy": "3", "mood": "4", "anxiety": "3", "minutes": "5000"}, "minutes", "0 to 1440"),
    ],
)
def test_a_bad_checkin_comes_back_with_a_kind_message_beside_the_field_and_nothing_written(
    client, snapshot, values, field, words
):
    before = snapshot()
    response = client.post("/checkin/", values)
    assert response.status_code == 422
    message = field_error(response, field)
    assert message is not None, page(response)
    assert words.lower() in message.lower()
    assert "0 to" in message
    assert "None" not in message
    assert snapshot() == before
    # The values given are kept, so nothing has to be tapped again.
    if values.get("energy") == "3":
        assert 'name="energy" value="3" checked' in page(response)


def test_a_checkin_page_with_a_message_still_hides_offers_already_answered(client, person):
    actions.record_readiness(person, None, now=NOW)
    response = client.post("/checkin/", {"energy": "11", "mood": "4", "anxiety": "3"})
    assert response.status_code == 422
    assert "A few health questions, if you like" not in page(response)


def test_the_questionnaire_offer_appears_fourteen_days_after_the_last(client, person):
    for code, answers in (("phq9", "1,1,1,0,0,0,0,0,0"), ("gad7", "1,1,0,0,0,0,0")):
        actions.answer_questionnaire(person, code, answers, now=NOW - timedelta(days=14))
    response = client.get("/")
    assert "A two-weekly check-in, whenever you like" in page(response)
    assert 'href="/checkins/phq9/"' in page(response)
    assert 'href="/checkins/gad7/"' in page(response)


def test_the_questionnaire_offer_waits_until_two_weeks_have_passed(client, person):
    for code, answers in (("phq9", "1,1,1,0,0,0,0,0,0"), ("gad7", "1,1,0,0,0,0,0")):
        actions.answer_questionnaire(person, code, answers, now=NOW - timedelta(days=13))
    response = client.get("/")
    assert "A two-weekly check-in" not in page(response)


def test_the_questionnaire_offer_stays_away_when_offers_are_turned_off(client, person):
    actions.answer_questionnaire(person, "phq9", "1,1,1,0,0,0,0,0,0", now=NOW - timedelta(days=30))
    actions.set_checkin_reminders(person, False)
    assert "A two-weekly check-in" not in page(client.get("/"))
    checkin(person)
    assert "A two-weekly check-in" not in page(client.get("/"))


def test_the_readiness_offer_shows_until_it_is_answered(client, person):
    assert "A few health questions, if you like" in page(client.get("/"))
    actions.record_readiness(person, "no,no,no,no,no,no,no", now=NOW)
    assert "A few health questions, if you like" not in page(client.get("/"))


def test_the_readiness_offer_goes_once_it_is_skipped(client, person):
    actions.record_readiness(person, None, now=NOW)
    assert "A few health questions, if you like" not in page(client.get("/"))


def test_an_open_safety_event_shows_a_kind_note_with_the_help_link(client, person):
    actions.answer_questionnaire(person, "phq9", "1,1,1,1,1,1,1,1,1", now=NOW - timedelta(days=1))
    response = client.get("/")
    assert "How are things today?" in page(response)
    assert "you don't have to carry it alone" in page(response)
    note = page(response).split('id="care-title"')[1].split("</section>")[0]
    assert 'href="/help-now/"' in note


def test_a_checkin_after_a_safety_event_counts_as_asking_so_the_note_comes_once(client, person):
    actions.answer_questionnaire(person, "phq9", "1,1,1,1,1,1,1,1,1", now=NOW - timedelta(days=1))
    assert "How are things today?" in page(client.get("/"))
    client.post("/checkin/", {"energy": "3", "mood": "4", "anxiety": "3"})
    assert models.SafetyEvent.objects.get().acknowledged_at is not None
    assert "How are things today?" not in page(client.get("/"))


def test_after_chest_pain_while_moving_today_offers_only_the_gentlest_and_says_why(client, person):
    """Reported on the Log form: Today asks for a doctor's word before more, and sizes down."""
    for days_ago in (1, 2, 3):
        actions.log_session(person, activity="walk", duration="30", effort="3",
                            now=NOW - timedelta(days=days_ago))
    checkin(person, energy=8, mood=6, anxiety=2, minutes=60)
    assert max(c.minutes for c in client.get("/").context["offer"].choices) > 10
    logged = client.post("/log/", {"activity": "walk", "minutes": "20",
                                   "symptoms": ["chest_pain", "faintness"], "next": "/"})
    assert logged["Location"].startswith("/help-now/?stop=1&done=s")
    response = client.get("/")
    text = page(response)
    choices = response.context["offer"].choices
    assert len(choices) == 3
    assert all(c.intensity == Intensity.VERY_LIGHT and c.minutes <= 10 for c in choices)
    assert "Please check with a doctor before moving more" in text
    assert "You mentioned chest pain and feeling faint or dizzy while moving" in text
    assert 'href="/help-now/?stop=1"' in text and "chest_pain" not in text
    assert "Rest today" in text  # rest is still offered, as an equal
    assert "How are things today?" not in text  # that note is for a hard PHQ-9 answer
    assert response.context["kept_light"] == "symptoms"


def test_chest_pain_keeps_today_gentlest_after_the_next_check_in_until_a_doctor_has_seen_them(
        client, person, frozen):
    """A check-in the next day no longer lifts it: only the doctor's word (clearance) does."""
    for days_ago in (1, 2, 3):
        actions.log_session(person, activity="walk", duration="30", effort="3",
                            now=NOW - timedelta(days=days_ago))
    client.post("/log/", {"activity": "walk", "minutes": "20", "symptoms": ["chest_pain"]})
    frozen.shift(timedelta(days=2))
    client.post("/checkin/", {"energy": "8", "mood": "6", "anxiety": "2", "minutes": "60"})
    response = client.get("/")
    choices = response.context["offer"].choices
    assert all(c.intensity == Intensity.VERY_LIGHT and c.minutes <= 10 for c in choices)
    assert "until you tell kindstep a doctor has seen you" in page(response)
    assert 'href="/readiness/"' in page(response)
    cleared = client.post("/readiness/", {"action": "clearance"})
    assert cleared.status_code == 302
    response = client.get("/")
    assert max(c.minutes for c in response.context["offer"].choices) > 10
    assert response.context["kept_light"] == ""
    assert "After what you noticed while moving" not in page(response)


def test_no_safety_note_without_an_event(client):
    assert "How are things today?" not in page(client.get("/"))


def test_after_i_did_this_today_says_so_kindly(client, person):
    checkin(person)
    response = client.post("/log/", {"activity": "walk", "minutes": "10", "next": "/"})
    assert response.status_code == 302
    assert response["Location"].startswith("/?done=s")
    assert "Logged. Every bit of movement counts." in page(client.get(response["Location"]))


def test_today_never_offers_more_than_light_while_light_only_is_on(client, person):
    # Recent comfortable moderate sessions and a high-energy day would invite more than light.
    for days_ago in (1, 2, 3, 4):
        actions.log_session(person, activity="yoga_flow", duration="40", effort="3",
                            now=NOW - timedelta(days=days_ago))
    checkin(person, energy=9, mood=7, anxiety=1, minutes=60)
    unbounded = client.get("/").context["offer"].choices
    assert max(c.intensity for c in unbounded) > Intensity.LIGHT

    client.post("/readiness/", {q: "no" for q in _codes()} | {"heart": "yes", "action": "answer"})
    person.refresh_from_db()
    assert person.light_only
    response = client.get("/")
    choices = response.context["offer"].choices
    assert len(choices) == 3
    assert all(c.intensity <= Intensity.LIGHT for c in choices)
    for label in ("moderate", "vigorous"):
        assert f"minutes · {label}</p>" not in page(response)


def _codes() -> list[str]:
    from kindstep.core.readiness import load_questions

    return [q.code for q in load_questions()]


def test_get_on_the_checkin_address_leads_back_to_today(client):
    # After a refused check-in the address bar shows /checkin/; reloading it must not be a dead end.
    response = client.get("/checkin/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_today_shows_the_days_self_experiment_assignment(client, person, now):
    from kindstep.store import actions

    actions.start_experiment(person, template=1, now=now)
    html = client.get("/").content.decode()
    assert "Your self-experiment today" in html
    assert "/experiments/" in html


def test_today_says_nothing_of_experiments_when_none_is_running(client):
    assert "Your self-experiment today" not in client.get("/").content.decode()


def test_while_paused_today_asks_no_check_in_and_shows_the_pause_and_gentle_choices(client,
                                                                                   person):
    from tests.words import unkind

    actions.start_pause(person, reason="unwell", now=NOW)
    response = client.get("/")
    text = page(response)
    assert response.status_code == 200
    assert "A quick check-in" not in text and 'href="/?skip=1"' not in text
    assert "You&#39;re unwell, so kindstep is paused: nothing counts against you." in text
    assert "Paused. Nothing counts against you meanwhile." in text
    assert text.count('<li class="choice">') == 3 and "Rest today" in text
    assert all(c.intensity <= Intensity.LIGHT for c in response.context["offer"].choices)
    assert "No check-in yet today" not in text
    assert "<summary>Check in, if you like</summary>" in text  # there, never pressed
    assert not unkind(text)
    actions.end_pause(person, now=NOW)  # the pause over, Today asks for its check-in again
    assert "A quick check-in" in page(client.get("/"))

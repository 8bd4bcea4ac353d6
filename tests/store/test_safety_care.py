"""The store's side of the safety path's second pass: the one settings action (the country
by name, asked once), the doctor's go-ahead with its time, and Today read once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kindstep.core.checks import InvalidInput
from kindstep.store import actions, models, queries
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def test_the_country_is_saved_by_name_or_code_and_remembers_it_was_asked(alice):
    models.Person.objects.filter(pk=alice.pk).update(country="", country_asked=False)
    alice.refresh_from_db()
    actions.update_settings(alice, country="New Zealand")
    alice.refresh_from_db()
    assert (alice.country, alice.country_asked) == ("NZ", True)
    actions.update_settings(alice, country="jp")
    alice.refresh_from_db()
    assert alice.country == "JP"


def test_a_skip_remembers_the_question_and_sets_no_country(alice):
    models.Person.objects.filter(pk=alice.pk).update(country="", country_asked=False)
    alice.refresh_from_db()
    actions.update_settings(alice, country_asked=True)
    alice.refresh_from_db()
    assert (alice.country, alice.country_asked) == ("", True)


@pytest.mark.parametrize(("change", "field"), [
    ({"country": "Narnia"}, "country"), ({"country": "XX"}, "country"),
    ({"questionnaires": "sometimes"}, "questionnaires"), ({"timezone": "Mars/Olympus"}, "timezone"),
])
def test_one_refused_setting_saves_none_of_the_others(alice, change, field):
    before = models.Person.objects.values().get(pk=alice.pk)
    with pytest.raises(InvalidInput) as refused:
        actions.update_settings(alice, **{"target_days": 6, "questionnaires": "off",
                                          "country": "IE", **change})
    assert refused.value.field == field
    assert models.Person.objects.values().get(pk=alice.pk) == before


def test_questionnaire_offers_turned_on_again_mean_now(alice):
    actions.postpone_questionnaires(alice, 7, now=NOW)
    actions.update_settings(alice, questionnaires="off")
    alice.refresh_from_db()
    assert not alice.checkin_reminders
    actions.update_settings(alice, questionnaires="on")
    alice.refresh_from_db()
    assert alice.checkin_reminders and alice.questionnaire_postponed_until is None


def test_a_doctor_s_go_ahead_is_kept_with_its_time_from_either_switch(alice):
    actions.record_clearance(alice, now=NOW)
    alice.refresh_from_db()
    assert alice.cleared_at == NOW
    later = NOW + timedelta(days=3)
    actions.record_readiness(alice, "yes,no,no,no,no,no,no", now=later, doctor_go_ahead=True)
    alice.refresh_from_db()
    assert alice.cleared_at == later and not alice.light_only
    actions.record_readiness(alice, "yes,no,no,no,no,no,no", now=later + timedelta(days=1))
    alice.refresh_from_db()
    assert alice.cleared_at == later and alice.light_only  # new answers keep the old go-ahead


def test_today_offer_holds_everything_today_shows(alice):
    actions.record_checkin(alice, energy=5, mood=5, anxiety=3, minutes=30, now=NOW)
    actions.answer_questionnaire(alice, "phq9", "0,0,0,0,0,0,0,0,1", now=NOW)
    actions.record_movement_symptoms(alice, ["faintness"], now=NOW)
    shown = queries.today_offer(alice, NOW)
    assert shown.day == NOW.date() and shown.latest.energy == 5
    assert len(shown.offer.choices) == 3
    assert shown.symptoms == ("faintness",) and shown.kept_light == "symptoms"
    assert shown.safety_follow_up_open is True
    assert shown.due == ["gad7"]
    assert shown.ask_country is False  # Alice lives in the UK
    assert shown == queries.today_offer(alice, NOW)  # the same reading, every time


def test_today_offer_can_wait_for_a_check_in(alice):
    assert queries.today_offer(alice, NOW, without_checkin=False).offer is None
    assert queries.today_offer(alice, NOW).offer is not None

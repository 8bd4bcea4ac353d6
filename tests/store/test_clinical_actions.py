"""Questionnaires, readiness and safety events: stored whole or not at all, read back as core values."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kindstep.core import scales
from kindstep.core.checks import InvalidInput
from kindstep.store import actions, models, queries
from tests.conftest import row_counts

pytestmark = pytest.mark.django_db(transaction=False)

PHQ9_NONE = [0] * 9
PHQ9_MODERATE = [2, 2, 2, 2, 2, 2, 1, 1, 0]  # 14, Moderate


@pytest.fixture
def rows(db):
    """How many rows each table a person owns holds, and the person's clinical settings."""

    def _rows(person) -> dict:
        person.refresh_from_db()
        return {
            **row_counts(),
            "readiness": person.readiness,
            "light_only": person.light_only,
            "reminders": person.checkin_reminders,
            "postponed": person.questionnaire_postponed_until,
        }

    return _rows


# -- questionnaires ---------------------------------------------------------------


def test_a_questionnaire_is_stored_whole_with_its_score(alice, now):
    row, result = actions.answer_questionnaire(alice, "PHQ-9", "2,2,2,2,2,2,1,1,0",
                                               difficulty="1", now=now)
    row.refresh_from_db()
    assert row.scale == "phq9"
    assert row.answers == PHQ9_MODERATE
    assert (row.total, row.band, row.difficulty, row.safety_flag) == (14, "Moderate", 1, False)
    assert row.taken_at == now and row.day == date(2026, 11, 25)
    assert isinstance(result, scales.Result)
    assert (result.total, result.band) == (14, "Moderate")
    assert not models.SafetyEvent.objects.exists()


def test_the_score_is_compared_with_the_persons_earlier_results(alice, now):
    actions.answer_questionnaire(alice, "phq9", PHQ9_MODERATE, now=now - timedelta(days=14))
    actions.answer_questionnaire(charlie_like(), "phq9", [3] * 9, now=now - timedelta(days=7))
    _, result = actions.answer_questionnaire(alice, "phq9", [1, 1, 1, 1, 1, 1, 1, 0, 0], now=now)
    assert result.change == -7
    assert result.reliable_change == "improved"
    assert result.response is True


def charlie_like():
    """Someone else whose answers must never count in Alice's scores."""
    return models.Person.objects.create(timezone="UTC", country="US")


@pytest.mark.parametrize(
    ("scale", "answers", "difficulty", "words"),
    [
        ("phq9", [0, 1, 2], None, "PHQ-9 has 9 questions; 3 answers were given."),
        ("phq9", [0] * 10, None, "10 answers were given"),
        ("phq9", [0, 0, 0, 0, 4, 0, 0, 0, 0], None, "Answer 5 must be between 0 and 3."),
        ("phq9", [0, 0, 0, 0, -1, 0, 0, 0, 0], None, "Answer 5 must be between 0 and 3."),
        ("phq9", "0,1,x,0,0,0,0,0,0", None, "Answer 3 ('x') must be a whole number"),
        ("phq9", "", None, "Please give your answers"),
        ("phq9", None, None, "Please answer every question of the PHQ-9"),
        ("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 3], 4, "The difficulty answer is a number from 0 to 3"),
        ("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 3], "lots", "The difficulty answer is a whole number"),
        ("gad7", [1] * 7, 1, "GAD-7 has no difficulty question"),
        ("phq10", [0] * 9, None, "There is no questionnaire called 'phq10'"),
    ],
)
def test_out_of_range_or_missing_answers_are_refused_and_nothing_is_stored(
    alice, now, rows, scale, answers, difficulty, words
):
    before = rows(alice)
    with pytest.raises(InvalidInput) as refused:
        actions.answer_questionnaire(alice, scale, answers, difficulty=difficulty, now=now)
    assert words in refused.value.message
    assert rows(alice) == before


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_item_9_above_0_records_a_safety_event_with_the_response(alice, now, item9):
    row, result = actions.answer_questionnaire(alice, "phq9", [0] * 8 + [item9], now=now)
    assert result.safety_flag and row.safety_flag
    event = models.SafetyEvent.objects.get()
    assert event.person == alice and event.at == now
    assert event.kind == "phq9_item9"
    assert event.detail == {"scale": "phq9", "item": 9, "answer": item9, "response_id": row.pk}
    assert event.acknowledged_at is None


def test_item_9_at_0_records_no_safety_event(alice, now):
    actions.answer_questionnaire(alice, "phq9", [3] * 8 + [0], now=now)
    assert not models.SafetyEvent.objects.exists()


def test_a_questionnaire_and_its_safety_event_land_together_or_not_at_all(alice, now, rows, monkeypatch):
    before = rows(alice)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(models.SafetyEvent.objects, "create", broken)
    with pytest.raises(RuntimeError):
        actions.answer_questionnaire(alice, "phq9", [0] * 8 + [2], now=now)
    assert rows(alice) == before


def test_history_returns_core_results_oldest_first_one_scale_or_all(alice, charlie, now):
    actions.answer_questionnaire(alice, "phq9", PHQ9_MODERATE, now=now - timedelta(days=28))
    actions.answer_questionnaire(alice, "gad7", [1] * 7, now=now - timedelta(days=20))
    actions.answer_questionnaire(alice, "phq9", [0, 0, 0, 0, 1, 1, 1, 0, 0], now=now)
    actions.answer_questionnaire(charlie, "phq9", [3] * 9, now=now)
    phq = queries.questionnaire_history(alice, "phq9")
    assert [(r.code, r.total) for r in phq] == [("phq9", 14), ("phq9", 3)]
    assert phq[1].remission is True and phq[1].reliable_change == "improved"
    everything = queries.questionnaire_history(alice)
    assert [r.code for r in everything] == ["phq9", "gad7", "phq9"]
    assert all(isinstance(r, scales.Result) for r in everything)


# -- cadence -------------------------------------------------------------------------


def test_both_questionnaires_are_due_for_someone_who_has_taken_none(alice):
    assert queries.questionnaire_due(alice, date(2026, 11, 25)) == ["phq9", "gad7"]


def test_a_questionnaire_is_due_after_14_days_and_not_before(alice, now):
    actions.answer_questionnaire(alice, "phq9", PHQ9_NONE, now=now)  # day 2026-11-25
    actions.answer_questionnaire(alice, "gad7", [0] * 7, now=now)
    assert queries.questionnaire_due(alice, date(2026, 11, 25)) == []
    assert queries.questionnaire_due(alice, date(2026, 12, 8)) == []  # 13 days
    assert queries.questionnaire_due(alice, date(2026, 12, 9)) == ["phq9", "gad7"]  # 14 days


def test_postponing_quietens_the_offer_for_a_week(alice, now, rows):
    until = actions.postpone_questionnaires(alice, now=now)
    assert until == date(2026, 12, 2)
    assert rows(alice)["postponed"] == date(2026, 12, 2)
    assert queries.questionnaire_due(alice, date(2026, 12, 1)) == []
    assert queries.questionnaire_due(alice, date(2026, 12, 2)) == ["phq9", "gad7"]


@pytest.mark.parametrize("days", [0, 91, "soon", -3])
def test_a_postponement_out_of_range_is_refused_and_nothing_is_written(alice, now, rows, days):
    before = rows(alice)
    with pytest.raises(InvalidInput) as refused:
        actions.postpone_questionnaires(alice, days, now=now)
    assert "Days to wait" in refused.value.message and "from 1 to 90" in refused.value.message
    assert rows(alice) == before


def test_reminders_off_means_nothing_is_ever_due_and_on_brings_them_back(alice, now):
    actions.postpone_questionnaires(alice, 30, now=now)
    actions.set_checkin_reminders(alice, False)
    assert queries.questionnaire_due(alice, date(2027, 6, 1)) == []
    actions.set_checkin_reminders(alice, "on")
    alice.refresh_from_db()
    assert alice.checkin_reminders and alice.questionnaire_postponed_until is None
    assert queries.questionnaire_due(alice, date(2026, 11, 26)) == ["phq9", "gad7"]


def test_reminders_refuse_anything_but_on_or_off(alice, rows):
    before = rows(alice)
    with pytest.raises(InvalidInput) as refused:
        actions.set_checkin_reminders(alice, "sometimes")
    assert "on or off" in refused.value.message
    assert rows(alice) == before


# -- readiness -------------------------------------------------------------------------


def test_any_yes_keeps_suggestions_light(alice, now):
    result = actions.record_readiness(alice, "no,yes,no,no,no,no,no", now=now)
    alice.refresh_from_db()
    assert result.light_only and alice.light_only
    assert alice.readiness["chest_pain"] is True
    assert sum(alice.readiness.values()) == 1


def test_all_no_leaves_the_full_range(alice, now):
    result = actions.record_readiness(alice, [False] * 7, now=now)
    alice.refresh_from_db()
    assert not result.light_only and not alice.light_only
    assert alice.readiness and not any(alice.readiness.values())


def test_clearance_lifts_the_light_cap(alice, now):
    actions.record_readiness(alice, "yes,no,no,no,no,no,no", now=now)
    actions.record_clearance(alice, now=now)
    alice.refresh_from_db()
    assert not alice.light_only and alice.cleared_at == now
    assert alice.readiness["heart"] is True  # the answers stay as given


def test_a_yes_with_a_doctors_go_ahead_is_not_capped(alice, now):
    result = actions.record_readiness(alice, "yes,no,no,no,no,no,no", now=now, doctor_go_ahead=True)
    alice.refresh_from_db()
    assert result.any_yes and not alice.light_only


def test_skipping_readiness_is_remembered(alice, now):
    assert actions.record_readiness(alice, None, now=now) is None
    alice.refresh_from_db()
    assert alice.readiness == {"skipped": True}
    assert not alice.light_only


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        ("yes,no", "There are 7 readiness questions; 2 answers were given."),
        ("no,no,maybe,no,no,no,no", "Answer 3 ('maybe') needs to be yes or no."),
        ([True] * 8, "8 answers were given"),
        ({"heart": True}, "Please answer the question 'chest_pain'"),
    ],
)
def test_readiness_answers_kindstep_cannot_use_are_refused_and_nothing_is_written(
    alice, now, rows, answers, words
):
    before = rows(alice)
    with pytest.raises(InvalidInput) as refused:
        actions.record_readiness(alice, answers, now=now)
    assert words in refused.value.message
    assert rows(alice) == before


# -- safety events ----------------------------------------------------------------------


def test_movement_symptoms_are_recorded_with_their_session(alice, now):
    session = actions.log_session(alice, activity="walk", duration=10, now=now)
    event = actions.record_movement_symptoms(alice, "chest_pain, palpitations", now=now,
                                             session=session)
    event.refresh_from_db()
    assert event.kind == "movement_symptom"
    assert event.detail == {"symptoms": ["chest_pain", "palpitations"], "session_id": session.pk}


@pytest.mark.parametrize(
    ("symptoms", "words"),
    [("", "Please name at least one symptom"), ("chest_pain,itchy", "the symptom 'itchy'"),
     ([], "Please name at least one symptom")],
)
def test_unknown_or_no_symptoms_are_refused_and_nothing_is_written(alice, now, rows, symptoms, words):
    before = rows(alice)
    with pytest.raises(InvalidInput) as refused:
        actions.record_movement_symptoms(alice, symptoms, now=now)
    assert words in refused.value.message
    assert "chest_pain, faintness" in refused.value.message
    assert rows(alice) == before


def test_someone_elses_session_is_refused(alice, charlie, now, rows):
    theirs = actions.log_session(charlie, activity="walk", duration=10, now=now)
    before = rows(alice)
    with pytest.raises(InvalidInput):
        actions.record_movement_symptoms(alice, ["faintness"], now=now, session=theirs)
    assert rows(alice) == before


def test_the_last_open_safety_event_is_found_until_a_check_in_asks_about_it(alice, charlie, now):
    assert queries.last_safety_event(alice) is None
    actions.answer_questionnaire(alice, "phq9", [0] * 8 + [1], now=now - timedelta(days=1))
    latest = actions.record_movement_symptoms(alice, ["faintness"], now=now)
    actions.record_movement_symptoms(charlie, ["chest_pain"], now=now + timedelta(minutes=1))
    assert queries.last_safety_event(alice) == latest
    assert actions.acknowledge_safety_events(alice, now=now) == 2
    assert queries.last_safety_event(alice) is None
    assert queries.last_safety_event(charlie) is not None  # Charlie's stay his own

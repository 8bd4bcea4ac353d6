"""Self-experiment actions: start, rate, stop; one running at a time; refusals write nothing.

Runs on SQLite and, with KINDSTEP_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kindstep.core import experiments
from kindstep.core.checks import InvalidInput
from kindstep.store import actions, mapping, queries
from kindstep.store.models import Experiment, ExperimentOutcome
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)  # NOW in Europe/London


def rows() -> tuple[int, int]:
    return Experiment.objects.count(), ExperimentOutcome.objects.count()


def test_starting_from_a_template_stores_the_whole_protocol(alice):
    row = actions.start_experiment(alice, template="1", weeks=2, seed=7, now=NOW)
    assert (row.status, row.started_on, row.stopped_on) == ("active", TODAY, None)
    protocol = mapping.protocol(row)
    assert protocol == experiments.from_template("morning_walk", start=TODAY, seed=7, weeks=2)
    assert queries.active_experiment(alice) == row


def test_a_template_can_be_named_by_its_code_and_its_words_changed(alice):
    row = actions.start_experiment(alice, template="stretch_anxiety", outcome="calm, 0-10",
                                   design="abab", weeks=4, seed=1, now=NOW)
    protocol = mapping.protocol(row)
    assert protocol.outcome == "calm, 0-10"
    assert protocol.design == "abab"
    assert "stretching" in protocol.intervention


def test_an_own_question_needs_its_words_and_gets_a_random_seed(alice):
    row = actions.start_experiment(alice, question="Does dancing change my mood?",
                                   intervention="10 minutes of dancing", outcome="mood, 0-10",
                                   now=NOW)
    assert row.protocol["seed"] >= 0
    assert row.protocol["weeks"] == 4


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({}, "question", "Please choose a template"),
        ({"template": "99"}, "template", "There is no template '99'"),
        ({"template": "²"}, "template", "There is no template '²'"),
        ({"template": "١"}, "template", "There is no template '١'"),
        ({"template": "1", "weeks": "9"}, "weeks", "from 2 to 8"),
        ({"template": "1", "weeks": "1"}, "weeks", "from 2 to 8"),
        ({"template": "1", "weeks": "four"}, "weeks", "whole number"),
        ({"template": "1", "design": "crossover"}, "design", "random_days or abab"),
        ({"template": "1", "design": "abab", "weeks": 3}, "weeks", "pairs of weeks"),
        ({"template": "1", "seed": "-3"}, "seed", "from 0"),
        ({"question": "Does it help?"}, "intervention", "Please give the intervention"),
        ({"question": "Q?", "intervention": "walk"}, "outcome", "Please give the outcome"),
        ({"question": "x" * 301, "intervention": "walk", "outcome": "mood"}, "question",
         "under 300"),
    ],
)
def test_a_bad_setting_is_refused_kindly_and_nothing_is_written(alice, kwargs, field, words):
    with pytest.raises(InvalidInput) as err:
        actions.start_experiment(alice, now=NOW, **kwargs)
    assert err.value.field == field
    assert words in err.value.message
    assert rows() == (0, 0)


def test_only_one_experiment_runs_at_a_time(alice, charlie):
    actions.start_experiment(alice, template="1", now=NOW)
    with pytest.raises(InvalidInput, match="already running"):
        actions.start_experiment(alice, template="2", now=NOW)
    assert rows() == (1, 0)
    actions.start_experiment(charlie, template="2", now=NOW)  # Charlie's own is separate
    assert rows() == (2, 0)


def test_an_experiment_past_its_last_day_is_finished_when_a_new_one_starts(alice):
    first = actions.start_experiment(alice, template="1", weeks=2, now=NOW)
    later = NOW + timedelta(days=20)
    second = actions.start_experiment(alice, template="2", now=later)
    first.refresh_from_db()
    assert first.status == "finished"
    assert queries.active_experiment(alice) == second


def test_the_database_itself_refuses_two_running_experiments(alice):
    from django.db import IntegrityError, transaction

    row = actions.start_experiment(alice, template="1", now=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        Experiment.objects.create(person=alice, protocol=row.protocol, started_on=TODAY)


def test_rating_a_day_stores_it_and_rating_again_replaces_it(alice):
    actions.start_experiment(alice, template="1", now=NOW)
    row, created = actions.log_experiment_outcome(alice, "6", done=True, now=NOW)
    assert created and (row.day, row.value, row.done) == (TODAY, 6, True)
    row, created = actions.log_experiment_outcome(alice, 7, now=NOW)
    assert not created and (row.value, row.done) == (7, True)
    assert rows() == (1, 1)


def test_rating_a_day_again_without_done_keeps_the_earlier_done_answer(alice):
    actions.start_experiment(alice, template="1", now=NOW)
    actions.log_experiment_outcome(alice, 6, done=False, now=NOW)
    row, created = actions.log_experiment_outcome(alice, 4, now=NOW)
    row.refresh_from_db()
    assert not created and (row.value, row.done) == (4, False)
    # Saying it again does change it.
    row, _ = actions.log_experiment_outcome(alice, 5, done=True, now=NOW)
    row.refresh_from_db()
    assert (row.value, row.done) == (5, True)
    assert rows() == (1, 1)


@pytest.mark.parametrize(
    ("value", "day", "field", "words"),
    [
        ("11", None, "value", "from 0 to 10"),
        ("-1", None, "value", "from 0 to 10"),
        ("six", None, "value", "whole number from 0 to 10"),
        ("5", "2026-11-24", "date", "outside this experiment"),
        ("5", "2026-11-26", "date", "in the future"),
        ("5", "25/11/2026", "date", "use YYYY-MM-DD"),
    ],
)
def test_a_bad_rating_is_refused_and_nothing_is_written(alice, value, day, field, words):
    actions.start_experiment(alice, template="1", now=NOW)
    with pytest.raises(InvalidInput) as err:
        actions.log_experiment_outcome(alice, value, day=day, now=NOW)
    assert err.value.field == field
    assert words in err.value.message
    assert rows() == (1, 0)


def test_rating_or_stopping_without_a_running_experiment_is_refused(alice):
    with pytest.raises(InvalidInput, match="No self-experiment is running"):
        actions.log_experiment_outcome(alice, 5, now=NOW)
    with pytest.raises(InvalidInput, match="No self-experiment is running"):
        actions.stop_experiment(alice, now=NOW)
    assert rows() == (0, 0)


def test_charlie_cannot_rate_alices_experiment(alice, charlie):
    actions.start_experiment(alice, template="1", now=NOW)
    with pytest.raises(InvalidInput):
        actions.log_experiment_outcome(charlie, 5, now=NOW)
    assert rows() == (1, 0)


def test_stopping_early_keeps_the_days_so_far_and_says_so(alice):
    row = actions.start_experiment(alice, template="1", weeks=2, seed=3, now=NOW)
    for i in range(5):
        actions.log_experiment_outcome(alice, 5 + i % 3, now=NOW + timedelta(days=i))
    stopped = actions.stop_experiment(alice, now=NOW + timedelta(days=4))
    assert (stopped.status, stopped.stopped_on) == ("stopped", TODAY + timedelta(days=4))
    assert queries.active_experiment(alice) is None
    found, protocol, ratings, outcome = queries.experiment_result(alice, TODAY + timedelta(days=9))
    assert found.pk == row.pk and len(ratings) == 5
    assert outcome.stopped_early and outcome.days_so_far == 5
    assert "stopping is always fine" in outcome.plain


def test_stopping_on_the_last_day_counts_as_finishing(alice):
    actions.start_experiment(alice, template="1", weeks=2, now=NOW)
    row = actions.stop_experiment(alice, now=NOW + timedelta(days=13))
    assert (row.status, row.stopped_on) == ("finished", None)


def test_a_full_experiment_with_a_planted_lift_shows_it(alice):
    row = actions.start_experiment(alice, template="1", weeks=4, seed=11, now=NOW)
    protocol = mapping.protocol(row)
    for a in experiments.schedule(protocol):
        at = NOW + timedelta(days=(a.day - TODAY).days)
        value = 7 if a.condition == "B" else 4
        actions.log_experiment_outcome(alice, value, done=a.condition == "B", now=at)
    _, _, ratings, outcome = queries.experiment_result(alice, protocol.end)
    assert len(ratings) == 28 and outcome.complete
    assert outcome.estimate == pytest.approx(3.0)
    assert outcome.intervention_adherence == 1.0
    assert outcome.p_value is not None and outcome.p_value < 0.01


def test_todays_assignment_follows_the_schedule(alice):
    row = actions.start_experiment(alice, template="1", weeks=2, seed=5, now=NOW)
    plan = queries.experiment_today(alice, TODAY)
    expected = experiments.assignment_for(mapping.protocol(row), TODAY)
    assert plan["condition"] == expected.condition
    assert plan["day"] == 1 and plan["days"] == 14
    assert plan["line"].startswith("Self-experiment, day 1 of 14")
    assert queries.experiment_today(alice, TODAY + timedelta(days=14)) is None


def test_insights_for_feeds_the_record_and_questionnaires(alice):
    for i in range(20):
        at = NOW - timedelta(days=i)
        actions.record_checkin(alice, energy=5, mood=4 + (i % 2) * 2, anxiety=3, now=at)
        if i % 2:
            actions.log_session(alice, activity="walk", duration=15, before=4, after=6, now=at)
    actions.answer_questionnaire(alice, "phq9", "1,1,1,1,1,1,1,1,0", now=NOW - timedelta(days=20))
    actions.answer_questionnaire(alice, "phq9", "0,0,1,0,1,0,1,0,0", now=NOW)
    result = queries.insights_for(alice, TODAY)
    assert result.active_vs_rest.enough_data
    assert result.active_vs_rest.estimate == pytest.approx(2.0)
    assert result.before_after.n == 10
    assert result.questionnaires.as_dict()["scales"]["phq9"]["totals"] == [8, 3]

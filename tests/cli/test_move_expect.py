"""`kindstep move` asks, if you like, how good you expect it to feel before it starts (the
web's "Before you start", issue 22), stored through the same action; Enter skips, and it is
not asked off a terminal or with --no-expect. After the timer it asks how you feel, so
Insights can compare the two."""

from __future__ import annotations

import pytest

from kindstep.cli import move
from kindstep.store import models, queries
from tests.cli.test_clinical_commands import at_a_terminal, run  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

FAST = {move.SPEED_ENV: "600"}
QUESTION = "how good do you expect this to feel"


def _written() -> tuple:
    return (list(models.Prediction.objects.values_list("activity", "expected", "session_id")),
            list(models.MovementSession.objects.values_list("activity", "minutes", "mood_after")))


def test_at_a_terminal_the_guess_and_the_feeling_after_are_kept_as_a_pair(run, at_a_terminal):
    result = run("move", "walk", "1", input="7\n8\n\n", env=FAST)  # guess, after, nothing worrying
    assert result.exit_code == 0, result.output
    assert QUESTION in result.stdout and "Noted." in result.stdout
    assert result.stdout.index(QUESTION) < result.stdout.index("Ctrl-C stops at any time")
    session = models.MovementSession.objects.get()
    assert session.mood_after == 8
    prediction = models.Prediction.objects.get()
    assert (prediction.activity, prediction.expected, prediction.session_id) == (
        "walk", 7, session.pk)
    person = models.Person.objects.get()
    assert [(e, a) for _, _, e, a in queries.prediction_pairs(person)] == [(7, 8)]


def test_enter_skips_the_question_and_nothing_more_is_asked(run, at_a_terminal):
    result = run("move", "walk", "1", input="\n\n", env=FAST)
    assert result.exit_code == 0, result.output
    assert QUESTION in result.stdout and "how do you feel now" not in result.stdout
    assert _written() == ([], [("walk", 1, None)])


def test_a_guess_outside_0_to_10_is_asked_again(run, at_a_terminal):
    result = run("move", "walk", "1", input="eleven\n12\n4\n\n\n", env=FAST)
    assert result.exit_code == 0, result.output
    assert result.stdout.count(QUESTION) == 3
    assert models.Prediction.objects.get().expected == 4


@pytest.mark.parametrize("how", ["off a terminal", "--no-expect"])
def test_not_asked_off_a_terminal_or_with_no_expect(run, monkeypatch, how):
    if how == "--no-expect":
        from kindstep.cli import common

        monkeypatch.setattr(common, "interactive", lambda: True)
    args = ("move", "walk", "1", *(("--no-expect",) if how == "--no-expect" else ()))
    result = run(*args, input="\n", env=FAST)
    assert result.exit_code == 0, result.output
    assert QUESTION not in result.stdout
    assert _written() == ([], [("walk", 1, None)])


def test_expect_gives_it_without_a_terminal_and_a_bad_one_writes_nothing(run):
    result = run("move", "walk", "1", "--expect", "6", env=FAST)
    assert result.exit_code == 0, result.output
    assert QUESTION not in result.stdout
    assert models.Prediction.objects.get().expected == 6
    models.Prediction.objects.all().delete()
    models.MovementSession.objects.all().delete()
    for bad in (("--expect", "11"), ("--expect", "lots"), ("--expect", "5", "--no-expect")):
        refused = run("move", "walk", "1", *bad, env=FAST)
        assert refused.exit_code == 2, refused.output
        assert len(refused.stderr.strip().splitlines()) == 1
        assert _written() == ([], [])

"""The safety path's second pass on the CLI: a country from the first minute, nothing cheerful
after a worrying symptom, held symptoms until a doctor has seen them, readiness answers that
differ, the WHO line with its source, and one reading of Today for text and --json."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from typer.testing import CliRunner

from kindstep.cli import common
from kindstep.cli.main import app
from kindstep.core.rhythm import WHO_REFERENCE
from kindstep.store import actions, models, queries
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

CHEERFUL = ("Every bit of movement counts", "Well done", "Great", "!")


@pytest.fixture
def run(db):
    runner = CliRunner()

    def _run(*args: str, input: str | None = None, at=NOW, env: dict | None = None):
        with time_machine.travel(at, tick=False):
            return runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)

    return _run


@pytest.fixture
def at_a_terminal(monkeypatch, db):
    monkeypatch.setattr(common, "interactive", lambda: True)
    # Past the first-run welcome, whose country step is this question (test_plans_commands.py).
    from kindstep.store import actions

    actions.welcome_step(actions.local_person(), "done")


@pytest.fixture
def in_london(monkeypatch):
    """The computer's locale names the United Kingdom (its time zone reads UTC while the
    clock is held still, so the locale is what suggests; core tests cover time zones)."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")


def the_person() -> models.Person:
    return models.Person.objects.order_by("id").get()


def as_json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def quiet_first_run(person=None) -> None:
    """Readiness skipped and the country asked: `today` at a terminal asks only what a test
    is about."""
    person = person or actions.local_person()
    person.readiness = {"skipped": True}
    person.save()
    actions.update_settings(person, country_asked=True)


# -- 2. a country from the first minute -----------------------------------------------------


def test_the_first_today_at_a_terminal_asks_the_country_with_a_suggestion_to_confirm(
        run, at_a_terminal, in_london):
    # y takes the suggestion; n skips readiness; n skips the check-in; Enter logs nothing.
    result = run("today", input="y\nn\nn\n\n")
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "Which country are you in?" in out
    assert "Your computer's settings suggest United Kingdom." in out
    assert "`kindstep help-now` shows the lines for United Kingdom" in out
    assert out.index("Which country are you in?") < out.index("What feels possible today?")
    person = the_person()
    assert (person.country, person.country_asked) == ("GB", True)
    again = run("today", input="n\n\n")
    assert "Which country are you in?" not in again.stdout


def test_the_suggestion_is_never_taken_without_a_yes(run, at_a_terminal, in_london):
    """Enter skips: nothing is set, and the skip is remembered, so it is not asked again."""
    run("rest", input="\n")
    person = the_person()
    assert (person.country, person.country_asked) == ("", True)
    assert "Which country are you in?" not in run("rest", "--date", "2026-11-24").stdout


def test_another_country_by_name_and_an_unknown_word_asks_again(run, at_a_terminal, in_london):
    result = run("checkin", "--energy", "3", "--mood", "4", "--anxiety", "5",
                 input="Narnia\nnew zealand\n")
    assert result.exit_code == 0, result.output
    assert "kindstep doesn't know that country" in result.stdout
    assert the_person().country == "NZ"
    assert models.CheckIn.objects.count() == 1


def test_a_country_without_lines_is_saved_and_nothing_promises_a_number(run, at_a_terminal):
    result = run("rest", input="Japan\n", env={"TZ": "UTC", "LANG": "C.UTF-8"})
    out = " ".join(result.stdout.split())
    assert the_person().country == "JP"
    assert "kindstep does not list lines for Japan yet" in out
    assert "Find A Helpline" in out and "call your local emergency number" in out
    help_text = " ".join(run("help-now").stdout.split())
    assert "kindstep does not list lines for Japan yet" in help_text
    assert "shows your country's lines" not in help_text
    assert "kindstep lists lines for Australia, Canada" in help_text


def test_no_question_without_a_terminal_or_with_json(run, in_london):
    run("today")
    run("rest", "--json")
    assert (the_person().country, the_person().country_asked) == ("", False)


def test_the_country_question_never_comes_before_a_worrying_symptom(run, at_a_terminal):
    result = run("log", "walk", "10", "--symptoms", "chest_pain")
    assert result.stdout.startswith("Please stop and seek care")
    assert "Which country are you in?" not in result.stdout


def test_a_first_phq9_at_a_terminal_asks_the_country_first_so_help_shows_its_lines(
        run, at_a_terminal, in_london):
    result = run("phq9", input="y\n" + "0\n" * 8 + "1\n0\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index("Which country are you in?") < out.index("Support is here, right now")
    assert "Samaritans" in out and "116 123" in out


def test_settings_shows_country_names_and_takes_a_name(run):
    data = as_json(run("settings", "--country", "South Africa", "--json"))
    assert (data["country"], data["country_name"], data["country_has_lines"]) == (
        "ZA", "South Africa", True)
    assert "Country: South Africa" in run("settings").stdout
    data = as_json(run("settings", "--country", "jp", "--json"))
    assert (data["country_name"], data["country_has_lines"]) == ("Japan", False)
    shown = " ".join(run("settings").stdout.split())
    assert "Country: Japan (kindstep does not list lines for it yet" in shown


@pytest.mark.parametrize("bad", ["Narnia", "XX", "Britain"])
def test_an_unknown_country_is_refused_kindly_and_nothing_is_saved(run, bad):
    actions.local_person()
    result = run("settings", "--country", bad, "--target-days", "5")
    assert result.exit_code == 2
    assert "kindstep does not know the country" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (the_person().country, the_person().target_days) == ("", 3)


# -- 5. worrying symptoms during movement -----------------------------------------------------


@pytest.mark.parametrize("symptom", ["chest_pain", "faintness", "severe_breathlessness"])
def test_no_cheerful_line_after_stop_and_seek_care(run, symptom):
    result = run("log", "walk", "10", "--symptoms", symptom)
    assert result.exit_code == 0, result.output
    out = result.stdout
    after = out[out.index("Please stop now and seek medical care."):]
    for word in CHEERFUL:
        assert word not in after, word
    assert "Logged Walk at an easy pace, 10 min today" in after
    assert "Until you tell kindstep a doctor has seen you" in " ".join(after.split())


def test_log_json_after_a_symptom_says_how_long_the_choices_stay_gentlest(run):
    data = as_json(run("log", "walk", "10", "--symptoms", "chest_pain", "--json"))
    assert list(data)[:2] == ["safety", "until"]
    assert "a doctor has seen you" in data["until"]
    data = as_json(run("log", "walk", "10", "--symptoms", "palpitations", "--json"))
    assert "Until your next check-in" in data["until"]


def test_chest_pain_keeps_the_gentlest_choices_after_later_check_ins_until_clearance(
        run, at_a_terminal):
    quiet_first_run()
    for back in (2, 3, 4):
        run("log", "walk", "30", "--effort", "3", at=NOW - timedelta(days=back), input="\n")
    run("log", "walk", "20", "--symptoms", "chest_pain", at=NOW - timedelta(days=1))
    # A check-in at a terminal asks how things are and marks the event as asked about ...
    run("checkin", "--energy", "9", "--mood", "7", "--anxiety", "1", input="n\n")
    assert not models.SafetyEvent.objects.filter(acknowledged_at__isnull=True).exists()
    # ... and still, a week later, the choices stay at their gentlest, in text and JSON.
    later = NOW + timedelta(days=7)
    run("checkin", "--energy", "9", "--mood", "7", "--anxiety", "1", at=later, input="n\n")
    data = as_json(run("today", "--json", at=later))
    assert data["kept_light"] == "symptoms" and data["symptoms_heeded"] == ["chest_pain"]
    assert all(c["intensity"] == "very_light" and c["minutes"] <= 10 for c in data["choices"])
    text = " ".join(run("today", at=later, input="\n").stdout.split())
    assert "until you tell kindstep a doctor has seen you" in text
    assert "kindstep readiness --clearance" in text
    cleared = run("readiness", "--clearance", at=later)
    assert "full range of suggestions" in cleared.stdout
    data = as_json(run("today", "--json", at=later + timedelta(minutes=1)))
    assert data["kept_light"] is None and data["symptoms_heeded"] == []
    assert max(c["minutes"] for c in data["choices"]) > 10


def test_palpitations_are_heeded_until_the_next_check_in_as_before(run, at_a_terminal):
    quiet_first_run()
    run("log", "walk", "10", "--symptoms", "palpitations", at=NOW - timedelta(days=1))
    assert as_json(run("today", "--json"))["kept_light"] == "symptoms"
    run("checkin", "--energy", "5", "--mood", "5", "--anxiety", "3", input="n\n")
    assert as_json(run("today", "--json"))["kept_light"] is None


# -- 6. readiness answers are not all alike ---------------------------------------------------


@pytest.mark.parametrize("answers", ["no,yes,no,no,no,no,no", "no,no,yes,no,no,no,no"])
def test_chest_pain_or_fainting_means_a_doctor_first_and_only_the_gentlest(run, answers):
    result = run("readiness", "--answers", answers)
    out = " ".join(result.stdout.split())
    assert "is a reason to see a doctor before starting anything new" in out
    assert "only its gentlest choices" in out
    assert "plenty to choose from" not in out
    assert "kindstep readiness --clearance" in out
    data = as_json(run("today", "--json"))
    assert data["kept_light"] == "see_doctor"
    assert all(c["intensity"] == "very_light" and c["minutes"] <= 10 for c in data["choices"])
    assert any("chest pain or fainting" in note for note in data["notes"])


def test_supervision_only_offers_breathing_and_stretches_and_says_why(run):
    run("readiness", "--answers", "no,no,no,no,no,no,yes")
    for seed in range(4):
        data = as_json(run("today", "--json", "--seed", str(seed)))
        assert data["kept_light"] == "supervised"
        assert {c["activity"] for c in data["choices"]} <= {
            "breathe_bed", "stretch_seated", "stretch_bed", "stretch_standing"}
        assert any("only with medical supervision" in note for note in data["notes"])
    # A doctor's go-ahead lifts the light limit, not the advice to be supervised.
    cleared = " ".join(run("readiness", "--clearance").stdout.split())
    assert "still suggests only slow breathing and gentle stretches" in cleared
    assert as_json(run("today", "--json"))["kept_light"] == "supervised"
    text = " ".join(run("today").stdout.split())
    assert "only with medical supervision" in text


def test_settings_names_both_holds_when_supervised_and_a_symptom_is_held(run):
    run("readiness", "--answers", "no,no,no,no,no,no,yes")
    supervised_only = " ".join(run("settings").stdout.split())
    assert "only with supervision" in supervised_only and "doctor has seen you" not in supervised_only
    run("log", "walk", "5", "--symptoms", "chest_pain")
    both = " ".join(run("settings").stdout.split())
    assert "only with supervision" in both
    assert "very gentlest until a doctor has seen you" in both
    data = as_json(run("settings", "--json"))
    assert data["kept_light"] == "supervised" and data["symptoms_heeded"] == ["chest_pain"]


# -- 8. the WHO line ---------------------------------------------------------------------------


def test_week_gives_the_who_line_with_its_source(run):
    run("log", "walk", "20")
    shown = " ".join(run("week").stdout.split())
    assert "WHO suggests 150–300 minutes" in shown
    assert f"Source: {WHO_REFERENCE}" in shown
    data = as_json(run("week", "--json"))
    assert data["who_reference"].startswith(WHO_REFERENCE) and data["kept_light"] is None


def test_week_leaves_the_who_line_out_while_choices_are_kept_light(run):
    run("log", "walk", "20", "--symptoms", "faintness")
    shown = " ".join(run("week").stdout.split())
    assert "150–300" not in shown and "Source:" not in shown
    assert "This week: 20 minutes" in shown
    data = as_json(run("week", "--json"))
    assert "150" not in data["who_sentence"] and data["who_reference"] is None
    assert data["kept_light"] == "symptoms"


# -- 15.4 one reading of Today --------------------------------------------------------------------


def test_today_text_and_json_come_from_the_same_today_offer(run):
    person = actions.local_person()
    actions.answer_questionnaire(person, "phq9", "0,0,0,0,0,0,0,0,1", now=NOW - timedelta(days=1))
    run("checkin", "--energy", "4", "--mood", "4", "--anxiety", "4")
    data = as_json(run("today", "--json"))
    with time_machine.travel(NOW, tick=False):
        shown = queries.today_offer(the_person(), NOW)
    assert [c["activity"] for c in data["choices"]] == [c.activity for c in shown.offer.choices]
    assert data["safety_follow_up_open"] is True and shown.safety_follow_up_open
    assert data["questionnaires_due"] == shown.due == ["gad7"]
    text = run("today").stdout
    for choice in shown.offer.choices:
        assert f"{choice.name}, {choice.minutes} min" in text

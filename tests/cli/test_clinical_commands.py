"""The clinical commands in-process: questionnaires, the safety path, readiness, evidence and guides."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from typer.testing import CliRunner

from kindstep.cli import common, move
from kindstep.cli.main import app
from kindstep.core import safety
from kindstep.store import models
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

SAFETY_TITLE = "Support is here, right now"
NOT_A_CRISIS_SERVICE = "kindstep is not a crisis service"


@pytest.fixture
def run(db):
    from kindstep.store import actions

    # Asked for the country already (tests/cli/test_safety_care.py covers that question), so each
    # test here meets only the questions it is about.
    actions.update_settings(actions.local_person(), country_asked=True)
    # Past the first-run welcome too (tests/cli/test_plans_commands.py covers it).
    actions.welcome_step(actions.local_person(), "done")
    runner = CliRunner()

    def _run(*args: str, input: str | None = None, at=NOW, env: dict | None = None):
        with time_machine.travel(at, tick=False):
            return runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)

    return _run


@pytest.fixture
def at_a_terminal(monkeypatch):
    """Pretend a person is at a terminal, so commands ask their questions."""
    monkeypatch.setattr(common, "interactive", lambda: True)


@pytest.fixture
def written(db):
    """Everything a clinical command could write, to prove a refusal wrote nothing."""

    def _written() -> dict:
        person = models.Person.objects.order_by("id").first()
        return {
            "questionnaires": list(models.QuestionnaireResponse.objects.values_list("answers", flat=True)),
            "safety_events": models.SafetyEvent.objects.count(),
            "sessions": models.MovementSession.objects.count(),
            "people": models.Person.objects.count(),
            "person": None if person is None else (
                person.readiness, person.light_only, person.checkin_reminders,
                person.questionnaire_postponed_until, person.country,
            ),
        }

    return _written


def as_json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def the_person() -> models.Person:
    return models.Person.objects.order_by("id").get()


# -- questionnaires -------------------------------------------------------------------


def test_phq9_with_answers_stores_it_and_shows_the_score_with_the_note(run):
    result = run("phq9", "--answers", "2,2,2,2,2,2,1,1,0", "--difficulty", "1")
    assert result.exit_code == 0, result.output
    assert "PHQ-9: 14 out of 27" in result.stdout
    assert "Moderate" in result.stdout
    assert "never a diagnosis" in result.stdout
    assert "Developed by Drs. Robert L. Spitzer" in result.stdout
    assert SAFETY_TITLE not in result.stdout
    row = models.QuestionnaireResponse.objects.get()
    assert (row.scale, row.answers, row.total, row.difficulty) == ("phq9", [2, 2, 2, 2, 2, 2, 1, 1, 0], 14, 1)


def test_phq9_json_has_total_band_and_change_markers(run):
    run("phq9", "--answers", "3,3,2,2,2,2,1,1,0", at=NOW - timedelta(days=14))
    data = as_json(run("phq9", "--answers", "1,1,1,0,0,0,0,0,0", "--json"))
    assert "safety" not in data
    assert (data["scale"], data["total"], data["band"]) == ("phq9", 3, "Minimal")
    assert data["change"] == -13
    assert data["reliable_change"] == "improved"
    assert data["response"] is True and data["remission"] is True
    assert data["date"] == "2026-11-25"
    assert "never a diagnosis" in data["note"]


def test_gad7_with_answers_stores_it(run):
    data = as_json(run("gad7", "--answers", "1 1 0 2 0 1 1", "--json"))
    assert (data["scale"], data["total"], data["band"]) == ("gad7", 6, "Mild")
    assert data["response"] is None and data["remission"] is None  # never named for the GAD-7
    assert models.QuestionnaireResponse.objects.get().scale == "gad7"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("phq9", "--answers", "0,1,2"), "PHQ-9 has 9 questions; 3 answers were given."),
        (("phq9", "--answers", "0,1,2,0,1,2,0,4,0"), "Answer 8 must be between 0 and 3."),
        (("phq9", "--answers", "0,1,2,0,one,2,0,1,0"), "Answer 5 ('one') must be a whole number"),
        (("phq9", "--answers", "0,0,0,0,0,0,0,0,0", "--difficulty", "7"), "from 0 to 3"),
        (("gad7", "--answers", "1,1,1,1,1,1,1,1"), "GAD-7 has 7 questions; 8 answers were given."),
        (("gad7", "--answers", "1,1,1,-1,1,1,1"), "must be a whole number between 0 and 3"),
        (("phq9",), "Please give your 9 answers (each 0 to 3) with --answers"),
        (("gad7",), "Please give your 7 answers (each 0 to 3) with --answers"),
    ],
)
def test_bad_answers_get_one_kind_line_exit_2_and_nothing_is_stored(run, written, args, words):
    before = written()
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert written() == before


def test_phq9_at_a_terminal_asks_one_item_at_a_time_with_the_stem_and_options(run, at_a_terminal):
    answers = "\n".join(["1", "0", "5", "2", "0", "0", "1", "0", "0", "0", "2"]) + "\n"
    result = run("phq9", input=answers)  # "5" is not an option, so item 3 is asked again
    assert result.exit_code == 0, result.output
    assert "Over the last 2 weeks, how often have you been bothered" in result.stdout
    assert "0 Not at all · 1 Several days · 2 More than half the days · 3 Nearly every day" in result.stdout
    assert "1 of 9" in result.stdout and "9 of 9" in result.stdout
    assert "Little interest or pleasure in doing things" in result.stdout
    assert "how difficult have these problems made it" in result.stdout
    assert "Developed by Drs. Robert L. Spitzer" in result.stdout
    row = models.QuestionnaireResponse.objects.get()
    assert row.answers == [1, 0, 2, 0, 0, 1, 0, 0, 0]
    assert row.difficulty == 2


def test_phq9_at_a_terminal_shows_support_as_soon_as_item_9_is_answered(run, at_a_terminal):
    answers = "\n".join(["0"] * 8 + ["1", ""]) + "\n"
    result = run("phq9", input=answers)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index(SAFETY_TITLE) < out.index("how difficult have these problems made it")
    assert out.index(SAFETY_TITLE) < out.index("PHQ-9: 1 out of 27")
    assert out.count(SAFETY_TITLE) == 1
    assert models.SafetyEvent.objects.get().kind == "phq9_item9"


def test_stopping_a_questionnaire_part_way_keeps_nothing(run, at_a_terminal, written):
    before = written()
    result = run("phq9", input="1\n2\n")  # input runs out: like closing the terminal
    assert result.exit_code != 0
    assert written() == before



@pytest.mark.parametrize(
    ("args", "input"),
    [
        (("checkin",), ""),
        (("checkin",), "3\n"),
        (("phq9",), "1\n"),
        (("gad7",), ""),
        (("readiness",), ""),
        (("today",), ""),
        (("log", "walk", "10"), ""),  # logged; then Ctrl-D at "Anything worrying?"
    ],
)
def test_ctrl_d_at_a_question_stops_as_kindly_as_ctrl_c(run, at_a_terminal, written, args, input):
    before = written()
    result = run(*args, input=input)  # the input runs out: Ctrl-D, or the terminal closing
    assert result.exit_code == common.EXIT_STOPPED
    assert result.stderr.strip() == "Stopped. Nothing more was changed."
    assert "Aborted" not in result.output
    if args[0] != "log":
        assert written() == before


def test_an_eof_error_that_is_not_ctrl_d_is_not_hidden():
    import io
    import sys

    import typer

    @common.kind_errors
    def reads_a_damaged_file():
        raise EOFError("Compressed file ended before the end-of-stream marker was reached")

    with pytest.raises(EOFError):
        reads_a_damaged_file()

    @common.kind_errors
    def asks():
        return common.console().input("Anything else? ")  # how every question reads its answer

    stdin, sys.stdin = sys.stdin, io.StringIO("")
    try:
        with pytest.raises(typer.Exit) as stopped:
            asks()
    finally:
        sys.stdin = stdin
    assert stopped.value.exit_code == common.EXIT_STOPPED

# -- the safety path -----------------------------------------------------------------------


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_item_9_above_0_shows_support_before_any_score(run, item9):
    run("settings", "--country", "GB")
    result = run("phq9", "--answers", f"1,1,1,1,1,1,1,1,{item9}")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(SAFETY_TITLE)
    assert NOT_A_CRISIS_SERVICE in out
    assert "please reach out now" in out
    assert "call 999" in out and "Samaritans: Call 116 123" in out
    assert out.index("116 123") < out.index("PHQ-9:") < out.index("Your PHQ-9 total is")
    assert models.SafetyEvent.objects.get().detail["answer"] == item9


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_item_9_above_0_puts_safety_first_in_json(run, item9):
    run("settings", "--country", "GB")
    data = as_json(run("phq9", "--answers", f"0,0,0,0,0,0,0,0,{item9}", "--json"))
    assert list(data)[0] == "safety"
    assert data["safety_flag"] is True
    support = data["safety"]
    assert support["title"] == SAFETY_TITLE
    assert NOT_A_CRISIS_SERVICE in support["message"]
    assert support["emergency"] == "999"
    assert "Samaritans" in [line["name"] for line in support["lines"]]
    assert support["directories"][0]["web"] == "https://findahelpline.com"


@pytest.mark.parametrize("country", safety.countries())
def test_every_country_gets_its_own_lines_and_emergency_number_before_the_score(run, country):
    resources = safety.crisis_resources(country)
    assert run("settings", "--country", country).exit_code == 0
    result = run("phq9", "--answers", "0,0,0,0,0,0,0,0,2")
    assert result.exit_code == 0, result.output
    out = result.stdout
    score_at = out.index("PHQ-9: 2 out of 27")
    assert out.index(SAFETY_TITLE) < score_at
    assert out.index(f"call {resources.emergency}") < score_at
    for line in resources.lines:
        assert out.index(f"{line.name}: {line.contact}") < score_at
    data = as_json(run("phq9", "--answers", "0,0,0,0,0,0,0,0,2", "--json"))
    assert data["safety"]["country"] == country
    assert data["safety"]["emergency"] == resources.emergency
    assert [line["name"] for line in data["safety"]["lines"]] == [line.name for line in resources.lines]


def test_someone_with_no_country_set_gets_the_directory_and_local_emergency_wording(run):
    result = run("phq9", "--answers", "0,0,0,0,0,0,0,0,1")
    out = result.stdout
    assert out.index("call your local emergency number") < out.index("PHQ-9: 1 out of 27")
    assert "https://findahelpline.com" in out


def test_item_9_at_0_shows_no_safety_message(run):
    result = run("phq9", "--answers", "3,3,3,3,3,3,3,3,0")
    assert SAFETY_TITLE not in result.stdout
    assert "safety" not in as_json(run("phq9", "--answers", "3,3,3,3,3,3,3,3,0", "--json"))


@pytest.mark.parametrize("country", safety.countries())
def test_help_now_shows_each_countrys_lines(run, written, country):
    before = written()
    resources = safety.crisis_resources(country)
    result = run("help-now", "--country", country.lower())
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(SAFETY_TITLE)
    assert NOT_A_CRISIS_SERVICE in result.stdout
    assert f"call {resources.emergency}" in result.stdout
    for line in resources.lines:
        assert f"{line.name}: {line.contact}" in result.stdout
    assert written() == before


def test_help_now_uses_the_country_in_settings(run):
    run("settings", "--country", "NZ")
    data = as_json(run("help-now", "--json"))
    assert data["country"] == "NZ" and data["emergency"] == "111"
    assert any("1737" in line["call"] for line in data["lines"])


def test_help_now_for_an_unlisted_country_still_offers_help(run):
    result = run("help-now", "--country", "XX")
    assert result.exit_code == 0
    assert "call your local emergency number" in result.stdout
    assert "Find A Helpline" in result.stdout


def test_help_now_never_needs_the_store_when_a_country_is_given(run, monkeypatch):
    def unusable():
        raise RuntimeError("database is locked")

    monkeypatch.setattr(common, "person", unusable)
    assert "call 000" in run("help-now", "--country", "AU").stdout
    fallback = run("help-now")
    assert fallback.exit_code == 0
    assert "call your local emergency number" in fallback.stdout


def test_the_next_checkin_asks_kindly_how_things_are_once(run, at_a_terminal):
    run("phq9", "--answers", "0,0,0,0,0,0,0,0,1", at=NOW - timedelta(days=1))
    first = run("checkin", "--energy", "4", "--mood", "3", "--anxiety", "5", "--minutes", "10",
                input="n\n")
    assert first.exit_code == 0, first.output
    assert "How are things for you now?" in first.stdout
    assert "kindstep help-now" in first.stdout
    assert models.SafetyEvent.objects.get().acknowledged_at is not None
    again = run("checkin", "--energy", "4", "--mood", "3", "--anxiety", "5", "--minutes", "10")
    assert "How are things for you now?" not in again.stdout


def test_a_checkin_from_a_script_shows_the_follow_up_but_leaves_it_for_a_person(run):
    """Nobody may be there to read it: the question waits for the next check-in at a terminal."""
    run("phq9", "--answers", "0,0,0,0,0,0,0,0,1", at=NOW - timedelta(days=1))
    for _ in range(2):
        shown = run("checkin", "--energy", "4", "--mood", "3", "--anxiety", "5")
        assert "How are things for you now?" in shown.stdout
    assert models.SafetyEvent.objects.get().acknowledged_at is None


def test_a_later_symptom_never_hides_the_follow_up_to_a_thought_of_self_harm(run, at_a_terminal):
    run("phq9", "--answers", "0,0,0,0,0,0,0,0,2", at=NOW - timedelta(days=2))
    run("log", "walk", "5", "--symptoms", "palpitations", at=NOW - timedelta(days=1), input="n\n")
    result = run("checkin", "--energy", "3", "--mood", "3", "--anxiety", "3", "--minutes", "10",
                 input="n\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "thoughts of being better off dead" in out and "Last time you moved" in out
    assert out.index("thoughts of being better off dead") < out.index("Last time you moved")
    assert not models.SafetyEvent.objects.filter(acknowledged_at__isnull=True).exists()


def test_today_at_a_terminal_asks_kindly_after_a_worrying_symptom(run, at_a_terminal):
    the = the_person()
    the.readiness = {"skipped": True}
    the.save()
    run("log", "walk", "10", "--symptoms", "faintness", at=NOW - timedelta(days=1))
    # no to the support lines, no to a check-in, Enter to log nothing
    result = run("today", input="n\nn\n\n")
    assert result.exit_code == 0, result.output
    assert "you mentioned feeling faint, dizzy or light-headed" in result.stdout
    assert result.stdout.index("How are you feeling now?") < result.stdout.index("What feels possible today?")
    assert models.SafetyEvent.objects.get().acknowledged_at is not None


def test_today_after_chest_pain_offers_only_the_gentlest_and_says_check_with_a_doctor(run):
    """Right after the stop message, even from a script: no longer walk the same day."""
    for back in (1, 2, 3):
        run("log", "walk", "30", "--effort", "3", at=NOW - timedelta(days=back))
    run("checkin", "--energy", "8", "--mood", "6", "--anxiety", "2", "--minutes", "60")
    assert max(c["minutes"] for c in json.loads(run("today", "--json").stdout)["choices"]) > 10
    run("log", "walk", "20", "--symptoms", "chest_pain,faintness")
    offer = json.loads(run("today", "--json").stdout)
    assert all(c["intensity"] == "very_light" and c["minutes"] <= 10 for c in offer["choices"])
    assert offer["notes"][0].startswith("You mentioned chest pain and feeling faint or dizzy")
    shown = run("today").stdout
    assert "Please check with a doctor before moving more" in " ".join(shown.split())


def test_picking_a_choice_in_today_asks_again_after_a_typo_and_asks_about_symptoms(
        run, at_a_terminal):
    the = the_person()
    the.readiness = {"skipped": True}
    the.save()
    run("checkin", "--energy", "5", "--mood", "5", "--anxiety", "3", "--minutes", "30",
        input="\n\n")
    # pick 1, a typo, then 7 minutes; then symptom 1 (chest pain)
    result = run("today", input="1\nabc\n7\n1\n")
    assert result.exit_code == 0, result.output
    assert "try 10, 10m or 1h15m" in result.stdout
    assert "min. Well done for showing up for yourself." in result.stdout
    assert "Anything worrying while you moved?" in result.stdout
    assert "Please stop now and seek medical care." in result.stdout
    # and how long the choices stay gentlest: until a doctor has seen them, for chest pain
    after = result.stdout.split("Please stop now and seek medical care.", 1)[1]
    assert "Until you tell kindstep a doctor has seen you" in " ".join(after.split())
    session = models.MovementSession.objects.get()
    assert session.minutes == 7
    assert models.SafetyEvent.objects.get().detail["session_id"] == session.pk


def test_an_odd_digit_at_the_symptom_question_asks_again_instead_of_failing(run, at_a_terminal):
    result = run("log", "walk", "10", input="\u00b2\n\n")
    assert result.exit_code == 0, result.output
    assert "Please type numbers from 1 to 4" in result.stdout
    assert not models.SafetyEvent.objects.exists()


# -- worrying symptoms when logging ------------------------------------------------------------


def test_log_with_symptoms_says_stop_and_seek_care_and_still_logs_the_session(run):
    run("settings", "--country", "IE")
    result = run("log", "walk", "10", "--symptoms", "chest_pain,palpitations")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Please stop and seek care")
    assert "Please stop now and seek medical care." in out
    assert "call 112" in out
    assert out.index("seek medical care") < out.index("Logged Walk at an easy pace, 10 min")
    session = models.MovementSession.objects.get()
    event = models.SafetyEvent.objects.get()
    assert event.kind == "movement_symptom"
    assert event.detail == {"symptoms": ["chest_pain", "palpitations"], "session_id": session.pk}


def test_log_json_with_symptoms_puts_safety_first(run):
    run("settings", "--country", "US")
    data = as_json(run("log", "walk", "10", "--symptoms", "severe_breathlessness", "--json"))
    assert list(data)[0] == "safety"
    assert data["safety"]["emergency"] == "911"
    assert data["safety"]["message"].startswith("Please stop now and seek medical care.")
    assert data["activity"] == "walk"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("log", "walk", "10", "--symptoms", "tired"), "does not know the symptom 'tired'"),
        (("log", "walk", "10", "--symptoms", ","), "Please name at least one symptom"),
        (("log", "wlak", "10", "--symptoms", "faintness"), "Did you mean walk"),
    ],
)
def test_log_with_bad_symptoms_or_activity_writes_nothing(run, written, args, words):
    before = written()
    result = run(*args)
    assert result.exit_code == 2
    assert words in result.stderr
    assert written() == before


def test_log_at_a_terminal_asks_about_worrying_symptoms_and_enter_skips(run, at_a_terminal):
    result = run("log", "walk", "10", input="\n")
    assert "Anything worrying while you moved?" in result.stdout
    assert "seek medical care" not in result.stdout
    assert models.MovementSession.objects.count() == 1
    assert not models.SafetyEvent.objects.exists()


def test_log_at_a_terminal_records_a_worrying_symptom_by_number(run, at_a_terminal):
    result = run("log", "walk", "10", input="9\n2\n")  # 9 is not listed, so it asks again
    assert "Please type numbers from 1 to 4" in result.stdout
    assert "Please stop now and seek medical care." in result.stdout
    assert models.SafetyEvent.objects.get().detail["symptoms"] == ["faintness"]



@pytest.mark.parametrize("symptoms", ["chest_pain", "faintness", "chest_pain,tired"])
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("walk", "0m"), "from 1 minute to 24 hours"),
        (("walk", "25h"), "from 1 minute to 24 hours"),
        (("wlak", "10"), "Did you mean walk"),
        (("walk", "10", "--date", "2999-01-01"), "in the future"),
        (("walk", "10", "--effort", "11"), "from 0 to 10"),
    ],
)
def test_a_refused_entry_still_says_stop_and_seek_care_first(run, written, symptoms, args, words):
    run("settings", "--country", "GB")
    before = written()
    result = run("log", *args, "--symptoms", symptoms)
    assert result.exit_code == 2
    assert result.stdout.startswith("Please stop and seek care")
    assert "Please stop now and seek medical care." in result.stdout
    assert "call 999" in result.stdout
    (line,) = result.stderr.strip().splitlines()  # the refusal is still its one kind line
    assert words in line or "does not know the symptom 'tired'" in line
    assert written() == before  # nothing saved: neither the session nor a safety event


def test_a_refused_entry_in_json_still_carries_the_safety_message(run, written):
    run("settings", "--country", "US")
    before = written()
    result = run("log", "walk", "0", "--symptoms", "faintness", "--json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["safety"]["emergency"] == "911"
    assert data["safety"]["message"].startswith("Please stop now and seek medical care.")
    assert "from 1 minute to 24 hours" in result.stderr
    assert written() == before


def test_a_refused_entry_without_symptoms_says_only_why(run):
    result = run("log", "walk", "0m")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "seek medical care" not in result.stderr

# -- readiness ---------------------------------------------------------------------------------


def _offered_intensities(run) -> set[str]:
    data = as_json(run("today", "--json"))
    return {choice["intensity"] for choice in data["choices"]}


@pytest.fixture
def ready_for_more(run):
    """Comfortable light sessions and high energy: a day when kindstep would offer moderate."""
    for days_ago in (1, 2, 3, 5):
        run("log", "walk", "30", "--effort", "3", at=NOW - timedelta(days=days_ago))
    run("checkin", "--energy", "9", "--mood", "7", "--anxiety", "1")
    assert _offered_intensities(run) - {"very_light", "light"}, "the scene should offer more than light"


def test_any_yes_keeps_todays_choices_light_until_clearance(run, ready_for_more):
    result = run("readiness", "--answers", "no,no,no,yes,no,no,no")
    assert result.exit_code == 0, result.output
    assert "talk with a doctor before doing moderate or vigorous activity" in result.stdout
    assert "kindstep readiness --clearance" in result.stdout
    assert the_person().light_only
    for seed in range(5):
        data = as_json(run("today", "--json", "--seed", str(seed)))
        assert {c["intensity"] for c in data["choices"]} <= {"very_light", "light"}
    cleared = run("readiness", "--clearance", at=NOW + timedelta(minutes=1))
    assert "full range of suggestions" in cleared.stdout
    assert not the_person().light_only
    assert _offered_intensities(run) - {"very_light", "light"}


def test_all_no_leaves_the_full_range(run):
    result = run("readiness", "--answers", "no,no,no,no,no,no,no")
    assert "Start gently and build up gradually" in result.stdout
    assert not the_person().light_only


def test_readiness_skip_is_remembered_and_today_does_not_ask_again(run, at_a_terminal):
    assert "whenever you want it" in run("readiness", "--skip").stdout
    assert the_person().readiness == {"skipped": True}
    result = run("today", input="n\n\n")
    assert "few quick questions about moving safely" not in result.stdout


def test_today_offers_readiness_on_first_run_and_remembers_a_skip(run, at_a_terminal):
    result = run("today", input="n\nn\n\n")  # skip readiness, no check-in, log nothing
    assert result.exit_code == 0, result.output
    assert "few quick questions about moving safely" in result.stdout
    assert the_person().readiness == {"skipped": True}
    again = run("today", input="n\n\n")
    assert "few quick questions about moving safely" not in again.stdout


def test_today_readiness_at_a_terminal_asks_each_question(run, at_a_terminal):
    answers = "y\n" + "y\n" + "n\n" * 6 + "n\n\n"  # yes to readiness, heart yes, rest no; no check-in
    result = run("today", input=answers)
    assert result.exit_code == 0, result.output
    assert "1 of 7" in result.stdout and "7 of 7" in result.stdout
    assert the_person().readiness["heart"] is True
    assert the_person().light_only


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("readiness", "--answers", "yes,no"), "There are 7 readiness questions; 2 answers were given."),
        (("readiness", "--answers", "no,no,perhaps,no,no,no,no"), "Answer 3 ('perhaps') needs to be yes or no."),
        (("readiness",), "Please give your 7 answers (yes or no)"),
        (("readiness", "--skip", "--clearance"), "Please use --skip on its own"),
    ],
)
def test_readiness_refusals_write_nothing(run, written, args, words):
    before = written()
    result = run(*args)
    assert result.exit_code == 2
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert written() == before


# -- questionnaire cadence in `today` ------------------------------------------------------------


def _skip_readiness():
    person = the_person()
    person.readiness = {"skipped": True}
    person.save()


def test_today_json_lists_questionnaires_due(run):
    assert as_json(run("today", "--json"))["questionnaires_due"] == ["phq9", "gad7"]
    run("phq9", "--answers", "0,0,0,0,0,0,0,0,0")
    assert as_json(run("today", "--json"))["questionnaires_due"] == ["gad7"]


def test_the_questionnaire_offer_comes_after_14_days_and_not_before(run, at_a_terminal):
    _skip_readiness()
    run("phq9", "--answers", "1,1,1,1,1,1,1,1,0")
    run("gad7", "--answers", "1,1,1,1,1,1,1")
    thirteen = run("today", input="n\n\n", at=NOW + timedelta(days=13))
    assert "It has been two weeks" not in thirteen.stdout
    fourteen = run("today", input="n\n\n", at=NOW + timedelta(days=14))
    assert "It has been two weeks since your last check-in questionnaire" in fourteen.stdout
    assert "`kindstep phq9` or `kindstep gad7` whenever you like" in fourteen.stdout
    assert "`kindstep scores --later`" in fourteen.stdout
    assert "--questionnaires off" in fourteen.stdout


def test_scores_later_postpones_the_offer_for_a_week(run, at_a_terminal):
    _skip_readiness()
    result = run("scores", "--later")
    assert "offer the questionnaires again from Wednesday 02 December" in result.stdout
    assert "questionnaire" not in run("today", input="n\n\n", at=NOW + timedelta(days=6)).stdout
    assert as_json(run("today", "--json", at=NOW + timedelta(days=6)))["questionnaires_due"] == []
    back = run("today", input="n\n\n", at=NOW + timedelta(days=7))
    assert "A two-minute questionnaire" in back.stdout


def test_questionnaire_offers_can_be_turned_off_and_on_in_settings(run):
    data = as_json(run("settings", "--questionnaires", "off", "--json"))
    assert data["questionnaire_offers"] is False
    assert as_json(run("today", "--json", at=NOW + timedelta(days=60)))["questionnaires_due"] == []
    assert "Two-weekly questionnaire offers: on" in run("settings", "--questionnaires", "on").stdout
    assert as_json(run("today", "--json"))["questionnaires_due"] == ["phq9", "gad7"]


def test_a_bad_questionnaires_setting_writes_nothing(run, written):
    before = written()
    result = run("settings", "--country", "FR", "--questionnaires", "maybe")
    assert result.exit_code == 2
    assert "on or off" in result.stderr
    assert written() == before


# -- scores ---------------------------------------------------------------------------------------


def test_scores_lists_history_with_bands_and_reliable_change(run):
    run("phq9", "--answers", "3,3,2,2,2,2,1,1,0", at=NOW - timedelta(days=28))
    run("gad7", "--answers", "2,2,2,2,1,1,1", at=NOW - timedelta(days=20))
    run("phq9", "--answers", "1,1,1,1,1,1,1,1,0")
    result = run("scores")
    assert result.exit_code == 0
    assert "16/27" in result.stdout and "8/27" in result.stdout and "11/21" in result.stdout
    assert "Moderately severe" in result.stdout
    assert "-8, reliable improvement, response" in result.stdout
    assert "never a diagnosis" in result.stdout
    data = as_json(run("scores", "--json"))
    assert [(r["scale"], r["total"]) for r in data["results"]] == [("phq9", 16), ("gad7", 11), ("phq9", 8)]
    assert data["results"][2]["reliable_change"] == "improved"
    assert data["due"] == ["gad7"]


def test_scores_is_gentle_when_there_are_none(run):
    result = run("scores")
    assert "No questionnaires yet" in result.stdout
    assert "kindstep phq9" in result.stdout


# -- evidence -------------------------------------------------------------------------------------


def test_why_lists_the_topics(run):
    from kindstep.core import evidence

    result = run("why")
    assert result.exit_code == 0
    for topic in evidence.topics():
        assert topic in result.stdout


def test_why_shows_a_card_with_figures_certainty_and_dois(run):
    from kindstep.core import evidence

    card = evidence.card("mood")
    result = run("why", "Mood")
    assert result.exit_code == 0
    assert card.title in result.stdout
    for citation in card.citations:
        assert f"https://doi.org/{citation.doi}" in result.stdout
    assert "How sure:" in result.stdout


def test_why_an_unknown_topic_offers_close_matches(run):
    result = run("why", "anxeity")
    assert result.exit_code == 2
    assert "Did you mean 'anxiety'?" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# -- guided movement ------------------------------------------------------------------------------


def test_move_with_a_guide_shows_cues_and_logs_the_session(run):
    result = run("move", "walk", "2", "--guide", env={move.SPEED_ENV: "600"})
    assert result.exit_code == 0, result.output
    assert "Breathing while you walk" in result.stdout
    assert "Let your breath be as it is." in result.stdout
    assert "That is the end of the guide." in result.stdout
    assert "Time's up. Logged Walk at an easy pace, 2 min" in result.stdout
    row = models.MovementSession.objects.get()
    assert (row.activity, row.minutes) == ("walk", 2)


def test_move_shows_each_cue_in_schedule_order(run):
    from kindstep.core.guides import cue_schedule

    result = run("move", "sit_outside", "1", "--guide-name", "grounding", env={move.SPEED_ENV: "600"})
    assert result.exit_code == 0, result.output
    positions = [result.stdout.index(text.split(".")[0]) for _, text in cue_schedule("grounding", 1)]
    assert positions == sorted(positions)


@pytest.fixture
def fake_clock(monkeypatch):
    """A clock that moves 30 seconds at every sleep, and Ctrl-C once ``stop_after`` seconds pass."""
    state = {"t": 0.0, "stop_after": None}

    def sleep(_seconds):
        state["t"] += 30
        if state["stop_after"] is not None and state["t"] >= state["stop_after"]:
            raise KeyboardInterrupt

    monkeypatch.setattr(move, "_clock", lambda: state["t"])
    monkeypatch.setattr(move, "_sleep", sleep)
    return state


def test_stopping_a_move_early_off_a_terminal_logs_nothing_and_says_so(run, fake_clock, written):
    fake_clock["stop_after"] = 150
    before = written()
    result = run("move", "walk", "10")
    assert result.exit_code == 0, result.output
    assert "Stopped after about 2 min. Nothing was logged" in result.stdout
    assert "kindstep log walk 2" in result.stdout
    assert written() == before


def test_stopping_a_move_early_at_a_terminal_offers_to_log_the_minutes_done(run, fake_clock, at_a_terminal):
    fake_clock["stop_after"] = 200
    result = run("move", "walk", "10", input="\ny\n\n")  # no guess; yes, log them; nothing worrying
    assert result.exit_code == 0, result.output
    assert "Stopped after about 3 min. Log them?" in result.stdout
    assert models.MovementSession.objects.get().minutes == 3
    assert "Anything worrying while you moved?" in result.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("move", "wlak"), "Did you mean walk"),
        (("move", "walk", "0"), "from 1 minute to 24 hours"),
        (("move", "walk", "300"), "A timed session is from 1 to 240 minutes"),
        (("move", "walk", "5", "--guide-name", "breath"), "Did you mean 'breath_walk'?"),
    ],
)
def test_move_refusals_write_nothing(run, written, args, words):
    before = written()
    result = run(*args)
    assert result.exit_code == 2
    assert words in result.stderr
    assert written() == before


# -- through the installed console script, as a real subprocess on a real SQLite file -------------


@pytest.fixture
def kindstep(tmp_path):
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    script = shutil.which("kindstep", path=str(Path(sys.executable).parent)) or shutil.which("kindstep")
    assert script, "the kindstep console script is not installed (pip install -e .)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINDSTEP_", "DJANGO_"))}
    env["KINDSTEP_DATA_DIR"] = str(tmp_path / "data")

    def _run(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
        return subprocess.run([script, *args], env={**env, **extra_env}, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=60)

    _run.data_dir = tmp_path / "data"
    return _run


def test_the_console_script_shows_support_before_the_score_and_stores_both(kindstep):
    import sqlite3

    assert kindstep("settings", "--country", "GB").returncode == 0
    result = kindstep("phq9", "--answers", "1,0,1,0,1,0,1,0,2")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(SAFETY_TITLE)
    assert NOT_A_CRISIS_SERVICE in out
    assert out.index("call 999") < out.index("Samaritans") < out.index("PHQ-9: 6 out of 27")
    with sqlite3.connect(kindstep.data_dir / "kindstep.sqlite3") as con:
        assert con.execute("SELECT scale, total, safety_flag FROM kindstep_questionnaire").fetchall() == [
            ("phq9", 6, 1)
        ]
        assert con.execute("SELECT kind FROM kindstep_safety_event").fetchall() == [("phq9_item9",)]
    data = json.loads(kindstep("phq9", "--answers", "0,0,0,0,0,0,0,0,3", "--json").stdout)
    assert list(data)[0] == "safety" and data["safety"]["emergency"] == "999"


def test_the_console_script_refuses_half_a_questionnaire_and_stores_nothing(kindstep):
    import sqlite3

    result = kindstep("phq9", "--answers", "0,1,2")
    assert result.returncode == 2
    assert result.stderr.strip() == "PHQ-9 has 9 questions; 3 answers were given."
    with sqlite3.connect(kindstep.data_dir / "kindstep.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM kindstep_questionnaire").fetchone() == (0,)


def test_help_now_works_even_when_the_database_is_unusable(kindstep, tmp_path):
    not_a_folder = tmp_path / "in-the-way"
    not_a_folder.write_text("a file where the data folder should be")
    broken = {"KINDSTEP_DATA_DIR": str(not_a_folder)}
    with_country = kindstep("help-now", "--country", "GB", **broken)
    assert with_country.returncode == 0, with_country.stderr
    assert "call 999" in with_country.stdout and "116 123" in with_country.stdout
    without = kindstep("help-now", **broken)
    assert without.returncode == 0, without.stderr
    assert "call your local emergency number" in without.stdout
    assert "https://findahelpline.com" in without.stdout


def test_move_through_the_console_script_runs_the_timer_and_logs(kindstep):
    result = kindstep("move", "walk", "1", "--guide", **{move.SPEED_ENV: "600"})
    assert result.returncode == 0, result.stderr
    assert "Logged Walk at an easy pace, 1 min" in result.stdout
    history = json.loads(kindstep("history", "--json").stdout)
    assert [(e["activity"], e["minutes"]) for e in history["entries"]] == [("walk", 1)]

"""Help before anything else can fail, and the gentler signs, in the CLI.

- PHQ-9 item 9 above 0, as given: the crisis message comes first, whatever else
  is wrong with the answers (wrong count, answers out of range, a refused
  difficulty) and even when the data folder cannot be used; the exit code stays
  the refusal's.
- A total in the moderately severe or severe range: a gentle ``care`` message.
- "Response" and "remission" only where defined.
- A check-in at an extreme: one quiet line pointing to ``kindstep help-now``.
"""

from __future__ import annotations

import ast
import json
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kindstep.cli import common
from kindstep.core import safety
from kindstep.store import actions, models
from tests.cli.test_clinical_commands import (  # noqa: F401 - fixtures shared with those tests
    NOT_A_CRISIS_SERVICE,
    SAFETY_TITLE,
    as_json,
    at_a_terminal,
    run,
    written,
)
from tests.cli.test_data_problems import (  # noqa: F401 - fixtures shared with those tests
    assert_one_kind_line,
    damaged,
    kindstep,
    snapshot,
)
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

CARE_TITLE = "Someone to talk this over with"
CARE_WORDS = "talking with a doctor or clinician soon"
QUIET_LINE = "you don't have to carry it alone"


def the_person() -> models.Person:
    return models.Person.objects.order_by("id").get()


def crisis_lines_shown(out: str, country: str) -> None:
    """The whole crisis message for ``country``: emergency number, every line, its numbers."""
    resources = safety.crisis_resources(country)
    assert out.startswith(SAFETY_TITLE), out[:200]
    assert NOT_A_CRISIS_SERVICE in out
    assert f"call {resources.emergency}" in out
    for line in resources.lines:
        assert line.name in out
        assert line.call in out


# -- item 1: a high total without item 9 -----------------------------------------------------------


@pytest.mark.parametrize(("command", "answers", "score_line"), [
    ("phq9", "3,3,3,3,3,3,3,3,0", "PHQ-9: 24 out of 27"),
    ("phq9", "2,2,2,2,2,2,2,1,0", "PHQ-9: 15 out of 27"),
    ("gad7", "3,3,3,3,3,3,3", "GAD-7: 21 out of 21"),
    ("gad7", "3,3,3,3,3,0,0", "GAD-7: 15 out of 21"),
])
def test_a_high_total_gently_suggests_a_doctor_and_where_help_is(run, command, answers, score_line):
    result = run(command, "--answers", answers)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert SAFETY_TITLE not in out  # no crisis alarm for a high total alone
    assert CARE_TITLE in out and CARE_WORDS in out
    assert "`kindstep help-now` shows who you can reach right now" in out
    assert out.index(score_line) < out.index(CARE_TITLE)  # the score, then what it may mean


@pytest.mark.parametrize(("command", "answers"), [
    ("phq9", "2,2,2,2,2,2,1,1,0"),  # 14, moderate
    ("gad7", "2,2,2,2,2,2,2"),      # 14, moderate
])
def test_a_total_below_the_range_has_no_care_message(run, command, answers):
    result = run(command, "--answers", answers)
    assert CARE_TITLE not in result.stdout and CARE_WORDS not in result.stdout
    data = as_json(run(command, "--answers", answers, "--json"))
    assert "care" not in data and data["care_suggested"] is False


def test_json_has_a_care_object_beside_safety_with_where_help_is(run):
    data = as_json(run("gad7", "--answers", "3,3,3,3,3,3,3", "--json"))
    assert "safety" not in data
    assert list(data)[0] == "care"
    care = data["care"]
    assert CARE_WORDS in care["message"] and care["title"] == CARE_TITLE
    assert care["where_help_is"] == "kindstep help-now"
    assert data["care_suggested"] is True and data["total"] == 21


def test_json_with_item9_and_a_high_total_has_safety_first_then_care(run):
    run("settings", "--country", "GB")
    data = as_json(run("phq9", "--answers", "3,3,3,3,3,3,3,3,1", "--json"))
    assert list(data)[:2] == ["safety", "care"]
    assert data["safety"]["emergency"] == "999"
    assert data["care"]["where_help_is"] == "kindstep help-now"


def test_text_with_item9_and_a_high_total_shows_help_first_and_care_after_the_score(run):
    result = run("phq9", "--answers", "3,3,3,3,3,3,3,3,2")
    out = result.stdout
    assert out.startswith(SAFETY_TITLE)
    assert out.index(SAFETY_TITLE) < out.index("PHQ-9: 26 out of 27") < out.index(CARE_TITLE)
    assert out.count(SAFETY_TITLE) == 1


# -- item 3: help before anything else can fail -------------------------------------------------


@pytest.mark.parametrize(("args", "refusal"), [
    (("--answers", "0,0,0,0,0,0,0,0,3", "--difficulty", "9"), "difficulty"),
    (("--answers", "0,0,0,0,0,0,0,0,1", "--difficulty", "often"), "difficulty"),
    (("--answers", "0,0,0,0,0,0,0,0,2,1"), "PHQ-9 has 9 questions; 10 answers were given."),
    (("--answers", "4,0,0,0,0,0,0,0,1"), "Answer 1 must be between 0 and 3."),
    (("--answers", "0,one,0,0,0,0,0,0,2"), "Answer 2 ('one') must be a whole number"),
    (("--answers", "0,0,0,0,0,0,0,0,7"), "Answer 9 must be between 0 and 3."),
])
def test_item9_above_0_shows_help_first_even_when_the_rest_is_refused(run, written, args, refusal):
    run("settings", "--country", "GB")
    before = written()
    result = run("phq9", *args)
    assert result.exit_code == common.EXIT_REFUSED  # the refusal's own code
    crisis_lines_shown(result.stdout, "GB")
    (line,) = result.stderr.strip().splitlines()  # and the refusal is still its one kind line
    assert refusal in line
    assert written() == before  # nothing saved: no answers and no safety event


def test_item9_above_0_in_json_carries_help_even_when_the_rest_is_refused(run, written):
    run("settings", "--country", "NZ")
    before = written()
    result = run("phq9", "--answers", "0,0,0,0,0,0,0,0,3", "--difficulty", "9", "--json")
    assert result.exit_code == common.EXIT_REFUSED
    data = json.loads(result.stdout)
    assert list(data) == ["safety"]
    assert data["safety"]["emergency"] == "111"
    assert "1737" in [line["call"] for line in data["safety"]["lines"]]
    assert "difficulty" in result.stderr
    assert written() == before


def test_without_a_country_the_message_is_still_whole(run):
    result = run("phq9", "--answers", "0,0,0,0,0,0,0,0,1", "--difficulty", "9")
    assert result.exit_code == common.EXIT_REFUSED
    out = result.stdout
    assert out.startswith(SAFETY_TITLE)
    assert "call your local emergency number" in out
    assert "Find A Helpline" in out and "findahelpline.com" in out


def test_a_refusal_with_item9_at_0_shows_no_crisis_message(run):
    result = run("phq9", "--answers", "0,0,0,0,0,0,0,0,0", "--difficulty", "9")
    assert result.exit_code == common.EXIT_REFUSED
    assert result.stdout == ""


TOKENS = st.one_of(
    st.integers(0, 3).map(str),       # a good answer
    st.integers(4, 12).map(str),      # out of range
    st.sampled_from(["x", "-1", "one", "2.5", "³"]),  # not an answer at all
)
ITEM9 = st.one_of(st.integers(1, 3), st.integers(4, 9)).map(str)  # above 0, in range or not
DIFFICULTY = st.one_of(st.none(), st.integers(0, 3).map(str), st.sampled_from(["9", "x", "-1"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    country=st.sampled_from(safety.countries()),
    first=st.lists(TOKENS, min_size=8, max_size=8),
    item9=ITEM9,
    extra=st.lists(TOKENS, max_size=3),
    difficulty=DIFFICULTY,
)
def test_every_answer_list_with_item9_above_0_shows_the_chosen_countrys_lines_first(
    run, country, first, item9, extra, difficulty
):
    actions.update_settings(the_person(), country=country)  # the country, set in the record first
    pieces = [*first, item9, *extra]
    args = ["phq9", f"--answers={','.join(pieces)}"]
    if difficulty is not None:
        args.append(f"--difficulty={difficulty}")
    result = run(*args)
    crisis_lines_shown(result.stdout, country)
    valid = (len(pieces) == 9 and all(p in {"0", "1", "2", "3"} for p in pieces)
             and difficulty in (None, "0", "1", "2", "3"))
    assert result.exit_code == (0 if valid else common.EXIT_REFUSED), result.output
    assert result.stdout.count(SAFETY_TITLE) == 1


def test_an_unusable_data_folder_still_shows_help_first_and_exits_74(kindstep, damaged):
    before = snapshot(damaged)
    result = kindstep(damaged, "phq9", "--answers", "0,0,0,0,0,0,0,0,2")
    assert_one_kind_line(result, common.EXIT_DATA, "is not a kindstep database")
    assert result.stdout.startswith(SAFETY_TITLE)
    assert "call your local emergency number" in result.stdout
    assert "Find A Helpline" in result.stdout
    assert snapshot(damaged) == before


def test_an_unusable_data_folder_still_gives_help_in_json(kindstep, damaged):
    result = kindstep(damaged, "phq9", "--answers", "0,0,0,0,0,0,0,0,2", "--json")
    assert_one_kind_line(result, common.EXIT_DATA, "is not a kindstep database")
    data = json.loads(result.stdout)
    assert data["safety"]["title"] == SAFETY_TITLE
    assert data["safety"]["emergency_instruction"] == "call your local emergency number"


# -- item 4: "response" and "remission" only where defined ----------------------------------------


def test_a_first_low_phq9_with_item9_above_0_never_says_remission(run):
    result = run("phq9", "--answers", "0,0,0,0,0,0,0,0,1")
    assert result.exit_code == 0
    assert "remission" not in result.stdout.lower()
    data = as_json(run("phq9", "--answers", "1,0,0,0,0,0,0,0,0", "--json", at=NOW + timedelta(1)))
    assert data["remission"] is None and "remission" not in data["summary"]


def test_two_gad7s_minutes_apart_are_not_called_a_response(run):
    run("gad7", "--answers", "3,3,3,3,2,0,0", at=NOW - timedelta(minutes=5))
    result = run("gad7", "--answers", "0,0,0,0,0,0,1")
    assert "response" not in result.stdout and "remission" not in result.stdout
    data = as_json(run("gad7", "--answers", "0,0,0,0,0,0,0", "--json"))
    assert (data["response"], data["remission"]) == (None, None)
    listing = run("scores").stdout
    assert "response" not in listing and "remission" not in listing


def test_two_phq9s_a_week_apart_are_not_called_a_response(run):
    run("phq9", "--answers", "3,3,2,2,2,2,1,1,0", at=NOW - timedelta(days=7))
    data = as_json(run("phq9", "--answers", "1,1,0,0,0,0,0,0,0", "--json"))
    assert (data["response"], data["remission"]) == (None, None)
    assert data["reliable_change"] == "improved"
    assert "response" not in data["summary"] and "remission" not in data["summary"]


def test_two_phq9s_two_weeks_apart_name_response_and_remission(run):
    run("phq9", "--answers", "3,3,2,2,2,2,1,1,0", at=NOW - timedelta(days=14))
    result = run("phq9", "--answers", "1,1,0,0,0,0,0,0,0")
    assert "clinicians call a drop like this a response" in result.stdout
    assert "range clinicians call remission" in result.stdout
    listing = run("scores").stdout
    assert "response" in listing and "remission range" in listing


# -- item 7: a check-in at an extreme ---------------------------------------------------------------


def test_a_checkin_at_both_extremes_adds_one_quiet_line_to_help_now(run):
    result = run("checkin", "--energy", "2", "--mood", "1", "--anxiety", "9")
    assert result.exit_code == 0, result.output
    assert result.stdout.count(QUIET_LINE) == 1
    assert "`kindstep help-now` shows who you can reach" in result.stdout
    assert SAFETY_TITLE not in result.stdout  # a quiet line, not the crisis message


def test_a_checkin_at_both_extremes_in_json_has_a_care_object(run):
    data = as_json(run("checkin", "--energy", "2", "--mood", "0", "--anxiety", "10", "--json"))
    assert QUIET_LINE in data["care"]["message"]
    assert data["care"]["where_help_is"] == "kindstep help-now"
    assert (data["mood"], data["anxiety"]) == (0, 10)


def test_an_ordinary_checkin_adds_no_line(run):
    result = run("checkin", "--energy", "2", "--mood", "2", "--anxiety", "8",
                 "--note", "I feel hopeless")  # notes are never read
    assert QUIET_LINE not in result.stdout
    assert "care" not in as_json(run("checkin", "--energy", "5", "--mood", "5", "--anxiety", "5",
                                      "--json"))


def test_the_same_extreme_three_checkins_running_adds_the_line_on_the_third(run):
    outputs = [run("checkin", "--energy", "4", "--mood", "4", "--anxiety", "9",
                   at=NOW - timedelta(days=days)).stdout for days in (2, 1, 0)]
    assert [QUIET_LINE in out for out in outputs] == [False, False, True]


# -- items 9 and 15.5: each rule in one place ------------------------------------------------------


PACKAGE = Path(safety.__file__).parents[1]
"""The kindstep package folder."""


def _attribute_reads(name: str) -> set[str]:
    """Modules of kindstep/ that read ``.name`` (an attribute), outside core/scales.py."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "core" / "scales.py" or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == name:
                found.add(str(path.relative_to(PACKAGE)))
    return found


def test_the_item9_and_high_score_rules_are_written_only_in_core_scales():
    """Nothing outside the rule's own module reads the safety item or the care threshold:
    every interface asks ``scales.safety_answer`` / ``Result.care``."""
    assert _attribute_reads("safety_item") == set()
    assert _attribute_reads("care_from") == set()
    assert _attribute_reads("remission_below") == set()


def test_no_template_or_view_compares_answers_as_strings():
    for path in (*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.html")):
        assert '("1", "2", "3")' not in path.read_text("utf-8"), path


def test_today_after_a_checkin_at_both_extremes_shows_the_quiet_line_too(run):
    run("checkin", "--energy", "2", "--mood", "1", "--anxiety", "10")
    assert QUIET_LINE in run("today").stdout
    run("checkin", "--energy", "5", "--mood", "6", "--anxiety", "3")  # the latest one counts
    assert QUIET_LINE not in run("today").stdout

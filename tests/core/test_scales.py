"""Tests for kindstep.core.scales: wording, bands, change, response, remission, validation."""

from __future__ import annotations

import os
import tomllib
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kindstep
from kindstep.core.scales import (
    Result,
    ScaleError,
    care_needed,
    get_scale,
    is_due,
    load_scales,
    next_due,
    parse_answers,
    safety_answer,
    score,
    validate_answers,
)
from tests.words import unkind

SHARED_INSTRUMENTS = Path(kindstep.__file__).resolve().parents[2] / "shared" / "instruments.toml"
"""The reference copy of the official wording the project was given, beside the checkout."""


def answers_for(code: str, total: int) -> list[int]:
    """Answers for ``code`` adding up to ``total``, filled with 3s from the first item."""
    answers = []
    left = total
    for _ in load_scales()[code].items:
        answers.append(min(3, left))
        left -= answers[-1]
    assert left == 0, "total too big for this scale"
    return answers


def shared_instruments() -> dict:
    if not SHARED_INSTRUMENTS.exists():
        if os.environ.get("CI"):
            pytest.fail(f"the shared reference file {SHARED_INSTRUMENTS} is missing in CI")
        pytest.skip(f"the shared reference file {SHARED_INSTRUMENTS} is not here (outside CI)")
    return tomllib.loads(SHARED_INSTRUMENTS.read_text(encoding="utf-8"))


def packaged_instruments_text() -> str:
    return resources.files("kindstep.data").joinpath("instruments.toml").read_text(encoding="utf-8")


# --- wording ---------------------------------------------------------------


def test_the_packaged_file_repeats_every_key_of_the_shared_file_exactly():
    shared = shared_instruments()
    packaged = tomllib.loads(packaged_instruments_text())
    assert set(shared) <= set(packaged)
    for code, table in shared.items():
        for key, value in table.items():
            assert packaged[code][key] == value, f"{code}.{key} differs from the shared file"


def test_every_stem_option_item_and_difficulty_question_matches_the_shared_wording():
    shared = shared_instruments()
    scales = load_scales()
    assert set(scales) == set(shared)
    for code, table in shared.items():
        source = shared[table["items_from"]] if "items_from" in table else table
        items = (
            [source["items"][n - 1] for n in table["items"]] if "items_from" in table
            else table["items"]
        )
        scale = scales[code]
        assert scale.name == table["name"]
        assert scale.stem == source["stem"]
        assert list(scale.options) == source["options"]
        assert list(scale.items) == items
        assert scale.difficulty_question == table.get("difficulty_question", "")
        assert list(scale.difficulty_options) == table.get("difficulty_options", [])


def test_the_packaged_file_keeps_the_shared_files_credit_lines():
    shared_instruments()  # fails in CI, skips elsewhere, when the shared file is missing
    packaged = packaged_instruments_text()
    header = [  # the credit; the line pointing to the scoring notes points into docs/ here
        line for line in SHARED_INSTRUMENTS.read_text(encoding="utf-8").splitlines()
        if line.startswith("#") and not line.startswith("# Scoring and bands")
    ]
    assert any("Robert L. Spitzer" in line for line in header)
    for line in header:
        assert line in packaged


def test_every_scale_carries_the_credit_line():
    for scale in load_scales().values():
        assert scale.credit.startswith("Developed by Drs. Robert L. Spitzer")
        assert "No permission required to reproduce, translate, display" in scale.credit


def test_the_short_screeners_use_the_first_two_items_of_their_full_scales():
    scales = load_scales()
    assert scales["phq2"].items == scales["phq9"].items[:2]
    assert scales["gad2"].items == scales["gad7"].items[:2]
    assert scales["phq2"].stem == scales["phq9"].stem
    counts = [len(scales[code].items) for code in ("phq9", "gad7", "phq2", "gad2")]
    assert counts == [9, 7, 2, 2]


def test_item_nine_of_the_phq9_is_the_safety_item():
    phq9 = get_scale("phq9")
    assert phq9.safety_item == 9
    assert "better off dead" in phq9.items[phq9.safety_item - 1]
    assert all(load_scales()[code].safety_item is None for code in ("gad7", "phq2", "gad2"))


def test_a_scale_can_be_named_as_people_write_it():
    assert get_scale("PHQ-9").code == "phq9"
    assert get_scale(" gad 7 ").code == "gad7"


def test_an_unknown_scale_gets_a_kind_message_naming_the_choices():
    with pytest.raises(ScaleError, match="no questionnaire called 'bdi'.*phq9"):
        get_scale("bdi")


# --- bands -----------------------------------------------------------------

BOUNDARIES = [
    ("phq9", 0, "Minimal"), ("phq9", 4, "Minimal"), ("phq9", 5, "Mild"), ("phq9", 9, "Mild"),
    ("phq9", 10, "Moderate"), ("phq9", 14, "Moderate"), ("phq9", 15, "Moderately severe"),
    ("phq9", 19, "Moderately severe"), ("phq9", 20, "Severe"), ("phq9", 27, "Severe"),
    ("gad7", 0, "Minimal"), ("gad7", 4, "Minimal"), ("gad7", 5, "Mild"), ("gad7", 9, "Mild"),
    ("gad7", 10, "Moderate"), ("gad7", 14, "Moderate"), ("gad7", 15, "Severe"),
    ("gad7", 21, "Severe"),
    ("phq2", 0, "Below the usual screening cut-off"),
    ("phq2", 2, "Below the usual screening cut-off"),
    ("phq2", 3, "At or above the usual screening cut-off"),
    ("phq2", 6, "At or above the usual screening cut-off"),
    ("gad2", 0, "Below 3, the screening cut-off kindstep uses"),
    ("gad2", 2, "Below 3, the screening cut-off kindstep uses"),
    ("gad2", 3, "At or above 3, the screening cut-off kindstep uses"),
    ("gad2", 6, "At or above 3, the screening cut-off kindstep uses"),
]


@pytest.mark.parametrize(("code", "total", "band"), BOUNDARIES)
def test_every_band_boundary_lands_in_the_right_band(code, total, band):
    result = score(code, answers_for(code, total))
    assert result.total == total
    assert result.band == band


def test_the_bands_cover_every_possible_total_exactly_once():
    for scale in load_scales().values():
        for total in range(scale.max_total + 1):
            assert sum(total in band for band in scale.bands) == 1, (scale.code, total)
    assert [s.max_total for s in map(get_scale, ("phq9", "gad7", "phq2", "gad2"))] == [27, 21, 6, 6]


@given(st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_the_total_is_the_sum_of_the_answers_and_falls_in_its_band(answers):
    result = score("phq9", answers)
    assert result.total == sum(answers)
    assert result.answers == tuple(answers)
    band = next(b for b in get_scale("phq9").bands if b.label == result.band)
    assert band.low <= result.total <= band.high


def test_a_screener_at_its_cut_off_suggests_the_full_scale():
    assert score("phq2", [1, 2]).suggests_full == "phq9"
    assert score("phq2", [1, 1]).suggests_full is None
    assert score("gad2", [3, 0]).suggests_full == "gad7"
    assert score("gad2", [0, 2]).suggests_full is None
    assert score("phq9", [3] * 8 + [0]).suggests_full is None
    assert "full PHQ-9" in score("phq2", [3, 3]).plain_summary


# --- change, reliable change, response, remission ---------------------------


@pytest.mark.parametrize(
    ("code", "before", "after", "expected"),
    [
        ("phq9", 15, 10, "improved"),  # exactly 5 points down
        ("phq9", 15, 11, None),  # 4 points down
        ("phq9", 10, 15, "worsened"),  # exactly 5 points up
        ("phq9", 10, 14, None),  # 4 points up
        ("gad7", 12, 6, "improved"),  # exactly 6 points down (Bischoff et al. 2020)
        ("gad7", 12, 7, None),  # 5 points down
        ("gad7", 12, 8, None),  # 4 points down: the MCID, not beyond measurement noise
        ("gad7", 8, 14, "worsened"),  # exactly 6 points up
        ("gad7", 8, 13, None),  # 5 points up
        ("phq2", 0, 6, None),  # the screeners have no reliable-change threshold
        ("gad2", 6, 0, None),
    ],
)
def test_reliable_change_starts_exactly_at_the_threshold(code, before, after, expected):
    first = score(code, answers_for(code, before))
    result = score(code, answers_for(code, after), previous=[first])
    assert result.change == after - before
    assert result.reliable_change == expected


def test_change_is_measured_against_the_most_recent_previous_result():
    history = [score("phq9", answers_for("phq9", t)) for t in (20, 12)]
    result = score("phq9", answers_for("phq9", 10), previous=history)
    assert result.change == -2
    assert result.reliable_change is None


def test_previous_results_of_other_scales_are_ignored():
    gad = score("gad7", answers_for("gad7", 21), taken_on=date(2026, 1, 1))
    result = score("phq9", answers_for("phq9", 6), previous=[gad], taken_on=date(2026, 2, 1))
    assert result.change is None
    assert result.response is None


def test_a_first_result_has_nothing_to_compare_with():
    result = score("phq9", answers_for("phq9", 12), taken_on=date(2026, 1, 1))
    assert (result.change, result.reliable_change, result.response) == (None, None, None)
    assert result.remission is None


def test_a_first_low_phq9_is_never_called_remission():
    """Remission is a return from somewhere: a first-ever low total says its range plainly."""
    result = score("phq9", answers_for("phq9", 1), taken_on=date(2026, 1, 1))
    assert result.remission is None
    assert "remission" not in result.plain_summary
    assert 'in the range usually called "minimal"' in result.plain_summary


def on(day: int, code: str, total: int, previous=(), **kw) -> Result:
    """``code`` scored at ``total`` on day ``day`` of 2026 (1 = 1 January)."""
    when = date.fromordinal(date(2026, 1, 1).toordinal() + day - 1)
    return score(code, answers_for(code, total), previous=list(previous), taken_on=when, **kw)


def history(code: str, *points: tuple[int, int]) -> list[Result]:
    """Results of ``code`` at ``(day, total)`` points, each scored against those before."""
    results: list[Result] = []
    for day, total in points:
        results.append(on(day, code, total, results))
    return results


@pytest.mark.parametrize(("after", "response"), [(8, True), (9, False), (0, True)])
def test_response_is_a_drop_of_half_or_more_from_the_episode_baseline(after, response):
    earlier = history("phq9", (1, 16), (8, 13))
    result = on(15, "phq9", after, earlier)
    assert result.response is response


@pytest.mark.parametrize("day", [2, 8, 14])
def test_no_response_or_remission_is_spoken_of_within_two_weeks_of_the_baseline(day):
    earlier = history("phq9", (1, 16))
    result = on(day, "phq9", 2, earlier)
    assert (result.response, result.remission) == (None, None)
    assert "response" not in result.plain_summary and "remission" not in result.plain_summary
    assert "14 points lower (fewer symptoms) than last time" in result.plain_summary


def test_response_and_remission_two_weeks_after_the_baseline_are_named():
    result = on(15, "phq9", 2, history("phq9", (1, 16)))
    assert (result.response, result.remission) == (True, True)
    assert "clinicians call a drop like this a response" in result.plain_summary
    assert "After starting at 16, a total below 5 is in the range clinicians call remission" \
        in result.plain_summary


def test_without_dates_there_is_no_response_or_remission_to_speak_of():
    first = score("phq9", answers_for("phq9", 16))
    result = score("phq9", answers_for("phq9", 2), previous=[first])
    assert (result.response, result.remission) == (None, None)


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_never_response_or_remission_beside_an_item9_answer_above_0(item9):
    earlier = history("phq9", (1, 20))
    result = score("phq9", [0] * 8 + [item9], previous=earlier, taken_on=date(2026, 2, 1))
    assert result.safety_flag is True
    assert (result.response, result.remission) == (None, None)
    assert "remission" not in result.plain_summary and "response" not in result.plain_summary


def test_the_episode_restarts_after_a_remission():
    # 20 (old episode) -> 3 (remission) -> 12 (new baseline) -> now 7.
    # Half of 20 would count 7 as a response; half of 12 does not.
    earlier = history("phq9", (1, 20), (15, 3), (29, 12))
    assert on(43, "phq9", 7, earlier).response is False
    assert on(43, "phq9", 6, earlier).response is True


def test_there_is_no_response_to_speak_of_right_after_a_remission():
    earlier = history("phq9", (1, 14), (15, 4))
    result = on(29, "phq9", 10, earlier)
    assert result.response is None and result.remission is None
    assert result.reliable_change == "worsened"


@pytest.mark.parametrize(("total", "remission"), [(4, True), (5, False)])
def test_remission_is_a_phq9_total_below_five_after_a_baseline(total, remission):
    assert on(15, "phq9", total, history("phq9", (1, 12))).remission is remission


@pytest.mark.parametrize("code", ["phq2", "gad2"])
def test_the_screeners_have_no_remission(code):
    assert on(15, code, 0, history(code, (1, 6))).remission is None


def test_gad7_is_never_called_response_or_remission_for_want_of_a_published_definition():
    earlier = history("gad7", (1, 14))
    result = on(15, "gad7", 2, earlier)
    assert (result.response, result.remission) == (None, None)
    assert "response" not in result.plain_summary and "remission" not in result.plain_summary
    assert 'in the range usually called "minimal"' in result.plain_summary
    assert result.reliable_change == "improved"  # the cited reliable change index still counts


# --- the two rules that point to help: item 9, and a high total -----------------------


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_any_answer_above_zero_on_item_nine_raises_the_safety_flag(item9):
    result = score("phq9", [0] * 8 + [item9])
    assert result.safety_flag is True
    assert "support" in result.plain_summary


def test_a_high_total_without_item_nine_does_not_raise_the_safety_flag():
    assert score("phq9", [3] * 8 + [0]).safety_flag is False
    assert score("gad7", [3] * 7).safety_flag is False
    assert score("phq2", [3, 3]).safety_flag is False


@pytest.mark.parametrize("answers", [
    "0,0,0,0,0,0,0,0,1",
    "0 0 0 0 0 0 0 0 3",
    "0,0,0,0,0,0,0,0,3,1",          # one answer too many
    "9,x,0,0,-1,0,0,0,2",           # other answers out of range or unreadable
    "0,0,0,0,0,0,0,0,7",            # item 9 itself out of range: still above 0
    ["", "", "", "", "", "", "", "", "2"],  # a form with every other answer left out
    [0, 0, 0, 0, 0, 0, 0, 0, 2.5],
])
def test_the_item9_rule_reads_item9_whatever_else_is_wrong(answers):
    found = safety_answer("phq9", answers)
    assert found is not None and found.item == 9 and found.answer > 0


@pytest.mark.parametrize("answers", [
    "0,0,0,0,0,0,0,0,0", "3,3,3,3,3,3,3,3,0", "3,3,3,3,3,3,3,3", "", "0,0,0,0,0,0,0,0,x",
    "0,0,0,0,0,0,0,0,-1", ["0"] * 8 + [""], [0] * 8 + [True], None,
])
def test_the_item9_rule_stays_quiet_without_an_item9_answer_above_0(answers):
    assert safety_answer("phq9", answers) is None


@pytest.mark.parametrize("code", ["gad7", "phq2", "gad2"])
def test_only_the_phq9_has_a_safety_item(code):
    assert safety_answer(code, [3] * len(get_scale(code).items)) is None


@given(st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_scoring_and_the_item9_rule_always_agree(answers):
    assert score("phq9", answers).safety_flag is (safety_answer("phq9", answers) is not None)
    assert score("phq9", answers).safety_flag is (answers[8] > 0)


@pytest.mark.parametrize(("code", "total", "care"), [
    ("phq9", 14, False), ("phq9", 15, True), ("phq9", 27, True),
    ("gad7", 14, False), ("gad7", 15, True), ("gad7", 21, True),
    ("phq2", 6, False), ("gad2", 6, False),
])
def test_care_starts_at_moderately_severe_for_the_phq9_and_severe_for_the_gad7(code, total, care):
    assert care_needed(code, total) is care
    assert score(code, answers_for(code, total)).care is care


def test_the_care_thresholds_are_the_lower_edges_of_the_bands_they_name():
    phq9, gad7 = get_scale("phq9"), get_scale("gad7")
    assert phq9.care_from == next(b.low for b in phq9.bands if b.label == "Moderately severe")
    assert gad7.care_from == next(b.low for b in gad7.bands if b.label == "Severe")


# --- difficulty ------------------------------------------------------------


def test_the_difficulty_answer_is_kept_and_not_scored():
    result = score("phq9", [1] * 9, difficulty=2)
    assert result.difficulty == 2
    assert result.total == 9


@pytest.mark.parametrize("difficulty", [-1, 4, True, 1.5])
def test_a_difficulty_answer_outside_zero_to_three_gets_a_kind_message(difficulty):
    with pytest.raises(ScaleError, match="The difficulty answer must be between 0 and 3."):
        score("phq9", [1] * 9, difficulty=difficulty)


def test_a_difficulty_answer_for_a_scale_without_the_question_is_refused():
    with pytest.raises(ScaleError, match="GAD-7 has no difficulty question"):
        score("gad7", [1] * 7, difficulty=1)


# --- summary ---------------------------------------------------------------


def summaries() -> list[Result]:
    results = []
    for code in load_scales():
        scale = load_scales()[code]
        for total in range(0, scale.max_total + 1, 3):
            first = score(code, answers_for(code, total))
            results.append(first)
            for later in (0, scale.max_total):
                results.append(score(code, answers_for(code, later), previous=[first]))
    results.append(score("phq9", [0] * 8 + [2]))
    return results


def test_every_summary_says_scores_are_information_and_never_a_diagnosis():
    for result in summaries():
        assert "information for you and your clinician, never a diagnosis" in result.plain_summary


def test_no_summary_uses_shaming_words():
    for result in summaries():
        assert not unkind(result.plain_summary), result.plain_summary


def test_the_summary_explains_a_change_in_plain_words():
    first = on(1, "phq9", 16)
    result = on(15, "phq9", 8, [first])
    assert "8 points lower (fewer symptoms) than last time" in result.plain_summary
    assert "response" in result.plain_summary
    same = score("phq9", answers_for("phq9", 16), previous=[first])
    assert "same as last time" in same.plain_summary


# --- validation ------------------------------------------------------------


def test_good_answers_come_back_as_a_list():
    assert validate_answers("gad7", (0, 1, 2, 3, 0, 1, 2)) == [0, 1, 2, 3, 0, 1, 2]


def test_an_answer_out_of_range_is_named_with_the_range():
    with pytest.raises(ScaleError) as error:
        validate_answers("phq9", [0, 0, 0, 4, 0, 0, 0, 0, 0])
    assert str(error.value) == "Answer 4 must be between 0 and 3."
    with pytest.raises(ScaleError, match="^Answer 1 must be between 0 and 3.$"):
        validate_answers("gad2", [-1, 0])


def test_the_wrong_number_of_answers_is_named_with_both_counts():
    with pytest.raises(ScaleError) as error:
        validate_answers("phq9", [0] * 8)
    assert str(error.value) == "PHQ-9 has 9 questions; 8 answers were given."
    with pytest.raises(ScaleError, match=r"^GAD-2 has 2 questions; 1 answer was given.$"):
        validate_answers("gad2", [0])


@pytest.mark.parametrize("bad", [1.0, "1", True, None])
def test_an_answer_that_is_not_a_whole_number_is_refused(bad):
    with pytest.raises(ScaleError, match="^Answer 2 must be a whole number between 0 and 3.$"):
        validate_answers("phq2", [0, bad])


def test_score_refuses_bad_answers_before_scoring():
    with pytest.raises(ScaleError, match="Answer 9 must be between 0 and 3."):
        score("phq9", [0] * 8 + [7])


def test_answers_can_be_parsed_from_text():
    assert parse_answers("0,1,2,3,0,1,2,3,0") == [0, 1, 2, 3, 0, 1, 2, 3, 0]
    assert parse_answers(" 0 1, 2 ,3 ") == [0, 1, 2, 3]
    assert parse_answers("1,2", "phq2") == [1, 2]


def test_unreadable_text_answers_get_a_kind_message():
    two = r"^Answer 3 \('two'\) must be a whole number between 0 and 3.$"
    with pytest.raises(ScaleError, match=two):
        parse_answers("0,1,two")
    with pytest.raises(ScaleError, match="^Answer 2 \\('-1'\\) must be a whole number"):
        parse_answers("0,-1")
    with pytest.raises(ScaleError, match="numbers from 0 to 3"):
        parse_answers("  ")
    with pytest.raises(ScaleError, match="^PHQ-9 has 9 questions; 3 answers were given.$"):
        parse_answers("0,1,2", "phq9")


# --- timing ----------------------------------------------------------------


def test_a_questionnaire_is_due_when_never_taken():
    assert is_due(None, date(2026, 3, 1)) is True


def test_a_questionnaire_is_due_again_fourteen_days_after_the_last():
    last = date(2026, 3, 1)
    assert is_due(last, date(2026, 3, 14)) is False
    assert is_due(last, date(2026, 3, 15)) is True
    assert is_due(last, date(2026, 6, 1)) is True
    assert next_due(last) == date(2026, 3, 15)


def test_a_questionnaire_taken_today_is_not_due():
    assert is_due(date(2026, 3, 1), date(2026, 3, 1)) is False


def test_a_missing_shared_file_fails_in_ci_and_skips_elsewhere(monkeypatch, tmp_path):
    import sys

    monkeypatch.setattr(sys.modules[__name__], "SHARED_INSTRUMENTS", tmp_path / "absent.toml")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        shared_instruments()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        shared_instruments()


def test_the_gad2_cut_off_is_never_called_usual_while_its_source_is_unverified():
    for total in range(7):
        result = score("gad2", [total // 2, total - total // 2])
        assert "usual" not in result.band.lower() and "usual" not in result.plain_summary.lower()
        assert "the screening cut-off kindstep uses" in result.plain_summary

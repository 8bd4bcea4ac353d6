"""Tests for kindstep.core.readiness: kindstep's own pre-activity questions."""

from __future__ import annotations

from importlib import resources

import pytest

from kindstep.core.readiness import (
    ReadinessError,
    assess,
    intro,
    load_questions,
    parse_yes_no,
)
from tests.words import unkind

CODES = ["heart", "chest_pain", "dizziness", "long_term_condition", "medication",
         "bones_joints", "supervised"]


def all_no() -> dict[str, bool]:
    return dict.fromkeys(CODES, False)


# --- questions -------------------------------------------------------------


def test_the_questions_cover_each_consideration_in_order():
    assert [q.code for q in load_questions()] == CODES


def test_every_question_is_a_question_with_a_reason():
    for question in load_questions():
        assert "?" in question.text
        assert len(question.why) > 20


def test_the_questions_cover_the_topics_science_md_names():
    text = " ".join(q.text.lower() for q in load_questions())
    for topic in ("heart", "blood pressure", "chest", "dizzy", "fainted", "long-term",
                  "medicine", "bone, joint", "supervision"):
        assert topic in text, topic


def test_the_check_never_names_or_reproduces_the_par_q_form():
    raw = resources.files("kindstep.data").joinpath("readiness.toml").read_text(encoding="utf-8")
    for text in (raw, intro()):
        flat = text.lower().replace("-", "").replace(" ", "")
        assert "parq" not in flat
        assert "eparmed" not in flat
    # Its own words, not the published form's opening question.
    assert "has a doctor ever said" not in raw.lower()


def test_the_intro_says_it_follows_widely_used_practice():
    assert "widely used pre-activity screening practice" in intro()


# --- assess ----------------------------------------------------------------


def test_all_no_keeps_every_suggestion_open_with_a_warm_message():
    result = assess(all_no())
    assert result.any_yes is False
    assert result.light_only is False
    assert result.yes_codes == ()
    assert "Start gently" in result.message


@pytest.mark.parametrize("code", [c for c in CODES
                                  if c not in ("chest_pain", "dizziness", "supervised")])
def test_any_single_yes_keeps_suggestions_light_and_suggests_a_doctor(code):
    answers = all_no() | {code: True}
    result = assess(answers)
    assert result.any_yes is True
    assert result.light_only is True
    assert (result.see_doctor_first, result.supervised) == (False, False)
    assert result.yes_codes == (code,)
    assert "talk with a doctor before doing moderate or vigorous activity" in result.message
    assert "keep its suggestions light" in result.message
    assert "go-ahead" in result.message


@pytest.mark.parametrize("code", ["chest_pain", "dizziness"])
def test_chest_pain_or_fainting_means_seeing_a_doctor_before_anything_new(code):
    result = assess(all_no() | {code: True})
    assert result.see_doctor_first is True and result.light_only is True
    assert "see a doctor before starting anything new" in result.message
    assert "only its gentlest choices" in result.message
    # Nothing in it says light activity is fine meanwhile.
    assert "plenty to choose from" not in result.message
    assert "moderate or vigorous" not in result.message


def test_a_doctor_seeing_them_lifts_the_gentlest_limit():
    result = assess(all_no() | {"chest_pain": True}, doctor_go_ahead=True)
    assert result.see_doctor_first is False and result.light_only is False


@pytest.mark.parametrize("go_ahead", [False, True])
def test_supervision_only_means_breathing_and_stretches_and_says_why(go_ahead):
    result = assess(all_no() | {"supervised": True}, doctor_go_ahead=go_ahead)
    assert result.supervised is True
    assert "only with medical supervision" in result.message
    assert "only slow breathing and gentle stretches" in result.message
    assert "full range" not in result.message


def test_every_question_why_agrees_with_what_its_yes_does():
    why = {q.code: q.why for q in load_questions()}
    assert "gentlest choices" in why["chest_pain"] and "gentlest choices" in why["dizziness"]
    assert "breathing and gentle stretches" in why["supervised"]
    assert "keeps its own suggestions light" not in why["supervised"]


def test_answers_in_order_mean_the_same_as_answers_by_code():
    in_order = [False, True, False, False, True, False, False]
    by_code = dict(zip(CODES, in_order, strict=True))
    assert assess(in_order) == assess(by_code)
    assert assess(in_order).yes_codes == ("chest_pain", "medication")


def test_a_doctors_go_ahead_lifts_the_light_only_limit():
    result = assess(all_no() | {"heart": True}, doctor_go_ahead=True)
    assert result.any_yes is True
    assert result.light_only is False
    assert "doctor" in result.message


def test_the_general_notes_come_with_every_result():
    for result in (assess(all_no()), assess(all_no() | {"heart": True})):
        notes = " ".join(result.notes)
        assert "fever" in notes and "pregnant" in notes


def test_no_readiness_text_uses_shaming_words():
    texts = [intro(), *(q.text + q.why for q in load_questions())]
    for answers in (all_no(), all_no() | {"heart": True}, all_no() | {"chest_pain": True},
                    all_no() | {"supervised": True}):
        for go_ahead in (False, True):
            result = assess(answers, doctor_go_ahead=go_ahead)
            texts += [result.message, *result.notes]
    for text in texts:
        assert not unkind(text), text


# --- bad answers -----------------------------------------------------------


def test_a_missing_answer_is_named():
    answers = all_no()
    del answers["medication"]
    expected = "^Please answer the question 'medication' with yes or no.$"
    with pytest.raises(ReadinessError, match=expected):
        assess(answers)


def test_an_unknown_question_code_is_named_with_the_choices():
    with pytest.raises(ReadinessError, match="no readiness question called 'knees'.*heart"):
        assess(all_no() | {"knees": True})


def test_the_wrong_number_of_answers_in_order_is_named():
    expected = "^There are 7 readiness questions; 6 answers were given.$"
    with pytest.raises(ReadinessError, match=expected):
        assess([False] * 6)


@pytest.mark.parametrize("bad", [1, "yes", None])
def test_an_answer_that_is_not_yes_or_no_is_refused(bad):
    with pytest.raises(ReadinessError, match=r"^Answer 2 \(chest_pain\) needs to be yes or no.$"):
        assess([False, bad, False, False, False, False, False])


# --- parse_yes_no ----------------------------------------------------------


def test_yes_and_no_are_read_from_text():
    assert parse_yes_no("yes,no,no,no,no,no,yes") == [True] + [False] * 5 + [True]
    assert parse_yes_no("Y n N no, NO false TRUE") == [True] + [False] * 5 + [True]


def test_a_word_that_is_not_yes_or_no_is_named():
    with pytest.raises(ReadinessError, match=r"^Answer 3 \('maybe'\) needs to be yes or no.$"):
        parse_yes_no("no,no,maybe,no,no,no,no")


@pytest.mark.parametrize(("text", "count"), [("", "0 answers were given"),
                                             ("yes", "1 answer was given"),
                                             ("no," * 8, "8 answers were given")])
def test_the_wrong_number_of_text_answers_is_named(text, count):
    with pytest.raises(ReadinessError, match=f"^There are 7 readiness questions; {count}.$"):
        parse_yes_no(text)


def test_parsed_text_answers_can_be_assessed():
    assert assess(parse_yes_no("no,no,no,no,no,yes,no")).yes_codes == ("bones_joints",)

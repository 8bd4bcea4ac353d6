"""Evidence cards: honest, cited, kind, and checked against docs/evidence.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kindstep.core.evidence import (
    Card,
    UnknownTopic,
    card,
    cards_from_dict,
    load_cards,
    split_figure,
    topics,
)
from tests.words import unkind

DOI = re.compile(r"^10\.\d{4,9}/\S+$")
OVERCLAIMS = re.compile(
    r"as effective as|as good as (antidepressants|medication|therapy)|harder is better"
    r"|instead of (medication|therapy|treatment)|cure",
    re.IGNORECASE,
)
CARDS_WITHOUT_FIGURES = {"rest"}
"""The rest card has no figures on purpose: no review measures rest days directly."""

EVIDENCE_MD = Path(__file__).resolve().parents[2] / "docs" / "evidence.md"
"""The project's evidence notes, with each figure's public source: the cards' second reading."""


def user_facing_text(c: Card) -> list[str]:
    return [c.title, c.summary, c.certainty, c.no_figures_because, *c.figures]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def normalise(text: str) -> str:
    """Markdown emphasis, list markers, dash styles and spacing removed."""
    text = re.sub(r"(?m)^\s*(?:[-*]|\d+\.)\s+", "", text)
    text = text.replace("**", "").replace("*", "")
    text = re.sub(r"[\u2212\u2013\u2014\u2010\u2011]", "-", text)
    return " ".join(text.split())


def numbers(text: str) -> list[str]:
    """Signed numbers in ``text`` after normalising, ignoring the "95%" of "95% CI/CrI"."""
    text = re.sub(r"95% Cr?I", "", normalise(text))
    return re.findall(r"-?[0-9][0-9,]*(?:\.[0-9]+)?", text)


@pytest.fixture(scope="module")
def evidence_md() -> str:
    return EVIDENCE_MD.read_text("utf-8")


def test_the_topics_are_the_nine_short_codes_people_type():
    assert topics() == [
        "mood",
        "anxiety",
        "kinds",
        "enough",
        "consistency",
        "rest",
        "mindful",
        "plans",
        "limits",
    ]


def test_topics_are_unique():
    assert len(topics()) == len(set(topics()))


def test_every_card_has_at_least_one_citation():
    for c in load_cards():
        assert len(c.citations) >= 1, c.code


def test_every_citation_is_complete_and_its_doi_matches_the_doi_syntax():
    for c in load_cards():
        for cite in c.citations:
            assert DOI.match(cite.doi), (c.code, cite.doi)
            assert cite.authors and cite.title and cite.journal, cite.key
            assert 1900 <= cite.year <= 2100
            assert cite.url == f"https://doi.org/{cite.doi}"


def test_the_2013_and_2026_cochrane_reviews_are_cited_with_their_own_dois():
    cited = {cite.key: cite for c in load_cards() for cite in c.citations}
    assert cited["cooney2013"].doi == "10.1002/14651858.CD004366.pub6"
    assert cited["clegg2026"].doi == "10.1002/14651858.CD004366.pub7"
    assert cited["clegg2026"].year == 2026


def test_every_card_has_a_summary_of_two_to_four_sentences():
    for c in load_cards():
        assert 2 <= len(sentences(c.summary)) <= 4, (c.code, sentences(c.summary))


def test_every_card_has_figures_unless_it_says_honestly_why_not():
    for c in load_cards():
        if c.code in CARDS_WITHOUT_FIGURES:
            assert c.figures == ()
            assert c.no_figures_because
        else:
            assert len(c.figures) >= 1, c.code


def test_every_card_has_a_certainty_note():
    for c in load_cards():
        assert c.certainty.strip(), c.code


def test_no_card_uses_a_banned_word():
    for c in load_cards():
        for text in user_facing_text(c):
            assert not unkind(text), (c.code, text)


def test_no_card_overclaims():
    for c in load_cards():
        for text in user_facing_text(c):
            assert not OVERCLAIMS.search(text), (c.code, text)


def test_the_mood_and_limits_cards_say_movement_is_alongside_care_not_a_replacement():
    assert "not a replacement" in card("mood").summary
    assert "not a replacement" in card("limits").summary


def test_the_limits_card_reports_no_clear_difference_from_antidepressants_with_low_certainty():
    summary = card("limits").summary
    assert "antidepressants there was no clear difference, with low certainty" in summary


def test_every_figure_names_a_source_that_its_card_cites():
    for c in load_cards():
        for figure in c.figures:
            text, source = split_figure(figure)
            assert text and source, (c.code, figure)
            assert any(
                cite.first_author in source and str(cite.year) in source for cite in c.citations
            ), (c.code, figure)


def test_the_mood_card_quotes_the_cochrane_2013_pooled_smd_and_the_2026_update():
    texts = [split_figure(f)[0] for f in card("mood").figures]
    pooled_2013 = "Exercise vs control: 35 trials, 1,356 people, SMD −0.62 (95% CI −0.81 to −0.42)"
    assert pooled_2013 in texts
    assert (
        "Exercise vs no treatment or control, end of treatment: SMD −0.67 (95% CI −0.82 to −0.52);"
        " 57 RCTs; 2,189 participants; low-certainty evidence"
    ) in texts


def test_the_cochrane_figures_match_evidence_md(evidence_md):
    # Hard-coded as well as read from the cards, so the test fails if either side drifts.
    doc = normalise(evidence_md)
    for expected in (
        "SMD −0.62 (95% CI −0.81 to −0.42)",
        "SMD −0.67 (95% CI −0.82 to −0.52); 57 RCTs; 2,189 participants; low-certainty evidence",
        "SMD −0.11 (95% CI −0.33 to 0.10); 5 trials; 330 participants; low certainty",
    ):
        assert normalise(expected) in doc, expected


def test_every_cochrane_figure_appears_verbatim_in_evidence_md(evidence_md):
    doc = normalise(evidence_md)
    checked = 0
    for c in load_cards():
        for figure in c.figures:
            text, source = split_figure(figure)
            if "Cooney" in source or "Clegg" in source:
                assert normalise(text) in doc, (c.code, text)
                checked += 1
    assert checked >= 8


def test_every_figure_on_every_card_has_all_its_numbers_on_one_line_of_evidence_md(evidence_md):
    lines = [numbers(line) for line in evidence_md.splitlines()]
    for c in load_cards():
        for figure in c.figures:
            wanted = numbers(split_figure(figure)[0])
            assert any(all(n in line for n in wanted) for line in lines), (c.code, figure)


def test_the_low_certainty_of_the_2026_review_is_stated_on_the_mood_card():
    mood = card("mood")
    assert "low certainty" in mood.certainty
    assert any("low-certainty" in f for f in mood.figures)


def test_card_finds_a_topic_whatever_its_case_or_spaces():
    assert card("  MOOD ").code == "mood"


def test_an_unknown_topic_raises_a_kind_key_error_with_close_matches():
    with pytest.raises(UnknownTopic) as caught:
        card("anxeity")
    error = caught.value
    assert isinstance(error, KeyError)
    assert error.suggestions == ["anxiety"]
    assert "Did you mean 'anxiety'?" in str(error)
    assert "mood" in str(error)  # lists every topic
    assert not unkind(str(error))


def test_a_word_from_a_title_suggests_its_card():
    with pytest.raises(UnknownTopic) as caught:
        card("yoga")
    assert "mindful" in caught.value.suggestions


def test_a_topic_with_nothing_close_still_gets_the_list_of_topics():
    with pytest.raises(UnknownTopic) as caught:
        card("zzzz")
    assert caught.value.suggestions == []
    assert "limits" in str(caught.value)


def test_a_bad_doi_in_the_data_is_refused_loudly():
    raw = {
        "citation": {
            "x": {"authors": "A B", "year": 2020, "title": "T", "journal": "J", "doi": "doi:10.1/x"}
        },
        "card": [],
    }
    with pytest.raises(ValueError, match="DOI syntax"):
        cards_from_dict(raw)


def test_a_card_without_figures_or_a_reason_is_refused():
    raw = {
        "citation": {
            "x": {"authors": "A B", "year": 2020, "title": "T", "journal": "J", "doi": "10.1234/x"}
        },
        "card": [
            {"code": "c", "title": "T", "summary": "S.", "certainty": "C", "citations": ["x"]}
        ],
    }
    with pytest.raises(ValueError, match="no_figures_because"):
        cards_from_dict(raw)


def test_a_card_citing_an_unknown_source_is_refused():
    raw = {
        "card": [
            {
                "code": "c",
                "title": "T",
                "summary": "S.",
                "certainty": "C",
                "figures": ["x (A 2020)"],
                "citations": ["nope"],
            }
        ],
    }
    with pytest.raises(ValueError, match="unknown sources"):
        cards_from_dict(raw)


def test_load_cards_is_cached_and_returns_the_same_tuple():
    assert load_cards() is load_cards()


def test_the_consistency_and_anxiety_cards_give_the_intensity_finding_with_its_certainty():
    """Higher intensity showed larger effects (Noetel 2024, Aylett 2018): stated, with how sure
    it is, and never as advice to go harder."""
    consistency, anxiety = card("consistency"), card("anxiety")
    assert any("proportional to the intensity prescribed (Noetel et al. 2024)" in f
               for f in consistency.figures)
    for c in (consistency, anxiety):
        assert any("larger effects than low-intensity ones (Aylett et al. 2018)" in f
                   for f in c.figures), c.code
        assert "low quality" in c.certainty, c.code
        assert {"aylett2018"} <= {cite.key for cite in c.citations}
    assert "has not verified a certainty grade for the 2024 finding" in consistency.certainty
    assert "mixed" in consistency.summary
    for c in (consistency, anxiety):
        for text in user_facing_text(c):
            assert not re.search(r"harder is better|push harder|go harder", text, re.IGNORECASE)


def test_the_readme_opening_paragraph_says_the_evidence_is_of_low_certainty():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    opening = readme.split("\n\n")[1]
    assert opening.startswith("kindstep is a gentle movement companion")
    assert "the evidence is of low certainty" in " ".join(opening.split())

"""Tests for kindstep.core.safety: crisis resources by country and the calm words around them."""

from __future__ import annotations

import dataclasses

import pytest

from kindstep.core.safety import (
    WORRYING_SYMPTOMS,
    CrisisLine,
    CrisisResources,
    countries,
    crisis_resources,
    safety_message,
    stop_and_seek_care,
)
from kindstep.core.scales import score
from tests.words import unkind

EMERGENCY = {
    "US": "911", "CA": "911", "GB": "999", "IE": "112", "AU": "000", "NZ": "111",
    "DE": "112", "FR": "15", "ES": "112", "IN": "112", "ZA": "112 (10177 from a landline)",
}
"""Hand-copied from the emergency services public pages (docs/evidence.md section 4): South
Africa's 112 works from mobiles, and 10177 (ambulance and fire) from landlines."""

MAIN_LINE = {
    "US": "988", "CA": "988", "GB": "116 123", "IE": "116 123", "AU": "13 11 14",
    "NZ": "1737", "DE": "0800 111 0 111", "FR": "3114", "ES": "024", "IN": "14416",
    "ZA": "0800 567 567",
}
"""One line per country that must be there, hand-copied from each operator's public page."""


def all_text(resources: CrisisResources) -> str:
    """Every string a person could be shown from these resources."""
    parts = [resources.country_name, resources.emergency, resources.emergency_label, resources.note]
    for item in (*resources.lines, *resources.directories):
        parts += [str(value) for value in dataclasses.astuple(item)]
    return "\n".join(parts)


# --- data ------------------------------------------------------------------


def test_every_required_country_is_listed():
    assert set(EMERGENCY) <= set(countries())


@pytest.mark.parametrize("code", sorted(EMERGENCY))
def test_every_country_has_its_emergency_number_and_a_sourced_line(code):
    resources = crisis_resources(code)
    assert resources.country == code
    assert resources.emergency_instruction == f"call {EMERGENCY[code]}"
    assert resources.emergency_source.startswith("http")
    assert resources.lines
    for line in resources.lines:
        assert line.name and line.purpose and line.hours
        assert line.contact, f"{line.name} has no way to reach it"
        assert line.source.startswith("http"), f"{line.name} has no source"


@pytest.mark.parametrize("code", sorted(MAIN_LINE))
def test_every_country_lists_its_main_crisis_line(code):
    assert any(MAIN_LINE[code] in line.contact for line in crisis_resources(code).lines)


def test_lines_the_science_notes_warn_about_are_not_listed():
    everything = "\n".join(all_text(crisis_resources(code)) for code in countries())
    assert "KIRAN" not in everything
    assert "599-0019" not in everything and "500-0019" not in everything
    assert "0800 12 13 14" not in everything
    assert "press 3" not in everything.lower()
    assert "116 123" not in all_text(crisis_resources("DE"))


def test_every_country_also_points_to_the_international_directory():
    for code in countries():
        assert [d.web for d in crisis_resources(code).directories] == ["https://findahelpline.com"]


# --- looking a country up --------------------------------------------------


@pytest.mark.parametrize("given", ["gb", " GB ", "uk", "United Kingdom"])
def test_a_country_can_be_given_in_the_ways_people_write_it(given):
    assert crisis_resources(given).country == "GB"


@pytest.mark.parametrize("given", [None, "", "  ", "XX", "Atlantis"])
def test_an_unknown_country_falls_back_to_the_directory_and_local_emergency_number(given):
    resources = crisis_resources(given)
    assert resources.country == ""
    assert resources.emergency == ""
    assert resources.lines == ()
    assert resources.directories[0].name == "Find A Helpline"
    assert "call your local emergency number" in resources.note
    text = safety_message(resources).as_text()
    assert "call your local emergency number" in text
    assert "https://findahelpline.com" in text


# --- the safety message ----------------------------------------------------


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_any_answer_above_zero_on_item_nine_leads_to_the_safety_message(item9):
    result = score("phq9", [0] * 8 + [item9])
    assert result.safety_flag is True
    message = safety_message(crisis_resources("IE"))
    assert "112" in message.body
    assert "116 123" in message.as_text()


def test_item_nine_at_zero_does_not_flag():
    assert score("phq9", [3] * 8 + [0]).safety_flag is False


@pytest.mark.parametrize("code", sorted(EMERGENCY))
def test_each_countrys_message_contains_its_emergency_number_and_its_lines(code):
    resources = crisis_resources(code)
    message = safety_message(resources)
    assert f"call {EMERGENCY[code]} now" in message.body
    text = message.as_text()
    assert f"call {EMERGENCY[code]}" in text
    for line in resources.lines:
        assert line.name in text
        assert line.contact in text
        assert line.purpose in text


def test_the_message_says_kindstep_is_not_a_crisis_service_and_to_reach_out_now():
    for given in [*countries(), ""]:
        body = safety_message(crisis_resources(given)).body
        assert "kindstep is not a crisis service" in body
        assert "reach out now" in body


def test_no_safety_text_uses_shaming_words():
    texts = []
    for given in [*countries(), ""]:
        resources = crisis_resources(given)
        texts += [all_text(resources), safety_message(resources).as_text()]
        texts.append(stop_and_seek_care(resources, list(WORRYING_SYMPTOMS)).as_text())
    for text in texts:
        assert not unkind(text), text


# --- stop and seek care ----------------------------------------------------


def test_the_worrying_symptoms_are_the_four_the_design_names():
    assert set(WORRYING_SYMPTOMS) == {
        "chest_pain", "faintness", "severe_breathlessness", "palpitations",
    }
    assert all(label and label[0].isupper() for label in WORRYING_SYMPTOMS.values())


@pytest.mark.parametrize("code", sorted(EMERGENCY))
def test_stop_and_seek_care_names_the_local_emergency_number(code):
    message = stop_and_seek_care(crisis_resources(code))
    assert message.body.startswith("Please stop now and seek medical care.")
    assert f"call {EMERGENCY[code]} now" in message.body


def test_stop_and_seek_care_names_the_symptoms_it_was_given():
    message = stop_and_seek_care(crisis_resources("AU"), ["chest_pain", "faintness"])
    assert "chest pain, pressure or tightness" in message.body
    assert "feeling faint" in message.body


def test_stop_and_seek_care_shows_the_emergency_number_but_not_the_crisis_lines():
    text = stop_and_seek_care(crisis_resources("GB")).as_text()
    assert "call 999" in text
    assert "Samaritans" not in text


def test_stop_and_seek_care_without_a_country_says_call_your_local_emergency_number():
    message = stop_and_seek_care(crisis_resources(None))
    assert "call your local emergency number now" in message.body


def test_an_unknown_symptom_code_is_refused():
    with pytest.raises(ValueError, match="Unknown symptom 'sore_toe'"):
        stop_and_seek_care(crisis_resources("GB"), ["sore_toe"])


@pytest.mark.parametrize(("call", "numbers"), [
    ("116 123", (("116 123", "116123"),)),
    ("0800 111 0 111 or 0800 111 0 222", (("0800 111 0 111", "08001110111"),
                                          ("0800 111 0 222", "08001110222"))),
    ("14416 or 1-800-891-4416", (("14416", "14416"), ("1-800-891-4416", "18008914416"))),
    ("0508 828 865 (0508 TAUTOKO)", (("0508 828 865 (0508 TAUTOKO)", "0508828865"),)),
    ("+44 20 7946 0000", (("+44 20 7946 0000", "+442079460000"),)),
    ("", ()),
])
def test_a_lines_numbers_are_each_dialled_as_digits(call, numbers):
    line = CrisisLine(name="x", purpose="x", source="x", call=call)
    assert line.numbers == numbers


@pytest.mark.parametrize(("web", "link"), [
    ("https://988lifeline.org", "https://988lifeline.org"),
    ("Email jo@samaritans.org", "mailto:jo@samaritans.org"),
    ("Webchat or email via beyondblue.org.au", "https://beyondblue.org.au"),
    ("Chat or e-mail at online.telefonseelsorge.de", "https://online.telefonseelsorge.de"),
    ("Online chat on Lifeline's website", ""),
    ("", ""),
])
def test_a_lines_web_words_lead_to_their_address_or_nowhere(web, link):
    line = CrisisLine(name="x", purpose="x", source="x", web=web)
    assert line.web_link == link


# -- South Africa: 112 from mobiles, 10177 from landlines ------------------------------------


def test_south_africa_names_10177_for_landlines_beside_112_for_mobiles():
    resources = crisis_resources("ZA")
    assert (resources.emergency, resources.emergency_landline) == ("112", "10177")
    text = safety_message(resources).as_text()
    assert "call 112 (10177 from a landline) now" in text
    assert "from any mobile" in text and "10177" in resources.emergency_label
    assert "10111" in resources.emergency_label  # the police, named too
    # Nowhere else has a landline number of its own.
    assert [c for c in countries() if crisis_resources(c).emergency_landline] == ["ZA"]


# -- countries by name, and a suggested country ---------------------------------------------


def test_every_listed_country_has_its_own_name_and_the_rest_the_tz_database_s():
    from kindstep.core.safety import all_countries, country_name, listed_countries

    assert dict(listed_countries())["GB"] == "United Kingdom"
    assert [code for code, _ in listed_countries()] == sorted(
        countries(), key=lambda c: country_name(c))
    names = dict(all_countries())
    assert len(names) > 240 and names["JP"] == "Japan" and names["GB"] == "United Kingdom"
    assert all(name and name != code for code, name in names.items())


@pytest.mark.parametrize(("text", "code"), [
    ("gb", "GB"), ("UK", "GB"), ("Ireland", "IE"), (" new   zealand ", "NZ"), ("japan", "JP"),
    ("JP", "JP"), ("", ""), ("Narnia", ""), ("XX", ""), ("Britain", ""),
])
def test_a_country_is_found_by_its_code_or_its_name(text, code):
    from kindstep.core.safety import country_code

    assert country_code(text) == code


@pytest.mark.parametrize(("timezone", "locale", "code"), [
    ("Europe/London", "", "GB"), ("Europe/Dublin", "en_GB.UTF-8", "IE"),
    ("Africa/Johannesburg", "", "ZA"), ("Asia/Tokyo", "", "JP"),
    ("UTC", "en_NZ.UTF-8", "NZ"), ("UTC", "fr-FR,fr;q=0.9", "FR"), ("", "de_DE@euro", "DE"),
    ("UTC", "C.UTF-8", ""), ("UTC", "en", ""), ("Mars/Olympus", "", ""), (None, None, ""),
])
def test_a_country_is_suggested_from_the_time_zone_else_the_locale(timezone, locale, code):
    from kindstep.core.safety import suggest_country

    assert suggest_country(timezone, locale) == code


def test_an_unlisted_country_is_named_and_no_number_is_promised():
    resources = crisis_resources("JP")
    assert resources.lines == () and resources.emergency == ""
    assert "kindstep does not list lines for Japan yet" in resources.note
    text = safety_message(resources).as_text()
    assert "call your local emergency number" in text and "Find A Helpline" in text
    assert "Settings" not in text and "settings" not in text


def test_with_no_country_chosen_the_note_claims_nothing_about_its_lines():
    unset = crisis_resources(None).note
    assert unset.startswith("No country is chosen yet") and "does not list" not in unset
    assert "local emergency number" in unset and "Find A Helpline" in unset
    unknown = crisis_resources("Atlantis").note
    assert unknown.startswith("kindstep does not know that country")

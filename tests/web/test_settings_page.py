"""Settings: a good save, every refused value, liked and avoided activities, offers off."""

from __future__ import annotations

import pytest

from tests.web.helpers import field_error, page

pytestmark = pytest.mark.django_db

GOOD = {"target_days": "4", "timezone": "America/New_York", "day_start": "5", "week_start": "6",
        "country": "ie", "questionnaires": "on"}


def test_settings_shows_the_current_values(client):
    response = client.get("/settings/")
    assert response.status_code == 200
    text = page(response)
    assert '<option value="3" selected>3</option>' in text
    assert "<option selected>Europe/London</option>" in text
    assert '<option value="4" selected>04:00</option>' in text
    # The country by name, in a list of names: those kindstep has lines for first.
    assert '<option value="GB" selected>United Kingdom</option>' in text
    assert '<option value="JP">Japan</option>' in text
    assert text.index('<option value="ZA">South Africa') < text.index('<option value="JP">Japan')
    assert 'name="questionnaires" value="on" checked' in text


def test_a_good_save_changes_every_setting(client, person):
    response = client.post("/settings/", {**GOOD, "liked": ["walk", "yoga_gentle"],
                                          "avoided": ["dance_kitchen"]})
    assert response.status_code == 200
    assert '<p class="done" role="status">Saved.</p>' in page(response)
    person.refresh_from_db()
    assert (person.target_days, person.timezone, person.day_start_hour, person.week_start,
            person.country) == (4, "America/New_York", 5, 6, "IE")
    assert person.liked == ["walk", "yoga_gentle"]
    assert person.avoided == ["dance_kitchen"]
    assert person.checkin_reminders
    # The page shows what was saved.
    assert 'value="walk" aria-labelledby="liked-label act-walk" checked' in page(response)
    avoided = 'value="dance_kitchen" aria-labelledby="avoided-label act-dance_kitchen" checked'
    assert avoided in page(response)


def test_unticking_every_liked_activity_clears_them(client, person):
    client.post("/settings/", {**GOOD, "liked": ["walk"]})
    client.post("/settings/", GOOD)
    person.refresh_from_db()
    assert person.liked == []


def test_questionnaire_offers_can_be_turned_off_and_today_stops_offering(client, person):
    assert "A two-weekly check-in" in page(client.get("/"))
    response = client.post("/settings/", {**GOOD, "questionnaires": "off"})
    assert response.status_code == 200
    person.refresh_from_db()
    assert not person.checkin_reminders
    assert 'name="questionnaires" value="off" checked' in page(response)
    assert "A two-weekly check-in" not in page(client.get("/"))


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"country": "Britain"}, "country", "kindstep does not know the country 'Britain'"),
        ({"target_days": "9"}, "target_days", "Target days a week is a number from 1 to 7"),
        ({"target_days": "often"}, "target_days", "whole number from 1 to 7"),
        ({"timezone": "Mars/Base"}, "timezone", "'Mars/Base' is not a time zone kindstep knows"),
        ({"day_start": "13"}, "day_start", "The day-start hour is a number from 0 to 12"),
        ({"week_start": "7"}, "week_start", "from 0 to 6"),
        ({"liked": "wlak"}, "activity", "kindstep does not know the activity 'wlak'"),
        ({"questionnaires": "maybe"}, "questionnaires", "Questionnaire offers are on or off"),
    ],
)
def test_a_refused_setting_comes_back_with_its_message_and_nothing_is_saved(
    client, person, snapshot, change, field, words
):
    before = snapshot()
    response = client.post("/settings/", {**GOOD, **change})
    assert response.status_code == 422
    message = field_error(response, field)
    assert message is not None and words in message, page(response)
    assert "Saved." not in page(response)
    assert snapshot() == before
    person.refresh_from_db()
    assert (person.target_days, person.timezone, person.country) == (3, "Europe/London", "GB")


def test_a_refused_setting_keeps_every_other_choice_as_sent_to_mend_and_send_again(
        client, person, snapshot):
    """One word in the country box must not undo the target, zone and hour chosen with it."""
    before = snapshot()
    response = client.post("/settings/", {**GOOD, "country": "Narnia", "questionnaires": "off",
                                          "liked": ["walk"]})
    assert response.status_code == 422 and snapshot() == before
    text = page(response)
    assert "kindstep does not know the country 'Narnia'" in field_error(response, "country")
    assert '<option value="4" selected>4</option>' in text
    assert "<option selected>America/New_York</option>" in text
    assert '<option value="5" selected>05:00</option>' in text
    assert '<option value="6" selected>Sunday</option>' in text
    assert 'name="questionnaires" value="off" checked' in text
    assert 'value="walk" aria-labelledby="liked-label act-walk" checked' in text
    person.refresh_from_db()
    assert (person.country, person.target_days, person.liked) == ("GB", 3, [])
    response = client.post("/settings/", {**GOOD, "country": "DE"})
    person.refresh_from_db()
    assert response.status_code == 200 and (person.country, person.target_days) == ("DE", 4)


def test_a_country_kindstep_lists_no_lines_for_is_saved_and_nothing_promises_a_number(
        client, person):
    response = client.post("/settings/", {**GOOD, "country": "JP"})
    person.refresh_from_db()
    assert response.status_code == 200 and person.country == "JP"
    text = page(response)
    assert '<option value="JP" selected>Japan</option>' in text
    assert "kindstep does not list lines for this country yet" in text
    help_page = page(client.get("/help-now/"))
    assert "kindstep does not list lines for Japan yet" in help_page
    assert "call your local emergency number" in help_page and "Find A Helpline" in help_page
    assert "shows its number" not in help_page


def test_the_settings_page_and_the_cli_save_through_the_same_action(client, person):
    """One action behind both: the page's save and `kindstep settings` agree field by field."""
    from typer.testing import CliRunner

    from kindstep.cli.main import app
    from kindstep.store import models

    client.post("/settings/", {**GOOD, "questionnaires": "off"})
    by_web = models.Person.objects.values().get(pk=person.pk)
    models.Person.objects.filter(pk=person.pk).update(
        country="GB", timezone="Europe/London", target_days=3, day_start_hour=4, week_start=0,
        checkin_reminders=True)
    result = CliRunner().invoke(app, ["settings", "--country", "Ireland", "--timezone",
                                      "America/New_York", "--target-days", "4", "--day-start",
                                      "5", "--week-start", "6", "--questionnaires", "off",
                                      "--like", "", "--avoid", ""])
    assert result.exit_code == 0, result.output
    by_cli = models.Person.objects.values().get(pk=person.pk)
    keep = ("country", "timezone", "target_days", "day_start_hour", "week_start",
            "checkin_reminders", "country_asked", "liked", "avoided")
    assert {k: by_web[k] for k in keep} == {k: by_cli[k] for k in keep}
    assert by_cli["country"] == "IE" and by_cli["country_asked"] is True

"""The import page's short form for placing a person's own Daylio mood names (Django test client)."""

from __future__ import annotations

import re

import pytest

from kindstep.store import models
from tests.conftest import row_counts
from tests.store.test_daylio_moods import OWN
from tests.web.helpers import csrf_token, field_error, page
from tests.web.test_import_page import upload
from tests.words import unkind

pytestmark = pytest.mark.django_db


def selects(response) -> dict[str, str]:
    """Each waiting name on the form -> the level its select has chosen ("" for Later)."""
    text = page(response)
    names = re.findall(r'<input type="hidden" name="name" value="([^"]*)">', text)
    chosen = []
    for block in re.findall(r'<select id="level-\d+" name="level">(.*?)</select>', text, re.S):
        found = re.search(r'<option value="(\d)" selected>', block)
        chosen.append(found.group(1) if found else "")
    return dict(zip(names, chosen, strict=True))


def entries(person):
    return {e.external_id: e.mood for e in models.JournalEntry.objects.filter(person=person)}


def test_after_an_upload_the_page_lists_each_waiting_name_with_its_suggestion(client, person):
    response = upload(client, "daylio.csv", OWN)
    assert response.status_code == 200
    assert "<strong>5</strong> added" in page(response)
    assert "4 entries keep their own mood names without a place on the scale yet" in page(response)
    assert "Where do your own moods sit?" in page(response)
    assert selects(response) == {"vaguely ok": "3", "tired": "2", "average": "3"}
    assert 'action="/import/moods/"' in page(response)
    assert not unkind(page(response))


def test_the_form_holds_no_file_only_the_names_and_the_page_keeps_offering_it(client, person):
    response = upload(client, "daylio.csv", OWN)
    form = page(response).split('action="/import/moods/"')[1].split("</form>")[0]
    assert 'type="file"' not in form and "daylio.csv" not in form
    again = client.get("/import/")
    assert selects(again) == {"vaguely ok": "3", "tired": "2", "average": "3"}


def test_placing_fills_the_waiting_entries_remembers_and_later_leaves_a_name(client, person):
    upload(client, "daylio.csv", OWN)
    before = row_counts()
    response = client.post("/import/moods/", {"name": ["vaguely ok", "tired", "average"],
                                              "level": ["", "1", "4"]})
    assert response.status_code == 302 and response["Location"] == "/import/?placed=1"
    assert row_counts() == before
    assert entries(person)["2024-05-02T20:00"] == 0 and entries(person)["2024-05-03T21:00"] == 8
    assert entries(person)["2024-04-30T22:00"] is None
    person.refresh_from_db()
    assert person.daylio_moods == {"tired": 1, "average": 4}
    shown = client.get(response["Location"])
    assert "Those moods have their place now" in page(shown)
    assert selects(shown) == {"vaguely ok": "3"}


def test_the_next_upload_of_the_same_file_adds_nothing_and_asks_nothing_more(client, person):
    upload(client, "daylio.csv", OWN)
    client.post("/import/moods/", {"name": ["vaguely ok", "tired", "average"],
                                   "level": ["3", "2", "3"]})
    response = upload(client, "daylio.csv", OWN)
    assert "<strong>0</strong> added" in page(response) and "<strong>5</strong> already here" in page(response)
    assert "Everything in this file was already here" in page(response)
    assert "Where do your own moods sit?" not in page(response)


@pytest.mark.parametrize("levels", [["9", "", ""], ["", "okay", ""]])
def test_a_value_off_the_scale_shows_the_form_again_and_writes_nothing(client, person, levels):
    upload(client, "daylio.csv", OWN)
    before = (row_counts(), entries(person))
    response = client.post("/import/moods/", {"name": ["vaguely ok", "tired", "average"],
                                              "level": levels})
    assert response.status_code == 422
    message = field_error(response, "place")
    assert "1 to 5" in message and "Nothing was changed" in message
    person.refresh_from_db()
    assert (row_counts(), entries(person)) == before and person.daylio_moods == {}


def test_one_of_daylios_own_names_cannot_be_placed(client, person):
    upload(client, "daylio.csv", OWN)
    response = client.post("/import/moods/", {"name": ["rad"], "level": ["1"]})
    assert response.status_code == 422 and "Daylio's own five" in field_error(response, "place")
    assert entries(person)["2024-05-02T08:00"] == 10


def test_the_placing_form_is_csrf_protected(person, make_client):
    strict = make_client(enforce_csrf_checks=True)
    response = strict.post("/import/moods/", {"name": ["tired"], "level": ["1"]})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.daylio_moods == {}
    token = csrf_token(strict.get("/import/"))
    ok = strict.post("/import/moods/", {"name": ["tired"], "level": ["1"],
                                        "csrfmiddlewaretoken": token})
    assert ok.status_code == 302


def test_a_look_first_upload_says_the_names_are_asked_after_a_real_import(client, person):
    response = upload(client, "daylio.csv", OWN, dry_run="on")
    assert "importing for real brings them in" in page(response)
    assert "Where do your own moods sit?" not in page(response)


def test_the_page_names_stravas_bulk_export(client, person):
    text = page(client.get("/import/"))
    assert "Strava's bulk export" in text and "activities.csv" in text

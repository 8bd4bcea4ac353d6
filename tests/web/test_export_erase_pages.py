"""The whole record on the web: download it from Settings, or erase it after typing the word."""

from __future__ import annotations

import json

import pytest

from kindstep.store import actions, models
from tests.conftest import NOW
from tests.web.helpers import field_error, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(person):
    actions.log_session(person, activity="walk", duration="20", note="by the river", now=NOW)
    actions.log_rest(person, day="2026-11-20", now=NOW)
    actions.record_checkin(person, energy=4, mood=5, anxiety=3, now=NOW)


def test_settings_offers_the_download_and_the_way_to_erase(client):
    text = page(client.get("/settings/"))
    assert 'href="/settings/export/" hx-boost="false" download' in text
    assert 'href="/settings/erase/"' in text


def test_the_download_is_the_whole_record_as_a_file_never_kept_on_the_way(client, record):
    response = client.get("/settings/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="kindstep-export-2026-11-25.json"')
    assert response["Cache-Control"] == "private, no-store"
    data = json.loads(b"".join(response.streaming_content))
    assert data["format"] == "kindstep-export"
    assert [s["note"] for s in data["sessions"]] == ["by the river"]
    assert len(data["rest_days"]) == len(data["checkins"]) == 1
    assert data["settings"]["country"] == "GB"


def test_the_download_answers_only_a_plain_get(client):
    assert client.post("/settings/export/").status_code == 405


def test_the_erase_page_says_what_goes_and_that_there_is_no_undo(client):
    text = page(client.get("/settings/erase/"))
    assert "There is no undo." in text
    assert 'href="/settings/export/" hx-boost="false" download' in text
    assert 'name="confirm"' in text and "csrfmiddlewaretoken" in text


@pytest.mark.parametrize("word", ["", "yes", "erasing", "delete"])
def test_erasing_without_the_word_comes_back_and_keeps_everything(client, record, snapshot, word):
    before = snapshot()
    response = client.post("/settings/erase/", {"confirm": word})
    assert response.status_code == 422
    message = field_error(response, "confirm")
    assert message is not None and 'please type the word "erase"' in message
    assert "Nothing has been erased" in message
    assert 'aria-invalid="true"' in page(response)
    assert snapshot() == before


def test_erasing_with_the_word_leaves_a_fresh_start(client, record, person):
    response = client.post("/settings/erase/", {"confirm": "Erase"})
    assert response.status_code == 302
    assert response["Location"].startswith("/?erased=")
    assert not models.Person.objects.filter(pk=person.pk).exists()
    assert not models.MovementSession.objects.exists() and not models.CheckIn.objects.exists()
    text = page(client.get(response["Location"]))
    assert "Everything is erased. kindstep starts afresh" in text
    fresh = models.Person.objects.get()  # a new local person, with the defaults
    assert fresh.pk != person.pk and fresh.country == ""
    assert "by the river" not in page(client.get("/history/"))


def test_an_erased_note_on_today_comes_only_from_kindstep(client):
    text = page(client.get("/?erased=<b>hi</b>"))
    assert "Everything is erased" not in text and "<b>hi</b>" not in text

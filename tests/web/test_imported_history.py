"""The History page lists imported journal moods and sleep, without edit or delete buttons."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from kindstep.store import actions, models
from tests.conftest import NOW
from tests.web.helpers import page

pytestmark = pytest.mark.django_db


def imported(person, day: date):
    """A Daylio mood and an Apple Health night's sleep on ``day``."""
    entry = models.JournalEntry.objects.create(
        person=person, source="daylio", external_id=f"{day}", day=day,
        at=datetime(day.year, day.month, day.day, 19, tzinfo=UTC), mood=8, anxiety=2,
        note="sunny bench", activities=["friends", "walk"],
    )
    night = models.DailyMeasure.objects.create(
        person=person, day=day, value=6.5, source="apple_health",
        kind=models.DailyMeasure.Kind.SLEEP_HOURS,
    )
    return entry, night


def test_history_lists_imported_moods_and_sleep_to_remove_but_not_edit(client, person):
    imported(person, date(2026, 11, 23))
    own = actions.record_checkin(person, energy=2, mood=3, anxiety=7, now=NOW)
    response = client.get("/history/")
    assert response.status_code == 200
    text = page(response)
    assert "Mood 8, anxiety 2" in text
    assert "Mon 23 Nov · from Daylio · friends, walk" in text
    assert "sunny bench" in text
    assert "Sleep: 6.5 hours" in text and "from Apple Health" in text
    assert "shown as they came" in text
    # Only the person's own check-in can be edited; imported rows can be removed.
    assert text.count("/edit/") == 1 and f"/history/c{own.pk}/edit/" in text
    assert text.count("/delete/") == 3 and text.count(">Remove</button>") == 2
    # Newest first: today's check-in, then the mood, then that day's sleep.
    assert text.index("Check-in: energy 2") < text.index("Mood 8") < text.index("Sleep: 6.5")


def test_history_leaves_imported_rows_outside_its_days_out(client, person):
    imported(person, date(2026, 11, 1))
    text = page(client.get("/history/?days=7"))
    assert "Mood 8" not in text and "Sleep:" not in text
    assert "Nothing recorded in these days" in text
    assert "Mood 8" in page(client.get("/history/?days=30"))


def test_history_never_shows_charlies_imported_rows(client, charlie):
    imported(charlie, date(2026, 11, 24))
    text = page(client.get("/history/"))
    assert "Mood 8" not in text and "Sleep:" not in text and "sunny bench" not in text


def test_history_shows_an_imported_sessions_distance_but_not_its_energy(client, person):
    models.MovementSession.objects.create(
        person=person, day=date(2026, 11, 24), activity="walk", minutes=40, met=3.5,
        source="apple_health", external_id="w1", distance_m=3210.0, energy_kcal=151.5)
    text = page(client.get("/history/"))
    assert "Walk at an easy pace, 40 min" in text and "3.21 km" in text
    # a word on its own: a form token may hold the digits "151" by chance
    assert "kcal" not in text and not re.search(r"\b15[12](?:\.5)?\b", text)


def test_removing_an_imported_mood_hides_it_and_undo_brings_it_back(client, person):
    entry, night = imported(person, date(2026, 11, 23))
    response = client.post(f"/history/j{entry.pk}/delete/")
    assert response.status_code == 302
    after = client.get(response["Location"])
    text = page(after)
    assert "Removed a mood from Mon 23 Nov." in text and "Mood 8" not in text
    assert "Sleep: 6.5 hours" in text  # only what was asked
    assert models.JournalEntry.objects.get(pk=entry.pk).removed_at is not None  # kept, unseen
    assert response["Location"] == f"/history/?undo=j{entry.pk}"
    back = client.post("/history/undo/", {"entry": f"j{entry.pk}"})
    assert back.status_code == 302 and "Mood 8" in page(client.get("/history/"))
    assert models.JournalEntry.objects.get(pk=entry.pk).removed_at is None


def test_charlies_imported_night_cannot_be_removed_from_here(client, charlie):
    _, night = imported(charlie, date(2026, 11, 23))
    assert client.post(f"/history/n{night.pk}/delete/").status_code == 404
    assert models.DailyMeasure.objects.get(pk=night.pk).removed_at is None


def test_an_imported_mood_has_no_edit_page(client, person):
    entry, _ = imported(person, date(2026, 11, 23))
    assert client.get(f"/history/j{entry.pk}/edit/").status_code == 404
    assert client.post(f"/history/j{entry.pk}/edit/", {"mood": "2"}).status_code == 404
    assert models.JournalEntry.objects.get(pk=entry.pk).mood == 8

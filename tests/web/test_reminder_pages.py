"""Pause and reminders on the web: Settings' forms, refusals, the test button, the push
subscription, the calendar file and feed, and Today and Rhythm while paused."""

from __future__ import annotations

import json

import pytest
from icalendar import Calendar

from kindstep.store import actions, models
from tests.conftest import NOW
from tests.web.helpers import page
from tests.words import unkind

pytestmark = pytest.mark.django_db


def test_settings_shows_no_pause_and_no_reminders_by_default(client):
    text = page(client.get("/settings/"))
    assert "No pause is set." in text and "No reminders are set." in text
    assert 'class="push-setup" hidden' in text  # shown only where script can do web push
    assert "Send a test reminder" in text
    assert not unkind(text)


def test_pausing_from_settings_and_ending_it_from_today(client, person):
    actions.log_session(person, activity="walk", duration=10, day="yesterday", now=NOW)
    response = client.post("/settings/pause/", {"reason": "away", "until": "2026-12-02",
                                                "action": "start"})
    assert response.status_code == 302
    text = page(client.get("/settings/"))
    assert "Paused (I&#39;m away) until Wednesday 2 December" in text
    today = page(client.get("/"))
    assert "Paused until Wednesday 2 December. Nothing counts against you meanwhile." in today
    assert "You&#39;re away, and that&#39;s fine" in page(client.get("/?skip=1"))
    rhythm = page(client.get("/rhythm/"))
    assert "hm-day l0 paused" in rhythm and "(5 paused)" in rhythm
    response = client.post("/settings/pause/", {"action": "end", "next": "/"})
    assert response.status_code == 302 and response["Location"].startswith("/")
    assert not models.Pause.objects.exists()  # ended on its first day: nothing stays paused
    assert "Nothing counts against you meanwhile" not in page(client.get("/"))


def test_a_bad_pause_date_comes_back_beside_its_field_and_writes_nothing(client, snapshot):
    before = snapshot()
    response = client.post("/settings/pause/", {"reason": "away", "until": "2020-01-01"})
    assert response.status_code == 422
    assert 'id="until-error"' in page(response) and 'aria-invalid="true"' in page(response)
    assert snapshot() == before


def test_reminders_set_from_settings_and_turned_off(client, person):
    response = client.post("/settings/reminders/", {
        "days": ["mon", "wed", "fri"], "time": "08:30", "channel": "calendar",
        "quiet_start": "22:00", "quiet_end": "07:00", "action": "set"})
    assert response.status_code == 302
    text = page(client.get("/settings/"))
    assert ("Reminders on Monday, Wednesday and Friday at 08:30, in your calendar; quiet "
            "22:00-07:00.") in text
    assert 'value="wed" checked' in text
    client.post("/settings/reminders/", {"action": "off"})
    assert "No reminders are set." in page(client.get("/settings/"))


@pytest.mark.parametrize(("form", "field"), [
    ({"days": ["mon"], "time": "8 in the morning"}, "time"),
    ({"time": "08:30"}, "days"),
    ({"days": ["mon"], "time": "08:30", "quiet_start": "22:00"}, "quiet"),
    ({"days": ["mon"], "time": "08:30", "channel": "email"}, "channel"),
])
def test_bad_reminder_settings_come_back_beside_their_field(client, snapshot, form, field,
                                                           settings):
    if form.get("channel") == "email" and settings.MODE == "server":
        field = "email"  # email reminders exist in server mode; they need an address
    before = snapshot()
    response = client.post("/settings/reminders/", {"channel": "push", **form})
    assert response.status_code == 422
    text = page(response)
    assert f'id="{field}-error"' in text
    assert snapshot() == before
    if "time" in form:  # what was typed is shown again, to mend
        assert f'value="{form["time"]}"' in text


def test_the_test_button_says_what_happened(client):
    response = client.post("/settings/reminders/test/")
    assert response.status_code == 302
    assert "No browser has turned on notifications yet" in page(client.get(response["Location"]))
    assert "Sent a test reminder" not in page(client.get("/settings/?tested=bogus-1"))


def test_a_browser_push_subscription_is_kept_once_and_can_be_removed(client, person):
    sub = {"endpoint": "https://push.example.org/send/abc",
           "keys": {"p256dh": "BEl62iUYgUivxIkv69yViEuiBIa", "auth": "tBHItJI5svbpez7KI4CCXg"}}
    for _ in range(2):
        response = client.post("/settings/reminders/push/", json.dumps(sub),
                               content_type="application/json")
        assert response.status_code == 200
    assert models.PushSubscription.objects.filter(person=person).count() == 1
    bad = client.post("/settings/reminders/push/", "[1]", content_type="application/json")
    assert bad.status_code == 422
    client.post("/settings/reminders/push/", json.dumps({"remove": True, **sub}),
                content_type="application/json")
    assert not models.PushSubscription.objects.exists()


def test_the_calendar_file_downloads_and_the_feed_works_only_by_its_token(client, person):
    actions.set_reminders(person, days="mon", times="08:30", channel="calendar")
    response = client.get("/settings/reminders.ics")
    assert response["Content-Type"].startswith("text/calendar")
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 1
    client.post("/settings/reminders/feed/")
    token = models.ReminderSettings.objects.get(person=person).feed_token
    text = page(client.get("/settings/"))
    assert f"/calendar/{token}.ics" in text
    feed = client.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200 and feed.content.startswith(b"BEGIN:VCALENDAR")
    client.post("/settings/reminders/feed/")
    assert client.get(f"/calendar/{token}.ics").status_code == 404  # the old address stops
    assert client.get("/calendar/made-up.ics").status_code == 404


def test_the_calendar_feed_is_reachable_without_signing_in(person):
    """The feed is found by its random token alone: a calendar app has no account. In server
    mode (scripts/test's second pass over these pages) everything else asks to sign in."""
    from django.conf import settings
    from django.test import Client

    token = actions.rotate_feed_token(person)
    stranger = Client()  # no one signed in
    feed = stranger.get(f"/calendar/{token}.ics", secure=True)
    assert feed.status_code == 200 and b"BEGIN:VCALENDAR" in feed.content
    assert stranger.get("/calendar/not-a-token.ics", secure=True).status_code == 404
    if settings.MODE == "server":
        asked = stranger.get("/settings/", secure=True)
        assert asked.status_code == 302 and asked["Location"].startswith("/accounts/login/")


def test_the_push_scripts_are_served(client):
    for name in ("push.js", "sw-push.js"):
        response = client.get(f"/static/kindstep/{name}")
        assert response.status_code == 200
    assert NOW  # the clock is frozen for every page here

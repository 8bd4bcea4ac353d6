"""Kept pages: served again while nothing changed, rendered afresh the moment anything does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kindstep.store import actions


@pytest.fixture
def browser_client(make_client):
    """A client that has been to the site once, so it carries its CSRF cookie like a browser."""
    c = make_client()
    c.get("/log/")
    from django.conf import settings

    assert settings.CSRF_COOKIE_NAME in c.cookies
    return c


@pytest.mark.parametrize("path", ["/", "/rhythm/", "/history/", "/history/?days=365", "/?skip=1"])
def test_an_unchanged_page_is_served_again_with_one_query(browser_client, path, settings):
    first = browser_client.get(path)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        again = browser_client.get(path)
    assert again.status_code == 200
    assert again.content == first.content
    # Who the person is (and their data version); nothing else. Server mode first reads
    # the session and its account (tests/accounts).
    assert len(queries) == (3 if settings.MODE == "server" else 1)


def test_a_write_through_the_web_shows_at_once(browser_client, now, settings):
    before = browser_client.get("/rhythm/").content.decode()
    assert "0 of 3 active days" in before
    token = browser_client.cookies[settings.CSRF_COOKIE_NAME].value
    browser_client.post("/log/", {"activity": "walk", "minutes": "10", "csrfmiddlewaretoken": token})
    assert "1 of 3 active days" in browser_client.get("/rhythm/").content.decode()


def test_a_write_from_elsewhere_shows_at_once(browser_client, person, now):
    assert "Walk at an easy pace" not in browser_client.get("/history/").content.decode()
    actions.log_session(person, activity="walk", duration=12, now=now)  # e.g. the CLI
    assert "Walk at an easy pace, 12 min" in browser_client.get("/history/").content.decode()


def test_a_settings_change_shows_at_once(browser_client, person):
    assert "0 of 3 active days" in browser_client.get("/rhythm/").content.decode()
    actions.update_settings(person, target_days=5)
    assert "0 of 5 active days" in browser_client.get("/rhythm/").content.decode()


def test_a_new_day_renders_afresh(browser_client, person, frozen, now):
    actions.log_session(person, activity="walk", duration=12, now=now)
    assert "1 of 3 active days" in browser_client.get("/rhythm/").content.decode()
    frozen.shift(timedelta(days=6))  # into the next week
    assert "0 of 3 active days" in browser_client.get("/rhythm/").content.decode()


def test_pages_are_kept_per_browser_never_shared(browser_client, make_client):
    other = make_client()
    other.get("/log/")
    mine = browser_client.get("/").content
    theirs = other.get("/").content
    assert mine != theirs  # each carries its own form token


def test_one_off_notes_and_first_visits_are_rendered_fresh(browser_client, make_client, settings):
    with CaptureQueriesContext(connection) as queries:
        browser_client.get("/?done=s1")
        browser_client.get("/?done=s1")
    assert len(queries) > 2
    fresh = make_client()  # no cookie yet: the page must set one, so it is never served from the cache
    response = fresh.get("/")
    assert settings.CSRF_COOKIE_NAME in response.cookies

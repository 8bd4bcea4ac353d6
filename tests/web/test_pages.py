"""What every page shares: landmarks, Help now, a strict CSP, CSRF on every form, calm errors."""

from __future__ import annotations

import re

import pytest

from kindstep.store import actions, models
from tests.conftest import NOW
from tests.web.helpers import csrf_token, page, shows

pytestmark = pytest.mark.django_db

PAGES = [
    "/", "/?skip=1", "/move/", "/log/", "/history/", "/rhythm/", "/checkins/",
    "/checkins/phq9/", "/checkins/gad7/", "/checkins/phq2/", "/checkins/gad2/", "/readiness/",
    "/why/", "/help-now/", "/help-now/?country=US", "/settings/", "/history/{session}/edit/",
    "/history/{rest}/edit/", "/history/{checkin}/edit/", "/settings/erase/",
]


@pytest.fixture
def entries(person):
    s = actions.log_session(person, activity="walk", duration="10", now=NOW)
    r, _ = actions.log_rest(person, day="2026-11-24", now=NOW)
    c = actions.record_checkin(person, energy=4, mood=4, anxiety=4, now=NOW)
    return {"session": f"s{s.pk}", "rest": f"r{r.pk}", "checkin": f"c{c.pk}"}


def assert_calm_page(response) -> None:
    """The shell every kindstep page has, and a policy that allows no inline code or style."""
    text = page(response)
    assert '<html lang="en">' in text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert re.search(r"<main\b[^>]*>", text)
    assert text.count("<main") == 1
    assert '<a class="help-link" href="/help-now/">Help now' in text
    policy = response.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    # Nothing a strict policy would block: no inline handlers, styles or scripts.
    assert not re.search(r"\son[a-z]+\s*=", text)
    assert "style=" not in text and "<style" not in text
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag or 'type="application/json"' in tag, tag


@pytest.mark.parametrize("address", PAGES)
def test_every_page_has_the_landmarks_the_help_link_and_a_strict_policy(client, entries, address):
    response = client.get(address.format(**entries))
    assert response.status_code == 200
    assert_calm_page(response)


def test_the_navigation_marks_the_current_page(client):
    assert '<a href="/rhythm/" aria-current="page">Rhythm</a>' in page(client.get("/rhythm/"))


@pytest.mark.parametrize(
    ("method", "address", "data", "status"),
    [
        ("post", "/checkin/", {"energy": "11", "mood": "1", "anxiety": "1"}, 422),
        ("post", "/log/", {"activity": "walk", "minutes": "0"}, 422),
        ("post", "/rest/", {"date": "2030-01-01"}, 422),
        ("post", "/checkins/phq9/", {"item1": "1"}, 422),
        ("post", "/readiness/", {"action": "answer"}, 422),
        ("post", "/settings/", {"country": "Britain"}, 422),
        ("post", "/history/{session}/edit/", {"duration": "0"}, 422),
        ("post", "/history/undo/", {"entry": "forged"}, 400),
        ("post", "/checkins/phq9/", {f"item{i}": "0" for i in range(1, 10)}, 200),
        ("post", "/checkins/phq9/", {**{f"item{i}": "0" for i in range(1, 10)}, "item9": "1"}, 200),
        ("get", "/help-now/?stop=1", {}, 200),
        ("get", "/no-such-page/", {}, 404),
        ("get", "/history/s999/edit/", {}, 404),
    ],
)
def test_refusals_results_and_error_pages_keep_the_same_calm_shell(
    client, entries, method, address, data, status
):
    response = getattr(client, method)(address.format(**entries), data)
    if response.status_code == 302 and status == 200:  # a result shown from its own address
        response = client.get(response["Location"])
    assert response.status_code == status
    assert_calm_page(response)


def test_a_missing_page_is_a_calm_404_with_a_way_on(client):
    response = client.get("/somewhere/old/")
    assert response.status_code == 404
    assert shows(response, "This page isn't here")
    assert "a gentle place to start again" in page(response)
    assert '<a class="button" href="/">Go to Today</a>' in page(response)
    assert '<a class="help-link" href="/help-now/">Help now' in page(response)


def test_a_server_error_is_a_calm_500_with_the_help_link(monkeypatch, make_client):
    from kindstep.store import queries

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in kindstep")

    monkeypatch.setattr(queries, "today", broken)
    response = make_client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    text = page(response)
    assert "It is not anything you did" in text
    assert '<html lang="en">' in text and "<main" in text
    assert 'href="/help-now/">Help now' in text
    assert "a bug in kindstep" not in text


def test_a_full_disk_is_named_in_the_terminals_words_and_answers_503(monkeypatch, make_client):
    """Local mode says what the data's trouble is; server mode never words a database error."""
    from django.conf import settings
    from django.db.utils import OperationalError

    from kindstep.store import queries

    def full(*args, **kwargs):
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(queries, "today", full)
    response = make_client(raise_request_exception=False).get("/")
    text = page(response)
    assert 'href="/help-now/">Help now' in text
    if settings.MODE == "server":
        assert response.status_code == 500
        assert "It is not anything you did" in text
        assert "disk" not in text
        return
    assert response.status_code == 503
    assert "There is no room left on the disk for kindstep&#39;s data" in text
    assert "Everything you saved before is kept as it was." in text
    assert "It is not anything you did" not in text


@pytest.mark.parametrize(
    ("address", "method"),
    [("/", "post"), ("/history/", "post"), ("/rhythm/", "post"), ("/why/", "post"),
     ("/settings/country/", "get"), ("/move/", "post"), ("/history/s1/delete/", "get"),
     ("/history/undo/", "get")],
)
def test_a_method_a_page_does_not_take_is_refused_and_writes_nothing(
    client, snapshot, address, method
):
    before = snapshot()
    response = getattr(client, method)(address)
    assert response.status_code == 405
    assert snapshot() == before


# -- CSRF on every form ----------------------------------------------------------------------------

FORMS = [
    ("/checkin/", {"energy": "3", "mood": "4", "anxiety": "5"}),
    ("/log/", {"activity": "walk", "minutes": "10"}),
    ("/log/", {"activity": "walk", "minutes": "10", "symptoms": "chest_pain"}),
    ("/rest/", {"date": "2026-11-20"}),
    ("/history/{session}/edit/", {"duration": "45"}),
    ("/history/{session}/delete/", {}),
    ("/history/undo/", {"entry": "{token}"}),
    ("/checkins/phq9/", {**{f"item{i}": "1" for i in range(1, 10)}}),
    ("/checkins/gad7/", {f"item{i}": "1" for i in range(1, 8)}),
    ("/readiness/", {"action": "skip"}),
    ("/readiness/", {"action": "clearance"}),
    ("/settings/", {"target_days": "5", "country": "US", "questionnaires": "off"}),
    ("/settings/erase/", {"confirm": "erase"}),
]


@pytest.fixture
def undo_token(client, person):
    """The ID undo takes, of a session deleted a moment ago."""
    s = actions.log_session(person, activity="yoga_gentle", duration="15", now=NOW)
    return client.post(f"/history/s{s.pk}/delete/")["Location"].split("undo=", 1)[1]


@pytest.mark.parametrize(("address", "data"), FORMS)
def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(
    entries, undo_token, snapshot, counts, address, data, make_client):
    strict = make_client(enforce_csrf_checks=True)
    data = {k: v.replace("{token}", undo_token) for k, v in data.items()}
    models.Person.objects.filter(pk=actions.local_person().pk).update(light_only=True)
    before, rows = snapshot(), counts()
    response = strict.post(address.format(**entries), data)
    assert response.status_code == 403
    assert snapshot() == before
    assert counts() == rows


@pytest.mark.parametrize(
    ("form_page", "address", "data"),
    [
        ("/", "/checkin/", {"energy": "3", "mood": "4", "anxiety": "5"}),
        ("/log/", "/log/", {"activity": "walk", "minutes": "10"}),
        ("/log/", "/rest/", {"date": "2026-11-20"}),
        ("/settings/", "/settings/", {"target_days": "5", "questionnaires": "on"}),
        ("/checkins/gad2/", "/checkins/gad2/", {"item1": "1", "item2": "0"}),
        ("/readiness/", "/readiness/", {"action": "skip"}),
        ("/settings/erase/", "/settings/erase/", {"confirm": "erase"}),
    ],
)
def test_a_post_with_the_token_from_the_form_is_accepted(snapshot, form_page, address, data, make_client):
    strict = make_client(enforce_csrf_checks=True)
    token = csrf_token(strict.get(form_page))
    before = snapshot()
    response = strict.post(address, {**data, "csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302)
    assert snapshot() != before


def test_every_form_on_every_page_carries_a_csrf_token(client, entries):
    for address in PAGES:
        text = page(client.get(address.format(**entries)))
        forms = re.findall(r"<form\b[^>]*>(.*?)</form>", text, re.S)
        for form, body in zip(re.findall(r"<form\b[^>]*>", text), forms, strict=True):
            if 'method="post"' in form:
                assert 'name="csrfmiddlewaretoken"' in body, (address, form)


def test_a_form_without_its_token_gets_a_calm_page_and_nothing_is_saved(db, make_client):

    from kindstep.store import models

    client = make_client(enforce_csrf_checks=True)
    response = client.post("/log/", {"activity": "walk", "minutes": "10"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "/help-now/" in html
    assert not models.MovementSession.objects.exists()

"""Fuzzing the web forms with Django's test client: log, rest, check-in, edit, settings and
the questionnaires.

Every POST answers 200/302, or 422 with the form again and nothing written; never a 500
(the test client re-raises a view's exception, so one would fail the test outright).
"""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kindstep.store import actions
from tests.conftest import NOW, every_row

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Browsers send valid UTF-8, so no lone surrogates here (raw bytes are tried separately).
ODD = st.sampled_from(["\x00", "\u202e", "🙂", "e\u0301", "\n", "\r\n", "\t", "<script>", "{{ 7*7 }}",
                       "%s", "&amp;", "'; DROP TABLE x;--", "\\", "ß", "\x7f", "\ufeff"])
TEXT = st.one_of(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30), ODD,
                 st.lists(ODD, max_size=5).map("".join), st.just("x" * 5000))
NUMBERISH = st.one_of(st.integers(-20, 30).map(str), st.floats().map(str),
                      st.sampled_from(["", " 5", "٥", "five", "1e3", "5.5", "99999999999999999999"]),
                      TEXT)
DATE = st.one_of(st.dates().map(str), st.sampled_from(
    ["2026-11-25", "2026-11-24", "2026-02-29", "2026-13-01", "today", "24/11/2026", ""]), TEXT)
DEVICE_ID = st.one_of(st.uuids().map(str), st.sampled_from(["", "not-a-uuid", "0" * 36]), TEXT)
"""The id a phone makes for an entry kept offline (static/kindstep/outbox.js)."""
MADE_AT = st.one_of(st.integers(-2**63, 2**63).map(str), st.sampled_from(
    ["", "1764075600000", "nan", "1e30"]), TEXT)
"""When the phone says the entry was made, in milliseconds since 1970."""
ACTIVITY = st.one_of(st.sampled_from(["walk", "yoga_gentle", "WALK", "wlak", ""]), TEXT)
maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731


def form(good: dict, **fields):
    """A valid form with zero to three of its fields fuzzed or left out."""
    @st.composite
    def build(draw):
        names = draw(st.lists(st.sampled_from(sorted(fields)), max_size=3, unique=True))
        data = dict(good)
        for name in names:
            value = draw(st.one_of(st.none(), fields[name]))
            data.pop(name, None) if value is None else data.__setitem__(name, value)
        return data
    return build()


@pytest.fixture
def post(alice):
    assert actions.local_person().pk == alice.pk
    client = Client()

    def _post(url: str, data: dict):
        before = every_row()
        with time_machine.travel(NOW, tick=False):
            response = client.post(url, data)
        assert response.status_code in (200, 302, 404, 422), (url, response.status_code)
        if response.status_code in (404, 422):
            assert every_row() == before, url
        if response.status_code == 422:
            assert b"<form" in response.content
        return response

    _post.person = alice
    return _post


LOG = form({"activity": "walk", "minutes": "20", "date": "2026-11-24", "effort": "3",
            "before": "4", "after": "6", "note": "cold air"},
           activity=ACTIVITY, minutes=NUMBERISH, date=DATE, effort=NUMBERISH, before=NUMBERISH,
           after=NUMBERISH, note=TEXT, device_id=DEVICE_ID, made_at=MADE_AT,
           symptoms=st.lists(st.sampled_from(["chest_pain", "faintness", "other", ""]), max_size=3))


@FUZZ
@given(data=LOG)
def test_the_log_form(post, data):
    post("/log/", data)


@FUZZ
@given(data=form({"date": "2026-11-24", "note": "slept in"}, date=DATE, note=TEXT,
                 device_id=DEVICE_ID, made_at=MADE_AT))
def test_the_rest_form(post, data):
    post("/rest/", data)


@FUZZ
@given(data=form({"energy": "4", "mood": "5", "anxiety": "3"},
                 energy=NUMBERISH, mood=NUMBERISH, anxiety=NUMBERISH, minutes=NUMBERISH,
                 sleep=NUMBERISH, note=TEXT, device_id=DEVICE_ID, made_at=MADE_AT))
def test_the_checkin_form(post, data):
    post("/checkin/", data)


@FUZZ
@given(data=LOG, kind=st.sampled_from(["s", "r", "c"]))
def test_the_edit_forms(post, data, kind):
    person = post.person
    made = {"s": lambda: actions.log_session(person, activity="walk", duration="10", now=NOW),
            "r": lambda: actions.log_rest(person, day="2026-11-23", now=NOW)[0],
            "c": lambda: actions.record_checkin(person, energy=4, mood=4, anxiety=4, now=NOW)}
    with time_machine.travel(NOW, tick=False):
        row = made[kind]()
    post(f"/history/{kind}{row.pk}/edit/", {**data, "energy": data.get("before", ""),
                                            "mood": data.get("after", ""), "anxiety": "3"})


@FUZZ
@given(data=form({"target_days": "4", "timezone": "America/New_York", "day_start": "5", "week_start": "6",
                 "country": "ie", "questionnaires": "on"}, target_days=NUMBERISH, timezone=st.one_of(
    st.sampled_from(["Europe/London", "UTC", "Mars/Olympus", "../../etc/passwd"]), TEXT),
    day_start=NUMBERISH, week_start=NUMBERISH, country=TEXT,
    questionnaires=st.sampled_from(["on", "off", "", "yes"]), liked=st.lists(ACTIVITY, max_size=3),
    avoided=st.lists(ACTIVITY, max_size=3)))
def test_the_settings_form(post, data):
    post("/settings/", data)


@FUZZ
@given(code=st.sampled_from(["phq9", "gad7", "phq2", "gad2"]),
       items=st.lists(st.one_of(st.sampled_from(["0", "1", "2", "3"]), NUMBERISH), min_size=0,
                      max_size=10) | st.lists(st.sampled_from(["0", "1", "2", "3"]), min_size=9,
                                              max_size=9), difficulty=maybe(TEXT))
def test_the_questionnaire_forms(post, code, items, difficulty):
    data = {f"item{i}": v for i, v in enumerate(items, 1)}
    if difficulty is not None:
        data["difficulty"] = difficulty
    post(f"/checkins/{code}/", data)


@pytest.mark.parametrize("url", ["/log/", "/rest/", "/checkin/", "/settings/", "/checkins/phq9/"])
def test_a_body_that_is_not_utf8_is_refused_or_read_never_a_500(post, url):
    """Bytes a browser would never send: Django reads them with replacement characters."""
    client = Client()
    before = every_row()
    with time_machine.travel(NOW, tick=False):
        response = client.generic("POST", url, b"note=\xff\xfe\x00&minutes=\xc3\x28&item1=\x80",
                                  content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 302, 422)
    if response.status_code == 422:
        assert every_row() == before



@FUZZ
@given(data=LOG, device=st.uuids().map(str), times=st.integers(2, 4))
def test_an_offline_entry_sent_again_and_again_is_kept_once(post, data, device, times):
    """However often the phone sends an entry with its id, at most one row holds it."""
    from kindstep.store import models

    data = {**data, "device_id": device}
    for _ in range(times):
        post("/log/", data)
    assert models.MovementSession.objects.filter(device_id=device).count() <= 1

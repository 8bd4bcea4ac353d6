"""Log, rest, history, edit, delete and undo, Move and Rhythm: the record and its pages."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from kindstep.store import actions, models
from tests.conftest import NOW
from tests.web.helpers import field_error, page, shows

pytestmark = pytest.mark.django_db

GOOD = {"activity": "walk", "minutes": "20", "date": "2026-11-24", "effort": "3", "before": "4",
        "after": "6", "note": "cold air, felt awake"}


def session(person, days_ago=0, **values):
    defaults = {"activity": "walk", "duration": "20"}
    return actions.log_session(person, now=NOW - timedelta(days=days_ago), **{**defaults, **values})


# -- Log -------------------------------------------------------------------------------------------


def test_the_log_form_starts_on_today(client):
    response = client.get("/log/")
    assert response.status_code == 200
    assert 'name="date" type="date" max="2026-11-25" value="2026-11-25"' in page(response)
    assert 'action="/rest/"' in page(response)


def test_the_log_form_is_filled_from_the_address(client):
    response = client.get("/log/?activity=yoga_gentle&minutes=15")
    assert '<option value="yoga_gentle" selected>' in page(response)
    assert 'name="minutes" inputmode="numeric" value="15"' in page(response)


def test_a_good_log_is_stored_and_leads_to_the_history(client, person):
    response = client.post("/log/", GOOD)
    row = models.MovementSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/history/?done=s{row.pk}"
    assert (row.person_id, row.activity, row.minutes, row.day) == (
        person.pk, "walk", 20, date(2026, 11, 24),
    )
    assert (row.effort, row.mood_before, row.mood_after) == (3, 4, 6)
    assert row.note == "cold air, felt awake"
    assert f"Saved (s{row.pk})." in page(client.get(response["Location"]))


@pytest.mark.parametrize("elsewhere", [
    "//example.org", "/\\example.org", "\\\\example.org", "https://example.org",
    "http://testserver.example.org/", "javascript:alert(1)", "///example.org", "/\t/example.org",
    " //example.org", "https:example.org",
])
@pytest.mark.parametrize("form", ["/log/", "/rest/"])
def test_a_log_or_rest_day_never_leads_to_another_site(client, form, elsewhere):
    data = {**GOOD, "next": elsewhere} if form == "/log/" else {"next": elsewhere}
    response = client.post(form, data)
    assert response.status_code == 302
    assert re.fullmatch(r"/history/\?done=[sr][0-9]+", response["Location"])


@pytest.mark.parametrize(("given", "lands"), [
    ("/", "/?done={id}"), ("/rhythm/", "/rhythm/?done={id}"),
    ("/history/?days=7", "/history/?days=7&done={id}"),
    ("http://testserver/rhythm/", "http://testserver/rhythm/?done={id}"),
])
def test_a_log_returns_to_a_page_of_this_site_it_came_from(client, given, lands, settings):
    if settings.MODE == "server":  # every request comes through the https proxy there
        given, lands = given.replace("http:", "https:"), lands.replace("http:", "https:")
    location = client.post("/log/", {**GOOD, "next": given})["Location"]
    assert location == lands.format(id=f"s{models.MovementSession.objects.get().pk}")


def test_over_https_a_next_address_on_plain_http_is_not_followed(client):
    response = client.post("/log/", {**GOOD, "next": "http://testserver/rhythm/"}, secure=True)
    first = models.MovementSession.objects.get().pk
    assert response["Location"] == f"/history/?done=s{first}"
    response = client.post("/log/", {**GOOD, "next": "https://testserver/rhythm/"}, secure=True)
    second = models.MovementSession.objects.exclude(pk=first).get().pk
    assert response["Location"] == f"https://testserver/rhythm/?done=s{second}"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"activity": "wlak"}, "activity", "kindstep does not know the activity 'wlak'"),
        ({"minutes": "0"}, "minutes", "from 1 minute to 24 hours"),
        ({"minutes": "25h"}, "minutes", "from 1 minute to 24 hours"),
        ({"minutes": "a while"}, "minutes", "try 10, 10m or 1h15m"),
        ({"date": "2026-11-26"}, "date", "is in the future"),
        ({"date": "25/11/2026"}, "date", "use YYYY-MM-DD"),
        ({"effort": "11"}, "effort", "How hard it felt is a number from 0 to 10"),
        ({"before": "ten"}, "before", "Mood before is a whole number from 0 to 10"),
        ({"after": "-2"}, "after", "Mood after is a number from 0 to 10"),
        ({"symptoms": "sore_toe"}, "symptoms", "kindstep does not know the symptom 'sore_toe'"),
    ],
)
def test_a_bad_log_comes_back_with_the_message_beside_its_field_and_nothing_written(
    client, snapshot, counts, change, field, words
):
    before, rows = snapshot(), counts()
    response = client.post("/log/", {**GOOD, **change})
    assert response.status_code == 422
    message = field_error(response, field)
    assert message is not None and words in message, page(response)
    assert "`kindstep" not in message  # a web page never asks for a command to be typed
    assert f'aria-describedby="{field}-error"' in page(response)
    assert snapshot() == before
    assert counts() == rows
    # What was typed stays in the form.
    assert 'value="cold air' not in page(response)  # the note is a textarea, kept as its text
    assert "cold air, felt awake</textarea>" in page(response)


def test_a_message_inside_the_more_section_opens_it(client):
    response = client.post("/log/", {**GOOD, "effort": "11"})
    assert response.status_code == 422
    assert '<details class="more" open>' in page(response)


def test_a_message_about_the_main_fields_leaves_the_more_section_folded(client):
    response = client.post("/log/", {**GOOD, "minutes": "0"})
    assert '<details class="more">' in page(response)


def test_a_worrying_symptom_is_recorded_and_leads_to_stop_and_seek_care(client, person):
    response = client.post("/log/", {**GOOD, "symptoms": ["chest_pain", "faintness"]})
    assert response.status_code == 302
    row = models.MovementSession.objects.get()
    # The symptoms never travel in the address: the help page reads them from the record.
    assert response["Location"] == f"/help-now/?stop=1&done=s{row.pk}"
    event = models.SafetyEvent.objects.get()
    assert event.kind == "movement_symptom"
    assert event.detail == {"symptoms": ["chest_pain", "faintness"], "session_id": row.pk}
    help_page = client.get(response["Location"])
    assert help_page.status_code == 200
    text = page(help_page)
    assert "Please stop now and seek medical care." in text
    assert "chest pain, pressure or tightness" in text
    assert '<a href="tel:999"><strong>999</strong></a>' in text  # Alice lives in the UK
    assert text.index("Please stop now and seek medical care.") < text.index("Samaritans")
    # After the warning, plain facts: the session is kept, and the choices stay at their
    # gentlest until a doctor has seen them; no cheerful line.
    assert f"Your session is in your record (s{row.pk})." in text
    assert "Until you tell kindstep a doctor has seen you" in text
    assert "Every bit of movement counts" not in text and "Well done" not in text


@pytest.mark.parametrize("bad", [{"minutes": ""}, {"minutes": "-5"}, {"effort": "15"},
                                 {"date": "2099-01-01"}])
def test_a_worrying_symptom_on_a_form_that_comes_back_still_says_stop_and_stays_ticked(
        client, snapshot, bad):
    """The help shows before the message about the other field; nothing is saved, and the
    ticked box is still ticked, so sending the form again still leads to help."""
    before = snapshot()
    response = client.post("/log/", {**GOOD, **bad, "symptoms": ["chest_pain", "faintness"]})
    assert response.status_code == 422
    text = page(response)
    assert "Please stop now and seek medical care." in text
    assert '<a href="tel:999"><strong>999</strong></a>' in text
    assert text.index("Please stop now and seek medical care.") < text.index('class="field-error"')
    assert 'name="symptoms" value="chest_pain" checked' in text
    assert 'name="symptoms" value="faintness" checked' in text
    assert 'name="symptoms" value="palpitations">' in text
    assert snapshot() == before


def test_a_form_that_comes_back_without_a_symptom_says_nothing_of_stopping(client):
    response = client.post("/log/", {**GOOD, "minutes": ""})
    assert response.status_code == 422
    assert "Please stop now" not in page(response)


def test_log_without_a_symptom_records_no_safety_event(client):
    client.post("/log/", GOOD)
    assert not models.SafetyEvent.objects.exists()


# -- Rest ------------------------------------------------------------------------------------------


def test_a_rest_day_is_stored_as_care(client, person):
    response = client.post("/rest/", {"date": "2026-11-23", "note": "slept in"})
    row = models.RestDay.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/history/?done=r{row.pk}"
    assert (row.person_id, row.day, row.note) == (person.pk, date(2026, 11, 23), "slept in")


def test_a_rest_day_from_today_returns_to_today(client):
    response = client.post("/rest/", {"next": "/"})
    assert response["Location"].startswith("/?done=r")
    assert models.RestDay.objects.get().day == date(2026, 11, 25)


@pytest.mark.parametrize(
    ("day", "words"),
    [("2026-11-26", "is in the future"), ("2026-02-30", "use YYYY-MM-DD")],
)
def test_a_rest_day_in_the_future_or_unreadable_is_refused_kindly(client, snapshot, day, words):
    before = snapshot()
    response = client.post("/rest/", {"date": day})
    assert response.status_code == 422
    assert words in field_error(response, "rest-date")
    assert snapshot() == before


def test_a_refused_rest_day_keeps_its_note_in_its_own_form_and_the_movement_form_fresh(client):
    response = client.post("/rest/", {"date": "2026-11-26", "note": "slept in, needed it"})
    assert response.status_code == 422
    text = page(response)
    rest_form = text.split('id="rest-title"')[1]
    movement_form = text.split('id="rest-title"')[0]
    assert 'name="note" value="slept in, needed it"' in rest_form
    assert 'value="2026-11-26"' in rest_form
    assert "slept in" not in movement_form and "2026-11-26" not in movement_form


def test_a_refused_movement_leaves_the_rest_form_fresh(client):
    response = client.post("/log/", {**GOOD, "minutes": "", "note": "by the river"})
    rest_form = page(response).split('id="rest-title"')[1]
    assert "by the river" not in rest_form
    assert 'name="note" value=""' in rest_form


def test_get_on_the_rest_address_leads_to_the_log_page(client):
    response = client.get("/rest/")
    assert response.status_code == 302
    assert response["Location"] == "/log/"


# -- History, delete, undo -------------------------------------------------------------------------


def test_history_lists_every_kind_of_entry_with_its_id(client, person):
    s = session(person, days_ago=1, effort="4", before="3", after="5")
    r, _ = actions.log_rest(person, now=NOW - timedelta(days=2))
    c = actions.record_checkin(person, energy=2, mood=3, anxiety=7, now=NOW)
    response = client.get("/history/")
    assert response.status_code == 200
    text = page(response)
    for label in (f"s{s.pk}", f"r{r.pk}", f"c{c.pk}"):
        assert f"· {label}" in text
        assert f'href="/history/{label}/edit/"' in text
        assert f'action="/history/{label}/delete/"' in text
    assert "Walk at an easy pace, 20 min" in text
    assert "mood 3 → 5 · felt 4/10" in text
    assert "Rest day" in text
    assert "Check-in: energy 2, mood 3, anxiety 7" in text
    # Newest first.
    assert text.index(f"· c{c.pk}") < text.index(f"· s{s.pk}") < text.index(f"· r{r.pk}")


def test_history_shows_nothing_of_charlies(client, charlie):
    theirs = actions.log_session(charlie, activity="yoga_gentle", duration="30", now=NOW)
    response = client.get("/history/")
    assert f"s{theirs.pk}" not in page(response)
    assert "Gentle yoga" not in page(response)
    assert "Nothing recorded in these days" in page(response)


def test_history_days_chooses_how_far_back(client, person):
    old = session(person, days_ago=10)
    recent = session(person, days_ago=0)
    week = page(client.get("/history/?days=7"))
    assert f"· s{recent.pk}" in week and f"· s{old.pk}" not in week
    assert "The last 7 days." in week
    month = page(client.get("/history/?days=30"))
    assert f"· s{old.pk}" in month


@pytest.mark.parametrize("days", ["0", "lots", "-3", "99999999"])
def test_history_with_an_odd_days_value_shows_the_usual_28_days(client, days):
    response = client.get(f"/history/?days={days}")
    assert response.status_code == 200
    assert "The last 28 days." in page(response)


def test_history_shows_28_days_by_default_as_the_cli_does(client, person):
    edge, beyond = session(person, days_ago=27), session(person, days_ago=28)
    text = page(client.get("/history/"))
    assert "The last 28 days." in text
    assert f"· s{edge.pk}" in text and f"· s{beyond.pk}" not in text


def _undo_of(response) -> str:
    """The entry ID a delete's redirect names (``/history/?undo=s12``)."""
    location = response["Location"]
    assert re.fullmatch(r"/history/\?undo=[a-z][0-9]+", location), location
    return location.split("undo=", 1)[1]


def test_delete_removes_the_entry_and_offers_undo(client, person):
    s = session(person)
    response = client.post(f"/history/s{s.pk}/delete/")
    assert response.status_code == 302
    assert _undo_of(response) == f"s{s.pk}"
    assert not models.MovementSession.objects.filter(removed_at__isnull=True).exists()
    shown = page(client.get(response["Location"]))
    assert "Removed a session from Wed 25 Nov. Undo puts it back within the hour." in shown
    assert 'action="/history/undo/"' in shown
    assert f'name="entry" value="s{s.pk}"' in shown
    assert f"· s{s.pk}" not in shown  # no longer in the list


def test_a_deleted_note_travels_in_no_address_and_is_gone_for_good_after_the_hour(
        client, person, frozen):
    """The note a person deletes is never written into a URL, and an hour later it is in no
    table at all: the page that runs then deletes the row for good."""
    from django.db import connection

    note = "quince-lantern-8821 told my sister"
    s = session(person, note=f"{note} (walk)", before="2", after="3")
    c = actions.record_checkin(person, energy=2, mood=2, anxiety=8, note=f"{note} (body)", now=NOW)
    r, _ = actions.log_rest(person, note=f"{note} (rest)", now=NOW - timedelta(days=1))
    for label, words in ((f"s{s.pk}", "(walk)"), (f"c{c.pk}", "(body)"), (f"r{r.pk}", "(rest)")):
        response = client.post(f"/history/{label}/delete/")
        assert "quince" not in response["Location"] and _undo_of(response) == label
        shown = page(client.get(response["Location"]))
        links = re.findall(r'(?:href|action|src)="([^"]*)"', shown)
        assert links and not [link for link in links if "quince" in link or "sister" in link]
        assert f"{note} {words}" not in shown  # nor on the page: only what kind it was
    assert models.MovementSession.objects.filter(note=f"{note} (walk)").exists()  # undo's hour

    def every_value() -> str:
        found = []
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names():
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
                found += [repr(row) for row in cursor.fetchall()]
        return "\n".join(found)

    assert "quince-lantern-8821" in every_value()
    frozen.shift(timedelta(minutes=61))
    assert client.get("/rhythm/").status_code == 200  # any page: it purges on the way
    assert "quince-lantern-8821" not in every_value()
    assert client.post("/history/undo/", {"entry": f"s{s.pk}"}).status_code == 400


def test_undo_puts_the_entry_back_as_it_was(client, person):
    s = session(person, effort="4", note="by the river")
    before = list(models.MovementSession.objects.values())
    label = _undo_of(client.post(f"/history/s{s.pk}/delete/"))
    response = client.post("/history/undo/", {"entry": label})
    assert response.status_code == 302
    assert response["Location"] == f"/history/?done=s{s.pk}"
    assert list(models.MovementSession.objects.values()) == before


def test_undo_pressed_again_puts_back_nothing_more_and_says_so_kindly(client, person):
    """Back and Undo again, or a double press: one entry, and a plain word that it is back."""
    s = session(person)
    label = _undo_of(client.post(f"/history/s{s.pk}/delete/"))
    assert client.post("/history/undo/", {"entry": label})["Location"] == f"/history/?done=s{s.pk}"
    again = client.post("/history/undo/", {"entry": label})
    assert again.status_code == 302 and again["Location"] == f"/history/?back=s{s.pk}"
    assert models.MovementSession.objects.count() == 1
    text = page(client.get(again["Location"]))
    assert f"That entry (s{s.pk}) is already back in your record" in text
    assert "already back" not in page(client.get("/history/?back=<b>hi</b>"))


@pytest.mark.parametrize("kind", ["rest", "checkin"])
def test_undo_works_for_rest_days_and_checkins_too(client, person, kind):
    if kind == "rest":
        row, _ = actions.log_rest(person, now=NOW)
        label, model = f"r{row.pk}", models.RestDay
    else:
        row = actions.record_checkin(person, energy=4, mood=4, anxiety=4, now=NOW)
        label, model = f"c{row.pk}", models.CheckIn
    assert _undo_of(client.post(f"/history/{label}/delete/")) == label
    assert not model.objects.filter(removed_at__isnull=True).exists()
    assert client.post("/history/undo/", {"entry": label}).status_code == 302
    assert model.objects.get(removed_at__isnull=True).pk == row.pk


def test_a_rest_day_removed_can_be_rested_again_and_then_its_undo_is_refused(client, person):
    row, _ = actions.log_rest(person, note="first", now=NOW)
    client.post(f"/history/r{row.pk}/delete/")
    assert client.post("/rest/", {"date": "2026-11-25", "note": "again"}).status_code == 302
    response = client.post("/history/undo/", {"entry": f"r{row.pk}"})
    assert response.status_code == 400
    assert [r.note for r in models.RestDay.objects.filter(removed_at__isnull=True)] == ["again"]


def test_an_undo_after_an_hour_is_refused_kindly_and_restores_nothing(
    client, person, frozen, snapshot
):
    s = session(person)
    label = _undo_of(client.post(f"/history/s{s.pk}/delete/"))
    frozen.shift(timedelta(minutes=61))
    client.get("/history/")  # the first page after the hour deletes it for good
    before = snapshot()
    assert before["MovementSession"] == []
    response = client.post("/history/undo/", {"entry": label})
    assert response.status_code == 400
    assert "That can no longer be undone" in page(response)
    assert "log the entry again" in page(response)
    assert snapshot() == before
    assert "Removed" not in page(client.get(f"/history/?undo={label}"))  # no undo offered



@pytest.mark.parametrize("entry", ["", "forged", "s999", "x1", "s1; DROP TABLE"])
def test_an_undo_of_no_removed_entry_is_refused_kindly_and_restores_nothing(
        client, snapshot, entry):
    before = snapshot()
    response = client.post("/history/undo/", {"entry": entry})
    assert response.status_code == 400
    assert "That can no longer be undone" in page(response)
    assert snapshot() == before


def test_an_undo_cannot_restore_someone_elses_entry(client, person, charlie):
    theirs = actions.log_session(charlie, activity="walk", duration=10, now=NOW)
    actions.delete_entry(charlie, f"s{theirs.pk}", now=NOW)
    assert "Removed" not in page(client.get(f"/history/?undo=s{theirs.pk}"))
    response = client.post("/history/undo/", {"entry": f"s{theirs.pk}"})
    assert response.status_code == 400
    assert models.MovementSession.objects.get(pk=theirs.pk).removed_at is not None


@pytest.mark.parametrize("undo", ["forged", "s999", "<b>s1</b>", "s1?x"])
def test_an_odd_undo_link_shows_no_undo_button(client, person, undo):
    session(person)  # s1 exists, and is not removed
    response = client.get("/history/", {"undo": undo})
    assert response.status_code == 200
    assert 'action="/history/undo/"' not in page(response)


@pytest.mark.parametrize("entry", ["s999", "r999", "c999", "zz", "s0"])
def test_deleting_an_entry_that_does_not_exist_is_a_404(client, snapshot, entry):
    before = snapshot()
    response = client.post(f"/history/{entry}/delete/")
    assert response.status_code == 404
    assert snapshot() == before


def test_deleting_charlies_entry_is_a_404_and_it_stays(client, charlie):
    theirs = actions.log_session(charlie, activity="walk", duration="10", now=NOW)
    response = client.post(f"/history/s{theirs.pk}/delete/")
    assert response.status_code == 404
    assert models.MovementSession.objects.filter(pk=theirs.pk).exists()


# -- Edit ------------------------------------------------------------------------------------------


def test_the_edit_page_shows_a_sessions_fields(client, person):
    s = session(person, days_ago=1, effort="4", before="3", after="6", note="windy")
    response = client.get(f"/history/s{s.pk}/edit/")
    assert response.status_code == 200
    text = page(response)
    assert f"Edit s{s.pk}" in text
    assert '<option value="walk" selected>' in text
    assert 'name="duration" value="20"' in text
    assert 'name="effort" type="number" min="0" max="10" value="4"' in text
    assert 'name="date" type="date" max="2026-11-25" value="2026-11-24"' in text
    assert "windy</textarea>" in text


def test_the_edit_page_shows_a_rest_days_fields(client, person):
    r, _ = actions.log_rest(person, note="quiet day", now=NOW)
    text = page(client.get(f"/history/r{r.pk}/edit/"))
    assert 'value="2026-11-25"' in text
    assert "quiet day</textarea>" in text
    assert 'name="duration"' not in text and 'name="energy"' not in text


def test_the_edit_page_shows_a_checkins_fields(client, person):
    c = actions.record_checkin(person, energy=2, mood=3, anxiety=7, note="tight chest", now=NOW)
    text = page(client.get(f"/history/c{c.pk}/edit/"))
    assert 'name="energy" type="number" min="0" max="10" value="2"' in text
    assert 'name="anxiety" type="number" min="0" max="10" value="7"' in text
    assert "tight chest</textarea>" in text


def test_editing_a_session_saves_the_changes(client, person):
    s = session(person, days_ago=1)
    response = client.post(f"/history/s{s.pk}/edit/", {
        "activity": "yoga_gentle", "duration": "1h", "effort": "2", "before": "3", "after": "5",
        "note": "slow", "date": "2026-11-23",
    })
    assert response.status_code == 302
    assert response["Location"] == f"/history/?done=s{s.pk}"
    s.refresh_from_db()
    assert (s.activity, s.minutes, s.effort, s.mood_before, s.mood_after, s.note, s.day) == (
        "yoga_gentle", 60, 2, 3, 5, "slow", date(2026, 11, 23),
    )


def test_emptying_an_optional_answer_in_an_edit_takes_it_back(client, person):
    """A rating given by mistake can be removed; an emptied required field stays as it was."""
    s = session(person, effort="4", before="3", after="6", days_ago=1)
    response = client.post(f"/history/s{s.pk}/edit/", {
        "activity": "walk", "duration": "", "effort": "", "before": "", "after": " ",
        "note": "", "date": "2026-11-24"})
    assert response.status_code == 302
    s.refresh_from_db()
    assert (s.effort, s.mood_before, s.mood_after, s.minutes) == (None, None, None, 20)
    assert "mood" not in page(client.get("/history/")).split(f"s{s.pk}")[0].split("<li")[-1]
    c = actions.record_checkin(person, energy=2, mood=3, anxiety=7, minutes="15", sleep="7",
                               now=NOW)
    client.post(f"/history/c{c.pk}/edit/", {"energy": "2", "mood": "3", "anxiety": "7",
                                            "minutes": "", "sleep": "", "date": "2026-11-25"})
    c.refresh_from_db()
    assert (c.minutes_available, c.sleep_hours, c.energy) == (None, None, 2)


def test_editing_a_checkin_and_a_rest_day_saves_the_changes(client, person):
    c = actions.record_checkin(person, energy=2, mood=3, anxiety=7, now=NOW)
    r, _ = actions.log_rest(person, now=NOW)
    client.post(f"/history/c{c.pk}/edit/", {"energy": "5", "mood": "6", "anxiety": "2",
                                            "date": "2026-11-25", "note": "better"})
    client.post(f"/history/r{r.pk}/edit/", {"date": "2026-11-20", "note": "a slow Friday"})
    c.refresh_from_db()
    r.refresh_from_db()
    assert (c.energy, c.mood, c.anxiety, c.body_note) == (5, 6, 2, "better")
    assert (r.day, r.note) == (date(2026, 11, 20), "a slow Friday")


@pytest.mark.parametrize(
    ("kind", "change", "field", "words"),
    [
        ("session", {"duration": "0"}, "duration", "from 1 minute to 24 hours"),
        ("session", {"effort": "11"}, "effort", "How hard it felt is a number from 0 to 10"),
        ("session", {"before": "lots"}, "before", "Mood before is a whole number from 0 to 10"),
        ("session", {"date": "2026-12-01"}, "date", "is in the future"),
        ("checkin", {"energy": "11"}, "energy", "Energy is a number from 0 to 10"),
        ("checkin", {"anxiety": "x"}, "anxiety", "Anxiety is a whole number from 0 to 10"),
        ("rest", {"date": "2026-11-26"}, "date", "is in the future"),
        ("rest", {"date": "2026-11-24"}, "date", "2026-11-24 is already marked as a rest day"),
    ],
)
def test_a_bad_edit_comes_back_with_the_message_and_leaves_the_row_unchanged(
    client, person, snapshot, kind, change, field, words
):
    actions.log_rest(person, now=NOW - timedelta(days=1))  # for the clash
    if kind == "session":
        row = session(person)
        form = {"activity": "walk", "duration": "20", "effort": "", "before": "", "after": "",
                "note": "", "date": "2026-11-25"}
        label = f"s{row.pk}"
    elif kind == "checkin":
        row = actions.record_checkin(person, energy=3, mood=3, anxiety=3, now=NOW)
        form = {"energy": "3", "mood": "3", "anxiety": "3", "note": "", "date": "2026-11-25"}
        label = f"c{row.pk}"
    else:
        row, _ = actions.log_rest(person, now=NOW)
        form = {"note": "", "date": "2026-11-25"}
        label = f"r{row.pk}"
    before = snapshot()
    response = client.post(f"/history/{label}/edit/", {**form, **change})
    assert response.status_code == 422
    message = field_error(response, field)
    assert message is not None and words in message, page(response)
    assert snapshot() == before
    # The value typed stays in the form, to be corrected rather than typed again.
    typed = next(iter(change.values()))
    assert f'value="{typed}"' in page(response)


@pytest.mark.parametrize("entry", ["s999", "c999", "r999", "zz"])
def test_editing_an_entry_that_does_not_exist_is_a_404(client, entry):
    assert client.get(f"/history/{entry}/edit/").status_code == 404
    assert client.post(f"/history/{entry}/edit/", {"note": "x"}).status_code == 404


def test_charlies_entries_cannot_be_seen_or_changed(client, charlie):
    theirs = actions.log_session(charlie, activity="walk", duration="10", now=NOW)
    assert client.get(f"/history/s{theirs.pk}/edit/").status_code == 404
    assert client.post(f"/history/s{theirs.pk}/edit/", {"duration": "99"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.minutes == 10


# -- Move ------------------------------------------------------------------------------------------


def guide_data(response) -> dict:
    found = re.search(r'<script id="guide-data" type="application/json">(.*?)</script>',
                      page(response), re.S)
    assert found, "the cue data is missing"
    return json.loads(found.group(1))


def test_move_starts_with_a_ten_minute_walk_and_its_cues(client):
    response = client.get("/move/")
    assert response.status_code == 200
    assert response.context["minutes"] == 10
    assert response.context["activity"].code == "walk"
    assert 'data-minutes="10"' in page(response)
    data = guide_data(response)
    assert set(data["schedules"]) == {"5", "10", "20"}
    assert data["intro"] and data["cues"]
    # Without JavaScript, the same page is a plain log form for the activity.
    assert 'id="move-log"' in page(response)
    assert '<option value="walk" selected>' in page(response)


def test_move_takes_an_activity_and_custom_minutes(client):
    response = client.get("/move/?activity=yoga_gentle&minutes=15")
    assert response.context["minutes"] == 15
    assert set(guide_data(response)["schedules"]) == {"5", "10", "15", "20"}
    assert '<option value="yoga_gentle" selected>' in page(response)
    assert '<input type="radio" name="length" value="15" checked>' in page(response)


@pytest.mark.parametrize("minutes", ["abc", "0", "999", "-5"])
def test_move_with_odd_minutes_falls_back_to_ten(client, minutes):
    response = client.get(f"/move/?minutes={minutes}")
    assert response.status_code == 200
    assert response.context["minutes"] == 10


def test_move_with_an_unknown_activity_or_guide_falls_back_gently(client):
    response = client.get("/move/?activity=nope&guide=nope&speed=lots")
    assert response.status_code == 200
    assert response.context["activity"].code == "walk"
    assert response.context["speed"] == 1
    assert guide_data(response)["cues"]


# -- Rhythm ----------------------------------------------------------------------------------------


def test_rhythm_for_a_new_person_is_calm(client):
    response = client.get("/rhythm/")
    assert response.status_code == 200
    assert "0 of 3 active days" in page(response)
    assert 'class="heatmap"' in page(response)


def test_rhythm_shows_the_active_days_this_week_after_logging(client, person):
    client.post("/log/", {"activity": "walk", "minutes": "20", "date": "2026-11-25"})
    client.post("/log/", {"activity": "walk", "minutes": "45", "date": "2026-11-23"})
    client.post("/rest/", {"date": "2026-11-24"})
    response = client.get("/rhythm/")
    text = page(response)
    assert "2 of 3 active days" in text
    assert 'class="heatmap" role="img"' in text
    assert "2 active days" in text  # the heatmap's spoken summary
    assert 'class="hm-day l2" title="Wed 25 Nov: 20 min"' in text
    assert 'class="hm-day l3" title="Mon 23 Nov: 45 min"' in text
    assert 'class="hm-day l0 rest" title="Tue 24 Nov: rest day"' in text
    assert "<table>" in text
    assert '<th scope="row">23 Nov 2026</th><td>2 of 3</td><td>1</td><td>65</td>' in text


def test_rhythm_counts_a_week_that_met_the_target(client, person):
    for day in ("2026-11-16", "2026-11-18", "2026-11-20"):
        client.post("/log/", {"activity": "walk", "minutes": "10", "date": day})
    text = page(client.get("/rhythm/"))
    week = '<th scope="row">16 Nov 2026</th><td>3 of 3 <span class="met">(target met)</span>'
    assert week in text
    assert "Weeks that met your target of 3 days: 1" in text


def test_shows_helper_reads_escaped_text(client):
    # A small guard on the helper the other tests lean on.
    response = client.get("/why/")
    assert shows(response, "Why movement can help")


def test_the_web_and_the_cli_list_the_same_entries_in_the_same_order(client, person):
    """One timeline (queries.timeline): the same IDs, words and order on both interfaces."""
    from typer.testing import CliRunner

    from kindstep.cli.main import app

    session(person, days_ago=1, before="4", after="6")
    session(person, days_ago=1, activity="yoga_gentle", effort="3")
    actions.log_rest(person, now=NOW - timedelta(days=3))
    actions.record_checkin(person, energy=2, mood=3, anxiety=7, now=NOW)
    actions.record_checkin(person, energy=4, mood=4, anxiety=4, now=NOW)
    models.JournalEntry.objects.create(person=person, source="daylio", external_id="k1",
                                       day=date(2026, 11, 24), at=NOW, mood=6)
    text = page(client.get("/history/"))
    on_the_web = re.findall(r'action="/history/([a-z][0-9]+)/delete/"', text)
    cli = json.loads(CliRunner().invoke(app, ["history", "--json"]).stdout)
    assert on_the_web == [e["id"] for e in cli["entries"]]
    assert len(on_the_web) == 6 and on_the_web[0].startswith("c") and on_the_web[-1].startswith("r")
    table = CliRunner().invoke(app, ["history"]).stdout
    for words in ("Walk at an easy pace, 20 min", "mood 4 → 6", "felt 3/10", "Mood 6",
                  "Check-in: energy 4, mood 4, anxiety 4"):
        assert words in text and words in table


def test_a_removed_entry_has_no_edit_page(client, person):
    s = session(person)
    client.post(f"/history/s{s.pk}/delete/")
    assert client.get(f"/history/s{s.pk}/edit/").status_code == 404
    assert client.post(f"/history/s{s.pk}/edit/", {"duration": "30"}).status_code == 404
    assert models.MovementSession.objects.get().minutes == 20


def test_the_web_looks_for_rows_to_purge_at_most_once_a_minute(client, person, frozen):
    """A page the browser already has stays as cheap as it was: the purge's one statement
    runs on the first request, then not again until a minute has passed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def purge_checks() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get("/rhythm/").status_code == 200
        return sum("removed_at <" in q["sql"] for q in seen.captured_queries)

    assert purge_checks() == 1
    assert purge_checks() == 0
    frozen.shift(timedelta(seconds=59))
    assert purge_checks() == 0
    frozen.shift(timedelta(seconds=2))
    assert purge_checks() == 1

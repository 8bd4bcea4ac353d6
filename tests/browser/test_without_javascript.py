"""The whole daily loop in real Chromium with JavaScript turned off.

"Forms work without JavaScript; htmx makes them smoother": here no script runs
at all, so every button is a plain form post and every answer a whole page.
Each step checks what the page says and what the record holds (through the CLI
on the same data).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def plain(browser, server):
    """A phone-sized page with JavaScript off, on a fresh server; browser errors fail the test."""
    context = browser.new_context(java_script_enabled=False, base_url=server.url,
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    problems: list[str] = []
    # A re-rendered form answers 422 by design; Chromium logs that as a failed resource.
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and "status of 422" not in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    context.close()
    assert not problems, f"the browser reported errors: {problems}"


def scale(page, legend: str, value: int) -> None:
    """Tap one number of a 0-10 check-in scale, as a person would, by its label."""
    group = page.get_by_role("group", name=re.compile(f"^{legend}"))
    group.get_by_role("radio", name=str(value), exact=True).check()


def entries(server, kind: str | None = None) -> list[dict]:
    found = server.cli("history", "--json")["entries"]
    return [e for e in found if kind is None or e["kind"] == kind]


def test_check_in_then_i_did_this_then_rest_all_as_plain_forms(plain, server):
    page = plain
    page.goto("/")
    expect(page.get_by_role("heading", name="A quick check-in")).to_be_visible()
    scale(page, "Energy", 5)
    scale(page, "Mood", 4)
    scale(page, "Anxiety", 3)
    page.get_by_label("Minutes you could spare today").fill("20")
    page.get_by_role("button", name="See what feels possible").click()

    # A whole new page: Today, with the three choices sized to the check-in, and rest.
    expect(page).to_have_url(server.url + "/")
    expect(page.get_by_role("heading", name="Three small choices, and rest")).to_be_visible()
    sized = "Sized to your check-in: energy 5, mood 4, anxiety 3, 20 minutes free."
    expect(page.get_by_text(sized)).to_be_visible()
    choices = page.locator("li.choice:not(.rest)")
    expect(choices).to_have_count(3)
    expect(page.locator("li.choice.rest")).to_contain_text("Rest is part of healing")
    [checkin] = entries(server, "checkin")
    assert (checkin["energy"], checkin["mood"], checkin["anxiety"],
            checkin["minutes_available"]) == (5, 4, 3, 20)

    first = choices.first
    activity = first.locator('input[name="activity"]').get_attribute("value")
    minutes = int(first.locator('input[name="minutes"]').get_attribute("value"))
    first.get_by_role("button", name=re.compile("^I did this")).click()
    expect(page.get_by_role("status")).to_have_text("Logged. Every bit of movement counts.")
    expect(page).to_have_url(re.compile(r"/\?done=s1$"))
    [session] = entries(server, "session")
    assert (session["activity"], session["minutes"]) == (activity, minutes)

    page.get_by_role("button", name="Rest today").click()
    expect(page.get_by_role("status")).to_contain_text("Rest is logged. Rest is part of healing.")
    [rest] = entries(server, "rest")
    assert rest["date"] == session["date"]
    assert server.cli("week", "--json")["active_days_this_week"] == 1

    # Checking in again later in the day: the form waits under a disclosure, no script needed.
    page.get_by_text("Check in again").click()
    scale(page, "Energy", 1)
    scale(page, "Mood", 2)
    scale(page, "Anxiety", 8)
    page.get_by_role("button", name="See what feels possible").click()
    expect(page.get_by_text("Sized to your check-in: energy 1, mood 2, anxiety 8.")).to_be_visible()
    assert len(entries(server, "checkin")) == 2


def test_a_check_in_with_a_scale_left_out_comes_back_with_its_choices_kept(plain, server):
    page = plain
    page.goto("/")
    scale(page, "Energy", 2)
    scale(page, "Anxiety", 7)
    page.get_by_role("button", name="See what feels possible").click()
    expect(page.locator("#mood-error")).to_have_text(
        "Please choose a number for mood, from 0 to 10.")
    mood = page.get_by_role("group", name=re.compile("^Mood"))
    expect(mood).to_have_attribute("aria-describedby", "mood-error")
    expect(mood).to_be_focused()  # the page opens at the group to answer
    # What was chosen is still chosen, so only the one answer needs a tap.
    energy = page.get_by_role("group", name=re.compile("^Energy"))
    expect(energy.get_by_role("radio", name="2", exact=True)).to_be_checked()
    assert entries(server) == []
    scale(page, "Mood", 6)
    page.get_by_role("button", name="See what feels possible").click()
    expect(page.locator("li.choice:not(.rest)")).to_have_count(3)
    [checkin] = entries(server, "checkin")
    assert (checkin["energy"], checkin["mood"], checkin["anxiety"]) == (2, 6, 7)


def test_log_page_a_bad_value_is_explained_beside_its_field_then_a_good_log_and_a_rest_day(
        plain, server):
    page = plain
    page.goto("/log/")
    movement = page.locator("form", has=page.get_by_role("button", name="Log it"))
    movement.get_by_label("How long").fill("a while")
    movement.get_by_role("button", name="Log it").click()
    minutes = page.locator("#minutes")
    expect(minutes).to_have_attribute("aria-invalid", "true")
    expect(minutes).to_have_attribute("aria-describedby", "minutes-error")
    expect(minutes).to_have_value("a while")  # as typed, to mend
    expect(page.locator("#minutes-error")).to_be_visible()
    expect(page.locator("#minutes-error")).to_contain_text("try 10, 10m or 1h15m")
    assert entries(server) == []

    minutes.fill("12")
    page.get_by_role("button", name="Log it").click()
    expect(page).to_have_url(re.compile(r"/history/\?done=s1$"))
    expect(page.get_by_role("status")).to_have_text("Saved (s1).")
    expect(page.locator(".entry.session")).to_contain_text("12 min")
    assert [e["minutes"] for e in entries(server, "session")] == [12]

    # A rest day for yesterday, from the Log page's second form.
    today = date.fromisoformat(server.cli("history", "--json")["until"])
    yesterday = today - timedelta(days=1)
    page.goto("/log/")
    page.locator("#rest-date").fill((today + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Mark as rest").click()
    expect(page.locator("#rest-date-error")).to_contain_text("pick today or an earlier day")
    expect(page.locator("#rest-date")).to_have_attribute("aria-invalid", "true")
    assert entries(server, "rest") == []
    page.locator("#rest-date").fill(yesterday.isoformat())
    page.locator("#rest-note").fill("a quiet day in")
    page.get_by_role("button", name="Mark as rest").click()
    expect(page.get_by_role("status")).to_have_text("Saved (r1).")
    expect(page.locator(".entry.rest")).to_contain_text("a quiet day in")
    [rest] = entries(server, "rest")
    assert (rest["date"], rest["note"]) == (yesterday.isoformat(), "a quiet day in")


def test_history_edit_delete_and_undo(plain, server):
    server.cli("log", "walk", "10", "--note", "by the river")
    server.cli("log", "yoga_gentle", "15")
    page = plain
    page.goto("/history/")
    page.get_by_role("link", name=re.compile("^Edit: Walk at an easy pace")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit s1")
    page.get_by_label("How long").fill("forever")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#duration-error")).to_be_visible()
    expect(page.get_by_label("How long")).to_have_value("forever")
    assert [e["minutes"] for e in entries(server, "session") if e["id"] == "s1"] == [10]
    page.get_by_label("How long").fill("25")
    page.get_by_label("Note").fill("by the river, in the sun")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved (s1).")
    walk = page.locator(".entry.session", has_text="Walk at an easy pace")
    expect(walk).to_contain_text("25 min")
    expect(walk).to_contain_text("by the river, in the sun")

    page.get_by_role("button", name=re.compile("^Delete: Walk at an easy pace")).click()
    expect(page.get_by_role("status")).to_contain_text("Removed")
    expect(page.locator(".entry.session", has_text="Walk at an easy pace")).to_have_count(0)
    assert [e["id"] for e in entries(server, "session")] == ["s2"]
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("status")).to_have_text("Saved (s1).")
    expect(walk).to_contain_text("25 min")
    kept = {e["id"]: (e["minutes"], e["note"]) for e in entries(server, "session")}
    assert kept == {"s1": (25, "by the river, in the sun"), "s2": (15, "")}

    # Back to the page after the delete, and Undo again: nothing doubles, and it says why.
    page.go_back()
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("status")).to_contain_text("already back in your record")
    assert len(entries(server, "session")) == 2


def test_phq9_with_item_9_above_0_shows_the_help_first_even_when_half_answered(plain, server):
    server.cli("settings", "--country", "GB")
    page = plain
    page.goto("/checkins/phq9/")
    page.locator('input[name="item1"][value="2"]').check()
    page.locator('input[type="radio"][name="item9"][value="1"]').check()
    page.get_by_role("button", name="Send").click()
    # Help never waits for a finished questionnaire.
    support = page.locator("section.safety")
    expect(support).to_contain_text("999")
    expect(support).to_be_focused()  # a screen reader starts at the help, with or without script
    expect(page.get_by_role("alert")).to_contain_text("Please answer question 2 (and 6 more)")
    # Answers are kept (the safety box carries them too, hidden, for its country choice).
    expect(page.locator('input[type="radio"][name="item9"][value="1"]')).to_be_checked()
    assert server.cli("scores", "--json")["results"] == []

    for n in range(2, 9):
        page.locator(f'input[name="item{n}"][value="0"]').check()
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_url(re.compile(r"/checkins/phq9/\d+/$"))
    expect(support).to_contain_text("999")
    expect(support).to_contain_text("not a crisis service")
    html = page.content()
    assert html.index('class="safety"') < html.index("Your PHQ-9")
    expect(support).to_be_focused()
    expect(page.locator(".big")).to_contain_text("3 of 27")
    [result] = server.cli("scores", "--json")["results"]
    assert result["total"] == 3


def test_gad7_shows_its_result_page(plain, server):
    page = plain
    page.goto("/checkins/gad7/")
    for n in range(1, 8):
        page.locator(f'input[name="item{n}"][value="1"]').check()
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_url(re.compile(r"/checkins/gad7/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your GAD-7")
    expect(page.locator(".big")).to_contain_text("7 of 21")
    expect(page.locator("section.safety")).to_have_count(0)
    [result] = server.cli("scores", "--json")["results"]
    assert result["total"] == 7
    page.get_by_role("link", name="See your scores").click()
    expect(page.locator("table")).to_contain_text("7 of 21")


def test_settings_change_the_target_and_the_country_chosen_by_name(plain, server):
    """The country is a list of names now, so no word typed there can be refused; a refused
    value keeping the others is tests/web/test_settings_page.py's."""
    page = plain
    page.goto("/settings/")
    page.get_by_label("Active days a week to aim for").select_option("5")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_label("Active days a week to aim for")).to_have_value("5")
    assert server.cli("settings", "--json")["target_days"] == 5

    page.get_by_label("Active days a week to aim for").select_option("2")
    page.get_by_label("Weeks start on").select_option("Sunday")
    page.get_by_label(re.compile("^Country")).select_option(label="United Kingdom")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_label(re.compile("^Country"))).to_have_value("GB")
    stored = server.cli("settings", "--json")
    assert (stored["target_days"], stored["week_start"], stored["country"]) == (2, 6, "GB")
    assert stored["country_name"] == "United Kingdom"


def test_experiments_start_rate_and_stop(plain, server):
    page = plain
    page.goto("/experiments/")
    page.get_by_role("button", name="Start the experiment").click()
    expect(page.get_by_role("status")).to_contain_text("Your experiment has begun")
    assert server.cli("experiment", "status", "--json")["experiment"] is not None

    page.get_by_role("button", name="Save the rating").click()  # no rating chosen yet
    expect(page.locator("#value-error")).to_have_text("Please choose a rating from 0 to 10.")
    assert server.cli("experiment", "status", "--json")["experiment"]["ratings"] == {}
    page.get_by_role("group", name=re.compile("^Evening mood")).get_by_role(
        "radio", name="7", exact=True).check()
    page.get_by_role("button", name="Save the rating").click()
    expect(page.get_by_role("status")).to_contain_text("today's rating is saved")
    status = server.cli("experiment", "status", "--json")
    assert list(status["experiment"]["ratings"].values()) == [7.0]
    assert status["today"]["rated_today"] == 7

    page.get_by_role("button", name="Stop the experiment").click()
    expect(page.get_by_role("status")).to_contain_text("Stopping is always fine")
    expect(page.get_by_role("button", name="Start the experiment")).to_be_visible()
    assert server.cli("experiment", "status", "--json")["experiment"] is None


def test_move_without_script_offers_the_guide_as_words_to_read_and_a_plain_log_form(
        plain, server, browser):
    page = plain
    page.goto("/move/?activity=walk&minutes=10")
    expect(page.locator("#timer")).to_be_hidden()
    # "Start with a guide" on Today brings the guide here: in words to read, at one's own pace.
    guide = page.get_by_role("region", name="Breathing while you walk")
    expect(guide).to_be_visible()
    expect(guide).to_contain_text("Let your breath be as it is.")
    expect(guide).to_contain_text("whatever you did today counts")
    expect(page.get_by_text("Move for as long as feels right, then log it here.")).to_be_visible()
    # Another guide is one link away, and its words are the ones shown.
    page.get_by_role("link", name="Feet on the ground").click()
    expect(page.get_by_role("region", name="Feet on the ground")).to_contain_text(
        "Notice where your feet are right now.")
    expect(page.get_by_role("region", name="Breathing while you walk")).to_have_count(0)

    expect(page.get_by_label("How long")).to_have_value("10")
    page.get_by_text("More, if you like").click()
    page.get_by_label("Mood after").fill("6")
    page.get_by_role("button", name="Log it").click()
    expect(page.get_by_role("status")).to_have_text("Saved (s1).")
    [session] = entries(server, "session")
    assert (session["activity"], session["minutes"], session["mood_after"]) == ("walk", 10, 6)

    # With script, the timer shows the guide one cue at a time; the words are not shown twice.
    with_script = browser.new_context(base_url=server.url).new_page()
    with_script.goto("/move/?activity=walk&minutes=10")
    expect(with_script.locator("#timer")).to_be_visible()
    expect(with_script.get_by_role("heading", name="Breathing while you walk")).to_have_count(1)
    expect(with_script.get_by_text("Let your breath be as it is.")).to_have_count(0)
    with_script.context.close()


def test_a_form_that_comes_back_opens_at_the_answer_that_needs_another_look(plain, server):
    """Without script nothing moves the focus, so a refused form far down a phone's page would
    look unchanged from its top: the browser itself must go to the answer to look at again."""
    page = plain
    page.goto("/log/")
    page.locator("#rest-date").fill("2099-01-01")  # the rest form, below the movement form
    page.get_by_role("button", name="Mark as rest").click()
    expect(page.locator("#rest-date")).to_be_focused()
    expect(page.locator("#rest-date-error")).to_be_in_viewport()

    page.goto("/")
    for name in ("Energy", "Mood", "Anxiety"):
        scale(page, name, 3)
    page.get_by_label("Minutes you could spare today").fill("-5")
    page.get_by_role("button", name="See what feels possible").click()
    expect(page.get_by_label("Minutes you could spare today")).to_be_focused()
    expect(page.locator("#minutes-error")).to_be_in_viewport()

    # A group of choices left unanswered: the group, which names its message.
    page.goto("/experiments/")
    page.get_by_role("button", name="Start the experiment").click()
    page.get_by_role("button", name="Save the rating").click()
    rating = page.locator("fieldset", has=page.locator("#value-error"))
    expect(rating).to_be_focused()
    expect(page.locator("#value-error")).to_be_in_viewport()


def test_a_worrying_symptom_on_a_form_that_comes_back_keeps_the_help_in_view_first(plain, server):
    """Help never waits for a mended answer: the stop-and-seek-care help at the top is where the
    page opens, not the field below it."""
    server.cli("settings", "--country", "GB")
    page = plain
    page.goto("/log/")
    page.get_by_label("How long").fill("a while")
    page.get_by_text("More, if you like").click()
    page.get_by_label("Chest pain, pressure or tightness").check()
    page.get_by_role("button", name="Log it").click()
    support = page.locator("section.safety")
    expect(support).to_contain_text("999")
    expect(support).to_be_focused()
    expect(support.get_by_role("heading")).to_be_in_viewport(ratio=1)
    expect(page.locator("[autofocus]")).to_have_count(1)  # the help alone, not the field too
    expect(page.locator("#minutes-error")).to_contain_text("try 10, 10m or 1h15m")
    expect(page.get_by_label("Chest pain, pressure or tightness")).to_be_checked()
    assert entries(server) == []

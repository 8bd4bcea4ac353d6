"""End to end in real Chromium: the daily loop, rest, edit and delete, the safety path, the timer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def choose(page, name: str, value: int) -> None:
    page.locator(f'input[name="{name}"][value="{value}"]').check(force=True)


def test_first_visit_check_in_pick_log_and_the_rhythm_shows_the_new_active_day(page, server):
    page.goto("/")
    expect(page.get_by_role("heading", name="What feels possible today?")).to_be_visible()
    expect(page.get_by_role("heading", name="A quick check-in")).to_be_visible()
    choose(page, "energy", 5)
    choose(page, "mood", 4)
    choose(page, "anxiety", 3)
    page.get_by_label("Minutes you could spare today").fill("20")
    page.get_by_role("button", name="See what feels possible").click()

    choices = page.locator("li.choice:not(.rest)")
    expect(choices).to_have_count(3)
    expect(page.locator("li.choice.rest")).to_contain_text("Rest is part of healing")
    first_name = choices.first.locator("h3").inner_text()
    choices.first.get_by_role("button", name=re.compile("^I did this")).click()
    expect(page.get_by_role("status")).to_contain_text("Logged")

    page.get_by_role("link", name="Rhythm").click()
    expect(page.locator(".big")).to_have_text("1 of 3 active days")
    week = server.cli("week", "--json")
    assert week["active_days_this_week"] == 1
    history = server.cli("history", "--json")
    names = {e["kind"] for e in history["entries"]}
    assert names == {"checkin", "session"}
    assert first_name  # the choice that was logged had a name on the page


def test_a_rest_day_is_one_tap_and_counts_as_care(page, server):
    page.goto("/?skip=1")
    page.get_by_role("button", name="Rest today").click()
    expect(page.get_by_role("status")).to_contain_text("Rest is logged")
    page.goto("/history/")
    expect(page.locator(".entry.rest")).to_contain_text("Rest day")
    assert server.cli("week", "--json")["rest_days_this_week"] == 1


def test_editing_and_deleting_an_entry_with_undo(page, server):
    server.cli("log", "walk", "10", "--note", "by the river")
    page.goto("/history/")
    page.get_by_role("link", name=re.compile("^Edit: Walk at an easy pace")).click()
    page.get_by_label("How long").fill("25")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".entry.session")).to_contain_text("25 min")

    page.get_by_role("button", name=re.compile("^Delete: Walk at an easy pace")).click()
    expect(page.locator(".entry.session")).to_have_count(0)
    assert re.search(r"/history/\?undo=s[0-9]+$", page.url)  # the entry's ID, never its note
    page.get_by_role("button", name="Undo").click()
    expect(page.locator(".entry.session")).to_contain_text("25 min")
    entries = server.cli("history", "--json")["entries"]
    assert [(e["minutes"], e["note"]) for e in entries] == [(25, "by the river")]


def test_a_bad_value_is_explained_beside_its_field_and_nothing_is_saved(page, server):
    page.goto("/log/")
    page.get_by_label("How long").fill("0")
    page.get_by_role("button", name="Log it").click()
    expect(page.locator("#minutes-error")).to_contain_text("from 1 minute to 24 hours")
    assert server.cli("history", "--json")["entries"] == []


def test_phq9_item_9_shows_help_before_any_score(page, server):
    server.cli("settings", "--country", "GB")
    page.goto("/checkins/phq9/")
    for item in range(1, 9):
        choose(page, f"item{item}", 0)
    choose(page, "item9", 1)
    page.get_by_role("button", name="Send").click()
    support = page.locator("section.safety")
    expect(support).to_be_visible()
    expect(support).to_contain_text("999")
    expect(support).to_contain_text("not a crisis service")
    # The help comes first on the page, before the score.
    html = page.content()
    assert html.index("safety") < html.index("Your PHQ-9")
    expect(page.get_by_role("link", name=re.compile("Help now"))).to_be_visible()
    # The keyboard and a screen reader are taken to the help first.
    expect(support).to_be_focused()


def test_a_check_in_can_be_done_with_the_keyboard_alone(page, server):
    page.goto("/")
    # Tab from the top of the page to the first energy option.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.name") == "energy":
            break
    else:
        pytest.fail("the energy choices are not reachable with Tab")
    page.keyboard.press("Space")  # energy 0
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # energy 3
    page.keyboard.press("Tab")  # into the mood group
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")  # mood 1
    page.keyboard.press("Tab")  # into the anxiety group
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # anxiety 2
    page.keyboard.press("Tab")  # minutes
    page.keyboard.type("15")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("li.choice:not(.rest)")).to_have_count(3)
    checkin = [e for e in server.cli("history", "--json")["entries"] if e["kind"] == "checkin"][0]
    assert (checkin["energy"], checkin["mood"], checkin["anxiety"], checkin["minutes_available"]) == (3, 1, 2, 15)


def test_the_guided_timer_runs_and_fills_in_the_log_form(page, server):
    page.goto("/move/?activity=walk&minutes=5&speed=600")
    expect(page.locator("#timer")).to_be_visible()
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#cue")).to_contain_text("ready when you are", timeout=15000)
    expect(page.locator("#minutes")).to_have_value("5")
    page.get_by_role("button", name="Log it").click()
    expect(page.locator(".entry.session")).to_contain_text("5 min")


def test_stopping_the_timer_early_is_fine(page, server):
    page.goto("/move/?activity=yoga_gentle&minutes=20&speed=120")
    page.get_by_role("button", name="Start").click()
    page.wait_for_timeout(1200)  # about two and a half minutes at this speed
    page.get_by_role("button", name="Stop here").click()
    expect(page.locator("#cue")).to_contain_text("Stopping here is fine")
    done = int(page.locator("#minutes").input_value())
    assert 1 <= done < 20


def test_without_javascript_move_is_a_plain_log_form(browser, server):
    context = browser.new_context(java_script_enabled=False, base_url=server.url)
    page = context.new_page()
    page.goto("/move/?activity=walk&minutes=10")
    expect(page.locator("#timer")).to_be_hidden()
    page.get_by_role("button", name="Log it").click()
    page.wait_for_url(re.compile(r"/history/"))
    assert server.cli("history", "--json")["entries"][0]["minutes"] == 10
    context.close()


def test_reduced_motion_turns_transitions_off(browser, server):
    context = browser.new_context(reduced_motion="reduce", base_url=server.url)
    page = context.new_page()
    page.goto("/?skip=1")
    duration = page.evaluate(
        "getComputedStyle(document.querySelector('button')).transitionDuration"
    )
    assert duration in ("0s", "")
    context.close()


def test_on_a_phone_the_later_pages_are_one_tap_away_under_more_pages(page):
    page.goto("/")
    nav = page.get_by_role("navigation", name="Pages")
    expect(nav.get_by_role("link", name="Rhythm")).to_be_visible()
    expect(nav.get_by_role("link", name="Settings")).to_be_hidden()
    more = nav.get_by_text("More pages")
    more.focus()
    page.keyboard.press("Enter")  # a disclosure works from the keyboard, without script
    nav.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Settings")
    # On one of those pages, the list stays open and shows where the person is.
    current = page.get_by_role("navigation", name="Pages").locator("a[aria-current=page]:visible")
    expect(current).to_have_text("Settings")


def _clock_seconds(page) -> int:
    minutes, seconds = page.locator("#clock").inner_text().split(":")
    return int(minutes) * 60 + int(seconds)


def test_a_new_length_chosen_part_way_keeps_the_time_already_moved(page, server):
    page.goto("/move/?activity=walk&minutes=10&speed=120")
    page.get_by_role("button", name="Start").click()
    page.wait_for_timeout(1500)  # about three minutes at this speed
    page.get_by_role("button", name="Pause").click()
    left_of_ten = _clock_seconds(page)
    assert 5 * 60 < left_of_ten < 10 * 60
    page.get_by_role("radio", name="20 min").check()
    # The clock carries on from the time already moved, not from a fresh 20:00.
    assert _clock_seconds(page) == left_of_ten + 10 * 60
    page.get_by_role("radio", name="5 min").check()
    if left_of_ten <= 5 * 60:  # a very slow machine: five minutes had already passed
        expect(page.locator("#cue")).to_contain_text("ready when you are")
    else:
        assert _clock_seconds(page) == left_of_ten - 5 * 60
        page.get_by_role("button", name="Carry on").click()
        expect(page.locator("#cue")).to_contain_text("ready when you are", timeout=15000)
    assert int(page.locator("#minutes").input_value()) >= 5


def test_on_a_phone_the_calendar_shows_half_a_year_at_a_readable_size(browser, server):
    server.cli("log", "walk", "20")
    for size, weeks in (((390, 844), 26), ((1280, 800), 53)):
        context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                      base_url=server.url)
        page = context.new_page()
        page.goto("/rhythm/")
        shown = page.locator(".hm-week:visible")
        assert shown.count() == weeks
        cell = page.locator(".heatmap .hm-day:visible").last.bounding_box()
        assert cell["width"] >= 10, cell  # 5px dots before
        note = page.get_by_text("On a small screen, the last six months")
        assert note.is_visible() == (weeks == 26)
        context.close()


def test_after_each_new_page_the_focus_goes_where_a_person_needs_it(page, server):
    page.goto("/")
    page.get_by_role("link", name="Rhythm").first.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile("Rhythm"))
    # The page's heading, so a screen reader says where we are (it fell to <body> before).
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    page.goto("/log/")
    page.locator("#minutes").fill("a while")
    page.get_by_role("button", name="Log it").first.click()
    # A form that comes back: straight to the answer that needs another look.
    expect(page.locator("#minutes")).to_be_focused()
    expect(page.locator("#minutes")).to_have_attribute("aria-invalid", "true")
    page.locator("#minutes").fill("12")
    page.keyboard.press("Enter")
    expect(page.locator("p.done")).to_be_focused()  # "Saved (s1)."


def test_with_a_worrying_symptom_the_help_takes_the_focus_before_a_field_to_mend(page, server):
    server.cli("settings", "--country", "GB")
    page.goto("/log/")
    page.locator("#minutes").fill("a while")
    page.get_by_text("Anything worrying while you moved?").scroll_into_view_if_needed()
    page.locator("details.more summary").first.click()
    page.locator('input[name="symptoms"][value="chest_pain"]').check()
    page.get_by_role("button", name="Log it").first.click()
    help_section = page.locator("section.safety")
    expect(help_section).to_be_visible()
    expect(help_section).to_be_focused()


def test_download_everything_then_erase_it_all_from_settings(page, server):
    marker = "zebra-quartz-4711"
    server.cli("log", "walk", "20", "--note", marker)
    page.goto("/settings/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything (JSON)").click()
    saved = json.loads(Path(download.value.path()).read_text("utf-8"))
    assert [s["note"] for s in saved["sessions"]] == [marker]
    page.get_by_role("link", name="Erase everything").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erase everything")
    page.get_by_label("type the word").fill("maybe")
    page.get_by_role("button", name="Erase everything").click()
    expect(page.locator("#confirm")).to_be_focused()  # the answer to look at again
    assert server.cli("history", "--json")["entries"]  # nothing erased
    page.get_by_label("type the word").fill("erase")
    page.get_by_role("button", name="Erase everything").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Everything is erased.")
    expect(status).not_to_contain_text("Another program")  # the file was tidied at once
    assert server.cli("history", "--json")["entries"] == []
    database = server.data_dir / "kindstep.sqlite3"
    for f in (database, database.with_name(database.name + "-wal")):
        if f.exists():
            assert marker.encode() not in f.read_bytes(), f

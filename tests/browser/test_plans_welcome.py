"""The calm first run, Plans, values and Expected-and-actual in real Chromium, checked by axe."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.test_accessibility import AXE_OPTIONS

pytestmark = pytest.mark.browser


def violations(page) -> list[str]:
    """Every axe violation on the page (WCAG 2.2 A/AA rules), whatever its impact."""
    results = Axe().run(page, options=AXE_OPTIONS)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]


def test_the_first_visit_is_three_calm_steps_each_axe_clean_and_shown_once(page, server):
    page.goto("/")
    step = page.get_by_role("region", name="What kindstep is, and is not")
    expect(step).to_contain_text("not a medical device")
    expect(step.get_by_role("link", name="Help now")).to_be_visible()
    assert violations(page) == []
    step.get_by_role("button", name="Next").click()

    country = page.get_by_role("region", name="Which country are you in?")
    expect(country).to_contain_text("step 2 of 3")
    assert violations(page) == []
    country.get_by_role("button", name="Not now").click()

    target = page.get_by_role("region", name="A weekly target, if you like")
    expect(target).to_contain_text("Rest days count as care")
    expect(target.get_by_label("Active days a week to aim for")).to_have_value("3")
    assert violations(page) == []
    target.get_by_label("Active days a week to aim for").select_option("4")
    target.get_by_role("button", name="Save and start").click()

    expect(page.get_by_text("Welcome ·")).to_have_count(0)
    page.reload()
    expect(page.get_by_text("Welcome ·")).to_have_count(0)
    settings = server.cli("settings", "--json")
    assert (settings["target_days"], settings["country"]) == (4, "")


def test_the_welcome_can_be_skipped_at_its_first_step(page, server):
    page.goto("/")
    page.get_by_role("button", name="Skip the welcome").click()
    expect(page.get_by_text("Welcome ·")).to_have_count(0)
    # The country question is the one kindstep always asks once; the welcome skipped, it stays.
    expect(page.get_by_role("region", name="Which country are you in?")).to_be_visible()
    page.reload()
    expect(page.get_by_text("Welcome ·")).to_have_count(0)


def test_plan_this_for_tomorrow_then_plans_values_and_insights_are_axe_clean(page, server):
    server.cli("settings", "--country", "GB")
    server.cli("checkin", "--energy", "5", "--mood", "5", "--anxiety", "3")
    page.goto("/")
    page.get_by_role("button", name="Skip the welcome").click()
    # The skip posts and Today comes back: click the link on the new page, not the old one.
    expect(page.get_by_text("Welcome ·")).to_have_count(0)
    page.get_by_role("link", name="Plan this for tomorrow").first.click()
    expect(page.get_by_role("heading", name="Plan something")).to_be_visible()
    assert violations(page) == []
    page.get_by_label("How good do you expect this to feel, 0-10?").select_option("4")
    page.get_by_role("button", name="Plan it").click()
    expect(page.get_by_role("status")).to_contain_text("Planned")
    expect(page.get_by_role("button", name="Drop", exact=False).first).to_be_visible()
    assert violations(page) == []
    listed = server.cli("plan", "--list", "--json")["plans"]
    assert len(listed) == 1 and listed[0]["expect"] == 4

    page.goto("/values/")
    page.get_by_label("Being outdoors").check()
    page.get_by_label("In your own words").fill("my dog")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    assert violations(page) == []

    for day in range(10):
        server.cli("plan", "walk", "10", "--expect", "3")
        server.cli("log", "walk", "10", "--after", str(4 + day % 3))
    page.goto("/insights/")
    section = page.get_by_role("region", name="Expected and actual")
    expect(section).to_contain_text("better than you expected")
    figure = page.get_by_role("img", name="planned activities with a guess", exact=False)
    expect(figure).to_be_visible()
    assert violations(page) == []

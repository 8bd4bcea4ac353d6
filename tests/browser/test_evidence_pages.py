"""Insights and Experiments in real Chromium: start an experiment, rate the day, read the
insights and their charts; axe-core finds no serious problem, light or dark."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.test_accessibility import AXE_OPTIONS, serious

pytestmark = pytest.mark.browser


def seed(server) -> None:
    """Two weeks of check-ins and sessions, and a PHQ-9, so every section and chart has data."""
    for day in range(1, 16):
        date = f"2026-11-{day:02d}"
        server.cli("checkin", "--energy", "5", "--mood", str(4 + day % 3), "--anxiety", "4",
                   "--date", date)
        if day % 2:
            server.cli("log", "walk", "15", "--date", date, "--before", "4", "--after", "6")
    server.cli("phq9", "--answers", "1,1,1,1,0,1,0,1,0")


def test_start_an_experiment_rate_the_day_and_see_it_on_today(page, server):
    page.goto("/experiments/")
    page.get_by_label("Does a short walk after lunch change my mood later in the day?").check()
    page.get_by_label("How long").select_option("2")
    page.get_by_role("button", name="Start the experiment").click()
    page.get_by_text("Your experiment has begun").wait_for()
    assert page.get_by_text("Self-experiment, day 1 of 14").is_visible()
    page.locator("label.pill", has_text="7").first.click()
    page.get_by_role("button", name="Save the rating").click()
    page.get_by_text("today's rating is saved").wait_for()
    assert page.get_by_text("Today's rating so far: 7.").is_visible()
    status = server.cli("experiment", "status", "--json")
    assert status["experiment"]["ratings"] == {status["experiment"]["started_on"]: 7.0}
    assert "Self-experiment, day 1 of 14" in server.cli("today")


def test_a_refused_rating_shows_its_message_and_writes_nothing(page, server):
    server.cli("experiment", "new", "--template", "1")
    page.goto("/experiments/")
    page.get_by_role("button", name="Save the rating").click()
    page.get_by_text("Please choose a rating from 0 to 10.").wait_for()
    assert server.cli("experiment", "status", "--json")["experiment"]["ratings"] == {}


def test_the_insights_page_shows_findings_and_every_chart_loads(page, server):
    seed(server)
    page.goto("/insights/")
    assert page.get_by_role("heading", name="Insights", level=1).is_visible()
    assert page.get_by_text("likely between").first.is_visible()
    images = page.locator("figure.chart img")
    assert images.count() == 5  # with expected and actual (tests/browser/test_plans_welcome.py)
    for i in range(5):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        assert image.get_attribute("alt")
        assert image.evaluate("img => img.complete && img.naturalWidth > 100")
    page.get_by_text("The numbers behind this chart").first.click()
    assert page.locator("figure.chart table").first.is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_evidence_pages_have_no_serious_accessibility_violations(browser, server, scheme):
    seed(server)
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme,
                                  base_url=server.url)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and "status of 422" not in m.text else None)
    axe = Axe()
    found = {}
    for setup in (None, ("experiment", "new", "--template", "1", "--weeks", "2"),
                  ("experiment", "log", "6", "--done"), ("experiment", "stop")):
        if setup:
            server.cli(*setup)
        for path in ("/insights/", "/experiments/"):
            page.goto(path)
            for summary in page.locator("details summary").all():
                summary.click()  # open tables and own-question fields so axe sees them too
            issues = serious(axe.run(page, options=AXE_OPTIONS))
            if issues:
                found[f"{path} after {setup}"] = issues
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    context.close()
    assert not found
    assert not problems, problems


def test_the_experiment_download_is_a_file_not_a_page(page, server):
    server.cli("experiment", "new", "--template", "1")
    page.goto("/experiments/")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download the protocol")).click()
    assert download.value.suggested_filename.startswith("kindstep-experiment-")
    # htmx used to swap the JSON text in, in place of the page.
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.endswith("/experiments/")

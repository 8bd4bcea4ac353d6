"""The country, in real Chromium with JavaScript turned off: asked on the first visit, and
chosen in place in a safety box, which then shows the lines at once on the same page.
Each page goes through axe-core as well (axe runs as a script, so in a second tab with
JavaScript on, at the same address and on the same record)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.test_accessibility import AXE_OPTIONS, serious

pytestmark = pytest.mark.browser


@pytest.fixture
def plain(browser, server):
    """A phone-sized page with JavaScript off and an English (UK) browser; errors fail the test."""
    context = browser.new_context(java_script_enabled=False, base_url=server.url,
                                  viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and "status of 422" not in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    context.close()
    assert not problems, f"the browser reported errors: {problems}"


@pytest.fixture
def axe_problems(browser, server):
    """Serious axe-core findings for an address, read in a tab with JavaScript on."""
    context = browser.new_context(base_url=server.url, viewport={"width": 390, "height": 844},
                                  locale="en-GB")
    tab = context.new_page()

    def _problems(path: str) -> list[str]:
        tab.goto(path)
        return serious(Axe().run(tab, options=AXE_OPTIONS))

    yield _problems
    context.close()


def test_a_safety_box_shows_the_chosen_country_s_lines_in_place_without_script(
        plain, server, axe_problems):
    server.cli("phq9", "--answers", "0,0,0,0,0,0,0,0,2")  # from a script: no country asked
    taken = server.cli("scores", "--json")["results"][0]
    result = f"/checkins/phq9/{taken['id']}/"
    page = plain
    page.goto(result)
    box = page.get_by_role("region", name="Support is here, right now")
    expect(box).to_contain_text("call your local emergency number")
    assert not axe_problems(result)

    box.get_by_label("Your country, to show its lines").select_option(label="South Africa")
    box.get_by_role("button", name="Show the lines").click()

    # The same page, with the lines at once; the country is nowhere in the address.
    expect(page).to_have_url(server.url + result)
    box = page.get_by_role("region", name="Support is here, right now")
    expect(box).to_contain_text("SADAG Suicide Crisis Helpline")
    expect(box.get_by_role("link", name="10177")).to_have_attribute("href", "tel:10177")
    expect(box.get_by_role("link", name="112", exact=True)).to_have_attribute("href", "tel:112")
    assert "ZA" not in page.url
    assert server.cli("settings", "--json")["country"] == "ZA"
    assert not axe_problems(result)


def test_the_first_visit_asks_the_country_and_the_browser_s_language_suggests_it(
        plain, server, axe_problems):
    page = plain
    page.goto("/")
    question = page.get_by_role("region", name="Which country are you in?")
    expect(question).to_contain_text("suggests United Kingdom")
    choice = question.get_by_label("Your country")
    expect(choice).to_have_value("GB")  # chosen, to confirm; nothing is saved yet
    assert server.cli("settings", "--json")["country"] == ""
    assert not axe_problems("/")

    choice.select_option(label="Ireland")
    question.get_by_role("button", name="Save my country").click()
    expect(page.get_by_role("status")).to_contain_text("Help now shows the lines for Ireland")
    expect(page.get_by_role("region", name="Which country are you in?")).to_have_count(0)
    assert server.cli("settings", "--json")["country"] == "IE"
    assert "IE" not in page.url

    page.goto("/help-now/")
    expect(page.get_by_role("region", name="Support is here, right now")).to_contain_text(
        "Pieta")


def test_not_now_on_the_first_visit_is_remembered(plain, server):
    page = plain
    page.goto("/")
    page.get_by_role("button", name="Not now").click()
    expect(page.get_by_role("heading", name="Which country are you in?")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("heading", name="Which country are you in?")).to_have_count(0)
    settings = server.cli("settings", "--json")
    assert settings["country"] == ""

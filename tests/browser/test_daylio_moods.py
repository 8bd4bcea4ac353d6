"""Placing a person's own Daylio mood names in real Chromium: the short form, then axe on it."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_accessibility import AXE_OPTIONS, serious
from tests.store.test_daylio_moods import OWN

pytestmark = pytest.mark.browser


def test_a_daylio_file_with_own_mood_names_is_placed_with_the_short_form(page, server, tmp_path):
    diary = tmp_path / "daylio_export.csv"
    diary.write_text(OWN, "utf-8")
    page.goto("/import/")
    page.set_input_files("#export", str(diary))
    page.get_by_role("button", name="Import").click()
    page.locator("#import-summary").wait_for()
    assert "5 added" in " ".join(page.locator("#import-summary").inner_text().split())
    tired = page.get_by_label("tired")
    assert tired.input_value() == "2"  # the suggestion, chosen for the person to change
    tired.select_option(label="awful")
    page.get_by_label("vaguely ok").select_option(label="Later")
    page.get_by_role("button", name="Place these moods").click()
    page.locator("#placed-status").wait_for()
    assert page.url.endswith("/import/?placed=1")
    history = server.cli("history", "--json", "--days", "1000")
    moods = {e["date"]: (e["mood"], e["mood_name"]) for e in history["entries"]
             if e["kind"] == "journal" and e["mood_name"] in ("tired", "vaguely ok")}
    assert moods == {"2024-05-02": (0, "tired"), "2024-05-01": (0, "tired"),
                     "2024-04-30": (None, "vaguely ok")}
    assert page.get_by_label("vaguely ok").count() == 1  # still waiting, still offered


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_placing_form_has_no_serious_accessibility_violations(browser, server, tmp_path, scheme):
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme,
                                  base_url=server.url)
    pg = context.new_page()
    axe = Axe()
    diary = tmp_path / "daylio.csv"
    diary.write_text(OWN, "utf-8")
    pg.goto("/import/")
    pg.set_input_files("#export", str(diary))
    pg.get_by_role("button", name="Import").click()
    pg.get_by_role("button", name="Place these moods").wait_for()
    found = {"form": serious(axe.run(pg, options=AXE_OPTIONS))}
    overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    pg.get_by_label("tired").select_option("2")
    pg.get_by_role("button", name="Place these moods").click()
    pg.locator("#placed-status").wait_for()
    found["placed"] = serious(axe.run(pg, options=AXE_OPTIONS))
    context.close()
    assert overflow <= 0, f"the placing form scrolls sideways by {overflow}px"
    assert not any(found.values()), found

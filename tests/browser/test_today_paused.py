"""Today while paused, in real Chromium: no check-in pressed, the pause's words and its gentle
choices, and the page passes axe (light and dark) with no sideways scrolling on a phone."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_accessibility import AXE_OPTIONS, serious

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_today_while_paused_asks_no_check_in_and_passes_axe(browser, server, scheme):
    server.cli("pause", "--reason", "unwell")
    context = browser.new_context(viewport={"width": 360, "height": 740}, color_scheme=scheme,
                                  base_url=server.url)
    page = context.new_page()
    page.goto("/")
    main = page.inner_text("main")
    assert "You're unwell, so kindstep is paused" in main
    assert "A quick check-in" not in main
    assert page.locator("li.choice:not(.rest)").count() == 3
    assert page.locator("details.more summary").inner_text() == "Check in, if you like"
    assert serious(Axe().run(page, options=AXE_OPTIONS)) == []
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    context.close()

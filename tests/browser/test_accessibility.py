"""Every page through axe-core in real Chromium (WCAG 2.2 A/AA rules), light and dark, phone and desktop.

Also takes the screenshots shown in the README (docs/screenshots/).
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
PAGES = [
    "/", "/?skip=1", "/move/?activity=walk&minutes=10", "/log/", "/history/", "/rhythm/",
    "/checkins/", "/checkins/phq9/", "/checkins/gad7/", "/readiness/", "/why/", "/help-now/",
    "/settings/", "/settings/erase/", "/no-such-page/", "/plans/", "/values/",
]


def seed(server) -> None:
    """A few weeks of record, so lists, tables and the calendar have something in them."""
    server.cli("settings", "--country", "GB")
    for back, (activity, minutes) in enumerate([("walk", 12), ("yoga_gentle", 20), ("walk_dog", 30),
                                                ("stretch_seated", 5), ("cycle", 45), ("walk", 15)]):
        server.cli("log", activity, str(minutes), "--date", f"2026-11-{20 - back * 2:02d}",
                   "--before", "4", "--after", "6")
    # A pasted address in a note is one long word: it must wrap, not push the page sideways.
    server.cli("log", "walk", "10", "--date", "2026-11-21",
               "--note", "https://example.org/route?from=51.50740%2C0.12780&to=" + "51.5155014180" * 10)
    server.cli("rest", "--date", "2026-11-19")
    server.cli("checkin", "--energy", "4", "--mood", "5", "--anxiety", "4", "--minutes", "20")
    server.cli("gad7", "--answers", "1,1,0,1,0,1,0")


def serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
# 360: the narrowest the issue names
@pytest.mark.parametrize("size", [(360, 740), (1280, 800)], ids=["phone", "desktop"])
def test_every_page_has_no_serious_accessibility_violations(browser, server, scheme, size):
    seed(server)
    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                  color_scheme=scheme, base_url=server.url)
    page = context.new_page()
    axe = Axe()
    found = {}
    entry = server.cli("history", "--json")["entries"][-1]["id"]
    for path in [*PAGES, f"/history/{entry}/edit/"]:
        page.goto(path)
        problems = serious(axe.run(page, options=AXE_OPTIONS))
        if problems:
            found[path] = problems
        # Nothing may scroll sideways at phone width (WCAG 1.4.10 reflow).
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {size}"
    context.close()
    assert not found


def test_screenshots_for_the_readme(browser, server):
    seed(server)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("phone", (390, 844)), ("desktop", (1280, 800))):
        context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                      base_url=server.url, reduced_motion="reduce")
        page = context.new_page()
        for name, path in (("today", "/"), ("rhythm", "/rhythm/"),
                           ("move", "/move/?activity=walk&minutes=10")):
            page.goto(path)
            target = SCREENSHOTS / f"{name}-{label}.png"
            page.screenshot(path=str(target))
            assert target.stat().st_size > 5000
        context.close()

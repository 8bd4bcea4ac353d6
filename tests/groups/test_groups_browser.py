"""Peer groups in Debian's Chromium: Alice starts a group, Charlie joins it with the code in a
second browser context, both see the counts, and the group pages pass axe at phone width.

The server is pytest-django's live server on this run's own PostgreSQL test database (server
mode in this process); the browser plays the person behind the https proxy, as in
tests/server/test_accounts_browser.py, and its http Origin is trusted for this test only.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.accounts.helpers import PASSWORD, make_member
from tests.browser.conftest import CHROMIUM, FLAGS

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def frozen():
    """The real clock here: the browser and the live server's sessions live in real time."""
    yield


@pytest.fixture
def site(live_server, settings, transactional_db):
    from urllib.parse import urlsplit

    host = urlsplit(live_server.url).hostname
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host]
    settings.CSRF_TRUSTED_ORIGINS = [*settings.CSRF_TRUSTED_ORIGINS, live_server.url]
    return live_server.url


@pytest.fixture
def people(site):
    """Alice, who moved today, and Charlie: made before the browser starts (Playwright's sync
    API runs an event loop in this thread, where Django refuses to query)."""
    from kindstep.accounts.people import person_for
    from kindstep.store import actions

    alice = make_member("alice@example.org")
    make_member("charlie@example.org")
    actions.log_session(person_for(alice), activity="walk", duration=15, now=datetime.now(UTC))


@pytest.fixture
def browser(people):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        made = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield made
        made.close()


def signed_in(browser, site: str, email: str):
    """A new browser context (its own cookies) signed in as ``email``, at phone width."""
    context = browser.new_context(base_url=site, viewport={"width": 390, "height": 844},
                                  extra_http_headers={"X-Forwarded-Proto": "https"})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems
    page.goto("/groups/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url("**/groups/")
    return page


def test_start_join_and_see_the_counts_then_axe(site, browser):
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.test_accessibility import AXE_OPTIONS, serious

    axe, found = Axe(), {}

    mine = signed_in(browser, site, "alice@example.org")
    found["/groups/"] = serious(axe.run(mine, options=AXE_OPTIONS))
    mine.fill("#group-name", "Riverside")
    mine.click("text=Start the group")
    mine.wait_for_selector("h1:text-is('Riverside')")
    code = mine.locator("strong.code").inner_text()

    theirs = signed_in(browser, site, "charlie@example.org")
    theirs.fill("#code", "WRONG-CODE-0000")
    theirs.click("button:text-is('Join')")
    assert "does not look like an invite code" in theirs.locator("#code-error").inner_text()
    theirs.fill("#code", code.lower())
    theirs.click("button:text-is('Join')")
    theirs.wait_for_selector("h1:text-is('Riverside')")
    assert "This week 1 person in the group moved, on 1 day in all." in theirs.content()
    found["group"] = serious(axe.run(theirs, options=AXE_OPTIONS))
    overflow = theirs.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the group page scrolls sideways by {overflow}px"

    theirs.check("input[name=show_my_days]")
    theirs.fill("#display-name", "Cee")
    theirs.click("text=Save my choice")
    theirs.wait_for_selector("text=Saved. The group sees your choice from now on.")
    mine.reload()
    assert "Cee: a quiet week so far" in mine.content()
    assert "2 people in this group" in mine.content()
    from tests.browser.conftest import SCREENSHOTS  # for the README: the group as a phone shows it

    mine.screenshot(path=str(SCREENSHOTS / "group-phone.png"), full_page=True)
    found["group, saved"] = serious(axe.run(theirs, options=AXE_OPTIONS))

    assert not any(found.values()), found
    assert not mine.problems and not theirs.problems, (mine.problems, theirs.problems)

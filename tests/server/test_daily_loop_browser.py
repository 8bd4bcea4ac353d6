"""The daily loop in server mode, in Debian's Chromium: a real `kindstep serve` (gunicorn) on
the real PostgreSQL, signed in as a member. Sign in, check in, Today, log, history, rhythm and
sign out, each page through axe-core (WCAG 2.2 A/AA); signing out asks the browser to forget
the person's pages and storage (Clear-Site-Data).
"""

from __future__ import annotations

import re

import psycopg
import pytest
from playwright.sync_api import expect

from tests.playwright_once import sync_playwright
from tests.server import live
from tests.server.live import violations

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

EMAIL = "kit@example.org"
PASSWORD = "a slow cycle along the canal 17"


def choose(page, name: str, value: int) -> None:
    page.locator(f'input[name="{name}"][value="{value}"]').check(force=True)


def members_entries(database_url: str) -> tuple[int, int]:
    """(check-ins, movement sessions) of the one member's person, read from PostgreSQL."""
    with psycopg.connect(database_url) as conn:
        (person,) = conn.execute("SELECT person_id FROM kindstep_member").fetchone()
        one = lambda sql: conn.execute(sql, [person]).fetchone()[0]  # noqa: E731
        return (one("SELECT count(*) FROM kindstep_checkin WHERE person_id = %s"),
                one("SELECT count(*) FROM kindstep_session WHERE person_id = %s"))


def test_the_daily_loop_signed_in_on_postgresql_axe_clean_then_signing_out_clears_it(
        tmp_path, pg_database):
    server = live.start(tmp_path, pg_database)
    try:
        live.create_user(server, EMAIL, PASSWORD)
        found: dict[str, list[str]] = {}
        with sync_playwright() as p:
            browser, page = live.new_page(p, server)
            page.goto("/")
            assert "/accounts/login/" in page.url  # nothing opens before signing in
            found["sign in"] = violations(page)
            page.fill("input[name=login]", EMAIL)
            page.fill("input[name=password]", PASSWORD)
            page.click("form[action='/accounts/login/'] button[type=submit]")
            page.wait_for_url(lambda url: "/accounts/" not in url)

            page.get_by_role("button", name="Skip the welcome").click()
            expect(page.get_by_text("Welcome ·")).to_have_count(0)
            country = page.get_by_role("region", name="Which country are you in?")
            country.get_by_role("button", name="Not now").click()
            expect(country).to_have_count(0)  # Today again, without the question
            expect(page.get_by_role("heading", name="A quick check-in")).to_be_visible()
            found["today"] = violations(page)
            choose(page, "energy", 5)
            choose(page, "mood", 4)
            choose(page, "anxiety", 3)
            page.get_by_label("Minutes you could spare today").fill("20")
            page.get_by_role("button", name="See what feels possible").click()
            choices = page.locator("li.choice:not(.rest)")
            expect(choices).to_have_count(3)
            found["today, checked in"] = violations(page)
            choices.first.get_by_role("button", name=re.compile("^I did this")).click()
            expect(page.get_by_role("status")).to_contain_text("Logged")

            page.goto("/log/")
            found["log"] = violations(page)
            page.get_by_label("How long").fill("15")
            page.get_by_role("button", name="Log it").click()
            page.wait_for_url(re.compile(r"/history/\?done="))  # the saved entry, by its ID
            expect(page.get_by_role("status").first).to_contain_text("Saved")
            expect(page.locator(".entry.session")).to_have_count(2)
            found["history"] = violations(page)
            assert members_entries(pg_database) == (1, 2)  # in the member's own record

            page.goto("/rhythm/")
            expect(page.locator(".big")).to_have_text("1 of 3 active days")
            found["rhythm"] = violations(page)

            page.goto("/accounts/")
            found["account"] = violations(page)
            with page.expect_response(lambda r: r.url.endswith("/accounts/logout/")
                                      and r.request.method == "POST") as signed_out:
                page.get_by_role("button", name="Sign out").click()
            assert signed_out.value.all_headers()["clear-site-data"] == '"cache", "storage"'
            page.wait_for_load_state()
            page.goto("/history/")
            assert "/accounts/login/" in page.url  # signed out: the record is closed again
            problems = page.problems
            browser.close()
    finally:
        output = server.stop()
    assert not problems, problems
    assert not any(found.values()), found
    assert PASSWORD not in output and "Traceback" not in output

"""Signing in through a clinic's own OpenID Connect provider, end to end, in Debian's Chromium.

A real provider (pyop, ``oidc_provider.py``) on 127.0.0.1, a real `kindstep serve` (gunicorn)
on the real PostgreSQL configured for it with ``KINDSTEP_OIDC_*``. A fresh person signs in
at the clinic and gets an account with their own empty record; signing in again lands in the
same account; no code or token the provider issued ever appears in kindstep's output.

kindstep is behind an https proxy, as in production: the browser speaks TLS to the test's
``live.TlsProxy`` on https://localhost:PORT (kindstep's origin, where the provider sends the
browser back), which passes each connection on to the server's plain http port.
"""

from __future__ import annotations

import re
import secrets

import psycopg
import pytest
from playwright.sync_api import expect

from tests.accounts.wording import check
from tests.playwright_once import sync_playwright
from tests.server import live
from tests.server.conftest import free_port
from tests.server.live import violations
from tests.server.oidc_provider import Provider

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

PATIENT = "p-1001"
EMAIL = "robin@clinic.example"


@pytest.fixture
def clinic(tmp_path, pg_database):
    port = free_port()
    proxy = live.TlsProxy(port, tmp_path / "tls")
    secret = secrets.token_urlsafe(24)
    provider = Provider(client_id="kindstep", client_secret=secret,
                        redirect_uri=f"https://localhost:{proxy.port}/accounts/oidc/clinic/login/callback/",
                        people={PATIENT: {"email": EMAIL, "email_verified": True,
                                          "name": "Robin"}}).start()
    server = live.start(tmp_path, pg_database, port=port, origin_port=proxy.port,
                        KINDSTEP_OIDC_URL=provider.url,
                        KINDSTEP_OIDC_CLIENT_ID="kindstep", KINDSTEP_OIDC_SECRET=secret,
                        KINDSTEP_OIDC_NAME="the Riverside clinic")
    try:
        yield provider, server, proxy, pg_database, secret
    finally:
        proxy.close()
        if server.process.poll() is None:
            server.stop()
        provider.stop()


def counts(database_url: str) -> dict[str, object]:
    with psycopg.connect(database_url) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {"users": one("SELECT count(*) FROM auth_user"),
                "emails": one("SELECT string_agg(email, ',') FROM auth_user"),
                "links": one("SELECT count(*) FROM socialaccount_socialaccount"),
                "people": one("SELECT string_agg(person_id::text, ',') FROM kindstep_member"),
                "entries": one("SELECT count(*) FROM kindstep_session")
                + one("SELECT count(*) FROM kindstep_checkin")}


def to_the_clinic(page) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("link", name=re.compile("Riverside clinic")).click()
    expect(page.locator("h1")).to_have_text("Sign in through the Riverside clinic")
    assert check(page.content().replace("Riverside", "riverside")) == []  # a name they chose
    page.locator("main form button[type=submit]").click()  # "continue to the clinic's sign-in"
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/authorize"))


def sign_in_at_the_clinic(page) -> None:
    to_the_clinic(page)
    page.fill("#user", PATIENT)
    page.click("text=Sign in at the clinic")
    page.wait_for_url(lambda url: "localhost" in url and "/accounts/" not in url)


def test_a_person_signs_in_through_the_clinics_provider_twice_into_one_account(clinic):
    provider, server, proxy, database_url, secret = clinic
    with sync_playwright() as p:
        browser, page = live.new_page(p, server, base_url=f"https://localhost:{proxy.port}")

        sign_in_at_the_clinic(page)
        expect(page.get_by_text("Which country are you in?")).to_be_visible()  # a new record
        first = counts(database_url)
        assert first["users"] == 1 and first["emails"] == EMAIL and first["links"] == 1
        assert first["people"] and first["entries"] == 0
        page.goto("/history/")
        assert page.locator("h1").first.inner_text().strip() == "Your record"
        assert page.locator(".entry").count() == 0

        page.goto("/accounts/")
        with page.expect_response(lambda r: r.url.endswith("/accounts/logout/")
                                  and r.request.method == "POST"):
            page.get_by_role("button", name="Sign out").click()
        page.wait_for_load_state()
        page.goto("/history/")
        assert "/accounts/login/" in page.url

        sign_in_at_the_clinic(page)
        page.goto("/history/")
        assert page.locator("h1").first.inner_text().strip() == "Your record"
        assert counts(database_url) == first  # the same account and the same record
        problems = page.problems
        browser.close()
    assert not problems, problems
    assert provider.signed_in == [PATIENT, PATIENT]
    assert provider.challenges == ["S256", "S256"]  # PKCE, checked by the provider

    output = server.stop()
    assert "Traceback" not in output
    assert len(provider.issued) == 6  # a code, an ID token and an access token, twice
    for issued in [*provider.issued, secret]:
        assert issued not in output


def test_a_cancelled_or_refused_sign_in_says_so_kindly_and_makes_nothing(clinic):
    provider, server, proxy, database_url, _ = clinic
    with sync_playwright() as p:
        browser, page = live.new_page(p, server, base_url=f"https://localhost:{proxy.port}")
        page.goto("/accounts/login/")
        page.get_by_role("link", name=re.compile("Riverside clinic")).click()
        found = {"continue to the clinic": violations(page)}
        to_the_clinic(page)
        page.click("text=Cancel")
        expect(page.locator("h1")).to_have_text("Signing in was stopped")
        assert "nothing was changed" in page.content()
        assert check(page.content()) == []
        found["stopped"] = violations(page)

        provider.refuse_tokens = True
        to_the_clinic(page)
        page.fill("#user", PATIENT)
        page.click("text=Sign in at the clinic")
        expect(page.locator("h1")).to_have_text("Signing in through another service did not work")
        assert check(page.content()) == []
        found["did not work"] = violations(page)
        page.goto("/history/")
        assert "/accounts/login/" in page.url  # not signed in
        problems = page.problems
        browser.close()
    assert not problems, problems
    assert not any(found.values()), found
    assert counts(database_url)["users"] == 0

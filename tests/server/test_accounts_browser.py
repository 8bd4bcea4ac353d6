"""Server mode in Debian's Chromium: a passkey added and used to sign in (Chromium's virtual
authenticator through a CDP session), and the account pages through axe-core.

A real `kindstep serve` (gunicorn) on the real PostgreSQL. The browser plays the person
behind the https proxy: it opens http://localhost (a secure context for WebAuthn and
secure cookies) and sends the proxy's ``X-Forwarded-Proto``; its forms' http Origin is
trusted by this test's settings (``browser_settings.py``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import CHROMIUM, FLAGS
from tests.server import live

PASSWORD = "a gentle walk by the river 42"
EMAIL = "ada@example.org"

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


@pytest.fixture
def kindstep_server(tmp_path, pg_database):
    server = live.start(tmp_path, pg_database)
    live.create_user(server, EMAIL, PASSWORD)
    yield {"url": server.url, "origin": f"https://localhost:{server.port}"}
    output = server.stop()
    assert PASSWORD not in output and "Traceback" not in output


@pytest.fixture
def page(kindstep_server):
    from tests.playwright_once import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(base_url=kindstep_server["url"],
                                      viewport={"width": 390, "height": 844},
                                      extra_http_headers={"X-Forwarded-Proto": "https"})
        pg = context.new_page()
        problems: list[str] = []
        pg.on("pageerror", lambda e: problems.append(str(e)))
        pg.problems = problems
        yield pg
        browser.close()
    assert not problems, problems


def sign_in_with_password(page) -> None:
    page.goto("/history/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state()


def test_a_passkey_added_in_the_browser_signs_in_without_a_password(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True}})
    authenticator = added["authenticatorId"]

    sign_in_with_password(page)
    page.goto("/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:  # adding a way in asks for the password again
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url("**/2fa/webauthn/add/")
    page.fill("input[name=name]", "my phone")
    page.check("input[name=passwordless]")
    page.click("#mfa_webauthn_add")
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1

    page.goto("/accounts/")
    page.click("text=Sign out")
    page.wait_for_load_state()
    page.goto("/history/")
    assert "/accounts/login/" in page.url
    page.click("#passkey_login")
    page.wait_for_url(lambda url: urlsplit(url).path == "/history/")
    assert page.locator("h1").first.inner_text().strip() == "Your record"  # History, signed in


ACCOUNT_PAGES = ["/accounts/login/", "/accounts/signup/", "/accounts/login/code/",
                 "/accounts/password/reset/"]
SIGNED_IN_PAGES = ["/accounts/", "/accounts/delete/", "/accounts/2fa/", "/accounts/email/",
                   "/accounts/password/change/", "/accounts/2fa/webauthn/",
                   "/accounts/reauthenticate/", "/accounts/logout/"]


def test_the_account_pages_pass_axe(page):
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.test_accessibility import AXE_OPTIONS, serious

    axe = Axe()
    found = {}
    for address in ACCOUNT_PAGES:
        page.goto(address)
        found[address] = serious(axe.run(page, options=AXE_OPTIONS))
    sign_in_with_password(page)
    for address in SIGNED_IN_PAGES:
        page.goto(address)
        assert page.url.endswith(address), page.url
        found[address] = serious(axe.run(page, options=AXE_OPTIONS))
    assert not any(found.values()), found

"""The Settings page's tokens in Debian's Chromium, at phone width: made, shown once,
revoked, and every state of the page through axe-core (WCAG 2.2 AA). The page has no
script of its own: every step is a plain form.

pytest-django's live server (this process, the test's PostgreSQL database); the browser
sends the TLS proxy's ``X-Forwarded-Proto`` and carries a member's session cookie.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.accounts.helpers import make_member
from tests.browser.conftest import CHROMIUM, FLAGS

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

TOKEN = re.compile(r"ks_[A-Za-z0-9_\-]{43}")


@pytest.fixture
def page(transactional_db, live_server, settings):
    """Committed rows (the live server's thread has a connection of its own)."""
    from django.conf import settings as django_settings
    from django.test import Client
    from playwright.sync_api import sync_playwright

    from kindstep.store.models import Person

    alice = Person.objects.create(timezone="Europe/London", country="GB")

    host = urlsplit(live_server.url).netloc
    settings.CSRF_TRUSTED_ORIGINS = [*django_settings.CSRF_TRUSTED_ORIGINS, live_server.url]
    settings.ALLOWED_HOSTS = [*django_settings.ALLOWED_HOSTS, host.split(":")[0]]
    client = Client()
    client.force_login(make_member("ada@example.org", person=alice),
                       backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(base_url=live_server.url,
                                      viewport={"width": 390, "height": 844},
                                      extra_http_headers={"X-Forwarded-Proto": "https"})
        context.add_cookies([{"name": cookie.key, "value": cookie.value,
                              "domain": host.split(":")[0], "path": "/", "secure": True,
                              "httpOnly": True, "sameSite": "Lax"}])
        opened = context.new_page()
        opened.set_default_timeout(30_000)
        yield opened
        browser.close()


def axe_problems(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.test_accessibility import AXE_OPTIONS, serious

    return serious(Axe().run(page, options=AXE_OPTIONS))


def test_a_token_is_made_shown_once_and_revoked_on_a_phone(page):
    found = {}
    page.goto("/settings/")
    page.click("text=Tokens for other apps")
    page.wait_for_url("**/settings/tokens/")
    assert urlsplit(page.url).path == "/settings/tokens/"
    found["empty"] = axe_problems(page)
    page.fill("#label", "phone app")
    page.check("input[name=scope][value=write]")
    page.click("button[value=create]")
    token = page.input_value("#new-token")
    assert TOKEN.fullmatch(token)
    found["made"] = axe_problems(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    page.goto("/settings/tokens/")
    assert token not in page.content() and "phone app" in page.inner_text("main")
    found["listed"] = axe_problems(page)
    page.click("text=Revoke phone app")
    assert "You have no tokens" in page.inner_text("main")
    assert not any(found.values()), found

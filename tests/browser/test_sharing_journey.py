"""Sharing by consent in Debian's Chromium, on a real `kindstep serve` in server mode on the
real PostgreSQL: the member invites, the clinician types the code and sees the shared record,
the member sees the view and revokes, and the clinician then sees nothing. Each new page goes
through axe-core.

Two browser contexts play the two people (two accounts made with `kindstep createuser`),
behind the https proxy as in tests/server/test_accounts_browser.py.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, FLAGS
from tests.server.conftest import (  # noqa: F401 - pg_database is a fixture
    SCRIPT,
    free_port,
    listening,
    pg_database,
    production_env,
    run,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

PASSWORD = "a gentle walk by the river 42"
MEMBER, CLINICIAN = "maya@example.org", "dr.lee@example.org"
NOTE = f"planted-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def kindstep_server(tmp_path, pg_database):  # noqa: F811 - the fixture imported above
    port = free_port()
    env = production_env(tmp_path, pg_database, KINDSTEP_ALLOWED_HOSTS="localhost",
                         KINDSTEP_ORIGIN=f"https://localhost:{port}")
    assert run(env, "migrate").returncode == 0
    env |= {"DJANGO_SETTINGS_MODULE": "tests.server.browser_settings",
            "KINDSTEP_TEST_BROWSER_ORIGIN": f"http://localhost:{port}",
            "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    for email in (MEMBER, CLINICIAN):
        made = subprocess.run([SCRIPT, "createuser", email, "--password-stdin"], env=env,
                              input=PASSWORD, text=True, capture_output=True, timeout=120)
        assert made.returncode == 0, made.stderr
    proc = subprocess.Popen([SCRIPT, "serve", "--port", str(port), "--workers", "2"], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    for _ in range(300):
        if listening(port) or proc.poll() is not None:
            break
        time.sleep(0.1)
    assert proc.poll() is None, proc.communicate()
    yield f"http://localhost:{port}"
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert NOTE not in out + err and "Traceback" not in err


@pytest.fixture
def people(kindstep_server):
    """Two signed-in phones: the member's and the clinician's."""
    from tests.playwright_once import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        pages, problems = {}, []
        for who, email in (("member", MEMBER), ("clinician", CLINICIAN)):
            context = browser.new_context(base_url=kindstep_server,
                                          viewport={"width": 390, "height": 844},
                                          extra_http_headers={"X-Forwarded-Proto": "https"})
            page = context.new_page()
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto("/sharing/")
            assert "/accounts/login/" in page.url
            page.fill("input[name=login]", email)
            page.fill("input[name=password]", PASSWORD)
            page.click("form[action^='/accounts/login/'] button[type=submit]")
            page.wait_for_url("**/sharing/")
            pages[who] = page
        yield pages
        browser.close()
    assert not problems, problems


def _axe(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.test_accessibility import AXE_OPTIONS, serious

    return serious(Axe().run(page, options=AXE_OPTIONS))


def _screenshot(page, name: str) -> None:
    """docs/screenshots/NAME.png, for the README: the page as the phone shows it, whole."""
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 5000


def test_the_whole_consent_journey(people):
    member, clinician = people["member"], people["clinician"]
    found: dict[str, list[str]] = {}

    member.goto("/log/")
    member.locator("#minutes").fill("12")
    member.locator("details.more summary").first.click()
    member.locator("#note").fill(NOTE)
    member.get_by_role("button", name="Log it").first.click()
    member.wait_for_load_state()

    member.goto("/sharing/")
    found["/sharing/ (none yet)"] = _axe(member)
    assert "not a monitoring or crisis service" in member.content()
    member.get_by_role("link", name="Invite someone").click()
    member.wait_for_url("**/sharing/invite/")
    found["/sharing/invite/"] = _axe(member)
    member.locator("input[name=role][value=clinician]").check()
    member.locator("input[name=scopes][value=notes]").check()
    member.get_by_role("button", name="Make the code").click()
    code = member.locator("#share-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", code), code
    assert code not in member.url
    found["the code page"] = _axe(member)

    clinician.goto("/shared/accept/")
    found["/shared/accept/"] = _axe(clinician)
    clinician.fill("#code", code)
    clinician.get_by_role("button", name="Accept").click()
    clinician.wait_for_url(re.compile(r"/shared/\d+/$"))
    record_url = clinician.url
    assert code not in record_url
    assert MEMBER in clinician.locator("h1").inner_text()
    assert NOTE in clinician.content()
    found["/shared/<id>/"] = _axe(clinician)
    _screenshot(clinician, "shared-record-phone")
    clinician.goto("/shared/")
    assert MEMBER in clinician.content()
    found["/shared/"] = _axe(clinician)

    member.goto("/sharing/")
    assert CLINICIAN in member.locator("table").inner_text()  # the audit log: they looked
    found["/sharing/ (shared and seen)"] = _axe(member)
    _screenshot(member, "sharing-phone")
    member.get_by_role("button", name=f"Stop sharing with {CLINICIAN}").click()
    member.wait_for_url("**/sharing/?revoked=1")
    assert "That share has stopped" in member.content()

    gone = clinician.goto(record_url)
    assert gone.status == 404 and NOTE not in clinician.content()
    clinician.goto("/shared/")
    assert MEMBER not in clinician.content() and NOTE not in clinician.content()
    assert not any(found.values()), found

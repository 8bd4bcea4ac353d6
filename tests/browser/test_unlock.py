"""A locked file in real Chromium: the unlock page passes axe (light and dark, phone and
desktop), a wrong passphrase shows the form again with its message, the right one opens Today."""

from __future__ import annotations

import os
import subprocess

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import SCRIPT, Server
from tests.browser.test_accessibility import AXE_OPTIONS, serious

pytestmark = pytest.mark.browser

PASS = "correct horse battery"


@pytest.fixture
def locked_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINDSTEP_", "DJANGO_"))}
    env["KINDSTEP_DATA_DIR"] = str(tmp_path / "data")
    run = {"env": env, "capture_output": True, "text": True, "timeout": 60}
    assert subprocess.run([SCRIPT, "log", "walk", "12"], stdin=subprocess.DEVNULL,
                          **run).returncode == 0
    assert subprocess.run([SCRIPT, "lock", "set"], input=PASS + "\n", **run).returncode == 0
    assert subprocess.run([SCRIPT, "lock", "forget"], stdin=subprocess.DEVNULL,
                          **run).returncode == 0
    server = Server(tmp_path / "data")
    yield server
    server.stop()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", [(360, 740), (1280, 800)], ids=["phone", "desktop"])
def test_the_unlock_page_is_accessible_and_opens_kindstep(browser, locked_server, scheme, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                  color_scheme=scheme, base_url=locked_server.url)
    page = context.new_page()
    axe = Axe()
    page.goto("/history/")
    assert page.url.endswith("/unlock/")
    assert serious(axe.run(page, options=AXE_OPTIONS)) == []
    page.fill("#passphrase", "not the one")
    page.click("button[type=submit]")
    assert "does not open this kindstep file" in page.inner_text("#passphrase-error")
    assert serious(axe.run(page, options=AXE_OPTIONS)) == []
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.fill("#passphrase", PASS)
    page.click("button[type=submit]")
    page.wait_for_url(locked_server.url + "/")
    page.goto("/history/")
    assert "12 min" in page.inner_text("main")
    context.close()


def test_the_wait_after_five_wrong_passphrases_is_said_in_words_and_accessible(browser,
                                                                             locked_server):
    context = browser.new_context(viewport={"width": 360, "height": 740},
                                  base_url=locked_server.url)
    page = context.new_page()
    page.goto("/unlock/")
    for n in range(5):
        page.fill("#passphrase", f"not the one {n}")
        with page.expect_navigation():
            page.click("button[type=submit]")
    assert "you can try again in 30 seconds" in page.inner_text("#passphrase-error")
    assert serious(Axe().run(page, options=AXE_OPTIONS)) == []
    page.goto("/history/")  # every page still asks, and says how long the wait is
    assert page.url.endswith("/unlock/")
    assert "you can try again in" in page.inner_text("#unlock-wait")
    assert serious(Axe().run(page, options=AXE_OPTIONS)) == []
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    context.close()

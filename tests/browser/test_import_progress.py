"""A background import in real Chromium: the upload waits for `kindstep worker`, its page shows
that (axe finds nothing serious, light or dark, at phone size), htmx brings the outcome in by
itself once the worker is done, and without JavaScript the refresh link does."""

from __future__ import annotations

import subprocess

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import SCRIPT, Server
from tests.browser.test_accessibility import AXE_OPTIONS, serious
from tests.store.test_importing import GPX_RUN

pytestmark = pytest.mark.browser


@pytest.fixture
def queue_server(tmp_path):
    server = Server(tmp_path / "data", KINDSTEP_TASKS="database")
    yield server
    server.stop()


def work_once(server: Server) -> None:
    done = subprocess.run([SCRIPT, "worker", "--batch"], env=server.env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0 and done.stdout.strip().endswith("after 1 task(s)."), done.stderr


def upload(pg, tmp_path) -> None:
    run = tmp_path / "morning-run.gpx"
    run.write_text(GPX_RUN, "utf-8")
    pg.goto("/import/")
    pg.set_input_files("#export", str(run))
    pg.get_by_role("button", name="Import").click()
    pg.locator("#import-progress").wait_for()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_queued_import_is_shown_then_its_outcome_arrives_by_itself(browser, queue_server,
                                                                      tmp_path, scheme):
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme,
                                  base_url=queue_server.url, reduced_motion="reduce")
    pg = context.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(str(e)))
    upload(pg, tmp_path)
    assert "waits its turn" in pg.locator("#import-progress").inner_text()
    assert serious(Axe().run(pg, options=AXE_OPTIONS)) == []
    overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

    work_once(queue_server)
    pg.locator("#import-summary").wait_for(timeout=15_000)  # htmx's next ask: over, so reload
    assert "1 added" in " ".join(pg.locator("#import-summary").inner_text().split())
    assert "morning-run.gpx" in pg.locator("main").inner_text()
    assert serious(Axe().run(pg, options=AXE_OPTIONS)) == []
    context.close()
    assert problems == []


def test_without_javascript_the_refresh_link_shows_the_outcome(browser, queue_server, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False,
                                  base_url=queue_server.url)
    pg = context.new_page()
    upload(pg, tmp_path)
    work_once(queue_server)
    pg.get_by_role("link", name="Refresh to see how it is going").click()
    pg.locator("#import-summary").wait_for()
    assert "1 added" in " ".join(pg.locator("#import-summary").inner_text().split())
    context.close()

"""The import page in real Chromium: upload a GPX file, read the summary; axe finds nothing serious."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_accessibility import AXE_OPTIONS, serious
from tests.store.test_importing import GPX_RUN

pytestmark = pytest.mark.browser


def test_uploading_a_gpx_file_adds_a_session_and_shows_the_summary(page, server, tmp_path):
    run = tmp_path / "morning-run.gpx"
    run.write_text(GPX_RUN, "utf-8")
    page.goto("/import/")
    page.set_input_files("#export", str(run))
    page.get_by_role("button", name="Import").click()
    summary = page.locator("#import-summary")
    summary.wait_for()
    assert "1 added" in " ".join(summary.inner_text().split())
    assert "morning-run.gpx" in page.locator("main").inner_text()
    assert server.cli("import", str(run), "--dry-run", "--json")["already_present"] == 1

    page.set_input_files("#export", str(run))  # the same file again adds nothing
    page.get_by_role("button", name="Import").click()
    page.locator("#why-nothing").wait_for()  # "Everything in this file was already here ..."
    assert "1 already here" in " ".join(page.locator("#import-summary").inner_text().split())
    assert server.cli("import", str(run), "--dry-run", "--json")["added"] == 0


def test_a_damaged_file_shows_its_message_beside_the_field(page, tmp_path):
    cut = tmp_path / "cut.gpx"
    cut.write_text(GPX_RUN[:200], "utf-8")
    page.goto("/import/")
    page.set_input_files("#export", str(cut))
    page.get_by_role("button", name="Import").click()
    error = page.locator("#export-error")
    error.wait_for()
    assert "Nothing was changed" in error.inner_text()
    assert page.locator("#export").get_attribute("aria-invalid") == "true"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_import_page_has_no_serious_accessibility_violations(browser, server, tmp_path, scheme):
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme,
                                  base_url=server.url)
    pg = context.new_page()
    axe = Axe()
    run = tmp_path / "run.gpx"
    run.write_text(GPX_RUN, "utf-8")
    cut = tmp_path / "cut.gpx"
    cut.write_text(GPX_RUN[:200], "utf-8")
    found = {}
    pg.goto("/import/")
    found["empty"] = serious(axe.run(pg, options=AXE_OPTIONS))
    for label, path in (("summary", run), ("refused", cut)):
        pg.set_input_files("#export", str(path))
        pg.get_by_role("button", name="Import").click()
        pg.locator("#import-summary, #export-error").first.wait_for()
        found[label] = serious(axe.run(pg, options=AXE_OPTIONS))
        overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the {label} page scrolls sideways by {overflow}px"
    context.close()
    assert not any(found.values()), found

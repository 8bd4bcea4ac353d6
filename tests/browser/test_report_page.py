"""The report page in real Chromium: axe finds nothing serious, and the PDF downloads."""

from __future__ import annotations

import subprocess

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_accessibility import AXE_OPTIONS, serious

pytestmark = pytest.mark.browser


def seed(server) -> None:
    server.cli("settings", "--country", "GB")
    for day, minutes in (("2026-11-16", 12), ("2026-11-18", 20), ("2026-11-20", 15)):
        server.cli("log", "walk", str(minutes), "--date", day, "--before", "4", "--after", "6")
    server.cli("checkin", "--energy", "4", "--mood", "5", "--anxiety", "4")
    server.cli("gad7", "--answers", "1,1,0,1,0,1,0")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", [(360, 740), (1280, 800)], ids=["phone", "desktop"])
def test_the_report_page_has_no_serious_accessibility_violations(browser, server, scheme, size):
    seed(server)
    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                  color_scheme=scheme, base_url=server.url)
    page = context.new_page()
    page.goto("/settings/report/")
    assert serious(Axe().run(page, options=AXE_OPTIONS)) == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    # The refused state: a name too long (the field's maxlength lifted, as a script could).
    page.evaluate("document.getElementById('name').removeAttribute('maxlength')")
    page.fill("#name", "x" * 101)
    page.click("button[type=submit]")
    page.wait_for_selector("#name-error")
    assert page.get_attribute("#name", "aria-invalid") == "true"
    assert serious(Axe().run(page, options=AXE_OPTIONS)) == []
    context.close()


def test_the_form_downloads_the_pdf_without_javascript(browser, server, tmp_path):
    seed(server)
    context = browser.new_context(base_url=server.url, java_script_enabled=False,
                                  accept_downloads=True)
    page = context.new_page()
    page.goto("/settings/")
    page.click("text=A record for your clinician")
    page.select_option("#weeks", "4")
    page.fill("#name", "Sam")
    with page.expect_download() as download:
        page.click("button[type=submit]")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("kindstep-report-") and path.suffix == ".pdf"
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "A record of movement and mood: Sam" in text
    assert "4 weeks," in text and "Not a diagnosis." in text
    context.close()

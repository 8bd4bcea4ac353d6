"""kindstep on a phone, in Debian's Chromium at phone size: installable, and working offline.

The manifest and the service worker install; with the browser context offline a
check-in and a log are kept on the device and shown as waiting, and once the
connection is back each is saved exactly once (rows counted in the SQLite file);
a new service worker (a new kindstep, with other static files) keeps what waits;
Help now opens offline; the new pages pass axe.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, Server
from tests.browser.test_accessibility import AXE_OPTIONS, serious

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WAITING = "kindstepOutbox.all().then(function (rows) { return rows.length; })"


def waiting_becomes(count: int) -> str:
    """An expression for :func:`eventually`: true once ``count`` entries wait on the device."""
    return f"kindstepOutbox.all().then(rows => rows.length === {count})"


def eventually(page, expression: str, arg=None, timeout: float = 15) -> None:
    """Wait until ``expression`` (which may give a promise) is true in the page.

    Playwright's ``wait_for_function`` takes a promise itself as true, so this asks
    ``evaluate``, which waits for the promise's value.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression, arg):
        assert time.monotonic() < deadline, f"never true: {expression}"
        time.sleep(0.1)


def rows(server, table: str) -> int:
    """How many rows ``table`` holds in the server's real SQLite file."""
    with sqlite3.connect(server.data_dir / "kindstep.sqlite3") as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - our names


def settled(server, table: str) -> int:
    """How many rows ``table`` holds once writes have settled (read until it holds still)."""
    seen, deadline = rows(server, table), time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = rows(server, table)
        if now == seen and now:
            return now
        seen = now
    return seen


def controlled(page) -> None:
    """Open Today and wait until the service worker is installed and controls the page."""
    page.goto("/")
    assert page.evaluate("navigator.serviceWorker.ready.then(function (r) { return !!r.active; })")
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def check_in(page, energy: int, mood: int, anxiety: int) -> None:
    form = page.locator("form[data-offline='checkin']")
    form.evaluate("f => { const d = f.closest('details'); if (d) d.open = true; }")  # "Check in again"
    for name, value in (("energy", energy), ("mood", mood), ("anxiety", anxiety)):
        form.locator(f"input[name='{name}'][value='{value}']").check(force=True)
    form.get_by_role("button", name="See what feels possible").click()


def log_walk(page, minutes: int) -> None:
    form = page.locator("form[action='/log/'][data-offline='session']").first
    form.locator("select[name='activity']").select_option("walk")
    form.locator("input[name='minutes']").fill(str(minutes))
    form.get_by_role("button", name="Log it").click()


def test_kindstep_installs_with_its_manifest_icons_and_service_worker(page, server):
    controlled(page)
    manifest = page.evaluate("""() => {
        const link = document.querySelector('link[rel=manifest]');
        return fetch(link.href).then(r => r.text().then(t => [r.headers.get('content-type'), t]));
    }""")
    assert manifest[0] == "application/manifest+json"
    import json

    fields = json.loads(manifest[1])
    assert fields["display"] == "standalone" and fields["start_url"] == "/"
    assert (fields["name"], fields["short_name"]) == ("kindstep", "kindstep")
    assert (fields["theme_color"], fields["background_color"]) == ("#2f5f57", "#f7f6f2")
    sizes = {(i["purpose"], i["sizes"]) for i in fields["icons"]}
    assert sizes == {(p, s) for p in ("any", "maskable") for s in ("192x192", "512x512")}
    for icon in [*fields["icons"], {"src": page.locator("link[rel=apple-touch-icon]").get_attribute("href"),
                                    "sizes": "180x180"}]:
        size = page.evaluate("""src => new Promise((ok, no) => {
            const img = new Image(); img.onload = () => ok(img.naturalWidth + 'x' + img.naturalHeight);
            img.onerror = no; img.src = src; })""", icon["src"])
        assert size == icon["sizes"], icon["src"]
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == server.url + "/"
    kept = page.evaluate("""caches.keys().then(names => caches.open(names[0]).then(c => c.keys()))
        .then(requests => requests.map(r => new URL(r.url).pathname))""")
    assert {"/", "/log/", "/help-now/", "/offline/", "/install/", "/static/kindstep/kindstep.css"} <= set(kept)


def test_a_checkin_and_a_log_made_offline_wait_then_are_saved_exactly_once(page, server):
    server.cli("settings", "--country", "GB")
    controlled(page)
    page.context.set_offline(True)
    check_in(page, 4, 5, 3)
    waiting = page.locator("#waiting")
    expect(waiting).to_contain_text("Check-in: energy 4, mood 5, anxiety 3")
    expect(waiting).to_contain_text("waiting to be saved")
    page.goto("/log/")  # offline: the kept copy of Log
    log_walk(page, 15)
    expect(page.locator("#waiting")).to_contain_text("Walk at an easy pace (light), 15 minutes")
    assert page.evaluate(WAITING) == 2
    page.goto("/")  # offline: the last Today kindstep had, and it says so
    expect(page.locator("#kept-said")).to_contain_text("You're offline. This is the last offer kindstep had")
    expect(page.locator("#waiting li")).to_have_count(2)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "offline-waiting-phone.png"))
    assert (rows(server, "kindstep_checkin"), rows(server, "kindstep_session")) == (0, 0)

    page.context.set_offline(False)  # the online event, and the service worker's sync
    eventually(page, waiting_becomes(0))
    page.wait_for_selector("#waiting", state="detached")
    assert (settled(server, "kindstep_checkin"), settled(server, "kindstep_session")) == (1, 1)
    page.reload()  # a page load sends again whatever waits: nothing does now
    page.wait_for_load_state("networkidle")
    assert (settled(server, "kindstep_checkin"), settled(server, "kindstep_session")) == (1, 1)
    history = server.cli("history", "--json")["entries"]
    assert [e["id"][0] for e in history].count("s") == 1
    with sqlite3.connect(server.data_dir / "kindstep.sqlite3") as db:
        energy, device = db.execute("SELECT energy, device_id FROM kindstep_checkin").fetchone()
    assert energy == 4 and len(device) == 36


def test_an_entry_sent_twice_with_its_device_id_is_saved_once(page, server):
    controlled(page)
    statuses = page.evaluate("""async () => {
        const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
        const body = () => new URLSearchParams({csrfmiddlewaretoken: token, activity: 'walk',
            minutes: '12', device_id: crypto.randomUUID ? 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' : ''});
        const out = [];
        for (let i = 0; i < 2; i++) out.push((await fetch('/log/', {method: 'POST', body: body()})).status);
        return out;
    }""")
    assert statuses == [200, 200]
    assert rows(server, "kindstep_session") == 1


def test_a_form_that_cannot_reach_kindstep_while_online_is_kept_too(browser, tmp_path):
    server = Server(tmp_path / "data")
    try:
        context = browser.new_context(viewport=PHONE, base_url=server.url)
        page = context.new_page()
        controlled(page)
        page.goto("/?skip=1")  # gentle choices without a check-in, and rest among them
        server.stop()  # the browser is online, but kindstep is out of reach
        page.locator("form[data-offline='rest'] button").click()
        page.wait_for_selector("#waiting li")
        assert page.evaluate(WAITING) == 1
        server.start()  # back, on the same port and data
        page.evaluate("window.dispatchEvent(new Event('online'))")
        eventually(page, waiting_becomes(0))
        assert settled(server, "kindstep_rest_day") == 1
        context.close()
    finally:
        server.stop()


def _new_version(tmp_path: Path) -> Path:
    """A copy of kindstep whose static files differ by one byte: a new version, as after an update."""
    import kindstep

    copy = tmp_path / "newer"
    shutil.copytree(Path(kindstep.__file__).parent, copy / "kindstep",
                    ignore=shutil.ignore_patterns("__pycache__"))
    css = copy / "kindstep" / "web" / "static" / "kindstep" / "kindstep.css"
    css.write_text(css.read_text("utf-8") + "\n/* a newer kindstep */\n", "utf-8")
    return copy


def test_a_new_service_worker_keeps_the_entries_that_wait(browser, tmp_path):
    server = Server(tmp_path / "data")
    try:
        context = browser.new_context(viewport=PHONE, base_url=server.url)
        page = context.new_page()
        controlled(page)
        first = page.evaluate("caches.keys()")
        page.goto("/?skip=1")
        context.set_offline(True)
        page.locator("form[data-offline='rest'] button").click()
        check_in(page, 2, 3, 6)
        eventually(page, waiting_becomes(2))
        server.stop()
        context.set_offline(False)  # online again, but kindstep is out of reach: still waiting
        page.wait_for_timeout(500)
        assert page.evaluate(WAITING) == 2

        server.start(pythonpath=_new_version(tmp_path))  # a newer kindstep on the same address
        page.evaluate("""async () => {
            const registration = await navigator.serviceWorker.getRegistration();
            await new Promise(done => {
                navigator.serviceWorker.addEventListener('controllerchange', done, {once: true});
                registration.update();
            });
        }""")
        eventually(page, "caches.keys().then(names => names.length === 1)")  # the old one let go
        version = page.evaluate("caches.keys()")
        assert version != first and version[0].startswith("kindstep-")
        assert page.evaluate(WAITING) == 2  # still kept on the device
        page.reload()
        eventually(page, waiting_becomes(0))
        assert (settled(server, "kindstep_checkin"), settled(server, "kindstep_rest_day")) == (1, 1)
        context.close()
    finally:
        server.stop()


def test_help_now_opens_offline_with_the_persons_country(page, server):
    server.cli("settings", "--country", "GB")
    controlled(page)  # Help now itself was never opened in this browser
    page.context.set_offline(True)
    page.goto("/help-now/")
    assert "Samaritans" in page.locator("main").inner_text()
    page.context.set_offline(False)
    # A new country in Settings: the Help now kept for offline follows it.
    page.goto("/settings/")
    page.locator("#country").select_option("US")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_selector("text=Saved.")
    eventually(page, """caches.keys().then(n => caches.open(n[0])).then(c => c.match('/help-now/'))
        .then(r => r.text()).then(t => t.includes('988'))""")
    page.context.set_offline(True)
    page.goto("/help-now/")
    assert "988" in page.locator("main").inner_text()
    page.goto("/insights/")  # a page never kept: the offline page, with the way to help
    assert "You're offline" in page.locator("h1").inner_text()
    assert page.get_by_role("link", name="Help now").first.is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", [(360, 740), (1280, 800)], ids=["phone", "desktop"])
def test_the_install_and_offline_pages_pass_axe(browser, server, scheme, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, color_scheme=scheme,
                                  base_url=server.url, reduced_motion="reduce")
    page = context.new_page()
    axe = Axe()
    found = {}
    controlled(page)
    for path in ("/install/", "/offline/"):
        page.goto(path)
        found[path] = serious(axe.run(page, options=AXE_OPTIONS))
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, path
    page.goto("/")
    context.set_offline(True)
    check_in(page, 3, 3, 3)
    page.goto("/")
    page.wait_for_selector("#kept-said")
    found["offline Today"] = serious(axe.run(page, options=AXE_OPTIONS))
    context.close()
    assert not any(found.values()), found


def test_settings_links_to_the_install_page_and_its_pictures_load(page, server):
    page.goto("/settings/")
    page.get_by_role("link", name="Install on your phone").click()
    page.wait_for_url("**/install/")
    assert page.locator("h1").inner_text() == "Install on your phone"
    pictures = page.locator("main img")
    assert pictures.count() == 4
    for i in range(4):
        assert page.evaluate("img => img.complete && img.naturalWidth > 0", pictures.nth(i).element_handle())
        assert pictures.nth(i).get_attribute("alt")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#iphone-title").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('iphone-title').scrollIntoView()")
    page.screenshot(path=str(SCREENSHOTS / "install-phone.png"))


def test_without_javascript_the_forms_post_as_before(browser, server):
    context = browser.new_context(viewport=PHONE, base_url=server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/log/")
    log_walk(page, 20)
    page.wait_for_url("**/history/**")
    assert rows(server, "kindstep_session") == 1
    context.close()



def test_the_move_timers_log_works_offline_from_todays_choice(page, server):
    server.cli("checkin", "--energy", "5", "--mood", "5", "--anxiety", "3", "--minutes", "20")
    controlled(page)
    link = page.locator(".choices a.button").first
    href = link.get_attribute("href")
    # Today asks the service worker to keep the Move page of each choice.
    eventually(page, """href => caches.keys().then(n => caches.open(n[0]))
        .then(c => c.match(href)).then(r => !!r)""", href)
    page.context.set_offline(True)
    link.click()
    page.wait_for_url("**/move/**")
    expect(page.locator("#kept-said")).to_contain_text("You're offline")
    page.locator("#move-log").get_by_role("button", name="Log it").click()
    expect(page.locator("#waiting li")).to_have_count(1)
    page.context.set_offline(False)
    eventually(page, waiting_becomes(0))
    assert settled(server, "kindstep_session") == 1

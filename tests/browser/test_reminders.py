"""Pause and reminders in Debian's Chromium at phone size: the Settings forms through axe
(light and dark, refused and saved), a pause started and ended, and the push handler's
notification delivered to the service worker."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_accessibility import AXE_OPTIONS, serious

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_reminder_and_pause_forms_pass_axe_at_phone_size(browser, server, scheme):
    context = browser.new_context(viewport=PHONE, color_scheme=scheme, base_url=server.url)
    page = context.new_page()
    axe = Axe()
    page.goto("/settings/")
    assert not serious(axe.run(page, options=AXE_OPTIONS))
    assert page.locator(".push-setup").is_visible()  # this Chromium can do web push
    no_sideways_scroll(page)
    # A refused time comes back beside its field, and the page still passes.
    page.locator('input[name="days"][value="mon"]').check()
    page.fill("#reminder-time", "8 o'clock")
    page.get_by_role("button", name="Save reminders").click()
    page.wait_for_selector("#time-error")
    assert page.locator("#reminder-time").get_attribute("aria-invalid") == "true"
    assert not serious(axe.run(page, options=AXE_OPTIONS))
    no_sideways_scroll(page)
    page.fill("#reminder-time", "08:30")
    page.locator('input[name="channel"][value="calendar"]').check()
    page.fill("#quiet-start", "22:00")
    page.fill("#quiet-end", "07:00")
    page.get_by_role("button", name="Save reminders").click()
    page.wait_for_selector("text=Reminders on Monday at 08:30, in your calendar")
    page.get_by_role("button", name="Make a calendar feed address").click()
    page.wait_for_selector("code.feed")
    assert not serious(axe.run(page, options=AXE_OPTIONS))
    no_sideways_scroll(page)
    page.get_by_role("button", name="Send a test reminder").click()
    page.wait_for_selector("text=Calendar reminders come from your calendar app")
    assert not serious(axe.run(page, options=AXE_OPTIONS))
    assert server.cli("reminders", "--json") == {"days": [0], "times": ["08:30"],
                                                 "channel": "calendar", "quiet": "22:00-07:00"}
    context.close()


def test_a_pause_started_on_settings_shows_on_today_and_ends_there(page, server):
    page.goto("/settings/")
    page.locator('input[name="reason"][value="away"]').check()
    page.get_by_role("button", name="Pause", exact=True).click()
    page.wait_for_selector("text=Paused (I'm away) until you end it")
    page.goto("/?skip=1")
    assert page.locator(".paused-note").is_visible()
    assert "You're away, and that's fine" in page.content().replace("&#39;", "'")
    assert not serious(Axe().run(page, options=AXE_OPTIONS))
    page.get_by_role("button", name="End the pause").click()
    page.wait_for_selector(".paused-note", state="detached")
    assert server.cli("pause", "--json") == {"pause": None}


def test_a_push_message_shows_a_kind_notification_that_opens_today(browser, server):
    context = browser.new_context(viewport=PHONE, base_url=server.url)
    context.grant_permissions(["notifications"], origin=server.url)
    page = context.new_page()
    page.goto("/settings/")
    scope = page.evaluate("""async () => {
        const reg = await navigator.serviceWorker.register('/static/kindstep/sw-push.js');
        const sw = reg.installing || reg.waiting || reg.active;
        if (sw.state !== 'activated') await new Promise(r => sw.addEventListener(
            'statechange', () => sw.state === 'activated' && r()));
        return reg.scope; }""")
    assert scope.endswith("/static/kindstep/")
    cdp = context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(300)
    (reg_id,) = {r["registrationId"] for r in registrations if r["scopeURL"] == scope}
    cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": server.url + "/", "registrationId": reg_id,
        "data": '{"title": "kindstep", "body": "A two-minute stand outside, if it feels '
                'possible.", "url": "/"}'})
    shown = page.evaluate("""async () => {
        const reg = await navigator.serviceWorker.getRegistration('/static/kindstep/');
        for (let i = 0; i < 50; i++) {
            const found = await reg.getNotifications();
            if (found.length) return found.map(n => [n.title, n.body, n.data.url]);
            await new Promise(r => setTimeout(r, 100));
        }
        return []; }""")
    assert shown == [["kindstep", "A two-minute stand outside, if it feels possible.", "/"]]
    context.close()

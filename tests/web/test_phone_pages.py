"""kindstep on a phone: the manifest, the service worker, the install and offline pages, and
entries sent with a device id (kept offline, then sent, perhaps twice)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from PIL import Image

from kindstep.store import models
from kindstep.web import phone_views
from tests.conftest import NOW
from tests.web.helpers import page

pytestmark = pytest.mark.django_db

DEVICE = "5d1c6b0e-2f7a-4c39-8e51-9a0b3c4d5e6f"


def test_the_manifest_is_served_as_a_manifest_with_what_a_phone_needs(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert manifest["name"] == manifest["short_name"] == "kindstep"
    assert manifest["theme_color"] == "#2f5f57" and manifest["background_color"] == "#f7f6f2"
    assert {i["purpose"] for i in manifest["icons"]} == {"any", "maskable"}


def test_the_theme_colours_are_the_stylesheets_own():
    css = (phone_views.STATIC_DIR / "kindstep.css").read_text("utf-8")
    assert f"--accent: {phone_views.THEME};" in css and f"--bg: {phone_views.BACKGROUND};" in css


def test_every_icon_is_a_png_of_its_stated_size(client):
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    icons = [(i["src"], int(i["sizes"].split("x")[0])) for i in manifest["icons"]]
    icons.append(("/static/kindstep/icons/apple-touch-icon.png", 180))
    for src, size in icons:
        path = phone_views.STATIC_DIR / src.removeprefix("/static/kindstep/")
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size == (size, size), src
    # A maskable icon fills its square (the phone's mask cuts the corners): no clear pixels.
    with Image.open(phone_views.STATIC_DIR / "icons" / "maskable-512.png") as image:
        assert image.convert("RGBA").getextrema()[3][0] == 255
    with Image.open(phone_views.STATIC_DIR / "icons" / "apple-touch-icon.png") as image:
        assert image.mode == "RGB"  # iOS shows transparency as black


def test_every_page_links_the_manifest_the_touch_icon_and_the_offline_script(client):
    html = page(client.get("/help-now/"))
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'rel="apple-touch-icon" href="/static/kindstep/icons/apple-touch-icon.png"' in html
    assert 'src="/static/kindstep/offline.js"' in html and 'data-sw="/sw.js"' in html


def test_the_service_worker_is_served_from_the_root_with_its_version(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    config = json.loads(body.split("self.KINDSTEP = ", 1)[1].split(";\n", 1)[0])
    assert config["version"] == phone_views.worker_version()
    assert {"/", "/log/", "/help-now/", "/offline/", "/install/"} <= set(config["pages"])
    assert "/static/kindstep/outbox.js" in config["shell"] and "/static/kindstep/sw.js" not in config["shell"]
    assert "importScripts" in body


def test_the_version_follows_every_static_file(tmp_path, monkeypatch):
    """A new kindstep with any static file changed gets a new cache, and the old one is let go."""
    import shutil

    copy = tmp_path / "static"
    shutil.copytree(phone_views.STATIC_DIR, copy)
    monkeypatch.setattr(phone_views, "STATIC_DIR", copy)
    phone_views._worker_source.cache_clear()
    try:
        before = phone_views.worker_version()
        (copy / "install" / "iphone-add.svg").write_text("<svg/>", "utf-8")
        phone_views._worker_source.cache_clear()
        assert phone_views.worker_version() != before
    finally:
        phone_views._worker_source.cache_clear()


def test_the_content_security_policy_names_the_worker_and_the_manifest(client):
    csp = client.get("/sw.js")["Content-Security-Policy"]
    assert "worker-src 'self'" in csp and "manifest-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_the_install_page_says_how_on_iphone_and_android_with_pictures(client):
    html = page(client.get("/install/"))
    assert "Add to Home Screen" in html and "Install app" in html and "Share" in html
    assert html.count('<img src="/static/kindstep/install/') == 4
    for name in ("iphone-share", "iphone-add", "android-menu", "android-install"):
        assert (phone_views.STATIC_DIR / "install" / f"{name}.svg").is_file()


def test_settings_links_to_the_install_page(client):
    assert 'href="/install/">Install on your phone</a>' in page(client.get("/settings/"))


def test_the_offline_page_points_to_what_works_without_a_connection(client):
    html = page(client.get("/offline/"))
    assert "<h1>You're offline</h1>" in html and 'href="/help-now/"' in html


def test_every_form_that_works_offline_carries_a_device_id_field(client, person):
    from kindstep.store import actions

    actions.record_checkin(person, energy=4, mood=4, anxiety=4, now=NOW)
    for path, kinds in (("/", {"checkin", "session", "rest"}), ("/log/", {"session", "rest"}),
                        ("/move/?activity=walk&minutes=10", {"session"})):
        html = page(client.get(path))
        assert {k for k in ("checkin", "session", "rest") if f'data-offline="{k}"' in html} == kinds
        assert html.count('name="device_id" value=""') == html.count("data-offline=")


def test_a_log_sent_twice_with_its_device_id_is_stored_once(client, person):
    form = {"activity": "walk", "minutes": "15", "device_id": DEVICE}
    first = client.post("/log/", form)
    again = client.post("/log/", form)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]  # both name the one entry
    assert models.MovementSession.objects.filter(person=person, device_id=DEVICE).count() == 1


def test_a_checkin_and_a_rest_sent_twice_are_stored_once(client, person):
    for _ in range(2):
        client.post("/checkin/", {"energy": "3", "mood": "4", "anxiety": "5", "device_id": DEVICE})
        client.post("/rest/", {"device_id": DEVICE, "note": ""})
    assert models.CheckIn.objects.count() == 1 and models.RestDay.objects.count() == 1


def test_a_worrying_symptom_sent_twice_is_recorded_once_and_help_shown_each_time(client, person):
    form = {"activity": "walk", "minutes": "10", "device_id": DEVICE, "symptoms": ["chest_pain"]}
    for _ in range(2):
        response = client.post("/log/", form)
        assert response["Location"].startswith("/help-now/?stop=1")
    assert models.SafetyEvent.objects.filter(person=person).count() == 1


def test_a_checkin_kept_overnight_counts_for_when_it_was_made(client, person):
    made = NOW - timedelta(hours=20)  # yesterday afternoon
    client.post("/checkin/", {"energy": "3", "mood": "4", "anxiety": "5", "device_id": DEVICE,
                              "made_at": str(int(made.timestamp() * 1000))})
    row = models.CheckIn.objects.get()
    assert row.at == made and row.day == (NOW - timedelta(days=1)).date()


@pytest.mark.parametrize("made_at", ["", "soon", "٣٣", str(int((NOW + timedelta(hours=1)).timestamp() * 1000)),
                                     str(int((NOW - timedelta(days=30)).timestamp() * 1000)), "9" * 40])
def test_a_time_from_the_device_that_cannot_be_believed_gives_way_to_now(client, person, made_at):
    client.post("/log/", {"activity": "walk", "minutes": "10", "made_at": made_at})
    assert models.MovementSession.objects.get().day == NOW.date()


def test_a_device_id_that_is_not_one_shows_the_form_again_and_saves_nothing(client, snapshot):
    before = snapshot()
    for path, form in (("/log/", {"activity": "walk", "minutes": "10"}), ("/rest/", {}),
                       ("/checkin/", {"energy": "3", "mood": "3", "anxiety": "3"})):
        response = client.post(path, {**form, "device_id": "not one!"})
        assert response.status_code == 422
        assert "device id is letters, digits and hyphens" in page(response)
    assert snapshot() == before


def test_the_words_the_offline_script_and_the_pictures_show_are_kind():
    from tests.words import unkind

    for name in ("offline.js", "outbox.js", "sw.js", *(f"install/{p.name}" for p in
                                                       (phone_views.STATIC_DIR / "install").iterdir())):
        assert not unkind((phone_views.STATIC_DIR / name).read_text("utf-8")), name

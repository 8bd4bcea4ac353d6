"""Reminders end to end in the store: set, send when due (web push on loopback, email), at
most once per slot even with two senders at once, never on a logged or paused day; and the
pause actions. Runs on SQLite and, with KINDSTEP_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from kindstep.core import reminders as rules
from kindstep.core.checks import InvalidInput
from kindstep.store import actions, models, push, queries
from kindstep.store.reminders import send_due_reminders, send_test
from tests.store.push_service import Browser, PushService
from tests.words import unkind

MONDAY_0830 = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
"""08:30 in London (GMT) on Monday 30 November 2026."""


@pytest.fixture
def service():
    with PushService() as running:
        yield running


def subscribe(person, service, name="phone") -> Browser:
    browser = Browser()
    actions.add_push_subscription(person, endpoint=service.endpoint(name),
                                  p256dh=browser.p256dh, auth=_b64(browser.auth))
    return browser


def _b64(data: bytes) -> str:
    from tests.store.push_service import b64

    return b64(data)


def test_a_due_reminder_reaches_the_push_service_encrypted_and_reads_kindly(alice, service):
    actions.set_reminders(alice, days="mon,wed,fri", times="08:30")
    browser = subscribe(alice, service)
    assert send_due_reminders(MONDAY_0830 - timedelta(minutes=1)) == []
    sent = send_due_reminders(MONDAY_0830 + timedelta(seconds=20))
    assert sent == [(alice.pk, "2026-11-30", "08:30")]
    ((path, headers, body),) = service.received
    assert path == "/push/phone"
    assert headers["content-encoding"] == "aes128gcm"
    assert f"k={push.application_server_key()}" in headers["authorization"]  # signed by VAPID
    assert b"gentle" not in body and b"kindstep" not in body  # the service sees ciphertext only
    message = browser.read(body)
    slot = rules.Slot(date(2026, 11, 30), rules.parse_times("08:30")[0], MONDAY_0830)
    assert message == {"title": "kindstep", "body": rules.message(slot), "url": "/"}
    assert not unkind(message["body"])
    row = models.ReminderSent.objects.get(person=alice)
    assert (row.day, row.slot, row.channel, row.delivered) == (date(2026, 11, 30), "08:30",
                                                               "push", 1)


def test_a_slot_goes_once_however_often_the_worker_wakes(alice, service):
    actions.set_reminders(alice, days="mon", times="08:30")
    subscribe(alice, service)
    for minute in range(0, 90):
        send_due_reminders(MONDAY_0830 + timedelta(minutes=minute))
    assert len(service.received) == 1
    assert models.ReminderSent.objects.count() == 1


def test_no_reminder_on_a_day_already_moved_or_rested(alice, service):
    actions.set_reminders(alice, days="mon,tue", times="08:30")
    subscribe(alice, service)
    actions.log_session(alice, activity="walk", duration=10, day="2026-11-30",
                        now=MONDAY_0830 - timedelta(hours=1))
    actions.log_rest(alice, day="2026-12-01", now=MONDAY_0830 + timedelta(days=1))
    assert send_due_reminders(MONDAY_0830) == []
    assert send_due_reminders(MONDAY_0830 + timedelta(days=1)) == []
    assert service.received == []


def test_no_reminder_while_paused_and_again_once_it_ends(alice, service):
    actions.set_reminders(alice, days="mon,tue", times="08:30")
    subscribe(alice, service)
    actions.start_pause(alice, until="2026-11-30", reason="away", now=MONDAY_0830 - timedelta(
        hours=2))
    assert send_due_reminders(MONDAY_0830) == []
    assert len(send_due_reminders(MONDAY_0830 + timedelta(days=1))) == 1


def test_a_gone_subscription_is_forgotten(alice, service):
    actions.set_reminders(alice, days="mon", times="08:30")
    subscribe(alice, service, "old")
    service.status = 410
    send_due_reminders(MONDAY_0830)
    assert not models.PushSubscription.objects.exists()
    subscribe(alice, service, "other")
    service.status = 404
    assert send_test(alice) == ("push", 0)
    assert not models.PushSubscription.objects.exists()


def test_a_push_service_that_cannot_be_reached_leaves_the_subscription(alice):
    actions.add_push_subscription(alice, endpoint="http://127.0.0.1:9/push/x",
                                  p256dh=Browser().p256dh, auth=_b64(b"0123456789abcdef"))
    assert send_test(alice) == ("push", 0)
    assert models.PushSubscription.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_slot_once(service):
    from django.db import connection as main

    person = models.Person.objects.create(timezone="Europe/London")
    actions.set_reminders(person, days="mon", times="08:30")
    subscribe(person, service)
    start, results = threading.Barrier(2), []

    def worker():
        from django.db import connection

        try:
            start.wait()
            results.append(send_due_reminders(MONDAY_0830))
        except Exception as error:  # noqa: BLE001 - the assertion below shows it
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(len(r) for r in results) == [0, 1], (main.vendor, results)
    assert len(service.received) == 1
    assert models.ReminderSent.objects.count() == 1


def test_email_reminders_in_server_mode(alice, settings, mailoutbox):
    settings.MODE = "server"
    settings.ORIGIN = "https://kindstep.example.org"
    actions.set_reminders(alice, days="mon", times="08:30", channel="email",
                          email="alice@example.org")
    assert len(send_due_reminders(MONDAY_0830)) == 1
    (mail,) = mailoutbox
    assert mail.to == ["alice@example.org"]
    assert "https://kindstep.example.org/" in mail.body
    assert not unkind(mail.subject + mail.body)


def test_the_calendar_channel_sends_nothing_itself(alice, service):
    actions.set_reminders(alice, days="mon", times="08:30", channel="calendar")
    subscribe(alice, service)
    assert send_due_reminders(MONDAY_0830) == []
    assert service.received == []


@pytest.mark.parametrize(("kw", "field"), [
    ({"days": "someday", "times": "08:30"}, "days"),
    ({"days": "mon", "times": "8h"}, "time"),
    ({"days": "mon", "times": "08:30", "channel": "pigeon"}, "channel"),
    ({"days": "mon", "times": "08:30", "channel": "email", "email": "a@example.org"},
     "channel"),
    ({"days": "mon", "times": "23:00", "quiet": "22:00-07:00"}, "time"),
    ({"days": "mon", "times": "08:30", "quiet": "late"}, "quiet"),
])
def test_bad_reminder_settings_are_refused_and_nothing_is_written(alice, counts, kw, field):
    before = counts()
    with pytest.raises(InvalidInput) as err:
        actions.set_reminders(alice, **kw)
    assert err.value.field == field and not unkind(err.value.message)
    assert counts() == before


def test_email_needs_an_address(alice, settings, counts):
    settings.MODE = "server"
    before = counts()
    with pytest.raises(InvalidInput) as err:
        actions.set_reminders(alice, days="mon", times="08:30", channel="email")
    assert err.value.field == "email" and counts() == before


def test_off_means_no_reminders_and_the_plan_reads_back(alice):
    assert not queries.reminder_plan(alice)[0].on  # none by default
    actions.set_reminders(alice, days="fri,mon", times="18:00,08:30", quiet="22:00-07:00")
    plan, _ = queries.reminder_plan(alice)
    assert rules.described(plan) == ("Reminders on Monday and Friday at 08:30, 18:00, by web "
                                     "push; quiet 22:00-07:00.")
    assert actions.reminders_off(alice) and not actions.reminders_off(alice)
    assert not queries.reminder_plan(alice)[0].on


def test_a_push_subscription_needs_a_usable_endpoint_and_keys(alice, counts):
    before = counts()
    for endpoint in ("http://push.example.org/x", "ftp://127.0.0.1/x", "", "https://"):
        with pytest.raises(InvalidInput):
            actions.add_push_subscription(alice, endpoint=endpoint, p256dh="abc", auth="def")
    with pytest.raises(InvalidInput):
        actions.add_push_subscription(alice, endpoint="https://push.example.org/x",
                                      p256dh="<script>", auth="def")
    assert counts() == before


def test_the_calendar_feed_token_is_random_and_rotates(alice, charlie):
    first = actions.rotate_feed_token(alice)
    assert len(first) >= 40 and str(alice.pk) not in first.split("-")
    assert queries.feed_person(first) == alice
    second = actions.rotate_feed_token(alice)
    assert second != first
    assert queries.feed_person(first) is None and queries.feed_person(second) == alice
    assert queries.feed_person("") is None and queries.feed_person("x" * 100) is None


def test_the_vapid_key_is_made_once_and_kept(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    key = push.application_server_key()
    assert push.application_server_key() == key
    pem = tmp_path / "vapid_private.pem"
    assert pem.stat().st_mode & 0o777 == 0o600
    settings.MODE = "server"
    server_key = push.application_server_key()
    assert push.application_server_key() == server_key != key
    assert models.VapidKey.objects.count() == 1


# -- pause ---------------------------------------------------------------------------------


def test_a_pause_runs_from_today_and_ends_kindly(alice, now):
    today = queries.today(alice, now)
    actions.start_pause(alice, until=(today + timedelta(days=6)).isoformat(), reason="away",
                        now=now)
    current = queries.current_pause(alice, today)
    assert (current.start, current.until, current.reason) == (today, today + timedelta(days=6),
                                                              "away")
    # Changing it keeps one pause.
    actions.start_pause(alice, reason="unwell", now=now + timedelta(days=2))
    (row,) = models.Pause.objects.filter(person=alice)
    assert (row.start, row.until, row.reason) == (today, None, "unwell")
    assert actions.end_pause(alice, now=now + timedelta(days=3))
    row.refresh_from_db()
    assert row.until == today + timedelta(days=2)  # the days paused stay paused
    assert queries.current_pause(alice, today + timedelta(days=3)) is None
    assert not actions.end_pause(alice, now=now + timedelta(days=3))


def test_ending_a_pause_on_its_first_day_leaves_no_paused_day(alice, now):
    actions.start_pause(alice, now=now)
    assert actions.end_pause(alice, now=now)
    assert not models.Pause.objects.exists()


def test_a_pause_moves_the_data_version_so_pages_are_drawn_again(alice, now):
    version = models.Person.objects.get(pk=alice.pk).data_version
    actions.start_pause(alice, now=now)
    assert models.Person.objects.get(pk=alice.pk).data_version > version


@pytest.mark.parametrize(("kw", "field"), [
    ({"until": "2020-01-01"}, "until"),
    ({"until": "next week"}, "until"),
    ({"until": "2099-01-01"}, "until"),
    ({"reason": "bored"}, "reason"),
])
def test_a_bad_pause_is_refused_and_nothing_is_written(alice, now, counts, kw, field):
    before = counts()
    with pytest.raises(InvalidInput) as err:
        actions.start_pause(alice, now=now, **kw)
    assert err.value.field == field and not unkind(err.value.message)
    assert counts() == before


def test_today_offers_rest_and_the_gentlest_choices_while_paused(alice, now):
    actions.log_session(alice, activity="walk", duration=40, now=now - timedelta(days=1))
    actions.record_checkin(alice, energy=9, mood=7, anxiety=1, now=now)
    lively = queries.today_offer(alice, now)
    actions.start_pause(alice, reason="unwell", now=now)
    shown = queries.today_offer(alice, now)
    assert shown.pause is not None and shown.pause.reason == "unwell"
    assert max(c.intensity for c in shown.offer.choices) < max(
        c.intensity for c in lively.offer.choices)
    assert all(c.minutes <= 10 for c in shown.offer.choices)
    assert shown.offer.rest is not None
    assert "nothing counts against you" in shown.offer.notes[0]
    assert not unkind(" ".join(shown.offer.notes))

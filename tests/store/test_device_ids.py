"""An entry kept offline on a phone carries an id made there; the store keeps each id once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from kindstep.core.checks import InvalidInput
from kindstep.store import actions, models

pytestmark = pytest.mark.django_db(transaction=False)

DEVICE = "0f8e2c1a-4b7d-4e1f-9a3b-5c6d7e8f9a0b"


def test_a_checkin_sent_twice_is_stored_once(alice, now, counts):
    first = actions.record_checkin(alice, energy=3, mood=4, anxiety=5, now=now, device_id=DEVICE)
    before = counts()
    again = actions.record_checkin(alice, energy=3, mood=4, anxiety=5, now=now + timedelta(minutes=9),
                                   device_id=DEVICE)
    assert again.pk == first.pk and again.repeated and not first.repeated
    assert counts() == before
    assert models.CheckIn.objects.get().device_id == DEVICE


def test_a_session_sent_twice_is_stored_once_and_writes_nothing(alice, now):
    first = actions.log_session(alice, activity="walk", duration="10", now=now, device_id=DEVICE)
    version = models.Person.objects.get(pk=alice.pk).data_version
    again = actions.log_session(alice, activity="walk", duration="10", now=now, device_id=DEVICE)
    assert again.pk == first.pk and again.repeated
    assert models.MovementSession.objects.count() == 1
    # Not even the data version moved: the second send wrote nothing at all.
    assert models.Person.objects.get(pk=alice.pk).data_version == version


def test_a_rest_day_sent_twice_is_stored_once(alice, now):
    row, created = actions.log_rest(alice, note="slept in", now=now, device_id=DEVICE)
    again, created_again = actions.log_rest(alice, note="slept in", now=now, device_id=DEVICE)
    assert created and not created_again and again.pk == row.pk
    assert models.RestDay.objects.get().device_id == DEVICE


def test_a_rest_day_sent_for_a_day_already_rested_keeps_one(alice, now):
    actions.log_rest(alice, now=now)
    row, created = actions.log_rest(alice, now=now, device_id=DEVICE)
    assert not created and models.RestDay.objects.count() == 1


def test_entries_without_a_device_id_are_all_kept(alice, now):
    for _ in range(2):
        actions.record_checkin(alice, energy=3, mood=4, anxiety=5, now=now)
        actions.log_session(alice, activity="walk", duration="10", now=now, device_id="")
    assert models.CheckIn.objects.count() == 2 and models.MovementSession.objects.count() == 2


def test_the_same_device_id_is_its_own_for_each_person(alice, charlie, now):
    actions.log_session(alice, activity="walk", duration="10", now=now, device_id=DEVICE)
    theirs = actions.log_session(charlie, activity="yoga_gentle", duration="20", now=now,
                                 device_id=DEVICE)
    assert not theirs.repeated
    assert models.MovementSession.objects.filter(device_id=DEVICE).count() == 2


def test_a_removed_entry_sent_again_does_not_come_back(alice, now):
    row = actions.log_session(alice, activity="walk", duration="10", now=now, device_id=DEVICE)
    actions.delete_entry(alice, f"s{row.pk}", now=now)
    again = actions.log_session(alice, activity="walk", duration="10", now=now, device_id=DEVICE)
    assert again.pk == row.pk and again.removed_at is not None
    assert models.MovementSession.objects.count() == 1


def test_the_same_id_on_a_checkin_and_a_session_is_kept_for_both(alice, now):
    actions.record_checkin(alice, energy=3, mood=4, anxiety=5, now=now, device_id=DEVICE)
    session = actions.log_session(alice, activity="walk", duration="10", now=now, device_id=DEVICE)
    assert not session.repeated


@pytest.mark.parametrize("bad", ["short", "has space in it", "x" * 65, "semi;colon-1234", "é" * 10])
def test_a_device_id_that_is_not_one_is_refused_and_nothing_written(alice, now, counts, bad):
    before = counts()
    for write in (
        lambda: actions.record_checkin(alice, energy=3, mood=4, anxiety=5, now=now, device_id=bad),
        lambda: actions.log_session(alice, activity="walk", duration="10", now=now, device_id=bad),
        lambda: actions.log_rest(alice, now=now, device_id=bad),
    ):
        with pytest.raises(InvalidInput) as err:
            write()
        assert err.value.field == "device_id"
    assert counts() == before


@pytest.mark.django_db(transaction=True)
def test_two_sends_at_once_store_one_session(alice, now):
    """Two requests with the same entry racing (a retry while the first is still on its way).

    On SQLite the second waits for the first's write lock and then finds its row; on
    PostgreSQL both may look at once, and the unique constraint settles it.
    """
    results, problems = [], []
    barrier = threading.Barrier(2)

    def send():
        try:
            barrier.wait()
            results.append(actions.log_session(alice, activity="walk", duration="10", now=now,
                                               device_id=DEVICE))
        except Exception as exc:  # noqa: BLE001 - reported below, whatever it is
            problems.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not problems
    assert len({r.pk for r in results}) == 1 and sorted(r.repeated for r in results) == [False, True]
    assert models.MovementSession.objects.filter(device_id=DEVICE).count() == 1

"""Every write goes through an action; every refused value writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection

from kindstep.core.checks import InvalidInput
from kindstep.store import actions, models, queries

pytestmark = pytest.mark.django_db(transaction=False)


def test_a_checkin_is_stored_with_the_persons_local_day(alice, now):
    row = actions.record_checkin(alice, energy=3, mood="4", anxiety=6, minutes="15", sleep="6.5",
                                 note="tight shoulders", now=now)
    row.refresh_from_db()
    assert (row.energy, row.mood, row.anxiety) == (3, 4, 6)
    assert row.minutes_available == 15
    assert row.sleep_hours == 6.5
    assert row.body_note == "tight shoulders"
    assert row.day == date(2026, 11, 25)


def test_a_late_night_belongs_to_the_day_before(alice):
    # 02:30 in London is before the default 04:00 day start.
    late = datetime(2026, 11, 26, 2, 30, tzinfo=UTC)
    row = actions.record_checkin(alice, energy=2, mood=3, anxiety=4, now=late)
    assert row.day == date(2026, 11, 25)


def test_the_day_follows_the_persons_time_zone(charlie):
    # 03:00 UTC on the 25th is 22:00 on the 24th in New York.
    row = actions.log_session(charlie, activity="walk", duration="10m",
                              now=datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
    assert row.day == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("energy", 11, "Energy is a number from 0 to 10"),
        ("energy", -1, "Energy is a number from 0 to 10"),
        ("mood", "lots", "Mood is a whole number from 0 to 10"),
        ("anxiety", 99, "Anxiety is a number from 0 to 10"),
        ("minutes", 5000, "from 0 to 1440"),
        ("sleep", 30, "Sleep is a number of hours from 0 to 24"),
        ("day", "2026-13-01", "use YYYY-MM-DD"),
        ("day", "2027-01-01", "in the future"),
    ],
)
def test_a_checkin_out_of_range_is_refused_and_nothing_is_written(alice, now, counts, field, value, words):
    before = counts()
    kwargs = {"energy": 5, "mood": 5, "anxiety": 5, field: value}
    with pytest.raises(InvalidInput) as refused:
        actions.record_checkin(alice, now=now, **kwargs)
    assert words in refused.value.message
    assert counts() == before


def test_a_session_keeps_the_met_value_it_was_logged_with(alice, now):
    row = actions.log_session(alice, activity="WALK", duration="1h15m", effort=4, before=3,
                              after=6, note="sun on my face", now=now)
    row.refresh_from_db()
    assert row.activity == "walk"
    assert row.minutes == 75
    assert row.met == 2.8
    assert (row.effort, row.mood_before, row.mood_after) == (4, 3, 6)


def test_an_unknown_activity_is_refused_with_the_closest_names(alice, now, counts):
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        actions.log_session(alice, activity="wlak", duration=10, now=now)
    assert refused.value.field == "activity"
    assert "Did you mean walk" in refused.value.message
    assert counts() == before


@pytest.mark.parametrize("duration", ["0", "-5", "25h", "1441", "soon", "", "0m"])
def test_an_impossible_duration_is_refused_and_nothing_is_written(alice, now, counts, duration):
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        actions.log_session(alice, activity="walk", duration=duration, now=now)
    assert refused.value.field == "duration"
    assert counts() == before


@pytest.mark.parametrize(
    ("field", "value"), [("effort", 11), ("before", -1), ("after", "x"), ("day", "2026-11-26"),
                         ("day", "25/11/2026"), ("note", "x" * 2001)]
)
def test_a_bad_session_detail_is_refused_and_nothing_is_written(alice, now, counts, field, value):
    before = counts()
    with pytest.raises(InvalidInput):
        actions.log_session(alice, activity="walk", duration=10, now=now, **{field: value})
    assert counts() == before


def test_a_past_day_can_be_logged(alice, now):
    row = actions.log_session(alice, activity="yoga_gentle", duration=20, day="2026-11-01", now=now)
    assert row.day == date(2026, 11, 1)


def test_marking_a_rest_day_twice_keeps_one_and_updates_the_note(alice, now):
    first, created = actions.log_rest(alice, now=now)
    again, created_again = actions.log_rest(alice, note="tired, and that is fine", now=now)
    assert created and not created_again
    assert first.pk == again.pk
    assert models.RestDay.objects.get().note == "tired, and that is fine"


def test_editing_a_session_changes_only_what_was_named(alice, now):
    row = actions.log_session(alice, activity="walk", duration=10, note="keep me", now=now)
    actions.edit_entry(alice, f"s{row.pk}", now=now, duration="25m", activity="walk_brisk")
    row.refresh_from_db()
    assert (row.minutes, row.activity, row.note) == (25, "walk_brisk", "keep me")
    assert row.met == 4.8


def test_an_optional_answer_given_as_empty_is_taken_back_and_a_required_one_is_refused(alice, now):
    row = actions.log_session(alice, activity="walk", duration=10, effort=4, before=3, after=6,
                              now=now)
    actions.edit_entry(alice, f"s{row.pk}", now=now, effort="", after="  ")
    row.refresh_from_db()
    assert (row.effort, row.mood_before, row.mood_after, row.minutes) == (None, 3, None, 10)
    with pytest.raises(InvalidInput):  # a duration cannot be taken back, only changed
        actions.edit_entry(alice, f"s{row.pk}", now=now, duration="")
    c = actions.record_checkin(alice, energy=2, mood=3, anxiety=4, minutes=15, sleep=7, now=now)
    actions.edit_entry(alice, f"c{c.pk}", now=now, sleep="")
    c.refresh_from_db()
    assert (c.sleep_hours, c.minutes_available) == (None, 15)


def test_a_bad_edit_changes_nothing(alice, now):
    row = actions.log_session(alice, activity="walk", duration=10, now=now)
    with pytest.raises(InvalidInput):
        actions.edit_entry(alice, f"s{row.pk}", now=now, duration="20m", effort=12)
    row.refresh_from_db()
    assert (row.minutes, row.effort) == (10, None)


def test_editing_a_field_the_entry_does_not_have_is_refused(alice, now):
    rest, _ = actions.log_rest(alice, now=now)
    with pytest.raises(InvalidInput) as refused:
        actions.edit_entry(alice, f"r{rest.pk}", now=now, energy=3)
    assert "has no 'energy'" in refused.value.message


def test_a_checkin_can_be_edited(alice, now):
    row = actions.record_checkin(alice, energy=2, mood=3, anxiety=7, now=now)
    actions.edit_entry(alice, f"c{row.pk}", now=now, anxiety=4)
    row.refresh_from_db()
    assert row.anxiety == 4


def test_deleting_removes_the_entry_from_the_record(alice, now):
    row = actions.log_session(alice, activity="walk", duration=10, now=now)
    ref = actions.delete_entry(alice, f"s{row.pk}", now=now)
    assert ref.label == f"s{row.pk}"
    assert queries.history(alice).sessions == ()
    assert models.MovementSession.objects.get().removed_at == now  # until undo's hour is over


@pytest.mark.parametrize("entry", ["x1", "s", "s0", "", "s-3", "sabc"])
def test_a_malformed_entry_id_is_refused(alice, now, entry):
    with pytest.raises(InvalidInput) as refused:
        actions.delete_entry(alice, entry, now=now)
    assert "s12" in refused.value.message


def test_charlie_cannot_edit_or_delete_alices_entries(alice, charlie, now, counts):
    row = actions.log_session(alice, activity="walk", duration=10, now=now)
    before = counts()
    with pytest.raises(InvalidInput):
        actions.delete_entry(charlie, f"s{row.pk}", now=now)
    with pytest.raises(InvalidInput):
        actions.edit_entry(charlie, f"s{row.pk}", now=now, duration=50)
    assert counts() == before
    row.refresh_from_db()
    assert row.minutes == 10


def test_settings_are_validated_before_any_is_saved(alice):
    with pytest.raises(InvalidInput):
        actions.update_settings(alice, target_days=4, timezone="Mars/Olympus")
    alice.refresh_from_db()
    assert (alice.target_days, alice.timezone) == (3, "Europe/London")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"target_days": 0}, "target_days"), ({"target_days": 8}, "target_days"),
     ({"day_start": 13}, "day_start"), ({"country": "Britain"}, "country"),
     ({"avoided": ["swimmming"]}, "activity"), ({"week_start": 7}, "week_start")],
)
def test_each_bad_setting_names_its_field(alice, kwargs, field):
    with pytest.raises(InvalidInput) as refused:
        actions.update_settings(alice, **kwargs)
    assert refused.value.field == field


def test_settings_are_saved(alice):
    actions.update_settings(alice, country="ie", timezone="Europe/Dublin", target_days=4,
                            day_start=5, liked=["walk", "Walk_dog"], avoided=["jog"])
    alice.refresh_from_db()
    assert (alice.country, alice.timezone, alice.target_days, alice.day_start_hour) == (
        "IE", "Europe/Dublin", 4, 5)
    assert alice.liked == ["walk", "walk_dog"]
    assert alice.avoided == ["jog"]


def test_history_comes_back_as_core_values_oldest_first(alice, now):
    actions.log_session(alice, activity="walk", duration=10, day="2026-11-20", now=now)
    actions.log_session(alice, activity="tai_chi", duration=15, day="2026-11-02", now=now)
    actions.log_rest(alice, day="2026-11-21", now=now)
    h = queries.history(alice, since=date(2026, 11, 1), until=date(2026, 11, 25))
    assert [s.activity for s in h.sessions] == ["tai_chi", "walk"]
    assert h.rest_day_dates == {date(2026, 11, 21)}
    assert queries.first_day(alice) == date(2026, 11, 2)


def test_the_latest_checkin_of_the_day_is_the_one_that_counts(alice, now):
    actions.record_checkin(alice, energy=2, mood=2, anxiety=8, now=now)
    actions.record_checkin(alice, energy=6, mood=5, anxiety=3,
                           now=now.replace(hour=18))
    assert queries.latest_checkin(alice, date(2026, 11, 25)).energy == 6


def test_the_local_person_is_created_once(db):
    first = actions.local_person()
    assert actions.local_person().pk == first.pk
    assert models.Person.objects.count() == 1


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(db):
    if connection.vendor != "sqlite":
        pytest.skip("WAL is a SQLite setting; this run is on " + connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.settings_dict["OPTIONS"]["timeout"] >= 5


# -- ids with digits that are not ASCII, and undo used twice ---------------------------------


@pytest.mark.parametrize("entry", ["s²", "²", "c³", "r¹", "j²", "s１２", "s١", "s1²"])
def test_an_entry_id_with_digits_other_than_0_to_9_is_no_entry(alice, now, entry):
    # "²".isdigit() is true but int("²") fails; "١" and "１２" would name another number.
    actions.log_session(alice, activity="walk", duration=10, now=now)
    with pytest.raises(InvalidInput) as refused:
        actions.parse_entry_id(entry)
    assert refused.value.field == "id" and "s12" in refused.value.message
    with pytest.raises(InvalidInput):
        actions.edit_entry(alice, entry, now=now, duration=20)
    with pytest.raises(InvalidInput):
        actions.delete_entry(alice, entry, now=now)
    assert models.MovementSession.objects.get().minutes == 10


def _log(kind: str, person, now):
    if kind == "session":
        return "s", actions.log_session(person, activity="walk", duration=10, note="sun", now=now)
    if kind == "rest":
        return "r", actions.log_rest(person, note="tired, and fine", now=now)[0]
    return "c", actions.record_checkin(person, energy=3, mood=4, anxiety=5, now=now)


def _version(person) -> int:
    return models.Person.objects.get(pk=person.pk).data_version


@pytest.mark.parametrize("kind", ["session", "rest", "checkin"])
def test_undoing_the_same_removal_twice_puts_back_one_entry(alice, now, counts, kind):
    prefix, row = _log(kind, alice, now)
    model = type(row)
    before = counts()
    label = f"{prefix}{row.pk}"
    actions.delete_entry(alice, label, now=now)
    first = actions.restore_entry(alice, label, now=now)
    assert (first.pk, first.already_back, first.undo_message) == (row.pk, False, "")
    version = _version(alice)
    again = actions.restore_entry(alice, label, now=now)
    assert counts() == before and model.objects.filter(person=alice).count() == 1
    assert again.pk == row.pk and again.already_back
    assert again.undo_message == (f"{label} is already back in your record,"
                                  " so there was nothing more to undo.")
    assert _version(alice) == version  # nothing was written
    assert model.objects.get(pk=row.pk).removed_at is None


def test_an_entry_edited_after_its_undo_stays_as_edited_after_a_second_undo(alice, now):
    row = actions.log_session(alice, activity="walk", duration=10, now=now)
    actions.delete_entry(alice, f"s{row.pk}", now=now)
    actions.restore_entry(alice, f"s{row.pk}", now=now)
    actions.edit_entry(alice, f"s{row.pk}", now=now, duration=25)
    assert actions.restore_entry(alice, f"s{row.pk}", now=now).already_back
    (back,) = models.MovementSession.objects.filter(person=alice)
    assert (back.pk, back.minutes) == (row.pk, 25)


@pytest.mark.django_db(transaction=True)
def test_two_undos_sent_at_once_put_back_one_entry(alice, now):
    # A double click on PostgreSQL: two requests, two connections, the same entry at once.
    # (SQLite takes its write lock when a transaction begins, so there they cannot interleave.)
    import threading

    from django.db import connection as main

    if main.vendor != "postgresql":
        pytest.skip("two connections racing need PostgreSQL; this run is on " + main.vendor)
    row = actions.log_session(alice, activity="walk", duration=10, now=now)
    actions.delete_entry(alice, f"s{row.pk}", now=now)
    start, results = threading.Barrier(2), []

    def undo():
        from django.db import connection

        try:
            start.wait()
            results.append(actions.restore_entry(alice, f"s{row.pk}", now=now))
        except Exception as error:  # noqa: BLE001 - the assertion below shows it
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=undo) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(getattr(r, "already_back", r) for r in results) == [False, True]
    assert {r.pk for r in results} == {row.pk}
    assert models.MovementSession.objects.filter(person=alice, removed_at__isnull=True).count() == 1


@pytest.mark.parametrize(("tz", "zone"), [
    ("Pacific/Auckland", "Pacific/Auckland"), (":Europe/Berlin", "Europe/Berlin"),
    ("posix/Australia/Sydney", "Australia/Sydney"), ("Etc/UTC", "UTC"), ("UTC", "UTC"),
])
def test_the_local_person_starts_in_the_computers_own_time_zone(db, monkeypatch, tz, zone):
    """Someone in Auckland logging at 8 am gets their own today from the first step."""
    monkeypatch.setenv("TZ", tz)
    assert actions.system_timezone() == zone
    assert actions.local_person().timezone == zone


@pytest.mark.parametrize("tz", ["", "Mars/Olympus_Mons", "CET-1CEST"])
def test_a_zone_kindstep_cannot_read_falls_back_to_the_systems_files_or_utc(db, monkeypatch, tz):
    from kindstep.core.days import valid_timezone

    monkeypatch.setenv("TZ", tz)
    zone = actions.system_timezone()
    assert valid_timezone(zone) and zone != tz


def test_an_existing_person_keeps_their_own_zone(db, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    first = actions.local_person()
    first.timezone = "Europe/Dublin"
    first.save()
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    assert actions.local_person().timezone == "Europe/Dublin"

"""Imported journal moods and sleep reach insights and the record, and only their owner's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from kindstep.store import actions, models, queries
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)


def journal(person, day: date, mood: int, *, hour: int = 20, source: str = "daylio", **fields):
    """A journal mood as an import stores it."""
    return models.JournalEntry.objects.create(
        person=person, source=source, external_id=f"{day}-{hour}-{mood}", day=day,
        at=datetime(day.year, day.month, day.day, hour, tzinfo=UTC), mood=mood, **fields,
    )


def sleep(person, day: date, hours: float, source: str = "apple_health"):
    """A night's sleep as the Apple Health import stores it."""
    return models.DailyMeasure.objects.create(
        person=person, day=day, kind=models.DailyMeasure.Kind.SLEEP_HOURS, value=hours,
        source=source,
    )


def moved(person, day: date):
    return actions.log_session(person, activity="walk", duration="20",
                               now=datetime(day.year, day.month, day.day, 12, tzinfo=UTC))


def planted_record(person, days: int = 28):
    """Journal moods only: 7 on days with a walk, 4 on the others."""
    for back in range(days):
        day = TODAY - timedelta(days=back)
        active = back % 2 == 0
        if active:
            moved(person, day)
        journal(person, day, 7 if active else 4)


# -- insights -----------------------------------------------------------------------------


def test_journal_moods_reach_insights_on_days_without_a_checkin(alice):
    planted_record(alice)
    result = queries.insights_for(alice, TODAY)
    section = result.active_vs_rest
    assert section.enough_data and section.n == 28
    assert section.estimate == pytest.approx(3.0)


def test_removed_journal_moods_leave_insights(alice):
    planted_record(alice)
    for entry in models.JournalEntry.objects.filter(person=alice, mood=4)[:10]:
        actions.delete_entry(alice, f"j{entry.pk}", now=NOW)
    section = queries.insights_for(alice, TODAY).active_vs_rest
    assert section.n == 18  # 28 days with a mood, less the 10 removed


def test_without_any_mood_insights_say_more_is_needed(alice):
    for back in range(0, 28, 2):
        moved(alice, TODAY - timedelta(days=back))
    section = queries.insights_for(alice, TODAY).active_vs_rest
    assert not section.enough_data and section.n == 0


def test_a_persons_own_checkin_wins_over_a_journal_mood_the_same_day(alice):
    planted_record(alice)
    # On every active day the person also checked in with 9: those days now count 9, not 7.
    for back in range(0, 28, 2):
        day = TODAY - timedelta(days=back)
        actions.record_checkin(alice, energy=5, mood=9, anxiety=3,
                               now=datetime(day.year, day.month, day.day, 8, tzinfo=UTC))
    section = queries.insights_for(alice, TODAY).active_vs_rest
    assert section.n == 28
    assert section.estimate == pytest.approx(5.0)


def test_the_latest_journal_mood_of_a_day_counts(alice):
    planted_record(alice)
    for back in range(1, 28, 2):  # an earlier, lower mood on every rest day changes nothing
        journal(alice, TODAY - timedelta(days=back), 0, hour=7)
    assert queries.insights_for(alice, TODAY).active_vs_rest.estimate == pytest.approx(3.0)


def test_insights_never_read_a_checkins_energy_or_anxiety():
    # insights_for relies on this: journal moods travel with placeholder energy and anxiety.
    from kindstep.core.insights import insights
    from kindstep.core.values import CheckIn, History, Session

    days = [TODAY - timedelta(days=back) for back in range(28)]
    sessions = tuple(Session(d, "walk", 20) for i, d in enumerate(days) if i % 2 == 0)

    def record(energy, anxiety):
        return History(sessions=sessions, checkins=tuple(
            CheckIn(d, energy(i), 4 + (i % 2 == 0) * 3 + i % 3, anxiety(i))
            for i, d in enumerate(reversed(days))))

    placeholder = record(lambda i: queries.JOURNAL_PLACEHOLDER,
                         lambda i: queries.JOURNAL_PLACEHOLDER)
    varied = record(lambda i: i % 11, lambda i: 10 - i % 7)
    assert insights(placeholder, today=TODAY) == insights(varied, today=TODAY)


def test_journal_moods_after_today_wait_for_their_day(alice):
    planted_record(alice)
    journal(alice, TODAY + timedelta(days=1), 10)
    assert queries.insights_for(alice, TODAY).active_vs_rest.n == 28


def test_charlies_journal_never_reaches_alices_insights(alice, charlie):
    planted_record(charlie)
    section = queries.insights_for(alice, TODAY).active_vs_rest
    assert section.n == 0 and not section.enough_data


# -- the record -----------------------------------------------------------------------------


def test_imported_entries_lists_journal_moods_and_sleep_in_the_range(alice):
    inside = journal(alice, date(2026, 11, 20), 6, note="slow morning", energy=4,
                     activities=["walk", "reading"])
    night = sleep(alice, date(2026, 11, 21), 7.5)
    journal(alice, date(2026, 11, 9), 3)  # before the range
    sleep(alice, date(2026, 11, 26), 8)  # after it
    models.DailyMeasure.objects.create(person=alice, day=date(2026, 11, 21), value=4000,
                                       kind=models.DailyMeasure.Kind.STEPS, source="apple_health")
    rows = queries.imported_entries(alice, since=date(2026, 11, 10), until=TODAY)
    assert rows == [
        {"kind": "journal", "day": date(2026, 11, 20), "at": inside.at, "mood": 6, "energy": 4,
         "anxiety": None, "note": "slow morning", "activities": ["walk", "reading"],
         "source": "daylio", "mood_name": "", "pk": inside.pk},
        {"kind": "sleep", "day": date(2026, 11, 21), "hours": 7.5, "source": "apple_health",
         "pk": night.pk},
    ]


def test_imported_entries_include_both_ends_of_the_range(alice):
    journal(alice, date(2026, 11, 10), 5)
    sleep(alice, TODAY, 6)
    days = [e["day"] for e in queries.imported_entries(alice, since=date(2026, 11, 10),
                                                       until=TODAY)]
    assert days == [date(2026, 11, 10), TODAY]


def test_imported_entries_never_show_charlies_rows_to_alice(alice, charlie):
    journal(charlie, date(2026, 11, 20), 6)
    sleep(charlie, date(2026, 11, 20), 7)
    assert queries.imported_entries(alice, since=date(2026, 11, 1), until=TODAY) == []
    assert len(queries.imported_entries(charlie, since=date(2026, 11, 1), until=TODAY)) == 2


def test_a_daylio_file_imported_shows_in_the_record(alice, tmp_path):
    from kindstep.store.importing import import_file
    from tests.importers.test_journals import DAYLIO

    path = tmp_path / "daylio.csv"
    path.write_text(DAYLIO, encoding="utf-8")
    import_file(alice, path, now=NOW)
    stored = models.JournalEntry.objects.filter(person=alice).count()
    rows = queries.imported_entries(alice)
    assert stored and [e["kind"] for e in rows] == ["journal"] * stored

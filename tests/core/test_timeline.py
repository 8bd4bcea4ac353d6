"""History's words and order (core.timeline), the same for every interface."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from kindstep.core import timeline
from kindstep.core.catalogue import load_catalogue
from kindstep.core.values import CheckIn, RestDay, Session

DAY = date(2026, 11, 24)


def walk(**fields) -> Session:
    values = {"day": DAY, "activity": "walk", "minutes": 10, "met": 3.5, "id": 12, **fields}
    return Session(**values)


def test_a_session_is_worded_with_its_activity_minutes_and_details():
    entry = timeline.session(walk(mood_before=4, mood_after=6, effort=5, distance_m=2500.0,
                                  energy_kcal=120.0, note="cold air"), load_catalogue())
    assert (entry.id, entry.what) == ("s12", "Walk at an easy pace, 10 min")
    assert entry.details == ("mood 4 → 6", "felt 5/10", "2.50 km")  # energy is never shown
    assert (entry.note, entry.source, entry.imported) == ("cold air", "", False)


def test_a_mood_given_only_after_shows_a_question_mark_before():
    assert timeline.session(walk(mood_after=6), load_catalogue()).details == ("mood ? → 6",)


def test_an_activity_the_catalogue_no_longer_holds_is_named_by_its_code():
    assert timeline.session(walk(activity="unicycling"), load_catalogue()).what == "unicycling, 10 min"


def test_rest_days_and_checkins_are_worded_plainly():
    assert timeline.rest(RestDay(DAY, "slept in", id=3)).what == "Rest day"
    entry = timeline.checkin(CheckIn(DAY, 2, 3, 7, body_note="tight chest", id=5,
                                     at=datetime(2026, 11, 24, 9, tzinfo=UTC)))
    assert (entry.id, entry.what, entry.note) == ("c5", "Check-in: energy 2, mood 3, anxiety 7",
                                                   "tight chest")


def test_imported_moods_and_nights_name_the_app_they_came_from():
    mood = timeline.journal({"pk": 4, "day": DAY, "mood": 6, "energy": None, "anxiety": 3,
                             "note": "", "activities": ["walk", "family"], "source": "daylio"})
    assert (mood.id, mood.what, mood.details, mood.source) == (
        "j4", "Mood 6, anxiety 3", ("walk, family",), "Daylio")
    night = timeline.sleep({"pk": 9, "day": DAY, "hours": 1.04, "source": "apple_health"})
    assert (night.id, night.what, night.source, night.imported) == (
        "n9", "Sleep: 1 hour", "Apple Health", True)
    assert timeline.hours_text(7.46) == "7.5 hours"


def test_entries_are_newest_day_first_then_by_kind_then_latest_first():
    catalogue = load_catalogue()
    older = timeline.rest(RestDay(date(2026, 11, 20), id=1))
    rest = timeline.rest(RestDay(DAY, id=2))
    early, late = timeline.session(walk(id=3), catalogue), timeline.session(walk(id=10), catalogue)
    feel = timeline.checkin(CheckIn(DAY, 5, 5, 5, id=7))
    mood = timeline.journal({"pk": 1, "day": DAY, "mood": 5, "source": "daylio"})
    night = timeline.sleep({"pk": 2, "day": DAY, "hours": 7, "source": "apple_health"})
    shuffled = [older, night, early, rest, late, mood, feel]
    assert [e.id for e in timeline.ordered(shuffled)] == ["c7", "j1", "s10", "s3", "r2", "n2", "r1"]


@given(st.lists(st.tuples(st.sampled_from(sorted(timeline.KIND_ORDER)), st.integers(1, 10**6),
                          st.dates(date(2020, 1, 1), date(2030, 1, 1))), max_size=30))
def test_the_order_never_depends_on_the_order_entries_arrive_in(rows):
    entries = [timeline.Entry(kind, pk, day, "", (), "", "", None) for kind, pk, day in rows]
    once = timeline.ordered(entries)
    assert timeline.ordered(reversed(entries)) == once
    assert [e.day for e in once] == sorted((e.day for e in once), reverse=True)

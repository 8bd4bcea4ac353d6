"""The hand-written reads in store/queries.py give exactly what the ORM gives, on both databases.

Each reference below is the ORM reading the same rows; run with
KINDSTEP_DATABASE_URL=postgresql://... to check PostgreSQL too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db.models import Max

from kindstep.store import actions, mapping, models, queries
from tests.conftest import NOW

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)


@pytest.fixture
def record(alice, charlie):
    """Three weeks of Alice's record (notes, blanks, several a day) and a little of Charlie's."""
    for back in range(21):
        at = NOW - timedelta(days=back, hours=back % 5)
        actions.record_checkin(alice, energy=back % 11, mood=(3 * back) % 11, anxiety=2,
                               minutes=None if back % 3 else 15, sleep=7.5 if back % 4 else None,
                               note="heavy legs" if back % 6 == 0 else "", now=at)
        if back % 2:
            actions.log_session(alice, activity="walk", duration=10 + back, effort=back % 10,
                                before=None if back % 3 else 4, after=6, note="by the river",
                                now=at)
            actions.log_session(alice, activity="yoga_gentle", duration=5, now=at)
        elif back % 5 == 0:
            actions.log_rest(alice, note="tired" if back else "", now=at)
    actions.record_checkin(alice, energy=4, mood=4, anxiety=4, now=NOW)  # two today
    actions.log_session(charlie, activity="walk", duration=30, now=NOW)
    actions.record_checkin(charlie, energy=9, mood=9, anxiety=0, now=NOW)
    actions.log_rest(charlie, day="2026-11-20", now=NOW)
    for back, mood in ((2, 6), (2, 3), (9, 5)):
        day = TODAY - timedelta(days=back)
        models.JournalEntry.objects.create(
            person=alice, source="daylio", external_id=f"{back}-{mood}", day=day,
            at=datetime(day.year, day.month, day.day, 8 + mood, 30, 15, 250000, tzinfo=UTC),
            mood=mood, energy=None if mood == 3 else 4, note="tea" if mood == 6 else "",
            activities=["walk", "friends"] if mood == 6 else [])
    for back, hours, source in ((1, 7.25, "apple_health"), (1, 6.0, "fitbit"), (4, 1.0, "x")):
        models.DailyMeasure.objects.create(
            person=alice, day=TODAY - timedelta(days=back), kind="sleep_hours", value=hours,
            source=source)
    models.DailyMeasure.objects.create(person=alice, day=TODAY, kind="steps", value=4000,
                                       source="apple_health")
    return alice


def orm_history(person, since=None, until=None, checkins=True):
    def window(qs):
        if since is not None:
            qs = qs.filter(day__gte=since)
        if until is not None:
            qs = qs.filter(day__lte=until)
        return qs.filter(person=person)

    return (
        tuple(mapping.session(r)
              for r in window(models.MovementSession.objects).order_by("day", "id")),
        tuple(mapping.rest_day(r) for r in window(models.RestDay.objects).order_by("day")),
        tuple(mapping.checkin(r) for r in window(models.CheckIn.objects).order_by("at", "id"))
        if checkins else (),
    )


@pytest.mark.parametrize(("since", "until"), [
    (None, None), (TODAY - timedelta(days=6), TODAY), (None, TODAY - timedelta(days=3)),
    (TODAY - timedelta(days=10), None), (TODAY + timedelta(days=1), None),
])
def test_history_reads_what_the_orm_reads(record, since, until):
    for checkins in (True, False):
        h = queries.history(record, since=since, until=until, checkins=checkins)
        assert (h.sessions, h.rest_days, h.checkins) == orm_history(record, since, until, checkins)
        h = queries.history(record, since=since, until=until, checkins=checkins, rest_days=False)
        sessions, _, checkin_values = orm_history(record, since, until, checkins)
        assert (h.sessions, h.rest_days, h.checkins) == (sessions, (), checkin_values)
    assert all(c.at.tzinfo is not None and c.at.utcoffset() == timedelta(0)
               for c in queries.history(record).checkins)


def test_history_is_only_the_persons_own(record, charlie):
    h = queries.history(charlie)
    assert (len(h.sessions), len(h.rest_days), len(h.checkins)) == (1, 1, 1)
    assert (h.sessions, h.rest_days, h.checkins) == orm_history(charlie)


def test_latest_checkin_is_the_orms_latest_of_the_day(record, charlie):
    for person in (record, charlie):
        for day in (TODAY, TODAY - timedelta(days=3), TODAY + timedelta(days=1)):
            row = (models.CheckIn.objects.filter(person=person, day=day)
                   .order_by("-at", "-id").first())
            assert queries.latest_checkin(person, day) == (mapping.checkin(row) if row else None)
    assert queries.latest_checkin(record, TODAY).energy == 4


def test_imported_entries_read_what_the_orm_reads(record):
    journal = list(models.JournalEntry.objects.filter(person=record).order_by("day", "at", "id"))
    sleep = list(models.DailyMeasure.objects.filter(person=record, kind="sleep_hours")
                 .order_by("day", "source", "id"))
    expected = [
        {"kind": "journal", "day": j.day, "at": j.at, "mood": j.mood, "energy": j.energy,
         "anxiety": j.anxiety, "note": j.note, "activities": j.activities, "source": j.source,
         "mood_name": j.mood_name, "pk": j.pk} for j in journal
    ] + [{"kind": "sleep", "day": m.day, "hours": m.value, "source": m.source, "pk": m.pk}
         for m in sleep]
    expected.sort(key=lambda e: e["day"])
    assert queries.imported_entries(record) == expected
    since, until = TODAY - timedelta(days=4), TODAY - timedelta(days=1)
    assert [e["pk"] for e in queries.imported_entries(record, since=since, until=until)] == [
        e["pk"] for e in expected if since <= e["day"] <= until]


def test_questionnaire_due_matches_the_orms_last_days(alice):
    def orm_last():
        return dict(models.QuestionnaireResponse.objects.filter(person=alice)
                    .values("scale").annotate(last=Max("day")).values_list("scale", "last"))

    assert queries.questionnaire_due(alice, TODAY) == ["phq9", "gad7"]
    actions.answer_questionnaire(alice, "phq9", "0,0,0,0,0,0,0,0,0", now=NOW - timedelta(days=20))
    actions.answer_questionnaire(alice, "phq9", "1,0,0,0,0,0,0,0,0", now=NOW - timedelta(days=3))
    actions.answer_questionnaire(alice, "phq2", "1,1", now=NOW)
    assert set(orm_last()) == {"phq9", "phq2"}
    assert queries.questionnaire_due(alice, TODAY) == ["gad7"]
    assert queries.questionnaire_due(alice, TODAY + timedelta(days=11)) == ["phq9", "gad7"]


def test_safety_event_open_agrees_with_last_safety_event(alice, charlie):
    assert not queries.safety_event_open(alice)
    actions.record_movement_symptoms(charlie, ["chest_pain"], now=NOW)
    assert not queries.safety_event_open(alice)
    actions.record_movement_symptoms(alice, ["chest_pain"], now=NOW)
    assert queries.safety_event_open(alice) and queries.last_safety_event(alice) is not None
    actions.acknowledge_safety_events(alice, now=NOW)
    assert not queries.safety_event_open(alice) and queries.last_safety_event(alice) is None


def test_experiment_today_reads_the_running_experiment_and_todays_rating(alice, charlie):
    assert queries.experiment_today(alice, TODAY) is None
    actions.start_experiment(charlie, template="morning_walk", now=NOW - timedelta(days=3), seed=5)
    actions.log_experiment_outcome(charlie, 9, day=TODAY, now=NOW)
    assert queries.experiment_today(alice, TODAY) is None
    row = actions.start_experiment(alice, template="morning_walk", now=NOW - timedelta(days=3),
                                   seed=5)
    plan = queries.experiment_today(alice, TODAY)
    assert plan["id"] == row.pk and plan["day"] == 4 and plan["rated_today"] is None
    actions.log_experiment_outcome(alice, 6, day=TODAY - timedelta(days=1), now=NOW)
    assert queries.experiment_today(alice, TODAY)["rated_today"] is None
    actions.log_experiment_outcome(alice, 7, day=TODAY, now=NOW)
    assert queries.experiment_today(alice, TODAY)["rated_today"] == 7
    assert queries.experiment_today(charlie, TODAY)["rated_today"] == 9
    assert queries.experiment_today(alice, TODAY)["line"] == plan["line"]
    actions.stop_experiment(alice, now=NOW)
    assert queries.experiment_today(alice, TODAY) is None


def separately(person, day):
    return queries.TodaySummary(
        latest=queries.latest_checkin(person, day), due=queries.questionnaire_due(person, day),
        safety_event_open=queries.safety_event_open(person, models.SafetyEvent.Kind.PHQ9_ITEM9),
        experiment=queries.experiment_today(person, day))


def test_today_summary_is_the_four_reads_in_one(record, charlie):
    days = (TODAY, TODAY - timedelta(days=1), TODAY + timedelta(days=1), TODAY + timedelta(days=20))

    def check():
        for person in (record, charlie):
            person.refresh_from_db()
            for day in days:
                assert queries.today_summary(person, day) == separately(person, day)

    check()  # check-ins; nothing else yet
    actions.answer_questionnaire(record, "gad7", "1,1,1,1,1,1,1", now=NOW - timedelta(days=2))
    actions.record_movement_symptoms(record, ["chest_pain"], now=NOW)
    check()
    summary = queries.today_summary(record, TODAY)
    assert summary.due == ["phq9"] and not summary.safety_event_open  # symptoms: heeded apart
    actions.answer_questionnaire(record, "phq9", "0,0,0,0,0,0,0,0,1", now=NOW - timedelta(days=1))
    actions.start_experiment(record, template="morning_walk", now=NOW - timedelta(days=2), seed=7)
    actions.log_experiment_outcome(record, 8, day=TODAY, now=NOW)
    check()
    summary = queries.today_summary(record, TODAY)
    assert summary.latest.energy == 4 and summary.due == []
    assert summary.safety_event_open and summary.experiment["rated_today"] == 8
    actions.postpone_questionnaires(record, 7, now=NOW)
    actions.acknowledge_safety_events(record, now=NOW)
    check()
    actions.set_checkin_reminders(record, "off")
    actions.stop_experiment(record, now=NOW)
    check()
    assert queries.today_summary(record, TODAY + timedelta(days=1)) == queries.TodaySummary(
        latest=None, due=[], safety_event_open=False, experiment=None)


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1582, 10, 4), date(1900, 3, 1),
                                 date(2000, 2, 29), date(2024, 12, 31), date(9999, 12, 31)])
def test_the_database_counts_a_days_ordinal_as_python_does(alice, day):
    """Leap days, the Julian-to-Gregorian switch and the ends of the range: no day is one off."""
    models.MovementSession.objects.create(person=alice, day=day, activity="walk", minutes=5, met=3.5)
    models.RestDay.objects.create(person=alice, day=day)
    sessions, rest_days = queries.rhythm_record(alice)
    assert sessions == [(day.toordinal(), 5, 3.5)] and rest_days == [day.toordinal()]


@pytest.mark.parametrize("until", [None, TODAY, TODAY - timedelta(days=3), TODAY - timedelta(days=30)])
def test_rhythm_record_is_the_histories_days_minutes_and_met(record, charlie, until):
    """The rhythm's three columns are the full record's, in its order, and only the person's own;
    each day is its ordinal, as Python counts them, on both databases."""
    sessions, rest_days = queries.rhythm_record(record, until=until)
    full_sessions, full_rests, _ = orm_history(record, until=until, checkins=False)
    assert sessions == [(s.day.toordinal(), s.minutes, s.met) for s in full_sessions]
    assert rest_days == [r.day.toordinal() for r in full_rests]
    assert all(type(d) is int for d, _, _ in sessions) and all(type(d) is int for d in rest_days)


def test_symptoms_to_heed_are_those_not_yet_asked_about_and_those_named_today(alice, charlie):
    """Asked about at a check-in, yesterday's palpitations are let go; today's are heeded all
    day. Chest pain, faintness and severe breathlessness are heeded until clearance."""
    assert queries.symptoms_to_heed(alice, TODAY) == ()
    actions.record_movement_symptoms(alice, ["palpitations"], now=NOW - timedelta(days=3))
    actions.answer_questionnaire(alice, "phq9", "0,0,0,0,0,0,0,0,2", now=NOW)  # not a symptom
    actions.record_movement_symptoms(charlie, ["palpitations"], now=NOW)  # someone else's
    assert queries.symptoms_to_heed(alice, TODAY) == ("palpitations",)
    actions.acknowledge_safety_events(alice, now=NOW)
    assert queries.symptoms_to_heed(alice, TODAY) == ()
    actions.record_movement_symptoms(alice, ["palpitations"], now=NOW)
    actions.acknowledge_safety_events(alice, now=NOW + timedelta(hours=1))
    assert queries.symptoms_to_heed(alice, TODAY) == ("palpitations",)
    assert queries.symptoms_to_heed(alice, TODAY + timedelta(days=1)) == ()
    assert queries.symptoms_to_heed(charlie, TODAY) == ("palpitations",)


def test_chest_pain_faintness_and_breathlessness_are_heeded_until_a_doctor_has_seen_them(alice):
    """A check-in asking about them does not lift them; the readiness clearance does, and only
    for what was named before it."""
    actions.record_movement_symptoms(alice, ["faintness", "palpitations"],
                                     now=NOW - timedelta(days=10))
    actions.acknowledge_safety_events(alice, now=NOW - timedelta(days=9))
    for day in (TODAY, TODAY + timedelta(days=30)):
        assert queries.symptoms_to_heed(alice, day) == ("faintness",)
        assert queries.kept_light(alice, day) == "symptoms"
    actions.record_clearance(alice, now=NOW)
    assert queries.symptoms_to_heed(alice, TODAY + timedelta(days=1)) == ()
    assert queries.kept_light(alice, TODAY + timedelta(days=1)) == ""
    # Named again after the clearance: held again, until the next one.
    actions.record_movement_symptoms(alice, ["severe_breathlessness"], now=NOW + timedelta(hours=2))
    actions.acknowledge_safety_events(alice, now=NOW + timedelta(hours=3))
    assert queries.symptoms_to_heed(alice, TODAY + timedelta(days=5)) == ("severe_breathlessness",)
    actions.record_readiness(alice, "no,no,no,no,no,no,no", now=NOW + timedelta(days=1),
                             doctor_go_ahead=True)  # the same switch, from the readiness answers
    assert queries.symptoms_to_heed(alice, TODAY + timedelta(days=5)) == ()

"""What the clinician report and the FHIR export read: each on the person's own days, only the
person's own rows, removed entries left out. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from kindstep.store import actions, models, queries

pytestmark = pytest.mark.django_db


def test_a_safety_event_is_dated_on_the_persons_own_day(alice, charlie):
    tokyo = models.Person.objects.create(timezone="Asia/Tokyo")
    late = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)  # 01:30 on the 21st in Tokyo: still the 20th
    after = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)  # 05:00 on the 21st in Tokyo
    actions.record_movement_symptoms(tokyo, ["faintness"], now=late)
    actions.record_movement_symptoms(tokyo, ["chest_pain"], now=after)
    actions.record_movement_symptoms(charlie, ["palpitations"], now=late)
    lines = queries.safety_lines(tokyo)
    assert [(line.day, line.followed_up) for line in lines] == [
        (date(2026, 11, 20), None), (date(2026, 11, 21), None)]
    assert "faint" in lines[0].what and "chest pain" in lines[1].what
    assert queries.safety_lines(alice) == []
    actions.acknowledge_safety_events(tokyo, now=after + timedelta(days=2))
    assert {line.followed_up for line in queries.safety_lines(tokyo)} == {date(2026, 11, 23)}
    assert len(queries.safety_lines(tokyo, since=date(2026, 11, 21))) == 1


def test_the_report_reads_only_its_weeks_and_only_the_persons_own_record(alice, charlie, now):
    actions.log_session(alice, activity="walk", duration=20, now=now)
    actions.log_session(alice, activity="walk", duration=30, now=now - timedelta(days=30))
    actions.log_session(charlie, activity="walk", duration=45, now=now)
    actions.record_checkin(alice, energy=4, mood=6, anxiety=3, note="calm", now=now)
    report = queries.clinician_report(alice, today=date(2026, 11, 25), weeks=2, notes=True)
    assert report.start == date(2026, 11, 16)
    assert [w.minutes for w in report.weeks] == [0, 20]
    assert [(n.where, n.text) for n in report.notes] == [("Check-in", "calm")]
    assert queries.clinician_report(alice, today=date(2026, 11, 25), weeks=2).notes is None


def test_the_fhir_record_is_the_persons_own_with_removed_sessions_left_out(alice, charlie, now):
    kept = actions.log_session(alice, activity="walk", duration=20, now=now)
    gone = actions.log_session(alice, activity="walk", duration=10, now=now)
    actions.delete_entry(alice, f"s{gone.pk}", now=now)
    actions.log_session(charlie, activity="walk", duration=45, now=now)
    actions.answer_questionnaire(alice, "gad7", [1, 1, 0, 1, 0, 1, 0], now=now)
    answered, moved = queries.fhir_record(alice)
    assert [(m.id, m.minutes, m.name) for m in moved] == [(kept.pk, 20, "Walk at an easy pace")]
    assert [(a.code, a.answers, a.total) for a in answered] == [("gad7", (1, 1, 0, 1, 0, 1, 0), 4)]

"""The fast readers build core values from column tuples: the orders must match the dataclasses."""

import dataclasses

import pytest

from kindstep.core import values
from kindstep.store import mapping


@pytest.mark.parametrize(
    ("cls", "columns"),
    [(values.Session, mapping.SESSION_COLUMNS), (values.CheckIn, mapping.CHECKIN_COLUMNS),
     (values.RestDay, mapping.REST_COLUMNS)],
)
def test_column_orders_match_the_core_value_fields(cls, columns):
    assert tuple(f.name for f in dataclasses.fields(cls)) == columns


@pytest.mark.django_db
def test_the_fast_readers_and_the_row_mappers_agree(alice, now):
    from kindstep.store import actions, models

    actions.log_session(alice, activity="walk", duration=12, effort=3, before=4, after=6,
                        note="river", now=now)
    actions.record_checkin(alice, energy=3, mood=4, anxiety=5, minutes=10, sleep=7, note="ok", now=now)
    actions.log_rest(alice, day="2026-11-20", note="tired", now=now)
    assert mapping.sessions(models.MovementSession.objects.all()) == tuple(
        mapping.session(r) for r in models.MovementSession.objects.all())
    assert mapping.checkins(models.CheckIn.objects.all()) == tuple(
        mapping.checkin(r) for r in models.CheckIn.objects.all())
    assert mapping.rest_days(models.RestDay.objects.all()) == tuple(
        mapping.rest_day(r) for r in models.RestDay.objects.all())

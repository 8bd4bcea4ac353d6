"""Insights read the person's pauses: paused days with nothing logged are not days without
movement (``core.insights``), and the insight says so."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kindstep.store import models, queries
from tests.store.test_imported_history import TODAY, journal, planted_record

pytestmark = pytest.mark.django_db


def test_paused_days_with_nothing_logged_leave_the_comparison(alice):
    planted_record(alice)  # 28 days: 7 on days with a walk, 4 on the others
    before = queries.insights_for(alice, TODAY).active_vs_rest
    assert (before.n_with, before.n_without) == (14, 14)
    # A pause over the last six days (three of them without a walk, mood 4), then a low
    # mood on each: those days must not weigh on the "without movement" side.
    models.Pause.objects.create(person=alice, start=TODAY - timedelta(days=5), until=TODAY,
                                reason="unwell")
    result = queries.insights_for(alice, TODAY)
    section = result.active_vs_rest
    assert (section.n_with, section.n_without) == (14, 11)
    assert section.estimate == pytest.approx(3.0)
    assert result.paused_left_out == 3
    assert "3 paused days with no movement are left out" in result.summary
    journal(alice, TODAY - timedelta(days=40), 5)  # an older day, before the pause: counted
    assert queries.insights_for(alice, TODAY).active_vs_rest.n_without == 12

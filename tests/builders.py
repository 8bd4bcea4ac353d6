"""Plain builders shared by the CLI and web tests of insights and experiments."""

from __future__ import annotations

from datetime import timedelta

from kindstep.store import actions, models
from tests.conftest import NOW


def experiment_rows() -> tuple[int, int]:
    """How many experiments and experiment ratings are stored (to prove nothing was written)."""
    return models.Experiment.objects.count(), models.ExperimentOutcome.objects.count()


def seed_record(person, days: int = 30) -> None:
    """A month of daily check-ins, with a short walk every other day (mood 6 on those days)."""
    for i in range(days):
        at = NOW - timedelta(days=i)
        actions.record_checkin(person, energy=5, mood=4 + (i % 2) * 2, anxiety=3, now=at)
        if i % 2:
            actions.log_session(person, activity="walk", duration=15, before=4, after=6, now=at)

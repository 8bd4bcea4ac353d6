"""Shared fixtures: a fixed cast (Alice logs, Charlie must never see her data) and a fixed clock."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

# A new local person takes the computer's time zone (actions.system_timezone): the
# tests' own expectations are in UTC whatever zone the machine running them is in.
os.environ["TZ"] = "UTC"

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
"""A Wednesday afternoon: every store test runs at this instant unless it says otherwise."""


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def alice(db):
    from kindstep.store.models import Person

    return Person.objects.create(timezone="Europe/London", country="GB")


@pytest.fixture
def charlie(db):
    from kindstep.store.models import Person

    return Person.objects.create(timezone="America/New_York", country="US")


@pytest.fixture
def counts(db):
    """A function returning how many rows each table holds, to prove nothing was written."""
    from kindstep.store import models

    def _counts() -> dict[str, int]:
        return {
            "sessions": models.MovementSession.objects.count(),
            "rest_days": models.RestDay.objects.count(),
            "checkins": models.CheckIn.objects.count(),
            "people": models.Person.objects.count(),
        }

    return _counts


@pytest.fixture(autouse=True)
def _django_is_ready_in_process():
    """In-process CLI calls reuse pytest-django's database instead of migrating their own."""
    from kindstep import boot

    boot._ready = True
    yield

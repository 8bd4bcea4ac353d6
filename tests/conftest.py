"""Shared fixtures: a fixed cast (Alice logs, Charlie must never see her data) and a fixed clock."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

# A new local person takes the computer's time zone (actions.system_timezone): the
# tests' own expectations are in UTC whatever zone the machine running them is in.
os.environ["TZ"] = "UTC"

collect_ignore = [] if os.environ.get("KINDSTEP_MODE") == "server" else ["accounts", "api"]
"""tests/accounts need server mode in this very process: they run in scripts/test's
server-mode pass (KINDSTEP_MODE=server on PostgreSQL), with the web suite."""

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


def personal_models() -> list:
    """Every table a person owns: people, and each model that export and erase walk.

    The list is ``kindstep.store.export_erase.sections`` itself (a test there checks
    it holds every model with a person's rows), so a table added later is
    part of every "nothing was written" check at once. Building the sections'
    queries reads nothing; the person given is a placeholder.
    """
    from kindstep.store import export_erase, models

    return [models.Person, *(rows.model for _, rows in export_erase.sections(models.Person(pk=0)))]


def row_counts() -> dict[str, int]:
    """How many rows each table a person owns holds, everyone's together."""
    return {model.__name__: model.objects.count() for model in personal_models()}


def every_row() -> dict[str, list[dict]]:
    """Every row of every table a person owns, in id order: equal before and after means
    nothing at all was written (not even a person's data version)."""
    return {model.__name__: list(model.objects.order_by("pk").values())
            for model in personal_models()}


@pytest.fixture
def counts(db):
    """A function returning how many rows each table a person owns holds, to prove nothing was
    written (:func:`row_counts`)."""
    return row_counts

@pytest.fixture(autouse=True)
def _django_is_ready_in_process():
    """In-process CLI calls reuse pytest-django's database instead of migrating their own."""
    from kindstep import boot

    boot._ready = True
    yield

"""schemathesis against /api/openapi.json with a member's token: no answer is a 5xx, and
every answer (status, content type, body) is one the schema describes.

Bounded and repeatable: a fixed number of examples per route, derandomized, so the
run takes seconds on two cores and fails the same way twice. The requests go to
Django's WSGI app in this process, on the test's PostgreSQL transaction.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kindstep.store import actions
from tests.api.helpers import make_member, token_for
from tests.conftest import NOW

pytestmark = pytest.mark.postgres

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
PROXIED = {"Host": "testserver", "X-Forwarded-Proto": "https"}
"""What the TLS-terminating proxy adds (server mode redirects plain http to https)."""


def _schema():
    from django.core.wsgi import get_wsgi_application

    from kindstep.api.routes import api

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema())
    loaded.app = get_wsgi_application()
    loaded.location = "/api/openapi.json"
    return loaded


schema = _schema()


@pytest.fixture
def connection_kept():
    """Keep the test's database connection through each WSGI request, as Django's own test
    client does: the handler would close it when a request finishes, and the transaction
    the test runs in with it."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(alice, connection_kept, settings):
    """A member with a little record, so ids 1, 2 ... and the pages have something to read."""
    for day in ("2026-11-20", "2026-11-22"):
        actions.record_checkin(alice, energy=4, mood=5, anxiety=3, day=day, now=NOW)
        actions.log_session(alice, activity="walk", duration=15, day=day, now=NOW)
    actions.log_rest(alice, day="2026-11-21", now=NOW)
    # The member's password is never used here: the quickest hasher makes the account.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    actions.answer_questionnaire(alice, "phq9", [1, 1, 0, 0, 1, 0, 0, 0, 0], now=NOW)
    return token_for(make_member("alice@example.org", person=alice))


@schema.parametrize()
@settings(max_examples=8, derandomize=True, deadline=None, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_every_answer_conforms_to_the_schema_and_none_is_a_5xx(case, token):
    case.call_and_validate(headers={**PROXIED, "Authorization": f"Bearer {token}"},
                           checks=CHECKS)


def test_the_schema_served_is_the_one_tested(db):
    import json

    from django.test import Client

    from kindstep.api.routes import api

    served = Client(HTTP_X_FORWARDED_PROTO="https").get("/api/openapi.json").json()
    assert served == json.loads(json.dumps(api.get_openapi_schema()))


def test_sequences_of_calls_conform_too(token):
    """Stateful: schemathesis follows what one answer gives (a new entry's id) into the next
    call (read it, change it, remove it), each answer checked as above."""
    from hypothesis.stateful import run_state_machine_as_test

    headers = {**PROXIED, "Authorization": f"Bearer {token}"}
    calls = []

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            calls.append(f"{case.method} {case.path}")
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    run_state_machine_as_test(Workflow, settings=settings(
        max_examples=10, stateful_step_count=6, derandomize=True, deadline=None, database=None,
        suppress_health_check=list(HealthCheck)))
    # Links were followed: entries made or listed were then read, changed or removed.
    assert {"GET", "PATCH", "DELETE"} <= {c.split()[0] for c in calls if "{id}" in c}

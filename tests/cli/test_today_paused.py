"""`kindstep today` at a terminal while paused asks for no check-in: the pause's own words
and its gentlest choices, as the web's Today shows them."""

from __future__ import annotations

import pytest

from kindstep.store import actions, models
from tests.cli.test_clinical_commands import at_a_terminal, run  # noqa: F401 - fixtures
from tests.conftest import NOW
from tests.words import unkind

pytestmark = pytest.mark.django_db

ASKED = "Would you like a quick check-in first?"


def test_while_paused_today_at_a_terminal_asks_no_check_in(run, at_a_terminal):
    assert run("readiness", "--skip").exit_code == 0
    person = actions.local_person()
    actions.start_pause(person, reason="unwell", now=NOW)
    result = run("today", input="\n")  # Enter: nothing to log now
    assert result.exit_code == 0, result.output
    assert ASKED not in result.stdout and "No check-in yet today" not in result.stdout
    assert "You're unwell, so kindstep is paused: nothing counts against you." in " ".join(
        result.stdout.split())
    assert not models.CheckIn.objects.exists() and not unkind(result.stdout)
    actions.end_pause(person, now=NOW)  # the pause over, the check-in is offered again
    assert ASKED in run("today", input="n\n\n").stdout

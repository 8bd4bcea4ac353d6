"""Peer groups exist in server mode only: these tests run in the server-mode pass (PostgreSQL),
as tests/accounts do, and are not collected in local mode."""

from __future__ import annotations

import os

import pytest
import time_machine

from tests.conftest import NOW

collect_ignore_glob = [] if os.environ.get("KINDSTEP_MODE") == "server" else ["test_*.py"]


@pytest.fixture(autouse=True)
def frozen():
    """The clock stopped at NOW (a Wednesday): this week is the week of 23 November 2026."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def body(response) -> str:
    return response.content.decode("utf-8", "replace")


def start_group(client, name: str = "Tuesday walkers"):
    """Start a group through its page; the group and its code (as the creator would read it)."""
    from kindstep.groups.models import PeerGroup

    response = client.post("/groups/new/", {"name": name})
    assert response.status_code == 302, body(response)
    group = PeerGroup.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))
    return group, group.code

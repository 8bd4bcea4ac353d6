"""A group member sees only the group page's counts of Alice: every page of the web app and of
the groups, as Charlie (in Alice's group), before and after Alice plants her record.

The address list is the access matrix's own (tests/accounts/test_access_matrix.py), so a page
added there is checked here too. Alice's note is unique to the run; her check-in values and
PHQ-9 score are small numbers that could appear on any page, so instead every page Charlie
sees must be the same, byte for byte (its form tokens aside), whether or not Alice has a
record at all: only the group page's counts may move.
"""

from __future__ import annotations

import difflib
import re

import pytest

from kindstep.groups import actions as group_actions
from kindstep.groups.models import PeerGroup
from tests.accounts.helpers import member_client, proxied_client
from tests.accounts.test_access_matrix import (  # the matrix's own helpers and Alice's record
    MISSING,
    NOTE,
    OWNED,
    addresses,
    body,
    kindstep_pages,
    record,
)
from tests.conftest import NOW

assert record  # a fixture: Alice's record, planted when the test asks for it

NOBODYS = {**MISSING, "scale": "phq9", "name": "minutes", "token": "nobodys-feed-token"}
"""The matrix's arguments for a record that does not exist: Charlie's view before Alice has one."""
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=|csrf-token" content=)"[^"]*"')


def plain(text: str) -> str:
    """A page without its form tokens (a new one is drawn for every page)."""
    return TOKEN.sub(r'\1""', text)


@pytest.fixture
def group(alice, charlie):
    """Alice's group, which Charlie joined; Alice shows her days under "Ally"."""
    made = group_actions.create_group(alice, name="Riverside", now=NOW)
    group_actions.join_group(charlie, code=made.code, now=NOW)
    group_actions.choose(alice, made.pk, show_my_days="on", display_name="Ally")
    return made


def pages(group) -> list[str]:
    return ["/groups/", f"/groups/{group.pk}/"]


def seen(client, address_list) -> dict[str, tuple[int, str]]:
    found = {}
    for address in address_list:
        response = client.get(address)
        found[address] = (response.status_code, plain(body(response)))
    return found


def test_a_group_member_sees_nothing_of_anothers_record_on_any_page(request, group):
    charlie = member_client(group.memberships.exclude(person=group.created_by).get().person,
                            "charlie@example.org")
    web_before = addresses(NOBODYS)
    before = seen(charlie, [*web_before.values(), *pages(group)])

    planted = request.getfixturevalue("record")  # Alice's note, check-in, PHQ-9, plan, import
    web_after = addresses(planted)
    after = seen(charlie, [*web_after.values(), *pages(group)])

    assert len(web_after) == len(kindstep_pages()) >= 28
    for address, (_status, text) in after.items():
        assert NOTE not in text, address
    for page in kindstep_pages():
        then, now = before[web_before[page]], after[web_after[page]]
        if page == "reminders_feed":  # found by Alice's secret token alone, never by Charlie
            continue
        if page in OWNED:  # Alice's entry answers Charlie exactly as one that does not exist
            assert now == then, page
        else:
            assert now == then, (page, _changed(then[1], now[1]))
    assert after["/groups/"] == before["/groups/"]
    group_page = f"/groups/{group.pk}/"
    changed = _changed(before[group_page][1], after[group_page][1])
    assert changed == [
        "-  <p>A quiet week so far for the group. Rest is care too.</p>",
        "+  <p>This week 1 person in the group moved, on 1 day in all.</p>",
        "-  <li>Ally: a quiet week so far</li>",
        "+  <li>Ally: moved on 1 day this week</li>",
    ]


def _changed(a: str, b: str) -> list[str]:
    return [line for line in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_without_choosing_to_show_them_the_group_sees_only_the_counts(group, alice, charlie):
    group_actions.choose(alice, group.pk, show_my_days="", display_name="Ally")
    from kindstep.store import actions

    actions.log_session(alice, activity="walk", duration=17, note=NOTE, now=NOW)
    actions.record_checkin(alice, energy=4, mood=5, anxiety=3, note=NOTE, now=NOW)
    text = body(member_client(charlie, "charlie@example.org").get(f"/groups/{group.pk}/"))
    assert "This week 1 person in the group moved, on 1 day in all." in text
    assert "Ally" not in text and NOTE not in text and "17" not in text


@pytest.mark.parametrize("page", ["", "choices/", "leave/", "code/"])
def test_anyone_not_in_the_group_meets_it_as_missing_and_anonymous_visitors_sign_in(group, page,
                                                                                  db):
    address = f"/groups/{group.pk}/{page}"
    anonymous = proxied_client().get(address)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"/accounts/login/?next={address}"
    admin = member_client(None, "admin@example.org", admin=True)
    response = admin.post(address) if page else admin.get(address)
    nothing = admin.post(f"/groups/987654321/{page}") if page else admin.get("/groups/987654321/")
    assert response.status_code == nothing.status_code == 404
    assert plain(body(response)) == plain(body(nothing))
    assert PeerGroup.objects.get(pk=group.pk).code == group.code  # no new code for the admin

"""The peer group pages on the real PostgreSQL: making, joining, choosing, leaving, and refusals.

Alice starts a group, Charlie joins it with the code; Dana is in no group and must see nothing.
"""

from __future__ import annotations

import pytest

from kindstep.groups.models import GroupMembership, PeerGroup
from kindstep.store import actions, models
from tests.accounts.helpers import member_client
from tests.conftest import NOW
from tests.groups.conftest import body, start_group
from tests.words import unkind


@pytest.fixture
def dana(db):
    return models.Person.objects.create(timezone="Asia/Tokyo")


@pytest.fixture
def clients(alice, charlie, dana):
    return {"alice": member_client(alice, "alice@example.org"),
            "charlie": member_client(charlie, "charlie@example.org"),
            "dana": member_client(dana, "dana@example.org")}


@pytest.fixture
def together(clients):
    """Alice's group, which Charlie joined with the code she passed on (dashes and all)."""
    group, code = start_group(clients["alice"])
    shown = "-".join(code[i:i + 4] for i in range(0, 12, 4)).lower()
    joined = clients["charlie"].post("/groups/join/", {"code": shown})
    assert joined.status_code == 302 and joined["Location"] == f"/groups/{group.pk}/"
    return group


def members(group) -> set[int]:
    return set(GroupMembership.objects.filter(group=group).values_list("person_id", flat=True))


def test_starting_a_group_makes_its_creator_its_first_member(clients, alice):
    group, code = start_group(clients["alice"], "  Tuesday   walkers ")
    assert group.name == "Tuesday walkers" and group.created_by_id == alice.pk
    assert members(group) == {alice.pk}
    page = body(clients["alice"].get(f"/groups/{group.pk}/"))
    assert "It is just you here so far" in page
    assert f"{code[:4]}-{code[4:8]}-{code[8:]}" in page
    assert "Tuesday walkers" in body(clients["alice"].get("/groups/"))


def test_the_groups_page_is_listed_in_the_navigation(clients):
    assert 'href="/groups/"' in body(clients["dana"].get("/"))


def test_a_group_name_that_cannot_be_used_is_said_kindly_and_nothing_is_made(clients):
    response = clients["alice"].post("/groups/new/", {"name": "   "})
    assert response.status_code == 422
    assert "Please give the group a name" in body(response)
    assert not PeerGroup.objects.exists() and not GroupMembership.objects.exists()


def test_joining_with_the_code_counts_both_members_and_names_neither(together, clients, alice,
                                                                      charlie):
    assert members(together) == {alice.pk, charlie.pk}
    actions.log_session(alice, activity="walk", duration=12, now=NOW)
    actions.log_session(charlie, activity="walk", duration=20, now=NOW)
    actions.log_session(charlie, activity="stretch_seated", duration=10, now=NOW.replace(day=23))
    page = body(clients["charlie"].get(f"/groups/{together.pk}/"))
    assert "This week 2 people in the group moved, on 3 days in all." in page
    assert "2 people in this group" in page
    assert "alice" not in page.lower() and "charlie" not in page.lower()
    assert not unkind(page)


def test_a_wrong_code_joins_nothing_and_says_so_kindly(together, clients, dana):
    before = list(GroupMembership.objects.order_by("pk").values())
    for typed in ("ABCD-EFGH-JK23", "nonsense", ""):
        response = clients["dana"].post("/groups/join/", {"code": typed})
        assert response.status_code == 422
        assert 'aria-invalid="true"' in body(response)
    assert "No group has that invite code" in body(
        clients["dana"].post("/groups/join/", {"code": "ABCD-EFGH-JK23"}))
    assert list(GroupMembership.objects.order_by("pk").values()) == before


def test_a_code_in_the_address_joins_nothing(together, clients, dana):
    response = clients["dana"].get(f"/groups/join/?code={together.code}")
    assert response.status_code == 405
    assert clients["dana"].post(f"/groups/join/?code={together.code}").status_code == 422
    assert dana.pk not in members(together)


def test_many_wrong_codes_make_joining_wait(clients, dana):
    for _ in range(10):
        assert clients["dana"].post("/groups/join/", {"code": "ABCD-EFGH-JK23"}).status_code == 422
    group, code = start_group(clients["alice"])
    response = clients["dana"].post("/groups/join/", {"code": code})
    assert response.status_code == 429 and "wait a quarter of an hour" in body(response)
    assert dana.pk not in members(group)


def test_someone_not_in_the_group_finds_it_just_like_a_group_that_does_not_exist(together,
                                                                                 clients):
    missing = clients["dana"].get("/groups/987654321/")
    assert missing.status_code == 404
    for page in ("", "choices/", "leave/", "code/"):
        get = clients["dana"].get(f"/groups/{together.pk}/{page}")
        post = clients["dana"].post(f"/groups/{together.pk}/{page}", {"show_my_days": "on",
                                                                     "display_name": "D"})
        if page == "":
            assert get.status_code == 404 and body(get) == body(missing)
            assert post.status_code == 405
        else:
            assert get.status_code == 405
            assert post.status_code == 404 and body(post) == body(missing)
    assert "Tuesday walkers" not in body(clients["dana"].get("/groups/"))
    assert together.code not in body(missing)


def test_showing_my_days_lists_them_under_my_chosen_name_only(together, clients, alice, charlie):
    actions.log_session(charlie, activity="walk", duration=20, now=NOW)
    actions.log_session(alice, activity="walk", duration=20, now=NOW)
    # A name alone shows nothing: the days are shown only once Charlie ticks the box.
    saved = clients["charlie"].post(f"/groups/{together.pk}/choices/", {"display_name": "Cee"})
    assert saved.status_code == 302
    page = body(clients["alice"].get(f"/groups/{together.pk}/"))
    assert "Cee" not in page
    clients["charlie"].post(f"/groups/{together.pk}/choices/",
                            {"show_my_days": "on", "display_name": " Cee "})
    page = body(clients["alice"].get(f"/groups/{together.pk}/"))
    assert "Cee: moved on 1 day this week" in page
    assert "This week 2 people in the group moved, on 2 days in all." in page
    # Alice did not choose to show hers: her days are only inside the counts.
    assert page.count(": moved on") == 1


def test_the_shown_list_is_by_name_whatever_the_days(together, clients, alice, charlie):
    for day in (23, 24, 25):
        actions.log_session(alice, activity="walk", duration=20, now=NOW.replace(day=day))
    clients["alice"].post(f"/groups/{together.pk}/choices/",
                          {"show_my_days": "on", "display_name": "Zed"})
    clients["charlie"].post(f"/groups/{together.pk}/choices/",
                            {"show_my_days": "on", "display_name": "amy"})
    page = body(clients["charlie"].get(f"/groups/{together.pk}/"))
    assert page.index("amy: a quiet week so far") < page.index("Zed: moved on 3 days this week")


def test_showing_days_without_a_name_is_refused_with_nothing_saved(together, clients, charlie):
    response = clients["charlie"].post(f"/groups/{together.pk}/choices/", {"show_my_days": "on"})
    assert response.status_code == 422
    assert "please give a first name or a nickname" in body(response)
    mine = GroupMembership.objects.get(group=together, person=charlie)
    assert (mine.show_my_days, mine.display_name) == (False, "")


def test_leaving_takes_me_out_of_the_counts_and_the_list_at_once(together, clients, alice,
                                                                charlie):
    actions.log_session(charlie, activity="walk", duration=20, now=NOW)
    clients["charlie"].post(f"/groups/{together.pk}/choices/",
                            {"show_my_days": "on", "display_name": "Cee"})
    assert "Cee" in body(clients["alice"].get(f"/groups/{together.pk}/"))
    left = clients["charlie"].post(f"/groups/{together.pk}/leave/")
    assert left.status_code == 302 and left["Location"] == "/groups/?done=left"
    assert "no longer counts or shows anything of you" in body(clients["charlie"].get(
        left["Location"]))
    page = body(clients["alice"].get(f"/groups/{together.pk}/"))
    assert "Cee" not in page and "It is just you here so far" in page
    assert members(together) == {alice.pk}
    assert clients["charlie"].get(f"/groups/{together.pk}/").status_code == 404


def test_the_last_person_to_leave_takes_the_group_with_them(together, clients):
    clients["charlie"].post(f"/groups/{together.pk}/leave/")
    clients["alice"].post(f"/groups/{together.pk}/leave/")
    assert not PeerGroup.objects.exists() and not GroupMembership.objects.exists()


def test_the_creator_makes_a_new_code_and_the_old_one_joins_nothing(together, clients, dana):
    old = together.code
    assert clients["charlie"].post(f"/groups/{together.pk}/code/").status_code == 404
    together.refresh_from_db()
    assert together.code == old
    response = clients["alice"].post(f"/groups/{together.pk}/code/")
    assert response.status_code == 302
    together.refresh_from_db()
    assert together.code != old
    assert clients["dana"].post("/groups/join/", {"code": old}).status_code == 422
    assert clients["dana"].post("/groups/join/", {"code": together.code}).status_code == 302


def test_a_full_group_takes_no_one_more(together, clients, dana):
    PeerGroup.objects.filter(pk=together.pk).update(max_members=2)
    response = clients["dana"].post("/groups/join/", {"code": together.code})
    assert response.status_code == 422 and "as many as a group holds" in body(response)
    assert dana.pk not in members(together)


def test_erasing_my_record_takes_me_out_of_every_group(together, clients, alice, charlie):
    clients["charlie"].post(f"/groups/{together.pk}/choices/",
                            {"show_my_days": "on", "display_name": "Cee"})
    actions.erase_all(charlie, confirm=actions.ERASE_WORD)
    assert members(together) == {alice.pk}
    assert not GroupMembership.objects.filter(display_name="Cee").exists()


def test_deleting_the_account_takes_the_creator_out_and_hands_on_the_code(together, clients,
                                                                          alice, charlie):
    deleted = clients["alice"].post("/accounts/delete/", {"confirm": actions.ERASE_WORD})
    assert deleted.status_code == 302
    together.refresh_from_db()
    assert members(together) == {charlie.pk} and together.created_by_id == charlie.pk
    assert clients["charlie"].post(f"/groups/{together.pk}/code/").status_code == 302

"""The admin manages accounts and invitations and never sees a record; a person deletes
their own account with everything in it; an erased record starts afresh."""

from __future__ import annotations

import uuid
from html import unescape

import pytest
from django.contrib.auth import get_user_model

from kindstep.accounts.models import Invitation, Member
from kindstep.store import actions, models
from tests.accounts.helpers import make_member, member_client, proxied_client
from tests.conftest import NOW, row_counts

NOTE = f"private-{uuid.uuid4().hex}"


@pytest.fixture
def alice_record(alice):
    actions.log_session(alice, activity="walk", duration=15, note=NOTE, now=NOW)
    actions.record_checkin(alice, energy=3, mood=4, anxiety=6, note=NOTE, now=NOW)
    return alice


@pytest.fixture
def admin_client(db):
    return member_client(None, "admin@example.org", admin=True)


def test_the_admin_holds_accounts_and_invitations_only(admin_client):
    from kindstep.accounts.admin import site

    assert {m._meta.label for m in site._registry} == {"auth.User", "kindstep_accounts.Invitation"}
    index = admin_client.get("/admin/")
    assert index.status_code == 200
    html = index.content.decode()
    assert "/admin/auth/user/" in html and "/admin/kindstep_accounts/invitation/" in html
    assert "/admin/kindstep/" not in html  # no model of the store app


def test_no_admin_page_shows_a_persons_record(admin_client, alice_record):
    alice = make_member("alice@example.org", person=alice_record)
    Invitation.objects.create(email="new@example.org")
    pages = ["/admin/", "/admin/auth/user/", f"/admin/auth/user/{alice.pk}/change/",
             "/admin/kindstep_accounts/invitation/", "/admin/kindstep_accounts/invitation/add/",
             f"/admin/auth/user/?q={NOTE}"]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, page
        text = response.content.decode()
        assert NOTE not in text.replace(f"q={NOTE}", "").replace(f'value="{NOTE}"', "")
        for word in ("Walk at an easy pace", "mood", "anxiety", "PHQ"):
            assert word not in text, (page, word)
    for hidden in ("/admin/kindstep/person/", "/admin/kindstep/movementsession/",
                   "/admin/kindstep_accounts/member/", "/admin/account/emailaddress/"):
        assert admin_client.get(hidden).status_code == 404, hidden


def test_only_an_admin_may_open_the_admin(db, alice):
    member = member_client(alice, "alice@example.org")
    assert member.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert member.get("/admin/login/?next=/admin/").status_code == 403  # allauth's sign-in, refused
    assert member.get("/admin/auth/user/").status_code == 302
    anonymous = proxied_client().get("/admin/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_an_admin_invites_an_address_and_that_address_can_sign_up(admin_client, settings):
    response = admin_client.post("/admin/kindstep_accounts/invitation/add/",
                                 {"email": " New.Person@Example.org "})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "new.person@example.org"
    assert invitation.invited_by.email == "admin@example.org"


def test_the_admin_cannot_add_or_delete_accounts(admin_client, alice):
    user = make_member("alice@example.org", person=alice)
    assert admin_client.get("/admin/auth/user/add/").status_code == 403
    assert admin_client.post(f"/admin/auth/user/{user.pk}/delete/", {"post": "yes"}).status_code == 403
    assert get_user_model().objects.filter(pk=user.pk).exists()


# -- deleting an account ------------------------------------------------------------------


def test_deleting_an_account_asks_for_the_word_and_keeps_everything_until_then(alice_record):
    client = member_client(alice_record, "alice@example.org")
    page = client.get("/accounts/delete/").content.decode()
    assert "There is no undo" in page and "download a copy first" in page
    before = row_counts()
    refused = client.post("/accounts/delete/", {"confirm": "yes please"})
    assert refused.status_code == 422
    assert 'To erase everything, please type the word "erase"' in unescape(refused.content.decode())
    assert row_counts() == before and get_user_model().objects.count() == 1


def test_deleting_an_account_erases_the_record_and_the_account(alice_record, charlie):
    actions.log_session(charlie, activity="walk", duration=5, note="charlie's", now=NOW)
    client = member_client(alice_record, "alice@example.org")
    response = client.post("/accounts/delete/", {"confirm": "erase"})
    assert response.status_code == 302 and response["Location"] == "/accounts/deleted/"
    assert "Your account is deleted" in client.get("/accounts/deleted/").content.decode()
    assert not get_user_model().objects.exists() and not Member.objects.exists()
    assert not models.Person.objects.filter(pk=alice_record.pk).exists()
    assert list(models.MovementSession.objects.values_list("note", flat=True)) == ["charlie's"]
    assert not models.CheckIn.objects.exists()
    assert client.get("/history/").status_code == 302  # signed out
    fresh = proxied_client()
    fresh.post("/accounts/login/", {"login": "alice@example.org", "password": "anything"})
    assert fresh.get("/history/").status_code == 302


def test_erasing_the_record_keeps_the_account_and_starts_afresh(alice_record):
    client = member_client(alice_record, "alice@example.org")
    client.post("/settings/erase/", {"confirm": "erase"})
    assert not models.Person.objects.filter(pk=alice_record.pk).exists()
    history = client.get("/history/")
    assert history.status_code == 200 and NOTE not in history.content.decode()
    member = Member.objects.get()
    assert member.person_id != alice_record.pk
    assert models.Person.objects.filter(pk=member.person_id).exists()


def test_an_anonymous_visitor_is_sent_to_sign_in_with_only_the_path(db):
    response = proxied_client().get("/history/?days=7&note=something-typed")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/history/"


def test_the_account_page_lists_the_ways_in_and_says_what_happens_to_the_data(alice):
    html = member_client(alice, "alice@example.org").get("/accounts/").content.decode()
    assert "alice@example.org" in html
    for address in ("/accounts/email/", "/accounts/password/change/", "/accounts/2fa/",
                    "/accounts/delete/", "/settings/export/"):
        assert f'href="{address}"' in html
    assert 'aria-current="page"' in html  # the site's own navigation, Account marked

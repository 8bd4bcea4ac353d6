"""Invite mode never tells a visitor whether an address was invited.

Signing up with an address that was not invited answers exactly like a real sign-up (the
"we sent you a code" step), makes no account, and emails that address a kind word on how
accounts open here; only the owner of the address learns anything.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from kindstep.accounts.models import Invitation
from tests.accounts.helpers import PASSWORD, make_member, proxied_client
from tests.words import unkind

INVITED = "ada@example.org"
STRANGER = "sam@example.org"


def same_apart_from(html: str, address: str) -> str:
    """The page with the address and the per-visit tokens taken out."""
    html = html.replace(address, "ADDRESS")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)


def sign_up_and_follow(address: str, password: str = PASSWORD):
    client = proxied_client()
    sent = client.post("/accounts/signup/", {"email": address, "password1": password,
                                             "password2": password})
    page = client.get(sent["Location"]) if sent.status_code == 302 else sent
    return client, sent, page


@pytest.fixture
def invite_mode(db, settings):
    settings.SIGNUP = "invite"
    Invitation.objects.create(email=INVITED)


def test_an_invited_and_a_not_invited_address_get_the_same_answer(invite_mode):
    _, invited, invited_page = sign_up_and_follow(INVITED)
    _, stranger, stranger_page = sign_up_and_follow(STRANGER)

    assert invited.status_code == stranger.status_code == 302
    assert invited["Location"] == stranger["Location"] == "/accounts/confirm-email/"
    assert sorted(invited.cookies) == sorted(stranger.cookies)
    assert invited_page.status_code == stranger_page.status_code == 200
    assert same_apart_from(invited_page.content.decode(), INVITED) == \
        same_apart_from(stranger_page.content.decode(), STRANGER)
    assert STRANGER in stranger_page.content.decode()  # "we sent a code to ..."


def test_no_account_is_made_for_a_not_invited_address_and_it_is_told_kindly(invite_mode):
    client, _, _ = sign_up_and_follow(STRANGER)
    assert not get_user_model().objects.filter(email__iexact=STRANGER).exists()
    (message,) = mail.outbox
    assert message.to == [STRANGER]
    assert message.subject == "kindstep: Accounts here open by invitation"
    assert "opens accounts by invitation" in message.body
    assert "ask the people who run this server" in message.body
    assert not re.search(r"^[A-Z0-9-]{4,12}$", message.body, re.M)  # no code to type
    assert not unkind(message.body)
    # Whatever code is typed next, nothing opens and nothing is made.
    typed = client.post("/accounts/confirm-email/", {"code": "ABCDEF"})
    assert typed.status_code in {200, 302}
    assert client.get("/history/").status_code == 302
    assert not get_user_model().objects.exists()


def test_the_email_names_whom_to_ask_when_the_server_says(invite_mode, settings):
    settings.INVITE_CONTACT = "Jo at the Riverside clinic (jo@riverside.example)"
    sign_up_and_follow(STRANGER)
    (message,) = mail.outbox
    assert "please ask Jo at the Riverside clinic (jo@riverside.example) to invite" in message.body


def test_the_invited_address_gets_its_code_and_an_account(invite_mode):
    sign_up_and_follow(INVITED)
    (message,) = mail.outbox
    assert message.to == [INVITED] and "by invitation" not in message.body
    assert get_user_model().objects.filter(email=INVITED).exists()


def test_a_weak_password_is_refused_alike_for_both_and_nothing_is_sent(invite_mode):
    _, invited, _ = sign_up_and_follow(INVITED, password="password")
    _, stranger, _ = sign_up_and_follow(STRANGER, password="password")
    assert invited.status_code == stranger.status_code == 200
    assert "too common" in stranger.content.decode()
    assert same_apart_from(invited.content.decode(), INVITED) == \
        same_apart_from(stranger.content.decode(), STRANGER)
    assert not mail.outbox and not get_user_model().objects.exists()


def test_an_address_with_an_account_but_no_invitation_hears_it_has_an_account(invite_mode):
    make_member(STRANGER)  # made by an admin with `kindstep createuser`, never invited
    _, sent, _ = sign_up_and_follow(STRANGER)
    assert sent.status_code == 302
    (message,) = mail.outbox
    assert "by invitation" not in message.body and "already" in message.body
    assert get_user_model().objects.filter(email=STRANGER).count() == 1


def test_open_mode_makes_the_account_without_an_invitation(db, settings):
    settings.SIGNUP = "open"
    sign_up_and_follow(STRANGER)
    assert get_user_model().objects.filter(email=STRANGER).exists()
    assert "by invitation" not in mail.outbox[0].body

"""Every account page in kindstep's own words: sentence case, calm, never shaming.

allauth's pages come with its own wording ("Sign In", "Remember Me"); kindstep rewords them
through an English catalogue of its own (kindstep/accounts/locale). Each page a person can
reach on the way in, and each page of a signed-in account, is rendered here through the
real flows on PostgreSQL, and what a person reads is checked: the words list
(tests/words.py), and headings, buttons, labels, links and titles in sentence case.
"""

from __future__ import annotations

import time

import pytest
from django.core import mail

from kindstep.accounts.models import Invitation
from tests.accounts.helpers import PASSWORD, make_member, proxied_client
from tests.accounts.test_signing_in import code_in, totp_now
from tests.accounts.wording import check, not_sentence_case
from tests.words import unkind

EMAIL = "lee@example.org"

# -- the pages, reached through the real flows ----------------------------------------------


def anonymous_pages() -> dict[str, str]:
    pages = {}
    client = proxied_client()
    for address in ["/accounts/login/", "/accounts/signup/", "/accounts/login/code/",
                    "/accounts/password/reset/"]:
        pages[address] = client.get(address).content.decode()
    # Each pending step, as a person arrives at it.
    client.post("/accounts/login/code/", {"email": EMAIL})
    pages["/accounts/login/code/confirm/"] = client.get("/accounts/login/code/confirm/").content.decode()
    pages["a wrong sign-in code"] = client.post("/accounts/login/code/confirm/",
                                                {"code": "WRONG1"}).content.decode()
    reset = proxied_client()
    reset.post("/accounts/password/reset/", {"email": EMAIL})
    pages["/accounts/password/reset/confirm/"] = reset.get("/accounts/password/reset/confirm/").content.decode()
    reset.post("/accounts/password/reset/confirm/", {"code": code_in(mail.outbox[-1])})
    pages["/accounts/password/reset/complete/"] = reset.get("/accounts/password/reset/complete/").content.decode()
    pages["a wrong password"] = proxied_client().post(
        "/accounts/login/", {"login": EMAIL, "password": "not it at all"}).content.decode()
    pages["a weak password at sign-up"] = proxied_client().post(
        "/accounts/signup/", {"email": "new@example.org", "password1": "password",
                              "password2": "password"}).content.decode()
    Invitation.objects.create(email="new@example.org")
    joining = proxied_client()
    joining.post("/accounts/signup/", {"email": "new@example.org", "password1": PASSWORD,
                                       "password2": PASSWORD})
    pages["/accounts/confirm-email/"] = joining.get("/accounts/confirm-email/").content.decode()
    # The emails that answer without saying anything on the page (enumeration-proof).
    proxied_client().post("/accounts/signup/", {"email": EMAIL, "password1": PASSWORD,
                                                "password2": PASSWORD})
    proxied_client().post("/accounts/login/code/", {"email": "nobody@example.org"})
    return pages


def signed_in_pages() -> dict[str, str]:
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    pages = {}
    client = proxied_client()
    client.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    for address in ["/accounts/", "/accounts/delete/", "/accounts/email/",
                    "/accounts/password/change/", "/accounts/2fa/", "/accounts/logout/",
                    "/accounts/reauthenticate/", "/accounts/2fa/webauthn/"]:
        response = client.get(address)
        assert response.status_code == 200, address
        pages[address] = response.content.decode()
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    for address in ["/accounts/2fa/totp/activate/", "/accounts/2fa/webauthn/add/"]:
        pages[address] = client.get(address).content.decode()
    secret = client.session[SECRET_SESSION_KEY]
    client.post("/accounts/2fa/totp/activate/", {"code": totp_now(secret, time.time())})
    for address in ["/accounts/2fa/", "/accounts/2fa/totp/deactivate/",
                    "/accounts/2fa/recovery-codes/", "/accounts/2fa/recovery-codes/generate/"]:
        response = client.get(address)
        assert response.status_code == 200, address
        pages[address + " (with an authenticator app)"] = response.content.decode()
    client.post("/accounts/logout/")
    second = proxied_client()
    second.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    pages["/accounts/2fa/authenticate/"] = second.get("/accounts/2fa/authenticate/").content.decode()
    return pages


@pytest.fixture
def every_account_page(db):
    make_member(EMAIL)
    return {**anonymous_pages(), **signed_in_pages()}


def test_every_email_on_the_way_is_in_kindsteps_words(every_account_page):
    subjects = {m.subject for m in mail.outbox}
    assert {"kindstep: Your sign-in code", "kindstep: Your code for a new password",
            "kindstep: Please confirm your email address", "kindstep: You already have an account here",
            "kindstep: No account with this address"} <= subjects
    for message in mail.outbox:
        assert message.subject.startswith("kindstep: ")
        assert not not_sentence_case(message.subject.removeprefix("kindstep: ")), message.subject
        assert not unkind(message.subject + message.body), message.body


def test_every_account_page_is_in_kindsteps_calm_sentence_case_words(every_account_page):
    found = {page: problems for page, html in every_account_page.items() if (problems := check(html))}
    assert not found, found


def test_the_wording_check_catches_allauths_own_words():
    assert not_sentence_case("Remember Me") == ["Me"]
    assert not_sentence_case("Sign In Via the Riverside clinic") == ["In", "Via", "Riverside"]
    assert not_sentence_case("Sign in. Then Help now") == []
    assert check('<button type="submit">Sign In</button>') == ["'Sign In': ['In']"]
    assert check("<p>You failed to sign in</p>") == ["unkind: failed"]

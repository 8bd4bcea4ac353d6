"""Accounts through allauth: sign-up (invite, open, closed), email verification, password,
emailed code, TOTP, rate limits, reset; no password, code or token ever in a log line.

Emails go to Django's test outbox; each code is read from the email as a person would.
"""

from __future__ import annotations

import logging
import re
import time
from html import unescape

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache

from kindstep.accounts.adapter import PAUSED
from kindstep.accounts.models import Invitation, Member
from kindstep.store import models
from tests.accounts.helpers import PASSWORD, make_member, proxied_client
from tests.words import unkind

EMAIL = "robin@example.org"


@pytest.fixture(autouse=True)
def every_log_line(caplog):
    """Every log record of every logger, from DEBUG up, for the secrets check at the end."""
    caplog.set_level(logging.DEBUG)
    return caplog


def code_in(message) -> str:
    """The code an email carries: the line that is nothing but letters and digits."""
    found = [line.strip() for line in message.body.splitlines()
             if re.fullmatch(r"[A-Z0-9-]{4,12}", line.strip())]
    assert len(found) == 1, message.body
    return found[0]


def assert_never_logged(caplog, *secrets: str) -> None:
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in secrets:
        assert secret not in text


def signed_in(client) -> bool:
    return client.get("/history/").status_code == 200


def sign_up(client, email: str = EMAIL, password: str = PASSWORD):
    return client.post("/accounts/signup/", {"email": email, "password1": password,
                                             "password2": password})


# -- sign-up -------------------------------------------------------------------------


def test_by_default_only_an_invited_address_can_open_an_account(db, settings, every_log_line):
    assert settings.SIGNUP == "invite"
    client = proxied_client()
    refused = sign_up(client)
    assert refused.status_code == 302  # the same next step as a real sign-up (below)
    assert not get_user_model().objects.exists()
    (told,) = mail.outbox
    assert told.to == [EMAIL] and "by invitation" in told.body
    mail.outbox.clear()
    cache.clear()  # one email to an address per few minutes (allauth's rate limit)

    Invitation.objects.create(email=EMAIL.upper())
    client = proxied_client()
    response = sign_up(client)
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert not signed_in(client)  # not before the address is verified
    (message,) = mail.outbox
    assert message.to == [EMAIL]
    code = code_in(message)
    assert code not in response["Location"]
    confirmed = client.post("/accounts/confirm-email/", {"code": code})
    assert confirmed.status_code == 302
    assert signed_in(client)
    assert Invitation.objects.get().accepted_at is not None
    assert_never_logged(every_log_line, PASSWORD, code)


def test_a_new_account_gets_its_own_empty_record_and_the_first_run_question(db, settings):
    settings.SIGNUP = "open"
    someone = models.Person.objects.create(timezone="UTC")
    client = proxied_client()
    sign_up(client)
    client.post("/accounts/confirm-email/", {"code": code_in(mail.outbox[0])})
    today = client.get("/").content.decode()
    person = models.Person.objects.get(pk=Member.objects.get().person_id)
    assert person.pk != someone.pk and not person.country_asked
    assert "Which country are you in?" in today


def test_closed_sign_up_says_so_kindly_and_makes_nothing(db, settings):
    settings.SIGNUP = "closed"
    client = proxied_client()
    page = client.get("/accounts/signup/")
    assert "<h1>New accounts are not open here</h1>" in page.content.decode()
    assert "New accounts are not open here" in sign_up(client).content.decode()
    assert not get_user_model().objects.exists()


def test_a_weak_password_is_refused_by_djangos_validators(db, settings):
    settings.SIGNUP = "open"
    response = sign_up(proxied_client(), password="password")
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    assert not get_user_model().objects.exists()


def test_passwords_are_hashed_with_argon2(db):
    user = make_member(EMAIL)
    assert user.password.startswith("argon2$argon2id$")


# -- signing in ------------------------------------------------------------------------


def test_signing_in_with_the_password(db, every_log_line):
    make_member(EMAIL)
    client = proxied_client()
    response = client.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client)
    client.post("/accounts/logout/")
    assert not signed_in(client)
    assert_never_logged(every_log_line, PASSWORD)


def test_signing_in_with_a_code_sent_by_email(db, every_log_line):
    make_member(EMAIL)
    client = proxied_client()
    asked = client.post("/accounts/login/code/", {"email": EMAIL})
    assert asked.status_code == 302 and asked["Location"] == "/accounts/login/code/confirm/"
    code = code_in(mail.outbox[0])
    wrong = client.post("/accounts/login/code/confirm/", {"code": "WRONG1"})
    assert wrong.status_code == 200 and not signed_in(client)
    client.post("/accounts/login/code/confirm/", {"code": code})
    assert signed_in(client)
    assert_never_logged(every_log_line, code)


def test_too_many_wrong_passwords_pause_signing_in_to_that_address(db, settings):
    make_member(EMAIL)
    client = proxied_client()
    for _ in range(5):  # KINDSTEP_LOGIN_ATTEMPTS' default
        response = client.post("/accounts/login/", {"login": EMAIL, "password": "not it at all"})
        assert response.status_code == 200 and not signed_in(client)
    locked = client.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    assert not signed_in(client)
    assert PAUSED in unescape(locked.content.decode())
    # Another address is not paused by it.
    make_member("sam@example.org")
    client.post("/accounts/login/", {"login": "sam@example.org", "password": PASSWORD})
    assert signed_in(client)


def test_the_lockout_follows_its_setting(db, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,2/900s/key"}
    make_member(EMAIL)
    client = proxied_client()
    for _ in range(2):
        client.post("/accounts/login/", {"login": EMAIL, "password": "not it at all"})
    client.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    assert not signed_in(client)


def test_resetting_a_forgotten_password_with_a_code(db, every_log_line):
    make_member(EMAIL)
    client = proxied_client()
    asked = client.post("/accounts/password/reset/", {"email": EMAIL})
    assert asked.status_code == 302
    code = code_in(mail.outbox[0])
    confirmed = client.post("/accounts/password/reset/confirm/", {"code": code})
    assert confirmed.status_code == 302
    new = "a slow swim on a quiet morning"
    done = client.post("/accounts/password/reset/complete/", {"password1": new, "password2": new})
    assert done.status_code == 302
    fresh = proxied_client()
    fresh.post("/accounts/login/", {"login": EMAIL, "password": new})
    assert signed_in(fresh)
    assert_never_logged(every_log_line, code, new, PASSWORD)


# -- TOTP, the optional second step ----------------------------------------------------------


def totp_now(secret: str, at: float) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(at) // 30))


def test_an_authenticator_app_adds_a_second_step_to_signing_in(db, every_log_line):
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    make_member(EMAIL)
    client = proxied_client()
    client.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 302  # confirm it is you
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    activated = client.post("/accounts/2fa/totp/activate/", {"code": totp_now(secret, time.time())})
    assert activated.status_code == 302
    client.post("/accounts/logout/")

    later = time.time() + 60  # a new code: the one used to turn it on cannot be used again
    with time_machine.travel(later, tick=True):
        fresh = proxied_client()
        first = fresh.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
        assert first["Location"] == "/accounts/2fa/authenticate/"
        assert not signed_in(fresh)  # the password alone is not enough now
        fresh.post("/accounts/2fa/authenticate/", {"code": "000000"})
        assert not signed_in(fresh)
        code = totp_now(secret, later)
        fresh.post("/accounts/2fa/authenticate/", {"code": code})
        assert signed_in(fresh)
    assert_never_logged(every_log_line, secret, code, PASSWORD)


# -- the pages themselves ------------------------------------------------------------------


@pytest.mark.parametrize("address", ["/accounts/login/", "/accounts/signup/",
                                     "/accounts/login/code/", "/accounts/password/reset/"])
def test_the_account_pages_are_kindsteps_own_and_say_what_happens_to_the_data(db, address):
    html = proxied_client().get(address).content.decode()
    assert '<a class="brand"' in html and "kindstep/kindstep.css" in html
    assert "Your record is yours alone" in html
    assert "/help-now/" in html  # help is one step away on every page
    assert "<script>" not in html  # no inline script: the strict CSP holds
    assert not unkind(re.sub(r"<[^>]+>", " ", html))

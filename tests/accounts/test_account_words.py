"""Every account page in kindstep's own words: sentence case, calm, never shaming.

allauth's pages come with its own wording ("Sign In", "Remember Me"); kindstep rewords them
through an English catalogue of its own (kindstep/accounts/locale). Each page a person can
reach on the way in, and each page of a signed-in account, is rendered here through the
real flows on PostgreSQL, and what a person reads is checked: the words list
(tests/words.py), and headings, buttons, labels, links and titles in sentence case.
"""

from __future__ import annotations

import re
import time
from html import unescape
from html.parser import HTMLParser

import pytest
from django.core import mail

from kindstep.accounts.models import Invitation
from tests.accounts.helpers import PASSWORD, make_member, proxied_client
from tests.accounts.test_signing_in import code_in, totp_now
from tests.words import unkind

EMAIL = "lee@example.org"

NAMES = {"I", "OpenID", "Connect", "WebAuthn", "TOTP", "ID", "PHQ-9", "GAD-7", "Help"}
"""Words that keep their capital wherever they stand (names, acronyms, the Help now link)."""

TAGS = {"title", "h1", "h2", "h3", "button", "label", "a", "legend", "summary", "th"}


class _Texts(HTMLParser):
    """The text of each heading, button, label, link, legend and title on a page, and the
    page's whole visible text."""

    def __init__(self):
        super().__init__()
        self.open: list[list] = []
        self.items: list[str] = []
        self.text: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self.hidden += 1
        if tag in TAGS:
            self.open.append([tag, ""])
        for name, value in attrs:
            if name in {"placeholder", "aria-label", "title"} and value:
                self.items.append(value)
        if tag == "input" and dict(attrs).get("type") in {"submit", "button"}:
            self.items.append(dict(attrs).get("value") or "")

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self.hidden -= 1
        if self.open and self.open[-1][0] == tag:
            self.items.append(self.open.pop()[1])

    def handle_data(self, data):
        if self.hidden:
            return
        self.text.append(data)
        for item in self.open:
            item[1] += data


def not_sentence_case(text: str) -> list[str]:
    """The words in ``text`` capitalised where a sentence would not capitalise them."""
    found = []
    for sentence in re.split(r"(?<=[.!?:·(])\s*|\s+[-–—]\s+", " ".join(text.split())):
        words = re.findall(r"[A-Za-z][\w'’-]*", sentence)
        found += [w for w in words[1:] if w[0].isupper() and not w.isupper() and w not in NAMES]
    return found


def check(html: str) -> list[str]:
    """What on the page is not in kindstep's words."""
    parser = _Texts()
    parser.feed(html)
    problems = [f"{item.strip()!r}: {words}" for item in parser.items
                if (words := not_sentence_case(unescape(item)))]
    return problems + [f"unkind: {w}" for w in unkind(unescape(" ".join(parser.text)))]


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
    assert len(subjects) >= 3  # a sign-in code, a code for a new password, a new address's code
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

"""Signing out on a shared device leaves nothing of the person in the browser."""

from __future__ import annotations

from tests.accounts.helpers import member_client, proxied_client
from tests.web.helpers import csrf_token


def test_signing_out_asks_the_browser_to_forget_kept_pages_and_storage(alice):
    member = member_client(alice, "alice@example.org")
    token = csrf_token(member.get("/accounts/logout/"))
    response = member.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert member.get("/").status_code == 302  # signed out: Today asks to sign in again


def test_other_pages_never_clear_the_browser(alice):
    member = member_client(alice, "alice@example.org")
    assert "Clear-Site-Data" not in member.get("/")
    assert "Clear-Site-Data" not in proxied_client().get("/help-now/")

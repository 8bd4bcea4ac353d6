"""Personal access tokens: stored only hashed, shown once, scoped, revocable, never logged;
made and revoked on the Settings page and by `kindstep token`."""

from __future__ import annotations

import hashlib
import logging
import re

import pytest
import time_machine
from typer.testing import CliRunner

from kindstep.api import tokens
from kindstep.api.models import ApiToken
from kindstep.cli.common import EXIT_REFUSED
from kindstep.cli.main import app
from tests.accounts.helpers import member_client
from tests.api.helpers import api_client, call, make_member, token_for
from tests.conftest import NOW

pytestmark = pytest.mark.postgres

TOKEN = re.compile(r"ks_[A-Za-z0-9_\-]{43}")


@pytest.fixture
def ada(alice):
    return make_member("ada@example.org", person=alice)


def test_a_token_is_stored_only_as_its_sha256(ada):
    row, token = tokens.create_token(ada, label="phone", now=NOW)
    assert TOKEN.fullmatch(token)
    stored = ApiToken.objects.filter(pk=row.pk).values().get()
    assert token not in repr(stored)
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert (stored["label"], stored["read_only"], stored["revoked_at"]) == ("phone", False, None)


def test_a_read_only_token_reads_but_cannot_write(ada, counts):
    client = api_client(token_for(ada, read_only=True))
    assert call(client, "GET", "/api/checkins").status_code == 200
    before = counts()
    for method, path, body in [("POST", "/api/checkins", {"energy": 4, "mood": 5, "anxiety": 3}),
                               ("POST", "/api/sessions", {"activity": "walk", "duration": 5}),
                               ("DELETE", "/api/sessions/1", None)]:
        response = call(client, method, path, body)
        assert response.status_code == 403
        assert "can read your record but not change it" in response.json()["detail"]
    assert counts() == before


def test_a_revoked_token_opens_nothing_at_once(ada, counts):
    token = token_for(ada, label="laptop")
    client = api_client(token)
    assert call(client, "GET", "/api/today").status_code == 200
    assert tokens.revoke_tokens(ada, label="laptop", now=NOW) == 1
    before = counts()
    for method, path in [("GET", "/api/today"), ("POST", "/api/rest-days")]:
        response = call(client, method, path, {} if method == "POST" else None)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert counts() == before


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ks_nothing", "Basic abc", "Token x",
                                    "Bearer " + "ks_" + "a" * 500])
def test_no_token_or_an_unknown_one_is_401_json(db, header):
    from tests.accounts.helpers import proxied_client

    client = proxied_client(**({"HTTP_AUTHORIZATION": header} if header else {}))
    response = client.get("/api/checkins")
    assert response.status_code == 401
    assert "Authorization: Bearer TOKEN" in response.json()["detail"]


def test_a_session_cookie_opens_nothing(alice):
    signed_in = member_client(alice, "ada@example.org")
    assert signed_in.get("/api/checkins").status_code == 401


def test_using_a_token_marks_it_used(ada):
    token = token_for(ada)
    with time_machine.travel(NOW, tick=False):
        call(api_client(token), "GET", "/api/rhythm")
    assert ApiToken.objects.get().last_used_at == NOW


def test_a_token_never_reaches_a_log(ada, caplog):
    """Every log record of making, using, refusing and revoking tokens, at every level."""
    for name in ["", "django.request", "django.server", "django.security", "kindstep",
                 *logging.root.manager.loggerDict]:
        caplog.set_level(logging.DEBUG, logger=name)
    runner = CliRunner()
    made = runner.invoke(app, ["token", "create", "ada@example.org", "--label", "script"])
    token = made.stdout.strip().splitlines()[-1]
    read_only = token_for(ada, read_only=True)
    client = api_client(token)
    call(client, "GET", "/api/checkins")
    call(client, "POST", "/api/checkins", {"energy": 44, "mood": 5, "anxiety": 3})
    call(client, "GET", "/api/checkins/999")
    call(api_client(read_only), "POST", "/api/rest-days", {})
    page = member_client(None, "bo@example.org")
    shown = page.post("/settings/tokens/", {"label": "page", "scope": "read"})
    page_token = TOKEN.search(shown.content.decode()).group(0)
    runner.invoke(app, ["token", "revoke", "ada@example.org"])
    call(client, "GET", "/api/checkins")
    call(api_client(page_token), "GET", "/api/today")
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {getattr(r, 'request', '')!r}"
                       for r in caplog.records)
    assert len(caplog.records) > 3  # the requests were logged (401, 403, 404, 422 ...)
    for secret in (token, read_only, page_token):
        assert secret not in logged
        assert secret[3:20] not in logged


def test_cli_token_create_prints_the_token_alone_on_its_last_line(ada):
    result = CliRunner().invoke(app, ["token", "create", "ada@example.org", "--label",
                                      "phone app", "--read-only"])
    assert result.exit_code == 0, result.output
    last = result.stdout.rstrip("\n").splitlines()[-1]
    assert TOKEN.fullmatch(last)
    row = ApiToken.objects.get()
    assert (row.label, row.read_only, row.token_hash) == ("phone app", True, tokens.hashed(last))
    assert call(api_client(last), "GET", "/api/today").status_code == 200


def test_cli_token_revoke_by_label_leaves_the_others(ada):
    keep = token_for(ada, label="laptop")
    gone = token_for(ada, label="phone app")
    result = CliRunner().invoke(app, ["token", "revoke", "ADA@example.org", "--label",
                                      "phone app"])
    assert result.exit_code == 0, result.output
    assert "Revoked 1 token of ada@example.org" in result.stdout
    assert call(api_client(gone), "GET", "/api/today").status_code == 401
    assert call(api_client(keep), "GET", "/api/today").status_code == 200
    everything = CliRunner().invoke(app, ["token", "revoke", "ada@example.org"])
    assert "Revoked 1 token" in everything.stdout
    assert call(api_client(keep), "GET", "/api/today").status_code == 401


@pytest.mark.parametrize(("args", "says"), [
    (["create", "nobody@example.org"], "There is no account for 'nobody@example.org' here"),
    (["revoke", "nobody@example.org"], "There is no account for 'nobody@example.org' here"),
    (["revoke", "ada@example.org", "--label", "nothing"], "has no token named 'nothing'"),
    (["create", "ada@example.org", "--label", "x" * 81], "A token's label is a short name"),
])
def test_cli_token_refuses_kindly_with_exit_2(ada, args, says):
    result = CliRunner().invoke(app, ["token", *args])
    assert result.exit_code == EXIT_REFUSED
    assert says in result.stderr
    assert not ApiToken.objects.exclude(revoked_at=None).exists()
    assert ApiToken.objects.count() == 0


def test_the_settings_page_makes_a_token_shows_it_once_and_revokes_it(alice):
    client = member_client(alice, "ada@example.org")
    assert "Tokens for other apps" in client.get("/settings/").content.decode()
    made = client.post("/settings/tokens/", {"label": "phone app", "scope": "write"})
    assert made.status_code == 200
    page = made.content.decode()
    token = TOKEN.search(page).group(0)
    assert "phone app" in page and "read and change your record" in page
    assert made["Cache-Control"].startswith("max-age=0")  # never_cache: no copy kept
    again = client.get("/settings/tokens/").content.decode()
    assert token not in again and "phone app" in again
    assert call(api_client(token), "POST", "/api/rest-days", {}).status_code == 201
    pk = ApiToken.objects.get().pk
    assert client.post("/settings/tokens/", {"action": "revoke", "token": pk}).status_code == 302
    assert call(api_client(token), "GET", "/api/today").status_code == 401
    assert "You have no tokens" in client.get("/settings/tokens/").content.decode()


def test_the_settings_page_cannot_revoke_another_accounts_token(alice, charlie):
    theirs = token_for(make_member("charlie@example.org", person=charlie))
    pk = ApiToken.objects.get().pk
    member_client(alice, "ada@example.org").post("/settings/tokens/",
                                                 {"action": "revoke", "token": pk})
    assert call(api_client(theirs), "GET", "/api/today").status_code == 200


def test_a_label_too_long_is_refused_on_the_page_and_nothing_made(alice):
    client = member_client(alice, "ada@example.org")
    response = client.post("/settings/tokens/", {"label": "x" * 81, "scope": "read"})
    assert response.status_code == 422
    assert "short name" in response.content.decode()
    assert ApiToken.objects.count() == 0


def test_the_tokens_page_needs_signing_in(db):
    from tests.accounts.helpers import proxied_client

    response = proxied_client().get("/settings/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

"""Every API route x {anonymous, the member's token, another member's token, a read-only
token, a revoked token, an admin's token, the tokens of a clinician Alice shares with, one she
does not, one after she revoked, one after the share's end date, and someone in her peer
group}: exactly the allowed ones succeed.

The API opens its caller's own record only: a share is seen on the web's shared pages
(docs/sharing.md), so to the API a clinician or a group member is another member.

Alice (the member) plants a unique note and a questionnaire with a telling pattern of
answers; neither may appear in any response to anyone else, and each id of hers answers
everyone else 404, exactly as an id that does not exist.
"""

from __future__ import annotations

import uuid
from contextlib import suppress

import pytest
from django.db import transaction

from kindstep.api import tokens
from kindstep.store import actions, models
from tests.api.helpers import api_client, call, make_member, token_for
from tests.conftest import NOW

pytestmark = pytest.mark.postgres

NOTE = f"planted-{uuid.uuid4().hex}"
ANSWERS = [3, 0, 2, 1, 3, 0, 2, 1, 0]
"""Alice's PHQ-9: this exact sequence in a response is her scores leaking."""

BODIES = {
    ("POST", "/api/checkins"): {"energy": 4, "mood": 5, "anxiety": 3},
    ("PATCH", "/api/checkins/{id}"): {"mood": 6},
    ("POST", "/api/sessions"): {"activity": "walk", "duration": 10},
    ("PATCH", "/api/sessions/{id}"): {"duration": 15},
    ("POST", "/api/rest-days"): {"date": "yesterday"},
    ("PATCH", "/api/rest-days/{id}"): {"note": "a calm one"},
    ("POST", "/api/questionnaires"): {"scale": "gad7", "answers": [0] * 7},
    ("PATCH", "/api/questionnaires/{id}"): {},
}
"""A good body for each write: refused, it is for who is asking, never for what was sent."""


class Rollback(Exception):
    """Ends one request's transaction, so the next route finds Alice's record as it was."""


def routes() -> list[tuple[str, str]]:
    """Every (method, path) the API's own schema lists."""
    from kindstep.api.routes import api

    schema = api.get_openapi_schema()
    return [(method.upper(), path) for path, methods in schema["paths"].items()
            for method in methods]


@pytest.fixture
def record(alice):
    """Alice's record: one of each kind of entry carrying the note, and a PHQ-9."""
    checkin = actions.record_checkin(alice, energy=4, mood=5, anxiety=3, note=NOTE, now=NOW)
    session = actions.log_session(alice, activity="walk", duration=12, note=NOTE, now=NOW)
    rest, _ = actions.log_rest(alice, note=NOTE, now=NOW, day="2026-11-20")
    answered, _ = actions.answer_questionnaire(alice, "phq9", ANSWERS, now=NOW)
    return {"checkins": checkin.pk, "sessions": session.pk, "rest-days": rest.pk,
            "questionnaires": answered.pk}


ENTRIES = ("checkins", "sessions", "rest-days", "questionnaires")
"""The kinds of Alice's record with a read of one by id."""
GRANTEES = ("clinician with consent", "clinician without consent", "after revocation",
            "after the end date", "group member")
ROLES = ["anonymous", "member", "another member", "read-only", "revoked", "admin", *GRANTEES]


def share_with_grantees(owner, alice, record) -> dict:
    """Alice's shares (everything, notes too) and her group, each grantee with a token and
    a record of their own; ``record["shares"]`` is the live share's id."""
    from datetime import timedelta

    from kindstep.groups import actions as group_actions
    from kindstep.sharing import actions as sharing
    from kindstep.sharing.models import Share
    from kindstep.store import queries

    clients, shares = {}, {}
    for who in GRANTEES:
        person = models.Person.objects.create(timezone="UTC")
        user = make_member(f"{who.replace(' ', '-')}@example.org", person=person)
        clients[who] = api_client(token_for(user))
        if who == "group member":
            group = group_actions.create_group(alice, name="Riverside", now=NOW)
            group_actions.join_group(person, code=group.code, now=NOW)
            group_actions.choose(alice, group.pk, show_my_days="on", display_name="Ally")
        elif who != "clinician without consent":
            _, code = sharing.create_invitation(
                owner, alice, role="clinician", now=NOW, ends_on="",
                scopes=["rhythm", "checkins", "scores", "insights", "notes"])
            shares[who] = sharing.accept_invitation(user, code, now=NOW)
    sharing.revoke(alice, shares["after revocation"].pk, now=NOW)
    Share.objects.filter(pk=shares["after the end date"].pk).update(
        ends_on=queries.today(alice, NOW) - timedelta(days=1))
    record["shares"] = shares["clinician with consent"].pk
    return clients


@pytest.fixture
def cast(alice, charlie, record):
    member = make_member("alice@example.org", person=alice)
    revoked = token_for(member, label="old")
    tokens.revoke_tokens(member, label="old", now=NOW)
    return {
        **share_with_grantees(member, alice, record),
        "anonymous": api_client(),
        "member": api_client(token_for(member)),
        "another member": api_client(token_for(make_member("charlie@example.org",
                                                           person=charlie))),
        "read-only": api_client(token_for(member, read_only=True)),
        "revoked": api_client(revoked),
        "admin": api_client(token_for(make_member("admin@example.org", admin=True))),
    }


def expected(role: str, method: str, path: str) -> int:
    """The status each caller gets; a 2xx is shown as 200 (201 and 204 count as it)."""
    if role in ("anonymous", "revoked"):
        return 401
    if method == "PATCH" and path.startswith("/api/questionnaires"):
        return 405 if role != "read-only" else 403  # kept as answered, for everyone
    if role == "read-only":
        return 200 if method == "GET" else 403
    if role == "member":
        return 200
    # Another member, an admin, a clinician or a group member: their own record only.
    # Alice's ids, her shares' included, are not there.
    return 404 if "{id}" in path else 200


def alices_rows(alice) -> dict:
    from kindstep.sharing.models import Share

    return {model.__name__: list(model.objects.filter(person=alice).order_by("pk").values())
            for model in (models.CheckIn, models.MovementSession, models.RestDay,
                          models.QuestionnaireResponse, Share)}


def leaks(text: str) -> list[str]:
    compact = ",".join(map(str, ANSWERS))
    return [found for found in (NOTE, f"[{compact}]", "[" + ", ".join(map(str, ANSWERS)) + "]")
            if found in text]


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def test_the_matrix_covers_every_route_of_the_api():
    assert len(routes()) >= 22
    assert {p for _, p in routes()} >= {"/api/checkins", "/api/sessions/{id}", "/api/rest-days",
                                        "/api/questionnaires/{id}", "/api/today", "/api/rhythm",
                                        "/api/insights", "/api/export", "/api/shares",
                                        "/api/shares/{id}"}


@pytest.mark.parametrize("role", ROLES)
def test_exactly_the_allowed_callers_succeed_and_nothing_of_alices_leaks(
        role, cast, record, alice):
    client = cast[role]
    before = alices_rows(alice)
    for method, path in routes():
        kind = path.split("/")[2]
        url = path.replace("{id}", str(record.get(kind, 0)))
        with suppress(Rollback), transaction.atomic():
            response = call(client, method, url, BODIES.get((method, path)))
            status = response.status_code
            want = expected(role, method, path)
            got = 200 if 200 <= status < 300 else status
            assert got == want, f"{role} {method} {url}: {status} {body(response)[:300]}"
            assert response["Content-Type"].startswith("application/json"), (role, method, url)
            text = body(response)
            if role not in ("member", "read-only"):  # read-only is Alice's own, for reading
                assert not leaks(text), f"{role} {method} {url} saw Alice's record"
            if role != "member":
                assert alices_rows(alice) == before, f"{role} {method} {url} changed it"
            raise Rollback
    if role == "member":  # her own record is all there, for her
        texts = [body(call(client, "GET", f"/api/{kind}/{pk}")) for kind, pk in record.items()
                 if kind in ENTRIES]
        assert all(NOTE in t for t in texts[:3]) and leaks(texts[3])


def test_another_members_id_answers_exactly_as_one_that_does_not_exist(cast, record):
    charlie = cast["another member"]
    for kind, pk in record.items():
        if kind not in ENTRIES:
            continue
        theirs = call(charlie, "GET", f"/api/{kind}/{pk}")
        missing = call(charlie, "GET", f"/api/{kind}/{pk + 10_000}")
        assert (theirs.status_code, theirs.content) == (missing.status_code, missing.content)
        gone = call(charlie, "DELETE", f"/api/{kind}/{pk}")
        assert (gone.status_code, gone.content) == (404, missing.content)


def test_the_member_sees_and_stops_her_shares_and_nobody_else_can(cast, record, alice):
    from kindstep.sharing.models import Share

    live = record["shares"]
    shares = call(cast["member"], "GET", "/api/shares").json()
    assert [s["live"] for s in shares] == [False, False, True]  # newest first
    assert shares[-1]["id"] == live and shares[-1]["who"] == "clinician-with-consent@example.org"
    assert "notes" in shares[-1]["scopes"]
    for who in ("clinician with consent", "another member", "group member", "admin"):
        assert call(cast[who], "GET", "/api/shares").json() == [], who
        theirs = call(cast[who], "DELETE", f"/api/shares/{live}")
        missing = call(cast[who], "DELETE", f"/api/shares/{live + 10_000}")
        assert (theirs.status_code, theirs.content) == (404, missing.content), who
    assert call(cast["read-only"], "DELETE", f"/api/shares/{live}").status_code == 403
    assert Share.objects.get(pk=live).revoked_at is None
    assert call(cast["member"], "DELETE", f"/api/shares/{live}").status_code == 204
    assert Share.objects.get(pk=live).revoked_at is not None
    assert [s["live"] for s in call(cast["member"], "GET", "/api/shares").json()] == [False] * 3

"""Every page of kindstep/web/urls.py x {anonymous, the member, another member, an admin}.

Alice (the member) plants a unique note; it must never appear in any response to
anyone else, and an entry id of hers answers everyone else 404, exactly as an id
that does not exist.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.urls import URLPattern, reverse

from kindstep.store import actions, import_jobs, models
from kindstep.web import urls as web_urls
from tests.accounts.helpers import member_client, proxied_client
from tests.conftest import NOW

NOTE = f"planted-{uuid.uuid4().hex}"
"""Alice's words, unique to this run: found anywhere else, a record leaked."""

GET_ONLY_POSTS = {"undo", "experiment_start", "experiment_log", "experiment_stop"}
"""Pages that only take a form post: a GET is 405 for everyone signed in."""


@pytest.fixture
def record(alice):
    """Alice's record: a session and a check-in carrying the note, and a PHQ-9."""
    session = actions.log_session(alice, activity="walk", duration=12, note=NOTE, now=NOW)
    actions.record_checkin(alice, energy=4, mood=5, anxiety=3, note=NOTE, now=NOW)
    row, _ = actions.answer_questionnaire(alice, "phq9", [1, 1, 0, 0, 1, 0, 0, 0, 0], now=NOW)
    plan = actions.plan_activity(alice, activity="walk", duration=10, date="tomorrow", now=NOW)
    job = import_jobs.start_import(alice, [b"<gpx/>"], filename="walk.gpx", dry_run=True,
                                   now=NOW)
    return {"entry": f"s{session.pk}", "scale": "phq9", "pk": row.pk, "name": "minutes",
            "plan": f"p{plan.pk}", "job": job.pk, "token": actions.rotate_feed_token(alice)}


def addresses(record) -> dict[str, str]:
    """Each kindstep page's name and a real address of it, its arguments from Alice's record."""
    found = {}
    for pattern in web_urls.urlpatterns:
        if not isinstance(pattern, URLPattern) or pattern.name not in kindstep_pages():
            continue
        names = list(pattern.pattern.converters)
        found[pattern.name] = reverse(pattern.name, kwargs={n: record[n] for n in names})
    return found


def kindstep_pages() -> list[str]:
    """The names of kindstep's own pages (server mode adds the account pages after them)."""
    return [p.name for p in web_urls.urlpatterns if isinstance(p, URLPattern) and p.name
            and p.lookup_str.startswith("kindstep.web.")]


@pytest.fixture
def cast(alice, charlie, record):
    return {
        "anonymous": proxied_client(),
        "member": member_client(alice, "alice@example.org"),
        "another member": member_client(charlie, "charlie@example.org"),
        "admin": member_client(None, "admin@example.org", admin=True),
    }


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def test_the_matrix_covers_every_page_of_the_web_app():
    source = Path(web_urls.__file__).read_text()
    assert len(kindstep_pages()) == source.count("    path(") >= 28  # every path() of urls.py


OWNED = {"edit": "entry", "delete": "entry", "questionnaire_result": "pk",
         "plan_move": "plan", "plan_drop": "plan", "import_job": "job",
         "import_job_status": "job"}
"""Pages whose address names one of Alice's entries, plans or imports."""
MISSING = {"entry": "s987654321", "pk": 987654321, "plan": "p987654321", "job": 987654321}
OPEN = {"help_now", "manifest", "service_worker", "install", "offline", "reminders_feed"}
"""Pages anyone may open: crisis lines, what a phone needs to install kindstep, and a
calendar feed (found by its random token alone; it holds reminder times, no words)."""


def missing(record, page) -> str:
    """The page's address for an entry that does not exist."""
    return addresses({**record, OWNED[page]: MISSING[OWNED[page]]})[page]


@pytest.mark.parametrize("page", kindstep_pages())
def test_each_page_answers_each_visitor_as_allowed_and_never_shows_the_note(cast, record, page):
    address = addresses(record)[page]
    mine = cast["member"].get(address)
    assert mine.status_code in {200, 302, 405} or page == "experiment_export", (page, mine)
    for who in ("anonymous", "another member", "admin"):
        response = cast[who].get(address)
        assert NOTE not in body(response), (who, address)
        if who == "anonymous":
            if page in OPEN:
                assert response.status_code == 200, address
            else:  # to sign in, and back to the page (its path only) afterwards
                assert response.status_code == 302, address
                assert response["Location"] == f"/accounts/login/?next={address}"
        elif page in OWNED:  # someone else's entry is just like one that does not exist
            nothing = cast["member"].get(missing(record, page))
            assert response.status_code == nothing.status_code, (who, address)
            assert body(response) == body(nothing)
        else:
            assert response.status_code == mine.status_code, (who, address)


def test_the_member_sees_the_note_where_it_belongs(cast, record):
    assert NOTE in body(cast["member"].get("/history/"))
    assert NOTE in body(cast["member"].get("/settings/export/"))
    assert cast["member"].get(addresses(record)["edit"]).status_code == 200
    assert cast["member"].get(addresses(record)["questionnaire_result"]).status_code == 200


@pytest.mark.parametrize("who", ["another member", "admin"])
def test_someone_else_cannot_change_or_remove_the_members_entry(cast, record, who, alice):
    before = list(models.MovementSession.objects.filter(person=alice).values())
    edit = cast[who].post(addresses(record)["edit"], {"activity": "run", "minutes": "50"})
    delete = cast[who].post(addresses(record)["delete"])
    assert edit.status_code == delete.status_code == 404
    assert list(models.MovementSession.objects.filter(person=alice).values()) == before


def test_the_admin_is_a_member_with_a_record_of_their_own(cast, record, alice, charlie):
    from django.contrib.auth import get_user_model

    from kindstep.accounts.people import person_for

    admin = get_user_model().objects.get(email="admin@example.org")
    assert admin.is_staff and person_for(admin).pk not in {alice.pk, charlie.pk}
    assert not models.MovementSession.objects.filter(person=person_for(admin)).exists()


# -- sharing by consent (kindstep/sharing): the grantees of Alice's shares ---------------

SCORES = "3 of 27"
"""How Alice's planted PHQ-9 reads on a shared page: found where scores are not shared, a leak."""
GRANTEES = ("clinician with consent", "clinician without consent", "clinician of one part",
            "after revocation", "after the end date")


@pytest.fixture
def sharing_cast(cast, alice):
    """The cast, and accounts Alice shares with: everything, nothing, rhythm only, a share
    she revoked and one past its end date. Each grantee has a record of their own."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model

    from kindstep.sharing import actions as sharing
    from kindstep.sharing.models import Share
    from kindstep.store import queries
    from kindstep.web.clock import now
    from tests.accounts.helpers import make_member

    owner = get_user_model().objects.get(email="alice@example.org")  # the cast's member
    found = dict(cast)
    shares = {}
    for who in GRANTEES:
        person = models.Person.objects.create(timezone="UTC")
        user = make_member(f"{who.replace(' ', '-')}@example.org", person=person)
        found[who] = proxied_client()
        found[who].force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if who == "clinician without consent":
            continue
        scopes = ["rhythm"] if who == "clinician of one part" else ["rhythm", "checkins",
                                                                      "scores", "insights", "notes"]
        _, code = sharing.create_invitation(owner, alice, role="clinician", scopes=scopes,
                                            ends_on="", now=now())
        shares[who] = sharing.accept_invitation(user, code, now=now())
    sharing.revoke(alice, shares["after revocation"].pk, now=now())
    Share.objects.filter(pk=shares["after the end date"].pk).update(
        ends_on=queries.today(alice, now()) - timedelta(days=1))
    return found, shares


@pytest.mark.parametrize("page", kindstep_pages())
def test_no_grantee_sees_the_members_own_pages(sharing_cast, record, page):
    cast, _ = sharing_cast
    address = addresses(record)[page]
    mine = cast["member"].get(address)
    for who in GRANTEES:
        response = cast[who].get(address)
        assert NOTE not in body(response), (who, address)
        if page in OWNED:
            nothing = cast["member"].get(missing(record, page))
            assert (response.status_code, body(response)) == (nothing.status_code, body(nothing))
        else:
            assert response.status_code == mine.status_code, (who, address)


SHARING_PAGES = ("/sharing/", "/sharing/invite/", "/shared/", "/shared/accept/")


def test_the_sharing_pages_answer_each_visitor_as_allowed(sharing_cast):
    cast, shares = sharing_cast
    full, one = shares["clinician with consent"], shares["clinician of one part"]
    everyone = ("member", "another member", "admin", *GRANTEES)
    for address in SHARING_PAGES:
        anonymous = cast["anonymous"].get(address)
        assert anonymous.status_code == 302 and anonymous["Location"] == f"/accounts/login/?next={address}"
        for who in everyone:
            response = cast[who].get(address)
            assert response.status_code == 200, (who, address)
            assert NOTE not in body(response), (who, address)
            if not (who == "clinician with consent" and address == "/shared/"):
                assert SCORES not in body(response), (who, address)
    for share in shares.values():
        for address in (f"/shared/{share.pk}/", f"/shared/{share.pk}/report.pdf"):
            for who in ("anonymous", *everyone):
                response = cast[who].get(address)
                allowed = who == "clinician with consent" and share == full or \
                    who == "clinician of one part" and share == one and "report" not in address
                if who == "anonymous":
                    assert response.status_code == 302, address
                elif allowed:
                    assert response.status_code == 200, (who, address)
                else:
                    nothing = cast[who].get("/shared/987654321/")
                    assert (response.status_code, body(response)) == (404, body(nothing)), \
                        (who, address)
    assert NOTE in body(cast["clinician with consent"].get(f"/shared/{full.pk}/"))
    assert SCORES in body(cast["clinician with consent"].get("/shared/"))
    only_rhythm = body(cast["clinician of one part"].get(f"/shared/{one.pk}/"))
    assert NOTE not in only_rhythm and SCORES not in only_rhythm and "rhythm-title" in only_rhythm


def test_only_the_member_can_stop_a_share(sharing_cast):
    from kindstep.sharing.models import Share

    cast, shares = sharing_cast
    full = shares["clinician with consent"]
    address = f"/sharing/{full.pk}/revoke/"
    assert cast["anonymous"].post(address).status_code == 302
    for who in ("another member", "admin", *GRANTEES):
        assert cast[who].post(address).status_code == 404, who
    assert Share.objects.get(pk=full.pk).revoked_at is None
    assert cast["member"].post(address).status_code == 302
    assert Share.objects.get(pk=full.pk).revoked_at is not None
    assert cast["clinician with consent"].get(f"/shared/{full.pk}/").status_code == 404

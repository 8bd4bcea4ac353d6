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

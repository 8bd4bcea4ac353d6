"""Sharing by consent, on the real PostgreSQL: invitations and codes, what each scope shows,
the audit of every view, the item-9 flag, and a share that has ended answering like none.

Alice shares; Clara is a clinician she invites; Charlie is another member. Alice's
note and scores are planted and searched for in every response.
"""

from __future__ import annotations

import re
import subprocess
import uuid
from datetime import timedelta

import pytest

from kindstep.core import sharing as rules
from kindstep.core.checks import InvalidInput
from kindstep.sharing import actions as share_actions
from kindstep.sharing import queries as share_queries
from kindstep.sharing.models import Share, ShareInvitation, ShareView
from kindstep.store import actions
from kindstep.web.clock import now as clock_now
from tests.accounts.helpers import make_member, proxied_client
from tests.conftest import NOW

NOTE = f"planted-{uuid.uuid4().hex}"
PHQ9 = [3, 3, 3, 3, 3, 2, 2, 2, 0]  # 21 of 27, item 9 at 0
PHQ9_ITEM9 = [0, 0, 0, 0, 0, 0, 0, 0, 1]  # item 9 above 0
GAD7 = [3, 3, 3, 2, 2, 2, 2]  # 17 of 21
SCORE_MARKS = ("21 of 27", "17 of 21")
"""How the planted scores read on a page: found on a page, the scores were shown."""
PART_MARKS = {
    "rhythm": 'id="rhythm-title"',
    "checkins": 'id="checkins-title"',
    "scores": SCORE_MARKS[0],
    "insights": 'id="insights-title"',
    "notes": NOTE,
}
"""What shows that each part is on a shared record's page."""


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def signed_in(user):
    client = proxied_client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def alice_record(alice):
    actions.log_session(alice, activity="walk", duration=12, note=NOTE, now=NOW)
    actions.record_checkin(alice, energy=4, mood=5, anxiety=3, note=NOTE, now=NOW)
    actions.answer_questionnaire(alice, "phq9", PHQ9, now=NOW)
    actions.answer_questionnaire(alice, "gad7", GAD7, now=NOW)
    return alice


@pytest.fixture
def people(alice_record, charlie):
    return {"alice": make_member("alice@example.org", person=alice_record),
            "clara": make_member("clara@example.org"),
            "charlie": make_member("charlie@example.org", person=charlie)}


def share_with(people, grantee="clara", scopes=tuple(rules.SCOPES), ends_on=None) -> Share:
    from kindstep.accounts.people import person_for

    owner = people["alice"]
    _, code = share_actions.create_invitation(owner, person_for(owner), role="clinician",
                                              scopes=scopes, ends_on=ends_on, now=clock_now())
    return share_actions.accept_invitation(people[grantee], code, now=clock_now())


# -- the journey on the web ------------------------------------------------------------


def test_a_member_invites_the_clinician_accepts_with_the_code_and_sees_the_shared_parts(people):
    alice, clara = signed_in(people["alice"]), signed_in(people["clara"])
    made = alice.post("/sharing/invite/", {"role": "clinician",
                                           "scopes": ["rhythm", "scores", "notes"], "ends_on": ""})
    assert made.status_code == 200 and made["Cache-Control"] == "private, no-store"
    code = re.search(r'id="share-code"><strong>([0-9A-Z]{5}-[0-9A-Z]{5})<', body(made)).group(1)
    invitation = ShareInvitation.objects.get()
    assert code not in invitation.code_hash and invitation.used_at is None

    accepted = clara.post("/shared/accept/", {"code": code.lower().replace("-", " ")})
    assert accepted.status_code == 302 and code not in accepted["Location"]
    share = Share.objects.get()
    assert accepted["Location"] == f"/shared/{share.pk}/"
    assert (share.owner, share.grantee, share.scopes) == (people["alice"], people["clara"],
                                                          ["rhythm", "scores", "notes"])
    page = body(clara.get(accepted["Location"]))
    assert NOTE in page and SCORE_MARKS[0] in page and 'id="rhythm-title"' in page
    assert 'id="checkins-title"' not in page and 'id="insights-title"' not in page
    assert rules.NOT_A_MONITORING_SERVICE in page

    mine = body(alice.get("/sharing/"))
    assert "clara@example.org" in mine and "your shared record" in mine
    assert rules.NOT_A_MONITORING_SERVICE in mine
    assert "Stop sharing with clara@example.org" in mine


def test_a_code_works_once(people):
    owner = people["alice"]
    _, code = share_actions.create_invitation(owner, owner.kindstep_member.person,
                                              role="supporter", scopes=["rhythm"], ends_on="",
                                              now=clock_now())
    clara, charlie = signed_in(people["clara"]), signed_in(people["charlie"])
    assert clara.post("/shared/accept/", {"code": code}).status_code == 302
    again = charlie.post("/shared/accept/", {"code": code})
    assert again.status_code == 422 and share_actions.CODE_REFUSED in body(again).replace(
        "&#39;", "'")
    assert Share.objects.count() == 1


@pytest.mark.parametrize("code", ["", "nonsense", "ABCDE-FGHJK", "A" * 40])
def test_a_code_that_opens_nothing_is_refused_kindly_and_nothing_is_shared(people, code):
    response = signed_in(people["clara"]).post("/shared/accept/", {"code": code})
    assert response.status_code == 422 and "Nothing was shared." in body(response)
    assert not Share.objects.exists()


def test_an_old_code_and_the_members_own_code_are_refused(people):
    owner = people["alice"]
    person = owner.kindstep_member.person
    _, old = share_actions.create_invitation(owner, person, role="clinician", scopes=["rhythm"],
                                             ends_on="", now=clock_now() - timedelta(days=8))
    _, own = share_actions.create_invitation(owner, person, role="clinician", scopes=["rhythm"],
                                             ends_on="", now=clock_now())
    for who, code in ((people["clara"], old), (owner, own)):
        with pytest.raises(InvalidInput):
            share_actions.accept_invitation(who, code, now=clock_now())
    assert not Share.objects.exists()


def test_guessing_codes_is_stopped_after_a_few_tries(people):
    from django.core.cache import cache

    cache.delete(share_actions._attempts_key(people["clara"]))
    for _ in range(share_actions.ACCEPT_ATTEMPTS):
        with pytest.raises(InvalidInput, match="typing slip"):
            share_actions.accept_invitation(people["clara"], "ABCDE-FGHJK", now=clock_now())
    _, code = share_actions.create_invitation(people["alice"], people["alice"].kindstep_member.person,
                                              role="clinician", scopes=["rhythm"], ends_on="",
                                              now=clock_now())
    with pytest.raises(InvalidInput, match="wait an hour"):
        share_actions.accept_invitation(people["clara"], code, now=clock_now())
    cache.delete(share_actions._attempts_key(people["clara"]))
    assert share_actions.accept_invitation(people["clara"], code, now=clock_now()).pk


@pytest.mark.parametrize(("form", "field"), [
    ({"role": "clinician", "ends_on": ""}, "scopes"),
    ({"role": "clinician", "scopes": ["everything"]}, "scopes"),
    ({"role": "boss", "scopes": ["rhythm"]}, "role"),
    ({"role": "clinician", "scopes": ["rhythm"], "ends_on": "next tuesday"}, "ends_on"),
    ({"role": "clinician", "scopes": ["rhythm"], "ends_on": "2001-01-01"}, "ends_on"),
    ({"role": "clinician", "scopes": ["rhythm"], "ends_on": "2999-01-01"}, "ends_on"),
])
def test_an_invitation_with_a_bad_value_says_which_and_makes_nothing(people, form, field):
    response = signed_in(people["alice"]).post("/sharing/invite/", form)
    assert response.status_code == 422
    assert f'id="{field}-error"' in body(response)
    assert not ShareInvitation.objects.exists()


# -- what each scope shows ---------------------------------------------------------------


@pytest.mark.parametrize("left_out", list(rules.SCOPES))
def test_each_part_left_out_is_exactly_what_is_hidden(people, left_out):
    share = share_with(people, scopes=[s for s in rules.SCOPES if s != left_out])
    clara = signed_in(people["clara"])
    page = body(clara.get(f"/shared/{share.pk}/"))
    listed = body(clara.get("/shared/"))
    for part, mark in PART_MARKS.items():
        assert (mark in page) == (part != left_out), (part, left_out)
    assert NOTE not in listed
    assert all((mark in listed) == (left_out != "scores") for mark in SCORE_MARKS)
    assert ("Active days this week" in listed) == (left_out != "rhythm")


def test_a_share_of_one_part_shows_only_that_part(people):
    share = share_with(people, scopes=["checkins"])
    page = body(signed_in(people["clara"]).get(f"/shared/{share.pk}/"))
    assert 'id="checkins-title"' in page
    assert not any(mark in page for part, mark in PART_MARKS.items() if part != "checkins")
    assert "Download the report" not in page


# -- the audit ---------------------------------------------------------------------------


def test_every_view_writes_exactly_one_audit_row_which_the_member_sees(people, alice_record):
    share = share_with(people, scopes=["rhythm", "checkins", "scores"])
    clara = signed_in(people["clara"])
    assert clara.get("/shared/").status_code == 200
    assert list(ShareView.objects.values_list("what", flat=True)) == ["list"]
    assert clara.get(f"/shared/{share.pk}/").status_code == 200
    assert ShareView.objects.count() == 2
    pdf = clara.get(f"/shared/{share.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    rows = list(ShareView.objects.order_by("id").values_list("what", "grantee_id", "share_id"))
    assert rows == [(w, people["clara"].pk, share.pk) for w in ("list", "record", "report")]

    member_page = body(signed_in(people["alice"]).get("/sharing/"))
    for words in share_actions.VIEW_WORDS.values():
        assert words in member_page
    assert member_page.count("<td>clara@example.org</td>") == 3
    # the member's own page, and anyone else's pages, write no audit rows
    signed_in(people["charlie"]).get("/shared/")
    assert ShareView.objects.count() == 3
    assert [v["what"] for v in share_queries.views_of(alice_record)] == ["report", "record", "list"]


def test_a_refused_view_writes_no_audit_row(people):
    share = share_with(people, scopes=["checkins"])
    clara, charlie = signed_in(people["clara"]), signed_in(people["charlie"])
    assert clara.get(f"/shared/{share.pk}/report.pdf").status_code == 404  # not all parts shared
    assert charlie.get(f"/shared/{share.pk}/").status_code == 404
    assert not ShareView.objects.exists()


def test_without_all_three_parts_the_page_says_why_there_is_no_pdf(people):
    share = share_with(people, scopes=["checkins"])
    page = signed_in(people["clara"]).get(f"/shared/{share.pk}/").content.decode()
    assert "report.pdf" not in page and "offered when all three are shared" in page


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "shared.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.mark.parametrize("notes", [True, False])
def test_the_pdf_has_the_notes_only_when_they_are_shared(people, tmp_path, notes):
    scopes = ["rhythm", "checkins", "scores", *(["notes"] if notes else [])]
    share = share_with(people, scopes=scopes)
    pdf = signed_in(people["clara"]).get(f"/shared/{share.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf["Cache-Control"] == "private, no-store"
    text = _pdf_text(pdf.content, tmp_path)
    assert "PHQ-9" in text
    assert (NOTE[:20] in text.replace("\n", "")) == notes


# -- the item-9 flag ---------------------------------------------------------------------


FLAG = "Worth a gentle check-in"


def test_the_item_9_flag_shows_after_an_answer_above_0_and_clears_once_looked(people, alice_record):
    share = share_with(people, scopes=["scores"])
    clara = signed_in(people["clara"])
    assert FLAG not in body(clara.get("/shared/"))  # the planted PHQ-9 has item 9 at 0

    actions.answer_questionnaire(alice_record, "phq9", PHQ9_ITEM9, now=clock_now())
    listed = body(clara.get("/shared/"))
    assert FLAG in listed and "not a monitoring or crisis service" in listed
    page = body(clara.get(f"/shared/{share.pk}/"))
    from kindstep.core.safety import crisis_resources

    gb = crisis_resources("GB")  # Alice's country: its lines, to pass on or act on
    assert FLAG in page and 'class="safety"' in page and gb.emergency_instruction in page
    assert gb.lines[0].name.replace("'", "&#39;") in page

    assert FLAG not in body(clara.get("/shared/"))  # looked: cleared
    assert FLAG not in body(clara.get(f"/shared/{share.pk}/"))
    later = clock_now() + timedelta(seconds=1)
    actions.answer_questionnaire(alice_record, "phq9", PHQ9_ITEM9, now=later)
    share.refresh_from_db()
    assert share_queries.overview(share, alice_record, now=later)["flag"] is not None


def test_the_flag_is_never_shown_when_scores_are_not_shared(people, alice_record):
    share_with(people, scopes=["rhythm", "checkins"])
    actions.answer_questionnaire(alice_record, "phq9", PHQ9_ITEM9, now=clock_now())
    assert FLAG not in body(signed_in(people["clara"]).get("/shared/"))


# -- a share that has ended --------------------------------------------------------------


def _missing(client) -> tuple[int, str]:
    response = client.get("/shared/987654321/")
    return response.status_code, body(response)


def _ended_answers_like_missing(client, share) -> None:
    for address in (f"/shared/{share.pk}/", f"/shared/{share.pk}/report.pdf"):
        response = client.get(address)
        assert (response.status_code, body(response)) == _missing(client), address
        assert NOTE not in body(response)
    listed = body(client.get("/shared/"))
    assert "alice@example.org" not in listed and NOTE not in listed
    assert not any(mark in listed for mark in SCORE_MARKS)


def test_revoking_takes_effect_at_once(people):
    share = share_with(people)
    clara, alice = signed_in(people["clara"]), signed_in(people["alice"])
    assert clara.get(f"/shared/{share.pk}/").status_code == 200
    stopped = alice.post(f"/sharing/{share.pk}/revoke/")
    assert stopped.status_code == 302
    assert "That share has stopped" in body(alice.get(stopped["Location"]))
    views_before = ShareView.objects.count()
    _ended_answers_like_missing(clara, share)
    assert ShareView.objects.count() == views_before


def test_only_the_member_can_revoke_their_share(people):
    share = share_with(people)
    for who in ("clara", "charlie"):
        assert signed_in(people[who]).post(f"/sharing/{share.pk}/revoke/").status_code == 404
    share.refresh_from_db()
    assert share.revoked_at is None
    assert signed_in(people["alice"]).get(f"/sharing/{share.pk}/revoke/").status_code == 405


def test_a_share_past_its_end_date_shows_nothing(people, alice_record):
    from kindstep.store import queries

    today = queries.today(alice_record, clock_now())
    share = share_with(people, ends_on=today.isoformat())
    clara = signed_in(people["clara"])
    assert clara.get(f"/shared/{share.pk}/").status_code == 200  # the last day is included
    Share.objects.filter(pk=share.pk).update(ends_on=today - timedelta(days=1))
    _ended_answers_like_missing(clara, share)
    assert "ended after" in body(signed_in(people["alice"]).get("/sharing/"))


def test_another_accounts_share_answers_like_a_missing_one(people):
    share = share_with(people)
    _ended_answers_like_missing(signed_in(people["charlie"]), share)


def test_erasing_the_record_ends_every_share(people, alice_record):
    share = share_with(people)
    actions.erase_all(alice_record, confirm=actions.ERASE_WORD)
    _ended_answers_like_missing(signed_in(people["clara"]), share)
    # the account's fresh record has no shares
    assert "Nobody can see your record" in body(signed_in(people["alice"]).get("/sharing/"))


def test_deleting_the_account_deletes_its_shares(people):
    from kindstep.accounts.people import erase_account

    share = share_with(people)
    signed_in(people["clara"]).get(f"/shared/{share.pk}/")
    erase_account(people["alice"], confirm=actions.ERASE_WORD)
    assert not Share.objects.exists() and not ShareView.objects.exists()
    assert not ShareInvitation.objects.exists()


def test_shares_granted_gives_plain_values_for_the_api(people, alice_record):
    share = share_with(people, scopes=["notes", "rhythm"])
    share_actions.revoke(alice_record, share.pk, now=clock_now())
    [granted] = share_queries.shares_granted(alice_record, now=clock_now())
    assert granted["who"] == "clara@example.org" and granted["scopes"] == ["rhythm", "notes"]
    assert granted["ends_on"] is None and granted["revoked"] is True and granted["live"] is False
    assert share_queries.shares_granted(people["charlie"].kindstep_member.person) == []


def test_the_member_pages_say_plainly_what_each_part_shows(people):
    page = body(signed_in(people["alice"]).get("/sharing/invite/"))
    for words in rules.SCOPES.values():
        assert words.replace("'", "&#39;") in page
    assert 'value="notes" checked' not in page  # notes only when ticked


def test_settings_links_to_sharing_in_server_mode(people):
    page = body(signed_in(people["alice"]).get("/settings/"))
    assert 'href="/sharing/"' in page and 'href="/shared/"' in page


def test_the_sharing_models_and_migrations_agree(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("makemigrations", "kindstep_sharing", check=True, dry_run=True, stdout=StringIO())

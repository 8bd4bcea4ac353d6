"""Reads of shares: what a member has granted and who looked, and what a grantee may see.

A member's record is read only through ``kindstep.store.queries``, passing the
member's person; nothing here reads a record's tables itself. Which parts are
read follows the share's scopes (``core.sharing``): a part not shared is not
even read.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kindstep.core import sharing as rules
from kindstep.sharing.models import Share, ShareView
from kindstep.store import mapping, models
from kindstep.store import queries as store

REPORT_WEEKS = 12
"""The weeks a shared record's page and its PDF cover."""

RECENT_SCORES = 3
"""How many recent results of each questionnaire the list of members shows."""


def _email(user) -> str:
    return getattr(user, "email", "") or ""


def _person(share: Share) -> models.Person | None:
    return models.Person.objects.filter(pk=share.person_id).first()


def _live(share: Share, person: models.Person | None, now: datetime) -> bool:
    """Live: the member's record is still there (an erase ends every share) and the share is
    neither revoked nor past its end date on the member's own calendar."""
    if person is None:
        return False
    return rules.is_live(ends_on=share.ends_on, revoked_at=share.revoked_at,
                         today=store.today(person, now))


def shares_granted(person: models.Person, *, now: datetime | None = None) -> list[dict]:
    """Every share ``person`` has made, newest first, as plain values: ``id``, ``who`` (the
    grantee's email), ``role``, ``scopes`` (a list), ``ends_on`` (a date or None),
    ``revoked`` (bool), ``revoked_at``, ``created_at``, and with ``now``, ``live`` (bool).

    The one read of a member's shares for the web page and the API.
    """
    rows = Share.objects.filter(person_id=person.pk).select_related("grantee").order_by(
        "-created_at", "-id")
    today = store.today(person, now) if now is not None else None
    found = []
    for share in rows:
        item = {"id": share.pk, "who": _email(share.grantee), "role": share.role,
                "scopes": [s for s in rules.SCOPES if s in share.scopes],
                "ends_on": share.ends_on, "revoked": share.revoked_at is not None,
                "revoked_at": share.revoked_at, "created_at": share.created_at}
        if today is not None:
            item["live"] = rules.is_live(ends_on=share.ends_on, revoked_at=share.revoked_at,
                                         today=today)
        found.append(item)
    return found


def views_of(person: models.Person, *, limit: int = 500) -> list[dict]:
    """Who looked at ``person``'s shared record, newest first: ``who``, ``what``, ``at``."""
    rows = (ShareView.objects.filter(share__person_id=person.pk).select_related("grantee")
            .order_by("-at", "-id")[:limit])
    return [{"who": _email(v.grantee), "what": v.what, "at": v.at, "share": v.share_id}
            for v in rows]


def received(grantee, *, now: datetime) -> list[tuple[Share, models.Person]]:
    """The live shares made to ``grantee``'s account, each with the member's person, oldest
    first (a stable order, never a ranking)."""
    shares = (Share.objects.filter(grantee=grantee, revoked_at__isnull=True)
              .select_related("owner").order_by("created_at", "id"))
    people = models.Person.objects.in_bulk([s.person_id for s in shares])
    return [(s, people[s.person_id]) for s in shares
            if _live(s, people.get(s.person_id), now)]


def live_share(grantee, share_id: object, *, now: datetime) -> tuple[Share, models.Person] | None:
    """The share ``share_id`` when it is ``grantee``'s and live, with the member's person;
    None otherwise (not theirs, revoked, past its end, erased, or not there at all: the
    caller answers each the same way)."""
    try:
        pk = int(str(share_id))
    except ValueError:
        return None
    share = Share.objects.filter(pk=pk, grantee=grantee).select_related("owner").first()
    if share is None:
        return None
    person = _person(share)
    return (share, person) if _live(share, person, now) else None


def _rhythm(person: models.Person, today):
    from kindstep.core.rhythm import rhythm_of

    sessions, rests = store.rhythm_record(person, until=today)
    paused = store.paused_ordinals(person, until=today + timedelta(days=6))
    return rhythm_of(sessions, rests, mapping.profile(person), today=today, weeks=REPORT_WEEKS,
                     paused=paused)


def _answered(person: models.Person) -> list[rules.Answered]:
    return [rules.Answered(at=row.taken_at, day=row.day, scale=row.scale, answers=row.answers)
            for row in store.questionnaire_rows(person)]


def _flag(share: Share, person: models.Person):
    """The item-9 flag's day when the scores are shared; never read otherwise."""
    if "scores" not in share.scopes:
        return None
    return rules.item9_since(_answered(person), share.last_looked_at)


def _recent_scores(person: models.Person) -> list[dict]:
    from kindstep.core import scales
    from kindstep.core.report import RELIABLE_WORDS

    by_scale: dict[str, list] = {}
    for r in store.questionnaire_history(person):
        if r.code in store.QUESTIONNAIRES_OFFERED:
            by_scale.setdefault(r.code, []).append(r)
    found = []
    for code in store.QUESTIONNAIRES_OFFERED:
        for r in by_scale.get(code, [])[-RECENT_SCORES:]:
            found.append({"name": scales.get_scale(code).name, "day": r.taken_on,
                          "total": r.total, "max_total": r.max_total, "band": r.band,
                          "marker": RELIABLE_WORDS.get(r.reliable_change or "", "")})
    return found


def overview(share: Share, person: models.Person, *, now: datetime) -> dict:
    """One member on a grantee's list: active days this week against the target (rhythm),
    recent scores with reliable-change markers (scores) and the item-9 flag (scores)."""
    today = store.today(person, now)
    shown = rules.shown_scopes(share.scopes)
    item = {"share": share, "who": _email(share.owner), "role": share.role, "shown": shown,
            "ends_on": share.ends_on}
    if shown["rhythm"]:
        r = _rhythm(person, today)
        item["active_days"], item["target"] = r.active_days_this_week, r.target_days
        item["aim"] = r.aim_this_week
    if shown["scores"]:
        item["scores"] = _recent_scores(person)
        item["flag"] = _flag(share, person)
    return item


def shared_record(share: Share, person: models.Person, *, now: datetime) -> dict:
    """What the share's own page shows, part by part; a part not shared is not read."""
    from kindstep.core import safety

    today = store.today(person, now)
    shown = rules.shown_scopes(share.scopes)
    item = overview(share, person, now=now)
    if shown["rhythm"] or shown["checkins"] or shown["scores"] or shown["notes"]:
        item["report"] = store.clinician_report(person, today=today, weeks=REPORT_WEEKS,
                                                notes=shown["notes"])
    if shown["insights"]:
        item["insights"] = store.insights_for(person, today)
    if item.get("flag") is not None:
        item["flag_message"] = rules.flag_message(
            item["flag"], safety.crisis_resources(person.country or None))
    item["report_allowed"] = rules.report_allowed(share.scopes)
    return item

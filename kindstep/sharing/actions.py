"""Every write of sharing: an invitation made, a code accepted, a share revoked, a view recorded.

Each checks everything first (``core.sharing``) and writes in one transaction;
a refused value raises ``InvalidInput`` with nothing written.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from kindstep.core import sharing as rules
from kindstep.core.checks import InvalidInput
from kindstep.sharing.models import Share, ShareInvitation, ShareView
from kindstep.store import models
from kindstep.store import queries as store

ACCEPT_ATTEMPTS = 10
"""Codes an account may get wrong within :data:`ACCEPT_WINDOW` seconds before it must wait."""
ACCEPT_WINDOW = 3600

CODE_REFUSED = ("That code does not open a share: it may have a typing slip, have been used "
                "already or be more than a week old. Please check it, or ask for a new one. "
                "Nothing was shared.")
TOO_MANY = ("That is a lot of codes in a short time; please wait an hour and try again. "
            "Nothing was shared.")


def code_hash(code: str) -> str:
    """The stored form of a normalised code: an HMAC with the server's secret key, so the
    table alone cannot be turned back into codes."""
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def create_invitation(owner, person: models.Person, *, role: object, scopes, ends_on: object,
                      now: datetime) -> tuple[ShareInvitation, str]:
    """A one-time invitation from ``owner`` (the member's account) to share ``person``'s
    record: the row and the code, which is shown once and never stored."""
    role = rules.check_role(role)
    chosen = rules.check_scopes(scopes)
    last = rules.check_ends_on(ends_on, today=store.today(person, now))
    code = rules.make_code(secrets.token_bytes(rules.CODE_LENGTH))
    invitation = ShareInvitation.objects.create(
        owner=owner, person_id=person.pk, code_hash=code_hash(rules.normalise_code(code)),
        role=role, scopes=list(chosen), ends_on=last, created_at=now,
        expires_at=rules.invitation_expires(now))
    return invitation, code


def _attempts_key(grantee) -> str:
    return f"kindstep-share-accept-{grantee.pk}"


def accept_invitation(grantee, code: object, *, now: datetime) -> Share:
    """The share an unused, unexpired invitation's ``code`` makes for ``grantee``'s account.

    Any code that does not open one (unknown, used, expired, the member's own) is
    refused in the same words; after :data:`ACCEPT_ATTEMPTS` refusals in an hour
    the account must wait, so a code cannot be guessed.
    """
    key = _attempts_key(grantee)
    if cache.get(key, 0) >= ACCEPT_ATTEMPTS:
        raise InvalidInput("code", TOO_MANY)
    typed = rules.normalise_code(code)
    with transaction.atomic():
        invitation = (ShareInvitation.objects.select_for_update()
                      .filter(code_hash=code_hash(typed)).first() if typed else None)
        usable = (invitation is not None and invitation.used_at is None
                  and invitation.expires_at > now and invitation.owner_id != grantee.pk
                  and models.Person.objects.filter(pk=invitation.person_id).exists())
        if usable:
            invitation.used_at = now
            invitation.save(update_fields=["used_at"])
            return Share.objects.create(
                owner_id=invitation.owner_id, person_id=invitation.person_id, grantee=grantee,
                role=invitation.role, scopes=invitation.scopes, ends_on=invitation.ends_on,
                created_at=now)
    try:
        cache.add(key, 0, ACCEPT_WINDOW)
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, ACCEPT_WINDOW)
    raise InvalidInput("code", CODE_REFUSED)


def revoke(person: models.Person, share_id: object, *, now: datetime) -> bool:
    """End ``person``'s share ``share_id`` at once; False when it is not theirs (or not there).
    Revoking a share already ended changes nothing."""
    try:
        pk = int(str(share_id))
    except ValueError:
        return False
    with transaction.atomic():
        share = Share.objects.select_for_update().filter(pk=pk, person_id=person.pk).first()
        if share is None:
            return False
        if share.revoked_at is None:
            share.revoked_at = now
            share.save(update_fields=["revoked_at"])
    return True


VIEW_WORDS = {
    "list": "your summary, on their list of shared records",
    "record": "your shared record",
    "report": "the PDF report",
}
"""What each audited view was, as the member's page words it."""


def record_view(share: Share, *, what: str, now: datetime, looked: bool = False) -> ShareView:
    """One audit row for one view of ``share`` (``what``: a key of :data:`VIEW_WORDS`); with
    ``looked``, the grantee has now seen the record (the item-9 flag starts again)."""
    if what not in VIEW_WORDS:
        raise ValueError(f"unknown view {what!r}")
    with transaction.atomic():
        row = ShareView.objects.create(share=share, grantee_id=share.grantee_id, what=what, at=now)
        if looked:
            share.last_looked_at = now
            share.save(update_fields=["last_looked_at"])
    return row

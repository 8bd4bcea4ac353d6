"""Personal access tokens: making one (shown once), finding the account a token opens,
revoking them. Only each token's SHA-256 hash is stored.

Used by the API's authentication (``kindstep/api/routes.py``), the Settings page's
tokens (``kindstep/api/pages.py``) and ``kindstep token`` (``kindstep/cli/tokens.py``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction

from kindstep.core.checks import InvalidInput

PREFIX = "ks_"
"""What every kindstep token starts with, so a secret scanner (or a person) can recognise one."""

DEFAULT_LABEL = "API token"
LABEL_MAX = 80
USED_EVERY = timedelta(minutes=1)
"""``last_used_at`` moves at most once a minute: a burst of requests writes once."""


def hashed(token: str) -> str:
    """The hex SHA-256 of ``token``, as stored."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def clean_label(label: object) -> str:
    """A token's label, trimmed; the default when empty. Refused when too long or unprintable."""
    text = " ".join(str(label or "").split())
    if not text:
        return DEFAULT_LABEL
    if len(text) > LABEL_MAX or not text.isprintable():
        raise InvalidInput("label", f"A token's label is a short name of up to {LABEL_MAX} "
                                    "letters, such as 'phone app'.")
    return text


def create_token(user, *, label: object = "", read_only: bool = False, now: datetime):
    """Make a new token for ``user``; returns ``(row, token)``. The token is in no row and no
    log: whoever made it sees it this once."""
    from kindstep.api.models import ApiToken

    name = clean_label(label)
    token = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ApiToken.objects.create(user=user, label=name, read_only=bool(read_only),
                                      token_hash=hashed(token), created_at=now)
    return row, token


def token_for(token: str, *, now: datetime):
    """The live token row ``token`` names (its account active), with ``user`` loaded; else None.

    Marks it used (``last_used_at``), at most once a minute.
    """
    from kindstep.api.models import ApiToken

    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = (ApiToken.objects.select_related("user")
           .filter(token_hash=hashed(token), revoked_at__isnull=True, user__is_active=True)
           .first())
    if row is None:
        return None
    if row.last_used_at is None or row.last_used_at <= now - USED_EVERY:
        row.last_used_at = now
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row


def live_tokens(user) -> list:
    """``user``'s tokens that still open the API, newest first."""
    from kindstep.api.models import ApiToken

    return list(ApiToken.objects.filter(user=user, revoked_at__isnull=True)
                .order_by("-created_at", "-pk"))


def revoke_tokens(user, *, label: object = None, pk: int | None = None, now: datetime) -> int:
    """Revoke ``user``'s live tokens: all of them, those labelled ``label``, or the one ``pk``.

    Returns how many were revoked (0 when none matched). Revoked at once: the next
    request with one answers 401.
    """
    from kindstep.api.models import ApiToken

    rows = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if label is not None:
        rows = rows.filter(label=clean_label(label))
    if pk is not None:
        rows = rows.filter(pk=pk)
    with transaction.atomic():
        return rows.update(revoked_at=now)

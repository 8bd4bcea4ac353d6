"""The API's cast: members with tokens of each kind, and a client that sends one."""

from __future__ import annotations

import json

from tests.accounts.helpers import make_member, proxied_client
from tests.conftest import NOW


def token_for(user, *, read_only: bool = False, label: str = "tests") -> str:
    from kindstep.api import tokens

    _, token = tokens.create_token(user, label=label, read_only=read_only, now=NOW)
    return token


def api_client(token: str | None = None):
    """A client that sends ``token`` as a bearer token (none: anonymous) and no session."""
    return proxied_client(**({"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}))


def call(client, method: str, path: str, body=None):
    """One API request; a body goes as JSON."""
    kwargs = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method.lower())(path, **kwargs)


__all__ = ["api_client", "call", "make_member", "token_for"]

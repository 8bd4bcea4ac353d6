"""`kindstep token create|revoke`: personal access tokens for the REST API (server mode).

A token is printed once, alone on the last line, and kept only as its hash
(``kindstep/api/tokens.py``); the Settings page makes and revokes them too.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import app
from kindstep.cli.common import kind_errors, say

token_app = typer.Typer(
    help="Personal access tokens for kindstep's API (server mode): make one, or revoke them.",
    no_args_is_help=True,
)
app.add_typer(token_app, name="token")

EmailArg = Annotated[str, typer.Argument(help="The account's email address.")]


def _account(email: str):
    """The account with this email, on a server whose database is ready; refused otherwise."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kindstep.settings")
    from django.conf import settings

    if settings.MODE != "server":
        common.refuse("Tokens open kindstep's API, which only a server has (server mode); "
                      "local mode keeps one person's record on this computer. Nothing was made.")
    from kindstep import boot

    boot.setup(migrate=False)
    from django.contrib.auth import get_user_model

    address = email.strip()
    user = get_user_model().objects.filter(email__iexact=address, is_active=True).first() \
        if address else None
    if user is None:
        common.refuse(f"There is no account for {address!r} here; `kindstep createuser` makes "
                      "one. Nothing was changed.")
    return user


@token_app.command("create")
@kind_errors
def create(
    email: EmailArg,
    label: Annotated[str, typer.Option(help="A name to know it by, such as 'phone app'.")] = "",
    read_only: Annotated[bool, typer.Option(
        "--read-only", help="It may read the record but never change it.")] = False,
) -> None:
    """Make a token for an account and print it once, alone on the last line.

    Example: kindstep token create ada@example.org --label "phone app" --read-only
    """
    from kindstep.api import tokens

    user = _account(email)
    row, token = tokens.create_token(user, label=label, read_only=read_only, now=common.now())
    say(f"A new token '{common.escape(row.label)}' for {common.escape(user.email)}, to "
        f"{row.scope}. It is shown only now: keep it as you would a password.", soft_wrap=True)
    print(token)


@token_app.command("revoke")
@kind_errors
def revoke(
    email: EmailArg,
    label: Annotated[str | None, typer.Option(
        help="Revoke only the token with this name (all of the account's tokens otherwise).")
    ] = None,
) -> None:
    """Revoke an account's tokens (or the one with --label); they stop working at once.

    Example: kindstep token revoke ada@example.org --label "phone app"
    """
    from kindstep.api import tokens

    user = _account(email)
    gone = tokens.revoke_tokens(user, label=label, now=common.now())
    if label is not None and not gone:
        common.refuse(f"{user.email} has no token named {label.strip()!r} to revoke; the "
                      "Settings page lists them. Nothing was changed.")
    if not gone:
        say(f"{user.email} had no tokens to revoke.")
        return
    say(f"Revoked {gone} {'token' if gone == 1 else 'tokens'} of {user.email}; "
        f"{'it no longer opens' if gone == 1 else 'they no longer open'} the API.")

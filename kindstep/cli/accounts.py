"""`kindstep createuser`: open an account on a kindstep server from its command line.

For the first admin (who then invites others) and for servers whose sign-up is
closed. Server mode only: local mode has one person and no accounts.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import app
from kindstep.cli.common import kind_errors, say


def _password(from_stdin: bool) -> str:
    """The new password: the first line of standard input, or asked twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("Password for the new account: ")
    if getpass.getpass("The same password again: ") != first:
        common.refuse("The two passwords were not the same; no account was made. Please try again.")
    return first


@app.command()
@kind_errors
def createuser(
    email: Annotated[str, typer.Argument(help="The new account's email address.")],
    admin: Annotated[bool, typer.Option(
        "--admin", help="Let this account manage accounts and invitations.")] = False,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input.")
    ] = False,
) -> None:
    """Open an account on this kindstep server (server mode), its email already verified.

    Example: kindstep createuser ada@example.org --admin
    """
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kindstep.settings")
    from django.conf import settings

    if settings.MODE != "server":
        common.refuse("Accounts are for server mode; local mode keeps one person's record on "
                      "this computer and needs no sign-in. Set KINDSTEP_MODE=server (and its "
                      "settings) to open accounts on a server.")
    from kindstep import boot

    boot.setup(migrate=False)
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        common.refuse(f"{email!r} does not look like an email address (such as ada@example.org); "
                      "no account was made.")
    from kindstep.accounts.people import create_account

    password = _password(password_stdin)
    problem = create_account(email, password, admin=admin)
    if problem:
        common.refuse(problem)
    say(f"Made the account {email}{' (an admin)' if admin else ''}. It can sign in now.")

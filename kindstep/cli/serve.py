"""`kindstep serve`: the web app on this machine, for one person, with no login."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import app
from kindstep.cli.common import kind_errors, say

LOCAL_HOSTS = {"localhost"}


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach."""
    if host.strip("[]") in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command()
@kind_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (local mode: loopback only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser.")] = False,
    threads: Annotated[int, typer.Option(hidden=True)] = 4,
) -> None:
    """Open kindstep in your browser, served from this machine only.

    Example: kindstep serve --port 8765
    """
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kindstep.settings")
    from django.conf import settings

    if settings.MODE == "local" and not is_loopback(host):
        common.refuse(
            f"In local mode kindstep only listens on this machine (127.0.0.1 or ::1), not {host!r}:"
            " your data stays yours. Server mode, with accounts, is for sharing."
        )
    if not 1 <= port <= 65535:
        common.refuse(f"The port is a number from 1 to 65535; got {port}.")
    from kindstep import boot

    boot.setup(web=True)
    from waitress import create_server

    from kindstep.web.wsgi import application

    try:
        server = create_server(application, host=host.strip("[]"), port=port, threads=threads,
                               ident="kindstep")
    except OSError as err:
        common.refuse(f"kindstep could not listen on {host}:{port} ({err.strerror}); "
                      "another program may be using it. Try --port 8766.")
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    say(f"kindstep is open at {url} (Ctrl-C to close it).")
    if not no_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.run()
    except KeyboardInterrupt:
        say("\nClosed. See you whenever suits you.")

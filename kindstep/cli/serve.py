"""`kindstep serve`: the web app on this machine, for one person, with no login.

Local mode runs waitress, one process on loopback only. Server mode runs gunicorn
(a pre-fork pool of worker processes) behind the reverse proxy that terminates TLS
for ``KINDSTEP_ORIGIN``; its settings were checked before anything listens.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import app
from kindstep.cli.common import kind_errors, say

LOCAL_HOSTS = {"localhost"}
UPLOAD_TIMEOUT = 600
"""Server mode: seconds gunicorn lets one request run (its default, 30, would cut off a large
upload part-way; the import itself runs in ``kindstep worker``, not in the request)."""


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
    workers: Annotated[int | None, typer.Option(
        help="Server mode: how many worker processes (default: twice the cores, plus one).",
        show_default=False)] = None,
) -> None:
    """Open kindstep in your browser, served from this machine only.

    In server mode it runs gunicorn for the reverse proxy in front of it instead.

    Example: kindstep serve --port 8765
    """
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kindstep.settings")
    from django.conf import settings

    if settings.MODE == "server":
        serve_server(host, port, workers)
        return
    if workers is not None:
        common.refuse("--workers is for server mode; local mode serves one person from one "
                      "process, so it needs none.")
    if settings.MODE == "local" and not is_loopback(host):
        common.refuse(
            f"In local mode kindstep only listens on this machine (127.0.0.1 or ::1), not {host!r}:"
            " your data stays yours. Server mode, with accounts, is for sharing."
        )
    if not 1 <= port <= 65535:
        common.refuse(f"The port is a number from 1 to 65535; got {port}.")
    from kindstep import boot

    boot.setup(web=True, migrate=False)
    if _unlocked():
        boot.ensure_migrated()
    else:
        say("Your kindstep file is locked: the page in your browser asks for its passphrase.")
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


def _unlocked() -> bool:
    """Whether the local file can be read now: not locked, or its key kept in this terminal
    session, given in KINDSTEP_PASSPHRASE, or asked for here (a wrong one is refused, exit 2).
    False when no one is at a terminal to ask: the browser's first page asks instead."""
    import os

    from kindstep.store import lock

    live = common.database_path()
    if live is None or not lock.is_locked(live):
        return True
    from kindstep.cli import unlocking

    try:
        unlocking.key_for(live, ask_at_terminal=common.interactive())
    except lock.LockRefused:
        if os.environ.get(unlocking.ENV) is not None or common.interactive():
            raise  # a passphrase was given, and it was not the one
        return False
    return True


# -- server mode: gunicorn ----------------------------------------------------------------


def default_workers() -> int:
    """Gunicorn's suggested starting point: twice the cores this process may use, plus one."""
    import os

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return 2 * cores + 1


def serve_server(host: str, port: int, workers: int | None) -> None:
    """Run kindstep under gunicorn until stopped (SIGTERM or Ctrl-C stop it gracefully)."""
    import os
    import socket

    from django.conf import settings

    if workers is None:
        workers = default_workers()
    if not 1 <= workers <= 256:
        common.refuse(f"--workers is a number from 1 to 256; got {workers}.")
    if not 1 <= port <= 65535:
        common.refuse(f"The port is a number from 1 to 65535; got {port}.")
    address = host.strip("[]")
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:  # a kind line now, rather than gunicorn's five retries and a log line
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((address, port))
    except OSError as err:
        common.refuse(f"kindstep could not listen on {host}:{port} ({err.strerror}); "
                      "another program may be using it. Try --port 8766.")
    from kindstep import boot

    boot.setup(web=True)
    from django.db import connections

    connections.close_all()  # each worker opens its own after the fork

    from gunicorn.app.base import BaseApplication

    class KindstepServer(BaseApplication):
        """Gunicorn's documented way to run an app from Python ("Custom Application")."""

        def load_config(self) -> None:
            self.cfg.set("bind", [f"[{address}]:{port}" if ":" in address else f"{address}:{port}"])
            self.cfg.set("workers", workers)
            # A sync worker is stopped after `timeout` seconds in one request; an upload on the
            # Import page (up to KINDSTEP_MAX_UPLOAD_MB over a slow link) may take minutes.
            self.cfg.set("timeout", UPLOAD_TIMEOUT)
            self.cfg.set("proc_name", "kindstep")
            # No access log: addresses and times of a person's visits are theirs too.
            self.cfg.set("accesslog", None)
            self.cfg.set("errorlog", "-")
            self.cfg.set("control_socket_disable", True)  # no file in the home folder

        def load(self):
            from kindstep.web.wsgi import application

            return application

    shown = f"[{address}]" if ":" in address else address
    say(f"kindstep (server mode) is starting on http://{shown}:{port}/ with {workers} "
        f"worker(s), for {settings.ORIGIN} through its proxy (Ctrl-C stops it).")
    master = os.getpid()
    try:
        KindstepServer().run()
    except SystemExit as leaving:
        if not leaving.code and os.getpid() == master:  # a worker leaving says nothing
            say("kindstep has stopped.")
        raise

"""WSGI entry point: `gunicorn kindstep.web.wsgi` in server mode, `kindstep serve` locally.

Any WSGI server can load it (gunicorn, waitress, ``wsgiref``). In local mode a locked
kindstep file is not opened here: with no key for it yet, the app starts all the same
and its first page asks for the passphrase (``web/unlock.py``); the tables are brought
up to date once it is given. Nothing is read or written before that.
"""

from kindstep import boot

boot.setup(web=True, migrate=False)


def _bring_up_to_date() -> None:
    """Local mode: migrate now, unless the file is locked and this process has no key yet."""
    from django.conf import settings

    if settings.MODE != "local":
        return
    from kindstep.web import unlock

    live = unlock.locked_file()
    if live is not None:
        from kindstep.store import lock

        lock.is_locked(live)  # read before any connection is open (see lock.is_locked)
        if unlock.locked_file() is not None:
            return
    boot.ensure_migrated()


_bring_up_to_date()

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

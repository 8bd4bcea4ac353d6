"""Start Django for kindstep, lazily, and apply migrations on first use in local mode."""

from __future__ import annotations

import os
import zlib
from importlib import resources

_ready = False

WEB_ONLY_APPS = frozenset({"kindstep.web", "django.contrib.staticfiles"})
"""Apps only the web app needs (templates, static files): the command line skips them,
which saves it importing the static-files machinery on every start."""


def _fingerprint() -> int:
    """A number that changes whenever kindstep's or Django's migrations change."""
    import django

    folder = os.path.join(os.path.dirname(__file__), "store", "migrations")
    try:
        listing = os.listdir(folder)  # an installed package is a plain folder: the quick way
    except OSError:  # a zipped install: ask importlib
        listing = [e.name for e in resources.files("kindstep.store.migrations").iterdir()]
    names = sorted(name for name in listing if name.endswith(".py"))
    text = "|".join([django.get_version(), *names])
    return zlib.crc32(text.encode()) & 0x7FFFFFFF


def setup(*, migrate: bool = True, web: bool = False) -> None:
    """Configure Django once per process; in local mode, bring the database up to date.

    The command line needs only the ORM: it loads the apps without Django's
    URL and logging set-up (``web=False``), which saves a good part of every
    command's start. SQLite keeps a fingerprint of the applied migrations in
    ``PRAGMA user_version``, so an up-to-date database costs one tiny query
    per start instead of loading the whole migration graph.
    """
    global _ready
    if _ready:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kindstep.settings")
    import django
    from django.conf import settings

    if web:
        django.setup()
    else:
        from django.apps import apps

        apps.populate([app for app in settings.INSTALLED_APPS if app not in WEB_ONLY_APPS])
    _ready = True
    if migrate and settings.MODE == "local":
        ensure_migrated()


def ensure_migrated() -> None:
    """Apply any pending migrations (local mode does this on first use)."""
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    is_sqlite = db["ENGINE"].endswith("sqlite3")
    if is_sqlite:
        os.makedirs(os.path.dirname(os.path.abspath(db["NAME"])), exist_ok=True)
        want = _fingerprint()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA user_version")
            if cursor.fetchone()[0] == want:
                return
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if is_sqlite:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA user_version = {int(want)}")

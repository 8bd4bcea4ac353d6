"""kindstep's own checks in Django's check framework: what ``kindstep check`` adds to Django's.

Registered when the store's app is ready. The server settings check applies the
very rule that refuses server mode at start-up (``kindstep.settings.server_problems``),
so a setting changed after start (or a test's) is still caught; the database check
says when migrations wait (it runs only when ``kindstep check`` asks about the database).
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register("kindstep", checks.Tags.security)
def server_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Server mode's refusals, every one of them, as errors (nothing in local mode)."""
    if settings.MODE != "server":
        return []
    from kindstep.settings import server_problems

    return [checks.Error(line, id=check_id) for check_id, line in server_problems(
        secret_key=settings.SECRET_KEY, debug=settings.DEBUG,
        database=settings.DATABASES["default"], allowed_hosts=list(settings.ALLOWED_HOSTS),
        origin=getattr(settings, "ORIGIN", ""))]


@checks.register("kindstep", checks.Tags.database)
def migrations_applied(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """A warning when migrations are waiting to be applied (``kindstep migrate``)."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    found = []
    for alias in databases or ():
        executor = MigrationExecutor(connections[alias])
        waiting = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if waiting:
            found.append(checks.Warning(
                f"{len(waiting)} database migration(s) are waiting; `kindstep migrate` "
                "applies them.", id="kindstep.W001"))
    return found

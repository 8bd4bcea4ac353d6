"""Start Django for kindstep, lazily, and apply migrations on first use in local mode."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import zlib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

_ready = False

WEB_ONLY_APPS = frozenset({"kindstep.web", "django.contrib.staticfiles"})
"""Apps only the web app needs (templates, static files): the command line skips them,
which saves it importing the static-files machinery on every start."""


def _fingerprint() -> int:
    """A number that changes whenever kindstep's or Django's migrations, or the apps, change."""
    import django

    folder = os.path.join(os.path.dirname(__file__), "store", "migrations")
    try:
        listing = os.listdir(folder)  # an installed package is a plain folder: the quick way
    except OSError:  # a zipped install: ask importlib
        listing = [e.name for e in resources.files("kindstep.store.migrations").iterdir()]
    names = sorted(name for name in listing if name.endswith(".py"))
    from django.conf import settings

    # The apps too: KINDSTEP_TASKS=database adds django-tasks' table to migrate.
    text = "|".join([django.get_version(), *names, *settings.INSTALLED_APPS])
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

    try:
        if web:
            django.setup()
        else:
            from django.apps import apps

            apps.populate([app for app in settings.INSTALLED_APPS if app not in WEB_ONLY_APPS])
    except OSError as err:  # reading the settings reads (or writes) the key beside the data
        raise _folder_problem(err) from err
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
        try:
            os.makedirs(os.path.dirname(os.path.abspath(db["NAME"])), exist_ok=True)
        except OSError as err:
            raise _folder_problem(err) from err
        want = _fingerprint()

        def up_to_date() -> bool:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA user_version")
                return cursor.fetchone()[0] == want

        if up_to_date():
            return
        # Two first commands at once (the web app and the CLI, say) would both create the
        # tables: one waits for the other's migration, then finds the database ready.
        with _migration_lock(os.path.abspath(db["NAME"]) + ".migrating"):
            if up_to_date():
                return
            _migrate()
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA user_version = {int(want)}")
        return
    _migrate()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


@contextlib.contextmanager
def _migration_lock(path: str) -> Iterator[None]:
    """An exclusive lock held by one process at a time (``fcntl.flock``; none where absent)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; first commands there run one at a time anyway
        yield
        return
    try:
        handle = open(path, "a")  # noqa: SIM115 - held open for the lock's lifetime
    except OSError as err:
        raise _folder_problem(err) from err
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- when the data cannot be used ----------------------------------------------------------


class DataProblem(Exception):
    """kindstep's data folder or database cannot be used; ``message`` is one kind line.

    ``kind`` is ``"data"`` (read-only, a file where the folder should be, a
    damaged database ...), ``"busy"`` (another command holds the database: try
    again soon) or ``"config"`` (a ``KINDSTEP_`` setting cannot be read).
    """

    def __init__(self, message: str, kind: str = "data") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


TRY_ELSEWHERE = "or set KINDSTEP_DATA_DIR to a folder kindstep can use"


def data_problem(err: BaseException) -> DataProblem | None:
    """The kind words for ``err`` when it means kindstep's data cannot be used, else None.

    Database errors that come from kindstep's own code (an integrity or
    programming error) are not data problems and give None.
    """
    if isinstance(err, DataProblem):
        return err
    if type(err).__name__ == "ConfigError" and type(err).__module__ == "kindstep.settings":
        return DataProblem(str(err), "config")
    if _is_database_error(err):
        return _database_problem(err)
    return None


def _is_database_error(err: BaseException) -> bool:
    utils = sys.modules.get("django.db.utils")
    if utils is not None and (isinstance(err, utils.OperationalError)
                              or type(err) is utils.DatabaseError):
        return True
    sqlite3 = sys.modules.get("sqlite3")
    return sqlite3 is not None and (isinstance(err, sqlite3.OperationalError)
                                    or type(err) is sqlite3.DatabaseError)


def _data_dir() -> Path:
    """The data folder, worked out without Django's settings (which may be what cannot load)."""
    chosen = os.environ.get("KINDSTEP_DATA_DIR", "").strip()
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("kindstep", appauthor=False))


def _database_file() -> Path | None:
    """The SQLite file in use, or None for PostgreSQL (or when it cannot be told)."""
    try:
        from django.db import connections

        db = connections["default"].settings_dict
        if db["ENGINE"].endswith("sqlite3"):
            return Path(os.path.abspath(db["NAME"]))
    except Exception:  # noqa: BLE001 - only used to word a message
        return _data_dir() / "kindstep.sqlite3"
    return None


def _not_a_folder(path: Path) -> DataProblem | None:
    """The words for a file standing where a folder on ``path``'s way should be, if one does."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            if candidate.is_dir():
                return None
            return DataProblem(
                f"kindstep keeps your data in a folder, but {candidate} is a file; please move "
                f"that file aside, {TRY_ELSEWHERE}."
            )
    return None


def _read_only(folder: Path) -> DataProblem:
    if not folder.exists():
        return DataProblem(
            f"kindstep can't create its data folder {folder}: is {folder.parent} read-only? "
            f"Please make it writable, {TRY_ELSEWHERE}."
        )
    return DataProblem(
        f"kindstep can't write its data folder {folder}: is it read-only? "
        f"Please make it writable, {TRY_ELSEWHERE}."
    )


def _folder_problem(err: OSError) -> DataProblem:
    """Kind words for an OSError met while opening the data folder."""
    path = Path(os.fsdecode(err.filename)) if err.filename else _data_dir()
    path = Path(os.path.abspath(path))
    if isinstance(err, (FileExistsError, NotADirectoryError)):
        problem = _not_a_folder(path)
        if problem is not None:
            return problem
    if path.is_dir() or not path.exists() and path.name != "secret.key":
        folder = path
    else:  # the key file, or another file in the data folder
        folder = path.parent
    if isinstance(err, PermissionError) or err.errno == errno.EROFS:
        return _read_only(folder)
    if err.errno == errno.ENOSPC:
        return DataProblem(f"There is no room left on the disk for kindstep's data in {folder}; "
                           "freeing some space and trying again will help.")
    return DataProblem(f"kindstep can't use its data folder {folder} ({err.strerror or err}); "
                       f"please check that folder, {TRY_ELSEWHERE}.")


def _database_problem(err: BaseException) -> DataProblem:
    """Kind words for a database error: busy, read-only, damaged, full, or otherwise unusable."""
    text = str(err).lower()
    detail = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    if "locked" in text or "busy" in text:
        return DataProblem("Another kindstep command (perhaps an import) is still busy with your "
                           "data; please try again in a minute.", "busy")
    file = _database_file()
    if file is None:  # PostgreSQL: server mode
        return DataProblem(f"kindstep can't reach its database ({detail}); please check that "
                           "the database server is running and KINDSTEP_DATABASE_URL is right.")
    folder = file.parent
    if "not a database" in text or "malformed" in text:
        return DataProblem(
            f"The file {file} is not a kindstep database (it may be damaged); your other files "
            "are untouched. Putting back a backup, or moving that file aside so kindstep starts "
            "a new one, will help."
        )
    if "full" in text:
        return DataProblem(f"There is no room left on the disk for kindstep's data in {folder}; "
                           "freeing some space and trying again will help.")
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        if file.is_dir():
            return DataProblem(f"{file} is a folder, where kindstep keeps its database file; "
                               f"please move that folder aside, {TRY_ELSEWHERE}.")
        problem = _not_a_folder(folder)
        if problem is not None:
            return problem
        if file.exists() and not os.access(file, os.W_OK) and os.access(folder, os.W_OK):
            return DataProblem(f"kindstep can't write its database {file}: is the file "
                               f"read-only? Please make it writable, {TRY_ELSEWHERE}.")
        return _read_only(folder)
    if "i/o" in text:
        return DataProblem(f"The disk holding kindstep's data ({folder}) could not be read or "
                           "written; please check the disk, then try again.")
    return DataProblem(f"kindstep can't use its database {file} ({detail}); please try again, "
                       f"and if this keeps happening, move that file aside, {TRY_ELSEWHERE}.")

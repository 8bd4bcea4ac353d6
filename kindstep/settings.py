"""kindstep's one settings module, driven by environment variables.

- ``KINDSTEP_DATA_DIR``: where local data lives (default: the platform's user
  data folder, e.g. ``~/.local/share/kindstep``).
- ``KINDSTEP_DATABASE_URL``: ``sqlite:///path/to/file.sqlite3`` or
  ``postgresql://user:password@host:port/dbname`` (default: a SQLite file in
  the data folder).
- ``KINDSTEP_MODE``: ``local`` (one implicit person, no login, loopback only;
  the default) or ``server`` (accounts and login, PostgreSQL expected).
- ``KINDSTEP_SECRET_KEY``: required in server mode; local mode keeps a
  random key in the data folder.
- ``KINDSTEP_DEBUG``: ``1`` for Django's debug pages while developing.
- ``KINDSTEP_MAX_UPLOAD_MB``: the largest export the web upload page takes
  (default 2048 MB); bigger ones can be imported with ``kindstep import``.

Each helper fails loudly, naming the variable, when a value cannot be read.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit


class ConfigError(RuntimeError):
    """A setting that cannot be used, with a message naming the variable."""


def env_str(name: str, default: str = "") -> str:
    """The variable's value with surrounding space removed, or ``default``."""
    return os.environ.get(name, default).strip() or default


def env_bool(name: str, default: bool = False) -> bool:
    """True for 1/true/yes/on, False for 0/false/no/off; anything else is an error."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} should be 1 or 0 (true/false), not {raw!r}.")


def env_int(name: str, default: int, low: int = 1) -> int:
    """A whole number of at least ``low``, or ``default``; anything else is an error."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} should be a whole number, not {raw!r}.") from None
    if value < low:
        raise ConfigError(f"{name} should be at least {low}, not {value}.")
    return value


def default_data_dir() -> Path:
    """The platform's user data folder for kindstep (created on first write)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("kindstep", appauthor=False))


def database_from_url(url: str, data_dir: Path) -> dict:
    """A Django DATABASES entry for a ``sqlite:///`` or ``postgresql://`` URL.

    >>> database_from_url("postgresql://me@127.0.0.1:5432/test", Path("/tmp"))["NAME"]
    'test'
    """
    if not url:
        return sqlite_database(data_dir / "kindstep.sqlite3")
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///tmp/k.sqlite3 and sqlite:////tmp/k.sqlite3 both mean /tmp/k.sqlite3
        path = unquote(url[len("sqlite://") :].split("?", 1)[0])
        if path.startswith("//"):
            path = path[1:]
        if path in {"", "/"}:
            raise ConfigError("KINDSTEP_DATABASE_URL names no SQLite file (sqlite:///path/to/file).")
        return sqlite_database(Path(path))
    if parts.scheme in {"postgres", "postgresql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigError("KINDSTEP_DATABASE_URL names no database (postgresql://host/dbname).")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "TEST": {"NAME": f"test_{name}"},
        }
    raise ConfigError(
        f"KINDSTEP_DATABASE_URL should start with sqlite:/// or postgresql://, not {parts.scheme!r}."
    )


def sqlite_database(path: Path) -> dict:
    """A SQLite database entry: WAL journal, a busy timeout, immediate write locks."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # WAL lets the web app read while the CLI writes; the timeout waits
            # for a lock instead of failing at once; IMMEDIATE takes the write
            # lock at the start of a transaction so two writers never deadlock.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            " PRAGMA foreign_keys=ON;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        },
        # Keep the connection between requests: opening one and running the PRAGMAs
        # above costs more than a whole page of queries.
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        # Tests use a real file too, beside the real one, never an in-memory database.
        "TEST": {"NAME": str(path.with_name(f"{path.stem}-test{path.suffix or '.sqlite3'}"))},
    }


def _secret_key(mode: str, data_dir: Path) -> str:
    key = env_str("KINDSTEP_SECRET_KEY")
    if key:
        return key
    if mode == "server":
        raise ConfigError("KINDSTEP_SECRET_KEY must be set in server mode (a long random string).")
    # Local mode: one person on their own machine. A key kept beside the data
    # keeps sessions and signed values stable between runs.
    path = data_dir / "secret.key"
    try:
        return path.read_text("utf-8").strip()
    except OSError:
        pass
    import secrets  # only on the very first run: it costs every start a little

    key = secrets.token_urlsafe(48)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(key)
    except FileExistsError:
        return path.read_text("utf-8").strip()
    except OSError:
        pass  # a read-only data folder still works; sessions just do not persist
    return key


MODE = env_str("KINDSTEP_MODE", "local").lower()
if MODE not in {"local", "server"}:
    raise ConfigError(f"KINDSTEP_MODE should be 'local' or 'server', not {MODE!r}.")

DATA_DIR = Path(env_str("KINDSTEP_DATA_DIR") or default_data_dir()).expanduser()
DATABASES = {"default": database_from_url(env_str("KINDSTEP_DATABASE_URL"), DATA_DIR)}
SECRET_KEY = _secret_key(MODE, DATA_DIR)
DEBUG = env_bool("KINDSTEP_DEBUG")

INSTALLED_APPS = ["kindstep.store", "kindstep.web", "django.contrib.staticfiles"]
if MODE == "server":
    INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", *INSTALLED_APPS]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
USE_I18N = False
ALLOWED_HOSTS = (
    ["127.0.0.1", "localhost", "[::1]", "testserver"]
    if MODE == "local"
    else [h.strip() for h in env_str("KINDSTEP_ALLOWED_HOSTS", "").split(",") if h.strip()]
)

# -- the web app ---------------------------------------------------------------
ROOT_URLCONF = "kindstep.web.urls"
WSGI_APPLICATION = "kindstep.web.wsgi.application"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kindstep.web.middleware.PersonMiddleware",
]
TEMPLATES = [
    {
        # Jinja2 through Django's own backend: templates compile to Python once per
        # process (kindstep/web/jinja.py has the environment; autoescaping is on).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [Path(__file__).resolve().parent / "web" / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "kindstep.web.jinja.environment",
            "context_processors": ["kindstep.web.jinja.csrf"],
        },
    }
]
STATIC_URL = "/static/"
STATIC_ROOT = env_str("KINDSTEP_STATIC_ROOT") or None  # server mode: collectstatic target
WHITENOISE_USE_FINDERS = True  # serve straight from the package: no collectstatic, no build step
WHITENOISE_AUTOREFRESH = DEBUG
MAX_UPLOAD_MB = env_int("KINDSTEP_MAX_UPLOAD_MB", 2048)
"""The import page streams uploads to a temporary file and stops reading past this size."""
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # bigger uploads go to a temporary file, never RAM
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "kindstep.web.views.csrf_failure"
CSRF_COOKIE_SAMESITE = "Strict"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if MODE == "server":
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_SECURE = True

NONE, SELF = "'none'", "'self'"  # django-csp's spellings, without importing it for every command

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}

"""kindstep's one settings module, driven by environment variables.

- ``KINDSTEP_DATA_DIR``: where local data lives (default: the platform's user
  data folder, e.g. ``~/.local/share/kindstep``).
- ``KINDSTEP_DATABASE_URL``: ``sqlite:///path/to/file.sqlite3`` or
  ``postgresql://user:password@host:port/dbname`` (default: a SQLite file in
  the data folder).
- ``KINDSTEP_MODE``: ``local`` (one implicit person, no login, loopback only;
  the default) or ``server`` (accounts and login, PostgreSQL expected).
- ``KINDSTEP_SECRET_KEY``: required in server mode (a long random string);
  local mode keeps a random key in the data folder.
- ``KINDSTEP_ALLOWED_HOSTS``: server mode only, the host names people reach
  kindstep by, separated by commas (Django's ``ALLOWED_HOSTS``).
- ``KINDSTEP_ORIGIN``: server mode only, the public https origin
  (``https://kindstep.example.org``) of the proxy that terminates TLS. The
  trusted CSRF origin and the proxy's ``X-Forwarded-Proto`` header follow from it.
- ``KINDSTEP_HSTS_SECONDS``: server mode only, how long browsers keep to https
  (default one year; 0 sends no HSTS header).
- ``KINDSTEP_DEBUG``: ``1`` for Django's debug pages while developing (never in
  server mode).
- ``KINDSTEP_STATIC_ROOT``: where ``collectstatic`` would copy the static files
  (optional: they are served from the package).
- ``KINDSTEP_MAX_UPLOAD_MB``: the largest export the web upload page takes
  (default 2048 MB); bigger ones can be imported with ``kindstep import``.
- ``KINDSTEP_TASKS``: ``immediate`` (local mode's default: a web import runs
  while the page waits) or ``database`` (server mode's default: it waits in the
  database for ``kindstep worker``).
- ``KINDSTEP_UPLOAD_DIR``: a folder where uploads wait for their import
  (default: ``uploads`` in the data folder with SQLite; with PostgreSQL, unset,
  they wait in the database).

- ``KINDSTEP_SIGNUP``: server mode only, who may open an account: ``invite`` (the
  default: only email addresses an admin has invited), ``open`` (anyone who can reach
  the server) or ``closed`` (no one; accounts come from ``kindstep createuser``).
- ``KINDSTEP_INVITE_CONTACT``: server mode, invite mode: whom the email to an address
  that was not invited says to ask for an invitation (default: the people who run it).
- ``KINDSTEP_LOGIN_ATTEMPTS`` and ``KINDSTEP_LOGIN_LOCKOUT_MINUTES``: server mode only,
  how many wrong passwords for one email address pause signing in to it, and for how
  long (default 5 in 15 minutes).
- ``KINDSTEP_EMAIL_HOST``, ``KINDSTEP_EMAIL_PORT`` (587), ``KINDSTEP_EMAIL_USER``,
  ``KINDSTEP_EMAIL_PASSWORD``, ``KINDSTEP_EMAIL_TLS`` (1) and ``KINDSTEP_EMAIL_FROM``:
  server mode's email (sign-in codes, verification, email reminders); without a host, emails are
  printed to the console (for trying a server out).
- ``KINDSTEP_OIDC_URL``, ``KINDSTEP_OIDC_CLIENT_ID``, ``KINDSTEP_OIDC_SECRET`` and
  ``KINDSTEP_OIDC_NAME``: server mode only, signing in through a clinic's own OpenID
  Connect provider; off unless the first three are set. The URL is https, or plain
  http on loopback only (127.0.0.1 or localhost).

Each helper fails loudly, naming the variable, when a value cannot be read.
Server mode refuses to start, with one line saying what to set, when a setting
would leave it unsafe (:func:`server_problems`); the same rule is one of
kindstep's checks in ``kindstep check``.
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
        # Django's SQLite backend, which also opens a file locked with `kindstep lock`.
        "ENGINE": "kindstep.store.locked_sqlite3",
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
    if key or mode == "server":  # server mode: server_problems() says what to set
        return key
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


# -- server mode: what it refuses to start without ---------------------------------

SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
SECRET_KEY_INSECURE_PREFIX = "django-insecure-"
"""Django's own bar for a strong key (its ``security.W009`` deploy check), kept here so the
settings need not import Django's checks on every start."""

NEW_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
"""A command that prints a strong key."""

SERVER_EXAMPLE_ORIGIN = "https://kindstep.example.org"


def server_problems(*, secret_key: str, debug: bool, database: dict, allowed_hosts: list[str],
                    origin: str) -> list[tuple[str, str]]:
    """Why server mode cannot start with these settings: (check id, one kind line) each.

    Empty when it can. The lines say what to set and never repeat the secret key.
    The same rule refuses at start-up (the first line) and, as errors, in
    ``kindstep check`` (every line).

    >>> server_problems(secret_key="", debug=False, database={"ENGINE": "x.postgresql"},
    ...                 allowed_hosts=["k.example.org"], origin="https://k.example.org")[0][0]
    'kindstep.E001'
    """
    problems: list[tuple[str, str]] = []
    if not secret_key:
        problems.append(("kindstep.E001", "Server mode needs KINDSTEP_SECRET_KEY: please set it "
                         f"to a long random string kept secret, such as {NEW_KEY} prints."))
    elif (len(secret_key) < SECRET_KEY_MIN_LENGTH
          or len(set(secret_key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
          or secret_key.startswith(SECRET_KEY_INSECURE_PREFIX)):
        problems.append(("kindstep.E002", "KINDSTEP_SECRET_KEY is too short or too simple for server "
                         f"mode: please set it to a random string of at least "
                         f"{SECRET_KEY_MIN_LENGTH} varied characters, such as {NEW_KEY} prints."))
    if debug:
        problems.append(("kindstep.E003", "KINDSTEP_DEBUG is on, and its error pages would show "
                         "visitors kindstep's insides: please unset it (or set it to 0) in "
                         "server mode."))
    if not database.get("ENGINE", "").endswith("postgresql"):
        problems.append(("kindstep.E004", "Server mode keeps everyone's records in PostgreSQL: "
                         "please set KINDSTEP_DATABASE_URL to "
                         "postgresql://user:password@host:5432/dbname."))
    if not allowed_hosts:
        problems.append(("kindstep.E005", "Server mode needs KINDSTEP_ALLOWED_HOSTS: please set "
                         "it to the host names people reach kindstep by, separated by commas "
                         "(such as kindstep.example.org)."))
    problems.extend(_origin_problems(origin, allowed_hosts))
    return problems


def _origin_problems(origin: str, allowed_hosts: list[str]) -> list[tuple[str, str]]:
    if not origin:
        return [("kindstep.E006", "Server mode needs KINDSTEP_ORIGIN: please set it to the "
                 f"public https address people open kindstep at (such as {SERVER_EXAMPLE_ORIGIN}).")]
    parts = urlsplit(origin)
    try:
        parts.port  # noqa: B018 - reading it checks the port is a number
    except ValueError:
        parts = urlsplit("")
    if parts.scheme != "https" or not parts.hostname or parts.path not in {"", "/"} \
            or parts.query or parts.fragment or parts.username or parts.password:
        return [("kindstep.E007", "KINDSTEP_ORIGIN should be the public https address people "
                 f"open kindstep at, with no path (such as {SERVER_EXAMPLE_ORIGIN}), not "
                 f"{origin!r}.")]
    if allowed_hosts:
        from django.http.request import validate_host  # Django's own matching (".example.org", "*")

        if not validate_host(parts.hostname, allowed_hosts):
            return [("kindstep.E008", f"KINDSTEP_ORIGIN's host {parts.hostname!r} is not in "
                     "KINDSTEP_ALLOWED_HOSTS: please add it there, or correct the origin.")]
    return []


def _origin(mode: str) -> str:
    """The public origin, without a trailing slash ("" in local mode: it is not used)."""
    return env_str("KINDSTEP_ORIGIN").rstrip("/") if mode == "server" else ""


MODE = env_str("KINDSTEP_MODE", "local").lower()
if MODE not in {"local", "server"}:
    raise ConfigError(f"KINDSTEP_MODE should be 'local' or 'server', not {MODE!r}.")

DATA_DIR = Path(env_str("KINDSTEP_DATA_DIR") or default_data_dir()).expanduser()
DATABASES = {"default": database_from_url(env_str("KINDSTEP_DATABASE_URL"), DATA_DIR)}
SECRET_KEY = _secret_key(MODE, DATA_DIR)
DEBUG = env_bool("KINDSTEP_DEBUG")
ORIGIN = _origin(MODE)
"""Server mode: the public https origin (``KINDSTEP_ORIGIN``); "" in local mode."""

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
if MODE == "server":
    _problems = server_problems(secret_key=SECRET_KEY, debug=DEBUG, database=DATABASES["default"],
                                allowed_hosts=ALLOWED_HOSTS, origin=ORIGIN)
    if _problems:  # refuse before anything starts: one line, the first thing to set
        raise ConfigError(_problems[0][1])

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
    "kindstep.web.unlock.UnlockMiddleware",  # a locked file asks for its passphrase first
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
    # Behind a reverse proxy that terminates TLS for ORIGIN: that proxy sets
    # X-Forwarded-Proto (and replaces any a visitor sent), so Django can tell an
    # https request, redirect plain http to https, and check form posts' Origin.
    CSRF_TRUSTED_ORIGINS = [ORIGIN]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env_int("KINDSTEP_HSTS_SECONDS", 365 * 24 * 3600, low=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is a promise about a whole registrable domain (a clinic's example.org),
    # made by its owner at hstspreload.org, not by one app on one host: kindstep does not
    # send it, and Django's reminder about it (security.W021) is left out of the checks.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
    # Cookies only over https, never readable by scripts; the __Host- prefix makes the
    # browser refuse them unless secure, for this exact host, with path "/".
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"  # a link from an email (a sign-in code) still signs in
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SESSION_COOKIE_NAME = "__Host-sessionid"

NONE, SELF = "'none'", "'self'"  # django-csp's spellings, without importing it for every command

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],  # the service worker, /sw.js (kindstep/web/phone_views.py)
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
# -- background work (django-tasks) -------------------------------------------------
TASKS_MODE = env_str("KINDSTEP_TASKS", "database" if MODE == "server" else "immediate").lower()
"""``immediate``: background work (a web import) runs at once in the process that asks for it,
so local mode needs no second program; ``database``: it waits in the database for
``kindstep worker`` (server mode's default: no web request holds a large import)."""
if TASKS_MODE not in {"immediate", "database"}:
    raise ConfigError(f"KINDSTEP_TASKS should be 'immediate' or 'database', not {TASKS_MODE!r}.")
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend" if TASKS_MODE == "database"
                     else "django_tasks.backends.immediate.ImmediateBackend"}}
if TASKS_MODE == "database":  # only then: other commands never import django_tasks
    INSTALLED_APPS = [*INSTALLED_APPS, "django_tasks", "django_tasks_db"]
UPLOAD_DIR = (Path(env_str("KINDSTEP_UPLOAD_DIR")).expanduser() if env_str("KINDSTEP_UPLOAD_DIR")
              else None if DATABASES["default"]["ENGINE"].endswith("postgresql")
              else DATA_DIR / "uploads")
"""Where an upload waits for its import: a folder (beside a SQLite database, or a volume every
app server and worker shares), or None: in the database (the default on PostgreSQL, so app
servers keep no files)."""

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}


# -- server mode's accounts (django-allauth; local mode loads none of this) ---------
SIGNUP = env_str("KINDSTEP_SIGNUP", "invite").lower() if MODE == "server" else ""
"""Server mode: ``invite`` (only invited email addresses), ``open`` or ``closed``."""
if MODE == "server":
    if SIGNUP not in {"invite", "open", "closed"}:
        raise ConfigError(f"KINDSTEP_SIGNUP should be invite, open or closed, not {SIGNUP!r}.")
    from kindstep.accounts.server_settings import apply as _apply_accounts

    _apply_accounts(globals())

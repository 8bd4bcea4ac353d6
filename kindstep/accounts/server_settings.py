"""Server mode's account settings, applied to ``kindstep.settings`` only when ``KINDSTEP_MODE=server``.

Kept apart so local mode never reads (or imports) any of it: local mode has one
implicit person and no login, and loading Django's auth and allauth would cost
every command at start. The variables are documented in ``kindstep/settings.py``
and in the README's table.
"""

from __future__ import annotations

from pathlib import Path

from kindstep.settings import ConfigError, env_bool, env_int, env_str

AUTH_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # allauth's list of passkeys ("added 2 days ago")
    # Without autodiscovery: kindstep's own admin site holds accounts and invitations
    # only, never the apps' models that carry (or lead to) a person's record.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "kindstep.accounts",
    "kindstep.groups",  # quiet peer groups (issue 17): server mode only
    "kindstep.sharing",  # sharing by consent (issue 17): server mode only
    "kindstep.api",  # the REST API's personal access tokens (kindstep/api)
]

SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"
AFTER_CSRF = [
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]


def apply(s: dict) -> None:
    """Add server mode's account settings to the settings module's namespace ``s``."""
    apps = [a for a in s["INSTALLED_APPS"] if a not in AUTH_APPS]
    oidc = _oidc()
    extra = ["allauth.socialaccount", "allauth.socialaccount.providers.openid_connect"] if oidc else []
    s["INSTALLED_APPS"] = [*AUTH_APPS, *extra, *apps]
    s["MIDDLEWARE"] = _middleware(s["MIDDLEWARE"])
    s["TEMPLATES"] = [*s["TEMPLATES"], _django_templates()]
    # Sharing's pages (kindstep/sharing/templates) use kindstep's own Jinja2 environment.
    s["TEMPLATES"][0]["DIRS"] = [*s["TEMPLATES"][0]["DIRS"], Path(__file__).resolve().parents[1]
                                 / "sharing" / "templates"]
    s["AUTHENTICATION_BACKENDS"] = [
        "django.contrib.auth.backends.ModelBackend",
        "allauth.account.auth_backends.AuthenticationBackend",
    ]
    # Argon2id first (the winner of the Password Hashing Competition, OWASP's first
    # choice); the others only so a hash made by another hasher can still be checked.
    s["PASSWORD_HASHERS"] = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ]
    validators = ["UserAttributeSimilarityValidator", "MinimumLengthValidator",
                  "CommonPasswordValidator", "NumericPasswordValidator"]
    s["AUTH_PASSWORD_VALIDATORS"] = [
        {"NAME": f"django.contrib.auth.password_validation.{name}"} for name in validators]
    # Sessions in the database and a cache in the database: nothing kept in one app
    # server's memory, so rate limits hold across gunicorn's workers and app servers.
    s["SESSION_ENGINE"] = "django.contrib.sessions.backends.db"
    # Rendered pages (web/pagecache.py) stay in each process's memory: a person's record
    # is never copied into a shared table that an erase would not empty.
    s["CACHES"] = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                               "LOCATION": "kindstep_cache"},
                   "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                             "LOCATION": "kindstep-pages"}}
    # allauth's pages in kindstep's own words: its English strings go through Django's
    # translation, and kindstep's English catalogue (found first) rewords them.
    s["USE_I18N"] = True
    s["LOCALE_PATHS"] = [Path(__file__).resolve().parent / "locale"]
    s["LOGIN_URL"] = "account_login"
    s["LOGIN_REDIRECT_URL"] = "today"
    s["MESSAGE_STORAGE"] = "django.contrib.messages.storage.session.SessionStorage"
    # Whom a not-invited address is told to ask for an invitation (invite mode's email).
    s["INVITE_CONTACT"] = env_str("KINDSTEP_INVITE_CONTACT")
    s.update(_allauth())
    s.update(_email())
    if oidc:
        s["SOCIALACCOUNT_PROVIDERS"] = {"openid_connect": {"APPS": [oidc]}}
        s["SOCIALACCOUNT_ONLY"] = False
        s["SOCIALACCOUNT_EMAIL_AUTHENTICATION"] = False
        # "Continue" posts a form that redirects to the provider's sign-in page; browsers
        # hold that redirect to the CSP's form-action, so the provider's origin joins it.
        directives = s["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
        directives["form-action"] = [*directives["form-action"], _origin(oidc["settings"]["server_url"])]


def _middleware(middleware: list[str]) -> list[str]:
    """Sessions before CommonMiddleware; auth, messages and allauth after CSRF."""
    out: list[str] = []
    for name in middleware:
        if name == "django.middleware.common.CommonMiddleware":
            out.append(SESSION_MIDDLEWARE)
        out.append(name)
        if name == "django.middleware.csrf.CsrfViewMiddleware":
            out.extend(AFTER_CSRF)
    return out


def _django_templates() -> dict:
    """allauth and the admin render Django templates: kindstep's account pages override
    allauth's in ``kindstep/accounts/templates`` (found first)."""
    return {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": [
            "django.template.context_processors.request",
            "django.contrib.auth.context_processors.auth",
            "django.contrib.messages.context_processors.messages",
            "kindstep.accounts.context.nav",
        ]},
    }


def _allauth() -> dict:
    attempts = env_int("KINDSTEP_LOGIN_ATTEMPTS", 5)
    lockout = env_int("KINDSTEP_LOGIN_LOCKOUT_MINUTES", 15)
    return {
        "ACCOUNT_ADAPTER": "kindstep.accounts.adapter.AccountAdapter",
        "ACCOUNT_FORMS": {"signup": "kindstep.accounts.forms.SignupForm"},
        "ACCOUNT_LOGIN_METHODS": {"email"},
        "ACCOUNT_SIGNUP_FIELDS": ["email*", "password1*", "password2*"],
        "ACCOUNT_UNIQUE_EMAIL": True,
        "ACCOUNT_USER_MODEL_USERNAME_FIELD": "username",
        "ACCOUNT_EMAIL_VERIFICATION": "mandatory",
        # Codes typed in, never links carrying a token: nothing secret in a URL or a
        # proxy's access log, and a code works on another device than the email's.
        "ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED": True,
        "ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED": True,
        "ACCOUNT_LOGIN_BY_CODE_ENABLED": True,
        "ACCOUNT_PREVENT_ENUMERATION": True,
        "ACCOUNT_SESSION_REMEMBER": None,
        "ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE": False,
        "ACCOUNT_EMAIL_SUBJECT_PREFIX": "kindstep: ",
        "ACCOUNT_RATE_LIMITS": {
            "login_failed": f"10/m/ip,{attempts}/{lockout * 60}s/key",
        },
        "MFA_SUPPORTED_TYPES": ["totp", "webauthn", "recovery_codes"],
        "MFA_PASSKEY_LOGIN_ENABLED": True,
        "MFA_TOTP_ISSUER": "kindstep",
        "MFA_ADAPTER": "allauth.mfa.adapter.DefaultMFAAdapter",
    }


def _email() -> dict:
    host = env_str("KINDSTEP_EMAIL_HOST")
    sender = env_str("KINDSTEP_EMAIL_FROM", "kindstep <kindstep@localhost>")
    if not host:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
                "DEFAULT_FROM_EMAIL": sender}
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": host,
        "EMAIL_PORT": env_int("KINDSTEP_EMAIL_PORT", 587),
        "EMAIL_HOST_USER": env_str("KINDSTEP_EMAIL_USER"),
        "EMAIL_HOST_PASSWORD": env_str("KINDSTEP_EMAIL_PASSWORD"),
        "EMAIL_USE_TLS": env_bool("KINDSTEP_EMAIL_TLS", True),
        "EMAIL_TIMEOUT": 20,
        "DEFAULT_FROM_EMAIL": sender,
        "SERVER_EMAIL": sender,
    }


def _oidc() -> dict | None:
    """The clinic's OpenID Connect provider, or None when not configured (the default)."""
    url = env_str("KINDSTEP_OIDC_URL")
    client_id = env_str("KINDSTEP_OIDC_CLIENT_ID")
    secret = env_str("KINDSTEP_OIDC_SECRET")
    given = [n for n, v in (("KINDSTEP_OIDC_URL", url), ("KINDSTEP_OIDC_CLIENT_ID", client_id),
                            ("KINDSTEP_OIDC_SECRET", secret)) if v]
    if not given:
        return None
    if len(given) < 3:
        missing = {"KINDSTEP_OIDC_URL", "KINDSTEP_OIDC_CLIENT_ID", "KINDSTEP_OIDC_SECRET"} - set(given)
        raise ConfigError(f"Signing in through OpenID Connect also needs {', '.join(sorted(missing))}.")
    if not (url.startswith("https://") or _loopback_http(url)):
        raise ConfigError(f"KINDSTEP_OIDC_URL should be the provider's https address (plain "
                          f"http only on this machine: 127.0.0.1 or localhost), not {url!r}.")
    return {
        "provider_id": "clinic",
        "name": env_str("KINDSTEP_OIDC_NAME", "your clinic's sign-in"),
        "client_id": client_id,
        "secret": secret,
        # PKCE as well as the client secret: a code caught on its way back is of no use.
        "settings": {"server_url": url, "oauth_pkce_enabled": True},
    }


def _loopback_http(url: str) -> bool:
    """An http address on this machine's loopback (a provider beside kindstep, or a test's):
    nothing crosses a network, so there is nothing for TLS to protect."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "::1"}


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"

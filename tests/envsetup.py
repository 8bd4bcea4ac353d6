"""Loaded by pytest before Django's settings (``-p tests.envsetup`` in pyproject).

Each test run gets a data folder of its own, so tests never touch a person's
real kindstep data and every SQLite database is a real file on disk.
"""

import os
import tempfile

if "KINDSTEP_TEST_DATA_DIR" not in os.environ:
    os.environ["KINDSTEP_TEST_DATA_DIR"] = tempfile.mkdtemp(prefix="kindstep-tests-")
os.environ["KINDSTEP_DATA_DIR"] = os.environ["KINDSTEP_TEST_DATA_DIR"]
os.environ.setdefault("KINDSTEP_MODE", "local")

if os.environ["KINDSTEP_MODE"] == "server":
    # The server-mode run (scripts/test): production-like settings around the PostgreSQL
    # database it names in KINDSTEP_DATABASE_URL; the web tests sign in as a member.
    import secrets

    os.environ.setdefault("KINDSTEP_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("KINDSTEP_ALLOWED_HOSTS", "kindstep.example.org")
    os.environ.setdefault("KINDSTEP_ORIGIN", "https://kindstep.example.org")

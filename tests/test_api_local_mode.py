"""Local mode has no API: django-ninja is never imported, /api/ is not an address, and
`kindstep token` says kindly that tokens are for a server."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from kindstep.cli.common import EXIT_REFUSED


def test_local_mode_never_imports_the_api_or_django_ninja(tmp_path):
    code = (
        "import sys, django; django.setup();"
        "from django.urls import Resolver404, resolve\n"
        "try:\n    resolve('/api/openapi.json'); found = 'found'\n"
        "except Resolver404:\n    found = 'no such address'\n"
        "print(found, sorted(m for m in sys.modules if m.split('.')[0] == 'ninja' or"
        " m.startswith('kindstep.api')))"
    )
    env = {**os.environ, "KINDSTEP_MODE": "local", "DJANGO_SETTINGS_MODULE": "kindstep.settings",
           "KINDSTEP_DATA_DIR": str(tmp_path)}
    env.pop("KINDSTEP_DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True, timeout=120)
    assert out.stdout.strip() == "no such address []"


@pytest.mark.skipif(os.environ.get("KINDSTEP_MODE") == "server", reason="local mode's answer")
def test_kindstep_token_is_for_server_mode(db):
    from kindstep.cli.main import app

    result = CliRunner().invoke(app, ["token", "create", "ada@example.org"])
    assert result.exit_code == EXIT_REFUSED
    assert result.stderr.startswith("Tokens open kindstep's API, which only a server has")

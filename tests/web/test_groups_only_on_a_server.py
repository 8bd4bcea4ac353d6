"""Peer groups are a server's: the local program neither imports nor routes them."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import django

django.setup()
from django.urls import Resolver404, resolve

from kindstep.web import urls, views  # every page of the local program

try:
    resolve("/groups/")
except Resolver404:
    pass
else:
    raise SystemExit("routed")
assert not [m for m in sys.modules if m.startswith("kindstep.groups")], "imported"
print("ok")
"""


def test_local_mode_has_no_groups_pages_and_never_imports_them(tmp_path):
    env = {"KINDSTEP_MODE": "local", "KINDSTEP_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin",
           "DJANGO_SETTINGS_MODULE": "kindstep.settings", "TZ": "UTC"}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "ok", (done.stdout, done.stderr[-2000:])

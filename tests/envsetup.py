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

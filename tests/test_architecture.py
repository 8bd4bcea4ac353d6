"""The layering of DESIGN.md, enforced: core never reaches for Django, the store or an interface."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import kindstep.core
import kindstep.web

CORE = Path(kindstep.core.__file__).parent
WEB = Path(kindstep.web.__file__).parent
FORBIDDEN = ("django", "kindstep.store", "kindstep.cli", "kindstep.web", "kindstep.api",
             "kindstep.boot", "kindstep.settings", "rich", "typer")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_core_module_imports_django_the_store_or_an_interface():
    offenders = {
        f"{path.name}: {name}"
        for path in CORE.glob("*.py")
        for name in _imports(path)
        if name.startswith(FORBIDDEN)
    }
    assert not offenders


def test_importing_all_of_core_in_a_fresh_process_loads_no_django():
    modules = [f"kindstep.core.{m.name}" for m in pkgutil.iter_modules([str(CORE)])]
    assert len(modules) >= 5
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'rich', 'typer'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_cli_module_starts_without_django():
    code = "import sys, kindstep.cli.main; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


CLOCK_READS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
               ("date", "today"), ("timezone", "now"), ("time", "time"), ("time", "time_ns"),
               ("time", "monotonic"), ("time", "localtime"), ("time", "gmtime")}
"""Ways of reading the clock: ``datetime.now()``, ``date.today()``, ``timezone.now()``,
``time.time()`` and their kin, however the module was imported."""


def _clock_reads(path: Path) -> list[str]:
    """Each place in ``path`` that reads the clock, or imports a clock function by its name."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name | ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else node.value.attr
            if (owner, node.attr) in CLOCK_READS:
                found.append(f"{path.name}:{node.lineno}: {owner}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module in ("time", "django.utils.timezone"):
            for alias in node.names:
                if ("time" if node.module == "time" else "timezone", alias.name) in CLOCK_READS:
                    found.append(f"{path.name}:{node.lineno}: from {node.module} import {alias.name}")
    return found


def test_the_web_reads_the_clock_in_one_place_only():
    """Every view asks ``kindstep.web.clock.now``: one clock to stop in a test or to change."""
    reads = {str(path.relative_to(WEB)): _clock_reads(path) for path in WEB.rglob("*.py")}
    assert reads.pop("clock.py") == ["clock.py:15: datetime.now"]
    assert {name: found for name, found in reads.items() if found} == {}


def test_the_clock_finder_finds_each_way_of_reading_the_clock(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import datetime, time\n"
        "from django.utils.timezone import now\n"
        "from time import monotonic\n"
        "a = datetime.datetime.now()\n"
        "b = datetime.date.today()\n"
        "c = time.time()\n"
        "d = timezone.now()\n"
        "e = date.today()\n"
        "f = queries.today(person, now)\n"  # the person's day from a given instant: not a clock
    )
    assert [line.split(": ", 1)[1] for line in _clock_reads(sample)] == [
        "from django.utils.timezone import now", "from time import monotonic",
        "datetime.now", "date.today", "time.time", "timezone.now", "date.today"]

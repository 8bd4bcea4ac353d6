"""The layering of docs/design.md, enforced: core never reaches for Django, the store or an interface."""

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


# ---------------------------------------------------------------- importers: parse only, no clock

import kindstep.importers  # noqa: E402

IMPORTERS = Path(kindstep.importers.__file__).parent
CLOCK_READS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
               ("date", "today"), ("time", "time"), ("time", "time_ns"), ("timezone", "now")}
"""``module_or_class.function`` pairs that read the wall clock."""


def _modules(folder: Path) -> list[Path]:
    """Every module under ``folder``, sub-packages included."""
    return sorted(folder.rglob("*.py"))


def _clock_reads(path: Path) -> set[str]:
    """Where ``path`` reads the clock: ``datetime.now``, ``date.today``, ``time.time``,
    ``timezone.now`` (called or passed on, under the names Python gives them) and
    ``from time import time``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Attribute):
            owner = node.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
            if (name, node.attr) in CLOCK_READS:
                found.add(f"{path.name}:{node.lineno}: {name}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module in ("time", "django.utils.timezone"):
            for alias in node.names:
                if alias.name in ("time", "time_ns", "now"):
                    found.add(f"{path.name}:{node.lineno}: from {node.module} import {alias.name}")
    return found


def test_the_clock_check_finds_every_way_of_reading_the_clock(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import datetime as dt, time\nfrom datetime import date, datetime\n"
        "from time import time as stamp\n"
        "a = datetime.now()\nb = dt.datetime.now(dt.UTC)\nc = date.today()\nd = time.time()\n"
        "e = dict(default=datetime.utcnow)\nf = time.monotonic()\n", "utf-8")
    assert sorted(r.split(": ", 1)[1] for r in _clock_reads(sample)) == [
        "date.today", "datetime.now", "datetime.now", "datetime.utcnow", "from time import time",
        "time.time"]


def test_no_importer_imports_django_the_store_or_an_interface():
    offenders = {
        f"{path.relative_to(IMPORTERS)}: {name}"
        for path in _modules(IMPORTERS)
        for name in _imports(path)
        if name.startswith(FORBIDDEN)
    }
    assert not offenders


def test_neither_core_nor_the_importers_read_the_clock():
    offenders = set()
    for path in _modules(CORE) + _modules(IMPORTERS):
        offenders |= _clock_reads(path)
    assert not offenders, "time comes in as now= from the interface: " + ", ".join(
        sorted(offenders))


def test_importing_every_importer_in_a_fresh_process_loads_no_django():
    modules = [m.name for m in pkgutil.walk_packages([str(IMPORTERS)], "kindstep.importers.")]
    assert {"kindstep.importers.gpx", "kindstep.importers.hardening"} <= set(modules)
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'rich', 'typer'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


XML_LIBRARIES = ("defusedxml", "xml.etree", "xml.dom", "xml.sax", "lxml")


def test_every_importer_reads_xml_through_the_one_hardened_way_in():
    """Only hardening.py makes an XML parser; no importer reaches for another XML library."""
    offenders = set()
    for path in _modules(IMPORTERS):
        offenders |= {f"{path.name}: {name}" for name in _imports(path)
                      if name.startswith(XML_LIBRARIES)}
        if path.name != "hardening.py":
            tree = ast.parse(path.read_text("utf-8"))
            offenders |= {f"{path.name}:{node.lineno}: ParserCreate" for node in ast.walk(tree)
                          if "ParserCreate" in (getattr(node, "attr", None),
                                                getattr(node, "id", None))}
    assert not offenders


def test_the_web_reads_the_clock_in_one_place_only():
    """Every view asks ``kindstep.web.clock.now``: one clock to stop in a test or to change."""
    reads = {str(path.relative_to(WEB)): sorted(_clock_reads(path)) for path in WEB.rglob("*.py")}
    assert reads.pop("clock.py") == ["clock.py:15: datetime.now"]
    assert {name: found for name, found in reads.items() if found} == {}


# ---------------------------------------------------------------- the command line: no import circle

import kindstep.cli  # noqa: E402

CLI = Path(kindstep.cli.__file__).parent


def _imports_of_main(path: Path) -> bool:
    """Whether ``path`` imports ``kindstep.cli.main`` (``import``, ``from ... import main``)."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import) and any(a.name == "kindstep.cli.main" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (
                node.module == "kindstep.cli.main"
                or (node.module == "kindstep.cli" and any(a.name == "main" for a in node.names))):
            return True
    return False


def test_no_command_module_imports_main_so_the_cli_has_no_import_circle():
    """``main`` loads the other command modules (its registry); they take ``app`` from
    ``cli/app.py``, never from ``main``. Only the console script's entry point runs it."""
    importers = sorted(path.name for path in CLI.glob("*.py")
                       if path.name != "__init__.py" and _imports_of_main(path))
    assert importers == []

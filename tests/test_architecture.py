"""The layering of docs/design.md, enforced: core never reaches for Django, the store or an interface."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import kindstep.core

CORE = Path(kindstep.core.__file__).parent
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

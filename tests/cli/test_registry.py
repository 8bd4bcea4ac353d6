"""The console script loads only the command it runs; the registry must name every command."""

from __future__ import annotations

import subprocess
import sys

from kindstep.cli.main import COMMAND_MODULES, app


def test_every_command_from_another_module_is_in_the_registry():
    names = {c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands}
    names |= {g.name for g in app.registered_groups}
    for name, module in COMMAND_MODULES.items():
        assert name in names, f"{name} is not registered by {module}"
    code = (
        "import sys, kindstep.cli as p; p.FAST_START = True\n"
        "from kindstep.cli.main import app\n"
        "names = {c.name or c.callback.__name__.replace('_', '-') for c in app.registered_commands}\n"
        "names |= {g.name for g in app.registered_groups}\n"
        "print(' '.join(sorted(names)))\n"
    )
    core = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True).stdout.split())
    assert not core & set(COMMAND_MODULES)
    assert core | set(COMMAND_MODULES) == names


def _modules_loaded_for(*argv: str) -> set[str]:
    code = (
        "import sys, kindstep.cli as p; p.FAST_START = True\n"
        "from kindstep.cli import main\n"
        f"main.register_for({list(argv)!r})\n"
        "print(' '.join(m for m in sys.modules if m.startswith('kindstep.cli.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_an_everyday_command_loads_no_other_command_module():
    assert not _modules_loaded_for("log", "walk", "10") & set(COMMAND_MODULES.values())


def test_a_command_from_another_module_loads_just_that_module():
    loaded = _modules_loaded_for("help-now", "--country", "GB") & set(COMMAND_MODULES.values())
    assert loaded == {"kindstep.cli.help_first"}


def test_help_and_unknown_commands_load_everything():
    for argv in ((), ("--help",), ("nonsense",)):
        assert set(COMMAND_MODULES.values()) <= _modules_loaded_for(*argv)

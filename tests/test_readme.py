"""The README's examples are true: every ```console block, run in order against a fresh data folder.

Each ``$ kindstep ...`` line in README.md runs as a real `kindstep` process
on a new SQLite file, one after another as a newcomer would type them, with
the clock stopped at the moment the README describes (Wednesday 25 November
2026, 15:00 UTC) and the computer's time zone set to UTC. What it prints
(standard output and errors together, trailing spaces aside) must be the
lines the README shows beneath it; a line that is only ``...`` stands for any
lines the README leaves out. When this test fails, make the README true
again rather than loosening the test.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
WIDTH = "100"
"""The terminal width the README's tables and wrapped lines were written at."""

LAUNCH = """
import sys
from datetime import UTC, datetime
import time_machine
time_machine.travel(datetime(2026, 11, 25, 15, 0, tzinfo=UTC), tick=False).start()
from kindstep.cli import run
sys.argv = ["kindstep", *sys.argv[1:]]
run()
"""
"""`kindstep` with the clock stopped at the README's moment (time passes in nowhere else)."""


def examples(text: str) -> list[tuple[str, list[str]]]:
    """(command line, the lines the README shows after it) for every ``$ kindstep`` line."""
    found: list[tuple[str, list[str]]] = []
    for block in re.findall(r"^```console\n(.*?)^```", text, re.S | re.M):
        for line in block.splitlines():
            if line.startswith("$ "):
                found.append((line[2:], []))
            else:
                assert found, f"output before any command in a console block: {line!r}"
                found[-1][1].append(line)
    return found


def shown(expected: list[str], actual: str) -> bool:
    """Whether ``actual`` is what the README shows, ``...`` standing for any lines."""
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line == "..." else re.escape(line.rstrip()) + r"\n"
        for line in expected
    )
    text = "".join(line.rstrip() + "\n" for line in actual.splitlines())
    return re.fullmatch(pattern, text) is not None


def test_the_readme_has_examples_of_the_daily_loop_and_an_import():
    commands = [command for command, _ in examples(README.read_text("utf-8"))]
    assert commands[0].startswith("kindstep checkin")
    assert any(c.startswith("kindstep today") for c in commands)
    assert any(c.startswith("kindstep import docs/examples/") for c in commands)
    assert all(c.startswith("kindstep ") for c in commands)


def test_the_matching_of_elided_lines_is_strict_elsewhere():
    assert shown(["a", "...", "d"], "a\nb\nc\nd\n")
    assert shown(["a", "...", "d"], "a\nd  \n")
    assert not shown(["a", "...", "d"], "a\nb\nc\n")
    assert not shown(["a", "b"], "a\nb\nc\n")
    assert not shown(["a"], "A\n")
    assert shown([], "")


def test_every_console_example_in_the_readme_prints_what_it_shows(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINDSTEP_", "DJANGO_"))}
    env.update(KINDSTEP_DATA_DIR=str(tmp_path / "data"), TZ="UTC", COLUMNS=WIDTH,
               LINES="50", NO_COLOR="1", TERM="dumb")
    differences = []
    for command, expected in examples(README.read_text("utf-8")):
        args = shlex.split(command)[1:]
        result = subprocess.run([sys.executable, "-c", LAUNCH, *args], cwd=REPO, env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, timeout=120)
        if not shown(expected, result.stdout):
            differences.append(f"$ {command}\n--- README shows:\n" + "\n".join(expected)
                               + "\n--- kindstep printed:\n" + result.stdout)
    assert not differences, "\n\n".join(differences)

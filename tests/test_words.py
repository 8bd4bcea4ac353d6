"""Words matter: nothing kindstep says to a person shames or pressures them.

Every string in the package (code and data files) and the output of the main
commands is checked against the one list of words kindstep never uses
(tests/words.py). Only the validated questionnaire text
(``kindstep/data/instruments.toml``, item 6 of the PHQ-9 says "failure") is exempt.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

import kindstep
from kindstep.cli.main import app
from tests.conftest import NOW
from tests.words import PATTERN, unkind

PACKAGE = Path(kindstep.__file__).parent
EXEMPT = {"instruments.toml"}


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _package_strings():
    for path in sorted(PACKAGE.rglob("*.toml")):
        if path.name not in EXEMPT:
            for text in _strings(tomllib.loads(path.read_text("utf-8"))):
                yield f"{path.relative_to(PACKAGE)}", text
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield f"{path.relative_to(PACKAGE)}:{node.lineno}", node.value
    for path in sorted(PACKAGE.rglob("*.html")):
        yield str(path.relative_to(PACKAGE)), path.read_text("utf-8")
    for path in sorted(p for p in PACKAGE.rglob("*.txt") if "templates" in p.parts):  # emails
        yield str(path.relative_to(PACKAGE)), path.read_text("utf-8")
    for path in sorted(PACKAGE.rglob("*.po")):  # kindstep's words for allauth's pages
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if line.startswith("msgstr "):
                yield f"{path.relative_to(PACKAGE)}:{number}", line


def test_the_banned_words_check_catches_what_it_should():
    assert unkind("You missed a day") == ["missed"]
    assert unkind("Streak broken!") and unkind("3-day streak") and unkind("You failed")
    assert unkind("you SHOULD HAVE done more") == ["SHOULD HAVE"]
    assert unkind("Don't give up, push yourself")
    assert not unkind("Rest is part of healing.")
    assert not unkind("Web push reminders, if you like")  # "push" alone is fine


def test_the_words_module_doctests_pass():
    import doctest

    from tests import words

    assert doctest.testmod(words).failed == 0


def test_no_string_in_the_package_shames_or_pressures():
    found = [(where, m.group(0)) for where, text in _package_strings() for m in PATTERN.finditer(text)]
    assert not found


def test_the_exempt_questionnaire_text_is_only_the_validated_wording():
    data = tomllib.loads((PACKAGE / "data" / "instruments.toml").read_text("utf-8"))
    hits = [t for t in _strings(data) if PATTERN.search(t)]
    # The only banned word there is in PHQ-9 item 6, the validated wording.
    assert all("you are a failure" in t for t in hits)


@pytest.mark.django_db
def test_what_the_commands_print_is_kind():
    from kindstep.store import actions

    actions.local_person()
    runner = CliRunner()
    outputs = []
    with time_machine.travel(NOW, tick=False):
        for args in (["--help"], ["today"], ["week"], ["history"], ["log", "walk", "5"],
                     ["rest", "--date", "2026-11-20"], ["week"], ["history"], ["activities"],
                     ["settings"], ["log", "nope", "5"], ["log", "walk", "0"]):
            result = runner.invoke(app, args)
            outputs.append(result.output)
    text = "\n".join(outputs)
    assert "What feels possible today?" in text
    assert not PATTERN.findall(text)

"""kindstep's English catalogue for allauth's pages (kindstep/accounts/locale): the compiled
``django.mo`` that Django reads says exactly what ``django.po`` says, so an edit to the words
cannot be left uncompiled."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import kindstep

FOLDER = Path(kindstep.__file__).parent / "accounts" / "locale" / "en" / "LC_MESSAGES"


def po_entries(path: Path) -> dict[tuple[str | None, str], str]:
    """{(context, msgid): msgstr} of a .po file (its header left out)."""
    entries, current, key = {}, {}, None

    def done():
        if current.get("msgid"):
            entries[(current.get("msgctxt"), current["msgid"])] = current["msgstr"]

    for line in path.read_text("utf-8").splitlines() + [""]:
        if not line.strip():
            done()
            current, key = {}, None
        elif match := re.match(r'^(msgctxt|msgid|msgstr) (".*")$', line):
            key = match.group(1)
            current[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
    return entries


def test_the_compiled_catalogue_says_what_the_po_file_says():
    entries = po_entries(FOLDER / "django.po")
    assert len(entries) > 50
    with open(FOLDER / "django.mo", "rb") as f:
        compiled = gettext.GNUTranslations(f)
    for (context, msgid), msgstr in entries.items():
        said = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        assert said == msgstr, msgid
    assert len(compiled._catalog) - 1 == len(entries)  # nothing compiled that the .po lacks


def test_every_reworded_string_keeps_its_placeholders():
    for (_, msgid), msgstr in po_entries(FOLDER / "django.po").items():
        assert set(re.findall(r"%\(\w+\)s|\{\w+\}", msgid)) >= \
            set(re.findall(r"%\(\w+\)s|\{\w+\}", msgstr)), msgid

"""The ``kindstep`` Typer app and the options several commands share.

Every command module registers its commands on :data:`app`. ``cli/main.py`` holds the
everyday commands and the registry of which module defines which other command; no
command module imports ``main``, so the modules form no import circle (a test checks).
"""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    name="kindstep",
    help="A gentle movement companion. What feels possible today?",
    add_completion=False,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    invoke_without_command=True,
)

Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
DateOpt = Annotated[
    str | None, typer.Option("--date", help="The day it belongs to, YYYY-MM-DD (default: today).")
]
NoteOpt = Annotated[str | None, typer.Option("--note", help="A few words, if you like.")]

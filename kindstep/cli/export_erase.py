"""`kindstep export` and `kindstep erase`: your whole record, to take away or to let go of."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import app
from kindstep.cli.common import kind_errors, say


def _default_name() -> str:
    return f"kindstep-export-{common.now().date().isoformat()}.json"


@app.command()
@kind_errors
def export(
    path: Annotated[str, typer.Argument(
        help="Where to write it; '-' writes to standard output. "
             "Default: kindstep-export-DATE.json here.", show_default=False)] = "",
    force: Annotated[bool, typer.Option("--force", help="Replace a file already there.")] = False,
) -> None:
    """Everything kindstep keeps about you, in one JSON file you can keep or take elsewhere."""
    person = common.person()  # starts Django: the store's modules need it
    from kindstep.store import actions

    now = common.now()
    counts: dict[str, int] = {}
    if path == "-":
        for piece in actions.export_all(person, now=now, counts=counts):
            sys.stdout.write(piece)
        return
    target = Path(path or _default_name()).expanduser()
    if target.is_dir():
        target = target / _default_name()
    if target.exists() and not force:
        common.refuse(f"There is already a file at {target}. Choose another name, or add --force "
                      "to replace it. Nothing was written.")
    if not target.parent.is_dir():
        common.refuse(f"There is no folder {target.parent} to write into. Nothing was written.")
    # Written beside the target, then moved into place: never half a file under its name.
    fd, part = tempfile.mkstemp(prefix=".kindstep-export-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for piece in actions.export_all(person, now=now, counts=counts):
                out.write(piece)
        os.replace(part, target)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise
    entries = sum(n for name, n in counts.items() if not name.startswith("health_"))
    samples = counts.get("health_records", 0)
    extra = f" and {samples:,} Apple Health samples" if samples else ""
    say(f"Your record is in {target}: {entries:,} entries{extra}, with your settings. "
        "It holds everything kindstep keeps about you, so keep it somewhere safe.",
        soft_wrap=True)


@app.command()
@kind_errors
def erase(
    yes: Annotated[bool, typer.Option(
        "--yes", help="Erase without asking (for scripts). There is no undo.")] = False,
) -> None:
    """Erase everything kindstep keeps about you, settings included. There is no undo."""
    person = common.person()  # starts Django: the store's modules need it
    from kindstep.store import actions

    if yes:
        confirm = actions.ERASE_WORD
    elif not common.interactive():
        common.refuse("Erasing asks you to confirm at a terminal; `kindstep erase --yes` erases "
                      "without asking. Nothing has been erased.")
    else:
        say("This erases everything kindstep keeps about you: movement, rest days, check-ins, "
            "questionnaires, imports, experiments and settings. There is no undo.", soft_wrap=True)
        say("If you might want any of it later, `kindstep export` first makes a copy.")
        from rich.prompt import Prompt

        confirm = Prompt.ask(f'Type "{actions.ERASE_WORD}" to erase everything, or press Enter '
                             "to keep it", default="", show_default=False,
                             console=common.console())
        if not confirm.strip():
            say("Nothing was erased. Your record is as it was.")
            return
    _, tidied = actions.erase_all(person, confirm=confirm)
    say("Everything is erased. kindstep will start afresh whenever you come back.")
    if not tidied:
        say("Another program (perhaps `kindstep serve`) has the file open, so the space the "
            "record used is cleared the next time you run `kindstep erase --yes` with it closed.",
            soft_wrap=True)

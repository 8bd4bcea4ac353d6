"""`kindstep import PATH`: bring in an export from a phone, a watch or a journal app."""

from __future__ import annotations

import shlex
import sys
from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import app
from kindstep.cli.common import kind_errors, print_json


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def summary_line(summary) -> str:
    """The one-line summary: what was added, what was already here, what was set aside and why.

    >>> from kindstep.importers.rows import ImportSummary
    >>> summary_line(ImportSummary("gpx", added=2, already_present=1))
    'From a GPX file: 2 added, 1 already here, 0 skipped.'
    """
    from kindstep.store.importing import FORMAT_NAMES

    name = FORMAT_NAMES.get(summary.format, summary.format)
    verb = "would be added" if summary.dry_run else "added"
    text = (f"From {name}: {summary.added} {verb}, {summary.already_present} already here, "
            f"{summary.skipped} skipped")
    if summary.reasons:
        reasons = "; ".join(f"{_one_line(reason).rstrip('.')} ({n})"
                            for reason, n in summary.reasons.items())
        text += f" ({reasons})"
    text += "."
    if summary.dry_run:
        text += " This was a dry run: nothing was written."
    return text


def refused_line(path: str, refused) -> str:
    """One line for a refused file: where it went wrong, what to try, and that nothing changed.

    >>> from kindstep.importers.rows import ImportRefused
    >>> refused_line("run.gpx", ImportRefused("This file is cut short.", "line 4"))
    'run.gpx, line 4: This file is cut short. Nothing was changed.'
    """
    place = [path]
    if refused.where and refused.where not in (path, str(path)):
        place.append(refused.where)
    return _one_line(f"{', '.join(place)}: {refused.message} Nothing was changed.")


class _Bar:
    """A Rich progress bar (bytes read, items, rate), shown only when a person watches a terminal."""

    def __init__(self, enabled: bool):
        self.progress = None
        self.task = None
        if not enabled:
            return
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TransferSpeedColumn,
        )

        self.progress = Progress(
            TextColumn("Reading"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
            TextColumn("{task.fields[items]:,} items"), TimeElapsedColumn(),
            console=common.console(), transient=True,
        )

    def __enter__(self):
        if self.progress is not None:
            self.progress.start()
        return self

    def __call__(self, done: int, total: int, items: int) -> None:
        if self.progress is None:
            return
        if self.task is None:
            self.task = self.progress.add_task("import", total=total or None, items=0)
        self.progress.update(self.task, completed=done, total=total or None, items=items)

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.stop()


def unplaced_line(path: str, summary) -> str:
    """One line for entries whose own mood names have no place yet: how many, and how to place them.

    >>> from kindstep.importers.rows import ImportSummary
    >>> unplaced_line("d.csv", ImportSummary("daylio_csv", unplaced={"tired": 2, "sad": 1}))[:72]
    '3 entries keep their own mood names (tired 2, sad 1) without a place on '
    """
    if not summary.unplaced:
        return ""
    total = sum(summary.unplaced.values())
    names = ", ".join(f"{name} {n}" for name, n in summary.unplaced.items())
    from kindstep.core.moods import level_name, suggested_level

    first = next(iter(summary.unplaced))
    example = shlex.quote(f"{first}={level_name(suggested_level(first))}")
    return _one_line(
        f"{total} {'entry keeps its' if total == 1 else 'entries keep their'} own mood "
        f"name{'' if total == 1 else 's'} ({names}) without a place on the scale yet, so "
        f"{'it is' if total == 1 else 'they are'} not in insights. To place "
        f"{'it' if len(summary.unplaced) == 1 else 'them'}, import the "
        f"file again with --mood for each name, such as: kindstep import {shlex.quote(path)} "
        f"--mood {example} "
        "(1 to 5, or awful, bad, meh, good, rad); the Import page also asks.")


def _ask_places(names: list[str]) -> dict[str, int]:
    """At a terminal: where each new mood name sits, with a suggestion Enter takes; "later" leaves it."""
    from rich.prompt import Prompt

    from kindstep.core import moods
    from kindstep.core.checks import InvalidInput

    common.say(f"Your file uses {len(names)} mood name{'' if len(names) == 1 else 's'} of your "
               "own. Where does each sit on Daylio's scale: 1 awful, 2 bad, 3 meh, 4 good, 5 rad? "
               "kindstep remembers, so it asks only once. Press Enter for the suggestion, or type "
               "later to leave a name for now.", soft_wrap=True)
    placed: dict[str, int] = {}
    for name in names:
        suggestion = moods.level_name(moods.suggested_level(name))
        while True:
            answer = Prompt.ask(f"{common.plain(name)} (suggested: {suggestion})", default="",
                                show_default=False, console=common.console()).strip()
            if answer.lower() == "later":
                break
            try:
                placed[name] = moods.parse_level(answer or suggestion, name=name)
                break
            except InvalidInput as err:
                common.say(f"[dim]{common.escape(err.message)}[/dim]", soft_wrap=True)
    return placed


def _placements(texts: list[str] | None) -> dict[str, int]:
    """``--mood NAME=LEVEL`` values as {name: level}; InvalidInput (exit 2) for a bad one."""
    from kindstep.core.moods import parse_placement

    return dict(parse_placement(text) for text in texts or [])


def _new_names(person, path: str, format: str | None, given: dict[str, int]):
    """(format, the file's mood names that have no place yet) for a Daylio CSV; else (format, [])."""
    from kindstep.core.moods import unplaced
    from kindstep.importers import daylio
    from kindstep.importers.detect import detect

    fmt = format or detect(path)
    if fmt != "daylio_csv":
        return fmt, []
    return fmt, unplaced(daylio.mood_names(path), {**(person.daylio_moods or {}), **given})


@app.command("import")
@kind_errors
def import_command(
    path: Annotated[str, typer.Argument(help="The export: a file, a zip or a folder.",
                                        show_default=False)],
    format: Annotated[str | None, typer.Option(
        "--format", help="Skip detection: apple_health, gpx, tcx, fit, activity_files, strava, "
                         "daylio_csv, daylio_backup, bearable_csv or kindstep_export.")] = None,
    mood: Annotated[list[str] | None, typer.Option(
        "--mood", metavar="NAME=LEVEL",
        help="Place one of your own Daylio mood names on Daylio's scale, LEVEL 1 to 5 or awful, "
             "bad, meh, good, rad (repeat for each name). Remembered for later exports.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would change, write nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Bring in your history: Apple Health, GPX/TCX/FIT, Strava, Daylio or Bearable exports,
    or a kindstep export to bring your record back.

    Importing the same file again adds nothing new, and a damaged file changes nothing.
    At a terminal, kindstep asks once where each of your own Daylio mood names sits.

    Example: kindstep import ~/Downloads/export.zip --dry-run
    """
    from kindstep.importers.detect import FORMATS

    if format is not None and format not in FORMATS:
        common.refuse(f"kindstep does not know the format {format!r}; it reads {', '.join(FORMATS)}.")
    given = _placements(mood)
    person = common.person()
    from kindstep.importers.rows import ImportRefused
    from kindstep.store.importing import import_file

    show_bar = not as_json and sys.stdout.isatty()
    try:
        if not as_json and not dry_run and common.interactive():
            format, names = _new_names(person, path, format, given)
            given.update(_ask_places(names) if names else {})
        with _Bar(show_bar) as bar:
            summary = import_file(person, path, format=format, dry_run=dry_run, moods=given,
                                  progress=bar if show_bar else None, now=common.now())
    except ImportRefused as refused:
        common.refuse(refused_line(path, refused))
    to_place = unplaced_line(path, summary)
    if as_json:
        data = summary.as_dict()
        if to_place:
            data["how_to_place"] = to_place
        print_json(data)
        return
    # Written plainly, not through Rich: one line, never wrapped, never read as markup.
    sys.stdout.write(summary_line(summary) + "\n")
    for note in summary.notes:
        sys.stdout.write(_one_line(note) + "\n")
    if summary.moods_filled:
        one = summary.moods_filled == 1
        sys.stdout.write(f"{summary.moods_filled} {'entry' if one else 'entries'} imported before "
                         f"now {'has its' if one else 'have their'} mood on the scale.\n")
    if to_place:
        sys.stdout.write(common.safe_text(to_place) + "\n")  # the names are the file's words
    if summary.why_nothing:
        sys.stdout.write(summary.why_nothing + "\n")

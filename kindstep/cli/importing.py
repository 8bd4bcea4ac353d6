"""`kindstep import PATH`: bring in an export from a phone, a watch or a journal app."""

from __future__ import annotations

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


@app.command("import")
@kind_errors
def import_command(
    path: Annotated[str, typer.Argument(help="The export: a file, a zip or a folder.",
                                        show_default=False)],
    format: Annotated[str | None, typer.Option(
        "--format", help="Skip detection: apple_health, gpx, tcx, fit, activity_files, daylio_csv, "
                         "daylio_backup, bearable_csv, strava or kindstep_export.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would change, write nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Bring in your history: Apple Health, GPX/TCX/FIT, Daylio or Bearable exports, or a
    kindstep export to bring your record back.

    Importing the same file again adds nothing new, and a damaged file changes nothing.

    Example: kindstep import ~/Downloads/export.zip --dry-run
    """
    from kindstep.importers.detect import FORMATS

    if format is not None and format not in FORMATS:
        common.refuse(f"kindstep does not know the format {format!r}; it reads {', '.join(FORMATS)}.")
    person = common.person()
    from kindstep.importers.rows import ImportRefused
    from kindstep.store.importing import import_file

    show_bar = not as_json and sys.stdout.isatty()
    try:
        with _Bar(show_bar) as bar:
            summary = import_file(person, path, format=format, dry_run=dry_run,
                                  progress=bar if show_bar else None, now=common.now())
    except ImportRefused as refused:
        common.refuse(refused_line(path, refused))
    if as_json:
        print_json(summary.as_dict())
        return
    # Written plainly, not through Rich: one line, never wrapped, never read as markup.
    sys.stdout.write(summary_line(summary) + "\n")
    for note in summary.notes:
        sys.stdout.write(_one_line(note) + "\n")

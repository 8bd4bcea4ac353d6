"""`kindstep report` and `kindstep fhir`: the record to bring to a clinician, as a PDF or FHIR."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import app
from kindstep.cli.common import kind_errors, say


def _target(out: str, default: str, force: bool) -> Path:
    """Where to write, checked before anything is read: one kind line and exit 2 if it cannot be."""
    target = Path(out or default).expanduser()
    if target.is_dir():
        target = target / default
    if target.exists() and not force:
        common.refuse(f"There is already a file at {target}. Choose another name, or add --force "
                      "to replace it. Nothing was written.")
    if not target.parent.is_dir():
        common.refuse(f"There is no folder {target.parent} to write into. Nothing was written.")
    if not os.access(target.parent, os.W_OK):
        common.refuse(f"kindstep cannot write into {target.parent}; choose a folder you can write "
                      "to. Nothing was written.")
    return target


def _write(target: Path, data: bytes) -> None:
    """Written beside the target, then moved into place: never half a file under its name."""
    try:
        fd, part = tempfile.mkstemp(prefix=".kindstep-", suffix=".part", dir=target.parent)
    except OSError:
        common.refuse(f"kindstep cannot write into {target.parent}; choose a folder you can write "
                      "to. Nothing was written.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(part, target)
    except OSError:
        Path(part).unlink(missing_ok=True)
        common.refuse(f"kindstep could not write {target} (the disk may be full or the file "
                      "locked). Nothing was written.")
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise


@app.command()
@kind_errors
def report(
    weeks: Annotated[int, typer.Option("--weeks", help="How many weeks, 1 to 52.")] = 12,
    out: Annotated[str, typer.Option(
        "--out", help="Where to write the PDF. Default: kindstep-report-DATE.pdf here.",
        show_default=False)] = "",
    name: Annotated[str, typer.Option(
        "--name", help="A name for the heading (optional; none by default).",
        show_default=False)] = "",
    notes: Annotated[bool, typer.Option(
        "--notes", help="Include the notes you wrote (left out unless you ask).")] = False,
    paper: Annotated[str, typer.Option(
        "--paper", help="a4 or letter. Default: the usual size where you live.",
        show_default=False)] = "",
    force: Annotated[bool, typer.Option("--force", help="Replace a file already there.")] = False,
) -> None:
    """A one- or two-page PDF of your recent weeks to bring to a GP or therapist.

    Example: kindstep report --weeks 8 --out for-my-gp.pdf
    """
    from kindstep.core import report as core

    core.check_weeks(weeks)
    core.check_name(name)
    core.check_paper(paper)
    now = common.now()
    target = _target(out, f"kindstep-report-{now.date().isoformat()}.pdf", force)
    person = common.person()  # starts Django: the store's modules need it
    from kindstep.reports.pdf import ReportOptions, render_pdf

    data = render_pdf(person, weeks=weeks, now=now,
                      options=ReportOptions(name=name, notes=notes, paper=paper))
    _write(target, data)
    extra = ", with your notes" if notes else ""
    say(f"Your report is in {target}: {weeks} week{'' if weeks == 1 else 's'}{extra}. "
        "It is yours to share with whoever you choose.", soft_wrap=True)


@app.command()
@kind_errors
def fhir(
    out: Annotated[str, typer.Option(
        "--out", help="Where to write the JSON; '-' writes to standard output. "
                      "Default: kindstep-fhir-DATE.json here.", show_default=False)] = "",
    name: Annotated[str, typer.Option(
        "--name", help="A name for the Patient entry (optional; none by default).",
        show_default=False)] = "",
    force: Annotated[bool, typer.Option("--force", help="Replace a file already there.")] = False,
) -> None:
    """Your PHQ-9, GAD-7 and movement as a FHIR R4 Bundle, for a health record system.

    Example: kindstep fhir --out kindstep-fhir.json
    """
    import json
    import sys

    from kindstep.core import report as core

    core.check_name(name)
    now = common.now()
    target = None if out == "-" else _target(
        out, f"kindstep-fhir-{now.date().isoformat()}.json", force)
    person = common.person()
    from kindstep.core.fhir import bundle
    from kindstep.store import queries

    answered, moved = queries.fhir_record(person)
    data = bundle(answered, moved, now=now, person_key=person.pk, name=name)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if target is None:
        sys.stdout.write(text)
        return
    _write(target, text.encode("utf-8"))
    count = len(data["entry"]) - 1
    say(f"Your FHIR record is in {target}: {count} entr{'y' if count == 1 else 'ies'} "
        "(questionnaires, their totals and movement sessions).", soft_wrap=True)

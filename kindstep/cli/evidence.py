"""``kindstep why``: the evidence cards, with their figures, certainty and citations.

"Evidence" here means published research (``kindstep.core.evidence``); what the
person's own record shows is ``kindstep insights`` (``kindstep.cli.insights``).
"""

from __future__ import annotations

from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import app
from kindstep.cli.common import kind_errors, say


@app.command()
@kind_errors
def why(
    topic: Annotated[
        str | None, typer.Argument(help="A topic, e.g. mood (leave out to list them).")
    ] = None,
) -> None:
    """Why movement might help: short, honest evidence cards with their sources.

    Example: kindstep why mood
    """
    from kindstep.core import evidence

    if topic is None:
        say("[bold]What the research says[/bold]  (`kindstep why TOPIC` shows a card)")
        for c in evidence.load_cards():
            say(f"  {c.code:<14} {common.escape(c.title)}")
        return
    try:
        c = evidence.card(topic)
    except evidence.UnknownTopic as err:
        common.refuse(str(err))
    say(f"[bold]{common.escape(c.title)}[/bold]")
    say()
    say(common.escape(c.summary), soft_wrap=True)
    if c.figures:
        say()
        for figure in c.figures:
            say(f"  • {common.escape(figure)}", soft_wrap=True)
    elif c.no_figures_because:
        say(f"[dim]{common.escape(c.no_figures_because)}[/dim]", soft_wrap=True)
    say()
    say(f"[italic]How sure: {common.escape(c.certainty)}[/italic]", soft_wrap=True)
    say()
    say("Sources:")
    for citation in c.citations:
        say(f"  {common.escape(str(citation))}  {citation.url}", soft_wrap=True)
    say("[dim]Movement is one option alongside care, not a replacement for it.[/dim]")

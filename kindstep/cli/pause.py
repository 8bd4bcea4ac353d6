"""`kindstep pause`: "I'm unwell" or "I'm away", for a span or until ended.

``kindstep pause`` says what is set; ``kindstep pause --until DATE [--reason
unwell|away]`` pauses from today to DATE (``--reason`` alone pauses until you
end it); ``kindstep pause end`` ends it. The rules (what a pause freezes, and
how a week with paused days is judged) are ``core.pause`` and ``core.rhythm``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import Json, app
from kindstep.cli.common import kind_errors, print_json, say

pause_app = typer.Typer(
    name="pause",
    help="Pause for a while (unwell or away): nothing counts against you, reminders stop.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
app.add_typer(pause_app, name="pause")


def _pause_dict(pause) -> dict | None:
    if pause is None:
        return None
    return {"start": pause.start, "until": pause.until, "reason": pause.reason}


@pause_app.callback()
@kind_errors
def pause(
    ctx: typer.Context,
    until: Annotated[str | None, typer.Option(
        help="The last paused day, YYYY-MM-DD (leave it out to pause until you end it).")] = None,
    reason: Annotated[str | None, typer.Option(help="unwell or away (default unwell).")] = None,
    as_json: Json = False,
) -> None:
    """Pause kindstep while you're unwell or away, or say what is set.

    Example: kindstep pause --until 2026-12-14 --reason away
    """
    if ctx.invoked_subcommand is not None:
        return
    from kindstep.core import pause as rules
    common.ready()
    from kindstep.store import actions, queries

    person = common.person()
    now = common.now()
    if until is not None or reason is not None:
        actions.start_pause(person, until=until, reason=reason or "unwell", now=now)
    day = queries.today(person, now)
    current = queries.current_pause(person, day)
    if as_json:
        print_json({"pause": _pause_dict(current)})
        return
    say(rules.described(current, day), soft_wrap=True)
    if current is not None and (until is not None or reason is not None):
        say("Reminders stop meanwhile, and Today offers rest and the gentlest choices. "
            "`kindstep pause end` ends it whenever you like.", soft_wrap=True)


@pause_app.command("end")
@kind_errors
def end(as_json: Json = False) -> None:
    """End the pause: today counts again.

    Example: kindstep pause end
    """
    common.ready()
    from kindstep.store import actions

    ended = actions.end_pause(common.person(), now=common.now())
    if as_json:
        print_json({"ended": ended})
        return
    say("Welcome back. The pause has ended; take things at your own pace." if ended
        else "No pause was set, so there was nothing to end.", soft_wrap=True)

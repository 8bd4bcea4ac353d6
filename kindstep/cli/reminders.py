"""`kindstep reminders`: reminders you set, and nothing more.

``kindstep reminders`` says what is set (none, by default); ``reminders set``
chooses days, times, a channel and quiet hours; ``reminders off`` stops them;
``reminders ics`` writes the calendar file; ``reminders test`` sends one now;
``reminders send-due`` sends whatever is due once (what a worker runs every
minute). The rules are ``core.reminders``; sending is ``store.reminders``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import Json, app
from kindstep.cli.common import kind_errors, print_json, say

reminders_app = typer.Typer(
    name="reminders",
    help="Reminders on the days and times you choose, and nothing more.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
app.add_typer(reminders_app, name="reminders")


def _plan_dict(plan, row) -> dict:
    return {
        "days": [d for d in sorted(plan.days)],
        "times": [f"{t:%H:%M}" for t in plan.times],
        "channel": plan.channel if plan.on else None,
        "quiet": None if plan.quiet is None else f"{plan.quiet[0]:%H:%M}-{plan.quiet[1]:%H:%M}",
    }


@reminders_app.callback()
@kind_errors
def reminders(ctx: typer.Context, as_json: Json = False) -> None:
    """What reminders are set (none until you choose some).

    Example: kindstep reminders
    """
    if ctx.invoked_subcommand is not None:
        return
    from kindstep.core.reminders import described
    common.ready()
    from kindstep.store import queries

    plan, row = queries.reminder_plan(common.person())
    if as_json:
        print_json(_plan_dict(plan, row))
        return
    say(described(plan), soft_wrap=True)


@reminders_app.command("set")
@kind_errors
def set_(
    days: Annotated[str, typer.Option(help="Days, like mon,wed,fri (or weekdays, every day).")],
    time: Annotated[str, typer.Option(help="Local time, like 08:30 (or 08:30,18:00).")],
    channel: Annotated[str, typer.Option(help="push, email (server mode) or calendar.")] = "push",
    quiet: Annotated[str | None, typer.Option(help="Quiet hours, like 22:00-07:00.")] = None,
    email: Annotated[str | None, typer.Option(help="Address for email reminders.")] = None,
    as_json: Json = False,
) -> None:
    """Choose the days and times for a gentle reminder.

    Example: kindstep reminders set --days mon,wed,fri --time 08:30 --channel calendar
    """
    from kindstep.core.reminders import described
    common.ready()
    from kindstep.store import actions, queries

    person = common.person()
    row = actions.set_reminders(person, days=days, times=time, channel=channel, quiet=quiet,
                                email=email)
    plan = queries.plan_of(row)
    if as_json:
        print_json(_plan_dict(plan, row))
        return
    say(described(plan), soft_wrap=True)
    if plan.channel == "calendar":
        say("`kindstep reminders ics --out kindstep.ics` writes the file for your calendar.", soft_wrap=True)
    elif plan.channel == "push":
        say("Turn on notifications on the web Settings page, on each phone or browser "
            "that should show them.", soft_wrap=True)


@reminders_app.command("off")
@kind_errors
def off(as_json: Json = False) -> None:
    """Stop every reminder.

    Example: kindstep reminders off
    """
    common.ready()
    from kindstep.store import actions

    was_on = actions.reminders_off(common.person())
    if as_json:
        print_json({"was_on": was_on})
        return
    say("Reminders are off." if was_on else "No reminders were set; nothing changed.", soft_wrap=True)


@reminders_app.command("ics")
@kind_errors
def ics(
    out: Annotated[Path | None, typer.Option(help="Write to this file (default: print it).")] = None,
) -> None:
    """The reminders as a calendar file (iCalendar), in your time zone.

    Example: kindstep reminders ics --out kindstep.ics
    """
    import sys

    common.ready()
    from kindstep.store import queries

    person = common.person()
    data = queries.reminders_calendar(person, common.now())
    if out is None:
        sys.stdout.write(data.decode())
        return
    try:
        out.write_bytes(data)
    except OSError as err:
        common.refuse(f"Could not write {out}: {err.strerror or err}.")
    say(f"Wrote {out}; open it with your calendar app.", soft_wrap=True)


@reminders_app.command("test")
@kind_errors
def test(as_json: Json = False) -> None:
    """Send a test reminder now, on your channel.

    Example: kindstep reminders test
    """
    common.ready()
    from kindstep.store import reminders as sending

    channel, took = sending.send_test(common.person())
    if as_json:
        print_json({"channel": channel, "delivered": took})
        return
    from kindstep.core.reminders import after_test

    say(after_test(channel, took), soft_wrap=True)


@reminders_app.command("send-due")
@kind_errors
def send_due(as_json: Json = False) -> None:
    """Send the reminders due now, each at most once (what a worker runs every minute).

    Example: kindstep reminders send-due
    """
    common.ready()
    from kindstep.store.reminders import send_due_reminders

    sent = send_due_reminders(common.now())
    if as_json:
        print_json({"sent": len(sent)})
        return
    say(f"{len(sent)} reminder{'' if len(sent) == 1 else 's'} sent.", soft_wrap=True)

"""Plans and what matters: ``kindstep plan`` (plan ahead, list, move, drop) and ``kindstep values``.

A plan is a guess, not a promise: it shows first on its day's Today, and one
not done fades without a word. When planning at a terminal kindstep may ask how
good the person expects it to feel (Enter skips); logging the session with
``--after`` completes the pair that ``kindstep insights`` compares. The rules are
core's (``core.plans``, ``core.matters``); this module only parses and shows.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import Json, app
from kindstep.cli.common import kind_errors, plain, print_json, say

EXPECT_QUESTION = "How good do you expect this to feel, 0-10? (Enter skips it)"


def _when(planned, day) -> str:
    p = planned.plan
    text = f"{day:%A %d %B}"
    if p.at is not None:
        text += f" at {p.at:%H:%M}"
    if p.every:
        from kindstep.core.plans import WEEKDAY_CODES

        text += f", every {', '.join(WEEKDAY_CODES[d] for d in sorted(p.every))}"
    return text


def _plan_json(planned, day) -> dict:
    return {**planned.as_dict(), "next": day}


def _ask_expect() -> str | None:
    """At a terminal: the optional 0-10 expectation; None when skipped."""
    from rich.prompt import Prompt

    from kindstep.core import checks

    while True:
        answer = Prompt.ask(EXPECT_QUESTION, default="", show_default=False,
                            console=common.console()).strip()
        if not answer:
            return None
        try:
            checks.scale("expect", answer)
            return answer
        except checks.InvalidInput as err:
            say(f"[dim]{plain(err.for_cli)}[/dim]", soft_wrap=True)


@app.command()
@kind_errors
def plan(
    activity: Annotated[str | None, typer.Argument(
        help="An activity code (e.g. walk), or `drop` or `move` followed by a plan's ID.")] = None,
    duration: Annotated[str | None, typer.Argument(help="How long: 10, 10m or 1h15m.")] = None,
    date: Annotated[str | None, typer.Option(
        "--date", help="The day: YYYY-MM-DD, today or tomorrow (default: today).")] = None,
    time: Annotated[str | None, typer.Option("--time", help="A time of day, HH:MM, if you like.")] = None,
    expect: Annotated[str | None, typer.Option(
        "--expect", help="How good you expect it to feel, 0-10 (optional).")] = None,
    every: Annotated[str | None, typer.Option(
        "--every", help="Repeat on these weekdays, e.g. mon,thu.")] = None,
    listing: Annotated[bool, typer.Option("--list", help="Show your plans.")] = False,
    as_json: Json = False,
) -> None:
    """Plan a small activity ahead: a guess, not a promise. It shows first on that day's Today.

    Example: kindstep plan walk 10m --date tomorrow --time 10:00 --expect 4
    """
    common.ready()
    from kindstep.store import actions, mapping, queries

    person = common.person()
    now = common.now()
    today = queries.today(person, now)
    if listing or activity is None:
        if activity is not None:
            common.refuse("`kindstep plan --list` takes nothing else; "
                          "`kindstep plan walk 10m` plans a walk.")
        _show_list(queries.plan_list(person, today), as_json)
        return
    if activity.strip().lower() in ("drop", "move"):
        verb = activity.strip().lower()
        if not duration:
            common.refuse(f"Please name the plan to {verb}, e.g. `kindstep plan {verb} p3` "
                          "(`kindstep plan --list` shows the IDs).")
        if verb == "drop":
            row = actions.drop_plan(person, duration, now=now)
            if as_json:
                print_json({"id": mapping.plan_id(row.pk), "dropped": True})
            else:
                say(f"Plan {mapping.plan_id(row.pk)} is dropped. Plans are guesses; "
                    "changing one is part of planning.")
            return
        if date is None and time is None:
            common.refuse("Please give the new day with --date (and --time if you like).")
        row = actions.move_plan(person, duration, date=date if date is not None else "today",
                                time=time, now=now)
        _said(person, row, today, as_json, "moved to")
        return
    if duration is None:
        common.refuse("Please give how long, e.g. `kindstep plan walk 10m`.")
    if expect is None and not as_json and common.interactive():
        from kindstep.core.catalogue import load_catalogue

        if activity.strip().lower() in load_catalogue():  # an unknown code is refused first
            expect = _ask_expect()
    row = actions.plan_activity(person, activity=activity, duration=duration, date=date,
                                time=time, expect=expect, every=every, now=now)
    _said(person, row, today, as_json, "planned for")


def _said(person, row, today, as_json: bool, words: str) -> None:
    """What `plan` says after planning or moving: the plan, and the next day it shows."""
    from kindstep.core.plans import next_shown
    from kindstep.store import mapping, queries

    p = mapping.plan(row)
    day = next_shown(p, today, timezone=person.timezone, day_start_hour=person.day_start_hour)
    planned = next(x for x, _ in queries.plan_list(person, today) if x.plan.id == p.id) \
        if day is not None else queries.Planned(p, mapping.plan_id(p.id), p.activity, False)
    if as_json:
        print_json(_plan_json(planned, day))
        return
    when = _when(planned, day) if day is not None else f"{p.day:%A %d %B}"
    say(f"{planned.name}, {p.minutes} min, {words} {when} ({planned.id}). A plan is a guess, "
        "not a promise; it shows first on that day's `kindstep today`.", soft_wrap=True)


def _show_list(listed, as_json: bool) -> None:
    if as_json:
        print_json({"plans": [_plan_json(planned, day) for planned, day in listed]})
        return
    if not listed:
        say("No plans ahead. `kindstep plan walk 10m --date tomorrow` makes one, whenever "
            "you like.", soft_wrap=True)
        return
    say("[bold]Your plans[/bold]")
    for planned, day in listed:
        expect = f", expected {planned.plan.expect}/10" if planned.plan.expect is not None else ""
        say(f"{planned.id}  {planned.name}, {planned.plan.minutes} min, "
            f"{_when(planned, day)}{expect}", soft_wrap=True)
    say("[dim]`kindstep plan move ID --date ...` moves one; `kindstep plan drop ID` "
        "drops one.[/dim]", soft_wrap=True)


# -- what matters to you --------------------------------------------------------------------


@app.command("values")
@kind_errors
def values_cmd(
    pick: Annotated[str | None, typer.Option(
        "--pick", help="Values from the list, comma-separated: outdoors, others, body, "
        "making, calm.")] = None,
    own: Annotated[str | None, typer.Option(
        "--own", help="Values in your own words, comma-separated.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Forget the values you picked.")] = False,
    as_json: Json = False,
) -> None:
    """What matters to you, if you like: a few values that Today's reasons may name.

    Entirely optional: nothing is hidden from anyone who skips it.

    Example: kindstep values --pick outdoors,calm --own "time with my dog"
    """
    common.ready()
    from kindstep.core.checks import InvalidInput
    from kindstep.core.matters import VALUES, label
    from kindstep.store import actions

    person = common.person()
    if clear:
        person = actions.set_matters(person)
    elif pick is not None or own is not None:
        person = actions.set_matters(person, pick or "", own or "")
    elif not as_json and common.interactive():
        say("What matters to you? Pick a few, or none; this only changes the words Today uses, "
            "never what it offers.", soft_wrap=True)
        for number, (code, words) in enumerate(VALUES.items(), 1):
            say(f"  {number}  {words} [dim]({code})[/dim]")
        from rich.prompt import Prompt

        while True:
            answer = Prompt.ask("Numbers or codes, comma-separated (Enter skips)", default="",
                                show_default=False, console=common.console()).strip()
            codes = [list(VALUES)[int(a) - 1] if a.isdigit() and 0 < int(a) <= len(VALUES)
                     else a for a in answer.replace(" ", ",").split(",") if a]
            words = Prompt.ask("Anything in your own words? (Enter skips)", default="",
                               show_default=False, console=common.console()).strip()
            try:
                person = actions.set_matters(person, codes, words) if (codes or words) else person
                break
            except InvalidInput as err:  # ask again, as the check-in's questions do
                say(f"[dim]{plain(err.for_cli)}[/dim]", soft_wrap=True)
    if as_json:
        print_json({"values": [{"code": v if v in VALUES else None, "words": label(v)}
                               for v in person.matters]})
        return
    if person.matters:
        say("What matters to you: " + plain(", ".join(label(v) for v in person.matters)) + ".",
            soft_wrap=True)
        say("[dim]Today's reasons may name these; the choices stay the same either way.[/dim]",
            soft_wrap=True)
    else:
        say("No values picked, and that's fine. `kindstep values --pick outdoors,calm` picks "
            "some whenever you like.", soft_wrap=True)

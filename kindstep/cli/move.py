"""``kindstep move``: a gentle guided timer in the terminal, then the session is logged.

The timer runs in real time. ``KINDSTEP_GUIDE_SPEED`` (hidden, for tests and
demos) makes it run that many times faster: ``600`` turns a minute into a tenth
of a second. Anything that is not a positive number is ignored.
"""

from __future__ import annotations

import os
import time
from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import app
from kindstep.cli.common import kind_errors, say
from kindstep.cli.help_first import ask_worrying

SPEED_ENV = "KINDSTEP_GUIDE_SPEED"
"""Hidden: how many times faster than real time ``kindstep move`` runs (tests use 600)."""


_clock = time.monotonic
"""The timer's clock; monotonic, so changing the computer's time never upsets a session."""


_sleep = time.sleep


def _speed() -> float:
    try:
        speed = float(os.environ.get(SPEED_ENV, "1") or "1")
    except ValueError:
        return 1.0
    return speed if speed > 0 else 1.0


def _clock_text(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def run_timer(schedule, total_seconds: int, *, speed: float, show_cue, show_time=None) -> float:
    """Show each cue at its offset until ``total_seconds`` pass; returns the seconds done.

    Stops early on Ctrl-C and returns the seconds done so far.
    """
    start = _clock()
    pending = list(schedule)
    elapsed = 0.0
    try:
        while True:
            elapsed = (_clock() - start) * speed
            while pending and pending[0][0] <= elapsed:
                show_cue(pending.pop(0)[1])
            if elapsed >= total_seconds:
                return float(total_seconds)
            if show_time is not None:
                show_time(elapsed)
            next_at = min(total_seconds, pending[0][0] if pending else total_seconds,
                          int(elapsed) + 1)
            _sleep(max(0.001, min(0.25, (next_at - elapsed) / speed)))
    except KeyboardInterrupt:
        return min(float(total_seconds), (_clock() - start) * speed)


@app.command()
@kind_errors
def move(
    activity: Annotated[
        str, typer.Argument(help="An activity code, e.g. walk (see `kindstep activities`).")
    ],
    minutes: Annotated[
        str | None,
        typer.Argument(help="How long, 1-240 minutes (default: the activity's usual)."),
    ] = None,
    guide: Annotated[
        bool, typer.Option("--guide", help="Gentle cues that suit the activity.")
    ] = False,
    guide_name: Annotated[
        str | None,
        typer.Option("--guide-name", help="A guide by name, e.g. feet or body_scan."),
    ] = None,
    expect: Annotated[
        str | None,
        typer.Option("--expect", help="How good you expect it to feel, 0-10 (at a terminal "
                     "kindstep asks, and Enter skips)."),
    ] = None,
    no_expect: Annotated[
        bool, typer.Option("--no-expect", help="Don't ask how good you expect it to feel.")
    ] = False,
) -> None:
    """A gentle timer for movement, with mindful cues if you like; it logs the session at the end.

    At a terminal it first asks, if you like, how good you expect it to feel (Enter skips),
    and afterwards how you feel: Insights compares the two over time.
    Ctrl-C stops early and offers to log what you did.

    Example: kindstep move walk 10 --guide
    """
    from kindstep.core import checks, guides
    from kindstep.core.catalogue import load_catalogue
    from kindstep.core.checks import InvalidInput

    catalogue = load_catalogue()
    code = activity.strip().lower()
    act = catalogue.get(code)
    if act is None:
        close = catalogue.closest(code)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise InvalidInput("activity", f"kindstep does not know the activity {code!r}.{hint}"
                                       " `kindstep activities` lists them all.")
    length = act.default_minutes if minutes is None else checks.duration(minutes, "minutes")
    if not 1 <= length <= guides.MAX_MINUTES:
        raise InvalidInput("minutes", f"A timed session is from 1 to {guides.MAX_MINUTES} minutes; "
                                      f"got {minutes!r}. `kindstep log` records longer ones.")
    chosen = None
    if guide_name is not None or guide:
        try:
            chosen = guides.guide(guide_name or guides.default_guide_for(code))
        except guides.UnknownGuide as err:
            common.refuse(str(err))
    if expect is not None and no_expect:
        common.refuse("--expect gives how good you expect it to feel and --no-expect skips the "
                      "question; please choose one.")
    person = common.person()
    expected = _expectation(person, code, expect, ask=not no_expect and common.interactive(),
                            now=common.now())
    if chosen is not None:
        schedule = guides.cue_schedule(chosen, length)
        say(f"[bold]{common.escape(act.name)}, {length} min[/bold] · guide: {common.escape(chosen.title)}")
    else:
        schedule = [(0, f"{act.name}, {length} minutes. Go at your own pace; "
                        "stopping is always all right.")]
    say("[dim]Ctrl-C stops at any time.[/dim]")
    total = length * 60
    done = _timed(schedule, total)
    finished = done >= total
    from kindstep.store import actions, mapping

    now = common.now()
    if finished:
        after = _mood_after() if expected else None
        row = actions.log_session(person, activity=code, duration=length, after=after, now=now)
        say(f"Time's up. Logged {common.escape(act.name)}, {row.minutes} min "
            f"({mapping.entry_id('session', row.pk)}). Every bit of movement counts.")
    else:
        row = _after_stop(person, code, act.name, int(done // 60), now, expected=expected)
    if row is not None and common.interactive():
        ask_worrying(person, row, now)


def _expectation(person, code: str, given: str | None, *, ask: bool, now) -> bool:
    """Note how good the person expects this to feel, 0-10, through the same action as the
    web's "Before you start" (``actions.expect_feeling``): given with --expect, else asked at
    a terminal (Enter skips). Whether one was noted. A bad --expect is refused, nothing noted."""
    from kindstep.store import actions

    if given is None:
        if not ask:
            return False
        given = _ask_optional_scale("Before you start, if you like: how good do you expect this "
                                    "to feel, 0-10? (Enter skips)")
        if given is None:
            return False
    actions.expect_feeling(person, activity=code, expected=given, now=now)
    say("[dim]Noted. How you feel afterwards completes the picture, on `kindstep insights`."
        "[/dim]", soft_wrap=True)
    return True


def _mood_after() -> str | None:
    """At a terminal, after an expectation: how the person feels now (Enter skips)."""
    if not common.interactive():
        return None
    return _ask_optional_scale("And how do you feel now, 0 (very low) to 10 (very good)? "
                               "(Enter skips)")


def _ask_optional_scale(prompt: str) -> str | None:
    """A number from 0 to 10, asked again until it is one; None for Enter."""
    from rich.prompt import Prompt

    from kindstep.core import checks

    while True:
        answer = Prompt.ask(prompt, console=common.console(), default="", show_default=False)
        if not str(answer).strip():
            return None
        try:
            checks.scale("answer", answer)
            return answer
        except checks.InvalidInput as err:
            say(f"[dim]{common.plain(err.for_cli)}[/dim]", soft_wrap=True)


def _timed(schedule, total: int) -> float:
    speed = _speed()

    def cue(text: str) -> None:
        say(common.escape(text), soft_wrap=True)

    if not common.interactive():
        return run_timer(schedule, total, speed=speed, show_cue=cue)
    from rich.live import Live
    from rich.text import Text

    with Live(Text(""), console=common.console(), transient=True, refresh_per_second=4) as live:
        def cue_live(text: str) -> None:
            live.console.print(common.escape(text), soft_wrap=True)

        def tick(elapsed: float) -> None:
            live.update(Text(f"  {_clock_text(elapsed)} of {_clock_text(total)}", style="dim"))

        return run_timer(schedule, total, speed=speed, show_cue=cue_live, show_time=tick)


def _after_stop(person, code: str, name: str, minutes_done: int, now, *, expected: bool = False):
    """After Ctrl-C: at a terminal, offer to log the minutes done; otherwise log nothing, say so."""
    from kindstep.store import actions, mapping

    if minutes_done < 1:
        say("Stopped before a minute had passed, so there is nothing to log. "
            "Stopping is always all right.")
        return None
    if not common.interactive():
        say(f"Stopped after about {minutes_done} min. Nothing was logged, since there was no "
            f"terminal to ask; `kindstep log {code} {minutes_done}` adds it if you like.")
        return None
    from rich.prompt import Confirm

    if not Confirm.ask(f"Stopped after about {minutes_done} min. Log them?", default=True,
                       console=common.console()):
        say("Nothing was logged. Stopping is always all right.")
        return None
    after = _mood_after() if expected else None
    row = actions.log_session(person, activity=code, duration=minutes_done, after=after, now=now)
    say(f"Logged {common.escape(name)}, {row.minutes} min ({mapping.entry_id('session', row.pk)}). "
        "Every bit of movement counts.")
    return row

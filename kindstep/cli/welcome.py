"""A calm first run on the command line: three short steps, each skippable, shown once.

On the first ``kindstep today`` at a terminal: what kindstep is and is not (with
where help is), the country for crisis lines (``help_first.ask_country_once``, the
one country question, skipped when it was asked already), and the weekly target
(3 by default; rest counts as care). Done or skipped, it is remembered
(``actions.welcome_step``) and never shown again. Scripts and ``--json`` never
see it: the caller runs it only at a terminal.
"""

from __future__ import annotations

from kindstep.cli import common
from kindstep.cli.common import plain, say

ABOUT = (
    "Welcome to kindstep. It offers a few small, gentle ways to move each day, with rest "
    "always among them as an equal, and keeps a kind record of what you did and how you "
    "felt. It is not a medical device or a crisis service, and it never replaces care: "
    "`kindstep help-now` shows who you can reach right now, at any time."
)
TARGET = (
    "kindstep looks at active days a week against a number you choose; 3 is where it "
    "starts. Rest days count as care, and a quieter week is simply a quieter week."
)


def _ask(question: str) -> str:
    from rich.prompt import Prompt

    return Prompt.ask(question, default="", show_default=False, console=common.console()).strip()


def first_run(person) -> None:
    """The three steps, from wherever the person left off; "s" at any step skips the rest."""
    from kindstep.store import actions

    if person.welcome == "done":
        return
    if person.welcome != "about":
        say("[bold]Step 1 of 3: what kindstep is[/bold]")
        say(ABOUT, soft_wrap=True)
        if _ask("Press Enter to go on, or type s to skip the welcome").lower() in ("s", "skip"):
            return _finish(person, skipped=True)
        actions.welcome_step(person, "about")
        say()
    say("[bold]Step 2 of 3: your country, for the right crisis lines[/bold]")
    if person.country or person.country_asked:
        say("[dim]Already done; `kindstep settings --country` changes it.[/dim]")
        say()
    else:
        from kindstep.cli import help_first

        help_first.ask_country_once(person)  # the one country question, Enter skips it
    say("[bold]Step 3 of 3: a weekly target[/bold]")
    say(TARGET, soft_wrap=True)
    while True:
        answer = _ask(f"Active days a week to aim for, 1-7 (Enter keeps {person.target_days}, "
                      "s skips)")
        if answer.lower() in ("", "s", "skip"):
            break
        try:
            actions.update_settings(person, target_days=answer)
            break
        except actions.InvalidInput as err:
            say(f"[dim]{plain(err.for_cli)}[/dim]", soft_wrap=True)
    _finish(person)


def _finish(person, skipped: bool = False) -> None:
    from kindstep.store import actions

    actions.welcome_step(person, "done")
    if skipped:
        say("That's fine; kindstep won't show the welcome again. `kindstep help-now` is there "
            "at any time.", soft_wrap=True)
    else:
        say(f"Thank you. Aiming for {person.target_days} active days a week; "
            "`kindstep settings` changes anything, whenever you like.", soft_wrap=True)
    say()

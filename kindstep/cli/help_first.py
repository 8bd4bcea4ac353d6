"""Help first, on the command line: crisis lines, care notes, worrying symptoms, Help now.

The safety path comes first everywhere: when a PHQ-9 has item 9 above 0 the
calm message and the crisis resources for the person's country are printed
before any score (and ``safety`` is the first key of ``--json``). It is shown
before the rest of the answers are checked, so a refused answer, a refused
difficulty or a data folder that cannot be used never hides it; the exit code
stays that of the refusal. A total in the moderately severe or severe range
adds a gentle ``care`` message, and a check-in at an extreme one quiet line,
both pointing to ``kindstep help-now``. The rules themselves are core's
(``core.scales.safety_answer``, ``core.scales.care_needed``,
``core.safety.checkin_care``); this module only shows what they decide.

The country is asked once, at a terminal, so that the lines shown are the
person's own; ``kindstep help-now`` shows them at any time.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import Json, app
from kindstep.cli.common import plain, print_json, say


def show_safety(message) -> None:
    """Print a core ``SafetyMessage`` calmly: the title in bold, then every line, never cut."""
    text = message.as_text()
    title, _, rest = text.partition("\n")
    say(f"[bold]{common.escape(title)}[/bold]", soft_wrap=True)
    say(common.escape(rest), soft_wrap=True)
    say()


def safety_dict(message) -> dict:
    """A core ``SafetyMessage`` as JSON (``SafetyMessage.as_dict``, which the API shares)."""
    return message.as_dict()


def crisis_message(country: str | None):
    """The calm safety message with the crisis resources for ``country``."""
    from kindstep.core import safety

    return safety.safety_message(safety.crisis_resources(country))


def country_if_readable() -> str:
    """The person's country, or "" when the data cannot be read: help must show all the same."""
    try:
        return common.person().country
    except Exception:  # noqa: BLE001 - the message must show even when the data cannot be read
        return ""


_CARE_WHERE = "`kindstep help-now` shows who you can reach right now, at any time."


def show_care(message) -> None:
    """Print a core ``CareMessage``: a quiet line, or a short titled note; then where help is."""
    if message.quiet:
        say(f"[dim]{common.escape(message.body)} {common.escape(_CARE_WHERE)}[/dim]", soft_wrap=True)
        return
    say(f"[bold]{common.escape(message.title)}[/bold]", soft_wrap=True)
    say(f"{common.escape(message.body)} {common.escape(_CARE_WHERE)}", soft_wrap=True)


def care_dict(message) -> dict:
    """A core ``CareMessage`` as JSON: the words, and where help is."""
    from kindstep.core.safety import HELP_NOW_COMMAND

    return {
        "title": message.title,
        "message": message.body,
        "where_help_is": HELP_NOW_COMMAND,
        "text": f"{message.body} {_CARE_WHERE}",
    }


def follow_up_safety(person, now) -> bool:
    """Ask kindly how things are after earlier safety events; returns True if one was open.

    Each kind is asked about (a thought of self-harm first, then a worrying
    symptom while moving). Only at a terminal, where a person reads it, are
    the events then marked as asked about, so the question comes once; a
    check-in from a script leaves them for the next time someone is there.
    """
    from kindstep.store import actions, queries

    events = queries.open_safety_events(person)
    if not events:
        return False
    for event in events:
        _follow_up(event)
    if common.interactive():
        from rich.prompt import Confirm

        if Confirm.ask("Would you like to see who you can reach right now?", default=False,
                       console=common.console()):
            show_safety(crisis_message(person.country))
        actions.acknowledge_safety_events(person, now=now)
    return True


def _follow_up(event) -> None:
    from kindstep.core.safety import WORRYING_SYMPTOMS
    from kindstep.store.models import SafetyEvent

    if event.kind == SafetyEvent.Kind.PHQ9_ITEM9:
        say("Last time you answered the PHQ-9, you mentioned thoughts of being better off dead "
            "or of hurting yourself. How are things for you now?", soft_wrap=True)
        say("If those thoughts are still with you, you don't have to carry them alone: "
            "`kindstep help-now` shows who you can reach, at any time.", soft_wrap=True)
    else:
        codes = (event.detail or {}).get("symptoms", [])
        labels = "; ".join(WORRYING_SYMPTOMS[c].lower() for c in codes if c in WORRYING_SYMPTOMS)
        say(f"Last time you moved, you mentioned {labels or 'something worrying'}. "
            "How are you feeling now? If it comes back, please stop and seek medical care, "
            "and it would be wise to check with a doctor before moving more.", soft_wrap=True)
        say("`kindstep help-now` shows the emergency number and support lines at any time.",
            soft_wrap=True)


def symptoms_message(person, codes: list[str]):
    """The stop-and-seek-care message for worrying symptoms, with the person's emergency number."""
    from kindstep.core import safety

    return safety.stop_and_seek_care(safety.crisis_resources(person.country), codes)


def ask_worrying(person, session, now) -> None:
    """On a terminal: "Anything worrying while you moved?"; Enter skips.

    Any symptom shows the stop-and-seek-care message and records a safety event.
    """
    from rich.prompt import Prompt

    from kindstep.core.checks import InvalidInput
    from kindstep.core.safety import WORRYING_SYMPTOMS
    from kindstep.store import actions

    codes = list(WORRYING_SYMPTOMS)
    numbers = {str(n): i for i, n in enumerate(range(1, len(codes) + 1))}
    say("Anything worrying while you moved? Type the numbers that apply, or press Enter to skip.")
    for number, code in enumerate(codes, 1):
        say(f"  {number}  {WORRYING_SYMPTOMS[code]}")
    while True:
        answer = Prompt.ask("Anything worrying?", default="", show_default=False,
                            console=common.console()).strip()
        if not answer:
            return
        picked: list[str] = []
        for piece in answer.replace(",", " ").split():
            if piece in numbers:  # ASCII digits only: "²".isdigit() is true, int("²") fails
                picked.append(codes[numbers[piece]])
            else:
                picked.append(piece)
        try:
            chosen = actions.clean_symptoms(picked)
        except InvalidInput:
            say(f"[dim]Please type numbers from 1 to {len(codes)}, or press Enter to skip.[/dim]")
            continue
        show_safety(symptoms_message(person, chosen))
        actions.record_movement_symptoms(person, chosen, now=now, session=session)
        say(symptoms_hold(chosen), soft_wrap=True)
        return


def symptoms_hold(codes) -> str:
    """What a worrying symptom does to the choices from now on, in one plain sentence."""
    from kindstep.core.suggest import SEE_DOCTOR_SYMPTOMS

    if SEE_DOCTOR_SYMPTOMS & set(codes):
        return ("Until you tell kindstep a doctor has seen you (`kindstep readiness "
                "--clearance`), its choices stay at the very gentlest.")
    return "Until your next check-in, kindstep's choices stay at the very gentlest."


@app.command("help-now")
def help_now(
    country: Annotated[
        str | None, typer.Option("--country", help="A country's name or two-letter code, "
                                 "e.g. Ireland or GB.")
    ] = None,
    as_json: Json = False,
) -> None:
    """Where to find support right now: crisis lines and the emergency number.

    kindstep is not a crisis service. This works even without your settings.

    Example: kindstep help-now --country GB
    """
    if country is None:
        try:
            common.unlock(ask=False)  # a locked file: help never waits for a passphrase
            country = common.person().country
        except Exception:  # noqa: BLE001 - help must show even when the database cannot be read
            country = ""
    message = crisis_message(country)
    if as_json:
        print_json(safety_dict(message))
        return
    show_safety(message)
    if not message.resources.lines:
        say(f"[dim]{common.escape(country_hint())}[/dim]", soft_wrap=True)


def country_hint() -> str:
    """Which countries kindstep lists lines for, by name, and how to choose one: promising
    nothing for a country it does not list."""
    from kindstep.core.safety import listed_countries

    names = [name for _, name in listed_countries()]
    return (f"kindstep lists lines for {', '.join(names[:-1])} and {names[-1]}. If you live in "
            "one of them, `kindstep settings --country` with its name shows its lines here.")


# -- first run: the country, for the right crisis lines --------------------------------


def suggested_country() -> str:
    """A country to offer, from the computer's time zone, else its locale ("" if neither)."""
    import os

    from kindstep.core.safety import suggest_country
    from kindstep.store.actions import system_timezone

    locale = " ".join(os.environ.get(name, "") for name in ("LC_ALL", "LC_MESSAGES", "LANG"))
    return suggest_country(system_timezone(), locale)


def ask_country_once(person) -> None:
    """At a terminal, the first time: which country, for the right crisis lines and emergency
    number. The computer's suggestion is only offered; Enter skips, and either way kindstep
    remembers it asked (``settings --country`` changes it at any time)."""
    if person.country or person.country_asked or not common.interactive():
        return
    from rich.prompt import Prompt

    from kindstep.core import safety
    from kindstep.store import actions

    suggestion = suggested_country()
    name = safety.country_name(suggestion)
    say("Which country are you in? kindstep uses it only to show the right crisis lines and "
        "emergency number, should you ever need them.", soft_wrap=True)
    if name:
        say(f"Your computer's settings suggest {plain(name)}.", soft_wrap=True)
        question = f"Type y for {plain(name)}, another country's name, or press Enter to skip"
    else:
        question = "Type your country's name or two-letter code, or press Enter to skip"
    while True:
        answer = Prompt.ask(question, default="", show_default=False,
                            console=common.console()).strip()
        if answer.lower() in {"", "n", "no"}:
            actions.update_settings(person, country_asked=True)
            say("That's fine; kindstep won't ask again. `kindstep settings --country` sets it "
                "whenever you like.", soft_wrap=True)
            break
        taken = name and answer.lower() in {"y", "yes"}
        code = suggestion if taken else safety.country_code(answer)
        if code:
            actions.update_settings(person, country=code)
            say(_country_said(code), soft_wrap=True)
            break
        say("[dim]kindstep doesn't know that country; its name (such as Ireland) or two "
            "letters (such as IE) work, or press Enter to skip.[/dim]", soft_wrap=True)
    say()


def _country_said(code: str) -> str:
    """What kindstep says once a country is chosen: honest about what it lists for it."""
    from kindstep.core import safety

    name = plain(safety.country_name(code))
    if safety.crisis_resources(code).lines:
        return f"Thank you. `kindstep help-now` shows the lines for {name} at any time."
    return (f"Thank you. kindstep does not list lines for {name} yet: `kindstep help-now` "
            "shows Find A Helpline, a directory of free lines in many countries, and says to "
            "call your local emergency number.")

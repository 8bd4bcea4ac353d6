"""The ``kindstep`` command's everyday loop (``checkin``, ``today``, ``log``, ``rest``,
``settings``) and the registry of the modules that define every other command.

Each other module holds one kind of command: ``record`` (week, history, edit, delete,
undo), ``questionnaires`` (PHQ-9, GAD-7, scores, readiness), ``help_first`` (crisis lines,
care notes, Help now), ``move``, ``evidence`` (``why``), ``insights`` (insights and
experiments), ``importing``, ``export_erase`` and ``serve``. All register on
``cli/app.py``'s ``app``; only the module of the command being run is imported.

Django, Rich and the core modules are imported inside the commands that need
them, so ``kindstep --help`` and quick commands start fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import DateOpt, Json, NoteOpt, app  # noqa: F401 - used by the commands below and by tests
from kindstep.cli.common import kind_errors, plain, print_json, say


@app.callback()
def main(ctx: typer.Context) -> None:
    """A gentle movement companion. What feels possible today?

    Start with `kindstep today`.
    """
    if ctx.invoked_subcommand is None:
        say(ctx.get_help())


# -- check-in -----------------------------------------------------------------


def _ask_scale(prompt: str, low: int = 0, high: int = 10, optional: bool = False) -> str | None:
    from rich.prompt import Prompt

    from kindstep.core import checks

    while True:
        answer = Prompt.ask(prompt, console=common.console(), default="" if optional else None,
                            show_default=False)
        if optional and not str(answer).strip():
            return None
        try:
            checks.scale("answer", answer, low=low, high=high)
            return answer
        except checks.InvalidInput as err:
            say(f"[dim]{err.for_cli}[/dim]")


def _prompt_checkin(energy, mood, anxiety, minutes):
    say("A quick check-in. There are no right answers; a number from 0 to 10 for each.")
    if energy is None:
        energy = _ask_scale("Energy right now, 0 (empty) to 10 (full)")
    if mood is None:
        mood = _ask_scale("Mood, 0 (very low) to 10 (very good)")
    if anxiety is None:
        anxiety = _ask_scale("Anxiety, 0 (calm) to 10 (very anxious)")
    if minutes is None:
        minutes = _ask_scale("Minutes you could spare today (optional)", high=1440, optional=True)
    return energy, mood, anxiety, minutes


@app.command()
@kind_errors
def checkin(
    energy: Annotated[str | None, typer.Option(help="Energy 0-10.")] = None,
    mood: Annotated[str | None, typer.Option(help="Mood 0-10.")] = None,
    anxiety: Annotated[str | None, typer.Option(help="Anxiety 0-10.")] = None,
    minutes: Annotated[str | None, typer.Option(help="Minutes free today.")] = None,
    sleep: Annotated[str | None, typer.Option(help="Hours slept.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="How your body feels.")] = None,
    date: DateOpt = None,
    as_json: Json = False,
) -> None:
    """Note how you feel: energy, mood and anxiety from 0 to 10.

    Example: kindstep checkin --energy 3 --mood 4 --anxiety 6 --minutes 15
    """
    if None in (energy, mood, anxiety):
        if not common.interactive():
            missing = [n for n, v in (("--energy", energy), ("--mood", mood), ("--anxiety", anxiety)) if v is None]
            common.refuse(
                f"Please give {', '.join(missing)} (each 0 to 10) when not at a terminal."
            )
        energy, mood, anxiety, minutes = _prompt_checkin(energy, mood, anxiety, minutes)
    common.ready()
    from kindstep.cli import help_first
    from kindstep.store import actions, mapping, queries

    person = common.person()
    if not as_json:
        help_first.ask_country_once(person)
    now = common.now()
    row = actions.record_checkin(
        person, energy=energy, mood=mood, anxiety=anxiety, minutes=minutes, sleep=sleep,
        note=note, day=date, now=now,
    )
    care = queries.checkin_care(person)  # a check-in at an extreme: one quiet line to Help now
    if as_json:
        print_json({**({"care": help_first.care_dict(care)} if care else {}),
                    **common.checkin_json(mapping.checkin(row))})
        return
    say(f"Thank you for checking in ({mapping.entry_id('checkin', row.pk)}). "
        "`kindstep today` shows what might fit today.")
    if care:
        help_first.show_care(care)
    help_first.follow_up_safety(person, now)  # an earlier sign of risk: ask kindly how things are


# -- today ----------------------------------------------------------------------


@app.command()
@kind_errors
def today(
    as_json: Json = False,
    seed: Annotated[int, typer.Option(hidden=True, help="Fix the variety rotation.")] = 0,
) -> None:
    """What feels possible today: three small choices, and rest as an equal.

    Example: kindstep today
    """
    common.ready()
    from kindstep.cli import help_first, questionnaires
    from kindstep.store import actions, queries

    person = common.person()
    now = common.now()
    day = queries.today(person, now)
    at_terminal = not as_json and common.interactive()
    if at_terminal:
        help_first.follow_up_safety(person, now)  # an earlier sign of risk: ask kindly first
        if person.welcome != "done":  # first run: three calm, skippable steps (once)
            from kindstep.cli import welcome

            welcome.first_run(person)
        help_first.ask_country_once(person)  # first run: the country, for the right lines (asked once)
        if not person.readiness:  # first run: offer the readiness check once (skip is remembered)
            questionnaires.offer_readiness(person, now)
        paused = queries.current_pause(person, day)
        paused = paused is not None and paused.covers(day)  # a pause asks nothing, not even this
        if not paused and queries.latest_checkin(person, day) is None:
            from rich.prompt import Confirm

            if Confirm.ask("Would you like a quick check-in first? It helps size today's choices",
                           default=True, console=common.console()):
                e, m, a, mins = _prompt_checkin(None, None, None, None)
                if None not in (e, m, a):
                    actions.record_checkin(person, energy=e, mood=m, anxiety=a, minutes=mins,
                                           now=now)
    shown = queries.today_offer(person, now, seed=seed)  # the same reading the web's Today uses
    if as_json:
        print_json(_offer_dict(shown))
        return
    _show_offer(shown.day, shown.latest, shown.offer, shown.planned, paused=shown.pause is not None)
    if shown.checkin_care:  # check-ins at an extreme: the same quiet line as `checkin` and the web
        help_first.show_care(shown.checkin_care)
    if shown.experiment is not None:
        from rich.markup import escape

        say(escape(shown.experiment["line"]), soft_wrap=True)
    if at_terminal and shown.due:
        asked_before = bool(queries.questionnaire_rows(person))
        say(f"[dim]{questionnaires.questionnaire_offer(shown.due, asked_before=asked_before)}[/dim]",
            soft_wrap=True)
    if shown.kept_light == "supervised":
        say("[dim]If your doctor's advice changes, `kindstep readiness` takes new answers.[/dim]",
            soft_wrap=True)
    if shown.kept_light not in ("", "supervised") or shown.symptoms:
        say("[dim]When a doctor has seen you and says more is fine: "
            "`kindstep readiness --clearance`.[/dim]", soft_wrap=True)
    if common.interactive():
        _pick_and_log(person, shown.offer, now)


def _offer_dict(shown) -> dict:
    """`kindstep today --json`: everything Today shows (``queries.TodayOffer.as_dict``)."""
    return shown.as_dict(common.checkin_json)


def _show_planned(planned) -> None:
    """Today's plans, first and plainly: a guess, not a promise (done ones say so)."""
    from rich.markup import escape

    say("[bold]Planned for today[/bold]")
    for p in planned:
        at = f" at {p.plan.at:%H:%M}" if p.plan.at else ""
        done = " [dim](done)[/dim]" if p.done else ""
        say(f"  {escape(p.name)}, {p.plan.minutes} min{at} ({p.id}){done}", soft_wrap=True)
    say("[dim]Beside the choices below, as one option among them; "
        "`kindstep log` when it is done.[/dim]", soft_wrap=True)


def _show_offer(day, latest, offer, planned=(), *, paused: bool = False) -> None:
    from rich.table import Table

    say(f"[bold]What feels possible today?[/bold]  [dim]{day:%A %d %B}[/dim]")
    if planned:  # a plan for today comes first, beside the choices and rest
        _show_planned(planned)
    if latest is None and not paused:  # while paused, the pause's own words say why (notes)
        say("[dim]No check-in yet today, so these are gentle, middle-of-the-road choices.[/dim]")
    table = Table(show_header=False, box=None, padding=(0, 1))
    for number, choice in enumerate(offer.choices, 1):
        table.add_row(
            f"[bold]{number}[/bold]",
            f"{choice.name}, {choice.minutes} min",
            f"[dim]{choice.intensity.label}[/dim]",
        )
        table.add_row("", f"[dim]{choice.why}[/dim]", "")
    table.add_row("[bold]r[/bold]", offer.rest.label, "")
    table.add_row("", f"[dim]{offer.rest.why}[/dim]", "")
    common.console().print(table)
    for note in offer.notes:
        say(f"[dim]{note}[/dim]")


def _pick_and_log(person, offer, now) -> None:
    from rich.prompt import Prompt

    common.ready()

    from kindstep.cli import help_first
    from kindstep.core.checks import InvalidInput
    from kindstep.store import actions

    answer = Prompt.ask(
        "When you have done one, type its number to log it (r for rest), or press Enter for later",
        default="", show_default=False, console=common.console(),
    ).strip().lower()
    if not answer:
        say("That's fine. Come back whenever suits you.")
        return
    if answer in {"r", "rest"}:
        actions.log_rest(person, now=now)
        say("Rest is logged. Rest is part of healing.")
        return
    if answer in {str(number) for number in range(1, len(offer.choices) + 1)}:
        choice = offer.choices[int(answer) - 1]
        while True:  # a typo in the minutes asks again, as the check-in's questions do
            minutes = Prompt.ask("How many minutes did it take?", default=str(choice.minutes),
                                 console=common.console())
            try:
                row = actions.log_session(person, activity=choice.activity, duration=minutes,
                                          now=now)
                break
            except InvalidInput as err:
                say(f"[dim]{plain(err.for_cli)}[/dim]", soft_wrap=True)
        say(f"Logged {choice.name}, {row.minutes} min. Well done for showing up for yourself.")
        help_first.ask_worrying(person, row, now)  # as `log` and `move` ask, at a terminal
        return
    say("That isn't one of the choices, so nothing was logged. `kindstep log` works any time.")


# -- log and rest -------------------------------------------------------------------


@app.command(context_settings={"ignore_unknown_options": True})  # so `log walk -5` is read as a duration
@kind_errors
def log(
    activity: Annotated[str, typer.Argument(help="An activity code, e.g. walk (see `kindstep activities`).")],
    duration: Annotated[str, typer.Argument(help="How long: 10, 10m or 1h15m.")],
    effort: Annotated[
        str | None,
        typer.Option(help="How hard it felt, 0-10: 2 could sing, 5 could talk, 8 only a few words."),
    ] = None,
    before: Annotated[str | None, typer.Option(help="Mood before, 0-10.")] = None,
    after: Annotated[str | None, typer.Option(help="Mood after, 0-10.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="What did you notice in your body?")] = None,
    date: DateOpt = None,
    symptoms: Annotated[
        str | None,
        typer.Option("--symptoms", help="Anything worrying while you moved, comma-separated: "
                     "chest_pain, faintness, severe_breathlessness, palpitations."),
    ] = None,
    as_json: Json = False,
) -> None:
    """Log movement you did.

    Example: kindstep log walk 10m --before 4 --after 6
    """
    from kindstep.core.catalogue import load_catalogue

    person = None
    try:
        common.ready()
        from kindstep.store import actions, mapping

        # symptoms are checked before anything is written
        codes = None if symptoms is None else actions.clean_symptoms(symptoms)
        person = common.person()
        if codes is None and not as_json:  # a worrying symptom is met first, asked nothing
            from kindstep.cli import help_first

            help_first.ask_country_once(person)
        now = common.now()
        row = actions.log_session(
            person, activity=activity, duration=duration, effort=effort, before=before,
            after=after, note=note, day=date, now=now,
        )
        if codes:
            actions.record_movement_symptoms(person, codes, now=now, session=row)
    except Exception:
        # A refused value, or data that cannot be used: the entry is not saved, and one line
        # says why. A worrying symptom named all the same is met first: stop and seek care.
        _stop_and_seek_care(_named_symptoms(symptoms), as_json, person)
        raise
    message = None
    if codes or (codes is None and not as_json and common.interactive()):
        from kindstep.cli import help_first  # only when there is something to ask or show
    if codes:
        message = help_first.symptoms_message(person, codes)
    if as_json:
        data = {"safety": help_first.safety_dict(message), "until": help_first.symptoms_hold(codes)} \
            if message else {}
        print_json({**data, **common.session_json(mapping.session(row))})
        return
    if message:
        help_first.show_safety(message)  # stop and seek care comes first
    name = load_catalogue()[row.activity].name
    when = "today" if date is None else f"on {row.day:%A %d %B}"
    logged = f"Logged {name}, {row.minutes} min {when} ({mapping.entry_id('session', row.pk)})."
    if message:  # after the warning, plain facts only: no cheerful line
        say(logged)
        say(help_first.symptoms_hold(codes), soft_wrap=True)
        return
    say(f"{logged} Every bit of movement counts.")
    if codes is None and common.interactive():
        help_first.ask_worrying(person, row, now)


def _named_symptoms(text: str | None) -> list[str]:
    """The known worrying symptoms in ``text``, even when other words there were refused."""
    from kindstep.core.safety import WORRYING_SYMPTOMS

    words = (text or "").replace(",", " ").split()
    codes = (word.strip().lower().replace("-", "_") for word in words)
    return list(dict.fromkeys(code for code in codes if code in WORRYING_SYMPTOMS))


def _stop_and_seek_care(codes: list[str], as_json: bool, person=None) -> None:
    """Show the stop-and-seek-care message for ``codes`` when an entry could not be saved.

    The entry itself is refused (one line on stderr follows), and nothing is
    saved; but a person who named chest pain or faintness needs to read this
    first. It shows even when the data cannot be read: then with "call your
    local emergency number" instead of the person's own.
    """
    if not codes:
        return
    from kindstep.cli import help_first
    from kindstep.core import safety

    if person is None:
        try:
            person = common.person()
        except Exception:  # noqa: BLE001 - the message must show even when the data cannot be read
            person = None
    country = getattr(person, "country", None)
    message = safety.stop_and_seek_care(safety.crisis_resources(country), codes)
    if as_json:
        print_json({"safety": help_first.safety_dict(message)})
    else:
        help_first.show_safety(message)


@app.command()
@kind_errors
def rest(date: DateOpt = None, note: NoteOpt = None, as_json: Json = False) -> None:
    """Mark a day as rest. Rest is part of healing; it counts as care.

    Example: kindstep rest --note "slept in, that was what I needed"
    """
    common.ready()
    from kindstep.store import actions, mapping

    person = common.person()
    if not as_json:
        from kindstep.cli import help_first

        help_first.ask_country_once(person)
    row, created = actions.log_rest(person, day=date, note=note, now=common.now())
    if as_json:
        print_json({"id": mapping.entry_id("rest", row.pk), "kind": "rest", "date": row.day,
                    "note": row.note, "new": created})
        return
    if created:
        say(f"Rest day noted for {row.day:%A %d %B} ({mapping.entry_id('rest', row.pk)}). "
            "Rest is part of healing.")
    else:
        say(f"{row.day:%A %d %B} was already a rest day; it stays one.")


# -- settings ---------------------------------------------------------------------------------


@app.command("settings")
@kind_errors
def settings_cmd(
    country: Annotated[
        str | None,
        typer.Option(help="Your country, for the right crisis lines: a name or two-letter code, "
                     "e.g. Ireland or IE (\"\" clears it)."),
    ] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA time zone, e.g. Europe/London.")] = None,
    target_days: Annotated[str | None, typer.Option(help="Active days a week to aim for, 1-7.")] = None,
    day_start: Annotated[str | None, typer.Option(help="Hour a new day starts, 0-12 (default 4).")] = None,
    week_start: Annotated[str | None, typer.Option(help="First day of the week, 0=Monday ... 6=Sunday.")] = None,
    like: Annotated[str | None, typer.Option(help="Activities you enjoy, comma-separated codes.")] = None,
    avoid: Annotated[str | None, typer.Option(help="Activities never to suggest, comma-separated codes.")] = None,
    questionnaires: Annotated[
        str | None,
        typer.Option("--questionnaires", help="Gentle two-weekly PHQ-9/GAD-7 offers: on or off."),
    ] = None,
    as_json: Json = False,
) -> None:
    """See or change your settings.

    Example: kindstep settings --country GB --timezone Europe/London --target-days 3
    """
    common.ready()
    from kindstep.core import safety
    from kindstep.store import actions, queries

    def codes(text):
        return None if text is None else [c for c in text.split(",") if c.strip()]

    if questionnaires is not None and questionnaires.strip().lower() not in ("on", "off"):
        common.refuse(f"Questionnaire offers are on or off; got {questionnaires!r}.")
    # One action, as the web's Settings page uses: everything checked, then saved together.
    person = actions.update_settings(
        common.person(), country=country, timezone=timezone, target_days=target_days,
        day_start=day_start, week_start=week_start, liked=codes(like), avoided=codes(avoid),
        questionnaires=questionnaires,
    )
    listed = bool(safety.crisis_resources(person.country).lines) if person.country else False
    day = queries.today(person, common.now())
    symptoms = queries.symptoms_to_heed(person, day)
    kept = queries.kept_light(person, day, symptoms)
    data = {
        "country": person.country,
        "country_name": safety.country_name(person.country),
        "country_has_lines": listed,
        "timezone": person.timezone,
        "target_days": person.target_days,
        "day_start_hour": person.day_start_hour,
        "week_start": person.week_start,
        "liked": person.liked,
        "avoided": person.avoided,
        "light_only": person.light_only,
        "kept_light": kept or None,
        "symptoms_heeded": list(symptoms),
        "questionnaire_offers": person.checkin_reminders,
        "questionnaires_postponed_until": person.questionnaire_postponed_until,
    }
    if as_json:
        print_json(data)
        return
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    if person.country:
        name = plain(safety.country_name(person.country))
        lines = "" if listed else " (kindstep does not list lines for it yet; " \
            "`kindstep help-now` shows Find A Helpline)"
        say(f"Country: {name}{lines}", soft_wrap=True)
    else:
        say("Country: not set (`kindstep settings --country` with your country's name shows its "
            "lines in `kindstep help-now`, when kindstep lists them)", soft_wrap=True)
    say(f"Time zone: {plain(person.timezone)}")
    say(f"Aiming for: {person.target_days} active days a week")
    say(f"A new day starts at {person.day_start_hour:02d}:00")
    say(f"Weeks start on {days[person.week_start]}")
    say(f"Liked: {plain(', '.join(person.liked)) or 'none yet'}")
    say(f"Never suggest: {plain(', '.join(person.avoided)) or 'nothing excluded'}")
    if kept == "supervised":
        say("Suggestions are breathing and gentle stretches, as a doctor advised activity only "
            "with supervision (`kindstep readiness` takes new answers if that changes)")
        if symptoms:  # both hold: say each, so neither is hidden behind the other
            say("After what you noticed while moving, they also stay at their very gentlest "
                "until a doctor has seen you (`kindstep readiness --clearance`)")
    elif kept:
        say("Suggestions stay at their gentlest or light until a doctor says more is fine "
            "(`kindstep readiness --clearance`)")
    say(f"Two-weekly questionnaire offers: {'on' if person.checkin_reminders else 'off'}")


COMMAND_MODULES = {
    "phq9": "kindstep.cli.questionnaires",
    "gad7": "kindstep.cli.questionnaires",
    "scores": "kindstep.cli.questionnaires",
    "readiness": "kindstep.cli.questionnaires",
    "why": "kindstep.cli.evidence",
    "help-now": "kindstep.cli.help_first",
    "move": "kindstep.cli.move",
    "serve": "kindstep.cli.serve",
    "migrate": "kindstep.cli.server",
    "check": "kindstep.cli.server",
    "worker": "kindstep.cli.worker",
    "createuser": "kindstep.cli.accounts",
    "token": "kindstep.cli.tokens",
    "import": "kindstep.cli.importing",
    "insights": "kindstep.cli.insights",
    "experiment": "kindstep.cli.insights",
    "week": "kindstep.cli.record",
    "history": "kindstep.cli.record",
    "activities": "kindstep.cli.record",
    "edit": "kindstep.cli.record",
    "delete": "kindstep.cli.record",
    "undo": "kindstep.cli.record",
    "tidy": "kindstep.cli.record",
    "export": "kindstep.cli.export_erase",
    "erase": "kindstep.cli.export_erase",
    "pause": "kindstep.cli.pause",
    "reminders": "kindstep.cli.reminders",
    "plan": "kindstep.cli.plans",
    "values": "kindstep.cli.plans",
    "report": "kindstep.cli.report",
    "fhir": "kindstep.cli.report",
    "backup": "kindstep.cli.keeping",
    "restore": "kindstep.cli.keeping",
    "lock": "kindstep.cli.keeping",
}
"""Commands defined in modules of their own, and the module that registers each on ``app``."""


def register_all() -> None:
    """Register every command (for --help, for tests, and for an unknown command's hint)."""
    import importlib

    for module in dict.fromkeys(COMMAND_MODULES.values()):
        importlib.import_module(module)


def register_for(argv: list[str]) -> None:
    """Register only what the command in ``argv`` needs; everything when in doubt.

    Each of those modules costs a few milliseconds to import, which `kindstep
    log` and the other everyday commands need not pay.
    """
    import importlib

    name = next((arg for arg in argv if not arg.startswith("-")), None)
    if name in COMMAND_MODULES:
        importlib.import_module(COMMAND_MODULES[name])
    elif name is None or name not in {c.name or c.callback.__name__ for c in app.registered_commands}:
        register_all()


import kindstep.cli as _package  # noqa: E402

if not _package.FAST_START:  # imported as a library or by the tests: every command is there
    register_all()


def run() -> None:
    """Entry point of the ``kindstep`` console script."""
    import sys

    register_for(sys.argv[1:])
    app()

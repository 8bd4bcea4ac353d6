"""The clinical commands: questionnaires, scores, readiness, evidence, help now, guided movement.

Registered on :data:`kindstep.cli.main.app`. Like the rest of the CLI, Django,
Rich and the core modules are imported inside the commands, so loading this
module costs nothing at start-up.

The safety path comes first everywhere: when a PHQ-9 has item 9 above 0 the
calm message and the crisis resources for the person's country are printed
before any score (and ``safety`` is the first key of ``--json``). It is shown
before the rest of the answers are checked, so a refused answer, a refused
difficulty or a data folder that cannot be used never hides it; the exit code
stays that of the refusal. A total in the moderately severe or severe range
adds a gentle ``care`` message, and a check-in at an extreme one quiet line,
both pointing to ``kindstep help-now``.

``kindstep move`` runs a real-time timer. ``KINDSTEP_GUIDE_SPEED`` (hidden,
for tests and demos) makes it run that many times faster: ``600`` turns a
minute into a tenth of a second. Anything that is not a positive number is
ignored.
"""

from __future__ import annotations

import os
import time
from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.common import kind_errors, print_json, say
from kindstep.cli.main import Json, app

SPEED_ENV = "KINDSTEP_GUIDE_SPEED"
"""Hidden: how many times faster than real time ``kindstep move`` runs (tests use 600)."""

_clock = time.monotonic
"""The timer's clock; monotonic, so changing the computer's time never upsets a session."""

_sleep = time.sleep


# -- shared pieces (also used by `today`, `checkin` and `log` in main.py) -----------------


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def show_safety(message) -> None:
    """Print a core ``SafetyMessage`` calmly: the title in bold, then every line, never cut."""
    text = message.as_text()
    title, _, rest = text.partition("\n")
    say(f"[bold]{_escape(title)}[/bold]", soft_wrap=True)
    say(_escape(rest), soft_wrap=True)
    say()


def safety_dict(message) -> dict:
    """A core ``SafetyMessage`` as JSON: the words, the emergency number and every line shown."""
    res = message.resources
    return {
        "title": message.title,
        "message": message.body,
        "country": res.country,
        "country_name": res.country_name,
        "emergency": res.emergency,
        "emergency_label": res.emergency_label,
        "emergency_instruction": res.emergency_instruction,
        "lines": [
            {"name": line.name, "call": line.call, "text": line.text, "web": line.web,
             "hours": line.hours, "purpose": line.purpose}
            for line in (res.lines if message.show_lines else ())
        ],
        "directories": [
            {"name": d.name, "web": d.web, "purpose": d.purpose}
            for d in (res.directories if message.show_lines else ())
        ],
        "note": res.note,
        "checked": res.checked,
        "text": message.as_text(),
    }


def crisis_message(country: str | None):
    """The calm safety message with the crisis resources for ``country``."""
    from kindstep.core import safety

    return safety.safety_message(safety.crisis_resources(country))


def _country_if_readable() -> str:
    """The person's country, or "" when the data cannot be read: help must show all the same."""
    try:
        return common.person().country
    except Exception:  # noqa: BLE001 - the message must show even when the data cannot be read
        return ""


_CARE_WHERE = "`kindstep help-now` shows who you can reach right now, at any time."


def show_care(message) -> None:
    """Print a core ``CareMessage``: a quiet line, or a short titled note; then where help is."""
    if message.quiet:
        say(f"[dim]{_escape(message.body)} {_escape(_CARE_WHERE)}[/dim]", soft_wrap=True)
        return
    say(f"[bold]{_escape(message.title)}[/bold]", soft_wrap=True)
    say(f"{_escape(message.body)} {_escape(_CARE_WHERE)}", soft_wrap=True)


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


def questionnaire_offer(due: list[str], *, asked_before: bool) -> str:
    """The one gentle line offering the questionnaires that are due."""
    commands = " or ".join(f"`kindstep {code}`" for code in due)
    if asked_before:
        start = ("It has been two weeks since your last check-in questionnaire; "
                 f"{commands} whenever you like")
    else:
        start = (f"A two-minute questionnaire ({commands}) can help you and your clinician "
                 "see how things change, whenever you like")
    return (f"{start}, or `kindstep scores --later` to be asked next week "
            "(`kindstep settings --questionnaires off` turns these offers off).")


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
        return


def run_readiness(person, now) -> None:
    """Ask the readiness questions one at a time on a terminal, store them, say what they mean."""
    from rich.prompt import Confirm

    from kindstep.core import readiness
    from kindstep.store import actions

    say(readiness.intro(), soft_wrap=True)
    answers = []
    questions = readiness.load_questions()
    for number, question in enumerate(questions, 1):
        say(f"\n[bold]{number} of {len(questions)}[/bold]  {_escape(question.text)}",
            soft_wrap=True)
        say(f"[dim]{_escape(question.why)}[/dim]", soft_wrap=True)
        answers.append(Confirm.ask("Yes or no?", console=common.console()))
    result = actions.record_readiness(person, answers, now=now)
    _show_readiness(result)


def clearance_words(person) -> str:
    """What kindstep says after ``--clearance``: what it lifts, and what it leaves."""
    from kindstep.core.readiness import standing_limits

    _, supervised = standing_limits(person.readiness or {}, doctor_go_ahead=True)
    if supervised:
        return ("Thank you. The light limit, and the gentlest choices kept after chest pain or "
                "faintness, are lifted. Your answers also say a doctor advised activity only "
                "with medical supervision, so on your own kindstep still suggests only slow "
                "breathing and gentle stretches; `kindstep readiness` takes new answers if "
                "that advice changes.")
    return ("Thank you. Since a doctor has seen you and said more than light activity is fine, "
            "kindstep will offer the full range of suggestions again. Build up gradually, and "
            "`kindstep readiness` is there if your health changes.")


def _show_readiness(result) -> None:
    say(result.message, soft_wrap=True)
    if result.light_only:
        say("When a doctor has seen you and said more is fine: "
            "`kindstep readiness --clearance`.", soft_wrap=True)
    for note in result.notes:
        say(f"[dim]{_escape(note)}[/dim]", soft_wrap=True)


def offer_readiness(person, now) -> None:
    """First run only: offer the readiness check; skipping is remembered."""
    from rich.prompt import Confirm

    from kindstep.store import actions

    if Confirm.ask("Before you begin, would you like a few quick questions about moving safely? "
                   "(n skips them, and kindstep won't ask again)", default=True,
                   console=common.console()):
        run_readiness(person, now)
    else:
        actions.record_readiness(person, None, now=now)
        say("That's fine. `kindstep readiness` is there whenever you want it.")
    say()


# -- questionnaires -----------------------------------------------------------------


AnswersOpt = Annotated[
    str | None, typer.Option("--answers", help="Every answer, 0-3, in order, separated by commas.")
]


def _ask_answers(scale, country: str) -> tuple[list[int], int | None, bool]:
    """One item at a time on a terminal; returns (answers, difficulty, whether safety was shown)."""
    from rich.prompt import Prompt

    from kindstep.core import scales

    choices = [str(n) for n in range(len(scale.options))]
    options = " · ".join(f"{n} {_escape(text)}" for n, text in enumerate(scale.options))
    say(f"[bold]{scale.name}[/bold]  {len(scale.items)} questions. There are no right or wrong "
        "answers; Ctrl-C stops at any time and nothing is kept.", soft_wrap=True)
    say(f"[dim]{_escape(scale.credit)}[/dim]", soft_wrap=True)
    say()
    say(_escape(scale.stem), soft_wrap=True)
    answers: list[int] = []
    shown = False
    for number, item in enumerate(scale.items, 1):
        say(f"\n[bold]{number} of {len(scale.items)}[/bold]  {_escape(item)}", soft_wrap=True)
        say(f"[dim]{options}[/dim]", soft_wrap=True)
        answer = int(Prompt.ask("Your answer", choices=choices, console=common.console()))
        answers.append(answer)
        if not shown and scales.safety_answer(scale.code, answers):
            say()
            show_safety(crisis_message(country))  # at once, before anything else
            shown = True
    difficulty = None
    if scale.difficulty_question and any(answers):
        say(f"\n{_escape(scale.difficulty_question)}", soft_wrap=True)
        say("[dim]" + " · ".join(f"{n} {_escape(t)}" for n, t in
                                 enumerate(scale.difficulty_options)) + "[/dim]", soft_wrap=True)
        choice = Prompt.ask("Your answer (Enter to skip)", choices=[*choices, ""], default="",
                            show_choices=False, show_default=False, console=common.console())
        difficulty = int(choice) if choice else None
    say()
    return answers, difficulty, shown


def result_dict(result, row=None) -> dict:
    """A core ``scales.Result`` as JSON (without the safety object)."""
    from kindstep.core import scales

    scale = scales.get_scale(result.code)
    data = {
        "scale": result.code,
        "name": scale.name,
    }
    if row is not None:
        data |= {"id": row.pk, "date": row.day, "taken_at": row.taken_at}
    data |= {
        "answers": list(result.answers),
        "total": result.total,
        "max_total": result.max_total,
        "band": result.band,
        "difficulty": result.difficulty,
        "change": result.change,
        "reliable_change": result.reliable_change,
        "response": result.response,
        "remission": result.remission,
        "safety_flag": result.safety_flag,
        "care_suggested": result.care,
        "suggests_full": result.suggests_full,
        "summary": result.plain_summary,
    }
    return data


def _take(code: str, answers: str | None, difficulty: str | None, as_json: bool) -> None:
    from kindstep.core import safety, scales

    scale = scales.get_scale(code)
    if answers is None and not common.interactive():
        example = ",".join(["0"] * len(scale.items))
        common.refuse(f"Please give your {len(scale.items)} answers (each 0 to 3) with "
                      f"--answers {example} when not at a terminal.")
    # Help before anything else can fail: an item-9 answer above 0, as given, shows the
    # crisis message before the rest is checked or the data folder is opened.
    message = None
    if answers is not None and scales.safety_answer(code, answers):
        message = crisis_message(_country_if_readable())
        if not as_json:
            show_safety(message)
    try:
        person = common.person()
        shown = message is not None
        if answers is None:
            from kindstep.cli.main import ask_country_once

            ask_country_once(person)  # first run: the country first, so any help shows its lines
            given, asked_difficulty, shown = _ask_answers(scale, person.country)
            answers = ",".join(map(str, given))
            if difficulty is None and asked_difficulty is not None:
                difficulty = str(asked_difficulty)
        from kindstep.store import actions

        row, result = actions.answer_questionnaire(person, code, answers, difficulty=difficulty,
                                                   now=common.now())
    except Exception:
        if message is not None and as_json:  # the refusal follows on stderr, its code kept
            print_json({"safety": safety_dict(message)})
        raise
    if result.safety_flag and message is None:
        message = crisis_message(person.country)
    care = safety.care_message(result)
    if as_json:
        data = {"safety": safety_dict(message)} if message else {}
        data |= {"care": care_dict(care)} if care else {}
        data |= result_dict(result, row)
        data |= {"note": scales.SCORES_NOTE, "credit": scale.credit}
        print_json(data)
        return
    if message and not shown:
        show_safety(message)
    say(f"[bold]{scale.name}: {result.total} out of {result.max_total}[/bold] · {result.band}")
    say(_escape(result.plain_summary), soft_wrap=True)
    if result.difficulty is not None:
        level = scale.difficulty_options[result.difficulty].lower()
        say(f"How difficult things have been: {level}.")
    if care:
        say()
        show_care(care)
        say()
    if message:
        say("`kindstep help-now` shows these numbers again at any time.")
    say("`kindstep scores` shows how your answers change over time.")
    say(f"[dim]{_escape(scale.credit)}[/dim]", soft_wrap=True)


@app.command()
@kind_errors
def phq9(
    answers: AnswersOpt = None,
    difficulty: Annotated[
        str | None, typer.Option(help="How difficult these problems made things, 0-3 (optional).")
    ] = None,
    as_json: Json = False,
) -> None:
    """The PHQ-9 mood questionnaire: nine questions about the last 2 weeks.

    Scores are information for you and your clinician, never a diagnosis.

    Example: kindstep phq9 --answers 0,1,2,0,1,2,0,1,0 --difficulty 1
    """
    _take("phq9", answers, difficulty, as_json)


@app.command()
@kind_errors
def gad7(answers: AnswersOpt = None, as_json: Json = False) -> None:
    """The GAD-7 anxiety questionnaire: seven questions about the last 2 weeks.

    Scores are information for you and your clinician, never a diagnosis.

    Example: kindstep gad7 --answers 1,1,0,2,0,1,1
    """
    _take("gad7", answers, None, as_json)


@app.command()
@kind_errors
def scores(
    as_json: Json = False,
    later: Annotated[
        bool, typer.Option("--later", help="Offer the questionnaires again in a week.")
    ] = False,
) -> None:
    """Your questionnaire history: totals, ranges and changes bigger than the usual ups and downs.

    Example: kindstep scores
    """
    from kindstep.core import scales

    common.ready()
    from kindstep.store import actions, queries

    person = common.person()
    now = common.now()
    if later:
        until = actions.postpone_questionnaires(person, 7, now=now)
        if as_json:
            print_json({"postponed_until": until})
            return
        say(f"All right. kindstep will offer the questionnaires again from {until:%A %d %B}. "
            "`kindstep settings --questionnaires off` turns the offers off.", soft_wrap=True)
        return
    results = queries.questionnaire_history(person)
    rows = queries.questionnaire_rows(person)
    due = queries.questionnaire_due(person, queries.today(person, now))
    if as_json:
        print_json({
            "results": [result_dict(r, row) for r, row in zip(results, rows, strict=True)],
            "due": due,
            "note": scales.SCORES_NOTE,
        })
        return
    if not results:
        say("No questionnaires yet. Whenever you like, `kindstep phq9` (mood) or "
            "`kindstep gad7` (anxiety) takes about two minutes.", soft_wrap=True)
        say(f"[dim]{scales.SCORES_NOTE}[/dim]")
        return
    marks = {"improved": "reliable improvement", "worsened": "reliable worsening"}
    say("[bold]Your questionnaires[/bold], oldest first")
    for result, row in zip(results, rows, strict=True):
        name = scales.get_scale(result.code).name
        bits = []
        if result.change is not None:
            bits.append(f"{result.change:+d}")
        if result.reliable_change:
            bits.append(marks[result.reliable_change])
        if result.response:
            bits.append("response")
        if result.remission:
            bits.append("remission range")
        change = f"  [dim]{', '.join(bits)}[/dim]" if bits else ""
        say(f"  {row.day:%d %b %Y}  {name:<5}  {result.total:>2}/{result.max_total}  "
            f"{result.band}{change}", soft_wrap=True)
    say("[dim]A reliable change is bigger than the questionnaire's usual ups and downs "
        "(PHQ-9: 5 points or more; GAD-7: 6 or more).[/dim]", soft_wrap=True)
    say(f"[dim]{scales.SCORES_NOTE}[/dim]")


# -- readiness ----------------------------------------------------------------------------


@app.command()
@kind_errors
def readiness(
    answers: Annotated[
        str | None, typer.Option("--answers", help="yes or no for each question, in order.")
    ] = None,
    skip: Annotated[bool, typer.Option("--skip", help="Skip the questions for now.")] = False,
    clearance: Annotated[
        bool,
        typer.Option("--clearance", help="A doctor has said more than light activity is fine."),
    ] = False,
) -> None:
    """A few yes/no questions about moving safely, in kindstep's own words.

    Example: kindstep readiness --answers no,no,no,no,no,no,no
    """
    from kindstep.core import readiness as core_readiness

    count = len(core_readiness.load_questions())
    if skip and (answers is not None or clearance):
        common.refuse("Please use --skip on its own, without --answers or --clearance.")
    if answers is None and not skip and not clearance and not common.interactive():
        example = ",".join(["no"] * count)
        common.refuse(f"Please give your {count} answers (yes or no) with --answers {example}, "
                      "or --skip, when not at a terminal.")
    person = common.person()
    from kindstep.store import actions

    now = common.now()
    if skip:
        actions.record_readiness(person, None, now=now)
        say("That's fine. `kindstep readiness` is there whenever you want it.")
        return
    if answers is not None:
        result = actions.record_readiness(person, answers, now=now, doctor_go_ahead=clearance)
        _show_readiness(result)
        return
    if clearance:
        actions.record_clearance(person, now=now)
        say(clearance_words(person), soft_wrap=True)
        return
    run_readiness(person, now)


# -- evidence -----------------------------------------------------------------------------


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
            say(f"  {c.code:<14} {_escape(c.title)}")
        return
    try:
        c = evidence.card(topic)
    except evidence.UnknownTopic as err:
        common.refuse(str(err))
    say(f"[bold]{_escape(c.title)}[/bold]")
    say()
    say(_escape(c.summary), soft_wrap=True)
    if c.figures:
        say()
        for figure in c.figures:
            say(f"  • {_escape(figure)}", soft_wrap=True)
    elif c.no_figures_because:
        say(f"[dim]{_escape(c.no_figures_because)}[/dim]", soft_wrap=True)
    say()
    say(f"[italic]How sure: {_escape(c.certainty)}[/italic]", soft_wrap=True)
    say()
    say("Sources:")
    for citation in c.citations:
        say(f"  {_escape(str(citation))}  {citation.url}", soft_wrap=True)
    say("[dim]Movement is one option alongside care, not a replacement for it.[/dim]")


# -- help now -----------------------------------------------------------------------------


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
            country = common.person().country
        except Exception:  # noqa: BLE001 - help must show even when the database cannot be read
            country = ""
    message = crisis_message(country)
    if as_json:
        print_json(safety_dict(message))
        return
    show_safety(message)
    if not message.resources.lines:
        say(f"[dim]{_escape(country_hint())}[/dim]", soft_wrap=True)


def country_hint() -> str:
    """Which countries kindstep lists lines for, by name, and how to choose one: promising
    nothing for a country it does not list."""
    from kindstep.core.safety import listed_countries

    names = [name for _, name in listed_countries()]
    return (f"kindstep lists lines for {', '.join(names[:-1])} and {names[-1]}. If you live in "
            "one of them, `kindstep settings --country` with its name shows its lines here.")


# -- guided movement ------------------------------------------------------------------------


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
) -> None:
    """A gentle timer for movement, with mindful cues if you like; it logs the session at the end.

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
    person = common.person()
    if chosen is not None:
        schedule = guides.cue_schedule(chosen, length)
        say(f"[bold]{_escape(act.name)}, {length} min[/bold] · guide: {_escape(chosen.title)}")
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
        row = actions.log_session(person, activity=code, duration=length, now=now)
        say(f"Time's up. Logged {_escape(act.name)}, {row.minutes} min "
            f"({mapping.entry_id('session', row.pk)}). Every bit of movement counts.")
    else:
        row = _after_stop(person, code, act.name, int(done // 60), now)
    if row is not None and common.interactive():
        ask_worrying(person, row, now)


def _timed(schedule, total: int) -> float:
    speed = _speed()

    def cue(text: str) -> None:
        say(_escape(text), soft_wrap=True)

    if not common.interactive():
        return run_timer(schedule, total, speed=speed, show_cue=cue)
    from rich.live import Live
    from rich.text import Text

    with Live(Text(""), console=common.console(), transient=True, refresh_per_second=4) as live:
        def cue_live(text: str) -> None:
            live.console.print(_escape(text), soft_wrap=True)

        def tick(elapsed: float) -> None:
            live.update(Text(f"  {_clock_text(elapsed)} of {_clock_text(total)}", style="dim"))

        return run_timer(schedule, total, speed=speed, show_cue=cue_live, show_time=tick)


def _after_stop(person, code: str, name: str, minutes_done: int, now):
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
    row = actions.log_session(person, activity=code, duration=minutes_done, now=now)
    say(f"Logged {_escape(name)}, {row.minutes} min ({mapping.entry_id('session', row.pk)}). "
        "Every bit of movement counts.")
    return row

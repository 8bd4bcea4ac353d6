"""Check-ins that are validated questionnaires, and the readiness questions.

``kindstep phq9``, ``kindstep gad7`` and ``kindstep scores``, and ``kindstep
readiness``. Help comes before any score (see ``kindstep.cli.safety``). Like
the rest of the CLI, Django, Rich and the core modules are imported inside the
commands, so loading this module costs nothing at start-up.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import Json, app
from kindstep.cli.common import kind_errors, print_json, say
from kindstep.cli.help_first import (
    ask_country_once,
    care_dict,
    country_if_readable,
    crisis_message,
    safety_dict,
    show_care,
    show_safety,
)


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


def run_readiness(person, now) -> None:
    """Ask the readiness questions one at a time on a terminal, store them, say what they mean."""
    from rich.prompt import Confirm

    from kindstep.core import readiness
    from kindstep.store import actions

    say(readiness.intro(), soft_wrap=True)
    answers = []
    questions = readiness.load_questions()
    for number, question in enumerate(questions, 1):
        say(f"\n[bold]{number} of {len(questions)}[/bold]  {common.escape(question.text)}",
            soft_wrap=True)
        say(f"[dim]{common.escape(question.why)}[/dim]", soft_wrap=True)
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
        say(f"[dim]{common.escape(note)}[/dim]", soft_wrap=True)


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


AnswersOpt = Annotated[
    str | None, typer.Option("--answers", help="Every answer, 0-3, in order, separated by commas.")
]


def _ask_answers(scale, country: str) -> tuple[list[int], int | None, bool]:
    """One item at a time on a terminal; returns (answers, difficulty, whether safety was shown)."""
    from rich.prompt import Prompt

    from kindstep.core import scales

    choices = [str(n) for n in range(len(scale.options))]
    options = " · ".join(f"{n} {common.escape(text)}" for n, text in enumerate(scale.options))
    say(f"[bold]{scale.name}[/bold]  {len(scale.items)} questions. There are no right or wrong "
        "answers; Ctrl-C stops at any time and nothing is kept.", soft_wrap=True)
    say(f"[dim]{common.escape(scale.credit)}[/dim]", soft_wrap=True)
    say()
    say(common.escape(scale.stem), soft_wrap=True)
    answers: list[int] = []
    shown = False
    for number, item in enumerate(scale.items, 1):
        say(f"\n[bold]{number} of {len(scale.items)}[/bold]  {common.escape(item)}", soft_wrap=True)
        say(f"[dim]{options}[/dim]", soft_wrap=True)
        answer = int(Prompt.ask("Your answer", choices=choices, console=common.console()))
        answers.append(answer)
        if not shown and scales.safety_answer(scale.code, answers):
            say()
            show_safety(crisis_message(country))  # at once, before anything else
            shown = True
    difficulty = None
    if scale.difficulty_question and any(answers):
        say(f"\n{common.escape(scale.difficulty_question)}", soft_wrap=True)
        say("[dim]" + " · ".join(f"{n} {common.escape(t)}" for n, t in
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
        message = crisis_message(country_if_readable())
        if not as_json:
            show_safety(message)
    try:
        person = common.person()
        shown = message is not None
        if answers is None:
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
    say(common.escape(result.plain_summary), soft_wrap=True)
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
    say(f"[dim]{common.escape(scale.credit)}[/dim]", soft_wrap=True)


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

"""Personal evidence commands: `kindstep insights` and `kindstep experiment ...`.

Registered on :data:`kindstep.cli.main.app` (``experiment`` is a group of its
own). As everywhere in the CLI, Django and the core are imported inside the
commands, so loading this module costs nothing at start-up. Every refusal is
one kind line on stderr with exit code 2, and nothing is written.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import DateOpt, Json, app
from kindstep.cli.common import kind_errors, print_json, say

experiment_app = typer.Typer(
    name="experiment",
    help="Self-experiments: a fair way to test one question about what helps you.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(experiment_app, name="experiment")



def _interval(section) -> str:
    low, high = section.ci
    return f"{section.estimate:+.1f} (likely between {low:+.1f} and {high:+.1f}), n = {section.n}"


# -- insights ----------------------------------------------------------------------------


@app.command()
@kind_errors
def insights(as_json: Json = False) -> None:
    """What seems to go with movement for you, and how sure kindstep can be.

    Patterns, not proof: a self-experiment (`kindstep experiment new`) can test one.

    Example: kindstep insights --json
    """
    common.ready()
    from kindstep.store import queries

    person = common.person()
    today = queries.today(person, common.now())
    result = queries.insights_for(person, today)
    if as_json:
        print_json(result.as_dict())
        return
    say("[bold]What your record shows[/bold]")
    say(common.escape(result.summary), soft_wrap=True)
    say()
    sections = [result.before_after, result.active_vs_rest, result.next_day,
                *[s for s in (*result.by_activity, *result.by_duration) if s.enough_data],
                *([result.predicted_vs_actual] if result.predicted_vs_actual else [])]
    for section in sections:
        say(f"[bold]{common.escape(section.title)}[/bold]")
        if section.enough_data and section.ci is not None:
            say(f"  {_interval(section)}")
            say(f"  {common.escape(section.sentence)}", soft_wrap=True)
        else:
            say(f"  [dim]{common.escape(section.needed or section.sentence)}[/dim]", soft_wrap=True)
    say(f"[bold]Questionnaires[/bold]\n  {common.escape(result.questionnaires.sentence)}", soft_wrap=True)


# -- experiments ------------------------------------------------------------------------------


def _experiment_dict(row, protocol, outcome=None, ratings=None) -> dict:
    data = {
        "id": row.pk,
        "status": row.status,
        "started_on": row.started_on,
        "stopped_on": row.stopped_on,
        "protocol": protocol.as_dict(),
    }
    if outcome is not None:
        data["result"] = outcome.as_dict()
    if ratings is not None:
        data["ratings"] = {d.isoformat(): v for d, v in sorted(ratings.items())}
    return data


@experiment_app.command("templates")
@kind_errors
def templates(as_json: Json = False) -> None:
    """The ready-made questions, by number; every word can be changed.

    Example: kindstep experiment templates
    """
    from kindstep.core.experiments import TEMPLATES

    if as_json:
        print_json([{"number": i, "code": t.code, "question": t.question,
                     "intervention": t.intervention, "outcome": t.outcome, "when": t.when}
                    for i, t in enumerate(TEMPLATES, 1)])
        return
    for i, t in enumerate(TEMPLATES, 1):
        say(f"{i}. {t.question}")
        say(f"   B days: {t.intervention}. Rate: {t.outcome}, {t.when}.")


@experiment_app.command("new")
@kind_errors
def new(
    template: Annotated[str | None, typer.Option(
        help="A template's number or code (see `kindstep experiment templates`).")] = None,
    question: Annotated[str | None, typer.Option(help="Your own question, in your words.")] = None,
    intervention: Annotated[str | None, typer.Option(
        help="What to do on B days, e.g. 'a 10-minute walk before midday'.")] = None,
    outcome: Annotated[str | None, typer.Option(
        help="What to rate each day from 0 to 10, e.g. 'evening mood, 0-10'.")] = None,
    when: Annotated[str | None, typer.Option(
        help="When to rate it, e.g. 'in the evening'.")] = None,
    weeks: Annotated[str, typer.Option(help="How long: 2 to 8 weeks.")] = "4",
    design: Annotated[str, typer.Option(
        help="random_days (random days within each week) or abab (alternating weeks).")
    ] = "random_days",
    seed: Annotated[str | None, typer.Option(
        help="Fix the random schedule (a whole number).")] = None,
    as_json: Json = False,
) -> None:
    """Start a self-experiment today: a balanced random schedule of B days and usual days.

    Example: kindstep experiment new --template 1 --weeks 4
    """
    common.ready()
    from kindstep.core.experiments import today_line
    from kindstep.store import actions, mapping

    person = common.person()
    now = common.now()
    row = actions.start_experiment(
        person, template=template, question=question, intervention=intervention,
        outcome=outcome, when=when, weeks=weeks, design=design, seed=seed, now=now,
    )
    protocol = mapping.protocol(row)
    if as_json:
        print_json(_experiment_dict(row, protocol))
        return
    say(f"Your self-experiment has begun: {common.escape(protocol.question)}", soft_wrap=True)
    say(f"It runs {protocol.weeks} weeks, {protocol.start:%d %B} to {protocol.end:%d %B %Y}. "
        "`kindstep today` shows each day's plan; you can stop at any time.", soft_wrap=True)
    line = today_line(protocol, protocol.start)
    if line:
        say(common.escape(line), soft_wrap=True)


@experiment_app.command("status")
@kind_errors
def status(as_json: Json = False) -> None:
    """The running experiment: today's plan and how many days have a rating.

    Example: kindstep experiment status
    """
    common.ready()
    from kindstep.store import queries

    person = common.person()
    today = queries.today(person, common.now())
    row = queries.active_experiment(person)
    if row is None:
        if as_json:
            print_json({"experiment": None})
            return
        say("No self-experiment is running. `kindstep experiment new --template 1` starts one "
            "whenever you like.")
        return
    _, protocol, ratings, outcome = queries.experiment_result(person, today, row)
    plan = queries.experiment_today(person, today)
    if as_json:
        print_json({"experiment": _experiment_dict(row, protocol, outcome, ratings),
                    "today": plan})
        return
    say(f"[bold]{common.escape(protocol.question)}[/bold]", soft_wrap=True)
    if plan:
        say(common.escape(plan["line"]), soft_wrap=True)
        if plan["rated_today"] is not None:
            say(f"Today's rating so far: {plan['rated_today']}.")
    else:
        say(f"Its last day was {protocol.end:%d %B}: `kindstep experiment result` shows what "
            "the days showed.")
    say(f"Ratings so far: {outcome.n_b} B days and {outcome.n_a} A days, "
        f"over {outcome.days_so_far} of {outcome.days_total} days.")


@experiment_app.command("log", context_settings={"ignore_unknown_options": True})  # `log -1`
@kind_errors
def log(
    value: Annotated[str, typer.Argument(help="Today's rating of the outcome, 0 to 10.")],
    date: DateOpt = None,
    done: Annotated[bool | None, typer.Option(
        "--done/--not-done", help="Whether you did the B-day activity (optional).")] = None,
    as_json: Json = False,
) -> None:
    """Note the day's outcome rating (0-10) in the running experiment.

    Rating the same day again replaces the earlier rating.

    Example: kindstep experiment log 6 --done
    """
    common.ready()
    from kindstep.core.experiments import assignment_for
    from kindstep.store import actions, mapping

    person = common.person()
    row, created = actions.log_experiment_outcome(person, value, day=date, done=done,
                                                  now=common.now())
    protocol = mapping.protocol(row.experiment)
    assignment = assignment_for(protocol, row.day)
    condition = assignment.condition if assignment else None
    if as_json:
        print_json({"day": row.day, "value": row.value, "done": row.done,
                    "condition": condition, "replaced": not created})
        return
    verb = "Noted" if created else "Updated"
    say(f"{verb}: {row.value} for {row.day:%A %d %B} (a {condition} day). Thank you.")


@experiment_app.command("result")
@kind_errors
def result(as_json: Json = False) -> None:
    """What the experiment's days show: the difference, its interval, the randomisation test.

    Works at any time: early looks are marked as early.

    Example: kindstep experiment result --json
    """
    common.ready()
    from kindstep.store import queries

    person = common.person()
    found = queries.experiment_result(person, queries.today(person, common.now()))
    if found is None:
        if as_json:
            print_json({"experiment": None})
            return
        say("No self-experiments yet. `kindstep experiment new --template 1` starts one.")
        return
    row, protocol, ratings, outcome = found
    if as_json:
        print_json({"experiment": _experiment_dict(row, protocol, outcome, ratings)})
        return
    say(f"[bold]{common.escape(protocol.question)}[/bold]", soft_wrap=True)
    say(common.escape(outcome.plain), soft_wrap=True)
    if outcome.adherence is not None:
        say(f"Days with a rating: {outcome.adherence:.0%} of {outcome.days_so_far}.")
    if outcome.intervention_adherence is not None:
        say(f"B days with the activity done: {outcome.intervention_adherence:.0%}.")
    say(f"[dim]{common.escape(outcome.method)}[/dim]", soft_wrap=True)


@experiment_app.command("stop")
@kind_errors
def stop(as_json: Json = False) -> None:
    """Stop the running experiment today; the days so far are still analysed.

    Stopping is always fine.

    Example: kindstep experiment stop
    """
    common.ready()
    from kindstep.store import actions, mapping, queries

    person = common.person()
    now = common.now()
    row = actions.stop_experiment(person, now=now)
    protocol = mapping.protocol(row)
    _, _, ratings, outcome = queries.experiment_result(person, queries.today(person, now), row)
    if as_json:
        print_json(_experiment_dict(row, protocol, outcome, ratings))
        return
    say("The experiment is stopped. Stopping is always fine.")
    say(common.escape(outcome.plain), soft_wrap=True)


@experiment_app.command("export")
@kind_errors
def export(as_json: Json = False) -> None:
    """The latest experiment's protocol, schedule and ratings: CSV, or everything with --json.

    Example: kindstep experiment export --json > experiment.json
    """
    common.ready()
    from kindstep.core import experiments
    from kindstep.store import queries

    person = common.person()
    found = queries.experiment_result(person, queries.today(person, common.now()))
    if found is None:
        common.refuse("No self-experiments yet, so there is nothing to export.")
    row, protocol, ratings, outcome = found
    if as_json:
        print_json(experiments.export(protocol, ratings, outcome))
        return
    import csv
    import sys

    done = dict(row.outcomes.values_list("day", "done"))
    writer = csv.writer(sys.stdout)
    writer.writerow(["day", "condition", "rating", "done"])
    for a in experiments.schedule(protocol):
        rating = ratings.get(a.day)
        flag = done.get(a.day)
        writer.writerow([a.day.isoformat(), a.condition,
                         "" if rating is None else f"{rating:g}",
                         "" if flag is None else ("yes" if flag else "no")])

"""Your record on the command line: ``week``, ``history`` and ``activities`` to read it,
``edit``, ``delete`` and ``undo`` to change it, and ``tidy`` to let removed entries go.

History's entries, their order and their words come from ``queries.timeline`` and
``core.timeline``, the same as the web's History page.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kindstep.cli import common
from kindstep.cli.app import DateOpt, Json, NoteOpt, app
from kindstep.cli.common import kind_errors, plain, print_json, say


@app.command()
@kind_errors
def week(as_json: Json = False) -> None:
    """This week against your target, and how your rhythm is going.

    Example: kindstep week
    """
    from kindstep.core.rhythm import WHO_URL, minutes_line, rhythm
    common.ready()
    from kindstep.store import mapping, queries

    person = common.person()
    day = queries.today(person, common.now())
    r = rhythm(queries.history(person, until=day), mapping.profile(person), today=day,
               paused=queries.rhythm_paused(person, day))
    # While the choices are kept light, the WHO weekly amounts are left out.
    kept = queries.kept_light(person, day)
    sentence, reference = minutes_line(r, kept_light=bool(kept))
    if as_json:
        print_json({**_rhythm_dict(r), "who_sentence": sentence,
                    "who_reference": f"{reference}, {WHO_URL}" if reference else None,
                    "kept_light": kept or None})
        return
    from rich.table import Table

    say(f"[bold]This week[/bold] [dim](from {r.week_start:%A %d %B})[/dim]")
    say(r.summary)
    table = Table(show_header=True, box=None, padding=(0, 2))
    paused = any(w.paused_days for w in r.weeks[-6:])
    for col in ("week of", "active days", "rest days", "minutes", "MET-min",
                *(("paused",) if paused else ())):
        table.add_column(col, justify="right" if col != "week of" else "left")
    for w in r.weeks[-6:]:
        mark = " [green]✓[/green]" if w.met_target else ""
        aim = "paused" if w.aim is None else f"{w.active_days}/{w.aim}{mark}"
        table.add_row(f"{w.start:%d %b}", aim, str(w.rest_days), str(w.minutes),
                      f"{w.met_minutes:.0f}", *((str(w.paused_days),) if paused else ()))
    if r.weeks:
        common.console().print(table)
    say(f"[dim]{r.habit_sentence}[/dim]")
    say(f"[dim]{sentence}[/dim]", soft_wrap=True)
    if reference:
        say(f"[dim]Source: {reference}, {WHO_URL}[/dim]", soft_wrap=True)


def _rhythm_dict(r) -> dict:
    return {
        "week_start": r.week_start,
        "target_days": r.target_days,
        "active_days_this_week": r.active_days_this_week,
        "rest_days_this_week": r.rest_days_this_week,
        "met_target_this_week": r.met_target_this_week,
        "minutes_this_week": r.minutes_this_week,
        "met_minutes_this_week": round(r.met_minutes_this_week, 1),
        "weeks_meeting_target": r.weeks_meeting_target,
        "current_run_weeks": r.current_run_weeks,
        "longest_run_weeks": r.longest_run_weeks,
        "habit_strength": round(r.habit_strength, 4),
        "habit_sentence": r.habit_sentence,
        "who_sentence": r.who_sentence,
        "summary": r.summary,
        "paused_days_this_week": r.paused_days_this_week,
        "aim_this_week": r.aim_this_week,
        "weeks": [
            {
                "start": w.start,
                "active_days": w.active_days,
                "rest_days": w.rest_days,
                "minutes": w.minutes,
                "met_minutes": round(w.met_minutes, 1),
                "met_target": w.met_target,
                "paused_days": w.paused_days,
                "aim": w.aim,
            }
            for w in r.weeks
        ],
    }


@app.command()
@kind_errors
def history(
    days: Annotated[str | None, typer.Option(
        help="How many days back to show (default 28, as on the web).")] = None,
    as_json: Json = False,
) -> None:
    """Your recent record: movement, rest days and check-ins, with their IDs.

    Moods and sleep brought in with `kindstep import` (kinds "journal" and
    "sleep") are listed too, as they came, with IDs like j4 and n9: they
    cannot be changed, but `kindstep delete j4` removes one (importing the
    same file again leaves it removed).

    Example: kindstep history --days 30
    """
    from kindstep.core import checks
    from kindstep.core import timeline as words
    common.ready()
    from kindstep.store import queries

    span = checks.scale("days", words.DEFAULT_DAYS if days is None else days,
                        low=1, high=36600, label="days")
    person = common.person()
    day = queries.today(person, common.now())
    entries = queries.timeline(person, today=day, days=span)
    if as_json:
        print_json({"days": span, "until": day, "entries": [_entry_dict(e) for e in entries]})
        return
    if not entries:
        say(f"Nothing recorded in the last {span} days. Whenever you're ready, "
            "`kindstep today` is a gentle place to start.")
        return
    from rich.table import Table

    table = Table(box=None, padding=(0, 2), show_header=True)
    for col in ("id", "date", "what", "details"):
        table.add_column(col)
    for e in entries:  # every piece of text a person or a file gave is shown as written
        what = plain(e.what) + (f" (from {plain(e.source)})" if e.source else "")
        details = "; ".join(plain(bit) for bit in (*e.details, e.note) if bit)
        table.add_row(plain(e.id), f"{e.day:%a %d %b}", what, details)
    common.console().print(table)
    imported = next((e.id for e in entries if e.imported), None)
    if imported:
        say("Moods and sleep from another app are shown as they came: they can be removed "
            f"(`kindstep delete {imported}`), not changed.")


def _entry_dict(e) -> dict:
    """One History entry as ``--json`` lists it: its ID, kind and day, then its own fields."""
    if e.kind == "session":
        return common.session_json(e.value)
    if e.kind == "rest":
        return {"id": e.id, "kind": "rest", "date": e.day, "note": e.value.note}
    if e.kind == "checkin":
        return {**common.checkin_json(e.value), "kind": "checkin"}
    row = e.value
    if e.kind == "journal":
        return {"id": e.id, "kind": "journal", "date": e.day, "mood": row["mood"],
                "mood_name": row.get("mood_name") or None,
                "energy": row["energy"], "anxiety": row["anxiety"], "note": row["note"],
                "activities": row["activities"], "source": row["source"]}
    return {"id": e.id, "kind": "sleep", "date": e.day, "hours": row["hours"],
            "source": row["source"]}


@app.command()
@kind_errors
def activities(as_json: Json = False) -> None:
    """Every activity kindstep knows, gentlest first, with the code to type.

    Example: kindstep activities
    """
    from kindstep.core.catalogue import load_catalogue

    catalogue = load_catalogue()
    if as_json:
        print_json([
            {
                "code": a.code, "name": a.name, "met": a.met, "intensity": a.intensity.code,
                "compendium_code": a.compendium_code, "compendium_edition": a.compendium_edition,
                "default_minutes": a.default_minutes, "min_minutes": a.min_minutes,
                "tags": sorted(a.tags), "note": a.note, "resource_url": a.resource_url,
            }
            for a in catalogue
        ])
        return
    from rich.table import Table

    table = Table(box=None, padding=(0, 2))
    for col in ("code", "activity", "intensity", "MET", "from"):
        table.add_column(col)
    for a in catalogue:
        table.add_row(a.code, a.name, a.intensity.label, f"{a.met:g}", f"{a.min_minutes} min")
    common.console().print(table)
    say("[dim]MET values: Compendium of Physical Activities (2011 and 2024 editions).[/dim]")


@app.command()
@kind_errors
def edit(
    entry: Annotated[str, typer.Argument(help="The entry's ID from `kindstep history`, e.g. s12.")],
    activity: Annotated[str | None, typer.Option(help="Sessions: activity code.")] = None,
    duration: Annotated[str | None, typer.Option(help="Sessions: 10, 10m, 1h15m.")] = None,
    effort: Annotated[str | None, typer.Option(help="Sessions: how hard it felt, 0-10.")] = None,
    before: Annotated[str | None, typer.Option(help="Sessions: mood before, 0-10.")] = None,
    after: Annotated[str | None, typer.Option(help="Sessions: mood after, 0-10.")] = None,
    energy: Annotated[str | None, typer.Option(help="Check-ins: energy 0-10.")] = None,
    mood: Annotated[str | None, typer.Option(help="Check-ins: mood 0-10.")] = None,
    anxiety: Annotated[str | None, typer.Option(help="Check-ins: anxiety 0-10.")] = None,
    minutes: Annotated[str | None, typer.Option(help="Check-ins: minutes free.")] = None,
    sleep: Annotated[str | None, typer.Option(help="Check-ins: hours slept.")] = None,
    note: NoteOpt = None,
    date: DateOpt = None,
) -> None:
    """Change an entry: a session (s12), a rest day (r3) or a check-in (c5).

    Example: kindstep edit s12 --duration 25m
    """
    common.ready()
    from kindstep.store import actions

    person = common.person()
    ref, _ = actions.edit_entry(
        person, entry, now=common.now(), activity=activity, duration=duration, effort=effort,
        before=before, after=after, energy=energy, mood=mood, anxiety=anxiety, minutes=minutes,
        sleep=sleep, note=note, date=date,
    )
    say(f"Updated {plain(ref.label)}.")


@app.command()
@kind_errors
def delete(
    entry: Annotated[str, typer.Argument(help="The entry's ID from `kindstep history`, e.g. s12.")],
) -> None:
    """Remove an entry you no longer want in your record (a mood or night's sleep from
    another app too: j4, n9; importing the same file again leaves it removed).

    For an hour, `kindstep undo` puts it back; after that it is gone for good.

    Example: kindstep delete s12
    """
    common.ready()
    from kindstep.store import actions

    ref = actions.delete_entry(common.person(), entry, now=common.now())
    say(f"Removed {plain(ref.label)}. If you change your mind, `kindstep undo {plain(ref.label)}` "
        "puts it back within the hour.", soft_wrap=True)


@app.command()
@kind_errors
def undo(
    entry: Annotated[str, typer.Argument(help="The ID of an entry you removed, e.g. s12.")],
) -> None:
    """Put back an entry you removed within the last hour.

    Example: kindstep undo s12
    """
    common.ready()
    from kindstep.store import actions

    ref = actions.restore_entry(common.person(), entry, now=common.now())
    say(ref.undo_message or f"{plain(ref.label)} is back in your record.")


@app.command()
@kind_errors
def tidy() -> None:
    """Delete for good the entries removed more than an hour ago.

    Every command and page does this on the way; this does only that.

    Example: kindstep tidy
    """
    common.ready()
    from kindstep.store import actions

    gone = actions.purge_removed(now=common.now())
    say(f"Deleted for good: {gone} removed {'entry' if gone == 1 else 'entries'} "
        "past their hour of undo." if gone else "Nothing to tidy: no removed entry is past "
        "its hour of undo.")

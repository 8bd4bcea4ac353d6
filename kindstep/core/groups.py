"""What a quiet peer group sees of its members this week, and the checks on what people type.

A peer group (server mode, ``kindstep/groups``) is a few people keeping each
other company. What it sees is only what each person opts into (issue 17):

* by default, how many members moved this week and how many active days they
  had in all, never who did and never who did not;
* a member who chooses to show their own days is listed with them, under the
  first name or nickname they chose.

Nothing here compares or ranks: the list is in the alphabetical order of the
names (then the order people joined), never by days, and no sentence sets one
person's days against another's or against the group's size. A person's
"this week" is their own week (their time zone and first weekday), as the
Rhythm page counts it; the store works that out and hands in plain numbers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from kindstep.core.checks import InvalidInput

__all__ = ["GroupWeek", "MemberWeek", "Shown", "code", "display_name", "group_name",
           "group_week", "shown_code", "MAX_MEMBERS", "NAME_LIMIT", "GROUP_NAME_LIMIT"]

MAX_MEMBERS = 30
"""A group stays small: people who know each other a little, not an audience."""
NAME_LIMIT = 40
"""The longest first name or nickname shown beside someone's days."""
GROUP_NAME_LIMIT = 60
"""The longest group name."""
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Invite codes use letters and digits that are hard to mistake for one another (no I, O, 0, 1)."""
CODE_LENGTH = 12
"""32 ** 12 is about 10 ** 18 codes: guessing one is hopeless, typing one is easy in groups of 4."""


@dataclass(frozen=True)
class MemberWeek:
    """One member's week as the group may use it: their active days this week (their own
    week), and whether (and under which name) they chose to show them."""

    active_days: int
    show_days: bool = False
    name: str = ""
    joined: int = 0
    """Only to keep the list stable when two people chose the same name (the join order)."""


@dataclass(frozen=True)
class Shown:
    """A member who chose to show their days: their name and their own days, nothing else."""

    name: str
    active_days: int
    words: str


@dataclass(frozen=True)
class GroupWeek:
    """What the group sees this week."""

    members: int
    moved: int
    """How many members had at least one active day this week (never which)."""
    active_days: int
    """Every member's active days this week, added together."""
    shown: tuple[Shown, ...]
    """The members who chose to show their days, by name (alphabetical), never by days."""
    summary: str


def group_week(members: Iterable[MemberWeek]) -> GroupWeek:
    """What the group sees this week: counts of everyone, and the days of those who chose to
    show them, in alphabetical order of their names.

    A member who did not choose to show their days appears only inside the two
    counts. Days outside 0-7 are refused (a week has seven days).

    >>> week = group_week([MemberWeek(2, True, "Sam", 1), MemberWeek(0, joined=2),
    ...                    MemberWeek(3, True, "ana", 3)])
    >>> week.summary
    'This week 2 people in the group moved, on 5 days in all.'
    >>> [(s.name, s.active_days) for s in week.shown]
    [('ana', 3), ('Sam', 2)]
    """
    people = list(members)
    for m in people:
        if isinstance(m.active_days, bool) or not 0 <= m.active_days <= 7:
            raise ValueError(f"A week has 0 to 7 active days; got {m.active_days!r}.")
    moved = sum(1 for m in people if m.active_days > 0)
    total = sum(m.active_days for m in people)
    opted = sorted((m for m in people if m.show_days and m.name),
                   key=lambda m: (m.name.casefold(), m.name, m.joined))
    shown = tuple(Shown(m.name, m.active_days, _days_words(m.active_days)) for m in opted)
    return GroupWeek(members=len(people), moved=moved, active_days=total, shown=shown,
                     summary=_summary(len(people), moved, total))


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _summary(members: int, moved: int, days: int) -> str:
    """The group's week in one sentence: what was done, never what was not."""
    if members <= 1:
        return "It is just you here so far. Share the invite code with someone you would like along."
    if moved == 0:
        return "A quiet week so far for the group. Rest is care too."
    who = "1 person in the group moved" if moved == 1 else f"{moved} people in the group moved"
    return f"This week {who}, on {_plural(days, 'day', 'days')} in all."


def _days_words(days: int) -> str:
    """A shown member's week in their own terms, never set against anyone else's."""
    if days == 0:
        return "a quiet week so far"
    return f"moved on {_plural(days, 'day', 'days')} this week"


# -- what people type --------------------------------------------------------------------


def _clean(value: object) -> str:
    """``value`` as one line of text: control characters and runs of spaces gone."""
    text = "" if value is None else str(value)
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    return " ".join(text.split())


def group_name(value: object) -> str:
    """A group's name, tidied; refused when empty or too long.

    >>> group_name("  Tuesday   walkers ")
    'Tuesday walkers'
    """
    name = _clean(value)
    if not name:
        raise InvalidInput("name", "Please give the group a name, like “Tuesday walkers”.")
    if len(name) > GROUP_NAME_LIMIT:
        raise InvalidInput("name", f"Please keep the group's name to {GROUP_NAME_LIMIT} characters "
                                   f"or fewer (this one has {len(name)}).")
    return name


def display_name(value: object, *, show_days: bool) -> str:
    """The first name or nickname shown beside a member's days; "" when they chose none.

    Showing your days needs a name to show them under; a name alone, without
    showing days, is kept but never shown.

    >>> display_name(" Sam ", show_days=True)
    'Sam'
    """
    name = _clean(value)
    if len(name) > NAME_LIMIT:
        raise InvalidInput("display_name", f"Please keep the name to {NAME_LIMIT} characters or "
                                           f"fewer (this one has {len(name)}).")
    if show_days and not name:
        raise InvalidInput("display_name", "To show your days, please give a first name or a "
                                           "nickname to show them under.")
    return name


def code(value: object) -> str:
    """An invite code as typed, made plain: capitals, without spaces or dashes; refused when it
    cannot be a code at all (nothing is looked up then).

    >>> code(" abcd-efgh-jk23 ")
    'ABCDEFGHJK23'
    """
    typed = "".join(c for c in ("" if value is None else str(value)).upper()
                    if c not in " -\t\r\n")
    if not typed:
        raise InvalidInput("code", "Please type the invite code someone in the group gave you.")
    if len(typed) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in typed):
        raise InvalidInput("code", "That does not look like an invite code: it has "
                                   f"{CODE_LENGTH} letters and digits, like ABCD-EFGH-JK23. "
                                   "Please check it with the person who gave it to you.")
    return typed


def shown_code(plain: str) -> str:
    """An invite code in groups of four, easier to read out and type.

    >>> shown_code("ABCDEFGHJK23")
    'ABCD-EFGH-JK23'
    """
    return "-".join(plain[i:i + 4] for i in range(0, len(plain), 4))

"""Every read about peer groups, returning core's values; the active days come from the one
rhythm reading of the store (``store.queries.rhythm_record`` and ``core.rhythm``)."""

from __future__ import annotations

from datetime import datetime

from kindstep.core import groups as rules
from kindstep.groups.models import GroupMembership
from kindstep.store import mapping, models, queries


def my_groups(person: models.Person) -> list[GroupMembership]:
    """The person's memberships, each with its group, by the group's name."""
    return list(GroupMembership.objects.select_related("group").filter(person=person)
                .order_by("group__name", "group_id"))


def members(group_id: int) -> int:
    return GroupMembership.objects.filter(group_id=group_id).count()


def active_days_this_week(person: models.Person, now: datetime) -> int:
    """The person's active days in their own current week, exactly as their Rhythm page counts them."""
    from kindstep.core.rhythm import rhythm_of

    today = queries.today(person, now)
    sessions, rests = queries.rhythm_record(person, until=today)
    return rhythm_of(sessions, rests, mapping.profile(person), today=today).active_days_this_week


def group_week(group_id: int, now: datetime) -> rules.GroupWeek:
    """What the group sees this week (``core.groups.group_week``): each member's own week."""
    rows = list(GroupMembership.objects.filter(group_id=group_id).order_by("joined_at", "pk")
                .values_list("person_id", "show_my_days", "display_name"))
    people = models.Person.objects.in_bulk([person for person, _, _ in rows])
    week = []
    for order, (person_id, show, name) in enumerate(rows):
        person = people.get(person_id)
        if person is None:  # erased a moment ago; its memberships are going with it
            continue
        week.append(rules.MemberWeek(active_days_this_week(person, now), show, name, order))
    return rules.group_week(week)

"""Every write about peer groups: one function each, each checking what it was given first and
then writing in one transaction, as ``store/actions.py`` does for a person's record.

A refusal is an ``InvalidInput`` naming the field, with nothing written; a group the person
is not in is :class:`NotInGroup`, which every page answers as a group that does not exist.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction

from kindstep.core import groups as rules
from kindstep.core.checks import InvalidInput
from kindstep.groups.models import GroupMembership, PeerGroup
from kindstep.store import models

MAX_GROUPS = 20
"""How many groups one person may be in at once: a few circles, not a crowd."""


class NotInGroup(LookupError):
    """The group does not exist, or the person is not in it (the same answer for both)."""


def new_code() -> str:
    """A fresh random invite code (``core.groups``: 12 of 32 easily read characters)."""
    return "".join(secrets.choice(rules.CODE_ALPHABET) for _ in range(rules.CODE_LENGTH))


def _unused_code() -> str:
    while True:  # 10 ** 18 codes: a clash is all but impossible, and then another is drawn
        code = new_code()
        if not PeerGroup.objects.filter(code=code).exists():
            return code


def _room_for_another(person: models.Person) -> None:
    if GroupMembership.objects.filter(person=person).count() >= MAX_GROUPS:
        raise InvalidInput("code", f"You are in {MAX_GROUPS} groups already, the most kindstep "
                                   "keeps at once. Leaving one makes room for another.")


def create_group(person: models.Person, *, name: object, now: datetime) -> PeerGroup:
    """Make a group called ``name`` with ``person`` as its first member and its creator."""
    clean = rules.group_name(name)
    _room_for_another(person)
    with transaction.atomic():
        group = PeerGroup.objects.create(name=clean, code=_unused_code(), created_by=person,
                                         created_at=now, max_members=rules.MAX_MEMBERS)
        GroupMembership.objects.create(group=group, person=person, joined_at=now)
    return group


def join_group(person: models.Person, *, code: object, now: datetime) -> PeerGroup:
    """Join the group whose invite code is ``code``; joining one's own group again changes
    nothing. A code that joins no group, or a full group, is refused with nothing written."""
    typed = rules.code(code)
    with transaction.atomic():
        group = PeerGroup.objects.select_for_update().filter(code=typed).first()
        if group is None:
            raise InvalidInput("code", "No group has that invite code. Please check it with the "
                                       "person who gave it to you; it may have been replaced.")
        if GroupMembership.objects.filter(group=group, person=person).exists():
            return group
        _room_for_another(person)
        if GroupMembership.objects.filter(group=group).count() >= group.max_members:
            raise InvalidInput("code", f"That group already has {group.max_members} people, as "
                                       "many as a group holds. Perhaps start a new one?")
        try:
            with transaction.atomic():
                GroupMembership.objects.create(group=group, person=person, joined_at=now)
        except IntegrityError:  # joined a moment ago in another tab: that is fine
            pass
    return group


def membership(person: models.Person, group_id: object) -> GroupMembership:
    """The person's membership of group ``group_id``; :class:`NotInGroup` when there is none."""
    try:
        pk = int(str(group_id))
    except ValueError:
        raise NotInGroup(group_id) from None
    found = (GroupMembership.objects.select_related("group")
             .filter(group_id=pk, person=person).first())
    if found is None:
        raise NotInGroup(group_id)
    return found


def choose(person: models.Person, group_id: object, *, show_my_days: object,
           display_name: object) -> GroupMembership:
    """Save what the person lets this group see: their days (under a name) or only the counts."""
    mine = membership(person, group_id)
    show = show_my_days in (True, "on", "1", "true", "yes")
    name = rules.display_name(display_name, show_days=show)
    mine.show_my_days, mine.display_name = show, name
    with transaction.atomic():
        mine.save(update_fields=["show_my_days", "display_name"])
    return mine


def leave_group(person: models.Person, group_id: object) -> None:
    """Take the person out of the group: from that moment it counts and shows nothing of them.

    The last person to leave takes the group (its name and code) with them; a creator
    who leaves hands the code to the member who has been there longest.
    """
    mine = membership(person, group_id)
    with transaction.atomic():
        _leave([mine.pk], [mine.group_id])


def _leave(membership_ids: list[int], group_ids: list[int]) -> None:
    GroupMembership.objects.filter(pk__in=membership_ids).delete()
    for group in PeerGroup.objects.select_for_update().filter(pk__in=group_ids):
        left = GroupMembership.objects.filter(group=group).order_by("joined_at", "pk").first()
        if left is None:
            group.delete()
        elif not GroupMembership.objects.filter(group=group,
                                                person_id=group.created_by_id).exists():
            group.created_by_id = left.person_id
            group.save(update_fields=["created_by"])


def rotate_code(person: models.Person, group_id: object) -> str:
    """Give the group a new invite code (its creator only): the old one joins nothing from now.

    Anyone else gets :class:`NotInGroup`, as for a group they are not in.
    """
    mine = membership(person, group_id)
    if mine.group.created_by_id != person.pk:
        raise NotInGroup(group_id)
    with transaction.atomic():
        group = PeerGroup.objects.select_for_update().get(pk=mine.group_id)
        group.code = _unused_code()
        group.save(update_fields=["code"])
    return group.code


def forget_person(sender=None, *, person_id: int, **_) -> None:
    """Take an erased person out of every group (``store.export_erase.person_erasing``), inside
    the erase's transaction."""
    rows = list(GroupMembership.objects.filter(person_id=person_id).values_list("pk", "group_id"))
    _leave([pk for pk, _ in rows], [group for _, group in rows])
    PeerGroup.objects.filter(created_by_id=person_id).update(created_by=None)

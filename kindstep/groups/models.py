"""A peer group and who is in it."""

from __future__ import annotations

from django.db import models


class PeerGroup(models.Model):
    """A small group keeping each other company; joined with its invite code.

    The code is random (``core.groups.CODE_ALPHABET``), shown to the group's members
    so they can invite someone, and its creator can replace it at any time: the old
    one then joins nothing. It is never put in an address.
    """

    name = models.CharField(max_length=60)
    code = models.CharField(max_length=16, unique=True)
    """Plain capitals, no dashes (``core.groups.code``)."""
    created_by = models.ForeignKey("kindstep.Person", on_delete=models.DO_NOTHING,
                                   db_constraint=False, null=True, related_name="+")
    """The person who made it (may replace the code); None once they erased their record."""
    created_at = models.DateTimeField()
    max_members = models.PositiveSmallIntegerField(default=30)

    class Meta:
        db_table = "kindstep_peer_group"

    def __str__(self) -> str:
        return f"group {self.pk}"


class GroupMembership(models.Model):
    """One person in one group, and what they chose to let it see.

    The person has no database constraint, as ``accounts.Member``: erasing a record
    deletes the person with plain SQL, and the erase takes these rows with it
    (``groups.actions.forget_person``, through ``store.export_erase.person_erasing``).
    """

    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey("kindstep.Person", on_delete=models.DO_NOTHING,
                               db_constraint=False, related_name="+")
    joined_at = models.DateTimeField()
    show_my_days = models.BooleanField(default=False)
    """Opt-in: list my own active days this week under ``display_name``."""
    display_name = models.CharField(max_length=40, blank=True, default="")
    """A first name or nickname; shown only while ``show_my_days`` is on."""

    class Meta:
        db_table = "kindstep_group_membership"
        constraints = [models.UniqueConstraint(fields=["group", "person"],
                                               name="kindstep_group_membership_once")]

    def __str__(self) -> str:
        return f"membership {self.pk}"

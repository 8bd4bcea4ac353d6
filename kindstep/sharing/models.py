"""A member's one-time invitations, the shares they make, and the audit of every view.

Each points at the member's person with no database constraint, as
``accounts.Member`` does: erasing a record deletes the person with plain SQL
(``store.export_erase``), and a share whose person is gone is over
(``queries.live_share``); deleting the account deletes the rows (``owner``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ShareInvitation(models.Model):
    """An invitation a member made: the code's hash (never the code), what it will share,
    and whether it was used. One use; it expires after ``core.sharing.INVITE_DAYS``."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("kindstep.Person", on_delete=models.DO_NOTHING, db_constraint=False,
                               related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=16)
    scopes = models.JSONField(default=list)
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "kindstep_share_invitation"

    def __str__(self) -> str:
        return f"share invitation {self.pk}"


class Share(models.Model):
    """What one member lets one other account see of their record, and until when."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("kindstep.Person", on_delete=models.DO_NOTHING, db_constraint=False,
                               related_name="+")
    grantee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="kindstep_shares_received")
    role = models.CharField(max_length=16)
    scopes = models.JSONField(default=list)
    ends_on = models.DateField(null=True, blank=True)
    """The last day it can be seen (the member's own day); None: until revoked."""
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    last_looked_at = models.DateTimeField(null=True, blank=True)
    """When the grantee last opened the member's shared record (the item-9 flag's start)."""

    class Meta:
        db_table = "kindstep_share"
        indexes = [models.Index(fields=["grantee", "revoked_at"]),
                   models.Index(fields=["person"])]

    def __str__(self) -> str:
        return f"share {self.pk}"


class ShareView(models.Model):
    """One view of a member's shared record: who, which share, what, when."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="views")
    grantee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="+")
    what = models.CharField(max_length=32)
    at = models.DateTimeField()

    class Meta:
        db_table = "kindstep_share_view"
        indexes = [models.Index(fields=["share", "at"])]

    def __str__(self) -> str:
        return f"share view {self.pk}"

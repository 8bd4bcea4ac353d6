"""A personal access token: what opens the REST API for one account."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """One personal access token of one account, kept only as its SHA-256 hash.

    The token itself (``ks_`` and 43 characters of a random 32-byte secret) is shown
    once, when it is made; kindstep cannot show it again. ``read_only`` tokens can
    read the record but never change it. A revoked token opens nothing, and stays
    listed (with when it was revoked) so its owner can see what it was.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="kindstep_api_tokens")
    label = models.CharField(max_length=80)
    read_only = models.BooleanField(default=False)
    token_hash = models.CharField(max_length=64, unique=True)
    """The hex SHA-256 of the whole token: a 256-bit random secret needs no slow hash."""
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "kindstep_api_token"
        indexes = [models.Index(fields=["user", "label"], name="kindstep_api_token_user_label")]

    def __str__(self) -> str:
        return f"token {self.pk}"

    @property
    def scope(self) -> str:
        """What the token may do, in words: "read" or "read and write"."""
        return "read" if self.read_only else "read and write"

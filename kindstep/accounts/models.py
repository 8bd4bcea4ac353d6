"""An account's person, and the email addresses invited to open one."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Member(models.Model):
    """Links one sign-in account to the one person whose record it opens.

    The link has no database constraint on purpose: erasing a record
    (``store.export_erase.erase_all``) deletes the person with plain SQL, and
    the account then starts afresh with a new, empty person on its next page
    (``people.person_for``), as local mode does after an erase.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="kindstep_member")
    person = models.OneToOneField("kindstep.Person", on_delete=models.DO_NOTHING,
                                  db_constraint=False, null=True, related_name="+")

    class Meta:
        db_table = "kindstep_member"

    def __str__(self) -> str:
        return f"member {self.pk}"


class Invitation(models.Model):
    """An email address an admin has invited to open an account (``KINDSTEP_SIGNUP=invite``).

    No token: the person signs up with this address and proves it is theirs with
    the code kindstep emails, as every new account does.
    """

    email = models.EmailField(unique=True)
    invited_at = models.DateTimeField(auto_now_add=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "kindstep_invitation"

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

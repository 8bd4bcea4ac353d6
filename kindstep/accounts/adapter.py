"""How kindstep's accounts differ from allauth's defaults: who may sign up, and where to go."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

PAUSED = ("Signing in to this account is paused for a while after several wrong passwords, to "
          "keep it safe. Please try again later, or ask for a sign-in code by email.")
"""allauth's lockout message, in kindstep's own calmer words."""


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up follows ``KINDSTEP_SIGNUP``; an invited address is marked as accepted."""

    error_messages = {**DefaultAccountAdapter.error_messages, "too_many_login_attempts": PAUSED}

    def is_open_for_signup(self, request) -> bool:
        """Open and invite modes show the sign-up form (invite mode checks the address
        after it is sent, without saying so on the page: ``forms.SignupForm``); closed mode
        shows a calm page saying who to ask."""
        return settings.SIGNUP in {"open", "invite"}

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from kindstep.accounts.models import Invitation
            from kindstep.web.clock import now

            Invitation.objects.filter(email=user.email.lower(), accepted_at=None).update(
                accepted_at=now())
        return user

    def send_account_already_exists_mail(self, email: str) -> None:
        """allauth's mail for a sign-up with an address that has an account; for an address
        that was not invited (``forms.SignupForm``), a kind word on how accounts open here."""
        from allauth.core import context

        if getattr(context.request, "kindstep_not_invited", False):
            self.send_mail("account/email/not_invited", email,
                           {"contact": settings.INVITE_CONTACT, "email": email})
            return
        super().send_account_already_exists_mail(email)

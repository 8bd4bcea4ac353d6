"""The sign-up form: allauth's, with invite mode's one extra rule."""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.conf import settings


class SignupForm(AllauthSignupForm):
    """In invite mode, only an email address an admin has invited may open an account.

    The page never says which addresses were invited: a sign-up with any other address
    takes allauth's enumeration-proof path (the one for an address that already has an
    account): the same "we sent you a code" step, no account made, and an email to that
    address saying kindly that accounts here open by invitation
    (``adapter.AccountAdapter.send_account_already_exists_mail``).
    """

    not_invited = False

    def clean_email(self):
        email = super().clean_email()
        if settings.SIGNUP == "invite" and email and not self.account_already_exists:
            from kindstep.accounts.models import Invitation

            if not Invitation.objects.filter(email=email.strip().lower()).exists():
                self.not_invited = True
                self.account_already_exists = True  # nothing is saved; the same next page
        return email

    def try_save(self, request):
        request.kindstep_not_invited = self.not_invited
        if self.account_already_exists:
            # The same slow Argon2 hash a real sign-up makes, so the time the answer
            # takes does not tell either (Django's sign-in does the same for no account).
            from django.contrib.auth.hashers import make_password

            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)

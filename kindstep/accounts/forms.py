"""The sign-up form: allauth's, with invite mode's one extra rule."""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings

NOT_INVITED = ("This kindstep server opens accounts by invitation. Please ask the people who "
               "run it to invite this email address; nothing has been saved.")


class SignupForm(AllauthSignupForm):
    """In invite mode, only an email address an admin has invited may open an account."""

    def clean_email(self):
        email = super().clean_email()
        if settings.SIGNUP == "invite":
            from kindstep.accounts.models import Invitation

            if not Invitation.objects.filter(email=email.strip().lower()).exists():
                raise forms.ValidationError(NOT_INVITED)
        return email

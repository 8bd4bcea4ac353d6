"""Server mode's cast: members (each an account and its own person) and an admin."""

from __future__ import annotations

PASSWORD = "a gentle walk by the river 42"
"""A password Django's validators accept (long, not common, not numeric)."""

PROXIED = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_HOST": "testserver",
           "HTTP_ORIGIN": "https://testserver"}
"""What the reverse proxy terminating TLS adds to every request (SECURE_PROXY_SSL_HEADER), and
the Origin a browser sends with a form (checked against CSRF on https)."""


def make_member(email: str, *, person=None, admin: bool = False, password: str = PASSWORD):
    """An account with a verified email, linked to ``person`` (a new one when None)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from kindstep.accounts.models import Member
    from kindstep.store.models import Person

    user = get_user_model().objects.create_user(username=email, email=email, password=password,
                                                is_staff=admin, is_superuser=admin)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Member.objects.create(user=user, person=person or Person.objects.create(timezone="UTC"))
    return user


def proxied_client(**kwargs):
    from django.test import Client

    return Client(**PROXIED, **kwargs)


def member_client(person, email: str, *, admin: bool = False):
    """A test client signed in as a new member whose record is ``person``'s."""
    client = proxied_client()
    client.force_login(make_member(email, person=person, admin=admin),
                       backend="django.contrib.auth.backends.ModelBackend")
    return client

"""Attach the person a request acts for."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse

PURGE_EVERY = timedelta(minutes=1)
"""How often one web process looks for removed entries whose hour of undo is over."""


class PersonMiddleware:
    """Local mode: every request acts for the one implicit person (no login).

    Server mode: the signed-in account's own person (``accounts/people.py``); an
    anonymous visitor is sent to sign in, except on Help now (crisis lines need no
    account) and the account pages. Every query and action takes that person, so
    an entry of anyone else's answers 404 just like one that does not exist.

    It also deletes for good the entries removed more than an hour ago
    (``actions.purge_removed``), looking at most once a minute, so a page the
    browser already has costs no more than it did.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._person_id: int | None = None
        self._purge_due: datetime | None = None

    def _purge(self) -> None:
        from kindstep.store import actions
        from kindstep.web.clock import now

        at = now()
        if self._purge_due is None or at >= self._purge_due:
            self._purge_due = at + PURGE_EVERY
            # Never waits for another program writing (an import): no page, help above all,
            # is held up by tidying, which the next minute's request does instead.
            actions.purge_removed(now=at, wait=False)

    def __call__(self, request):
        if getattr(request, "kindstep_locked", False):  # web/unlock.py: nothing can be read yet
            request.person = None
        elif settings.MODE == "local":
            from kindstep.store import actions, models

            self._purge()
            if self._person_id is None:
                self._person_id = actions.local_person().pk
            request.person = models.Person.objects.filter(pk=self._person_id).first()
            if request.person is None:  # erased meanwhile: start afresh
                request.person = actions.local_person()
                self._person_id = request.person.pk
        else:
            self._purge()
            refused = self._server_person(request)
            if refused is not None:
                return refused
            response = self.get_response(request)
            if request.method == "POST" and request.path_info == _sign_out_path():
                # A shared phone or computer: the pages the service worker kept (Today, Log)
                # and anything in the browser's storage were this person's; the next person
                # to pick it up sees none of them.
                response["Clear-Site-Data"] = '"cache", "storage"'
            return response
        return self.get_response(request)

    @staticmethod
    def _server_person(request):
        """Server mode: the signed-in account's own person; a sign-in page for anyone else.

        Help now, the account pages (signing in, signing up, codes), the phone's install
        files and a calendar feed need no account; every other page sends an anonymous
        visitor to sign in and back.
        """
        path = request.path_info
        if path.startswith(API_PAGES):  # the API's token names the person (api/routes.py)
            request.person = None
            return None
        if path in _open_paths() or path.startswith((ACCOUNT_PAGES, FEED_PAGES)):
            user = getattr(request, "user", None)
            request.person = (_person_for(user) if user is not None and user.is_authenticated
                              else None)
            return None
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            # Only the path goes in ``next``: a query string could carry what a person typed.
            return redirect_to_login(path, reverse("account_login"))
        request.person = _person_for(request.user)
        return None


API_PAGES = "/api/"
"""Server mode's REST API: a bearer token, never a session, says who is asking."""

ACCOUNT_PAGES = "/accounts/"
"""Server mode: the account pages (allauth's and kindstep's own), open without signing in."""


def _person_for(user):
    from kindstep.accounts.people import person_for

    return person_for(user)


@functools.cache
def _open_paths() -> frozenset[str]:
    """Server mode: pages open without signing in, since they hold no one's data: Help now,
    and what a phone needs to install kindstep and keep Help now offline (phone_views.py)."""
    return frozenset(reverse(name) for name in
                     ("help_now", "manifest", "service_worker", "install", "offline"))


@functools.cache
def _sign_out_path() -> str:
    return reverse("account_logout")


FEED_PAGES = "/calendar/"
"""A reminders calendar feed, found by its random token alone (web/reminder_views.py)."""

"""Attach the person a request acts for."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse

PURGE_EVERY = timedelta(minutes=1)
"""How often one web process looks for removed entries whose hour of undo is over."""


class PersonMiddleware:
    """Local mode: every request acts for the one implicit person (no login).

    Server mode (until accounts exist): every page but Help now answers 503 with a
    calm page saying sign-in is not built yet.

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
        elif request.path_info == reverse("help_now"):
            # Help comes before everything, sign-in included: crisis lines need no account.
            request.person = None
        else:
            # Server mode's sign-in is not built yet: say so plainly instead of showing
            # anyone's data or failing half-way.
            from django.shortcuts import render

            return render(request, "kindstep/server_not_ready.html", {"nav": (), "current": ""},
                          status=503)
        return self.get_response(request)

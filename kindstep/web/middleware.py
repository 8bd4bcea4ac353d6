"""Attach the person a request acts for."""

from __future__ import annotations

from django.conf import settings


class PersonMiddleware:
    """Local mode: every request acts for the one implicit person (no login)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._person_id: int | None = None

    def __call__(self, request):
        if settings.MODE == "local":
            from kindstep.store import actions, models

            if self._person_id is None:
                self._person_id = actions.local_person().pk
            request.person = models.Person.objects.filter(pk=self._person_id).first()
            if request.person is None:  # erased meanwhile: start afresh
                request.person = actions.local_person()
                self._person_id = request.person.pk
        else:
            # Server mode needs accounts and login, which are not built yet: say so
            # plainly instead of showing anyone's data or failing half-way.
            from django.shortcuts import render

            return render(request, "kindstep/message.html", {
                "title": "kindstep's server mode is not ready yet",
                "message": "Accounts and login for clinics and groups are still being built. "
                           "For now, run kindstep in local mode on your own machine.",
                "nav": (), "current": "",
            }, status=503)
        return self.get_response(request)

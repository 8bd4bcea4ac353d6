"""Web fixtures: Alice is the one person of local mode, and the clock stands still at NOW."""

from __future__ import annotations

import pytest
import time_machine

from tests.conftest import NOW


@pytest.fixture(autouse=True)
def person(alice):
    """Alice, created first, so local mode's middleware acts for her on every request."""
    from kindstep.store import actions

    assert actions.local_person().pk == alice.pk
    return alice


@pytest.fixture
def make_client(person):
    """A function making Django's test client (``Client(**options)``); in server mode signed
    in as the member whose person is Alice, arriving through the https proxy as every
    server-mode request does (the same account for every client a test makes)."""
    from django.conf import settings
    from django.test import Client

    if settings.MODE != "server":
        return Client
    from tests.accounts.helpers import PROXIED, make_member

    member = make_member("alice@example.org", person=person)

    def signed_in(**options) -> Client:
        made = Client(**PROXIED, **options)
        made.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
        return made

    return signed_in


@pytest.fixture
def client(make_client):
    """Django's test client, as the person (in server mode, Alice's signed-in member)."""
    return make_client()


@pytest.fixture(autouse=True)
def frozen():
    """The clock stopped at NOW; ``frozen.shift(...)`` moves it on within a test."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def snapshot(db):
    """A function returning every row of every table a person owns, to prove a refusal wrote
    nothing at all (tests/conftest.py, ``every_row``)."""
    from tests.conftest import every_row

    return every_row


@pytest.fixture(autouse=True)
def rendered_context(monkeypatch):
    """``response.context`` for Jinja2 pages, as the test client gives it for Django's templates.

    Django instruments only its own template engine for the test client; this
    sends the same ``template_rendered`` signal from the Jinja2 backend, with
    the context the view passed, so a test can read what a page was given.
    """
    from django.template.backends import jinja2 as backend
    from django.test.signals import template_rendered

    render = backend.Template.render

    def instrumented(self, context=None, request=None):
        template_rendered.send(sender=self, template=self, context=dict(context or {}))
        return render(self, context, request)

    monkeypatch.setattr(backend.Template, "render", instrumented)

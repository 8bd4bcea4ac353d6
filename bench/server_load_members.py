"""The simulated members of bench/server_load.py (a locustfile; that script starts it).

Each simulated member is a different account (member0@example.org, member1@...),
signs in once through allauth's form, then does the daily loop LOAD_LOOPS times.
Requests go to gunicorn over plain http on loopback, with the headers the https
proxy in front of kindstep adds (X-Forwarded-Proto, the public Host, and the
Origin a browser sends with a form), so Django sees the deployment it expects.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import time
from datetime import UTC, datetime

import gevent
import gevent.event
from locust import HttpUser, between, constant, events, task
from locust.exception import StopUser

HOST = os.environ.get("LOAD_HOST", "kindstep.example.org")
MEMBERS = int(os.environ.get("LOAD_MEMBERS", "1000"))
LOOPS = int(os.environ.get("LOAD_LOOPS", "20"))
THINK = float(os.environ.get("LOAD_THINK", "1.0"))
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
USERS = int(os.environ.get("LOAD_USERS", "50"))
PROXIED = {"Host": HOST, "X-Forwarded-Proto": "https", "Origin": f"https://{HOST}"}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_accounts = itertools.count()
_signed_in = 0
_all_in = gevent.event.Event()
_loops_started = [0.0]
"""The loops start once every member has tried to sign in, so they run at full concurrency."""
_start = random.Random(16).randrange(MEMBERS)


@events.spawning_complete.add_listener
def _quit_when_all_done(user_count: int, **_) -> None:
    """Bound the run by its loops: once every member has stopped, locust stops too
    (``--run-time`` stays the outer limit), so the rates cover only time under load."""
    from locust.runners import STATE_STOPPED

    def watch(runner) -> None:
        while runner.user_count > 0:
            gevent.sleep(0.2)
        if os.environ.get("LOAD_TIMES") and _loops_started[0]:  # the loops' own seconds
            with open(os.environ["LOAD_TIMES"], "w") as f:
                f.write(str(time.monotonic() - _loops_started[0]))
        if runner.state != STATE_STOPPED:
            runner.quit()

    gevent.spawn(watch, _environment.runner)


_environment = None


@events.init.add_listener
def _remember(environment, **_) -> None:
    global _environment
    _environment = environment


class Member(HttpUser):
    wait_time = between(THINK / 2, THINK * 1.5) if THINK > 0 else constant(0)

    def on_start(self) -> None:
        self.email = f"member{(_start + next(_accounts)) % MEMBERS}@example.org"
        self.loops = 0
        page = self.client.get("/accounts/login/", headers=PROXIED, name="sign-in page")
        token = TOKEN.search(page.text)
        self._cookies_over_http()
        with self.client.post("/accounts/login/", headers=PROXIED, name="sign in",
                              allow_redirects=False, catch_response=True,
                              data={"login": self.email, "password": PASSWORD,
                                    "csrfmiddlewaretoken": token.group(1) if token else ""},
                              ) as answer:
            if answer.status_code != 302:
                answer.failure(f"sign in answered {answer.status_code}")
                self._arrived()
                raise StopUser()
        self._cookies_over_http()
        today = self.client.get("/", headers=PROXIED, name="first page")
        token = TOKEN.search(today.text)
        self.token = token.group(1) if token else ""
        self._arrived()

    def _arrived(self) -> None:
        global _signed_in
        _signed_in += 1
        if _signed_in >= USERS and not _all_in.is_set():
            _all_in.set()
            _loops_started[0] = time.monotonic()
        _all_in.wait()

    def _cookies_over_http(self) -> None:
        """Send the Secure cookies back over loopback's plain http, as a browser does over
        https to the proxy (the proxy is the part this benchmark leaves out). requests
        sends no Secure cookie over http, and builds a new cookie jar for each request,
        so a cookie policy on the session would not be used."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def _post(self, path: str, name: str, data: dict) -> None:
        self._cookies_over_http()
        with self.client.post(path, headers=PROXIED, name=name, allow_redirects=False,
                              catch_response=True,
                              data=data | {"csrfmiddlewaretoken": self.token}) as answer:
            if answer.status_code != 302:  # kindstep answers a saved form with a redirect
                answer.failure(f"{name} answered {answer.status_code}")

    def _get(self, path: str, name: str) -> None:
        self._cookies_over_http()
        with self.client.get(path, headers=PROXIED, name=name, allow_redirects=False,
                             catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{name} answered {answer.status_code}")

    @task
    def daily_loop(self) -> None:
        if self.loops >= LOOPS:
            raise StopUser()
        self.loops += 1
        self._post("/checkin/", "check-in POST",
                   {"energy": str(random.randint(2, 8)), "mood": str(random.randint(2, 8)),
                    "anxiety": str(random.randint(1, 7))})
        self.wait()
        self._get("/", "Today")
        self.wait()
        self._post("/log/", "Log POST",
                   {"activity": "walk", "minutes": str(random.randint(5, 30)),
                    "date": datetime.now(UTC).date().isoformat()})
        self.wait()
        self._get("/history/", "History")
        self.wait()
        self._get("/rhythm/", "Rhythm")
        self.wait()
        self._get("/help-now/", "Help now (baseline)")
        self.wait()

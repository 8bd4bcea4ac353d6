"""Guessing at the unlock page is slowed down, on a real locked SQLCipher file.

The WSGI app (``kindstep.web.wsgi``) is served by another WSGI server than `kindstep serve`:
the standard library's ``wsgiref`` in a child process here, and gunicorn below. In that
child the web clock (``kindstep/web/clock.py``) reads its time from a file the test moves
on, so waits are tested without sleeping. After five wrong passphrases each try waits,
twice as long each time up to 15 minutes; the page says how long in words; the right
passphrase during a wait is not even tried; nothing of the record is read before the
right one; and no passphrase is ever in a response, an address or a log line.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli.test_keeping import SCRIPT, make_kindstep
from tests.web.test_unlock_page import PASS, Browser, _free_port

START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

DRIVER = """
import sys
from datetime import datetime
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIServer, make_server

clock_file, port = Path(sys.argv[1]), int(sys.argv[2])
from kindstep.web import clock

clock.now = lambda: datetime.fromisoformat(clock_file.read_text().strip())
from kindstep.web.wsgi import application


class Threading(ThreadingMixIn, WSGIServer):
    daemon_threads = True


make_server("127.0.0.1", port, application, server_class=Threading).serve_forever()
"""


def _wait_for(base: str, server: subprocess.Popen) -> None:
    for _ in range(300):
        assert server.poll() is None, server.communicate()
        try:
            urllib.request.urlopen(base + "/help-now/", timeout=2)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise AssertionError("the server did not start")


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def locked(tmp_path):
    run = make_kindstep(tmp_path / "data")
    assert run("log", "walk", "15", "--note", "zebra-quartz-4711").returncode == 0
    made = subprocess.run([SCRIPT, "lock", "set"], env=run.env, input=PASS + "\n",
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    assert run("lock", "forget").returncode == 0
    return run


class Served:
    """The WSGI app under wsgiref, its clock at ``self.at`` (moved with :meth:`shift`)."""

    def __init__(self, run, tmp_path):
        self.clock_file = tmp_path / "clock"
        self.at = START
        self.clock_file.write_text(START.isoformat())
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-c", DRIVER, str(self.clock_file), str(port)], env=run.env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True)
        _wait_for(self.base, self.process)

    def shift(self, **delta) -> None:
        self.at += timedelta(**delta)
        self.clock_file.write_text(self.at.isoformat())

    def stop(self) -> str:
        self.process.terminate()
        out, err = self.process.communicate(timeout=20)
        return out + err


@pytest.fixture
def served(locked, tmp_path):
    server = Served(locked, tmp_path)
    yield server, locked
    log = server.stop()
    assert "Traceback" not in log, log
    assert PASS not in log and "guess-" not in log  # never in a log line


def _post(browser: Browser, passphrase: str):
    status, url, body = browser.post("/unlock/", {"passphrase": passphrase})
    assert passphrase not in body and passphrase not in url
    assert "zebra" not in body  # nothing of the record before the right passphrase
    return status, body


def test_after_five_wrong_passphrases_each_try_waits_longer_said_in_words(served):
    server, run = served
    before = _digest(run.db)
    browser = Browser(server.base)
    for n in range(1, 5):
        status, body = _post(browser, f"guess-{n}")
        assert status == 422 and "does not open this kindstep file" in body
        assert "try again in" not in body
    status, body = _post(browser, "guess-5")
    assert status == 422 and "does not open this kindstep file" in body
    assert "you can try again in 30 seconds" in body

    # During the wait even the right passphrase is not tried: the file stays locked.
    status, body = _post(browser, PASS)
    assert status == 429 and "you can try again in 30 seconds" in body
    status, url, body = browser.get("/history/")
    assert url.endswith("/unlock/") and "zebra" not in body
    assert "you can try again in 30 seconds" in body  # the page itself says so too
    status, _, body = browser.get("/help-now/")  # help never waits
    assert status == 200 and "zebra" not in body

    server.shift(seconds=20)
    status, body = _post(browser, "guess-6")
    assert status == 429 and "you can try again in 10 seconds" in body  # not counted either
    server.shift(seconds=10)
    status, body = _post(browser, "guess-7")
    assert status == 422 and "you can try again in a minute" in body
    server.shift(minutes=1)
    status, body = _post(browser, "guess-8")
    assert status == 422 and "you can try again in about 2 minutes" in body
    for waited, said in ((2, "about 4 minutes"), (4, "about 8 minutes"),
                         (8, "about 15 minutes"), (15, "about 15 minutes")):
        server.shift(minutes=waited)
        status, body = _post(browser, "guess-more")
        assert status == 422 and f"you can try again in {said}" in body  # capped at 15
    assert _digest(run.db) == before  # nothing written by any of it

    server.shift(minutes=15)
    status, url, body = browser.post("/unlock/", {"passphrase": PASS})
    assert status == 200 and url == server.base + "/"
    status, url, body = browser.get("/history/")
    assert url.endswith("/history/") and "zebra-quartz-4711" in body
    assert not run.db.read_bytes().startswith(b"SQLite format 3")


def test_many_tries_at_once_still_count_one_by_one(served):
    server, _ = served
    browsers = [Browser(server.base) for _ in range(10)]  # ten visits at once
    results: list[int] = []

    def guess(browser: Browser, n: int) -> None:
        results.append(_post(browser, f"guess-{n}")[0])

    threads = [threading.Thread(target=guess, args=(b, n)) for n, b in enumerate(browsers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == [422] * 5 + [429] * 5


def test_the_wsgi_app_under_gunicorn_asks_for_the_passphrase_and_never_crashes(locked):
    before = _digest(locked.db)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(Path(SCRIPT).with_name("gunicorn")), "--no-control-socket", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "kindstep.web.wsgi:application"],
        env=locked.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _wait_for(base, server)
        browser = Browser(base)
        status, url, body = browser.get("/")
        assert status == 200 and url.endswith("/unlock/") and "zebra" not in body
        assert _digest(locked.db) == before  # nothing read into a new table, nothing written
        status, _ = _post(browser, "guess-1")
        assert status == 422
        status, url, body = browser.post("/unlock/", {"passphrase": PASS})
        assert status == 200 and url == base + "/"
        status, url, body = browser.get("/history/")
        assert url.endswith("/history/") and "zebra-quartz-4711" in body
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    assert "Traceback" not in err, err
    assert PASS not in out + err and "guess-" not in out + err


def test_the_count_starts_again_after_the_right_passphrase_and_keeps_no_passphrase():
    from kindstep.web import unlock

    tries = unlock.Tries()
    for _ in range(unlock.FREE_TRIES):
        tries.note_wrong(START)
    assert tries.wait_left(START) == timedelta(seconds=30)
    assert tries.wait_left(START + timedelta(seconds=30)) is None
    tries.reset()  # what the right passphrase does
    assert (tries.wrong, tries.next_try, tries.wait_left(START)) == (0, None, None)
    assert set(vars(tries)) == {"wrong", "next_try", "guard"}  # a number and a time, no more
    assert [unlock.wait_after(n) for n in (4, 5, 6, 9, 10, 40)] == [
        timedelta(0), timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=8),
        timedelta(minutes=15), timedelta(minutes=15)]

"""Server mode with many members at once, and a record moving in and out: real `kindstep serve`
(gunicorn) and a real `kindstep worker` on the real PostgreSQL, requested as a browser behind
the TLS proxy would (X-Forwarded-Proto: https, the public Host and Origin).

1. Twenty members, each from their own thread and signed in with their own password, log 25
   sessions each at the same time against two gunicorn workers: afterwards PostgreSQL holds
   every note exactly once, under its own member's person; every answer was a page (no
   "locked", no error, no traceback); no page any member saw held another member's note.
2. Moving in: a record made in local mode with the CLI is exported, uploaded on the server's
   Import page, exported again from the server: the same record. And back: the server's
   export imported into a fresh local data folder exports the same record again.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest

from tests.server.conftest import (
    HOST,
    ORIGIN,
    SCRIPT,
    base_env,
    free_port,
    listening,
    production_env,
    request_keeping_cookies,
    run,
)

pytestmark = pytest.mark.postgres

CLIENTS = 20
SESSIONS = 25
PASSWORD = "a gentle walk by the river 42"


def started(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([SCRIPT, *args], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def serving(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = started(["serve", "--port", str(port), "--workers", str(workers)], env)
    for _ in range(300):
        if listening(port) or proc.poll() is not None:
            break
        time.sleep(0.1)
    assert proc.poll() is None, proc.communicate()
    return proc, port


def stopped(proc: subprocess.Popen, sig=signal.SIGTERM) -> tuple[str, str]:
    if proc.poll() is None:
        proc.send_signal(sig)
    return proc.communicate(timeout=60)


def create_member(env: dict[str, str], email: str) -> None:
    result = subprocess.run([SCRIPT, "createuser", email, "--password-stdin"], env=env,
                            input=PASSWORD + "\n", capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


class Browser:
    """One member's browser: its own cookies, every request proxied as https."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.pages: list[tuple[str, int, str]] = []  # (path, status, body) of every answer

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        sent = {"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})}
        if method == "POST":
            sent |= {"Origin": ORIGIN, "Referer": f"{ORIGIN}{path}"}
        return request_keeping_cookies(self.port, self.cookies, method, path, body, sent)

    def follow(self, method: str, path: str, body: bytes | None = None,
               headers: dict[str, str] | None = None) -> tuple[int, str]:
        """A request and its redirects, as a browser follows them; the last page."""
        status, got, data = self.request(method, path, body, headers)
        self.pages.append((path, status, data.decode(errors="replace")))
        while status in (301, 302, 303):
            path = got["location"]
            assert path.startswith("/"), path
            status, got, data = self.request("GET", path)
            self.pages.append((path, status, data.decode(errors="replace")))
        return status, data.decode(errors="replace")

    def token(self, path: str) -> str:
        status, html = self.follow("GET", path)
        assert status == 200, (path, status)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        fields = {"csrfmiddlewaretoken": self.token(path), **fields}
        return self.follow("POST", path, urlencode(fields).encode(),
                           {"Content-Type": "application/x-www-form-urlencoded"})

    def sign_in(self, email: str) -> None:
        status, html = self.post("/accounts/login/", {"login": email, "password": PASSWORD})
        assert status == 200 and 'name="password"' not in html, html[:500]


# ---------------------------------------------------------------- 1. many members at once


def shown(html: str) -> str:
    """The words a page shows: its body without tags (the head's htmx settings name "error"
    as a response code class, which no one reads)."""
    return re.sub(r"<[^>]+>", " ", html.partition("</head>")[2] or html)


def note_of(client: int, index: int) -> str:
    return f"member {client:02d} walk {index:02d} {uuid.uuid4().hex[:6]}"


def test_twenty_members_logging_at_once_keep_every_note_once_and_to_themselves(tmp_path,
                                                                               pg_database):
    env = production_env(tmp_path, pg_database)
    assert run(env, "migrate").returncode == 0
    emails = [f"member{n:02d}@example.org" for n in range(CLIENTS)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda email: create_member(env, email), emails))
    notes = {n: [note_of(n, i) for i in range(SESSIONS)] for n in range(CLIENTS)}
    server, port = serving(env, workers=2)
    browsers = [Browser(port) for _ in range(CLIENTS)]
    gate = threading.Barrier(CLIENTS)

    def member(n: int) -> None:
        browser = browsers[n]
        browser.sign_in(emails[n])
        gate.wait(timeout=120)  # every member signed in: now all log at once
        for index, note in enumerate(notes[n]):
            status, _ = browser.post("/log/", {"activity": "walk", "minutes": str(5 + index),
                                               "note": note})
            assert status == 200, (n, index, status)
        status, history = browser.follow("GET", "/history/")
        assert status == 200
        for note in notes[n]:
            assert note in history, (n, note)

    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            for done in [pool.submit(member, n) for n in range(CLIENTS)]:
                done.result(timeout=600)
    finally:
        _, err = stopped(server)

    with psycopg.connect(pg_database) as conn:
        rows = conn.execute(
            "SELECT u.email, s.note FROM kindstep_session s "
            "JOIN kindstep_member m ON m.person_id = s.person_id "
            "JOIN auth_user u ON u.id = m.user_id").fetchall()
    assert len(rows) == CLIENTS * SESSIONS  # none lost, none duplicated
    assert sorted(rows) == sorted((emails[n], note) for n in notes for note in notes[n])
    for n, browser in enumerate(browsers):
        others = [note for m in notes if m != n for note in notes[m]]
        for path, status, body in browser.pages:
            assert status in (200, 302), (path, status)
            low = shown(body).lower()
            assert "locked" not in low and "traceback" not in low, (path, low[:300])
            assert not re.search(r"\berror\b", low), (path, low[:300])
            assert not any(note in body for note in others), (n, path)
    assert "Traceback" not in err


# ---------------------------------------------------------------- 2. moving in, and back out


def local(data: Path):
    """The CLI in local mode on its own data folder."""
    env = base_env(data.parent) | {"KINDSTEP_DATA_DIR": str(data), "TZ": "UTC"}

    def kindstep(*args: str) -> str:
        result = run(env, *args)
        assert result.returncode == 0, (args, result.stderr)
        return result.stdout

    return kindstep


def upload(browser: Browser, name: str, data: bytes) -> str:
    """The Import page's form, as a browser sends it; the job page it answers with."""
    token = browser.token("/import/")
    boundary = uuid.uuid4().hex
    body = b"".join([
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{token}\r\n".encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="export"; filename="{name}"'
        "\r\nContent-Type: application/json\r\n\r\n".encode(), data,
        f"\r\n--{boundary}--\r\n".encode()])
    status, got, _ = browser.request("POST", "/import/", body, {
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert status == 302 and re.fullmatch(r"/import/\d+/", got["location"]), (status, got)
    return got["location"]


def later(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def comparable(path: Path) -> dict:
    """An export without what tells of the copy rather than the record: when the file was
    written (``exported_at``), the internal counter that bumps on every write
    (``settings.data_version``), when this database first made the person's row
    (``settings.created_at``: the account on the server, the fresh data folder at home), and
    the import jobs (the moving in is itself an upload, kept as a job on the server)."""
    doc = json.loads(path.read_text("utf-8"))
    doc.pop("exported_at")
    doc.pop("import_jobs")
    for key in ("data_version", "created_at"):
        doc["settings"].pop(key)
    return doc


def test_a_local_record_moves_into_a_server_account_and_back_out_exactly(tmp_path, pg_database):
    here = local(tmp_path / "home")
    here("log", "walk", "20m", "--date", "2026-11-20", "--note", "by the river, slowly")
    here("log", "yoga_gentle", "15m", "--date", "2026-11-21", "--before", "3", "--after", "5",
         "--note", "stretches on the floor")
    here("rest", "--date", "2026-11-22", "--note", "slept in, it was what I needed")
    here("checkin", "--energy", "3", "--mood", "4", "--anxiety", "6", "--minutes", "20")
    here("phq9", "--answers", "1,1,0,2,1,0,1,0,0", "--difficulty", "1")
    here("plan", "walk", "10m", "--date", later(20), "--time", "10:00", "--expect", "4")
    here("pause", "--until", later(5), "--reason", "unwell")
    first = tmp_path / "first.json"
    here("export", str(first))

    env = production_env(tmp_path, pg_database, KINDSTEP_TASKS="database", TZ="UTC")
    assert run(env, "migrate").returncode == 0
    create_member(env, "mover@example.org")
    server, port = serving(env, workers=2)
    worker = started(["worker", "--interval", "0.2"], env)
    try:
        browser = Browser(port)
        browser.sign_in("mover@example.org")
        job_page = upload(browser, "kindstep-export.json", first.read_bytes())
        deadline = time.monotonic() + 120
        while True:  # asked as htmx asks, until the worker has taken and finished the import
            status, got, _ = browser.request("GET", f"{job_page}status/", None,
                                             {"HX-Request": "true"})
            if status == 204:
                break
            assert status == 200 and time.monotonic() < deadline, status
            time.sleep(0.2)
        status, html = browser.follow("GET", job_page)
        assert '<h2 id="summary-title">Imported</h2>' in html, shown(html)[:1000]
        status, got, data = browser.request("GET", "/settings/export/")
        assert status == 200 and got["content-type"].startswith("application/json")
        assert got["content-disposition"].startswith('attachment; filename="kindstep-export-')
        second = tmp_path / "second.json"
        second.write_bytes(data)
    finally:
        _, serve_err = stopped(server)
        out, err = stopped(worker)
    assert "Traceback" not in serve_err + err
    assert "state=SUCCESSFUL" in err

    assert json.loads(first.read_text("utf-8"))["import_jobs"] == []
    jobs = json.loads(second.read_text("utf-8"))["import_jobs"]
    assert [job["state"] for job in jobs] == ["done"]  # the moving in, and nothing else
    assert comparable(second) == comparable(first)
    held = {name: len(rows) for name, rows in comparable(first).items()
            if isinstance(rows, list) and rows}
    assert held == {"sessions": 2, "checkins": 1, "rest_days": 1, "questionnaires": 1,
                    "pauses": 1, "plans": 1}

    there = local(tmp_path / "elsewhere")
    assert there("import", str(second)).startswith("From a kindstep export: ")
    third = tmp_path / "third.json"
    there("export", str(third))
    assert comparable(third) == comparable(first)

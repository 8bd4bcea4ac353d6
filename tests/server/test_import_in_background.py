"""The Import page with a real worker: `kindstep serve` and `kindstep worker` as real processes,
KINDSTEP_TASKS=database, on the real PostgreSQL and on SQLite.

The upload answers at once with the job's page (queued, with a plain refresh link and the
htmx poll); the worker imports; the page's status shows the progress while it reads, and
then the outcome: the import exactly once, or, for a file cut short part-way, a kind message
and nothing at all of the file in the database.
"""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid

import psycopg
import pytest

from tests.reliability.faults import health_export
from tests.server.conftest import (
    SCRIPT,
    base_env,
    free_port,
    listening,
    request_keeping_cookies,
    run,
)
from tests.words import unkind

RECORD_TABLES = ("kindstep_health_record", "kindstep_health_workout", "kindstep_daily_measure",
                 "kindstep_session", "kindstep_health_source")
"""Where an Apple Health import writes a person's data."""


class Site:
    """A real `kindstep serve` and, once started, a real `kindstep worker`, on one database."""

    def __init__(self, env: dict[str, str], count):
        self.env, self.count = env, count
        self.port = free_port()
        self.cookies: dict[str, str] = {}
        self.serve = subprocess.Popen([SCRIPT, "serve", "--no-browser", "--port", str(self.port)],
                                      env=env, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.worker: subprocess.Popen | None = None
        for _ in range(300):
            if listening(self.port) or self.serve.poll() is not None:
                break
            time.sleep(0.1)
        assert self.serve.poll() is None, self.serve.communicate()

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None):
        status, got, body = request_keeping_cookies(self.port, self.cookies, method, path, body,
                                                    dict(headers or {}))
        return status, got, body.decode()

    def upload(self, name: str, data: bytes) -> tuple[int, dict[str, str], str]:
        _, _, html = self.request("GET", "/import/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        boundary = uuid.uuid4().hex
        body = b"".join([
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f"{token}\r\n".encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="export"; filename="{name}"'
            "\r\nContent-Type: application/octet-stream\r\n\r\n".encode(), data,
            f"\r\n--{boundary}--\r\n".encode()])
        return self.request("POST", "/import/", body, {
            "Content-Type": f"multipart/form-data; boundary={boundary}"})

    def start_worker(self) -> None:
        self.worker = subprocess.Popen([SCRIPT, "worker", "--interval", "0.2"], env=self.env,
                                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)

    def watch(self, job_page: str, seconds: float = 240) -> list[str]:
        """Ask for the status as htmx does until the import is over; the progress lines seen."""
        lines: list[str] = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            status, headers, html = self.request("GET", f"{job_page}status/",
                                                 headers={"HX-Request": "true"})
            if status == 204:
                assert headers["hx-redirect"] == job_page
                return lines
            assert status == 200 and 'hx-trigger="every 2s"' in html
            lines += re.findall(r'<p role="status" id="progress-line">([^<]+)</p>', html)
            time.sleep(0.05)
        raise AssertionError("the import did not finish in time")

    def close(self) -> str:
        if self.serve.returncode is None:
            self.serve.send_signal(signal.SIGINT)
            self.serve.communicate(timeout=30)
        if self.worker is None or self.worker.returncode is not None:
            return ""
        self.worker.send_signal(signal.SIGTERM)
        out, err = self.worker.communicate(timeout=60)
        assert self.worker.returncode == 0, err
        assert out.rstrip().endswith("task(s).") and "Traceback" not in err
        return out + err


def open_site(request, tmp_path, engine: str) -> Site:
    env = base_env(tmp_path) | {"KINDSTEP_TASKS": "database", "TZ": "UTC"}
    if engine == "postgresql":
        url = request.getfixturevalue("pg_database")
        env["KINDSTEP_DATABASE_URL"] = url  # uploads wait in the database

        def count(table: str) -> int:
            with psycopg.connect(url) as conn:
                return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    else:
        database = tmp_path / "k.sqlite3"
        env["KINDSTEP_DATABASE_URL"] = f"sqlite:///{database}"

        def count(table: str) -> int:
            with sqlite3.connect(database) as conn:
                return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    assert run(env, "migrate").returncode == 0
    the_site = Site(env, count)
    the_site.engine = engine
    return the_site


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"])
def site(request, tmp_path):
    the_site = open_site(request, tmp_path, request.param)
    yield the_site
    the_site.close()


@pytest.fixture
def pg_site(request, tmp_path):
    the_site = open_site(request, tmp_path, "postgresql")
    yield the_site
    the_site.close()


def job_page_of(status: int, headers: dict[str, str]) -> str:
    assert status == 302, status
    found = re.fullmatch(r"/import/(\d+)/", headers["location"])
    assert found, headers["location"]
    return headers["location"]


def test_a_large_export_shows_its_progress_and_lands_exactly_once(site, tmp_path):
    export = health_export(tmp_path / "export.xml", 60_000)
    job_page = job_page_of(*site.upload("export.xml", export.read_bytes())[:2])

    status, _, html = site.request("GET", job_page)  # no worker yet: it waits its turn
    assert status == 200 and "waits its turn" in html
    assert f'<a href="{job_page}">Refresh to see how it is going</a>' in html
    assert f'hx-get="{job_page}status/"' in html and 'type="file"' not in html
    assert site.count("kindstep_health_record") == 0
    if site.engine == "postgresql":  # kept in the database, in pieces, for any worker to read
        assert site.count("kindstep_upload_chunk") == -(-export.stat().st_size // (4 * 2**20))

    site.start_worker()
    lines = site.watch(job_page)

    status, _, html = site.request("GET", job_page)
    assert status == 200 and "<h2 id=\"summary-title\">Imported</h2>" in html
    added = int(re.search(r"<strong>(\d+)</strong> added", html).group(1))
    assert added > 50_000 and site.count("kindstep_health_record") > 50_000
    if site.engine == "postgresql":
        # the figures are written from a second connection while the import's is open
        assert any(re.fullmatch(r"Read [\d.,]+ MB of [\d.,]+ MB \((\d|[1-9]\d)%\), [\d,]+ items "
                                r"so far\.", line) for line in lines), lines
    before = {table: site.count(table) for table in RECORD_TABLES}

    again = job_page_of(*site.upload("export.xml", export.read_bytes())[:2])  # the same file
    site.watch(again)
    _, _, html = site.request("GET", again)
    assert "<strong>0</strong> added" in html
    assert {table: site.count(table) for table in RECORD_TABLES} == before
    log = site.close()
    assert log.count("path=kindstep.work.tasks.run_import state=SUCCESSFUL") == 2
    assert "export.xml" not in log


def test_an_export_cut_short_part_way_leaves_nothing_and_the_page_says_so_kindly(site, tmp_path):
    xml = health_export(tmp_path / "export.xml", 30_000).read_bytes()
    job_page = job_page_of(*site.upload("export.xml", xml[: len(xml) * 3 // 4])[:2])
    site.start_worker()
    site.watch(job_page)

    status, _, html = site.request("GET", job_page)
    assert status == 200
    message = re.search(r'id="export-error"[^>]*>(.*?)</', html, re.S).group(1)
    assert "Nothing was changed." in message and not unkind(message)
    assert 'type="file"' in html  # the form again, to try another file
    assert {table: site.count(table) for table in RECORD_TABLES} == dict.fromkeys(RECORD_TABLES, 0)
    assert site.count("kindstep_upload_chunk") == 0
    assert "state=SUCCESSFUL" in site.close()  # a refused file is an answer, not trouble


def test_someone_elses_or_no_job_is_not_found(site):
    for path in ("/import/999999/", "/import/999999/status/"):
        assert site.request("GET", path)[0] == 404



@pytest.mark.postgres
def test_a_worker_killed_mid_import_leaves_nothing_and_the_page_says_so_later(pg_site, tmp_path):
    export = health_export(tmp_path / "export.xml", 60_000)
    job_page = job_page_of(*pg_site.upload("export.xml", export.read_bytes())[:2])
    pg_site.start_worker()
    deadline = time.monotonic() + 120
    while "Read " not in pg_site.request("GET", job_page)[2]:  # under way, rows being written
        assert time.monotonic() < deadline, "the import never started"
        time.sleep(0.05)
    pg_site.worker.send_signal(signal.SIGKILL)
    pg_site.worker.wait(timeout=30)
    pg_site.worker = None

    assert {table: pg_site.count(table) for table in RECORD_TABLES} == dict.fromkeys(
        RECORD_TABLES, 0)
    assert "Read " in pg_site.request("GET", job_page)[2]  # still shown as under way ...
    later = subprocess.run(  # ... until the worker's periodic pass, half an hour on
        [sys.executable, "-c", "import django, datetime as d; django.setup(); "
         "from kindstep.work.tasks import release_stalled_imports as r; "
         "r(d.datetime.now(d.UTC) + d.timedelta(minutes=31))"],
        env=pg_site.env | {"DJANGO_SETTINGS_MODULE": "kindstep.settings"}, capture_output=True,
        text=True, timeout=60)
    assert later.returncode == 0, later.stderr
    _, _, html = pg_site.request("GET", job_page)
    assert "not your file&#39;s. Nothing was changed" in html and 'type="file"' in html
    assert pg_site.count("kindstep_upload_chunk") == 0

"""The web's unlock page, on a real locked SQLite file served by a real `kindstep serve`:
every page asks for the passphrase first, Help now never does, a wrong passphrase is refused
kindly, and a right one opens kindstep for the rest of that server's life."""

from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from tests.cli.test_keeping import SCRIPT, make_kindstep

PASS = "correct horse battery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    run = make_kindstep(tmp_path / "data")
    run.env["XDG_RUNTIME_DIR"] = str(tmp_path / "runtime")
    (tmp_path / "runtime").mkdir(mode=0o700)
    assert run("log", "walk", "15", "--note", "zebra-quartz-4711").returncode == 0
    locked = subprocess.run([SCRIPT, "lock", "set"], env=run.env, input=PASS + "\n",
                            capture_output=True, text=True, timeout=60)
    assert locked.returncode == 0, locked.stderr
    assert run("lock", "forget").returncode == 0
    port = _free_port()
    server = subprocess.Popen([SCRIPT, "serve", "--port", str(port), "--no-browser"],
                              env=run.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/help-now/", timeout=2)
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    yield base, run
    server.terminate()
    out, err = server.communicate(timeout=20)
    assert "Traceback" not in err, err
    assert PASS not in out + err  # never in a log line


class Browser:
    """Cookies kept, redirects followed, forms posted with their CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str):
        try:
            response = self.opener.open(self.base + path, timeout=20)
            return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()

    def post(self, path: str, fields: dict):
        _, _, body = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=data,
                                         headers={"Referer": self.base + path})
        try:
            response = self.opener.open(request, timeout=60)
            return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()


def test_a_locked_file_asks_once_on_a_page_and_help_now_never_waits(served):
    base, _ = served
    browser = Browser(base)
    status, url, body = browser.get("/history/")
    assert status == 200 and url.endswith("/unlock/")
    assert "Your kindstep file is locked" in body and "zebra" not in body
    status, _, body = browser.get("/help-now/")
    assert status == 200 and "zebra" not in body
    status, url, body = browser.post("/unlock/", {"passphrase": "not the one"})
    assert status == 422 and "That passphrase does not open this kindstep file" in body
    assert "not the one" not in body and "not+the+one" not in url
    status, url, body = browser.post("/unlock/", {"passphrase": PASS})
    assert status == 200 and url == base + "/"
    status, url, body = Browser(base).get("/history/")  # the server keeps it open for everyone
    assert status == 200 and url.endswith("/history/") and "zebra-quartz-4711" in body
    _, run = served  # the file itself stays locked on disk

    assert not run.db.read_bytes().startswith(b"SQLite format 3")

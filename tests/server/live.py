"""A real `kindstep serve` in server mode (gunicorn) on the real PostgreSQL, for browser tests.

The browser plays the person behind the https proxy: it opens http://localhost:PORT (a
secure context for WebAuthn and for secure cookies) and sends the proxy's
``X-Forwarded-Proto``; that http origin is trusted for forms by ``browser_settings.py``.
Where another site sends the browser back to kindstep's https origin (a sign-in provider),
``TlsProxy`` is the proxy itself: TLS on loopback in front of the server's http port.
"""

from __future__ import annotations

import datetime
import ipaddress
import select
import signal
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.browser.conftest import CHROMIUM, FLAGS
from tests.server.conftest import SCRIPT, free_port, listening, production_env, run

REPO = Path(__file__).resolve().parents[2]


@dataclass
class LiveServer:
    url: str
    port: int
    env: dict
    process: subprocess.Popen
    output: str = field(default="")
    """Everything the server wrote (stdout and stderr), once it has stopped."""

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        out, err = self.process.communicate(timeout=30)
        self.output = out + err
        return self.output


def start(tmp_path: Path, database_url: str, *, port: int | None = None, workers: int = 2,
          origin_port: int | None = None, **settings: str) -> LiveServer:
    """Migrate ``database_url`` and start `kindstep serve` on it with production settings
    (the origin https://localhost:ORIGIN_PORT, by default the server's own port) and
    ``settings`` (KINDSTEP_ variables)."""
    port = port or free_port()
    env = production_env(tmp_path, database_url, KINDSTEP_ALLOWED_HOSTS="localhost",
                         KINDSTEP_ORIGIN=f"https://localhost:{origin_port or port}", **settings)
    migrated = run(env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    env |= {"DJANGO_SETTINGS_MODULE": "tests.server.browser_settings",
            "KINDSTEP_TEST_BROWSER_ORIGIN": f"http://localhost:{port}", "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([SCRIPT, "serve", "--port", str(port), "--workers", str(workers)],
                               env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    for _ in range(300):
        if listening(port) or process.poll() is not None:
            break
        time.sleep(0.1)
    assert process.poll() is None, process.communicate()
    return LiveServer(url=f"http://localhost:{port}", port=port, env=env, process=process)


def create_user(server: LiveServer, email: str, password: str) -> None:
    """An account made by `kindstep createuser`, as an admin makes one."""
    made = subprocess.run([SCRIPT, "createuser", email, "--password-stdin"], env=server.env,
                          input=password, text=True, capture_output=True, timeout=120)
    assert made.returncode == 0, made.stderr


def new_page(playwright, server: LiveServer, base_url: str = ""):
    """A phone-sized page in a fresh Chromium, as the person behind the https proxy (the
    test's ``TlsProxy`` when ``base_url`` is its address); script errors are collected in
    ``page.problems``."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    context = browser.new_context(base_url=base_url or server.url,
                                  viewport={"width": 390, "height": 844},
                                  ignore_https_errors=bool(base_url),  # the run's own certificate
                                  extra_http_headers={"X-Forwarded-Proto": "https"})
    page = context.new_page()
    page.problems = []
    # Script errors only: the service worker's own fetches go without the test's
    # X-Forwarded-Proto (a real proxy adds it to every request), and are redirected.
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    return browser, page


class TlsProxy:
    """The reverse proxy's TLS in miniature: https://localhost:``port`` with a certificate made
    for the run, each connection's bytes passed on to ``backend_port`` (plain http)."""

    def __init__(self, backend_port: int, folder: Path):
        certfile, keyfile = _self_signed(folder)
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(certfile, keyfile)
        self._backend = backend_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._pass_on, args=(conn,), daemon=True).start()

    def _pass_on(self, conn: socket.socket) -> None:
        try:
            tls = self._context.wrap_socket(conn, server_side=True)
        except (OSError, ssl.SSLError):
            conn.close()
            return
        backend = socket.create_connection(("127.0.0.1", self._backend))
        other = {tls: backend, backend: tls}
        try:
            while True:
                ready, _, _ = select.select([tls, backend], [], [], 60)
                if not ready:
                    return
                for sock in ready:
                    data = sock.recv(65536)
                    while sock is tls and tls.pending():
                        data += tls.recv(tls.pending())
                    if not data:
                        return
                    other[sock].sendall(data)
        except (OSError, ssl.SSLError):
            return
        finally:
            tls.close()
            backend.close()

    def close(self) -> None:
        self._listener.close()


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    certfile, keyfile = folder / "cert.pem", folder / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return certfile, keyfile


def violations(page) -> list[str]:
    """Every axe-core violation on the page (WCAG 2.2 A/AA rules), whatever its impact."""
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.test_accessibility import AXE_OPTIONS

    results = Axe().run(page, options=AXE_OPTIONS)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]

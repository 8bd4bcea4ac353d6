"""compose.yaml, deploy/Caddyfile and the Dockerfile say what docs/deploy.md says they do.

Docker cannot run on the test machines, so these read the files: the services, their
commands and settings, the origin Caddy serves, and that every setting kindstep is given
is one kindstep reads.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from kindstep import settings as kindstep_settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))
CADDYFILE = (ROOT / "deploy" / "Caddyfile").read_text("utf-8")
DEPLOY_DOC = (ROOT / "docs" / "deploy.md").read_text("utf-8")
SERVICES = COMPOSE["services"]
KINDSTEP_SERVICES = ("migrate", "web", "worker")


def test_compose_runs_the_four_parts_the_docs_name_and_a_migration_first():
    assert set(SERVICES) == {"db", "migrate", "web", "worker", "caddy"}
    assert SERVICES["migrate"]["command"] == ["kindstep", "migrate"]
    assert SERVICES["web"]["command"] == ["kindstep", "serve", "--host", "0.0.0.0", "--port",
                                          "8000", "--workers", "3"]
    assert SERVICES["worker"]["command"] == ["kindstep", "worker"]
    for name in ("web", "worker"):
        assert SERVICES[name]["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"}}
    assert SERVICES["db"]["image"].startswith("postgres:")
    assert "pg_isready" in SERVICES["db"]["healthcheck"]["test"]
    assert SERVICES["caddy"]["image"].startswith("caddy:")
    assert SERVICES["caddy"]["ports"] == ["80:80", "443:443", "443:443/udp"]
    assert "ports" not in SERVICES["web"]  # reachable by Caddy only
    for name in SERVICES:
        assert f"`{name}`" in DEPLOY_DOC, name


def test_every_kindstep_service_runs_in_server_mode_on_postgresql_with_tasks_in_the_database():
    for name in KINDSTEP_SERVICES:
        env = SERVICES[name]["environment"]
        assert env["KINDSTEP_MODE"] == "server"
        assert env["KINDSTEP_TASKS"] == "database"
        assert env["KINDSTEP_DATABASE_URL"].startswith("postgresql://kindstep:")
        assert env["KINDSTEP_DATABASE_URL"].endswith("@db:5432/kindstep")
        assert env["KINDSTEP_ORIGIN"] == "https://${KINDSTEP_HOST:?set KINDSTEP_HOST in .env}"
        assert env["KINDSTEP_ALLOWED_HOSTS"] == "${KINDSTEP_HOST:?set KINDSTEP_HOST in .env}"
        assert "KINDSTEP_UPLOAD_DIR" not in env  # uploads wait in the database: no shared files
        assert SERVICES[name]["build"] == "."


def test_every_setting_compose_gives_kindstep_is_one_kindstep_reads_and_the_readme_lists():
    source = Path(kindstep_settings.__file__).read_text("utf-8")
    readme = (ROOT / "README.md").read_text("utf-8")
    for name in KINDSTEP_SERVICES:
        for variable in SERVICES[name]["environment"]:
            assert f'"{variable}"' in source, variable
            assert f"| `{variable}` |" in readme, variable


def test_secrets_come_from_the_env_file_and_compose_refuses_without_them():
    text = (ROOT / "compose.yaml").read_text("utf-8")
    for secret in ("KINDSTEP_SECRET_KEY", "POSTGRES_PASSWORD", "KINDSTEP_HOST"):
        assert f"${{{secret}:?set {secret} in .env}}" in text
        assert f"{secret}=" in DEPLOY_DOC
    assert SERVICES["db"]["environment"]["POSTGRES_PASSWORD"] == (
        "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}")


def test_caddy_serves_the_origins_host_and_passes_requests_to_the_web_service():
    sites = re.findall(r"^(\S[^{\n]*?)\s*\{\s*$", CADDYFILE, re.M)
    assert sites == ["{$KINDSTEP_HOST}"]  # the variable KINDSTEP_ORIGIN is built from
    assert SERVICES["caddy"]["environment"]["KINDSTEP_HOST"].startswith("${KINDSTEP_HOST")
    assert re.search(r"^\s*reverse_proxy web:8000 \{", CADDYFILE, re.M)
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in SERVICES["caddy"]["volumes"]
    assert re.search(r"health_headers \{\s*Host \{\$KINDSTEP_HOST\}\s*X-Forwarded-Proto https",
                     CADDYFILE)
    directives = "\n".join(line.split("#", 1)[0] for line in CADDYFILE.splitlines())
    assert "trusted_proxies" not in directives  # so visitors' X-Forwarded-* are replaced


def test_the_image_installs_kindstep_and_runs_it_as_a_user_without_privileges():
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    assert dockerfile.startswith("#") and "FROM python:3.11-slim-bookworm" in dockerfile
    assert "RUN pip install ." in dockerfile and "USER kindstep" in dockerfile
    assert dockerfile.index("USER kindstep") > dockerfile.index("RUN pip install .")
    assert 'CMD ["kindstep", "serve", "--host", "0.0.0.0", "--port", "8000"]' in dockerfile

"""Server mode under load: many members with a year of data each, 50 of them at once on gunicorn.

Run (needs the real PostgreSQL on 127.0.0.1:5432, trust auth, user postgres):

    .venv/bin/pip install -e '.[bench]'   # locust
    .venv/bin/python bench/server_load.py [--members 1000] [--users 50] [--loops 20]
                                          [--run-time 600] [--workers 4] [--think 1.0]

What it does, all on this machine over loopback:

1. Makes its own database (``kindstep_load_<random>``), runs ``kindstep migrate`` on it,
   then writes ``--members`` accounts straight through kindstep's models with
   ``bulk_create`` (not through the web, which would take hours): each a user with a
   verified email, the same pre-computed Argon2 password hash (hashing a thousand
   passwords costs minutes and measures nothing here), a Member row and a Person with
   a year of daily check-ins, about 220 movement sessions and some rest days.
2. Starts ``kindstep serve --workers N`` in server mode (gunicorn), with the settings
   a real deployment has (KINDSTEP_MODE=server, an https ORIGIN behind a proxy).
3. Runs locust headless as a separate process (``bench/server_load_members.py``):
   ``--users`` simulated members, each a different account, sign in once through
   allauth's form and then do the daily loop ``--loops`` times: check in (POST),
   Today, log a walk (POST), History, Rhythm, and Help now, with ``--think``
   seconds (on average) between steps as a person pauses. Every request carries
   ``X-Forwarded-Proto: https``, as the proxy in front of kindstep would add.
   Members arrive 0.4 a second (allauth allows 30 sign-ins a minute from one address,
   and all come from 127.0.0.1 here); the loops start once all have signed in, so the
   steps are measured with every member active. The run is bounded: a member stops
   after its loops, and locust after ``--run-time``.
4. Prints p50, p95, p99 and requests per second for each step. Help now needs no
   sign-in and reads nothing of its own (only the person, as every page does), so it
   is the baseline: what a request through the same stack costs in the same run.
5. Stops gunicorn and drops the database, also on Ctrl-C or an error.

The load generator runs on the same cores as gunicorn and PostgreSQL, so the
figures are for the three together on this machine, not for the server alone.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

POSTGRES = os.environ.get("KINDSTEP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
HOST = "kindstep.example.org"
ORIGIN = f"https://{HOST}"
PASSWORD = "a walk in the park, 2026"
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
SPAWN_RATE = 0.4
"""Members arriving per second: under allauth's default limit of 30 sign-ins a minute from one
address (all of them come from 127.0.0.1 here), and Argon2's work spread out."""
STEPS = ["sign in", "check-in POST", "Today", "Log POST", "History", "Rhythm",
         "Help now (baseline)"]


def server_env(database_url: str, data_dir: str) -> dict[str, str]:
    """Server mode's production settings, as tests/server/conftest.py's production_env."""
    import secrets

    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINDSTEP_", "DJANGO_"))}
    return env | {
        "KINDSTEP_DATA_DIR": data_dir,
        "KINDSTEP_MODE": "server",
        "KINDSTEP_DATABASE_URL": database_url,
        "KINDSTEP_SECRET_KEY": secrets.token_urlsafe(50),
        "KINDSTEP_ALLOWED_HOSTS": HOST,
        "KINDSTEP_ORIGIN": ORIGIN,
        "KINDSTEP_TASKS": "immediate",
    }


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def seed(env: dict[str, str], members: int) -> dict[str, int]:
    """``members`` accounts, each with a person and a year of data, written in bulk."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kindstep.settings"
    from kindstep import boot

    boot.setup(web=True)
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connections, transaction

    from kindstep.accounts.models import Member
    from kindstep.core.catalogue import load_catalogue
    from kindstep.store import models

    User = get_user_model()
    catalogue = load_catalogue()
    codes = ["walk", "walk_dog", "yoga_gentle", "stretch_seated", "cycle", "tai_chi"]
    hashed = make_password(PASSWORD)  # one Argon2 hash, shared: see the docstring
    rng = random.Random(16)
    today = datetime.now(UTC).date()
    counts = {"check-ins": 0, "sessions": 0, "rest days": 0}
    batch = 50
    for start in range(0, members, batch):
        n = min(batch, members - start)
        with transaction.atomic():
            users = User.objects.bulk_create([
                User(username=f"member{i}@example.org", email=f"member{i}@example.org",
                     password=hashed) for i in range(start, start + n)])
            EmailAddress.objects.bulk_create([
                EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users])
            people = models.Person.objects.bulk_create([
                models.Person(timezone="UTC", country="GB", country_asked=True) for _ in users])
            Member.objects.bulk_create([Member(user=u, person=p) for u, p in zip(users, people, strict=True)])
            checkins, sessions, rests = [], [], []
            for person in people:
                for back in range(365, 0, -1):
                    d = today - timedelta(days=back)
                    at = datetime(d.year, d.month, d.day, 9, tzinfo=UTC)
                    checkins.append(models.CheckIn(
                        person=person, at=at, day=d, energy=rng.randint(1, 9),
                        mood=rng.randint(1, 9), anxiety=rng.randint(1, 9)))
                    if rng.random() < 0.6:
                        code = rng.choice(codes)
                        sessions.append(models.MovementSession(
                            person=person, day=d, activity=code, minutes=rng.randint(5, 45),
                            met=catalogue[code].met, mood_before=rng.randint(2, 7),
                            mood_after=rng.randint(3, 8)))
                    elif rng.random() < 0.3:
                        rests.append(models.RestDay(person=person, day=d))
            models.CheckIn.objects.bulk_create(checkins, batch_size=5000)
            models.MovementSession.objects.bulk_create(sessions, batch_size=5000)
            models.RestDay.objects.bulk_create(rests, batch_size=5000)
        counts["check-ins"] += len(checkins)
        counts["sessions"] += len(sessions)
        counts["rest days"] += len(rests)
    with connections["default"].cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give a live server
    connections.close_all()
    return counts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"kindstep serve stopped at once (exit {server.returncode})")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"kindstep serve did not listen on port {port} within {seconds} s")


def stop(process: subprocess.Popen | None) -> None:
    """Stop a process we started and everything it started (its own process group)."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


def report(stats_csv: Path, loop_seconds: float) -> list[dict]:
    """The per-step rows of locust's stats CSV, in the loop's order."""
    with stats_csv.open(newline="") as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    out = []
    for step in STEPS:
        row = rows.get(step)
        if row is None:
            continue
        out.append({
            "step": step, "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "p50": row["50%"], "p95": row["95%"], "p99": row["99%"],
            # sign in happens before the loops start; each step's rate is over the loops' time
            "rps": float(row["Requests/s"]) if step == "sign in"
            else int(row["Request Count"]) / loop_seconds,
        })
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000, help="accounts with a year of data")
    parser.add_argument("--users", type=int, default=50, help="simulated members at once")
    parser.add_argument("--loops", type=int, default=20, help="daily loops per simulated member")
    parser.add_argument("--run-time", type=int, default=600, help="locust's limit, seconds")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--think", type=float, default=1.0,
                        help="average pause between steps, seconds (0: none)")
    args = parser.parse_args()
    if not 1 <= args.users <= args.members:
        parser.error("--users is at least 1 and at most --members")

    # Ctrl-C and SIGTERM both leave through the finally below.
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in background
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    name = f"kindstep_load_{uuid.uuid4().hex[:10]}"
    work = Path(tempfile.mkdtemp(prefix="kindstep-load-"))
    env = server_env(f"{POSTGRES}/{name}", str(work / "data"))
    server = None
    admin(f'CREATE DATABASE "{name}"')
    try:
        migrated = subprocess.run([str(BIN / "kindstep"), "migrate"], env=env,
                                  capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if migrated.returncode:
            raise RuntimeError(f"kindstep migrate: {migrated.stderr.strip()}")
        started = time.perf_counter()
        counts = seed(env, args.members)
        took = time.perf_counter() - started
        print(f"{args.members} members, each with a year of data "
              f"({', '.join(f'{v} {k}' for k, v in counts.items())} in all), "
              f"written in {took:.1f} s")

        port = free_port()
        server = subprocess.Popen(
            [str(BIN / "kindstep"), "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(args.workers)],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=(work / "gunicorn.log").open("w"), start_new_session=True)
        wait_listening(port, server)

        load_env = env | {"LOAD_MEMBERS": str(args.members), "LOAD_LOOPS": str(args.loops),
                          "LOAD_THINK": str(args.think), "LOAD_PASSWORD": PASSWORD,
                          "LOAD_HOST": HOST, "LOAD_USERS": str(args.users),
                          "LOAD_TIMES": str(work / "loop_seconds")}
        locust = shutil.which("locust", path=str(BIN)) or "locust"
        started = time.perf_counter()
        run = subprocess.run(
            [locust, "-f", str(HERE / "server_load_members.py"), "--headless",
             "--host", f"http://127.0.0.1:{port}", "--users", str(args.users),
             "--spawn-rate", str(SPAWN_RATE), "--run-time", f"{args.run_time}s",
             "--stop-timeout", "10", "--csv", str(work / "load"), "--only-summary",
             "--loglevel", "WARNING"],
            env=load_env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if not (work / "load_stats.csv").exists():
            raise RuntimeError(f"locust gave no figures: {run.stderr.strip()[-2000:]}")
        timing = work / "loop_seconds"
        loop_seconds = float(timing.read_text()) if timing.exists() else seconds
        rows = report(work / "load_stats.csv", loop_seconds)
        print(f"{args.users} simulated members, {args.loops} daily loops each, think "
              f"{args.think} s, against `kindstep serve --workers {args.workers}` (gunicorn), "
              f"{seconds:.1f} s in all, {loop_seconds:.1f} s of daily loops with every member in,\n"
              f"on {os.cpu_count()} cores shared with the load generator (and with other work)")
        print(f"{'step':<22}{'requests':>9}{'errors':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
              f"{'req/s':>8}")
        for r in rows:
            print(f"{r['step']:<22}{r['requests']:>9}{r['errors']:>8}{r['p50']:>8}{r['p95']:>8}"
                  f"{r['p99']:>8}{r['rps']:>8.1f}")
        failures = work / "load_failures.csv"
        if failures.exists() and failures.stat().st_size > 0:
            with failures.open(newline="") as f:
                for row in list(csv.DictReader(f))[:10]:
                    print(f"error: {row['Name']}: {row['Error']} ({row['Occurrences']}x)")
    finally:
        stop(server)
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("Stopped: gunicorn is stopped and the benchmark's database dropped.")
        sys.exit(130)

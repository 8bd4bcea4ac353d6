"""How long `kindstep log walk 10m` takes, against a bare Python start and against jrnl.

Run: .venv/bin/python bench/cli_startup.py [--runs 20] [--against ../other-checkout]

It makes a temporary data folder holding a year of daily history and a
running self-experiment, installs jrnl (the command-line journal people
already use) into a venv of its own under bench/.work/ (once), gives jrnl a
journal with a year of entries too, then runs the commands alternately, 20
times each by default, and prints the medians and the ratios. Each timing is
a whole process, from exec to exit, as a person at a terminal would feel it.
`kindstep today` is timed too: with an experiment running it shows the
day's assignment, the path that once loaded numpy and scipy.

``--against DIR`` installs another kindstep checkout (say, the main branch)
into a venv of its own and times its commands in the same alternating
rounds, on the same data folder: old against new in one run.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
REPO = HERE.parent


def kindstep_venv(source: Path = REPO, name: str = "kindstep-venv") -> Path:
    """A venv with kindstep installed as a person installs it (not editable), refreshed each run."""
    venv = WORK / name
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, str(source)], check=True)
    subprocess.run([*pip, "--force-reinstall", "--no-deps", str(source)], check=True)
    return venv / "bin"


def jrnl_venv() -> Path:
    """A venv with jrnl in it, made once and kept under bench/.work/."""
    venv = WORK / "jrnl-venv"
    exe = venv / "bin" / "jrnl"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "jrnl"], check=True)
    return exe


def seed_kindstep(python: Path, data_dir: Path, days: int = 365) -> None:
    """A year of daily check-ins and sessions, written through the real store."""
    code = f"""
import os, random
from datetime import UTC, date, datetime, timedelta
os.environ["KINDSTEP_DATA_DIR"] = {str(data_dir)!r}
from kindstep import boot
boot.setup()
from kindstep.store import actions, models
from kindstep.core.catalogue import load_catalogue
person = actions.local_person()
cat = load_catalogue()
rng = random.Random(7)
today = date.today()
sessions, checkins, rests = [], [], []
for back in range({days}, 0, -1):
    d = today - timedelta(days=back)
    at = datetime(d.year, d.month, d.day, 18, tzinfo=UTC)
    checkins.append(models.CheckIn(person=person, at=at, day=d, energy=rng.randint(1, 9),
                                   mood=rng.randint(1, 9), anxiety=rng.randint(1, 9)))
    if rng.random() < 0.55:
        a = rng.choice(["walk", "walk_dog", "yoga_gentle", "stretch_seated", "cycle"])
        sessions.append(models.MovementSession(person=person, day=d, activity=a,
                        minutes=rng.randint(5, 40), met=cat[a].met))
    elif rng.random() < 0.3:
        rests.append(models.RestDay(person=person, day=d))
models.CheckIn.objects.bulk_create(checkins)
models.MovementSession.objects.bulk_create(sessions)
models.RestDay.objects.bulk_create(rests)
actions.start_experiment(person, template="1", seed=7, now=datetime.now(UTC))
print(len(sessions), len(checkins), len(rests))
"""
    out = subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True)
    print(f"kindstep history: {out.stdout.strip()} (sessions, check-ins, rest days)")


def seed_jrnl(config_home: Path, journal: Path, days: int = 365) -> None:
    """A jrnl config and a journal with a year of short entries."""
    cfg = config_home / "jrnl"
    cfg.mkdir(parents=True)
    (cfg / "jrnl.yaml").write_text(
        "colors: {body: none, date: none, tags: none, title: none}\n"
        "default_hour: 9\ndefault_minute: 0\neditor: ''\nencrypt: false\nhighlight: true\n"
        "indent_character: '|'\n"
        f"journals:\n  default:\n    journal: {journal}\n"
        "linewrap: 79\ntagsymbols: '#@'\ntemplate: false\ntimeformat: '%F %r'\nversion: v4.1\n"
    )
    today = date.today()
    lines = []
    for back in range(days, 0, -1):
        d = today - timedelta(days=back)
        lines.append(f"[{d.isoformat()} 06:00:00 PM] Walked {random.randint(5, 40)} minutes.\n\n")
    journal.write_text("".join(lines))


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--against", type=Path, help="another kindstep checkout to time alongside")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    jrnl = jrnl_venv()
    bin_dir = kindstep_venv()
    tmp = Path(tempfile.mkdtemp(prefix="kindstep-bench-"))
    try:
        data_dir = tmp / "kindstep"
        seed_kindstep(bin_dir / "python", data_dir)
        seed_jrnl(tmp / "config", tmp / "journal.txt")
        base = {k: v for k, v in os.environ.items() if not k.startswith(("KINDSTEP_", "DJANGO_"))}
        k_env = {**base, "KINDSTEP_DATA_DIR": str(data_dir)}
        j_env = {**base, "XDG_CONFIG_HOME": str(tmp / "config")}
        commands = {
            "python3 -c pass": ([sys.executable, "-c", "pass"], base),
            "kindstep log walk 10m": ([str(bin_dir / "kindstep"), "log", "walk", "10m"], k_env),
            "kindstep today": ([str(bin_dir / "kindstep"), "today"], k_env),
            "jrnl (add one entry)": ([str(jrnl), "Walked", "10", "minutes."], j_env),
        }
        if args.against:
            other = kindstep_venv(args.against.resolve(), "kindstep-against-venv") / "kindstep"
            commands["against: log walk 10m"] = ([str(other), "log", "walk", "10m"], k_env)
            commands["against: today"] = ([str(other), "today"], k_env)
        for cmd, env in commands.values():  # warm the page cache and .pyc files
            timed(cmd, env)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, (cmd, env) in commands.items():
                samples[name].append(timed(cmd, env))
        med = {name: statistics.median(v) * 1000 for name, v in samples.items()}
        print(f"\n{args.runs} alternating runs each, median wall time:")
        for name, ms in med.items():
            print(f"  {name:<26} {ms:7.1f} ms")
        k, j, p = med["kindstep log walk 10m"], med["jrnl (add one entry)"], med["python3 -c pass"]
        print(f"\nkindstep / jrnl        {k / j:5.2f}x   (target <= 1.5x, < 1.0x if we can)")
        print(f"kindstep / python3     {k / p:5.2f}x")
        print(f"jrnl / python3         {j / p:5.2f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

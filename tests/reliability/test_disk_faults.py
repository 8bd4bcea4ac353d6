"""Faults of the disk and of the whole process (plan checks 32, 34, 35).

- A **full disk**: the data folder is a small tmpfs of its own (as root, which CI is), or,
  for a developer without root, the same run under ``RLIMIT_FSIZE`` (the kernel's file-size
  limit, which refuses the write the same way). The terminal and the web each get one
  clear line, every entry saved before the disk filled is still there, the database passes
  ``PRAGMA integrity_check``, and once space is freed the same command works.
- A **read-only** data folder: writing is refused in one line, reading still works.
- An **import** that runs out of room leaves none of itself behind.
- **Export and erasure killed** with SIGKILL at random moments: the export's file is
  either absent or whole; the record is either all there or all gone.
- **The web server and the terminal writing together**: two processes logging through the
  CLI while two web clients post to a running ``kindstep serve``, none lost or doubled.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import random
import re
import resource
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.reliability import faults

ROOT_USER = os.geteuid() == 0
NOTE = "x" * 1900  # near the longest note, so the disk fills in a few dozen entries


class SmallDisk:
    """A data folder with little room: a tmpfs of ``size_kb`` (root) or a file-size limit."""

    def __init__(self, folder: Path, size_kb: int = 1024):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.limit: int | None = None
        if ROOT_USER:
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs",
                            str(folder)], check=True)

    def fill(self, leave: int) -> None:
        """Leave about ``leave`` bytes of room."""
        if ROOT_USER:
            stat = os.statvfs(self.folder)
            free = stat.f_bavail * stat.f_frsize
            with open(self.folder / "filler", "wb") as out:
                out.write(b"\0" * max(free - leave, 0))
        else:
            db = self.folder / "kindstep.sqlite3"
            self.limit = db.stat().st_size + leave

    def free(self) -> None:
        (self.folder / "filler").unlink(missing_ok=True)
        self.limit = None

    def read_only(self) -> None:
        if ROOT_USER:
            subprocess.run(["mount", "-o", "remount,ro", str(self.folder)], check=True)
        else:
            for path in (self.folder, *self.folder.iterdir()):
                path.chmod(0o555 if path.is_dir() else 0o444)

    def _limited(self):
        if self.limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (self.limit, self.limit))

    def unmount(self) -> None:
        self.close()
        if ROOT_USER:
            subprocess.run(["umount", "-l", str(self.folder)], check=False)

    def kindstep(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([faults.SCRIPT, *args], env=faults.env(self.folder),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=120, preexec_fn=self._limited)

    def close(self) -> None:
        """Writable again (read-only undone); the tmpfs goes at the end of the test."""
        if ROOT_USER:
            subprocess.run(["mount", "-o", "remount,rw", str(self.folder)], check=False)
        else:
            for path in (self.folder, *self.folder.iterdir()):
                path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.fixture
def disk(tmp_path):
    small = SmallDisk(tmp_path / "data", size_kb=4096)
    yield small
    small.unmount()


def one_kind_line(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


FULL = ("no room left on the disk",) if ROOT_USER else ("could not be read or written",)


def test_a_full_disk_refuses_in_one_line_and_keeps_every_entry_saved_before(disk):
    assert disk.kindstep("log", "walk", "5").returncode == 0
    disk.fill(leave=48 * 1024)
    saved = 1
    for i in range(300):
        result = disk.kindstep("log", "walk", "10", "--note", f"{NOTE}{i}")
        if result.returncode:
            break
        saved += 1
    else:
        pytest.fail("the disk never filled")
    assert result.returncode == 74
    one_kind_line(result, *FULL)
    state = faults.state(disk.folder)
    assert state["integrity"] == [("ok",)]
    assert state["counts"]["kindstep_session"] == saved

    disk.free()
    again = disk.kindstep("log", "walk", "10", "--note", "after freeing space")
    assert again.returncode == 0, again.stderr
    assert faults.state(disk.folder)["counts"]["kindstep_session"] == saved + 1


def test_an_import_that_runs_out_of_room_leaves_none_of_itself(tmp_path):
    disk = SmallDisk(tmp_path / "data", size_kb=8192)
    try:
        _import_on_a_full_disk(disk, tmp_path)
    finally:
        disk.unmount()


def _import_on_a_full_disk(disk: SmallDisk, tmp_path: Path) -> None:
    export = faults.health_export(tmp_path / "export.xml", 6_000)
    assert disk.kindstep("log", "walk", "5").returncode == 0
    disk.fill(leave=160 * 1024)
    result = disk.kindstep("import", str(export))
    assert result.returncode == 74, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert FULL[0] in result.stderr
    state = faults.state(disk.folder)
    assert state["integrity"] == [("ok",)]
    assert state["counts"]["kindstep_health_record"] == 0
    assert state["counts"]["kindstep_session"] == 1

    disk.free()
    done = disk.kindstep("import", str(export), "--json")
    assert done.returncode == 0, done.stderr
    assert faults.state(disk.folder)["counts"]["kindstep_health_record"] > 0


def test_a_read_only_data_folder_refuses_in_one_line_and_changes_nothing(disk):
    """SQLite in WAL mode needs to create its ``-shm`` file even to read, so on a read-only
    folder reading is refused too, in the same line; the file is left exactly as it was."""
    assert disk.kindstep("log", "walk", "12", "--note", "kept before").returncode == 0
    database = disk.folder / "kindstep.sqlite3"
    before = database.read_bytes()
    disk.read_only()
    for args in (("log", "walk", "10"), ("history", "--json"), ("today",)):
        result = disk.kindstep(*args)
        assert result.returncode == 74, args
        one_kind_line(result, "read-only")
    assert database.read_bytes() == before
    disk.close()
    history = disk.kindstep("history", "--json")
    assert [entry["note"] for entry in json.loads(history.stdout)["entries"]] == ["kept before"]


def test_the_web_on_a_full_disk_says_so_kindly_and_keeps_what_was_saved(disk):
    assert disk.kindstep("log", "walk", "5").returncode == 0
    with faults.serve(disk.folder) as server:
        person = faults.WebClient(server.url)
        assert person.post("/log/", {"activity": "walk", "minutes": "10"})[0] == 200
        disk.fill(leave=64 * 1024)
        saved = 2
        for i in range(300):
            status, body = person.post("/log/", {"activity": "walk", "minutes": "10",
                                                 "note": f"{NOTE}{i}"})
            if status != 200:
                break
            saved += 1
        else:
            pytest.fail("the disk never filled")
    assert status == 503, body[:500]
    assert "use its data right now" in body
    assert "no room left on the disk" in body
    assert "Traceback" not in body and "OperationalError" not in body
    assert 'href="/help-now/"' in body
    state = faults.state(disk.folder)
    assert state["integrity"] == [("ok",)]
    assert state["counts"]["kindstep_session"] == saved


def _killed(folder: Path, args: list[str], delay: float) -> bool:
    proc = subprocess.Popen([faults.SCRIPT, *args], env=faults.env(folder),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the whole process group, as a power cut would
        proc.wait()
        return True


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """A data folder with a real record: an Apple Health import and a few entries."""
    folder = tmp_path_factory.mktemp("record") / "data"
    export = faults.health_export(tmp_path_factory.mktemp("export") / "export.xml", 20_000)
    assert faults.kindstep(folder, "import", str(export)).returncode == 0
    for i in range(5):
        assert faults.kindstep(folder, "log", "walk", "10", "--note", f"n{i}").returncode == 0
    return folder


def every_table(folder: Path) -> dict[str, int]:
    """Rows in each of a person's tables. Aside: the people table (erasure starts afresh) and
    Apple Health's type names, a shared vocabulary ("step count") that erasure keeps."""
    con = sqlite3.connect(folder / "kindstep.sqlite3")
    try:
        names = [name for (name,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'kindstep_%' "
            "AND name NOT IN ('kindstep_person', 'kindstep_health_type')")]
        return {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                for name in names}
    finally:
        con.close()


def _copy(folder: Path, to: Path) -> Path:
    to.mkdir(parents=True)
    con = sqlite3.connect(folder / "kindstep.sqlite3")
    try:
        con.execute("VACUUM INTO ?", (str(to / "kindstep.sqlite3"),))
    finally:
        con.close()
    (to / "secret.key").write_bytes((folder / "secret.key").read_bytes())
    return to


def test_an_export_killed_at_random_moments_leaves_a_whole_file_or_none(imported, tmp_path):
    rng = random.Random(35)
    whole = tmp_path / "whole.json"
    began = time.monotonic()
    assert faults.kindstep(imported, "export", str(whole)).returncode == 0
    took = time.monotonic() - began
    expected = json.loads(whole.read_text())
    landed = 0
    for attempt in range(12):  # until three kills land mid-export (timing varies with load)
        if landed == 3:
            break
        target = tmp_path / f"export-{attempt}.json"
        landed += _killed(imported, ["export", str(target)], rng.uniform(0.05, took * 0.8))
        if target.exists():
            assert json.loads(target.read_text()).keys() == expected.keys()
        assert not list(tmp_path.glob("export-*.json.part"))
    assert landed >= 2, "too few kills landed during the export to prove anything"
    assert faults.state(imported)["integrity"] == [("ok",)]


def test_erasure_killed_at_random_moments_leaves_all_or_nothing(imported, tmp_path):
    rng = random.Random(34)
    before = every_table(imported)
    outcomes = set()
    for attempt in range(6):
        folder = _copy(imported, tmp_path / f"copy-{attempt}")
        _killed(folder, ["erase", "--yes"], rng.uniform(0.2, 1.5))
        assert faults.state(folder)["integrity"] == [("ok",)]
        counts = every_table(folder)
        if counts == before:
            outcomes.add("all there")
        else:
            assert not any(counts.values()), counts
            outcomes.add("all gone")
    assert outcomes  # each attempt was one of the two; which ones depends on timing


def test_the_web_server_and_the_terminal_writing_together_lose_nothing(tmp_path):
    folder = tmp_path / "data"
    each = 60
    assert faults.kindstep(folder, "log", "walk", "1", "--note", "first").returncode == 0
    with faults.serve(folder) as server:
        web: list[dict] = []
        posting = threading.Thread(
            target=lambda: web.extend(faults.post_concurrently(server.url, 2, each)))
        posting.start()
        reports = faults.log_concurrently(folder, workers=2, each=each)
        posting.join(timeout=900)

    for client in web:
        assert client["statuses"] == [200] * each and not client["locked"], client
    for report in reports:
        assert report["codes"] == [0] * each and report["shown"] == "", report
    expected = ["first"] + [f"{who}{n}-{i}" for who in ("web", "w") for n in range(2)
                            for i in range(each)]
    assert sorted(faults.logged_notes(folder)) == sorted(expected)
    assert faults.state(folder)["integrity"] == [("ok",)]


def test_a_web_server_killed_mid_write_leaves_the_record_whole(tmp_path):
    folder = tmp_path / "data"
    assert faults.kindstep(folder, "log", "walk", "1").returncode == 0
    posted = threading.Event()
    statuses: list[int] = []
    with faults.serve(folder) as server:

        def keep_posting() -> None:
            person = faults.WebClient(server.url)
            for i in range(400):
                try:
                    statuses.append(person.post("/log/", {"activity": "walk", "minutes": "5",
                                                          "note": f"k{i}"})[0])
                except (OSError, http.client.HTTPException):
                    return  # the server is gone mid-answer: the test's point
                posted.set()

        poster = threading.Thread(target=keep_posting)
        poster.start()
        assert posted.wait(60)
        time.sleep(random.Random(3).uniform(0.2, 1.0))
        server.send_signal(signal.SIGKILL)
        server.wait()
        poster.join(timeout=120)
    state = faults.state(folder)
    assert state["integrity"] == [("ok",)]
    # Every post the server answered is in the record; at most the one in flight is extra.
    answered = statuses.count(200)
    assert statuses == [200] * answered
    assert answered + 1 <= state["counts"]["kindstep_session"] <= answered + 2


GIGABYTES_2 = 2 * 1024**3
HEADS = {
    "garbage.bin": b"",
    "garbage.zip": b"",
    "export.xml": b'<?xml version="1.0"?>\n<HealthData locale="en">\n',
    "ride.gpx": b'<?xml version="1.0"?>\n<gpx version="1.1" creator="x">\n',
    "ride.tcx": b'<?xml version="1.0"?>\n<TrainingCenterDatabase>\n',
    "ride.fit": b"\x0e\x10\x43\x08\xff\xff\xff\x7f.FIT",
    "daylio.csv": b"full_date,date,weekday,time,mood,activities,note_title,note\n",
}


@pytest.mark.parametrize("name", sorted(HEADS))
def test_a_2_gb_file_of_garbage_is_refused_quickly_in_bounded_memory(tmp_path, name):
    """Plan checks 19, 20, 38: a believable start, then 2 GB of noise (a sparse file: a
    megabyte of random bytes after the head, zeros after that, as a damaged download has).
    Peak memory is the child's own high-water mark (``VmHWM`` in /proc, read while it runs),
    printed for docs/reliability.md."""
    path = tmp_path / name
    with open(path, "wb") as out:
        out.write(HEADS[name] + random.Random(name).randbytes(1_000_000))
        out.truncate(GIGABYTES_2)
    folder = tmp_path / "data"
    assert faults.kindstep(folder, "log", "walk", "5").returncode == 0
    start = time.monotonic()
    proc = subprocess.Popen([faults.SCRIPT, "import", str(path)], env=faults.env(folder),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak_kb = 0
    status_file = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None and time.monotonic() - start < 600:
        # VmHWM: the process's own peak resident memory since it started kindstep (exec).
        try:
            found = re.search(r"VmHWM:\s+(\d+) kB", status_file.read_text())
        except OSError:
            found = None
        if found:
            peak_kb = max(peak_kb, int(found[1]))
        time.sleep(0.005)
    if proc.poll() is None:
        proc.kill()
    out, err = proc.communicate()
    seconds = time.monotonic() - start
    peak_mb = peak_kb / 1024
    print(f"\n{name}: refused in {seconds:.1f} s, peak {peak_mb:.0f} MB")
    assert proc.returncode == 2, out + err
    assert out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert peak_mb < 250
    assert seconds < 300  # generous: CI machines are shared; memory is the sharp bound
    assert faults.state(folder)["counts"]["kindstep_session"] == 1

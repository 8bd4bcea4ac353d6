"""Fuzzing the CLI in-process: odd durations, dates, scales, names, IDs and notes.

For every input, `log`, `rest`, `checkin`, `edit`, `delete` and `settings` either write
the entry and exit 0, or exit 2 with one kind line and leave every table a person owns
exactly as it was. No traceback ever reaches the person.
"""

from __future__ import annotations

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kindstep.cli.main import app
from kindstep.store import actions, models
from tests.conftest import NOW, every_row

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Characters a person (or a broken terminal) really sends: invalid UTF-8 from argv arrives
# as lone surrogates (PEP 383), plus NUL, bidi overrides, emoji, combining marks, newlines.
ODD = st.sampled_from(["\udcff", "\udc80abc", "\x00", "\u202e", "🙂", "e\u0301", "\n", "\r\n",
                       "\t", "\x1b[31m", "%s", "{0}", "[red]", "'; DROP TABLE x;--", "\\", "ß"])
TEXT = st.one_of(st.text(max_size=30), ODD, st.lists(ODD, max_size=5).map("".join),
                 st.text(min_size=2000, max_size=3000, alphabet="ab "))
NUMBERISH = st.one_of(st.integers(-20, 30).map(str), st.floats(allow_nan=True).map(str),
                      st.sampled_from(["", " 5", "5 ", "٥", "five", "1e3", "0x5", "5.5", "+3",
                                       "-0", "99999999999999999999", "nan", "inf"]), TEXT)
DURATION = st.one_of(st.sampled_from(["10", "10m", "1h15m", "90", "0", "0m", "24h", "24h1m",
                                      "1h", "h", "m", "1m1h", "1.5h", "10 m", "10M", "1h 5m",
                                      "9" * 30, "-5m", "1440", "1441", "00010"]), NUMBERISH)
DATE = st.one_of(st.dates().map(str), st.sampled_from(
    ["2026-11-25", "2026-11-24", "2026-02-29", "2024-02-29", "2026-13-01", "0000-01-01",
     "today", "yesterday", "2026/11/24", "24-11-2026", "2026-11-24T10:00", ""]), TEXT)
ACTIVITY = st.one_of(st.sampled_from(["walk", "yoga_gentle", "WALK", " walk", "jog_walk",
                                      "swim", "wlak", ""]), TEXT)
ENTRY = st.one_of(st.sampled_from(["s1", "s0", "r1", "c1", "j1", "n1", "x1", "s", "s-1",
                                   "s99999999999999999999", "S1", "s1 ", "1", ""]), TEXT)
maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731


def options(good: dict, **fields):
    """Valid options with zero to two of them fuzzed or left out (so both paths are tried)."""
    @st.composite
    def build(draw):
        names = draw(st.lists(st.sampled_from(sorted(fields)), max_size=2, unique=True))
        chosen = dict(good)
        for name in names:
            chosen[name] = draw(st.one_of(st.none(), fields[name]))
        return chosen
    return build()


@pytest.fixture
def invoke(db):
    actions.local_person()
    runner = CliRunner()

    def _invoke(command: str, options: dict[str, str | None], *positional: str):
        args = [command, *(f"--{k}={v}" for k, v in options.items() if v is not None)]
        args += ["--", *positional] if positional else []
        with time_machine.travel(NOW, tick=False):
            return runner.invoke(app, args, catch_exceptions=False)

    return _invoke


def holds(result, before: dict, written: bool | None = None) -> None:
    """The contract: exit 0, or exit 2 with one kind line and nothing written; no traceback."""
    everything = result.stdout + result.stderr
    assert "Traceback" not in everything and "Error:" not in everything, everything
    assert result.exit_code in (0, 2), (result.exit_code, everything)
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].strip(), result.stderr
        assert every_row() == before
    elif written is not None:
        assert (every_row() != before) == written


@FUZZ
@given(o=options({"activity": "walk", "duration": "20m", "date": "2026-11-24", "effort": "3",
                  "before": "4", "after": "6", "note": "cold air"},
                 activity=ACTIVITY, duration=DURATION, date=DATE, effort=NUMBERISH,
                 before=NUMBERISH, after=NUMBERISH, note=TEXT))
def test_log_writes_a_session_or_refuses_kindly(invoke, o):
    rows = every_row()
    count = models.MovementSession.objects.count()
    activity, duration = o.pop("activity") or "", o.pop("duration") or ""
    result = invoke("log", o, activity, duration)
    holds(result, rows, written=True)
    if result.exit_code == 0:
        assert models.MovementSession.objects.count() == count + 1


@FUZZ
@given(o=options({"date": "2026-11-23", "note": "slept in"}, date=DATE, note=TEXT))
def test_rest_writes_a_rest_day_or_refuses_kindly(invoke, o):
    rows = every_row()
    holds(invoke("rest", o), rows)


@FUZZ
@given(o=options({"energy": "4", "mood": "5", "anxiety": "3", "minutes": "20", "sleep": "7"},
                 energy=NUMBERISH, mood=NUMBERISH, anxiety=NUMBERISH, minutes=NUMBERISH,
                 sleep=NUMBERISH, note=TEXT))
def test_checkin_writes_or_refuses_kindly(invoke, o):
    rows = every_row()
    count = models.CheckIn.objects.count()
    result = invoke("checkin", o)
    holds(result, rows, written=True)
    if result.exit_code == 0:
        assert models.CheckIn.objects.count() == count + 1


@pytest.fixture
def entries(invoke) -> list[str]:
    """One session, one rest day and one check-in, so many fuzzed IDs name a real entry."""
    for args in (("log", {}, "walk", "10"), ("rest", {"date": "2026-11-23"}),
                 ("checkin", {"energy": "4", "mood": "4", "anxiety": "4"})):
        assert invoke(*args).exit_code == 0
    return [f"s{models.MovementSession.objects.get().pk}", f"r{models.RestDay.objects.get().pk}",
            f"c{models.CheckIn.objects.get().pk}"]


@FUZZ
@given(data=st.data(), o=options({}, activity=ACTIVITY, duration=DURATION, mood=NUMBERISH,
                                 sleep=NUMBERISH, note=TEXT, date=DATE))
def test_edit_changes_an_entry_or_refuses_kindly(invoke, entries, data, o):
    entry = data.draw(st.one_of(st.sampled_from(entries), ENTRY))
    rows = every_row()
    holds(invoke("edit", o, entry), rows)


@FUZZ
@given(data=st.data())
def test_delete_removes_an_entry_or_refuses_kindly(invoke, entries, data):
    entry = data.draw(st.one_of(st.sampled_from(entries), ENTRY))
    rows = every_row()
    holds(invoke("delete", {}, entry), rows)


@FUZZ
@given(o=options({"country": "ie", "timezone": "Europe/London", "target-days": "4",
                  "day-start": "5", "week-start": "0", "questionnaires": "on"},
                 country=TEXT, timezone=st.one_of(st.sampled_from(
                     ["Europe/London", "UTC", "Mars/Olympus", "../../etc/passwd", "europe/london"]),
                     TEXT),
                 **{"target-days": NUMBERISH, "day-start": NUMBERISH, "week-start": NUMBERISH,
                    "like": st.one_of(ACTIVITY, st.lists(ACTIVITY, max_size=4).map(",".join)),
                    "avoid": st.one_of(ACTIVITY, st.lists(ACTIVITY, max_size=4).map(",".join)),
                    "questionnaires": st.one_of(st.sampled_from(["on", "off", "ON", "yes"]),
                                                TEXT)}))
def test_settings_change_or_refuse_kindly(invoke, o):
    rows = every_row()
    holds(invoke("settings", o), rows)

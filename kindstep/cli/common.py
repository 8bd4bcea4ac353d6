"""What every command shares: the console, the clock, the store, and kind errors.

Exit codes, so scripts can tell what happened:

- 0: done.
- 2 (:data:`EXIT_REFUSED`): a value was refused; nothing was written.
- 74 (:data:`EXIT_DATA`): kindstep's data folder or database cannot be used
  (read-only, a file where the folder should be, a damaged database ...).
- 75 (:data:`EXIT_BUSY`): another kindstep command holds the database; try again soon.
- 78 (:data:`EXIT_CONFIG`): a ``KINDSTEP_`` setting cannot be read.
- 130 (:data:`EXIT_STOPPED`): stopped with Ctrl-C, or Ctrl-D at a question.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import wraps
from typing import Any

import typer

from kindstep.core.checks import InvalidInput

EXIT_REFUSED = 2
EXIT_DATA = 74  # sysexits EX_IOERR
EXIT_BUSY = 75  # sysexits EX_TEMPFAIL: the person is invited to try again
EXIT_CONFIG = 78  # sysexits EX_CONFIG
EXIT_STOPPED = 130

STOPPED = "\nStopped. Nothing more was changed."
"""What Ctrl-C (or Ctrl-D at a question) says, on stderr."""

_console = None

_KEPT_CONTROLS = frozenset("\n\t")
_CONTROLS = {
    code: "\ufffd"
    for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))
    if chr(code) not in _KEPT_CONTROLS
}
"""C0 and C1 control characters (ESC, CSI, BEL ...) and DEL: shown as U+FFFD, never sent."""


def safe_text(text: object) -> str:
    """``text`` with control characters (bar newline and tab) replaced by U+FFFD.

    Text a person or a file supplied must never reach a terminal as escape codes
    that move the cursor, change the title or hide what was printed.
    """
    return str(text).replace("\r\n", "\n").translate(_CONTROLS)


def escape(text: str) -> str:
    """Words kindstep wrote itself, made safe inside Rich markup (``[`` shown as written)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def plain(text: object) -> str:
    """Person- or file-supplied text made safe to print through Rich: no markup, no controls.

    ``"[bold]x[/bold]"`` prints as written, and a stray ``[/x]`` cannot crash a command.
    A backslash at the very end is kept single (Rich's ``escape`` doubles it, which
    shows twice when nothing follows), so put no markup tag straight after the result.
    """
    from rich.markup import escape

    text = safe_text("" if text is None else text)
    escaped = escape(text)
    if text.endswith("\\") and escaped.endswith("\\\\") and not text.endswith("\\\\"):
        escaped = escaped[:-1]
    return escaped


def console():
    """The Rich console, created on first use (Rich is imported only when needed)."""
    global _console
    if _console is None:
        from rich.console import Console

        _console = Console(highlight=False, soft_wrap=False)
    return _console


def say(text: str = "", **kw) -> None:
    """Print one line or block of Rich markup to the console.

    Plain text goes straight to stdout: importing Rich costs ~25 ms, which a
    one-line answer such as `kindstep log` need not pay.
    """
    text = safe_text(text)  # kindstep's own words have no control characters; others' lose theirs
    if _console is None and not kw and "[" not in text:
        sys.stdout.write(text + "\n")
        return
    console().print(text, **kw)


def interactive() -> bool:
    """True when a person is at a terminal (stdin and stdout are TTYs)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def now() -> datetime:
    """The current instant in UTC: the only place the CLI reads the clock."""
    return datetime.now(UTC)


def ready() -> None:
    """Start Django and bring the local database up to date (once per process); a locked
    file is unlocked first (``cli/unlocking.py``: asked once per terminal session)."""
    from kindstep import boot

    if boot._ready:
        boot.setup()
        return
    boot.setup(migrate=False)
    unlock()
    from django.conf import settings

    if settings.MODE == "local":
        boot.ensure_migrated()


def database_path():
    """The local SQLite file (a Path), or None when the store is PostgreSQL."""
    import os
    from pathlib import Path

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kindstep.settings")
    from django.conf import settings

    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("sqlite3"):
        return None
    return Path(db["NAME"]).expanduser().absolute()


def unlock(*, ask: bool = True) -> bytes | None:
    """The key of a locked local file, asked for once per terminal session; None when the file
    is not locked. A wrong or missing passphrase is refused (exit 2), nothing touched."""
    live = database_path()
    from kindstep.store import lock

    if live is None or not lock.is_locked(live):
        return None
    from kindstep.cli import unlocking

    return unlocking.key_for(live, ask_at_terminal=ask)


def person():
    """The local person, after starting Django and migrating if needed.

    On the way, entries removed more than an hour ago are deleted for good
    (``actions.purge_removed``: one small statement when there are none; never
    waiting for another program that is writing, so help is never held up).
    """
    ready()
    from kindstep.store import actions

    actions.purge_removed(now=now(), wait=False)
    return actions.local_person()


def refuse(message: str, code: int = EXIT_REFUSED) -> None:
    """Print one kind line to stderr and stop with ``code`` (2: bad input)."""
    print(safe_text(message), file=sys.stderr)
    raise typer.Exit(code)


def _at_a_question(err: EOFError) -> bool:
    """True when ``err`` came from reading an answer (Ctrl-D at a prompt), not from a file."""
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return False
    code = tb.tb_frame.f_code
    return code.co_name in {"input", "_raw_input"} or code.co_filename.endswith("getpass.py")


def kind_errors(func: Callable) -> Callable:
    """Turn a refused value, Ctrl-C or Ctrl-D, or data that cannot be used into kind words.

    A refused value is one line on stderr and exit code 2; a data folder or
    database that cannot be used is one line saying what to try, with exit
    code 74 (75 when another command is busy with it); never a traceback.
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any):
        try:
            return func(*args, **kwargs)
        except InvalidInput as err:
            refuse(err.for_cli)
        except KeyboardInterrupt:
            print(STOPPED, file=sys.stderr)
            raise typer.Exit(EXIT_STOPPED) from None
        except EOFError as err:
            if not _at_a_question(err):
                raise
            print(STOPPED, file=sys.stderr)  # Ctrl-D at a question means the same as Ctrl-C
            raise typer.Exit(EXIT_STOPPED) from None
        except Exception as err:
            from kindstep import boot

            problem = boot.data_problem(err)
            if problem is None:
                raise
            refuse(problem.message, {"busy": EXIT_BUSY, "config": EXIT_CONFIG}.get(
                problem.kind, EXIT_DATA))

    return wrapper


_C1 = re.compile("[\x7f-\x9f]")


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=_default)
    # JSON escapes C0 controls itself; C1 ones (U+0080-U+009F: CSI and friends) and DEL are
    # written as \u escapes too, so a terminal never acts on them. The data stay the same.
    sys.stdout.write(_C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


# -- entries as --json gives them (checkin, log, history) ----------------------------------


def checkin_json(c) -> dict:
    return {
        "id": f"c{c.id}" if c.id else None,
        "date": c.day,
        "energy": c.energy,
        "mood": c.mood,
        "anxiety": c.anxiety,
        "minutes_available": c.minutes_available,
        "sleep_hours": c.sleep_hours,
        "note": c.body_note,
    }


def session_json(s) -> dict:
    return {
        "id": f"s{s.id}",
        "kind": "session",
        "date": s.day,
        "activity": s.activity,
        "minutes": s.minutes,
        "met": s.met,
        "met_minutes": round(s.met * s.minutes, 1),
        "effort": s.effort,
        "mood_before": s.mood_before,
        "mood_after": s.mood_after,
        "note": s.note,
        "distance_m": s.distance_m,
        "energy_kcal": s.energy_kcal,
    }

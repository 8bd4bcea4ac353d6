"""What every command shares: the console, the clock, the store, and kind errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import wraps
from typing import Any

import typer

from kindstep.core.checks import InvalidInput

_console = None


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
    """Start Django and bring the local database up to date (once per process)."""
    from kindstep import boot

    boot.setup()


def person():
    """The local person, after starting Django and migrating if needed."""
    ready()
    from kindstep.store import actions

    return actions.local_person()


def refuse(message: str, code: int = 2) -> None:
    """Print one kind line to stderr and stop with ``code`` (2: bad input)."""
    print(message, file=sys.stderr)
    raise typer.Exit(code)


def kind_errors(func: Callable) -> Callable:
    """Turn a refused value into one line on stderr and exit code 2, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any):
        try:
            return func(*args, **kwargs)
        except InvalidInput as err:
            refuse(err.message)
        except KeyboardInterrupt:
            print("\nStopped. Nothing more was changed.", file=sys.stderr)
            raise typer.Exit(130) from None

    return wrapper


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=_default) + "\n")

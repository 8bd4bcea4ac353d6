"""kindstep's command line: a thin Typer shell over the store's actions and core's decisions."""

FAST_START = False
"""True when started as the ``kindstep`` command: only the commands it runs are loaded."""


def run() -> None:
    """Entry point of the ``kindstep`` console script."""
    global FAST_START
    FAST_START = True
    from kindstep.cli.main import run as run_main

    run_main()

from kindstep.cli import run

run()

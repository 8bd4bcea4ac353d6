from kindstep.cli.main import run

run()

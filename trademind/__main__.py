from trademind.cli.main import run

run()

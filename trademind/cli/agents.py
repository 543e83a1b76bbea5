"""`trademind agents`: AI agents: evaluate the sentiment models.

Each command lives in a module of its own (``agents_eval``: `eval-sentiment`) and is added
here. Exit codes: 0 on success; 2 for a usage error (a missing file, a model that cannot score
texts); 1 for a failure (a labelled file that breaks the rules, a model not wired yet, the
database).
"""

from __future__ import annotations

import typer

from trademind.cli import agents_eval

app = typer.Typer(help="AI agents: evaluate the sentiment models.", no_args_is_help=True)
agents_eval.register(app)

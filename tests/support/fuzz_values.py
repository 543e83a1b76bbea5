"""Hypothesis strategies for `trademind` command lines built from the Click tree itself.

Each parameter gets values a user might type by mistake or on purpose: huge, negative and zero
numbers, NaN and infinities, blanks and control characters, unicode (and an undecodable argv
byte), path-like and SQL-like text, very long strings, mixed with plausible values of its type
so that commands also get past their first check. ``--yes`` is never generated: destructive
commands are fuzzed without confirmation. ``{DIR}`` stands for an existing directory of the
example (see :func:`support.fuzz_sandbox.Sandbox.resolve`).
"""

from __future__ import annotations

import click
from hypothesis import strategies as st
from support.cli_tree import accepts_extra_args, own_params

DIR = "{DIR}"
HUGE = (
    "99999999999999999999",
    "99999999999999999999999",
    "1e20",
    "1000000",
    str(2**63),
    str(-(2**63) - 1),
)
NUMERIC_EDGE = ("-1", "-5", "0", "-0", "nan", "NaN", "inf", "-inf", "1e308", "0.5", "1", "2")
BLANK = ("", " ", "\t", "\n", " AAPL ", "AAPL\nMSFT", "\x1b[2J", "a\rb")
UNICODE = ("Ünïcødé", "株式", "😀", "\u202e", "e\u0301", "\udcff")  # \udcff: undecodable argv byte
PATHS = (
    "/sys/kernel/x",
    "../../etc/passwd",
    DIR,
    "/proc/self/status",
    "missing.yaml",
    "config.yaml",
    "out.html",
    "sub/dir/out.json",
)
SQL = ("'; DROP TABLE market_data; --", "AAPL' OR '1'='1", "%", "_", '"', "\\")
LONG = ("A" * 10_000, "9" * 5_000, "AAPL," * 2_000)
HOSTILE = HUGE + NUMERIC_EDGE + BLANK + UNICODE + PATHS + SQL + LONG
PLAUSIBLE = ("AAPL", "1", "-1", "true", "0.01", "DEBUG")
# Values that get a command past its first check, by parameter name (unknown names: PLAUSIBLE),
# a few with an edge inside an otherwise valid spec.
BY_NAME: dict[str, tuple[str, ...]] = {
    "symbol": ("AAPL", "aapl", "A" * 40, ".", "-", "^GSPC", "BRK.B"),
    "symbols": ("AAPL", "AAPL,MSFT", "AAPL,AAPL", "AAPL,", ",", "A" * 40),
    "strategy": ("ma_crossover", "rsi_mean_reversion"),
    "strategies": ("ma_crossover,rsi_mean_reversion",),
    "name": ("ma_crossover", "rsi_mean_reversion"),
    "interval": ("1d", "1h"),
    "param": ("fast=5,10", "slow=20:40:10", "fast=99999999999999999999", "length=nan"),
    "metric": ("sharpe", "total_return", "max_drawdown"),
    "mode": ("rolling", "anchored"),
    "slippage": ("5bps", "none", "atr:0.1", "atr:1e308", "-5bps"),
    "commission": ("0.1%", "ibkr", "per-share:0.005,min=1,max=0.01", "nan%"),
    "sizing": ("fraction:10%", "cash:10000", "kelly:win=55%,payoff=1.5", "cash:1e308"),
    "stop_loss": ("5%", "-5%", "1e308%"),
    "take_profit": ("10%", "inf%"),
    "trailing_stop": ("8%", "0%"),
    "order": ("limit:1%", "stop-limit:1%,0.5%", "limit:nan%"),
    "key": (
        "logging.level",
        "safety.daily_loss_limit",
        "backtest",
        "database.auto_migrate",
        "database.url",
        "app.data_dir",
    ),
    "value": ("DEBUG", "0.03", "null", "[1, 2]", "yes", "1e308", "-0", "~", "{a: *b}", "sqlite://"),
    "revision": ("head", "-1", "base", "0001"),
    "run_id": ("1",),
    "days": ("30", "365", "36500"),
    "start": ("2022-01-03", "0001-01-01", "2100-01-01", "2023-06-30"),
    "end": ("2023-06-30", "1970-01-01", "2100-01-01", "2022-01-03"),
    "workers": ("1",),
    "file": ("config.yaml", "missing.yaml", DIR, "/dev/null"),
    "output": ("run.json", DIR),
    "report": ("report.html", DIR),
    "plot": ("chart.html", DIR, ""),
    "path": ("missing.csv", DIR, "/dev/null"),
    "columns": ("date=Datum", "close=Close,close=Schluss", "ts=date,date=date", "nonsense"),
}
DATES = ("2023-01-03", "2023-02-30", "0001-01-01", "9999-12-31", "2023-1-3", "03/01/2023")
# Printable text without NUL (no process can receive one in argv) and not starting with "/" or
# "~", so generated text never names a real system path outside the example's folders.
TEXT = st.text(st.characters(exclude_characters="\x00"), max_size=20).filter(
    lambda text: not text.startswith(("/", "~"))
)
FORBIDDEN = frozenset({"--yes", "--debug"})  # --debug prints tracebacks by design


def typed_values(param_type: click.ParamType) -> st.SearchStrategy[str]:
    """Values in the parameter's own type (still including its edges)."""
    if isinstance(param_type, click.Choice):
        return st.sampled_from([str(choice) for choice in param_type.choices])
    if isinstance(param_type, click.types.IntParamType):
        return st.integers(min_value=-(10**22), max_value=10**22).map(str) | st.sampled_from(
            ("0", "1", "2", "3", "10", "50")
        )
    if isinstance(param_type, click.types.FloatParamType):
        return st.floats(allow_nan=True, allow_infinity=True).map(repr)
    if isinstance(param_type, click.DateTime):
        return st.sampled_from(DATES)
    if isinstance(param_type, click.Path):
        return st.sampled_from(PATHS)
    return st.sampled_from(PLAUSIBLE)


def hostile_value(param: click.Parameter) -> st.SearchStrategy[str]:
    """A value meant to break ``param``: typed edges, hostile text or arbitrary text."""
    values = typed_values(param.type) | st.sampled_from(HOSTILE) | TEXT
    return values.filter(lambda value: value not in FORBIDDEN)


def plausible_value(param: click.Parameter) -> st.SearchStrategy[str]:
    """A value that usually passes ``param``'s checks (its name or type says what fits)."""
    named = BY_NAME.get(param.name or "")
    if named is not None:
        return st.sampled_from(named)
    if isinstance(param.type, click.Choice):
        return typed_values(param.type)
    if isinstance(param.type, click.types.IntParamType | click.types.FloatParamType):
        return st.sampled_from(("1", "2", "3"))
    return st.sampled_from(PLAUSIBLE)


def _tokens(param: click.Parameter, value: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    if not isinstance(param, click.Option):
        return value.map(lambda item: [item])
    name = max(param.opts, key=len)
    if param.is_flag:
        return st.just([name])
    occurrences = st.lists(value, min_size=1, max_size=2 if param.multiple else 1)
    return occurrences.map(lambda values: [token for item in values for token in (name, item)])


@st.composite
def _command_line(draw: st.DrawFn, path: tuple[str, ...], command: click.Command) -> list[str]:
    params = [p for p in own_params(command) if not FORBIDDEN.intersection(p.opts)]
    target = draw(st.sampled_from(params)) if params else None
    options: list[str] = []
    arguments: list[str] = []
    for param in params:
        if param is target:
            tokens = draw(_tokens(param, hostile_value(param)))
        elif param.required or draw(st.booleans()):
            tokens = draw(_tokens(param, plausible_value(param)))
        else:
            continue
        (options if isinstance(param, click.Option) else arguments).extend(tokens)
    extra = click.Argument(["extra"])
    extras = draw(st.lists(hostile_value(extra), max_size=2)) if accepts_extra_args(command) else []
    globals_ = draw(st.sampled_from(([], [], ["--format", "json"], ["--config", "config.yaml"])))
    if draw(st.integers(0, 4 if params else 1)) == 0:  # --config itself, fuzzed now and then
        globals_ = ["--config", draw(st.sampled_from(PATHS))]
    return [*path, *options, *globals_, *arguments, *extras]


def argv_for(path: tuple[str, ...], command: click.Command) -> st.SearchStrategy[list[str]]:
    """Command lines for ``command``: one parameter (drawn) gets a hostile value, the others
    plausible values or nothing; options first, then arguments, like the docs."""
    return _command_line(path, command)


SHELL_LINES = (
    "data show AAPL --days 99999999999999999999",
    "backtest results 99999999999999999999999",
    "config set app.log_level",
    "db downgrade base",
    "data clear-cache --bars",
    "'unclosed quote",
    "exit 99999999999999999999",
    "exit -1",
    "exit nan",
    "help",
    "",
    "# a comment",
)


def shell_input() -> st.SearchStrategy[str]:
    """What a script pipes into ``trademind shell``: known-bad lines and arbitrary text."""
    line = st.sampled_from(SHELL_LINES) | TEXT.filter(lambda text: "--yes" not in text)
    return st.lists(line, max_size=3).map(lambda lines: "".join(f"{x}\n" for x in lines))

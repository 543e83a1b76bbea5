"""The backtest path (engine, strategies, fills) does not import pandas: pandas costs a 1M-bar
run about 40 MB of peak memory, which the benchmark's memory target cannot spare."""

from __future__ import annotations

import subprocess
import sys

ENGINE_PATH = (
    "trademind.backtest.engine.run",
    "trademind.strategies.registry",
    "trademind.fills.commission",
    "trademind.fills.slippage",
)


def imports_pandas(*modules: str) -> bool:
    """Whether importing ``modules`` in a fresh interpreter brings pandas in."""
    imports = "; ".join(f"import {module}" for module in modules)
    probe = f"import sys; {imports}; print('pandas' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return result.stdout.strip() == "True"


def test_the_engine_path_imports_no_pandas() -> None:
    assert not imports_pandas(*ENGINE_PATH)


def test_the_probe_sees_pandas_when_a_module_imports_it() -> None:
    assert imports_pandas("trademind.indicators.state")

"""The documented ranges of the backtest numbers people type, defined once.

The ``backtest`` settings validate against them and the ``trademind backtest`` and
``trademind strategies backtest`` options check them at the edge (a value outside is a usage
error, exit 2, and ``--help`` shows the range), so the config file and the command line can
never disagree. Plain constants: the CLI reads them without importing pydantic or numpy.
"""

from __future__ import annotations

from typing import Final

RUN_ID_MAX: Final = 2**63 - 1
"""Stored run ids are 1..2**63-1 (a signed 64-bit primary key)."""
DAYS_MAX: Final = 36_500
"""``--days``: 1..36,500 calendar days (100 years)."""
WALK_FORWARD_WINDOWS_MIN: Final = 2
WALK_FORWARD_WINDOWS_MAX: Final = 100
"""``backtest.walk_forward_windows`` and ``--windows``: 2..100 out-of-sample windows."""
IN_SAMPLE_RATIO_MAX: Final = 100.0
"""``--in-sample-ratio``: above 0, at most 100 (in-sample span / out-of-sample window)."""
MONTE_CARLO_RUNS_MIN: Final = 10
MONTE_CARLO_RUNS_MAX: Final = 100_000
"""``backtest.monte_carlo_runs`` and ``--runs``: 10..100,000 resamplings."""
SWEEP_TRIALS_MAX: Final = 100_000
"""Most trials of one sweep (a grid's combinations, ``--random N``)."""
SEED_MAX: Final = 2**32 - 1
"""``--seed``: 0..2**32-1."""
WORKERS_MAX: Final = 256
"""``--workers``: 1..256 processes."""
TOP_MAX: Final = 1_000
"""``backtest optimize --top``: 1..1,000 rows."""
LIST_LIMIT_MAX: Final = 100_000
"""``backtest list --limit``: 1..100,000 runs."""
SELECTION_BOOTSTRAP_MIN: Final = 100
SELECTION_BOOTSTRAP_MAX: Final = 100_000
"""``agents select-strategy --bootstrap``: 100..100,000 block-bootstrap resamples."""

"""The bounds of `ab run` and `ab list` (importable by the CLI without the service's imports)."""

from __future__ import annotations

from typing import Final

DEFAULT_RESAMPLES: Final = 5000
MIN_RESAMPLES: Final = 100
MAX_RESAMPLES: Final = 100_000
"""As the Monte Carlo bootstrap's ``MAX_RUNS``."""
DEFAULT_BLOCK_DAYS: Final = 10
"""As `safety validate`'s block: two weeks of trading days."""
MAX_BLOCK_DAYS: Final = 252
LIST_MAX: Final = 1000

"""Building blocks of the strategies: indicator series, crossings, confidence, assembly.

Everything here is causal, so the value at bar ``t`` depends on bars ``0..t`` only and is
bitwise the same whatever follows: the indicator kernels and the crossing scan are sequential
loops (numba), and the array arithmetic is elementwise with correctly rounded operations only
(+, -, *, /, comparisons), never transcendental functions whose vectorised and scalar paths
may differ.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

import numba  # type: ignore[import-untyped]
import numpy as np

from trademind.core.errors import ValidationError
from trademind.indicators import kernels
from trademind.strategies.base import ParamValue, Signals

if TYPE_CHECKING:
    from trademind.strategies.base import BoolArray, CodeArray, FloatArray

ENTRY_REASON = 1
EXIT_REASON = 2


def _compile[F: Callable[..., Any]](function: F) -> F:
    """``numba.njit(cache=True)``, without the on-disk cache where no cache directory is
    writable (as :mod:`trademind.indicators.kernels` does)."""
    try:
        compiled = numba.njit(cache=True, nogil=True)(function)
    except RuntimeError:  # numba: "cannot cache function ...: no locator available"
        compiled = numba.njit(nogil=True)(function)
    return cast("F", compiled)


def int_param(params: Mapping[str, ParamValue], name: str) -> int:
    return int(params[name])


def float_param(params: Mapping[str, ParamValue], name: str) -> float:
    return float(params[name])


def require_greater(params: Mapping[str, ParamValue], larger: str, smaller: str) -> None:
    """ValidationError unless ``params[larger] > params[smaller]``."""
    if float(params[larger]) <= float(params[smaller]):
        raise ValidationError(
            f"{larger} ({params[larger]}) must be greater than {smaller} ({params[smaller]})"
        )


def sma(values: FloatArray, period: int) -> FloatArray:
    """TA-Lib SMA over the whole series (NaN for the first ``period - 1`` bars)."""
    return kernels.sma_kernel(values, 0, 0, period, np.zeros(1))[0]


def ema(values: FloatArray, period: int) -> FloatArray:
    """TA-Lib EMA seeded with the SMA of the first ``period`` values."""
    return kernels.ema_kernel(values, 0, 0, period, np.zeros(1))[0]


def rsi(close: FloatArray, period: int) -> FloatArray:
    """TA-Lib (Wilder) RSI; the first value is at bar ``period``."""
    return kernels.rsi_kernel(close, 0, 0, period, np.zeros(2))[0]


def macd(
    close: FloatArray, fast: int, slow: int, signal: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """TA-Lib MACD line, signal line and histogram (first values at ``slow + signal - 2``)."""
    line, signal_line, histogram, _ = kernels.macd_kernel(
        close, 0, 0, fast, slow, signal, np.zeros(3)
    )
    return line, signal_line, histogram


def bollinger(
    close: FloatArray, period: int, deviations: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """TA-Lib BBANDS lower, middle and upper bands (first values at ``period - 1``)."""
    lower, middle, upper, _, _, _ = kernels.bollinger_kernel(
        close, 0, 0, period, deviations, np.zeros(2)
    )
    return lower, middle, upper


def crossings(difference: FloatArray) -> tuple[BoolArray, BoolArray]:
    """Where ``difference`` (a - b) crosses zero upwards and downwards.

    An upward cross at ``t``: ``difference[t] > 0`` and, at the last earlier bar where the
    difference was known and not zero, it was negative (touching zero and turning back is not
    a cross; NaN bars are not known). Downward mirrors it. This is backtrader's ``CrossOver``.
    """
    return _crossings(np.ascontiguousarray(difference, dtype=np.float64))


@_compile
def _crossings(difference: FloatArray) -> tuple[BoolArray, BoolArray]:
    size = difference.shape[0]
    up = np.zeros(size, dtype=np.bool_)
    down = np.zeros(size, dtype=np.bool_)
    last_sign = 0.0
    for index in range(size):
        value = difference[index]
        if value > 0.0:
            up[index] = last_sign < 0.0
            last_sign = 1.0
        elif value < 0.0:
            down[index] = last_sign > 0.0
            last_sign = -1.0
    return up, down


def confidence(distance: FloatArray, scale: float | FloatArray) -> FloatArray:
    """``0.5`` at the threshold, growing linearly with ``distance`` beyond it to ``1.0`` at
    ``scale`` (and above). NaN where the distance is NaN; a zero scale counts as full."""
    scales = np.asarray(scale)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio: FloatArray = np.divide(distance, scales)  # the one new array; the rest in place
    np.copyto(ratio, 1.0, where=~(scales > 0.0))
    np.clip(ratio, 0.0, 1.0, out=ratio)
    ratio *= 0.5
    ratio += 0.5
    return ratio


def assemble(  # noqa: PLR0917 - one array per slot of Signals
    entries: BoolArray,
    exits: BoolArray,
    entry_confidence: FloatArray,
    exit_confidence: FloatArray,
    entry_value: FloatArray,
    exit_value: FloatArray,
    texts: tuple[str, str],
) -> Signals:
    """Signals from the entry and exit masks; ``texts`` are the entry and exit reason
    templates (``{value}`` is the only placeholder left)."""
    confidence_out, reason, value, conflict = _assemble(
        entries, exits, entry_confidence, exit_confidence, entry_value, exit_value
    )
    if conflict:
        raise AssertionError("a strategy produced an entry and an exit on the same bar")
    return Signals(
        entries=entries,
        exits=exits,
        confidence=confidence_out,
        reason=reason,
        reason_value=value,
        reasons=("", *texts),
    )


@_compile
def _assemble(  # noqa: PLR0917 - numba kernels take positional arguments only
    entries: BoolArray,
    exits: BoolArray,
    entry_confidence: FloatArray,
    exit_confidence: FloatArray,
    entry_value: FloatArray,
    exit_value: FloatArray,
) -> tuple[FloatArray, CodeArray, FloatArray, bool]:
    size = entries.shape[0]
    confidence_out = np.zeros(size)
    reason = np.zeros(size, dtype=np.int16)
    value = np.full(size, np.nan)
    conflict = False
    for index in range(size):
        if entries[index]:
            conflict |= exits[index]
            confidence_out[index] = entry_confidence[index]
            reason[index] = ENTRY_REASON
            value[index] = entry_value[index]
        elif exits[index]:
            confidence_out[index] = exit_confidence[index]
            reason[index] = EXIT_REASON
            value[index] = exit_value[index]
    return confidence_out, reason, value, conflict

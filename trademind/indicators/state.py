"""Price arrays fed to the kernels and the engine state persisted between updates."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from trademind.core.errors import TradeMindError, ValidationError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

STATE_DTYPE = np.dtype("<f8")
"""States are stored as little-endian float64 bytes: exact, whatever the machine."""


class StateMismatchError(TradeMindError):
    """A stored state does not fit the stored bars (or the spec): recompute in full."""


@dataclass(frozen=True, eq=False)
class PriceArrays:
    """The bar columns the indicators read, as contiguous float64 arrays (``ts`` as int64 ns)."""

    ts: IntArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> PriceArrays:
        """Take ``ts, high, low, close, volume`` of a bar frame; refuse what kernels cannot use.

        Timestamps must be timezone-aware and strictly increasing and prices and volumes
        finite: a NaN would poison every later value of a recursive indicator.
        """
        ts = frame["ts"]
        if not isinstance(ts.dtype, pd.DatetimeTZDtype):
            raise ValidationError("bar timestamps must be timezone-aware")
        stamps = ts.dt.tz_convert("UTC").astype("datetime64[ns, UTC]").array.asi8.copy()
        arrays = {
            name: np.ascontiguousarray(frame[name].to_numpy(dtype=np.float64, na_value=np.nan))
            for name in ("high", "low", "close", "volume")
        }
        prices = cls(ts=stamps, **arrays)
        prices.check()
        return prices

    @classmethod
    def empty(cls) -> PriceArrays:
        nothing = np.empty(0)
        return cls(np.empty(0, dtype=np.int64), nothing, nothing, nothing, nothing)

    def check(self) -> None:
        if len(self.ts) > 1 and not bool(np.all(np.diff(self.ts) > 0)):
            raise ValidationError("bar timestamps must be strictly increasing")
        for name in ("high", "low", "close", "volume"):
            if not bool(np.all(np.isfinite(getattr(self, name)))):
                raise ValidationError(f"bar column {name!r} has NaN or infinite values")

    def __len__(self) -> int:
        return len(self.ts)

    def tail(self, count: int) -> PriceArrays:
        """The last ``count`` bars (all of them when there are fewer)."""
        first = max(len(self) - count, 0)
        return self.slice(first, len(self))

    def slice(self, first: int, last: int) -> PriceArrays:
        return PriceArrays(
            self.ts[first:last],
            self.high[first:last],
            self.low[first:last],
            self.close[first:last],
            self.volume[first:last],
        )

    def then(self, other: PriceArrays) -> PriceArrays:
        """These bars followed by ``other``'s."""
        return PriceArrays(
            np.concatenate([self.ts, other.ts]),
            np.concatenate([self.high, other.high]),
            np.concatenate([self.low, other.low]),
            np.concatenate([self.close, other.close]),
            np.concatenate([self.volume, other.volume]),
        )

    def checksum(self) -> str:
        """SHA-256 of the bars exactly as used (timestamps and float bits)."""
        digest = hashlib.sha256()
        for array in (self.ts, self.high, self.low, self.close, self.volume):
            digest.update(np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")))
        return digest.hexdigest()


@dataclass(frozen=True, eq=False)
class EngineState:
    """Where the kernels stopped for one symbol and timeframe.

    ``values`` is the kernels' state vector; the *window* is the last ``window_length`` bars
    processed (ending at ``last_ts``), which the next update re-reads from ``window_start_ts``
    and must find unchanged (``window_checksum``): a new dividend adjustment or a corrected
    bar changes them and forces a full recompute.
    """

    spec_key: str
    bars_seen: int
    last_ts: int
    window_start_ts: int
    window_length: int
    window_checksum: str
    values: FloatArray

    def values_bytes(self) -> bytes:
        return self.values.astype(STATE_DTYPE).tobytes()

    @staticmethod
    def values_from_bytes(raw: bytes) -> FloatArray:
        return np.frombuffer(raw, dtype=STATE_DTYPE).astype(np.float64)

    def same_as(self, other: EngineState) -> bool:
        """Equal in every field, the state vector compared bit for bit."""
        return (
            self.spec_key == other.spec_key
            and self.bars_seen == other.bars_seen
            and self.last_ts == other.last_ts
            and self.window_start_ts == other.window_start_ts
            and self.window_length == other.window_length
            and self.window_checksum == other.window_checksum
            and self.values_bytes() == other.values_bytes()
        )

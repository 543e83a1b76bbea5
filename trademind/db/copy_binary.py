"""PostgreSQL binary ``COPY`` rows built with numpy: one pass, no Python object per row.

Both bulk writers (bars in :mod:`trademind.data.copy_pg`, indicator values in
:mod:`trademind.indicators.store`) stream rows of the same shape: a few constant fields
repeated on every row (already encoded), a timestamp, then float8 columns. Every field has a
fixed width, so a row is one numpy structured record; a NULL in the last column is the record
without its last 8 bytes and a length of -1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt

PG_EPOCH_OFFSET_MICROS: Final = 946_684_800_000_000
"""Microseconds from 1970-01-01 to 2000-01-01, the epoch of PostgreSQL's binary timestamps."""

COPY_HEADER: Final = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
COPY_TRAILER: Final = b"\xff\xff"


def pg_timestamp(micros: int | npt.NDArray[np.int64]) -> Any:
    """UTC epoch microseconds as PostgreSQL binary timestamp values (microseconds since 2000)."""
    return micros - PG_EPOCH_OFFSET_MICROS


def _record_type(prefix: Sequence[bytes], columns: int) -> np.dtype[np.void]:
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for index, payload in enumerate(prefix):
        fields += [(f"len{index}", ">i4"), (f"p{index}", f"V{len(payload)}")]
    fields += [("len_ts", ">i4"), ("ts", ">i8")]
    for index in range(columns):
        fields += [(f"len_v{index}", ">i4"), (f"v{index}", ">f8")]
    return np.dtype(fields)


def encode_copy_rows(
    prefix: Sequence[bytes],
    micros: npt.NDArray[np.int64],
    values: npt.NDArray[np.float64],
    *,
    null_last_nan: bool = True,
) -> bytes:
    """The binary COPY tuples (no header or trailer) of ``len(micros)`` rows.

    ``prefix`` holds already-encoded fields repeated on every row (text as bytes, a timestamp
    as 8 big-endian bytes); then come the timestamp and the ``values`` columns (an ``(n, k)``
    float array). With ``null_last_nan`` a NaN in the last column is sent as NULL; otherwise
    NaN travels as the float NaN.
    """
    columns = values.shape[1]
    rows = np.empty(len(micros), dtype=_record_type(prefix, columns))
    rows["count"] = len(prefix) + 1 + columns
    for index, payload in enumerate(prefix):
        rows[f"len{index}"] = len(payload)
        rows[f"p{index}"] = np.void(payload)
    rows["len_ts"] = 8
    rows["ts"] = pg_timestamp(micros)
    for index in range(columns):
        rows[f"len_v{index}"] = 8
        rows[f"v{index}"] = values[:, index]
    missing = np.isnan(values[:, -1]) if null_last_nan and columns else None
    if missing is None or not missing.any():
        return bytes(rows.tobytes())
    rows[f"len_v{columns - 1}"][missing] = -1
    matrix = rows.view(np.uint8).reshape(len(rows), rows.dtype.itemsize)
    if missing.all():
        return bytes(matrix[:, :-8].tobytes())
    keep = np.ones(matrix.shape, dtype=bool)
    keep[missing, -8:] = False
    return bytes(matrix[keep].tobytes())

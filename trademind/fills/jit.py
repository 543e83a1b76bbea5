"""Numba compilation shared by the fill models (and the engine loop that calls them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numba  # type: ignore[import-untyped]


def njit[F: Callable[..., Any]](function: F) -> F:
    """``numba.njit(cache=True, nogil=True)``, or without the on-disk cache when no cache
    directory is writable (a read-only install without a user cache directory): slower start,
    same code. Compilation is lazy: nothing is compiled at import time."""
    try:
        compiled = numba.njit(cache=True, nogil=True)(function)
    except RuntimeError:  # numba: "cannot cache function ...: no locator available"
        compiled = numba.njit(nogil=True)(function)
    return cast("F", compiled)

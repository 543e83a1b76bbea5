"""Numba compilation shared by the fill models (and the engine loop that calls them)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import numba  # type: ignore[import-untyped]

log = logging.getLogger(__name__)


def njit[F: Callable[..., Any]](function: F) -> F:
    """``numba.njit(cache=True, nogil=True)``, or without the on-disk cache when no cache
    directory is writable (a read-only install without a user cache directory): slower start,
    same code. Compilation is lazy: nothing is compiled at import time."""
    try:
        compiled = numba.njit(cache=True, nogil=True)(function)
    except RuntimeError:  # numba: "cannot cache function ...: no locator available"
        compiled = numba.njit(nogil=True)(function)
    return cast("F", compiled)


def source_digest(modules: Iterable[ModuleType]) -> str:
    """SHA-256 over the source files of ``modules`` (in the order given)."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


def _dispatchers(modules: Iterable[ModuleType]) -> list[Any]:
    return [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, numba.core.registry.CPUDispatcher)
        and value.py_func.__module__ == module.__name__
    ]


def invalidate_when_changed(anchor: Any, modules: Iterable[ModuleType]) -> bool:
    """Drop the on-disk compiled code of every numba function of ``modules`` when any of
    their sources changed since it was cached; returns True when it did.

    Numba keys each function's cache on that function's own file only: a loop that calls numba
    functions from other modules would otherwise keep running their old code after those
    files change. The digest of all the sources is kept beside ``anchor``'s cache files.
    """
    modules = list(modules)
    cache = getattr(anchor, "_cache", None)
    path = getattr(cache, "cache_path", None)
    if cache is None or path is None or not hasattr(cache, "flush"):
        return False  # not cached (no writable cache directory): always compiled afresh
    stamp = Path(path) / f"{anchor.__name__}.sources"
    digest = source_digest(modules)
    try:
        if stamp.exists() and stamp.read_text() == digest:
            return False
        for dispatcher in _dispatchers(modules):
            dispatcher_cache = getattr(dispatcher, "_cache", None)
            if dispatcher_cache is not None and hasattr(dispatcher_cache, "flush"):
                dispatcher_cache.flush()
        stamp.write_text(digest)
    except OSError as exc:  # a read-only cache directory: numba cannot have written it either
        log.debug("cannot keep the numba source stamp %s: %s", stamp, exc)
        return False
    log.info("numba cache of %s flushed: its callees' sources changed", dispatcher.__name__)
    return True

"""TradeMind configuration: validated settings from defaults, files, ``.env`` and environment.

Use :func:`load_settings` (or :func:`load_config` to also learn where each value came from);
``Settings()`` alone is the built-in defaults. See docs/configuration.md.

The names below are imported on first use (PEP 562), so that ``from trademind.config import
Settings`` does not also import the file watcher (asyncio) and what other commands need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trademind.config.loader import (
        ENVIRONMENTS,
        BaseOverride,
        ConfigFiles,
        LoadedConfig,
        load_config,
        load_settings,
        user_config_file,
    )
    from trademind.config.masking import masked_dict
    from trademind.config.models import Settings
    from trademind.config.watcher import ConfigUpdate, ConfigWatcher
    from trademind.core.secrets import MASK, mask_url_password

_MODULES = {
    "ENVIRONMENTS": "trademind.config.loader",
    "BaseOverride": "trademind.config.loader",
    "ConfigFiles": "trademind.config.loader",
    "LoadedConfig": "trademind.config.loader",
    "load_config": "trademind.config.loader",
    "load_settings": "trademind.config.loader",
    "user_config_file": "trademind.config.loader",
    "masked_dict": "trademind.config.masking",
    "Settings": "trademind.config.models",
    "ConfigUpdate": "trademind.config.watcher",
    "ConfigWatcher": "trademind.config.watcher",
    "MASK": "trademind.core.secrets",
    "mask_url_password": "trademind.core.secrets",
}

__all__ = [
    "ENVIRONMENTS",
    "MASK",
    "BaseOverride",
    "ConfigFiles",
    "ConfigUpdate",
    "ConfigWatcher",
    "LoadedConfig",
    "Settings",
    "load_config",
    "load_settings",
    "mask_url_password",
    "masked_dict",
    "user_config_file",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])

"""TradeMind configuration: validated settings from defaults, files, ``.env`` and environment.

Use :func:`load_settings` (or :func:`load_config` to also learn where each value came from);
``Settings()`` alone is the built-in defaults. See docs/configuration.md.
"""

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

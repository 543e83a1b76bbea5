"""Find the files TradeMind ships beside its code: templates, static, migrations, config.yaml.

From a checkout they live at the repository root (DESIGN.md layout); in an installed wheel
hatch copies them into ``trademind/_resources`` (see ``[tool.hatch...force-include]``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from trademind.core.errors import TradeMindError

ResourceName = Literal["templates", "static", "migrations", "config.yaml"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_path(name: ResourceName) -> Path:
    """Return the path of a shipped resource, from a wheel or from a source checkout."""
    for candidate in (_PACKAGE_DIR / "_resources" / name, _PACKAGE_DIR.parent / name):
        if candidate.exists():
            return candidate
    raise TradeMindError(
        f"shipped resource {name!r} not found beside the trademind package "
        f"(looked in {_PACKAGE_DIR / '_resources'} and {_PACKAGE_DIR.parent}); "
        "the installation is incomplete"
    )

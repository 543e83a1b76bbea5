"""Screenshots of the browser tests, copied to docs/images with ``DASHBOARD_SCREENSHOTS=1``
(docs/dashboard.md shows them)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def shot(page: Any, tmp_path: Path, name: str) -> None:
    """A full-page screenshot of ``page`` in ``tmp_path`` (and in docs/images when asked)."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("DASHBOARD_SCREENSHOTS") == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS_IMAGES / f"{name}.png")

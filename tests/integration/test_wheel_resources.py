"""Templates, static files, migrations and config.yaml are found from an installed wheel too."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = {
    "config.yaml": "trademind/_resources/config.yaml",
    "templates": "trademind/_resources/templates/base.html",
    "static": "trademind/_resources/static/css/trademind.css",
    "migrations": "trademind/_resources/migrations/env.py",
}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not available to build the wheel (tests run through `uv run`)")
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [uv, "build", "--wheel", "--offline", "--out-dir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("trademind-*.whl")
    return built


def test_wheel_contains_every_shipped_resource(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for resource, member in RESOURCES.items():
        assert member in names, f"{resource} missing from the wheel"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    samples = {n.rsplit("/", 1)[-1] for n in names if n.startswith("trademind/data/sample/")}
    assert {"AAPL.csv", "MSFT.csv", "NVDA.csv", "TSLA.csv"} <= samples
    assert "trademind/portfolio/symbols.csv" in names  # sectors of the sample symbols


def test_installed_wheel_resolves_resources_inside_itself(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = (
        "import sys, trademind.resources as r\n"
        "for name in sys.argv[1:]:\n"
        "    print(r.resource_path(name))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", code, *RESOURCES],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    for line in result.stdout.splitlines():
        assert Path(line).is_relative_to(target / "trademind" / "_resources"), line

"""``/api/v1/config``: the configuration in force (secrets masked), validation, one setting set.
Secrets can never be set here (they come from the environment only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from trademind.config import LoadedConfig
from trademind.services import config_service
from trademind.services.json_ready import to_json
from trademind.web.api import models
from trademind.web.deps import ClockDep, ContextDep

router = APIRouter(prefix="/config", tags=["config"])


class ConfigRow(BaseModel):
    key: str
    value: str
    source: str


class ConfigDocument(BaseModel):
    description: str
    values: dict[str, Any]
    rows: list[ConfigRow]


class SetRequest(BaseModel):
    """One setting and its value as YAML text (``"0.03"``, ``"[AAPL, MSFT]"``), as `config set`."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=200, examples=["safety.daily_loss_limit"])
    value: str = Field(max_length=10_000, examples=["0.03"])


def _document(loaded: LoadedConfig) -> Any:
    return to_json(config_service.config_view(loaded))


@router.get("", response_model=ConfigDocument)
def show(context: ContextDep) -> Any:
    """Every setting with its value and where it comes from (secrets masked)."""
    return context.config_files.derived(context.config_path, _document)


@router.get("/validate", response_model=models.Validation)
def validate(context: ContextDep) -> Any:
    """Whether the configuration files and environment give valid settings."""
    return to_json(config_service.validate_config(None, context.config_path))


@router.put("", response_model=models.FileChange)
def set_value(body: SetRequest, context: ContextDep, clock: ClockDep) -> Any:
    """Set one setting in the server's configuration file (validated whole first)."""
    try:
        change = config_service.set_config_value(
            body.key, body.value, context.config_path, clock=clock
        )
    finally:
        context.config_written()
    return to_json(change)

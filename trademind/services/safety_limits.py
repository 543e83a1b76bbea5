"""`safety limits` and `safety set`: the pre-trade rules in force and the safety settings.

Every setting of :class:`~trademind.config.sections_trading.SafetySettings` (nested sections
included, ``safety.circuit_breaker.max_drawdown``) is a :class:`SettableSetting`, found by
walking the model: a setting added there is settable here without a change. ``set_safety``
reads each value from the command line (a fraction setting also as ``2%``), checks it against
its declared range and the settings as a whole (``SafetySettings``' validator refuses limits
that contradict each other), then writes the base configuration file the way ``config set``
does: validated with every layer, atomically, one ``config_changes`` row per changed key
(source ``cli safety set``; that row holds the old and new value, the time and the file, so no
``safety_events`` row is added: the settings are not one account's). Whatever the command line
gets wrong is a :class:`~trademind.core.errors.UsageError` (exit 2) and nothing is written.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydantic

from trademind.config import load_config
from trademind.config.changes import parse_cli_value
from trademind.config.schema import (
    KeyInfo,
    allowed_values,
    describe_key,
    is_structured,
    iter_leaves,
    type_args,
)
from trademind.config.sections_trading import SafetySettings
from trademind.core.errors import ConfigError, UsageError
from trademind.services import config_service
from trademind.services.config_service import ChangeReport, Environ

if TYPE_CHECKING:
    from trademind.core.clock import Clock

SOURCE_SAFETY = "cli safety set"


@dataclass(frozen=True, slots=True)
class SettableSetting:
    """One safety setting as `safety set` offers it: ``--max-positions`` for
    ``safety.max_positions``, ``--circuit-breaker-max-drawdown`` for a nested one."""

    path: tuple[str, ...]  # under ``safety``
    description: str
    allowed: str  # "> 0 and <= 1"
    fraction: bool  # accepts "2%"

    @property
    def key(self) -> str:
        return "safety." + ".".join(self.path)

    @property
    def option(self) -> str:
        return "--" + "-".join(self.path).replace("_", "-")

    @property
    def param_name(self) -> str:
        return "_".join(self.path)


def _is_fraction(info: KeyInfo) -> bool:
    """A float setting expressed as a fraction: its upper bound is at most 1 or its
    description gives the percentage convention ("0.02 = 2%")."""
    field = info.field
    if field is None or float not in type_args(field.annotation):
        return False
    uppers = [
        getattr(item, name)
        for item in field.metadata
        for name in ("le", "lt")
        if getattr(item, name, None) is not None
    ]
    described = "%" in (field.description or "") or "fraction" in (field.description or "")
    return described or bool(uppers and max(uppers) <= 1)


def settable_settings() -> tuple[SettableSetting, ...]:
    """Every safety setting, in declaration order (sections depth first)."""
    found = []
    for info in iter_leaves(SafetySettings):
        assert info.field is not None
        found.append(
            SettableSetting(
                path=info.path,
                description=info.field.description or "",
                allowed=allowed_values(info.field),
                fraction=_is_fraction(info),
            )
        )
    return tuple(found)


def _full_key(setting: SettableSetting) -> KeyInfo:
    return describe_key(("safety", *setting.path))


def parse_setting(setting: SettableSetting, raw: str) -> Any:
    """``raw`` (the option's text) as the setting's typed value; ``2%`` is 0.02 for a fraction;
    a list setting takes comma-separated items (``market_hours,order_rate``; empty: none).

    Raises UsageError naming the option and what it accepts."""
    text = raw.strip()
    if text.endswith("%"):
        if not setting.fraction:
            raise UsageError(f"{setting.option}: a percentage is not accepted here (got {raw!r})")
        return _percentage(setting, text[:-1], raw)
    info = _full_key(setting)
    if info.field is not None and is_structured(info.field) and not text.startswith("["):
        text = "[" + ", ".join(part.strip() for part in text.split(",") if part.strip()) + "]"
    try:
        return parse_cli_value(info, text)
    except ConfigError as exc:
        reason = exc.problems[0][1] if exc.problems else str(exc)
        raise UsageError(f"{setting.option}: {reason}") from None


def _percentage(setting: SettableSetting, number: str, raw: str) -> float:
    try:
        value = float(number)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not number.strip() or number.strip()[-1:] == "%":
        raise UsageError(
            f"{setting.option}: {raw!r} is not a percentage (write 2% or 0.02; "
            f"allowed: {setting.allowed})"
        )
    return value / 100


@dataclass(frozen=True, slots=True, kw_only=True)
class SafetyChange:
    """What `safety set` did: the base file change and the settings now in force."""

    report: ChangeReport
    settings: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {**self.report.to_json(), "settings": self.settings}


def _check_whole(current: SafetySettings, values: Mapping[SettableSetting, Any]) -> None:
    """Refuse (UsageError) a value out of its range or settings that contradict each other."""
    data = current.model_dump(mode="python")
    for setting, value in values.items():
        node = data
        for part in setting.path[:-1]:
            node = node[part]
        node[setting.path[-1]] = value
    try:
        SafetySettings.model_validate(data)
    except pydantic.ValidationError as exc:
        raise UsageError(_validation_message(exc, values)) from None


def _validation_message(
    exc: pydantic.ValidationError, values: Mapping[SettableSetting, Any]
) -> str:
    by_path = {setting.path: setting for setting in values}
    problems = []
    for error in exc.errors():
        path = tuple(str(part) for part in error["loc"])
        setting = by_path.get(path)
        reason = str(error["msg"]).removeprefix("Value error, ")
        if setting is None:
            problems.append(f"refused: {reason}")
        else:
            value = values[setting]
            problems.append(
                f"{setting.option}: {reason} (got {value!r}; allowed: {setting.allowed})"
            )
    return "; ".join(problems) + "; nothing was written"


def set_safety(
    given: Mapping[str, str],
    config_path: Path | None,
    *,
    environ: Environ = None,
    cwd: Path | None = None,
    clock: Clock,
) -> SafetyChange:
    """Set safety settings from ``given`` (raw text by :attr:`SettableSetting.param_name`)."""
    settings = {setting.param_name: setting for setting in settable_settings()}
    if not given:
        names = ", ".join(setting.option for setting in settings.values())
        raise UsageError(f"safety set: nothing to set (options: {names})")
    unknown = sorted(set(given) - set(settings))
    if unknown:
        raise UsageError(f"safety set: unknown setting(s): {', '.join(unknown)}")
    values = {settings[name]: parse_setting(settings[name], raw) for name, raw in given.items()}
    current = load_config(config_path, environ=environ, cwd=cwd).settings.safety
    _check_whole(current, values)
    report = config_service.set_config_values(
        {setting.key: value for setting, value in values.items()},
        config_path,
        action="safety set",
        source=SOURCE_SAFETY,
        environ=environ,
        cwd=cwd,
        clock=clock,
    )
    after = load_config(config_path, environ=environ, cwd=cwd).settings.safety
    return SafetyChange(report=report, settings=after.model_dump(mode="json"))


# --- limits -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleLimit:
    """One pre-trade rule: whether it runs, the settings it enforces, whether it also checks
    orders that only reduce exposure."""

    rule: str
    enabled: bool
    applies_to_reducing: bool
    settings: dict[str, Any]
    off_because: str | None = None
    """Why the rule does not run (None when it does)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SafetyLimits:
    """The pre-trade rules in chain order, and every safety setting's value."""

    rules: tuple[RuleLimit, ...]
    disabled_rules: tuple[str, ...]
    settings: dict[str, Any]


class _NoCalendar:
    """The rules only keep their calendar; listing them asks it nothing."""

    def is_open(self, at: datetime) -> bool:
        raise AssertionError("listing the rules asks no calendar")

    def session_dates(self, at: datetime, count: int) -> list[str]:
        raise AssertionError("listing the rules asks no calendar")

    def session_date(self, at: datetime) -> str:
        raise AssertionError("listing the rules asks no calendar")


def limits(safety: SafetySettings) -> SafetyLimits:
    """Every pre-trade rule with its settings and whether it is enabled."""
    # Imported here: the rules load SQLAlchemy, and `safety set`'s options are built from this
    # module whenever the command tree is (`trademind --help` must not load it).
    from trademind.safety.catalogue import all_rules, disabled_reasons

    off = disabled_reasons(safety)
    if not safety.enabled:
        off = {rule.name: "safety.enabled is false" for rule in all_rules(safety, _NoCalendar())}
    rules = tuple(
        RuleLimit(
            rule=rule.name,
            enabled=rule.name not in off,
            applies_to_reducing=rule.applies_to_reducing,
            settings={name: _plain(value) for name, value in rule.settings.items()},
            off_because=off.get(rule.name),
        )
        for rule in all_rules(safety, _NoCalendar())
    )
    return SafetyLimits(
        rules=rules,
        disabled_rules=tuple(rule.rule for rule in rules if not rule.enabled),
        settings=safety.model_dump(mode="json"),
    )


def _plain(value: object) -> object:
    """A rule's setting as JSON-ready data (a Decimal as its number)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value

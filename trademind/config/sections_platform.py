"""Settings sections of the platform itself: app, logging, database, cache, web, scheduler,
notifications."""

from __future__ import annotations

import ipaddress
import warnings
from datetime import time
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr, ValidationInfo, field_validator

from trademind.config.base import Section, TimeOfDay, TimezoneName
from trademind.config.urls import check_redis_url, normalise_database_url

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
_MIN_TOKEN_LENGTH = 32


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("trademind"))


def is_loopback_host(host: str) -> bool:
    """True when ``host`` only accepts connections from this machine."""
    name = host.strip().strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class AppSettings(Section):
    """Where TradeMind keeps its data and which clock it reads."""

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Directory for the SQLite database, log files and downloaded data. "
        "Default: the platform's user data directory (e.g. ~/.local/share/trademind).",
    )
    timezone: TimezoneName = Field(
        default="America/New_York",
        description="Time zone used to show times and to decide trading days (IANA name).",
    )

    @field_validator("data_dir")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()


# A field called ``json`` shadows BaseModel's deprecated ``json()`` method; the configuration
# key is ``logging.json`` by contract, so the (harmless) shadowing warning is silenced here.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message='Field name "json"', category=UserWarning)

    class LoggingSettings(Section):
        """Console and file logging."""

        level: LogLevel = Field(default="INFO", description="Lowest level that is logged.")
        json: bool = Field(  # type: ignore[assignment]
            default=False,
            description="Write the log file as JSON lines (one object per record) instead of "
            "plain text lines.",
        )
        file: bool = Field(
            default=True, description="Also log to a rotating file <data_dir>/logs/trademind.log."
        )
        max_bytes: int = Field(
            default=10_000_000,
            ge=10_000,
            le=1_000_000_000,
            description="Size in bytes at which the log file is rotated.",
        )
        backup_count: int = Field(
            default=5, ge=0, le=1000, description="How many rotated log files are kept."
        )

        @field_validator("level", mode="before")
        @classmethod
        def _upper_level(cls, value: object) -> object:
            return value.upper() if isinstance(value, str) else value


class DatabaseSettings(Section):
    """Where TradeMind stores orders, trades, market data and decisions."""

    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL. Empty: the SQLite file <data_dir>/trademind.db. Server "
        "option: postgresql+psycopg://USER:PASSWORD@HOST:5432/DATABASE (postgresql:// is "
        "accepted and uses psycopg 3). A password in it is masked in every output.",
    )
    echo: bool = Field(default=False, description="Log every SQL statement (debugging only).")
    auto_migrate: bool = Field(
        default=True,
        description="Upgrade the schema to the latest migration on start. When false, run "
        "`trademind db upgrade` yourself.",
    )

    @field_validator("url", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("url")
    @classmethod
    def _supported_url(cls, value: str | None) -> str | None:
        if value is not None:
            normalise_database_url(value)
        return value


class CacheSettings(Section):
    """The cache for quotes, sentiment and other short-lived results (never the source of truth)."""

    backend: Literal["memory", "redis"] = Field(
        default="memory",
        description="memory: in-process TTL cache. redis: shared Redis cache; when Redis is "
        "unreachable TradeMind warns once and falls back to memory.",
    )
    redis_url: str = Field(
        default="redis://127.0.0.1:6379/0",
        description="Redis URL used when backend is redis (a password in it is masked).",
    )
    default_ttl_seconds: int = Field(
        default=900, gt=0, le=2_592_000, description="Lifetime of a cache entry in seconds."
    )
    key_prefix: str = Field(
        default="trademind:",
        max_length=64,
        pattern=r"^\S*$",
        description="Prefix of every Redis key, so several installations can share one Redis.",
    )

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        return check_redis_url(value)


class WebSettings(Section):
    """The dashboard and JSON API server."""

    host: str = Field(
        default="127.0.0.1",
        min_length=1,
        description="Address to listen on. Anything but loopback (127.0.0.1, ::1, localhost) "
        "requires web.auth_token.",
    )
    port: int = Field(default=8000, ge=1, le=65535, description="TCP port to listen on.")
    auth_token: SecretStr | None = Field(
        default=None,
        validate_default=True,
        description="Bearer token required by the dashboard and API (at least 32 characters). "
        "Secret: set TRADEMIND__WEB__AUTH_TOKEN. Required when host is not loopback.",
    )

    @field_validator("auth_token")
    @classmethod
    def _token_when_exposed(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        host = info.data.get("host")
        if value is not None and len(value.get_secret_value()) < _MIN_TOKEN_LENGTH:
            raise ValueError(f"must be at least {_MIN_TOKEN_LENGTH} characters")
        if value is None and isinstance(host, str) and not is_loopback_host(host):
            raise ValueError(
                f"is required because web.host {host!r} is reachable from other machines; "
                "set TRADEMIND__WEB__AUTH_TOKEN"
            )
        return value


class SchedulerSettings(Section):
    """Jobs driven by the clock (data refresh, post-close reports)."""

    enabled: bool = Field(default=True, description="Run scheduled jobs while the server runs.")
    timezone: TimezoneName = Field(
        default="America/New_York", description="Time zone of the job times below (IANA name)."
    )
    pre_open_time: TimeOfDay = Field(
        default=time(9, 0),
        description="Time of the pre-open job (data refresh, news), 'HH:MM' on trading days.",
    )
    post_close_time: TimeOfDay = Field(
        default=time(16, 30),
        description="Time of the post-close job (daily bars, indicators, reports), 'HH:MM'.",
    )
    misfire_grace_seconds: int = Field(
        default=300,
        ge=1,
        le=86_400,
        description="A job that could not start on time still runs if it is at most this late.",
    )


class NotificationSettings(Section):
    """Alerts sent to chat webhooks (fills, circuit breaker trips, errors)."""

    enabled: bool = Field(default=False, description="Send notifications at all.")
    min_level: Literal["info", "warning", "error", "critical"] = Field(
        default="warning", description="Lowest severity that is sent."
    )
    timeout: float = Field(
        default=10.0, gt=0, le=120, description="Seconds to wait for a webhook to answer."
    )
    slack_webhook_url: SecretStr | None = Field(
        default=None,
        description="Slack incoming-webhook URL. Secret: set "
        "TRADEMIND__NOTIFICATIONS__SLACK_WEBHOOK_URL.",
    )
    discord_webhook_url: SecretStr | None = Field(
        default=None,
        description="Discord webhook URL. Secret: set "
        "TRADEMIND__NOTIFICATIONS__DISCORD_WEBHOOK_URL.",
    )
    webhook_url: SecretStr | None = Field(
        default=None,
        description="Generic webhook receiving a JSON POST per notification. Secret: set "
        "TRADEMIND__NOTIFICATIONS__WEBHOOK_URL.",
    )

    @field_validator("slack_webhook_url", "discord_webhook_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("https://", "http://")):
            raise ValueError("must be an http(s):// URL")
        return value

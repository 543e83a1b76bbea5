"""The settings models: defaults, ranges, strictness, secrets and the database URL."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import platformdirs
import pydantic
import pytest

from trademind.config import MASK, Settings, mask_url_password, masked_dict
from trademind.config.schema import iter_leaves, secret_paths, section_model
from trademind.config.sections_platform import WebSettings, is_loopback_host

REQUIRED_SECTIONS = [
    "app",
    "logging",
    "database",
    "data",
    "indicators",
    "strategies",
    "backtest",
    "llm",
    "sentiment",
    "safety",
    "broker",
    "ibkr",
    "web",
    "scheduler",
    "cache",
    "notifications",
]


def test_defaults_hold_the_contract_values() -> None:
    settings = Settings()
    assert settings.app.data_dir == Path(platformdirs.user_data_dir("trademind"))
    assert settings.app.timezone == "America/New_York"
    assert (settings.logging.level, settings.logging.json, settings.logging.file) == (
        "INFO",
        False,
        True,
    )
    assert (settings.logging.max_bytes, settings.logging.backup_count) == (10_000_000, 5)
    assert (settings.database.url, settings.database.echo, settings.database.auto_migrate) == (
        None,
        False,
        True,
    )
    assert settings.cache.backend == "memory"
    assert settings.cache.redis_url == "redis://127.0.0.1:6379/0"
    assert (settings.cache.default_ttl_seconds, settings.cache.key_prefix) == (900, "trademind:")
    assert settings.llm.base_url == "https://api.z.ai/api/paas/v4"
    assert (settings.llm.model, settings.llm.temperature, settings.llm.timeout) == (
        "glm-4.7",
        0.3,
        30,
    )
    assert settings.llm.api_key is None
    assert (settings.ibkr.host, settings.ibkr.port) == ("127.0.0.1", 7497)
    assert (settings.broker.type, settings.broker.live_trading_enabled) == ("paper", False)
    assert settings.safety.daily_loss_limit == 0.02
    assert (settings.web.host, settings.web.port, settings.web.auth_token) == (
        "127.0.0.1",
        8000,
        None,
    )
    assert settings.data.adjusted_prices is True
    assert 900 <= settings.sentiment.cache_ttl_seconds <= 1800
    assert settings.scheduler.post_close_time == time(16, 30)


def test_every_required_section_exists() -> None:
    assert set(REQUIRED_SECTIONS) <= set(Settings.model_fields)


def test_every_setting_has_a_type_default_and_description() -> None:
    for leaf in iter_leaves():
        assert leaf.field is not None
        assert leaf.field.annotation is not None, leaf.path
        assert leaf.field.description, leaf.path
        assert len(leaf.field.description) > 10, leaf.path
        assert not leaf.field.is_required(), leaf.path


@pytest.mark.parametrize("section", ["", "safety", "safety.circuit_breaker", "web"])
def test_unknown_keys_are_rejected_at_every_level(section: str) -> None:
    data: dict[str, object] = {"bogus": 1}
    for name in reversed(section.split(".") if section else []):
        data = {name: data}
    with pytest.raises(pydantic.ValidationError, match="Extra inputs are not permitted"):
        Settings.model_validate(data)


def test_settings_are_immutable() -> None:
    settings = Settings()
    with pytest.raises(pydantic.ValidationError):
        settings.safety.daily_loss_limit = 0.5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("safety.daily_loss_limit", -0.05),
        ("safety.daily_loss_limit", 0),
        ("safety.daily_loss_limit", 1.5),
        ("llm.temperature", 2.5),
        ("llm.daily_budget_usd", -1),
        ("llm.breaker_failures", 0),
        ("llm.prices", [{"model": "m", "input_per_million": -1, "output_per_million": 1}]),
        (
            "llm.prices",
            [
                {"model": "m", "input_per_million": 1, "output_per_million": 1},
                {"model": "m", "input_per_million": 2, "output_per_million": 2},
            ],
        ),
        ("ibkr.port", 0),
        ("ibkr.port", 70000),
        ("ibkr.default_order_type", "MARKET"),
        ("ibkr.time_in_force", "FOK"),
        ("ibkr.market_data_type", "live"),
        ("ibkr.max_order_size", 0),
        ("cache.default_ttl_seconds", 0),
        ("cache.backend", "memcached"),
        ("broker.type", "alpaca"),
        ("logging.level", "LOUD"),
        ("indicators.macd_slow", 5),
        ("strategies.ma_crossover.slow", 10),
        ("strategies.macd_momentum.slow", 5),
        ("strategies.rsi_mean_reversion.overbought", 25),
        ("scheduler.post_close_time", "25:00"),
        ("scheduler.post_close_time", 990),
        ("app.timezone", "Mars/Olympus"),
        ("data.watchlist", ["AAPL", "not a symbol"]),
        ("strategies.enabled", ["rsi_mean_reversion", "rsi_mean_reversion"]),
    ],
)
def test_out_of_range_values_are_rejected(key: str, value: object) -> None:
    section, *rest = key.split(".")
    nested: object = value
    for name in reversed(rest):
        nested = {name: nested}
    with pytest.raises(pydantic.ValidationError):
        Settings.model_validate({section: nested})


def test_values_are_normalised() -> None:
    settings = Settings.model_validate(
        {
            "logging": {"level": "debug"},
            "data": {"watchlist": ["aapl", "brk.b"]},
            "scheduler": {"post_close_time": "7:05"},
            "llm": {"base_url": "http://localhost:8080/v1/"},
        }
    )
    assert settings.logging.level == "DEBUG"
    assert settings.data.watchlist == ["AAPL", "BRK.B"]
    assert settings.scheduler.post_close_time == time(7, 5)
    assert settings.llm.base_url == "http://localhost:8080/v1"


def test_database_url_defaults_to_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings.model_validate({"app": {"data_dir": str(tmp_path / "d")}})
    assert settings.database_url() == f"sqlite:///{(tmp_path / 'd' / 'trademind.db').resolve()}"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u:pw@h/db", "postgresql+psycopg://u:pw@h/db"),
        ("sqlite:////var/lib/t.db", "sqlite:////var/lib/t.db"),
    ],
)
def test_database_url_accepts_postgres_and_sqlite(url: str, expected: str) -> None:
    assert Settings.model_validate({"database": {"url": url}}).database_url() == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("mysql://u@h/db", "unsupported database scheme 'mysql'"),
        ("postgresql+psycopg2://u@h/db", "unsupported PostgreSQL driver 'psycopg2'"),
        ("not a url", "is not a URL"),
    ],
)
def test_database_url_rejects_other_schemes_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=reason):
        Settings.model_validate({"database": {"url": url}})


def test_url_passwords_are_masked() -> None:
    assert mask_url_password("postgresql://trader:hunter2@db:5432/t") == (
        f"postgresql://trader:{MASK}@db:5432/t"
    )
    assert mask_url_password("redis://:hunter2@r:6379/0") == f"redis://:{MASK}@r:6379/0"
    assert mask_url_password("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    settings = Settings.model_validate(
        {
            "database": {"url": "postgresql://trader:hunter2@db/t"},
            "cache": {"redis_url": "redis://:pw9@r/0"},
        }
    )
    shown = str(masked_dict(settings))
    assert "hunter2" not in shown
    assert "pw9" not in shown


def test_secrets_are_secret_str_and_masked_everywhere() -> None:
    assert {".".join(path) for path in secret_paths()} == {
        "llm.api_key",
        "news.finnhub_api_key",
        "ibkr.account",
        "web.auth_token",
        "notifications.slack_webhook_url",
        "notifications.discord_webhook_url",
        "notifications.webhook_url",
    }
    settings = Settings.model_validate({"llm": {"api_key": "sk-secret-123"}})
    assert settings.llm.api_key is not None
    assert settings.llm.api_key.get_secret_value() == "sk-secret-123"
    for text in (repr(settings), str(settings), str(masked_dict(settings))):
        assert "sk-secret-123" not in text
    assert masked_dict(settings)["llm"]["api_key"] == MASK
    assert masked_dict(Settings())["llm"]["api_key"] is None
    assert settings.secret_values() == ["sk-secret-123"]


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.10", False),
        ("trademind.example.com", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_web_token_is_required_beyond_loopback() -> None:
    with pytest.raises(pydantic.ValidationError, match="auth_token") as caught:
        WebSettings(host="0.0.0.0")
    assert caught.value.errors()[0]["loc"] == ("auth_token",)
    assert WebSettings(host="0.0.0.0", auth_token="a-long-enough-token-1234-5678-9abc").auth_token  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError, match="at least 32 characters"):
        WebSettings(auth_token="short")  # type: ignore[arg-type]


def test_nested_sections_are_models() -> None:
    assert section_model(Settings.model_fields["safety"]) is not None
    names = {".".join(leaf.path) for leaf in iter_leaves()}
    assert "safety.circuit_breaker.max_drawdown" in names
    assert "safety.pdt.max_day_trades" in names

"""The root :class:`Settings`: one validated, immutable object holding every section.

``Settings()`` is the built-in defaults only. The layered configuration (files, overlay,
``.env``, environment variables) is assembled by :func:`trademind.config.loader.load_settings`,
which validates the merged result with :meth:`Settings.model_validate`.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from trademind.config.sections_agents import AbSettings, OrchestratorSettings
from trademind.config.sections_ai import LlmSettings, SentimentSettings
from trademind.config.sections_market import (
    BacktestSettings,
    DataSettings,
    IndicatorSettings,
    StrategySettings,
)
from trademind.config.sections_news import NewsSettings
from trademind.config.sections_platform import (
    AppSettings,
    CacheSettings,
    DatabaseSettings,
    LoggingSettings,
    NotificationSettings,
    SchedulerSettings,
    WebSettings,
)
from trademind.config.sections_server import ServerSettings
from trademind.config.sections_trading import BrokerSettings, IbkrSettings, SafetySettings
from trademind.config.urls import normalise_database_url, sqlite_url_for
from trademind.core.secrets import url_password

SQLITE_FILE_NAME = "trademind.db"


class Settings(BaseModel):
    """Every TradeMind setting. Immutable; unknown keys are rejected at every level.

    A plain model, not pydantic-settings' BaseSettings: the loader reads and reports every
    layer itself, and pydantic-settings alone tripled the start-up time of `config get`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    app: AppSettings = Field(default_factory=AppSettings, description="Application.")
    logging: LoggingSettings = Field(default_factory=LoggingSettings, description="Logging.")
    database: DatabaseSettings = Field(default_factory=DatabaseSettings, description="Database.")
    data: DataSettings = Field(default_factory=DataSettings, description="Market data.")
    indicators: IndicatorSettings = Field(
        default_factory=IndicatorSettings, description="Technical indicators."
    )
    strategies: StrategySettings = Field(
        default_factory=StrategySettings, description="Rule-based strategies."
    )
    backtest: BacktestSettings = Field(default_factory=BacktestSettings, description="Backtests.")
    llm: LlmSettings = Field(default_factory=LlmSettings, description="Language model API.")
    sentiment: SentimentSettings = Field(
        default_factory=SentimentSettings, description="Sentiment agent."
    )
    news: NewsSettings = Field(default_factory=NewsSettings, description="News sources.")
    orchestrator: OrchestratorSettings = Field(
        default_factory=OrchestratorSettings, description="Agents and their vote."
    )
    ab: AbSettings = Field(default_factory=AbSettings, description="A/B tests of variants.")
    safety: SafetySettings = Field(default_factory=SafetySettings, description="Safety limits.")
    broker: BrokerSettings = Field(default_factory=BrokerSettings, description="Broker choice.")
    ibkr: IbkrSettings = Field(default_factory=IbkrSettings, description="Interactive Brokers.")
    web: WebSettings = Field(default_factory=WebSettings, description="Dashboard and API.")
    server: ServerSettings = Field(
        default_factory=ServerSettings, description="The server's trading session."
    )
    scheduler: SchedulerSettings = Field(
        default_factory=SchedulerSettings, description="Scheduled jobs."
    )
    cache: CacheSettings = Field(default_factory=CacheSettings, description="Cache.")
    notifications: NotificationSettings = Field(
        default_factory=NotificationSettings, description="Notifications."
    )

    def database_url(self) -> str:
        """The SQLAlchemy URL to connect to (SQLite in the data directory unless configured).

        ``postgresql://`` URLs come back as ``postgresql+psycopg://``. The result may carry a
        password: never log it (use :func:`trademind.config.mask_url_password`).
        """
        if self.database.url is None:
            return sqlite_url_for(self.app.data_dir / SQLITE_FILE_NAME)
        return normalise_database_url(self.database.url)

    def secret_values(self) -> list[str]:
        """Every secret that is set, passwords inside URLs included (for log redaction)."""
        values = [secret.get_secret_value() for secret in _secrets(self) if secret is not None]
        for url in (self.database.url, self.cache.redis_url):
            password = url_password(url) if url else None
            if password:
                values.append(password)
        return [value for value in values if value]


def _secrets(model: BaseModel) -> Iterator[SecretStr | None]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            yield value
        elif isinstance(value, BaseModel):
            yield from _secrets(value)

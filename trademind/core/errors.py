"""The one exception hierarchy of TradeMind.

Every error a user can cause or meet derives from :class:`TradeMindError`; entry points (CLI,
web) catch it and show its message as one clear line. Anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations


class TradeMindError(Exception):
    """Base of every expected TradeMind error. ``str(err)`` is the one-line message for users."""

    exit_code: int = 1


class ConfigError(TradeMindError):
    """Configuration is missing, unreadable or invalid.

    ``problems`` lists ``(dotted.key.path, reason)`` pairs when validation found them.
    """

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.problems: list[tuple[str, str]] = list(problems or [])


class DatabaseError(TradeMindError):
    """The database cannot be reached, migrated or queried."""


class CacheError(TradeMindError):
    """The cache backend failed."""


class NotBuiltYetError(TradeMindError):
    """A command or capability exists in the interface but is not implemented yet."""

    def __init__(self, capability: str, arrives_with: str) -> None:
        super().__init__(
            f"{capability} is not built yet (it arrives with {arrives_with}); nothing was done"
        )
        self.capability = capability
        self.arrives_with = arrives_with


class ValidationError(TradeMindError):
    """External input (CSV, API body, LLM text, CLI argument) failed validation at the edge."""

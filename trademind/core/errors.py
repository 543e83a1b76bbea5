"""The one exception hierarchy of TradeMind.

Every error a user can cause or meet derives from :class:`TradeMindError`; entry points (CLI,
web) catch it and show its message as one clear line. Anything else is a bug and keeps its
traceback.

Exit codes (the CLI exits with ``exit_code``): 2 for usage errors (:class:`UsageError`: a bad
option or argument value the CLI can check by itself: type, range, format, unknown name), 1 for
failures (every other error: a valid request that could not be carried out), 0 for success.
"""

from __future__ import annotations

from decimal import Decimal


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


class UsageError(ValidationError):
    """Bad user input detected at the edge, before any work: an option or argument value of the
    wrong type, out of its documented range, badly formatted or naming nothing known.

    Raise it from CLI parsers (and from services validating what a caller passed straight
    through from the user) instead of :class:`ValidationError` when the command line itself is
    wrong; the CLI prints it as one ``error:`` line and exits 2, like Click's own usage errors.
    Failures of a valid request (missing data, a broken file's content) are not usage errors.
    """

    exit_code = 2


class ConfirmationRequiredError(UsageError):
    """A destructive request (deleting rows, dropping tables, overwriting the config file) made
    without confirmation from a non-terminal and without ``--yes``: nothing was changed. The
    message says what would be lost."""


class BrokerError(TradeMindError):
    """A broker could not do what was asked (not connected, unknown order, venue failure)."""


class OrderRejectedError(BrokerError):
    """An order was refused before it reached the market; ``reason`` says why (it is also the
    rejection reason stored with the order)."""

    def __init__(self, client_order_id: str, reason: str) -> None:
        super().__init__(f"order {client_order_id} rejected: {reason}")
        self.client_order_id = client_order_id
        self.reason = reason


class AccountBusyError(TradeMindError):
    """Another process already trades this account (one ``trade`` process per account)."""


class TradingStateError(TradeMindError):
    """A trading state change the safety layer's state machine does not allow (e.g. a reset
    of an account that is already active); nothing was changed."""


class ServerError(TradeMindError):
    """The server cannot be started, reached or stopped (already running, not running, no
    answer, a bad answer)."""


class LlmError(TradeMindError):
    """A language model call gave no usable answer. Messages never contain the API key."""


class LlmUnavailableError(LlmError):
    """No answer from the language model: ``reason`` says why in a few words ("no API key",
    "over budget", "circuit breaker open", "timeout", "HTTP 503") and ``outcome`` is the
    ``llm_calls`` outcome recorded for it (None when nothing was recorded: no API key)."""

    def __init__(self, reason: str, outcome: str | None, detail: str = "") -> None:
        suffix = f": {detail}" if detail else ""
        super().__init__(f"language model unavailable ({reason}){suffix}")
        self.reason = reason
        self.outcome = outcome


class LlmParseError(LlmError):
    """The model answered, but not with the JSON object asked for; ``content`` is its raw text
    (the caller may still read a label from it). The call is recorded as ``parse_error``."""

    def __init__(self, detail: str, content: str, cost_usd: Decimal | None = None) -> None:
        super().__init__(f"language model answer is not a JSON object: {detail}")
        self.content = content
        self.cost_usd = cost_usd  # what the unreadable answer cost (None: no price known)

"""The cost of a call from the price table: never a guessed price."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal

from trademind.config.sections_ai import ModelPrice

logger = logging.getLogger(__name__)

_MILLION = Decimal(1_000_000)


def call_cost(
    prices: Sequence[ModelPrice], model: str, tokens_in: int, tokens_out: int
) -> Decimal | None:
    """US dollars for ``tokens_in`` + ``tokens_out`` of ``model``; None (with a warning) for a
    model the table does not list."""
    price = next((entry for entry in prices if entry.model == model), None)
    if price is None:
        logger.warning(
            "no price for LLM model %r in llm.prices: its cost is recorded as unknown", model
        )
        return None
    per_in = Decimal(str(price.input_per_million))
    per_out = Decimal(str(price.output_per_million))
    return (per_in * tokens_in + per_out * tokens_out) / _MILLION

"""What a company is (name, sector, industry) from Yahoo Finance's ``Ticker.info``.

:class:`CompanyProfile` is the answer; :class:`YFinanceProfiles` asks Yahoo through an
injected ``info`` function (the real one imports yfinance on first use), so tests never go
online. A failed or empty answer is None: the caller shows "unknown", never a guess.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

log = logging.getLogger(__name__)

InfoFn = Callable[[str], Mapping[str, Any]]


@dataclass(frozen=True, slots=True, kw_only=True)
class CompanyProfile:
    """A ticker's name, sector and industry as a provider gave them (None: not given)."""

    symbol: str
    name: str | None
    sector: str | None
    industry: str | None


def _yfinance_info(symbol: str) -> Mapping[str, Any]:
    import yfinance

    return cast(Mapping[str, Any], yfinance.Ticker(symbol).info)


def _text(info: Mapping[str, Any], key: str) -> str | None:
    value = info.get(key)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


class YFinanceProfiles:
    """Company profiles from Yahoo Finance (``info["sector"]``, ``info["industry"]``)."""

    source = "yfinance"

    def __init__(self, info: InfoFn = _yfinance_info) -> None:
        self._info = info

    def profile(self, symbol: str) -> CompanyProfile | None:
        """The profile of ``symbol``; None when Yahoo fails or knows neither sector nor
        industry (logged, never raised: an unknown sector is not an error)."""
        try:
            info = self._info(symbol)
        except Exception as exc:
            log.warning("no profile for %s from Yahoo Finance: %s", symbol, exc)
            return None
        sector, industry = _text(info, "sector"), _text(info, "industry")
        if sector is None and industry is None:
            log.warning("Yahoo Finance gave no sector or industry for %s", symbol)
            return None
        name = _text(info, "longName") or _text(info, "shortName")
        return CompanyProfile(symbol=symbol, name=name, sector=sector, industry=industry)

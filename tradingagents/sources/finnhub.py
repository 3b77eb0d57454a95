"""Finnhub through finnhub-python, on the source's cached, rate-limited session.

finnhub-python has no session parameter and no retries; a small ``finnhub.Client`` subclass
injects our session (the key travels as the ``token`` query parameter, which the cache never
stores) and the base URL, and :class:`~tradingagents.sources.resilience.Guard` adds retries
and the circuit breaker around each call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import finnhub

from tradingagents.sources.classify import error_from_exception, error_from_response
from tradingagents.sources.config import FinnhubConfig, ResilienceConfig
from tradingagents.sources.credentials import SecretDict
from tradingagents.sources.errors import MalformedResponse, SourceError
from tradingagents.sources.finnhub_records import (
    CompanyProfile,
    EarningsEvent,
    InsiderTransaction,
    NewsArticle,
    Quote,
    RecommendationTrend,
    StockSymbol,
    UpgradeDowngrade,
)
from tradingagents.sources.http import SourceSession
from tradingagents.sources.records import parse_many, parse_one
from tradingagents.sources.resilience import Guard

NAME = "finnhub"
T = TypeVar("T")

# Cache lifetimes by endpoint (regexes searched in the request URL) -> cache_ttl key.
TTL_RULES = (
    (r"/quote\?", "quote"),
    (r"/(company-)?news\?", "news"),
    (r"/calendar/earnings\?", "calendar"),
    (r"/stock/(recommendation|upgrade-downgrade|insider-transactions)\?", "calendar"),
    (r"/stock/(symbol|profile2)\?", "reference"),
)


class _Client(finnhub.Client):  # type: ignore[misc]
    """finnhub.Client on an injected session and base URL (its constructor takes neither)."""

    def __init__(self, api_key: str, session: SourceSession, api_url: str, timeout: float) -> None:
        session.headers.update({"Accept": "application/json", "User-Agent": "finnhub/python"})
        session.params = SecretDict(token=api_key)  # repr-safe: printing the session hides it
        self._session = session
        self.API_URL = api_url
        self.DEFAULT_TIMEOUT = timeout


def translate(exc: BaseException) -> SourceError | None:
    """finnhub-python's exceptions to typed errors (without their text: it may quote a URL)."""
    if isinstance(exc, finnhub.FinnhubAPIException):
        return error_from_response(NAME, exc.response)
    if isinstance(exc, finnhub.FinnhubRequestException):
        return MalformedResponse(NAME, "the answer is not valid JSON")
    return error_from_exception(NAME, exc)


class FinnhubSource:
    """Quotes, news, insider transactions, earnings, recommendations and reference data."""

    name = NAME

    def __init__(
        self,
        settings: FinnhubConfig,
        api_key: str,
        session: SourceSession,
        resilience: ResilienceConfig,
    ) -> None:
        self.session = session
        self.guard = Guard(NAME, resilience, translate)
        self._client = _Client(api_key, session, settings.base_url, settings.timeout_seconds)

    def quote(self, symbol: str) -> Quote | None:
        """The latest quote, or ``None`` for a symbol Finnhub does not know (zeros and nulls)."""

        def parse(raw: Any) -> Quote | None:
            if isinstance(raw, dict) and not raw.get("c") and not raw.get("t"):
                return None
            return parse_one(NAME, Quote, {**_as_dict(raw, "/quote"), "symbol": symbol}, "/quote")

        return self._call("/quote", lambda c: c.quote(symbol), parse)

    def company_news(self, symbol: str, start: dt.date, end: dt.date) -> list[NewsArticle]:
        return self._call(
            "/company-news",
            lambda c: c.company_news(symbol, _from=start.isoformat(), to=end.isoformat()),
            lambda raw: parse_many(NAME, NewsArticle, raw, "/company-news"),
        )

    def general_news(self, category: str = "general", min_id: int = 0) -> list[NewsArticle]:
        return self._call(
            "/news",
            lambda c: c.general_news(category, min_id=min_id),
            lambda raw: parse_many(NAME, NewsArticle, raw, "/news"),
        )

    def insider_transactions(
        self, symbol: str = "", start: dt.date | None = None, end: dt.date | None = None
    ) -> list[InsiderTransaction]:
        """Insider transactions of ``symbol`` (all symbols when empty), newest first."""
        return self._call(
            "/stock/insider-transactions",
            lambda c: c.stock_insider_transactions(symbol, _from=_iso(start), to=_iso(end)),
            lambda raw: parse_many(
                NAME,
                InsiderTransaction,
                _as_dict(raw, "/stock/insider-transactions").get("data") or [],
                "/stock/insider-transactions data",
            ),
        )

    def earnings_calendar(
        self, start: dt.date, end: dt.date, symbol: str = ""
    ) -> list[EarningsEvent]:
        return self._call(
            "/calendar/earnings",
            lambda c: c.earnings_calendar(
                _from=start.isoformat(), to=end.isoformat(), symbol=symbol
            ),
            lambda raw: parse_many(
                NAME,
                EarningsEvent,
                _as_dict(raw, "/calendar/earnings").get("earningsCalendar") or [],
                "/calendar/earnings earningsCalendar",
            ),
        )

    def recommendation_trends(self, symbol: str) -> list[RecommendationTrend]:
        """Monthly analyst recommendation counts, newest first."""
        return self._call(
            "/stock/recommendation",
            lambda c: c.recommendation_trends(symbol),
            lambda raw: parse_many(NAME, RecommendationTrend, raw, "/stock/recommendation"),
        )

    def upgrade_downgrade(
        self, symbol: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[UpgradeDowngrade]:
        """Analyst upgrades and downgrades; premium on Finnhub (:class:`NoAccess` otherwise),
        so callers fall back to :meth:`recommendation_trends`."""
        return self._call(
            "/stock/upgrade-downgrade",
            lambda c: c.upgrade_downgrade(symbol=symbol, _from=_iso(start), to=_iso(end)),
            lambda raw: parse_many(NAME, UpgradeDowngrade, raw, "/stock/upgrade-downgrade"),
        )

    def stock_symbols(self, exchange: str = "US") -> list[StockSymbol]:
        return self._call(
            "/stock/symbol",
            lambda c: c.stock_symbols(exchange),
            lambda raw: parse_many(NAME, StockSymbol, raw, "/stock/symbol"),
        )

    def company_profile(self, symbol: str) -> CompanyProfile | None:
        """The company profile, or ``None`` when Finnhub has none (it answers ``{}``)."""

        def parse(raw: Any) -> CompanyProfile | None:
            body = _as_dict(raw, "/stock/profile2")
            return parse_one(NAME, CompanyProfile, body, "/stock/profile2") if body else None

        return self._call("/stock/profile2", lambda c: c.company_profile2(symbol=symbol), parse)

    def close(self) -> None:
        self.guard.close()
        self.session.close()

    def _call(self, what: str, fetch: Callable[[Any], Any], parse: Callable[[Any], T]) -> T:
        return self.guard.call(what, lambda: parse(fetch(self._client)))


def _as_dict(raw: Any, what: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise MalformedResponse(NAME, f"{what}: expected a JSON object, got {type(raw).__name__}")
    return raw


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None

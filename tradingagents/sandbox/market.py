"""The deterministic sandbox market: ``generate_market(seed, trade_date) -> Market``.

A Market is everything the emulator serves for one trade date: the universe, daily bars, a
quote, Alpha Vantage movers, Form 4 insider transactions, the earnings calendar,
recommendation trends, company and general news, Reddit posts, and the ground truth of the
signals planted in them (see signals.py for each signal's definition).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from collections.abc import Sequence

import numpy as np
import pandas as pd

from tradingagents.sandbox import market_bars
from tradingagents.sandbox.ground_truth import evaluate
from tradingagents.sandbox.market_bars import FloatArray
from tradingagents.sandbox.market_earnings import (
    FUTURE_DAYS,
    earnings_reactions,
    earnings_schedule,
)
from tradingagents.sandbox.market_events import Events, build_events
from tradingagents.sandbox.market_plants import plant_price_signals
from tradingagents.sandbox.market_records import (
    Company,
    Decoy,
    EarningsEvent,
    InsiderTransaction,
    MoverRow,
    Movers,
    NewsArticle,
    PlantedSignal,
    Quote,
    RecommendationTrend,
    RedditPost,
)
from tradingagents.sandbox.signals import REDDIT_AS_OF_HOUR_UTC, SIGNALS, utc_date
from tradingagents.sandbox.signals import REDDIT_SUBREDDITS as REDDIT_SUBREDDITS
from tradingagents.sandbox.universe import Listing, build_universe

__all__ = [
    "Company",
    "Decoy",
    "EarningsEvent",
    "InsiderTransaction",
    "Market",
    "MoverRow",
    "Movers",
    "NewsArticle",
    "PlantedSignal",
    "Quote",
    "RecommendationTrend",
    "RedditPost",
    "build_market",
    "generate_market",
    "latest_trading_day",
]

logger = logging.getLogger(__name__)

PLANT_TAG = 0x504C4E54  # "PLNT"
CLOSE_HOUR_UTC = REDDIT_AS_OF_HOUR_UTC  # 16:00 New York (EST): quote time and Reddit "now"


def latest_trading_day(day: dt.date) -> dt.date:
    """`day` itself on a weekday, else the Friday before (the sandbox has no holidays)."""
    return day - dt.timedelta(days=max(day.weekday() - 4, 0))


def _as_trade_date(trade_date: dt.date | str) -> dt.date:
    if isinstance(trade_date, str):
        try:
            parsed = dt.date.fromisoformat(trade_date)
        except ValueError as exc:
            raise ValueError(f"trade_date {trade_date!r} is not an ISO date (YYYY-MM-DD)") from exc
    elif isinstance(trade_date, dt.datetime):
        parsed = trade_date.date()
    elif isinstance(trade_date, dt.date):
        parsed = trade_date
    else:
        raise TypeError(f"trade_date must be a date or an ISO string, got {type(trade_date)!r}")
    if parsed.weekday() > 4:
        raise ValueError(
            f"trade_date {parsed.isoformat()} is a {parsed.strftime('%A')}: the sandbox trades "
            f"Monday to Friday (latest trading day: {latest_trading_day(parsed).isoformat()})"
        )
    if parsed < market_bars.MIN_TRADE_DATE:
        raise ValueError(
            f"trade_date {parsed.isoformat()} is before the sandbox's first supported date "
            f"{market_bars.MIN_TRADE_DATE.isoformat()}"
        )
    return parsed


class Market:
    """One seeded market as of a trade date's close. Immutable once built (the price frames
    are read-only views of its arrays) and safe to share between threads."""

    def __init__(
        self,
        seed: int,
        trade_date: dt.date,
        companies: tuple[Company, ...],
        dates: pd.DatetimeIndex,
        bars: market_bars.Bars,
        events: Events,
    ) -> None:
        self.seed = seed
        self.trade_date = trade_date
        self.companies = companies
        self.dates = dates
        symbols = pd.Index([company.symbol for company in companies], name="symbol")
        index = dates.rename("date")
        self.open = pd.DataFrame(bars.open, index=index, columns=symbols, copy=False)
        self.high = pd.DataFrame(bars.high, index=index, columns=symbols, copy=False)
        self.low = pd.DataFrame(bars.low, index=index, columns=symbols, copy=False)
        self.close = pd.DataFrame(bars.close, index=index, columns=symbols, copy=False)
        self.volume = pd.DataFrame(bars.volume, index=index, columns=symbols, copy=False)
        self._by_symbol = {company.symbol: company for company in companies}
        self._column = {symbol: i for i, symbol in enumerate(symbols)}
        self._bars = bars
        self._events = events
        verdict = evaluate(self, events.planted, events.decoy_candidates)
        self.ground_truth: tuple[PlantedSignal, ...] = verdict.signals
        self.decoys: tuple[Decoy, ...] = verdict.decoys
        self._truth = verdict.truth

    def __repr__(self) -> str:
        return (
            f"Market(seed={self.seed}, trade_date={self.trade_date.isoformat()}, "
            f"companies={len(self.companies)}, days={len(self.dates)})"
        )

    # -- reference data -------------------------------------------------------------------
    def company(self, symbol: str) -> Company | None:
        """The company listed as `symbol` (exact, upper case), or None."""
        return self._by_symbol.get(symbol)

    # -- prices ---------------------------------------------------------------------------
    def bars(self, symbol: str) -> pd.DataFrame:
        """Daily bars of `symbol` (index date; open, high, low, close, volume)."""
        column = self._column.get(symbol)
        if column is None:
            raise KeyError(f"unknown symbol {symbol!r}: not in the sandbox universe")
        return pd.DataFrame(
            {
                "open": self._bars.open[:, column],
                "high": self._bars.high[:, column],
                "low": self._bars.low[:, column],
                "close": self._bars.close[:, column],
                "volume": self._bars.volume[:, column],
            },
            index=self.dates.rename("date"),
        )

    def quote(self, symbol: str) -> Quote | None:
        """Finnhub-style quote at the trade date's close, or None for an unknown symbol."""
        column = self._column.get(symbol)
        if column is None:
            return None
        close = float(self._bars.close[-1, column])
        previous = float(self._bars.close[-2, column])
        change = round(close - previous, 4)
        closing_time = dt.datetime.combine(
            self.trade_date, dt.time(CLOSE_HOUR_UTC), tzinfo=dt.UTC
        )
        return Quote(
            c=close,
            d=change,
            dp=round(change / previous * 100.0, 4),
            h=float(self._bars.high[-1, column]),
            l=float(self._bars.low[-1, column]),
            o=float(self._bars.open[-1, column]),
            pc=previous,
            t=int(closing_time.timestamp()),
        )

    def movers(self) -> Movers:
        """Alpha Vantage TOP_GAINERS_LOSERS for the trade date (non-universe rows included)."""
        return self._events.movers

    # -- events ---------------------------------------------------------------------------
    def insider_transactions(
        self,
        symbol: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> list[InsiderTransaction]:
        """Form 4 transactions, newest filing first; start/end bound the transaction date."""
        rows = self._events.insider if symbol is None else self._events.insider_by_symbol.get(
            symbol, ()
        )
        return [
            row
            for row in rows
            if (start is None or row.transaction_date >= start)
            and (end is None or row.transaction_date <= end)
        ]

    def earnings(self, start: dt.date, end: dt.date) -> list[EarningsEvent]:
        """Earnings calendar rows dated start..end (inclusive), by date then symbol."""
        return [event for event in self._events.earnings if start <= event.date <= end]

    def recommendation_trends(self, symbol: str) -> list[RecommendationTrend]:
        """Monthly recommendation counts of `symbol`, newest first ([] when unknown)."""
        return list(self._events.recommendations.get(symbol, ()))

    def company_news(self, symbol: str, start: dt.date, end: dt.date) -> list[NewsArticle]:
        """Company news of `symbol` published start..end (UTC dates, inclusive), newest first."""
        return [
            article
            for article in self._events.company_news.get(symbol, ())
            if start <= utc_date(article.datetime) <= end
        ]

    def general_news(self, category: str = "general") -> list[NewsArticle]:
        """Market news of `category` ("general", "forex", "crypto", "merger"), newest first."""
        return [article for article in self._events.general_news if article.category == category]

    def reddit_posts(self, subreddit: str) -> list[RedditPost]:
        """Posts of r/wallstreetbets or r/stocks (case-insensitive), newest first; else []."""
        return list(self._events.reddit.get(subreddit.lower(), ()))

    # -- ground truth ---------------------------------------------------------------------
    def planted(self, signal: str) -> frozenset[str]:
        """Tickers deliberately planted with `signal` (a plant can fail its definition by a
        hair; truth() is what counts)."""
        self.truth(signal)  # validates the name
        return frozenset(self._events.planted.get(signal, ()))

    def truth(self, signal: str) -> frozenset[str]:
        """Tickers that satisfy `signal`'s definition (signals.py) on the trade date."""
        if signal not in self._truth:
            raise KeyError(f"unknown signal {signal!r}; known: {', '.join(SIGNALS)}")
        return self._truth[signal]


def _companies(listings: Sequence[Listing], close: FloatArray) -> tuple[Company, ...]:
    companies = []
    for i, listing in enumerate(listings):
        companies.append(
            Company(
                symbol=listing.symbol,
                name=listing.name,
                sector=listing.sector,
                industry=listing.industry,
                cik=listing.cik,
                exchange=listing.exchange,
                shares_outstanding=listing.shares_outstanding,
                ipo=listing.ipo,
                market_cap=round(float(close[-1, i]) * listing.shares_outstanding, 2),
            )
        )
    return tuple(companies)


def build_market(seed: int, trade_date: dt.date | str) -> Market:
    """A fresh (uncached) market; `generate_market` is the cached entry point."""
    _check_seed(seed)
    return _build(seed, _as_trade_date(trade_date))


def generate_market(seed: int, trade_date: dt.date | str) -> Market:
    """The market of `seed` as of `trade_date`'s close: cached, and generated once per key
    even when several threads ask for it at the same time."""
    _check_seed(seed)
    key = (seed, _as_trade_date(trade_date))
    with _locks_guard:
        lock = _generation_locks.setdefault(key, threading.Lock())
    with lock:
        market = _cached_build(*key)
    with _locks_guard:
        _generation_locks.pop(key, None)
    return market


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")


def _build(seed: int, trade_date: dt.date) -> Market:
    listings = build_universe(seed)
    dates = market_bars.window_dates(trade_date)
    schedule = earnings_schedule(
        seed, listings, dates[0].date(), trade_date + dt.timedelta(days=FUTURE_DAYS)
    )
    symbols = [listing.symbol for listing in listings]
    raw = market_bars.simulate(seed, listings, dates, earnings_reactions(schedule, symbols, dates))
    rng = np.random.Generator(np.random.PCG64([seed, PLANT_TAG, trade_date.toordinal()]))
    planting = plant_price_signals(raw, market_bars.render(raw), rng)
    bars = market_bars.render(raw)
    events = build_events(seed, trade_date, listings, dates, bars, planting, schedule)
    logger.debug("generated sandbox market seed=%s trade_date=%s", seed, trade_date)
    return Market(seed, trade_date, _companies(listings, bars.close), dates, bars, events)


CACHED_MARKETS = 8  # a market holds ~25 MB
_cached_build = functools.lru_cache(maxsize=CACHED_MARKETS)(_build)
_generation_locks: dict[tuple[int, dt.date], threading.Lock] = {}
_locks_guard = threading.Lock()

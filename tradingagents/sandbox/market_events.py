"""Everything a market holds besides its bars, planted signals included.

One PCG64 stream keyed by (seed, trade date) drives what is planted on the trade date; the
background of each record type comes from its own day-keyed streams (see each module).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tradingagents.sandbox.market_analysts import build_recommendations
from tradingagents.sandbox.market_bars import Bars
from tradingagents.sandbox.market_earnings import build_earnings
from tradingagents.sandbox.market_insiders import build_insider_transactions
from tradingagents.sandbox.market_movers import build_movers, extra_listings
from tradingagents.sandbox.market_news import build_news
from tradingagents.sandbox.market_plants import Planting
from tradingagents.sandbox.market_records import (
    Decoy,
    EarningsEvent,
    InsiderTransaction,
    Movers,
    NewsArticle,
    RecommendationTrend,
    RedditPost,
)
from tradingagents.sandbox.market_reddit import build_reddit
from tradingagents.sandbox.universe import Listing

EVENTS_TAG = 0x45564E54  # "EVNT"


@dataclass(frozen=True, slots=True)
class Events:
    movers: Movers
    insider: tuple[InsiderTransaction, ...]
    insider_by_symbol: Mapping[str, tuple[InsiderTransaction, ...]]
    earnings: tuple[EarningsEvent, ...]
    recommendations: Mapping[str, tuple[RecommendationTrend, ...]]
    company_news: Mapping[str, tuple[NewsArticle, ...]]
    general_news: tuple[NewsArticle, ...]
    reddit: Mapping[str, tuple[RedditPost, ...]]
    planted: Mapping[str, tuple[str, ...]]  # signal -> tickers deliberately planted
    decoy_candidates: tuple[Decoy, ...]  # before checking them against the definitions


def build_events(
    seed: int,
    trade_date: dt.date,
    listings: tuple[Listing, ...],
    dates: pd.DatetimeIndex,
    bars: Bars,
    price_planting: Planting,
    earnings_calendar: dict[str, list[EarningsEvent]],
) -> Events:
    """Records of every kind for the trade date, planted signals and decoys included."""
    symbols = [listing.symbol for listing in listings]
    planted: dict[str, list[str]] = {
        signal: [symbols[column] for column in columns]
        for signal, columns in price_planting.planted.items()
    }
    decoys = [Decoy(signal, symbols[column], why) for signal, column, why in
              price_planting.decoys]

    def stream(part: int) -> np.random.Generator:
        return np.random.Generator(
            np.random.PCG64([seed, EVENTS_TAG, trade_date.toordinal(), part])
        )

    extras = extra_listings(stream(0), set(symbols))
    movers = build_movers(symbols, bars, extras)
    decoys.extend(
        Decoy("market_movers", row.ticker, f"{kind}, not a universe common stock")
        for kind, row in extras
        if row in movers.top_gainers or row in movers.top_losers
    )
    insider = build_insider_transactions(seed, stream(1), listings, dates, bars, trade_date)
    earnings = build_earnings(stream(2), earnings_calendar, trade_date)
    analysts = build_recommendations(seed, stream(3), listings, dates[0].date(), trade_date)
    news = build_news(seed, stream(4), listings, trade_date)
    reddit = build_reddit(seed, stream(5), listings, trade_date)
    for signal, plan_planted, plan_decoys in (
        ("insider_buying", insider.planted, insider.decoys),
        ("earnings_calendar", earnings.planted, earnings.decoys),
        ("analyst_upgrades", analysts.planted, analysts.decoys),
        ("news_catalyst", news.planted, news.decoys),
    ):
        planted[signal] = list(plan_planted)
        decoys.extend(Decoy(signal, ticker, why) for ticker, why in plan_decoys)
    planted["reddit_trending"] = reddit.trending
    planted["reddit_dd"] = reddit.dd
    decoys.extend(Decoy(signal, ticker, why) for signal, ticker, why in reddit.decoys)

    by_symbol: dict[str, list[InsiderTransaction]] = {}
    for row in insider.rows:
        by_symbol.setdefault(row.symbol, []).append(row)
    return Events(
        movers=movers,
        insider=tuple(insider.rows),
        insider_by_symbol={symbol: tuple(rows) for symbol, rows in by_symbol.items()},
        earnings=tuple(earnings.events),
        recommendations=analysts.trends,
        company_news=news.company,
        general_news=news.general,
        reddit=reddit.posts,
        planted={signal: tuple(tickers) for signal, tickers in planted.items()},
        decoy_candidates=tuple(decoys),
    )

"""Non-price records of a market (first cut: valid shapes, background data only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tradingagents.sandbox.market_bars import Bars
from tradingagents.sandbox.market_records import (
    Decoy,
    EarningsEvent,
    InsiderTransaction,
    MoverRow,
    Movers,
    NewsArticle,
    PlantedSignal,
    RecommendationTrend,
    RedditPost,
)
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
    ground_truth: tuple[PlantedSignal, ...]
    decoys: tuple[Decoy, ...]


def _movers(listings: tuple[Listing, ...], bars: Bars) -> Movers:
    close, previous = bars.close[-1], bars.close[-2]
    change = close - previous
    percent = change / previous * 100.0
    rows = [
        MoverRow(listing.symbol, float(close[i]), round(float(change[i]), 4),
                 round(float(percent[i]), 4), int(bars.volume[-1, i]))
        for i, listing in enumerate(listings)
    ]
    by_change = sorted(rows, key=lambda row: row.change_percentage)
    return Movers(
        top_gainers=tuple(reversed(by_change[-20:])),
        top_losers=tuple(by_change[:20]),
        most_actively_traded=tuple(sorted(rows, key=lambda row: -row.volume)[:20]),
    )


def build_events(
    seed: int,
    trade_date: dt.date,
    listings: tuple[Listing, ...],
    dates: pd.DatetimeIndex,
    bars: Bars,
) -> Events:
    rng = np.random.Generator(np.random.PCG64([seed, EVENTS_TAG, trade_date.toordinal()]))
    insider: list[InsiderTransaction] = []
    for i in rng.choice(len(listings), size=40, replace=False):
        listing = listings[int(i)]
        day = trade_date - dt.timedelta(days=int(rng.integers(0, 30)))
        shares = int(rng.integers(1_000, 50_000))
        insider.append(
            InsiderTransaction(
                symbol=listing.symbol, cik=listing.cik, insider_name="Jordan Avery",
                insider_cik=1_900_000 + int(i), title="Director", is_director=True,
                is_officer=False, is_ten_percent_owner=False, transaction_date=day,
                filing_date=min(day + dt.timedelta(days=2), trade_date), code="S",
                acquired_disposed="D", shares=shares, price=float(bars.close[-1, int(i)]),
                shares_owned_after=shares * 3,
                accession_number=f"{1_900_000 + int(i):010d}-{day.year % 100:02d}-{int(i):06d}",
            )
        )
    insider.sort(key=lambda row: row.filing_date, reverse=True)
    by_symbol: dict[str, list[InsiderTransaction]] = {}
    for row in insider:
        by_symbol.setdefault(row.symbol, []).append(row)
    earnings = tuple(
        EarningsEvent(listing.symbol, trade_date + dt.timedelta(days=int(k % 30) - 10), "amc",
                      1, trade_date.year, 1.0, 1.1 if k % 30 < 10 else None, 1e9,
                      1.05e9 if k % 30 < 10 else None)
        for k, listing in enumerate(listings)
    )
    month = trade_date.replace(day=1)
    periods = [month]
    for _ in range(3):
        periods.append((periods[-1] - dt.timedelta(days=1)).replace(day=1))
    recommendations = {
        listing.symbol: tuple(RecommendationTrend(listing.symbol, p, 5, 10, 6, 1, 0)
                              for p in periods)
        for listing in listings
    }
    close_time = int(dt.datetime.combine(trade_date, dt.time(14), tzinfo=dt.UTC).timestamp())
    company_news = {
        listing.symbol: (NewsArticle(
            k + 1, close_time, f"{listing.name} shares trade steady", "Quiet session.",
            "MarketWatch", f"https://example.com/news/{k + 1}", "company", listing.symbol, ""),)
        for k, listing in enumerate(listings)
    }
    general = (NewsArticle(900_000_001, close_time, "Stocks drift as traders await the Fed",
                           "Markets were mixed.", "Reuters", "https://example.com/general/1",
                           "general", "", ""),)
    reddit = {
        sub: tuple(
            RedditPost(f"t{k:05d}", sub, f"What do you think of {listings[k].symbol}?",
                       "Thoughts?", f"user_{k}", 10, 0.9, 3, float(close_time - k * 600),
                       "Discussion", f"/r/{sub}/comments/t{k:05d}/post/",
                       f"https://www.reddit.com/r/{sub}/comments/t{k:05d}/post/", False, False)
            for k in range(30)
        )
        for sub in ("wallstreetbets", "stocks")
    }
    return Events(
        movers=_movers(listings, bars),
        insider=tuple(insider),
        insider_by_symbol={k: tuple(v) for k, v in by_symbol.items()},
        earnings=earnings,
        recommendations=recommendations,
        company_news=company_news,
        general_news=general,
        reddit=reddit,
        ground_truth=(),
        decoys=(),
    )

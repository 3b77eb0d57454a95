"""Which tickers carry each signal on the trade date, decided from the market's own data.

Truth is computed with the reference definitions of signals.py over exactly what the market
serves, so it contains the planted tickers that took and anything that satisfies a definition
by accident. Decoys are kept only when they really fail their signal's definition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from tradingagents.sandbox import signals
from tradingagents.sandbox.market_records import Decoy, PlantedSignal

if TYPE_CHECKING:
    from tradingagents.sandbox.market import Market


@dataclass(frozen=True, slots=True)
class GroundTruth:
    signals: tuple[PlantedSignal, ...]
    truth: Mapping[str, frozenset[str]]
    decoys: tuple[Decoy, ...]


def _rows(frame: pd.DataFrame, tickers: frozenset[str]) -> dict[str, dict[str, Any]]:
    """Per-ticker metric rows, floats rounded for readability."""
    return {
        ticker: {
            str(column): round(float(value), 4) if isinstance(value, float) else value
            for column, value in frame.loc[ticker].items()
        }
        for ticker in tickers
    }


def _price_details(market: Market) -> dict[str, Callable[[frozenset[str]], dict[str, Any]]]:
    close, high, low, volume = market.close, market.high, market.low, market.volume
    return {
        "unusual_volume": lambda t: _rows(signals.unusual_volume_metrics(close, volume), t),
        "volume_accumulation": lambda t: _rows(signals.accumulation_metrics(close, volume), t),
        "high_52w_breakout": lambda t: _rows(signals.breakout_metrics(close, high, volume), t),
        "rsi_oversold": lambda t: _rows(signals.rsi_metrics(close), t),
        "trend_template": lambda t: _rows(signals.trend_metrics(close, high, low), t),
    }


def _all_news(market: Market) -> list[Any]:
    first = market.trade_date - dt.timedelta(days=366)
    return [
        article
        for company in market.companies
        for article in market.company_news(company.symbol, first, market.trade_date)
    ]


def _all_posts(market: Market) -> list[Any]:
    return [post for sub in signals.REDDIT_SUBREDDITS for post in market.reddit_posts(sub)]


TREND_FAILURES = {
    "close_above_sma50": "close below its SMA50",
    "smas_stacked": "SMA50 > SMA150 > SMA200 not stacked",
    "sma200_rising": "SMA200 falling over 20 days",
    "near_high": "more than 25% below its 52-week high",
    "above_low": "less than 30% above its 52-week low",
}


def _trend_near_misses(market: Market, per_condition: int = 1) -> list[Decoy]:
    """Tickers meeting every trend-template condition but one (first few per condition)."""
    conditions = signals.trend_conditions(
        signals.trend_metrics(market.close, market.high, market.low)
    )
    one_short = conditions[conditions.sum(axis=1) == len(conditions.columns) - 1]
    decoys: list[Decoy] = []
    for name, why in TREND_FAILURES.items():
        failing = one_short.index[~one_short[name]][:per_condition]
        decoys.extend(Decoy("trend_template", str(ticker), f"all but one: {why}")
                      for ticker in failing)
    return decoys


def evaluate(
    market: Market, planted: Mapping[str, tuple[str, ...]], decoys: tuple[Decoy, ...]
) -> GroundTruth:
    """Truth, ground-truth records and verified decoys of a market."""
    day = market.trade_date
    universe = frozenset(company.symbol for company in market.companies)
    earnings = market.earnings(dt.date.min, dt.date.max)
    trends = {c.symbol: market.recommendation_trends(c.symbol) for c in market.companies}
    posts = _all_posts(market)
    truth: dict[str, frozenset[str]] = {
        "market_movers": signals.market_movers(market.movers(), universe),
        "unusual_volume": signals.unusual_volume(market.close, market.volume),
        "volume_accumulation": signals.volume_accumulation(market.close, market.volume),
        "high_52w_breakout": signals.high_52w_breakout(market.close, market.high, market.volume),
        "rsi_oversold": signals.rsi_oversold(market.close),
        "trend_template": signals.trend_template(market.close, market.high, market.low),
        "insider_buying": signals.insider_buying(market.insider_transactions(), day),
        "earnings_calendar": signals.earnings_calendar(earnings, day),
        "analyst_upgrades": signals.analyst_upgrades(trends, day),
        "news_catalyst": signals.news_catalyst(_all_news(market), day),
        "reddit_trending": signals.reddit_trending(posts, universe, day),
        "reddit_dd": signals.reddit_dd(posts, universe, day),
    }
    details: dict[str, dict[str, dict[str, Any]]] = {
        signal: describe(truth[signal]) for signal, describe in _price_details(market).items()
    }
    insiders = signals.insider_metrics(market.insider_transactions(), day)
    details["insider_buying"] = {
        t: {"insiders": insiders[t][0], "value": round(insiders[t][1], 2)}
        for t in truth["insider_buying"]
    }
    reports = signals.earnings_metrics(earnings, day)
    details["earnings_calendar"] = {
        t: {"report_date": reports[t][0].isoformat(), "beats_of_last_4": reports[t][2]}
        for t in truth["earnings_calendar"]
    }
    details["analyst_upgrades"] = {
        t: {"shift": signals.analyst_shift(trends[t], day)} for t in truth["analyst_upgrades"]
    }
    counts = signals.reddit_post_counts(posts, universe, day)
    details["reddit_trending"] = {t: {"posts": counts[t]} for t in truth["reddit_trending"]}
    records = tuple(
        PlantedSignal(
            signal=signal,
            ticker=ticker,
            date=day,
            details={
                "planted": ticker in planted.get(signal, ()),
                **details.get(signal, {}).get(ticker, {}),
            },
        )
        for signal in signals.SIGNALS
        for ticker in sorted(truth[signal])
    )
    candidates = (*decoys, *_trend_near_misses(market))
    kept = tuple(decoy for decoy in candidates if decoy.ticker not in truth[decoy.signal])
    return GroundTruth(signals=records, truth=truth, decoys=kept)

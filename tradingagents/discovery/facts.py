"""Facts the filter node needs about each candidate, fetched through a logged tool call."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from tradingagents.scanners.errors import ScannerCancelled
from tradingagents.scanners.tool_context import ToolContext
from tradingagents.sources.errors import SourceError


def fetch_facts(
    tools: ToolContext, tickers: Sequence[str], *, trade_date: str, volume_days: int
) -> dict[str, dict[str, Any]]:
    """Per ticker: ``price`` (last close on or before the trade date), ``as_of``,
    ``change_percent`` (vs the previous close) and ``average_volume`` (mean of the last
    ``volume_days`` sessions); or ``error`` saying why there are none."""
    if not tickers:
        return {}
    end = date.fromisoformat(trade_date)
    # Calendar days enough to hold volume_days sessions through weekends and holidays.
    start = end - timedelta(days=volume_days * 2 + 10)
    try:
        batch = tools.call(
            "get_daily_bars_batch",
            tools.require_sources().prices.daily_bars_batch,
            symbols=list(tickers),
            start=start,
            end=end,
        )
    except SourceError as exc:
        return {ticker: {"error": str(exc)} for ticker in tickers}
    except ScannerCancelled as exc:
        # The node's budget ran out before the call could start (a slow lazy sandbox start):
        # facts the node could not fetch, never an exception out of the graph.
        reason = f"the filter's time budget ran out before prices were fetched ({exc})"
        return {ticker: {"error": reason} for ticker in tickers}
    facts: dict[str, dict[str, Any]] = {}
    for ticker in tickers:
        bars = batch.bars.get(ticker)
        if bars is None or bars.empty:
            error = batch.errors.get(ticker)
            facts[ticker] = {"error": str(error) if error else "no bars up to the trade date"}
            continue
        close = bars["close"]
        previous = float(close.iloc[-2]) if len(close) > 1 else math.nan
        price = float(close.iloc[-1])
        facts[ticker] = {
            "price": round(price, 4),
            "as_of": bars.index[-1].date().isoformat(),
            "change_percent": None
            if math.isnan(previous)
            else round((price / previous - 1) * 100, 3),
            "average_volume": round(float(bars["volume"].tail(volume_days).mean()), 1),
        }
    return facts

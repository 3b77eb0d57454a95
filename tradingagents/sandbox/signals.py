"""The sandbox's signals: one exact definition each (first cut: names only)."""

from __future__ import annotations

SIGNALS: tuple[str, ...] = (
    "market_movers",
    "unusual_volume",
    "volume_accumulation",
    "high_52w_breakout",
    "rsi_oversold",
    "trend_template",
    "insider_buying",
    "earnings_calendar",
    "analyst_upgrades",
    "news_catalyst",
    "reddit_trending",
    "reddit_dd",
)

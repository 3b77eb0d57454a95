"""The default configuration, a plain dict users copy and change.

Copy it with ``copy.deepcopy`` (or :func:`default_config`) before changing nested values:
``DEFAULT_CONFIG.copy()`` is shallow and would change the defaults for everyone.
Every key is validated by :mod:`tradingagents.config` before anything runs.
"""

from __future__ import annotations

import copy
from typing import Any

DEFAULT_CONFIG: dict[str, Any] = {
    # Where `tradingagents discover` writes one folder per run.
    "results_dir": "results",
    "discovery": {
        "scanner_execution": {
            "concurrent": True,
            "max_workers": 8,
            "timeout_seconds": 30,
            # Queue order: "longest_first" uses the run history's recent durations (when
            # there are any) so long scanners start first; "registration" never reorders.
            # Results are in registration order either way.
            "schedule": "longest_first",
        },
        # Tool-call logs keep this many characters of each output (the full length is logged too).
        "tool_log_preview_chars": 500,
        "pipelines": {
            "momentum": {"enabled": True},
            "edge": {"enabled": True},
            "events": {"enabled": True},
            "social": {"enabled": True},
            "technical": {"enabled": True},
        },
        # What scanners compute over: your own symbols, or (empty) the US listing's common
        # stocks, refused above max_symbols (the real listing is far too large to scan).
        "universe": {"symbols": [], "max_symbols": 1000},
        # Rules a candidate must pass after the scanners (the filter node records every drop).
        "filter": {
            "min_price": 5.0,
            "max_price": None,
            "min_average_volume": 300_000,
            "average_volume_days": 20,
        },
        # Ranking: multipliers per strategy (1.0 when absent); see discovery/ranking.py.
        "ranking": {"strategy_weights": {}, "top_n": 20},
        # Per-scanner settings: `enabled`, `limit` (most candidates it reports) and each
        # scanner's own declared parameters. `limit` and the parameters default to the values
        # declared in the scanner's module (stated there only):
        # `tradingagents scanners --params` lists them with types, defaults and help.
        "scanners": {
            "analyst_upgrades": {"enabled": True},
            "earnings_calendar": {"enabled": True},
            "high_52w_breakout": {"enabled": True},
            "insider_buying": {"enabled": True},
            "market_movers": {"enabled": True},
            "news_catalyst": {"enabled": True},
            "reddit_dd": {"enabled": True},
            "reddit_trending": {"enabled": True},
            "rsi_oversold": {"enabled": True},
            "trend_template": {"enabled": True},
            "unusual_volume": {"enabled": True},
            "volume_accumulation": {"enabled": True},
        },
    },
    "data": {
        # sandbox: everything from the built-in emulator; live: the real services (keys needed);
        # auto: live for each source whose key is set, sandbox for the others.
        "mode": "sandbox",
        # HTTP cache location (SQLite); None = the user cache dir (~/.cache/tradingagents).
        "cache_dir": None,
        # The local market store (daily bars, splits, listing); a folder, relative paths are
        # under the cache dir; None = <cache dir>/market. Filled by `tradingagents data`.
        "store": {"path": None},
        "sandbox": {
            "seed": 7,
            # Per-service emulator behaviour (latency, server-side rate limits, faults);
            # see tradingagents/sandbox/knobs.py.
            "services": {},
        },
        # Shared by every source: retries, backoff, circuit breaker (see tradingagents/sources).
        "resilience": {
            "max_attempts": 4,  # per call, the first attempt included
            "backoff_max_seconds": 8,  # cap of the exponential backoff (with jitter) between tries
            "max_retry_after_seconds": 30,  # a longer Retry-After fails at once as RateLimited
            "max_wait_seconds": 60,  # longest wait for a rate-limit slot outside a scanner budget
            "breaker_fail_max": 5,  # consecutive failures that open a source's circuit breaker
            "breaker_reset_seconds": 30,  # how long it stays open before one trial call
        },
        "sources": {
            "finnhub": {
                "base_url": "https://finnhub.io/api/v1",
                "api_key": None,  # or FINNHUB_API_KEY
                "rate_limit": {"per_second": 30, "per_minute": 60},
                "timeout_seconds": 10,
                "cache_ttl": {"quote": 15, "news": 600, "calendar": 3600, "reference": 86400},
            },
            "reddit": {
                "base_url": "https://www.reddit.com",  # token endpoint host
                "oauth_url": "https://oauth.reddit.com",  # API host
                "client_id": None,  # or REDDIT_CLIENT_ID
                "client_secret": None,  # or REDDIT_CLIENT_SECRET
                "user_agent": None,  # or REDDIT_USER_AGENT
                "rate_limit": {"per_minute": 100},
                "timeout_seconds": 10,
                "cache_ttl": {"listing": 300},
            },
            "alpha_vantage": {
                "base_url": "https://www.alphavantage.co",
                "api_key": None,  # or ALPHA_VANTAGE_API_KEY
                "rate_limit": {"per_minute": 5, "per_day": 25},
                "timeout_seconds": 15,
                "cache_ttl": {"movers": 900, "daily": 43200, "quote": 60},
            },
            "sec": {
                "base_url": "https://www.sec.gov",
                "data_url": "https://data.sec.gov",
                "user_agent": None,  # or SEC_USER_AGENT, e.g. "Jane Doe jane@example.com"
                "rate_limit": {"per_second": 10},
                "timeout_seconds": 10,
                "cache_ttl": {"tickers": 86400, "feed": 300, "filing": 604800},
            },
            "massive": {
                # Bulk end-of-day bars for the market store (tradingagents data update).
                "base_url": "https://api.massive.com",
                "api_key": None,  # or MASSIVE_API_KEY
                "rate_limit": {"per_minute": 5},  # the free tier
                "timeout_seconds": 30,  # one grouped-daily answer is ~12,000 rows
                "cache_ttl": {},
            },
            "prices": {
                "base_url": "https://stooq.com",
                "local_dir": None,  # a folder of <TICKER>.csv / .parquet bars instead of HTTP
                "rate_limit": {"per_second": 5},
                "timeout_seconds": 15,
                "cache_ttl": {"daily": 43200},
            },
        },
    },
}


def default_config() -> dict[str, Any]:
    """A deep copy of :data:`DEFAULT_CONFIG`, safe to change."""
    return copy.deepcopy(DEFAULT_CONFIG)

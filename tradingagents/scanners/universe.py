"""The universe scanners compute over: listed US common stocks, or the user's own list."""

from __future__ import annotations

from tradingagents.scanners.base import BaseScanner
from tradingagents.scanners.errors import ScannerSkipped


def load_universe(scanner: BaseScanner) -> list[str]:
    """``discovery.universe.symbols`` when set; otherwise Finnhub's US listing, common stocks
    only (one logged, cached tool call). Sorted, so every scanner sees the same order.

    A listing larger than ``discovery.universe.max_symbols`` (the real US listing has tens of
    thousands of symbols) skips the scanner with a reason instead of fetching for hours.
    """
    settings = scanner.config["discovery"]["universe"]
    if settings["symbols"]:
        return sorted(set(settings["symbols"]))
    listing = scanner.tools.call(
        "get_stock_symbols", scanner.sources.finnhub.stock_symbols, exchange="US"
    )
    common = sorted({s.symbol for s in listing if s.type == "Common Stock"})
    if len(common) > settings["max_symbols"]:
        raise ScannerSkipped(
            f"the US listing has {len(common)} common stocks, more than "
            f"discovery.universe.max_symbols={settings['max_symbols']}: set "
            "discovery.universe.symbols to your watchlist (or raise max_symbols)"
        )
    return common

"""market_movers: the day's biggest gainers (momentum) and losers (reversal plays)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping, Sequence
from typing import Any, ClassVar

from tradingagents.scanners import SCANNER_REGISTRY, BaseScanner, ScannerParam
from tradingagents.scanners.candidate import Priority
from tradingagents.scanners.universe import load_universe
from tradingagents.sources.alpha_vantage import Mover, Movers

logger = logging.getLogger(__name__)


@SCANNER_REGISTRY.register
class MarketMoversScanner(BaseScanner):
    """Alpha Vantage's TOP_GAINERS_LOSERS rows that are universe common stocks priced at
    least ``min_price``; ``most_actively_traded`` is not part of the signal.

    Warrants (``ABCDW``, ``ABC+``), units (``..U``), rights (``..R``), ETFs and sub-dollar
    shells are not common stocks of the universe, so universe membership is what drops them:
    a suffix rule would also drop real stocks whose symbol ends in W, U or R (SNOW, CHRW).

    Priority: a gainer up ``strong_move_pct`` percent or more is high, a smaller gainer
    medium; every loser is low (a reversal play, strategy ``reversal``). Strongest first:
    gainers by change (largest first), then losers by change (largest drop first).
    """

    name = "market_movers"
    pipeline = "momentum"
    strategy = "momentum"
    source = "alpha_vantage"
    description = "Top gainers and losers of the day that are common stocks priced $5+"
    default_limit = 20
    params: ClassVar[Mapping[str, ScannerParam]] = {
        "min_price": ScannerParam(float, 5.0, "lowest price in dollars (drops penny stocks)", ge=0),
        "strong_move_pct": ScannerParam(
            float, 10.0, "a gainer up this many percent or more is high priority", ge=0
        ),
        "include_losers": ScannerParam(bool, True, "also report top losers as reversal plays"),
    }

    def scan(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        movers: Movers = self.tools.call(
            "get_market_movers", self.sources.alpha_vantage.top_gainers_losers
        )
        universe = frozenset(load_universe(self))
        signal_date = _iso_date(movers.last_updated)
        gainers = self._eligible(movers.top_gainers, universe, "gainers")
        losers = self._eligible(movers.top_losers, universe, "losers")
        found = [self._candidate(row, "gainer", signal_date) for row in gainers]
        if self.param("include_losers", bool):
            found += [self._candidate(row, "loser", signal_date) for row in losers]
        return found[: self.limit]

    def _eligible(self, rows: Sequence[Mover], universe: Collection[str], kind: str) -> list[Mover]:
        """Universe stocks at or above the minimum price, each once, largest move first."""
        min_price = self.param("min_price", float)
        listed = [row for row in rows if row.ticker in universe]
        priced = [row for row in listed if row.price >= min_price]
        logger.info(
            "%s: %d top %s; dropped %d outside the universe (warrants, units, rights, ETFs, "
            "shells) and %d under $%.2f",
            self.name,
            len(rows),
            kind,
            len(rows) - len(listed),
            len(listed) - len(priced),
            min_price,
        )
        first_of_each = {row.ticker: row for row in reversed(priced)}
        return sorted(
            first_of_each.values(), key=lambda row: (-abs(row.change_percentage), row.ticker)
        )

    def _candidate(self, row: Mover, kind: str, signal_date: str | None) -> dict[str, Any]:
        candidate: dict[str, Any] = {
            "ticker": row.ticker,
            "context": (
                f"top {kind}: {row.change_percentage:+.2f}% ({row.change_amount:+.2f}) to "
                f"${row.price:.2f} on volume {row.volume:,}"
                + ("" if kind == "gainer" else "; a reversal candidate")
            ),
            "priority": self._priority(row, kind),
            "strategy": "momentum" if kind == "gainer" else "reversal",
            "direction": kind,
            "price": row.price,
            "change_amount": row.change_amount,
            "change_percentage": row.change_percentage,
            "volume": row.volume,
        }
        if signal_date is not None:
            candidate["signal_date"] = signal_date
        return candidate

    def _priority(self, row: Mover, kind: str) -> Priority:
        if kind == "loser":
            return "low"
        return "high" if row.change_percentage >= self.param("strong_move_pct", float) else "medium"


def _iso_date(text: str) -> str | None:
    """``"2026-06-01 16:15:59 US/Eastern"`` -> ``"2026-06-01"``; None when it does not parse."""
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None

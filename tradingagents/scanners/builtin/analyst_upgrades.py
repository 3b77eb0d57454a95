"""analyst_upgrades: analysts turning more bullish on a stock this month.

Definition (the sandbox's ``analyst_upgrades``): in Finnhub's recommendation trends,
(strong_buy + buy) for the period of the trade date's month minus (strong_buy + buy) for the
previous month's period >= ``min_shift`` (3). Shifts between older months, toward hold or
sell, or from buy to strong_buy (the sum unchanged) do not count; a symbol missing either
month is not a signal.

Finnhub has no batch endpoint for trends, so there is one logged ``get_recommendation_trends``
call per universe symbol, ``workers`` at a time (see :mod:`tradingagents.scanners.fanout`:
the source's shared rate limiter paces them; a budget too short for the whole universe
yields the symbols checked in time, and the rest is logged as unchecked).

Ranking: the largest shift first, then the bullish share of analysts. Priority: ``high``
when the shift is at least twice ``min_shift``, ``medium`` otherwise.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from tradingagents.scanners.base import BaseScanner, ScannerParam
from tradingagents.scanners.fanout import WORKERS_PARAM, fan_out
from tradingagents.scanners.registry import SCANNER_REGISTRY
from tradingagents.scanners.universe import load_universe
from tradingagents.sources.finnhub_records import RecommendationTrend

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Shift:
    latest: RecommendationTrend
    bullish_before: int

    @property
    def bullish_now(self) -> int:
        return self.latest.strong_buy + self.latest.buy

    @property
    def shift(self) -> int:
        return self.bullish_now - self.bullish_before

    @property
    def analysts(self) -> int:
        t = self.latest
        return t.strong_buy + t.buy + t.hold + t.sell + t.strong_sell

    @property
    def bullish_share(self) -> float:
        return round(self.bullish_now / self.analysts, 4) if self.analysts else 0.0


def month_shift(trends: Sequence[RecommendationTrend], trade_date: dt.date) -> _Shift | None:
    """The trade date's month against the month before, or ``None`` if either is missing."""
    latest_period = trade_date.replace(day=1)
    previous_period = (latest_period - dt.timedelta(days=1)).replace(day=1)
    by_period: dict[dt.date, RecommendationTrend] = {}
    for trend in trends:  # newest first; a repeated period keeps its first row
        by_period.setdefault(trend.period, trend)
    latest, previous = by_period.get(latest_period), by_period.get(previous_period)
    if latest is None or previous is None:
        return None
    return _Shift(latest, previous.strong_buy + previous.buy)


@SCANNER_REGISTRY.register
class AnalystUpgradesScanner(BaseScanner):
    name = "analyst_upgrades"
    pipeline = "edge"
    strategy = "analyst_upgrade"
    source = "finnhub"
    description = "Month-over-month shift of analysts toward buy/strong buy"
    default_limit = 15
    params: ClassVar[dict[str, ScannerParam]] = {
        "min_shift": ScannerParam(
            int, 3, "rise of strong_buy + buy from last month to this month", ge=1
        ),
        "workers": WORKERS_PARAM,
    }

    def scan(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        trade_date = dt.date.fromisoformat(state["trade_date"])
        universe = load_universe(self)
        trends = fan_out(
            self.tools,
            "get_recommendation_trends",
            self.sources.finnhub.recommendation_trends,
            universe,
            lambda symbol: {"symbol": symbol},
            workers=self.param("workers", int),
        )
        self.report_coverage(trends.coverage("symbols"))
        if not trends.complete:
            logger.info("%s: %s", self.name, trends.shortfall("symbols"))
        min_shift = self.param("min_shift", int)
        shifts = {
            symbol: shift
            for symbol, rows in trends.results.items()
            if (shift := month_shift(rows, trade_date)) is not None and shift.shift >= min_shift
        }
        ranked = sorted(
            shifts.items(), key=lambda item: (-item[1].shift, -item[1].bullish_share, item[0])
        )
        return [
            self._candidate(symbol, shift, min_shift, trade_date)
            for symbol, shift in ranked[: self.limit]
        ]

    def _candidate(
        self, symbol: str, shift: _Shift, min_shift: int, trade_date: dt.date
    ) -> dict[str, Any]:
        t = shift.latest
        return {
            "ticker": symbol,
            "priority": "high" if shift.shift >= 2 * min_shift else "medium",
            "context": (
                f"strong buy + buy rose by {shift.shift} ({shift.bullish_before} -> "
                f"{shift.bullish_now}) in {t.period:%B %Y}; now {t.strong_buy} strong buy, "
                f"{t.buy} buy, {t.hold} hold, {t.sell} sell, {t.strong_sell} strong sell"
            ),
            "shift": shift.shift,
            "bullish_before": shift.bullish_before,
            "bullish_now": shift.bullish_now,
            "bullish_share": shift.bullish_share,
            "strong_buy": t.strong_buy,
            "buy": t.buy,
            "hold": t.hold,
            "sell": t.sell,
            "strong_sell": t.strong_sell,
            "period": t.period.isoformat(),
            "signal_date": trade_date.isoformat(),
        }

"""trend_template: Minervini's trend template, a stock in a confirmed stage-2 uptrend."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import pandas as pd

from tradingagents.scanners import SCANNER_REGISTRY, ScannerParam
from tradingagents.scanners.bars import WideBars, bars_ago
from tradingagents.scanners.builtin._technical import TechnicalScanner
from tradingagents.scanners.candidate import Priority
from tradingagents.scanners.indicators import SESSIONS_PER_YEAR, rolling_high, rolling_low, sma


@SCANNER_REGISTRY.register
class TrendTemplateScanner(TechnicalScanner):
    """All five at D: close > SMA(``fast_sma_days``); SMA fast > middle > slow (50 > 150 >
    200); the slow SMA above its value ``slow_sma_rising_days`` bars earlier; close >=
    (1 - ``max_below_high``) x the 52-week high and >= (1 + ``min_above_low``) x the 52-week
    low, the highest high / lowest low of the last ``range_days`` bars, D included.

    The numbers use stable keys whatever the periods: ``sma_fast``, ``sma_middle``,
    ``sma_slow`` (SMA50/150/200 by default), ``sma_slow_before``, ``high_52w``, ``low_52w``,
    ``below_high`` (fraction under the high) and ``above_low`` (fraction over the low).

    Priority: high when the close is within ``strong_below_high`` of the 52-week high (a
    leader about to break out), else medium. Strongest first: closest to the high first.
    """

    name = "trend_template"
    strategy = "trend_following"
    description = "Close above rising 50/150/200-day averages, within 25% of its 52-week high"
    default_limit = 20
    params: ClassVar[Mapping[str, ScannerParam]] = {
        "fast_sma_days": ScannerParam(int, 50, "the fast SMA's period in bars", ge=1, le=2520),
        "middle_sma_days": ScannerParam(int, 150, "the middle SMA's period in bars", ge=1, le=2520),
        "slow_sma_days": ScannerParam(int, 200, "the slow SMA's period in bars", ge=1, le=2520),
        "slow_sma_rising_days": ScannerParam(
            int,
            20,
            "the slow SMA must be above its value this many bars earlier",
            ge=1,
            le=2520,
        ),
        "range_days": ScannerParam(
            int,
            SESSIONS_PER_YEAR,
            "bars (D included) of the 52-week high and low",
            ge=1,
            le=2520,
        ),
        "max_below_high": ScannerParam(
            float,
            0.25,
            "close may be at most this fraction under the 52-week high",
            ge=0,
            le=1,
        ),
        "min_above_low": ScannerParam(
            float, 0.30, "close must be at least this fraction over the 52-week low", ge=0
        ),
        "strong_below_high": ScannerParam(
            float,
            0.03,
            "within this fraction of the 52-week high a hit is high priority",
            ge=0,
            le=1,
        ),
    }
    rank_by = "below_high"
    strongest_is_largest = False

    def check_params(self) -> None:
        periods = [self.param(f"{k}_sma_days", int) for k in ("fast", "middle", "slow")]
        if not periods[0] < periods[1] < periods[2]:
            raise ValueError(
                f"discovery.scanners.{self.name}: fast_sma_days < middle_sma_days < "
                f"slow_sma_days is required, got {periods[0]}, {periods[1]}, {periods[2]}"
            )

    def sessions_needed(self) -> int:
        slow = self.param("slow_sma_days", int) + self.param("slow_sma_rising_days", int)
        return max(slow, self.param("range_days", int))

    def metrics(self, bars: WideBars) -> pd.DataFrame:
        close = bars.close.iloc[-1]
        slow = sma(bars.close, self.param("slow_sma_days", int))
        days = self.param("range_days", int)
        high = rolling_high(bars.high, days).iloc[-1]
        low = rolling_low(bars.low, days).iloc[-1]
        return pd.DataFrame(
            {
                "close": close,
                "sma_fast": sma(bars.close, self.param("fast_sma_days", int)).iloc[-1],
                "sma_middle": sma(bars.close, self.param("middle_sma_days", int)).iloc[-1],
                "sma_slow": slow.iloc[-1],
                "sma_slow_before": bars_ago(slow, self.param("slow_sma_rising_days", int)),
                "high_52w": high,
                "low_52w": low,
                "below_high": 1.0 - close / high,
                "above_low": close / low - 1.0,
            }
        )

    def hits(self, metrics: pd.DataFrame) -> pd.Series:
        m = metrics
        return (
            (m["close"] > m["sma_fast"])
            & (m["sma_fast"] > m["sma_middle"])
            & (m["sma_middle"] > m["sma_slow"])
            & (m["sma_slow"] > m["sma_slow_before"])
            & (m["close"] >= (1.0 - self.param("max_below_high", float)) * m["high_52w"])
            & (m["close"] >= (1.0 + self.param("min_above_low", float)) * m["low_52w"])
        )

    def priority(self, row: Mapping[str, float]) -> Priority:
        return "high" if row["below_high"] <= self.param("strong_below_high", float) else "medium"

    def describe(self, row: Mapping[str, float]) -> str:
        fast, middle, slow = (self.param(f"{k}_sma_days", int) for k in ("fast", "middle", "slow"))
        return (
            f"close ${row['close']:.2f} > SMA{fast} {row['sma_fast']:.2f} > SMA{middle} "
            f"{row['sma_middle']:.2f} > SMA{slow} {row['sma_slow']:.2f} (rising from "
            f"{row['sma_slow_before']:.2f}); {row['below_high']:.1%} under the 52-week high "
            f"${row['high_52w']:.2f}, {row['above_low']:.1%} over the low ${row['low_52w']:.2f}"
        )

"""high_52w_breakout: a close above the prior 52-week high, on above-average volume."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import pandas as pd

from tradingagents.scanners import SCANNER_REGISTRY, ScannerParam
from tradingagents.scanners.bars import WideBars
from tradingagents.scanners.builtin._technical import TechnicalScanner
from tradingagents.scanners.candidate import Priority
from tradingagents.scanners.indicators import SESSIONS_PER_YEAR, relative_volume, rolling_high


@SCANNER_REGISTRY.register
class High52wBreakoutScanner(TechnicalScanner):
    """close(D) > the highest high of the ``lookback_days`` bars before D (D left out), on
    volume(D) >= ``min_volume_ratio`` x the mean volume of the ``volume_lookback_days`` bars
    before D. A ticker with fewer than ``lookback_days`` earlier bars has no 52-week high yet
    and is not a breakout.

    Priority: high when the volume ratio reaches ``strong_volume_ratio`` (a breakout the
    market is voting for), else medium. Strongest first: by volume ratio, largest first.
    """

    name = "high_52w_breakout"
    strategy = "breakout"
    description = "Close above the prior 52-week high on 1.5x the 20-day average volume"
    default_limit = 15
    params: ClassVar[Mapping[str, ScannerParam]] = {
        "lookback_days": ScannerParam(
            int,
            SESSIONS_PER_YEAR,
            "bars before D whose highest high must be beaten",
            ge=1,
            le=2520,
        ),
        "volume_lookback_days": ScannerParam(
            int, 20, "bars before D whose mean volume is the baseline", ge=1, le=2520
        ),
        "min_volume_ratio": ScannerParam(
            float, 1.5, "volume(D) / baseline needed to confirm the breakout", ge=0
        ),
        "strong_volume_ratio": ScannerParam(
            float, 2.5, "volume ratio from which a breakout is high priority", ge=0
        ),
    }
    rank_by = "volume_ratio"

    def sessions_needed(self) -> int:
        return max(self.param("lookback_days", int), self.param("volume_lookback_days", int)) + 1

    def metrics(self, bars: WideBars) -> pd.DataFrame:
        close = bars.close.iloc[-1]
        prior_high = rolling_high(
            bars.high, self.param("lookback_days", int), include_today=False
        ).iloc[-1]
        return pd.DataFrame(
            {
                "close": close,
                "prior_52w_high": prior_high,
                "above_high": close / prior_high - 1.0,
                "volume_ratio": relative_volume(
                    bars.volume, self.param("volume_lookback_days", int)
                ).iloc[-1],
            }
        )

    def hits(self, metrics: pd.DataFrame) -> pd.Series:
        return (metrics["close"] > metrics["prior_52w_high"]) & (
            metrics["volume_ratio"] >= self.param("min_volume_ratio", float)
        )

    def priority(self, row: Mapping[str, float]) -> Priority:
        strong = self.param("strong_volume_ratio", float)
        return "high" if row["volume_ratio"] >= strong else "medium"

    def describe(self, row: Mapping[str, float]) -> str:
        return (
            f"close ${row['close']:.2f} is {row['above_high']:+.2%} above the prior "
            f"{self.param('lookback_days', int)}-day high ${row['prior_52w_high']:.2f}, on "
            f"{row['volume_ratio']:.2f}x the {self.param('volume_lookback_days', int)}-day "
            "average volume"
        )

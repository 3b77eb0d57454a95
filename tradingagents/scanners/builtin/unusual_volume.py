"""unusual_volume: D's volume is a multiple of its usual volume, on a stock worth trading."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import pandas as pd

from tradingagents.scanners import SCANNER_REGISTRY, ScannerParam
from tradingagents.scanners.bars import WideBars, bars_ago
from tradingagents.scanners.builtin._technical import TechnicalScanner
from tradingagents.scanners.candidate import Priority
from tradingagents.scanners.indicators import relative_volume, volume_average


@SCANNER_REGISTRY.register
class UnusualVolumeScanner(TechnicalScanner):
    """volume(D) >= ``min_volume_ratio`` x the mean volume of the ``lookback_days`` bars
    before D (D left out, so a spike does not dilute its own baseline), and close(D) >=
    ``min_price``.

    Priority: high when the ratio reaches ``strong_volume_ratio``, else medium. Strongest
    first: by volume ratio, largest first.
    """

    name = "unusual_volume"
    strategy = "volume"
    description = "Volume on D at least 3x its prior 20-day average, on stocks priced $5+"
    default_limit = 15
    params: ClassVar[Mapping[str, ScannerParam]] = {
        "lookback_days": ScannerParam(
            int, 20, "bars before D whose mean volume is the baseline", ge=1, le=2520
        ),
        "min_volume_ratio": ScannerParam(
            float, 3.0, "volume(D) / baseline needed to count as unusual", ge=0
        ),
        "min_price": ScannerParam(float, 5.0, "lowest close(D) in dollars", ge=0),
        "strong_volume_ratio": ScannerParam(
            float, 5.0, "volume ratio from which a hit is high priority", ge=0
        ),
    }
    rank_by = "volume_ratio"

    def sessions_needed(self) -> int:
        return self.param("lookback_days", int) + 1

    def metrics(self, bars: WideBars) -> pd.DataFrame:
        days = self.param("lookback_days", int)
        return pd.DataFrame(
            {
                "close": bars.close.iloc[-1],
                "volume": bars.volume.iloc[-1],
                "average_volume": bars_ago(volume_average(bars.volume, days), 1),
                "volume_ratio": relative_volume(bars.volume, days).iloc[-1],
            }
        )

    def hits(self, metrics: pd.DataFrame) -> pd.Series:
        return (metrics["volume_ratio"] >= self.param("min_volume_ratio", float)) & (
            metrics["close"] >= self.param("min_price", float)
        )

    def priority(self, row: Mapping[str, float]) -> Priority:
        return (
            "high" if row["volume_ratio"] >= self.param("strong_volume_ratio", float) else "medium"
        )

    def describe(self, row: Mapping[str, float]) -> str:
        days = self.param("lookback_days", int)
        return (
            f"volume {row['volume']:,.0f} is {row['volume_ratio']:.2f}x its {days}-day average "
            f"of {row['average_volume']:,.0f}; close ${row['close']:.2f}"
        )

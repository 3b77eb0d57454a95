"""volume_accumulation: volume builds for days while the price goes nowhere."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import pandas as pd

from tradingagents.scanners import SCANNER_REGISTRY, ScannerParam
from tradingagents.scanners.bars import WideBars, bars_ago
from tradingagents.scanners.builtin._technical import TechnicalScanner
from tradingagents.scanners.candidate import Priority
from tradingagents.scanners.indicators import volume_average


@SCANNER_REGISTRY.register
class VolumeAccumulationScanner(TechnicalScanner):
    """The mean volume of the last ``recent_days`` bars (D included) >= ``min_volume_ratio``
    x the mean volume of the ``baseline_days`` bars before them, while the price is flat:
    |close(D) / close(``recent_days`` bars before D) - 1| <= ``max_price_change``.

    Priority: medium when the volume ratio reaches ``strong_volume_ratio``, else low (quiet
    accumulation is an early, slow signal). Strongest first: by volume ratio, largest first.
    """

    name = "volume_accumulation"
    strategy = "accumulation"
    description = "5-day volume 2x the 20 days before it while the price moved 2% or less"
    default_limit = 15
    params: ClassVar[Mapping[str, ScannerParam]] = {
        "recent_days": ScannerParam(
            int,
            5,
            "bars ending on D whose volume is compared, and the price-change span",
            ge=1,
            le=260,
        ),
        "baseline_days": ScannerParam(
            int,
            20,
            "bars before the recent ones whose mean volume is the baseline",
            ge=1,
            le=2520,
        ),
        "min_volume_ratio": ScannerParam(
            float, 2.0, "recent mean volume / baseline mean volume needed", ge=0
        ),
        "max_price_change": ScannerParam(
            float, 0.02, "largest |price change| over the recent bars (0.02 = 2%)", ge=0
        ),
        "strong_volume_ratio": ScannerParam(
            float, 2.5, "volume ratio from which a hit is medium rather than low priority", ge=0
        ),
    }
    rank_by = "volume_ratio"

    def sessions_needed(self) -> int:
        return self.param("recent_days", int) + self.param("baseline_days", int) + 1

    def metrics(self, bars: WideBars) -> pd.DataFrame:
        recent = self.param("recent_days", int)
        baseline = bars_ago(volume_average(bars.volume, self.param("baseline_days", int)), recent)
        recent_volume = volume_average(bars.volume, recent).iloc[-1]
        return pd.DataFrame(
            {
                "close": bars.close.iloc[-1],
                "recent_average_volume": recent_volume,
                "baseline_average_volume": baseline,
                "volume_ratio": recent_volume / baseline.where(baseline > 0),
                "price_change": bars.close.iloc[-1] / bars_ago(bars.close, recent) - 1.0,
            }
        )

    def hits(self, metrics: pd.DataFrame) -> pd.Series:
        return (metrics["volume_ratio"] >= self.param("min_volume_ratio", float)) & (
            metrics["price_change"].abs() <= self.param("max_price_change", float)
        )

    def priority(self, row: Mapping[str, float]) -> Priority:
        strong = self.param("strong_volume_ratio", float)
        return "medium" if row["volume_ratio"] >= strong else "low"

    def describe(self, row: Mapping[str, float]) -> str:
        recent = self.param("recent_days", int)
        return (
            f"{recent}-day average volume {row['recent_average_volume']:,.0f} is "
            f"{row['volume_ratio']:.2f}x the {self.param('baseline_days', int)} days before "
            f"({row['baseline_average_volume']:,.0f}) while the price moved "
            f"{row['price_change']:+.2%} over {recent} days; close ${row['close']:.2f}"
        )

"""rsi_oversold: an oversold dip inside a long-term uptrend."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import pandas as pd

from tradingagents.scanners import SCANNER_REGISTRY, ScannerParam
from tradingagents.scanners.bars import WideBars
from tradingagents.scanners.builtin._technical import TechnicalScanner
from tradingagents.scanners.candidate import Priority
from tradingagents.scanners.indicators import rsi, sma


@SCANNER_REGISTRY.register
class RsiOversoldScanner(TechnicalScanner):
    """Wilder RSI(``rsi_period``) of the close at D < ``max_rsi`` while close(D) >
    SMA(``trend_sma_days``). RSI runs over every loaded bar (two years at least), so its seed
    has long been forgotten and it equals TA-Lib's RSI over the full history.

    Priority: high when the RSI is under ``strong_rsi`` (deeply oversold), else medium.
    Strongest first: by RSI, lowest first.
    """

    name = "rsi_oversold"
    strategy = "mean_reversion"
    description = "RSI(14) under 30 with the close above its 200-day average"
    default_limit = 15
    params: ClassVar[Mapping[str, ScannerParam]] = {
        "rsi_period": ScannerParam(int, 14, "Wilder RSI period in bars", ge=2, le=260),
        "max_rsi": ScannerParam(float, 30.0, "RSI(D) must be below this", ge=0, le=100),
        "trend_sma_days": ScannerParam(
            int, 200, "close(D) must be above the SMA of this many bars", ge=1, le=2520
        ),
        "strong_rsi": ScannerParam(
            float, 20.0, "RSI below which a hit is high priority", ge=0, le=100
        ),
    }
    rank_by = "rsi"
    strongest_is_largest = False

    def sessions_needed(self) -> int:
        return max(self.param("trend_sma_days", int), self.param("rsi_period", int) + 1)

    def metrics(self, bars: WideBars) -> pd.DataFrame:
        days = self.param("trend_sma_days", int)
        # "trend_sma" is SMA(trend_sma_days): SMA200 with the defaults.
        return pd.DataFrame(
            {
                "rsi": rsi(bars.close, self.param("rsi_period", int)).iloc[-1],
                "close": bars.close.iloc[-1],
                "trend_sma": sma(bars.close, days).iloc[-1],
            }
        )

    def hits(self, metrics: pd.DataFrame) -> pd.Series:
        return (metrics["rsi"] < self.param("max_rsi", float)) & (
            metrics["close"] > metrics["trend_sma"]
        )

    def priority(self, row: Mapping[str, float]) -> Priority:
        return "high" if row["rsi"] < self.param("strong_rsi", float) else "medium"

    def describe(self, row: Mapping[str, float]) -> str:
        period, days = self.param("rsi_period", int), self.param("trend_sma_days", int)
        trend = row["trend_sma"]
        return (
            f"RSI({period}) {row['rsi']:.1f} while close ${row['close']:.2f} is "
            f"{row['close'] / trend - 1:+.2%} above its {days}-day average ${trend:.2f}"
        )

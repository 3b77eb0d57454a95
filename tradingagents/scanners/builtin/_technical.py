"""What the five technical scanners share: load the universe's bars, turn hits into candidates.

A subclass computes a metrics frame (one row per ticker, one column per number) over the whole
universe with :mod:`tradingagents.scanners.indicators`, marks the hits, and says how to rank,
prioritise and describe one hit; this base turns that into candidates, strongest first.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

import pandas as pd

from tradingagents.scanners.bars import WideBars, load_universe_bars
from tradingagents.scanners.base import BaseScanner
from tradingagents.scanners.candidate import Priority
from tradingagents.scanners.universe import load_universe


class TechnicalScanner(BaseScanner, ABC):
    pipeline: ClassVar[str] = "technical"
    source: ClassVar[str] = "prices"
    #: The metrics column candidates are ordered by, and whether its strongest is the largest.
    rank_by: ClassVar[str] = ""
    strongest_is_largest: ClassVar[bool] = True

    def scan(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        self.check_params()
        bars = load_universe_bars(
            self, load_universe(self), state["trade_date"], self.sessions_needed()
        )
        if bars.empty:
            return []
        metrics = self.metrics(bars)
        return self.candidates(metrics[self.hits(metrics)], bars.signal_date)

    def check_params(self) -> None:
        """Raise ``ValueError`` naming the keys when declared params contradict each other."""

    @abstractmethod
    def sessions_needed(self) -> int:
        """Bars before and including D that the definition looks at."""

    @abstractmethod
    def metrics(self, bars: WideBars) -> pd.DataFrame:
        """One row per ticker (index: ticker), the numbers the definition uses, as floats."""

    @abstractmethod
    def hits(self, metrics: pd.DataFrame) -> pd.Series:
        """Boolean per ticker: does it satisfy the definition? (NaN numbers never do.)"""

    @abstractmethod
    def priority(self, row: Mapping[str, float]) -> Priority:
        """critical, high, medium or low for one hit, by the rule its docstring documents."""

    @abstractmethod
    def describe(self, row: Mapping[str, float]) -> str:
        """The human-readable context of one hit, with its numbers."""

    def candidates(self, hits: pd.DataFrame, signal_date: str) -> list[dict[str, Any]]:
        # The stable sort over a ticker-sorted index breaks ties alphabetically.
        ordered = hits.sort_index().sort_values(
            self.rank_by, ascending=not self.strongest_is_largest, kind="stable"
        )
        found = []
        for ticker, values in ordered.head(self.limit).iterrows():
            row = {str(column): float(value) for column, value in values.items()}
            found.append(
                {
                    "ticker": str(ticker),
                    "context": self.describe(row),
                    "priority": self.priority(row),
                    **row,
                    "signal_date": signal_date,
                }
            )
        return found

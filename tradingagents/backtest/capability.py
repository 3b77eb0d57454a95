"""Which scanners a store-only backtest can run, and why the others cannot.

A store backtest rebuilds, for each past session, the wide bars a technical scanner reads and
applies the scanner's own rules (``metrics``, ``hits``, ``candidates``) to them. The market
store holds daily bars only, so scanners reading news, filings, analyst actions, earnings
calendars or social posts cannot be replayed from it: they are reported with that reason,
never dropped in silence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tradingagents.scanners.base import BaseScanner
from tradingagents.scanners.builtin._technical import TechnicalScanner


@dataclass(frozen=True)
class Unsupported:
    """A scanner the backtest could not run, and why."""

    scanner: str
    reason: str


def unsupported_reason(cls: type[BaseScanner]) -> str:
    return (
        f"reads {cls.source or 'no data source'} data ({cls.pipeline} pipeline), which the "
        "market store does not hold (daily bars only); backtesting it against the sandbox "
        "is not implemented yet"
    )


def split_backtestable(
    classes: Iterable[type[BaseScanner]],
) -> tuple[list[type[TechnicalScanner]], list[Unsupported]]:
    """The store-backtestable scanners (in the given order) and the others with reasons."""
    runnable: list[type[TechnicalScanner]] = []
    unsupported: list[Unsupported] = []
    for cls in classes:
        if issubclass(cls, TechnicalScanner):
            runnable.append(cls)
        else:
            unsupported.append(Unsupported(cls.name, unsupported_reason(cls)))
    return runnable, unsupported

"""One session of a backtest: the selected scanners' picks as of D, from the store alone.

:func:`scan_session` is the unit of parallel work (a module-level function over one ISO date,
so every batch backend can run it). It reads the store as of D, which returns only sessions on
or before D, adjusted for the splits known on D, over the same calendar window
``tradingagents discover`` loads (:func:`~tradingagents.scanners.bars.calendar_days_for`), and
hands those bars to each scanner's own rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from tradingagents.scanners import SCANNER_REGISTRY
from tradingagents.scanners.bars import FIELDS, HISTORY_SESSIONS, WideBars, calendar_days_for
from tradingagents.scanners.builtin._technical import TechnicalScanner
from tradingagents.store import MarketStore


@dataclass(frozen=True)
class SessionSpec:
    """What every session of a run shares (picklable: it travels to worker processes)."""

    store: str
    scanners: tuple[str, ...]
    config: Mapping[str, Any]
    #: The configured symbols, or ``None`` for every symbol the store holds on D.
    universe: tuple[str, ...] | None = None


def scan_session(spec: SessionSpec, session: str) -> dict[str, Any]:
    """``{"session", "universe": symbols with a bar on D, "picks": [...]}`` for session D.

    Each pick: session, scanner, rank (1 = strongest), ticker, priority, close (as seen on
    D) and context, in each scanner's candidate order."""
    day = dt.date.fromisoformat(session)
    scanners = [_scanner(name, spec.config) for name in spec.scanners]
    bars = session_bars(MarketStore(spec.store), day, scanners, spec.universe)
    if bars.empty or pd.Timestamp(bars.close.index[-1]).date() != day:
        raise ValueError(f"the market store has no bars on session {session}")
    closes = bars.close.iloc[-1]
    picks: list[dict[str, Any]] = []
    for scanner in scanners:
        scanner.check_params()
        metrics = scanner.metrics(bars)
        found = scanner.candidates(metrics[scanner.hits(metrics)], bars.signal_date)
        picks.extend(
            {
                "session": session,
                "scanner": scanner.name,
                "rank": rank,
                "ticker": pick["ticker"],
                "priority": pick["priority"],
                "close": float(closes[pick["ticker"]]),
                "context": pick["context"],
            }
            for rank, pick in enumerate(found, start=1)
        )
    return {"session": session, "universe": int(bars.close.shape[1]), "picks": picks}


def session_bars(
    store: MarketStore,
    day: dt.date,
    scanners: Sequence[TechnicalScanner],
    universe: Sequence[str] | None,
) -> WideBars:
    """The bars the scanners would have loaded on ``day``: the store read as of ``day``
    (nothing later, splits as known then), keeping the symbols with a bar on ``day``."""
    needed = max([HISTORY_SESSIONS, *(s.sessions_needed() for s in scanners)])
    start = day - dt.timedelta(days=calendar_days_for(needed))
    read = store.read(day, start=start, symbols=universe)
    close = read["close"]
    if close.empty:
        empty = close.iloc[:, :0]
        return WideBars(empty, empty, empty, empty, empty)
    on_day = close.iloc[-1].notna().to_numpy()
    open_, high, low, last, volume = (read[name].loc[:, on_day] for name in FIELDS)
    return WideBars(open_, high, low, last, volume, requested=close.shape[1])


def _scanner(name: str, config: Mapping[str, Any]) -> TechnicalScanner:
    cls = SCANNER_REGISTRY.get(name)
    if not issubclass(cls, TechnicalScanner):
        raise ValueError(f"scanner {name!r} cannot be backtested from the market store")
    return cls(config)

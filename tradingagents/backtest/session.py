"""One session of a backtest: the selected scanners' picks as of D, from the store alone.

:func:`scan_session` is the unit of parallel work (a module-level function over one
:class:`SessionTask`, so every batch backend can run it). The bars it gives the scanners are
exactly those of a store read as of D: only sessions on or before D, adjusted for the splits
known on D, over the calendar window ``tradingagents discover`` loads
(:func:`~tradingagents.scanners.bars.calendar_days_for`).

Reading the store for every session would repeat the same read with one more row. A store
read as of a later session A, cut at D, holds the same values as the read as of D whenever
no split has its ex-date in (D, A] (the same splits are applied to the same rows), so
:func:`plan_sessions` groups the sessions between split ex-dates and each worker process
reads once per group (:func:`_anchored_read`, a small per-process cache).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tradingagents.scanners import SCANNER_REGISTRY
from tradingagents.scanners.bars import FIELDS, HISTORY_SESSIONS, WideBars, calendar_days_for
from tradingagents.scanners.builtin._technical import TechnicalScanner
from tradingagents.store import MarketStore, WideFrames


@dataclass(frozen=True)
class SessionSpec:
    """What every session of a run shares (picklable: it travels to worker processes)."""

    store: str
    scanners: tuple[str, ...]
    config: Mapping[str, Any]
    #: The configured symbols, or ``None`` for every symbol the store holds on D.
    universe: tuple[str, ...] | None = None


@dataclass(frozen=True)
class SessionTask:
    """Session D, and the shared read its bars are cut from: as of ``read_as_of`` (a
    session on or after D with no split ex-date in between) from ``read_start`` (on or
    before D's own window start)."""

    session: str
    read_as_of: str
    read_start: str


def window_days(scanners: Sequence[TechnicalScanner]) -> int:
    """The calendar days before D that discover loads for these scanners."""
    return calendar_days_for(max([HISTORY_SESSIONS, *(s.sessions_needed() for s in scanners)]))


def plan_sessions(
    sessions: Sequence[dt.date], split_dates: Sequence[dt.date], days: int
) -> list[SessionTask]:
    """One task per session (oldest first); the sessions between two split ex-dates share
    one read (as of the last of them, from the first one's window start)."""
    ordered = sorted(sessions)
    splits = np.array(sorted(set(split_dates)), dtype="datetime64[D]")
    tasks: list[SessionTask] = []
    group: list[dt.date] = []

    def close_group() -> None:
        start = (group[0] - dt.timedelta(days=days)).isoformat()
        tasks.extend(SessionTask(d.isoformat(), group[-1].isoformat(), start) for d in group)
        group.clear()

    for day in ordered:
        if group and _split_between(splits, group[-1], day):
            close_group()
        group.append(day)
    if group:
        close_group()
    return tasks


def _split_between(splits: np.ndarray, after: dt.date, upto: dt.date) -> bool:
    """Is there an ex-date in (after, upto]?"""
    low = np.searchsorted(splits, np.datetime64(after, "D"), side="right")
    high = np.searchsorted(splits, np.datetime64(upto, "D"), side="right")
    return bool(high > low)


def scan_session(spec: SessionSpec, task: SessionTask) -> dict[str, Any]:
    """``{"session", "universe": symbols with a bar on D, "picks": [...]}`` for session D.

    Each pick: session, scanner, rank (1 = strongest), ticker, priority, close (as seen on
    D) and context, in each scanner's candidate order."""
    day = dt.date.fromisoformat(task.session)
    scanners = [_scanner(name, spec.config) for name in spec.scanners]
    read = _anchored_read(spec.store, task.read_as_of, task.read_start, spec.universe)
    bars = session_bars(read, day, window_days(scanners))
    if bars.empty or pd.Timestamp(bars.close.index[-1]).date() != day:
        raise ValueError(f"the market store has no bars on session {task.session}")
    closes = bars.close.iloc[-1]
    picks: list[dict[str, Any]] = []
    for scanner in scanners:
        scanner.check_params()
        metrics = scanner.metrics(bars)
        found = scanner.candidates(metrics[scanner.hits(metrics)], bars.signal_date)
        picks.extend(
            {
                "session": task.session,
                "scanner": scanner.name,
                "rank": rank,
                "ticker": pick["ticker"],
                "priority": pick["priority"],
                "close": float(closes[pick["ticker"]]),
                "context": pick["context"],
            }
            for rank, pick in enumerate(found, start=1)
        )
    return {"session": task.session, "universe": int(bars.close.shape[1]), "picks": picks}


def session_bars(read: WideFrames, day: dt.date, days: int) -> WideBars:
    """The bars the scanners would have loaded on ``day``: ``read`` (adjusted as of ``day``
    or an equivalent date) cut to the ``days`` calendar days up to ``day``, keeping the
    symbols with a bar on ``day``."""
    rows = slice(pd.Timestamp(day - dt.timedelta(days=days)), pd.Timestamp(day))
    close = read["close"].loc[rows]
    if close.empty:
        empty = close.iloc[:, :0]
        return WideBars(empty, empty, empty, empty, empty)
    on_day = close.iloc[-1].notna().to_numpy()
    open_, high, low, last, volume = (read[name].loc[rows, on_day] for name in FIELDS)
    return WideBars(open_, high, low, last, volume)


@functools.lru_cache(maxsize=2)
def _anchored_read(
    store: str, as_of: str, start: str, universe: tuple[str, ...] | None
) -> WideFrames:
    # Two entries: a threads backend may have two neighbouring groups in flight.
    return MarketStore(store).read(
        dt.date.fromisoformat(as_of), start=dt.date.fromisoformat(start), symbols=universe
    )


def forget_reads() -> None:
    """Drop this process's shared reads (a threads run keeps them in the caller's process)."""
    _anchored_read.cache_clear()


def _scanner(name: str, config: Mapping[str, Any]) -> TechnicalScanner:
    cls = SCANNER_REGISTRY.get(name)
    if not issubclass(cls, TechnicalScanner):
        raise ValueError(f"scanner {name!r} cannot be backtested from the market store")
    return cls(config)

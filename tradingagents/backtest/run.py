"""A whole backtest: sessions in parallel on the batch engine, then returns and statistics."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tradingagents.backtest.capability import Unsupported, split_backtestable
from tradingagents.backtest.session import (
    SessionSpec,
    SessionTask,
    forget_reads,
    plan_sessions,
    scan_session,
    window_days,
)
from tradingagents.batch import ProcessingEngine, ProcessingJob, ProcessingResult
from tradingagents.batch.engine import BackendName, ProgressCallback
from tradingagents.config import ConfigError, load_config
from tradingagents.history.statistics import HORIZONS, pick_returns, record_statistics
from tradingagents.scanners import SCANNER_REGISTRY
from tradingagents.scanners.base import BaseScanner
from tradingagents.store import MarketStore

logger = logging.getLogger(__name__)

PICK_COLUMNS = ("session", "scanner", "rank", "ticker", "priority", "close", "context")

#: Generous: one session of five scanners over 500 symbols takes well under a second.
SESSION_TIMEOUT_SECONDS = 300.0


class BacktestError(ValueError):
    """A backtest that cannot start (bad range, unknown scanner, empty store); the message
    names the problem."""


@dataclass(frozen=True)
class FailedSession:
    session: str
    error: str


@dataclass
class BacktestResult:
    """Every pick with its forward returns, and the statistics of each scanner's record."""

    start: dt.date
    end: dt.date
    horizons: tuple[int, ...]
    scanners: tuple[str, ...]
    unsupported: list[Unsupported]
    sessions: list[str]
    picks: pd.DataFrame
    by_scanner: pd.DataFrame
    by_priority: pd.DataFrame
    universe_sizes: dict[str, int]
    failed: list[FailedSession] = field(default_factory=list)
    backend: BackendName = "processes"
    workers: int = 1
    wall_seconds: float = 0.0

    @property
    def sessions_per_second(self) -> float:
        return len(self.sessions) / self.wall_seconds if self.wall_seconds > 0 else 0.0


def select_scanners(names: Sequence[str] | None) -> list[type[BaseScanner]]:
    """The named scanners (all registered ones when ``names`` is None); unknown names are a
    :class:`BacktestError` listing the known ones."""
    if names is None:
        return SCANNER_REGISTRY.classes()
    known = SCANNER_REGISTRY.names()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise BacktestError(
            f"unknown scanner(s): {', '.join(unknown)} (known: {', '.join(known)})"
        )
    return [SCANNER_REGISTRY.get(n) for n in dict.fromkeys(names)]


def run_sessions(
    spec: SessionSpec, tasks: Sequence[SessionTask], engine: ProcessingEngine
) -> ProcessingResult:
    """Every session through ``scan_session`` on the batch engine (the one parallel step)."""
    job = ProcessingJob(
        list(tasks),
        functools.partial(scan_session, spec),
        timeout_per_item=SESSION_TIMEOUT_SECONDS,
    )
    return engine.run(job)


def run_backtest(
    store: MarketStore | str,
    start: dt.date,
    end: dt.date,
    *,
    scanners: Sequence[str] | None = None,
    horizons: Sequence[int] = HORIZONS,
    config: Mapping[str, Any] | None = None,
    backend: BackendName = "processes",
    workers: int | None = None,
    address: str | None = None,
    progress: ProgressCallback | None = None,
) -> BacktestResult:
    """Run the store-backtestable scanners of ``scanners`` (default: all) on every stored
    session from ``start`` to ``end``; see the package docstring."""
    market = store if isinstance(store, MarketStore) else MarketStore(store)
    wanted = _check_horizons(horizons)
    if end < start:
        raise BacktestError(f"--end {end} is before --start {start}")
    held = market.sessions()
    sessions = [d for d in held if start <= d <= end]
    if not sessions:
        span = f"{held[0]} .. {held[-1]}" if held else "no sessions"
        raise BacktestError(
            f"the market store {market.root} has no session from {start} to {end} (it holds "
            f"{span}; fill it with tradingagents data import or data update)"
        )
    runnable, unsupported = split_backtestable(select_scanners(scanners))
    for skipped in unsupported:
        logger.info("not backtested: %s %s", skipped.scanner, skipped.reason)
    if not runnable:
        raise BacktestError(
            "none of the selected scanners can be backtested from the market store: "
            + "; ".join(f"{u.scanner} {u.reason}" for u in unsupported)
        )
    try:  # a bad config fails once, here, naming every problem, not in every session
        merged = load_config(config, runnable, also_known=SCANNER_REGISTRY.classes()).raw
    except ConfigError as exc:
        raise BacktestError(str(exc)) from None
    names = tuple(cls.name for cls in runnable)
    instances = [cls(merged) for cls in runnable]
    try:
        for scanner in instances:
            scanner.check_params()
    except ValueError as exc:
        raise BacktestError(str(exc)) from None
    universe = merged["discovery"]["universe"]["symbols"]
    spec = SessionSpec(
        str(market.root), names, merged, tuple(sorted(set(universe))) if universe else None
    )
    splits = list(market.splits()["ex_date"])
    tasks = plan_sessions(sessions, splits, window_days(instances))
    started = time.perf_counter()
    with ProcessingEngine(
        backend, max_workers=workers, address=address, progress=progress
    ) as engine:
        try:
            outcome = run_sessions(spec, tasks, engine)
        finally:
            forget_reads()
        used_workers = engine.workers
    wall = time.perf_counter() - started
    done = [r.value for r in outcome.items if r.ok]
    failed = [
        FailedSession(r.item.session, f"{r.status.value}: {r.error_type}: {r.error}")
        for r in outcome.items
        if not r.ok
    ]
    for item in failed:
        logger.error("session %s failed: %s", item.session, item.error)
    picks = _with_returns(market, [p for value in done for p in value["picks"]], wanted, spec)
    count = len(done)
    return BacktestResult(
        start=start,
        end=end,
        horizons=wanted,
        scanners=names,
        unsupported=unsupported,
        sessions=[value["session"] for value in done],
        picks=picks,
        by_scanner=record_statistics(picks, sessions=count, horizons=wanted, by=("scanner",)),
        by_priority=record_statistics(
            picks, sessions=count, horizons=wanted, by=("scanner", "priority")
        ),
        universe_sizes={value["session"]: value["universe"] for value in done},
        failed=failed,
        backend=backend,
        workers=used_workers,
        wall_seconds=wall,
    )


def _check_horizons(horizons: Sequence[int]) -> tuple[int, ...]:
    wanted = tuple(sorted(set(horizons)))
    if not wanted or any(isinstance(h, bool) or not isinstance(h, int) or h < 1 for h in wanted):
        raise BacktestError(f"horizons must be whole numbers of sessions >= 1, got {horizons!r}")
    return wanted


def _with_returns(
    market: MarketStore,
    rows: list[dict[str, Any]],
    horizons: tuple[int, ...],
    spec: SessionSpec,
) -> pd.DataFrame:
    """The picks with ``fwd_return_<h>``, ``universe_return_<h>`` and ``excess_return_<h>``:
    one close read from the first pick's session to the store's end, adjusted as of that end,
    so a split between D and D+h is on both sides of every ratio."""
    picks = pd.DataFrame(rows, columns=list(PICK_COLUMNS))
    picks["session"] = pd.to_datetime(picks["session"])
    picks["rank"] = picks["rank"].astype("int64")
    picks["close"] = picks["close"].astype(float)
    if picks.empty:
        closes = pd.DataFrame(index=pd.DatetimeIndex([]), dtype=float)
    else:
        last = market.last_session()
        assert last is not None  # the store held the picks' sessions
        first = picks["session"].min().date()
        closes = market.read(last, start=first, symbols=spec.universe, fields=("close",))["close"]
    return pick_returns(picks, closes, horizons).reset_index(drop=True)

"""The universe's daily bars as wide frames (dates x tickers), for the technical scanners.

One logged ``get_daily_bars_batch`` call fetches every ticker over one window ending on the
trade date; the per-ticker frames become one frame per field (open, high, low, close,
volume), split-adjusted when the source left a ``split_coefficient`` column in, and cut at
the trade date. D, the signal date, is the last session in that window; a ticker without a
bar on D (halted, delisted) cannot carry a signal on D and is left out.

The technical scanners run at the same time and ask for the same window, so the fetch and
the pivot happen once per price source and window: the first caller computes, the others
wait for its result (or until their own deadline). The frames are shared: never modify them.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import threading
import weakref
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tradingagents.scanners.base import BaseScanner
from tradingagents.scanners.coverage import Coverage
from tradingagents.scanners.indicators import SESSIONS_PER_YEAR
from tradingagents.sources import budget
from tradingagents.sources.errors import DeadlineExceeded, SourceError
from tradingagents.sources.prices import BarsBatch, PriceSource
from tradingagents.sources.splits import SPLIT_COLUMN, adjust_wide_for_splits

logger = logging.getLogger(__name__)

FIELDS = ("open", "high", "low", "close", "volume")

HISTORY_SESSIONS = 2 * SESSIONS_PER_YEAR
"""Sessions every technical scanner loads at least. One shared window makes their batch calls
identical (so they share one fetch), and two years is enough for Wilder's RSI to forget its
seed: the seed's weight after n bars is (13/14)^n, ~1e-16 at 500."""

_CALENDAR_DAYS_PER_SESSION = 365.25 / 250
_HOLIDAY_MARGIN_DAYS = 10


@dataclass(frozen=True, repr=False)
class WideBars:
    """Split-adjusted bars, one dates x tickers frame per field; every ticker has a bar on D.
    ``missing``: the tickers the source had no bars for; ``failures``: why, per ticker;
    ``requested``: how many tickers were asked for."""

    open: pd.DataFrame
    high: pd.DataFrame
    low: pd.DataFrame
    close: pd.DataFrame
    volume: pd.DataFrame
    missing: tuple[str, ...] = ()
    failures: Mapping[str, str] = field(default_factory=dict)
    requested: int = 0

    @property
    def empty(self) -> bool:
        return self.close.empty

    @property
    def signal_date(self) -> str:
        """D as an ISO date: the last session on or before the trade date."""
        return pd.Timestamp(self.close.index[-1]).date().isoformat()

    def coverage(self) -> Coverage:
        """How many of the requested tickers the source answered (with or without a bar
        on D), and why the others failed."""
        return Coverage.of(
            "symbols", ok=max(self.requested - len(self.failures), 0), failures=self.failures
        )

    def failure_summary(self) -> str | None:
        """The tickers whose fetch failed, for the tool log (``None`` when none did)."""
        return self.coverage().failure_text() if self.failures else None

    def __repr__(self) -> str:
        # What the tool log shows: a summary, not 500 frames.
        sessions, tickers = self.close.shape
        span = f", {self.close.index[0].date()}..{self.signal_date}" if sessions else ""
        return (
            f"WideBars({sessions} sessions x {tickers} tickers{span}, "
            f"{len(self.missing)} without bars)"
        )


class NoBars(SourceError):
    """The price source failed for every ticker of a batch; ``coverage`` says how and why."""

    def __init__(self, source: str, coverage: Coverage) -> None:
        super().__init__(source, f"no bars at all: {coverage.failure_text()}")
        self.coverage = coverage


def calendar_days_for(sessions: int) -> int:
    """Calendar days that hold at least ``sessions`` trading sessions (weekends, holidays)."""
    return math.ceil(sessions * _CALENDAR_DAYS_PER_SESSION) + _HOLIDAY_MARGIN_DAYS


def load_universe_bars(
    scanner: BaseScanner, symbols: Sequence[str], trade_date: str, sessions: int
) -> WideBars:
    """The bars of ``symbols`` covering at least ``max(sessions, HISTORY_SESSIONS)`` sessions
    up to ``trade_date``, through one logged tool call of ``scanner``."""
    end = dt.date.fromisoformat(trade_date)
    start = end - dt.timedelta(days=calendar_days_for(max(sessions, HISTORY_SESSIONS)))
    try:
        bars: WideBars = scanner.tools.call(
            "get_daily_bars_batch",
            functools.partial(fetch_wide_bars, scanner.sources.prices),
            symbols=list(symbols),
            start=start.isoformat(),
            end=end.isoformat(),
        )
    except NoBars as exc:
        scanner.report_coverage(exc.coverage)
        raise
    scanner.report_coverage(bars.coverage())
    if bars.missing:
        logger.info(
            "%s: no bars for %d of %d tickers (%s); scanning the rest",
            scanner.name,
            len(bars.missing),
            len(symbols),
            ", ".join(bars.missing[:10]),
        )
    if bars.empty:
        logger.info("%s: no ticker has bars on or before %s", scanner.name, trade_date)
    return bars


def fetch_wide_bars(
    prices: PriceSource, *, symbols: Sequence[str], start: str, end: str
) -> WideBars:
    """``prices.daily_bars_batch(symbols, start, end)`` as wide frames, for ISO dates (plain
    JSON in the tool log); computed once per price source and arguments (module docstring).

    Raises :class:`NoBars` when the fetch failed for every ticker: no bars at all is a
    failed call, not an empty market."""
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)

    def fetch() -> WideBars:
        return wide_bars(prices.daily_bars_batch(list(symbols), first, last), last)

    bars = _SHARED.get(prices, (tuple(symbols), first, last), fetch)
    coverage = bars.coverage()
    if coverage.all_failed:
        raise NoBars(prices.name, coverage)
    return bars


def wide_bars(batch: BarsBatch, trade_date: dt.date) -> WideBars:
    """``batch`` as wide frames cut at ``trade_date``, keeping the tickers with a bar on D."""
    missing = tuple(sorted(batch.errors))
    failures = {ticker: str(batch.errors[ticker]) for ticker in missing}
    requested = len(batch.bars) + len(batch.errors)
    if not batch.bars:
        return _no_bars(missing, failures, requested)
    combined = pd.concat(batch.bars, axis=1, names=["ticker", "field"])
    combined = combined.sort_index().sort_index(axis="columns").loc[: pd.Timestamp(trade_date)]
    if combined.empty:
        return _no_bars(missing, failures, requested)
    frames = {
        name: _field(combined, name)
        for name in (*FIELDS, SPLIT_COLUMN)
        if name in combined.columns.get_level_values("field")
    }
    coefficients = frames.pop(SPLIT_COLUMN, None)
    if coefficients is not None:
        frames = adjust_wide_for_splits(frames, coefficients)
    close = frames["close"]
    on_last_session: pd.Series = close.iloc[-1].notna()
    if not on_last_session.all():
        stale = close.columns[~on_last_session.to_numpy()]
        logger.info(
            "%d ticker(s) have no bar on %s and are left out: %s",
            len(stale),
            pd.Timestamp(close.index[-1]).date().isoformat(),
            ", ".join(map(str, stale[:10])),
        )
    kept = {name: frames[name].loc[:, on_last_session] for name in FIELDS}
    return WideBars(
        kept["open"],
        kept["high"],
        kept["low"],
        kept["close"],
        kept["volume"],
        missing,
        failures,
        requested,
    )


def _field(combined: pd.DataFrame, name: str) -> pd.DataFrame:
    """One field of the (ticker, field) column frame as a dates x tickers float frame."""
    frame = combined.xs(name, axis="columns", level="field")
    return pd.DataFrame(frame).astype(np.float64)


def _no_bars(missing: tuple[str, ...], failures: Mapping[str, str], requested: int) -> WideBars:
    empty = pd.DataFrame(index=pd.DatetimeIndex([], name="date"), dtype=np.float64)
    return WideBars(empty, empty, empty, empty, empty, missing, failures, requested)


def bars_ago(frame: pd.DataFrame, bars: int) -> pd.Series:
    """Each ticker's value ``bars`` of its own bars before its last one (NaN when it has
    fewer), counting only the rows where that ticker has a value, like the indicators do."""
    present = frame.notna()
    position = present.cumsum()
    wanted = position.iloc[-1] - bars
    at_wanted = present & position.eq(wanted, axis="columns")
    return frame.where(at_wanted).max()


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    value: WideBars | None = None


class _SharedFetches:
    """One result per (price source, key), however many threads ask at once. Entries live
    as long as their price source (one run's data sources); a failed fetch is not kept, so
    the next caller tries again."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._entries: weakref.WeakKeyDictionary[object, dict[Hashable, _Entry]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, owner: object, key: Hashable, compute: Callable[[], WideBars]) -> WideBars:
        with self._guard:
            entry = self._entries.setdefault(owner, {}).setdefault(key, _Entry())
        left = budget.remaining()
        if not entry.lock.acquire(timeout=-1 if left is None else left):
            raise DeadlineExceeded(
                "prices", "timed out waiting for another scanner's fetch of the same bars"
            )
        try:
            if entry.value is None:
                entry.value = compute()
            return entry.value
        finally:
            entry.lock.release()


_SHARED = _SharedFetches()

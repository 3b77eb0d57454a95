"""Daily bars: Stooq-format CSV over HTTP, or the user's own CSV/Parquet files, plus batches.

Both sources return frames in the schema of :mod:`tradingagents.sources.bars`. The batch
helper fetches many tickers on a small thread pool; HTTP calls still queue on the source's one
rate limiter, every worker runs under the caller's deadline, and a failing ticker lands in
``BarsBatch.errors`` instead of failing the batch.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import io
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
import requests

from tradingagents.sources.bars import INDEX_NAME, PRICE_COLUMNS, BarsError, normalise_bars
from tradingagents.sources.classify import error_from_exception, error_from_response
from tradingagents.sources.config import PricesConfig, ResilienceConfig
from tradingagents.sources.errors import (
    MalformedResponse,
    NotFound,
    RateLimited,
    SourceError,
    SourceUnavailable,
)
from tradingagents.sources.http import SourceSession
from tradingagents.sources.resilience import Guard

logger = logging.getLogger(__name__)

NAME = "prices"
DEFAULT_BATCH_WORKERS = 8
TTL_RULES = ((r"/q/d/l/\?", "daily"),)
_CSV_HEADER = b"date,"


def csv_cacheable(response: requests.Response) -> bool:
    """Only real CSV bars are cached (Stooq answers "No data" with a 200)."""
    return bool(
        getattr(response, "from_cache", False)
        or response.content.lstrip()[: len(_CSV_HEADER)].lower() == _CSV_HEADER
    )


@dataclass
class BarsBatch:
    """Bars per ticker that worked, and the typed error of each ticker that did not."""

    bars: dict[str, pd.DataFrame] = field(default_factory=dict)
    errors: dict[str, SourceError] = field(default_factory=dict)

    def __repr__(self) -> str:
        # What tool logs show: a summary. The default repr renders every frame (~1 s for 500).
        rows = sum(len(b) for b in self.bars.values())
        failed = ", ".join(f"{t}: {e}" for t, e in list(self.errors.items())[:3])
        more = f" (+{len(self.errors) - 3} more)" if len(self.errors) > 3 else ""
        return f"BarsBatch({len(self.bars)} tickers, {rows} bars, {len(self.errors)} failed" + (
            f": {failed}{more})" if failed else ")"
        )

    def failure_summary(self) -> str | None:
        """The tickers that failed, for the tool log (``None`` when none did)."""
        if not self.errors:
            return None
        ticker, error = next(iter(self.errors.items()))
        total = len(self.bars) + len(self.errors)
        return f"{len(self.errors)} of {total} symbols failed (first: {ticker}: {error})"

    def wide(self, column: str = "close") -> pd.DataFrame:
        """One column of every ticker's bars as a dates x tickers frame (NaN where missing)."""
        if not self.bars:
            return pd.DataFrame(index=pd.DatetimeIndex([], name="date"))
        frame = pd.DataFrame({ticker: bars[column] for ticker, bars in self.bars.items()})
        frame.index.name = "date"
        return frame.sort_index()


class PriceSource(Protocol):
    name: str

    def daily_bars(
        self, symbol: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> pd.DataFrame: ...

    def daily_bars_batch(
        self,
        symbols: Sequence[str],
        start: dt.date | None = None,
        end: dt.date | None = None,
        *,
        workers: int = DEFAULT_BATCH_WORKERS,
    ) -> BarsBatch: ...

    def close(self) -> None: ...


def fetch_batch(
    fetch: Callable[[str], pd.DataFrame], symbols: Sequence[str], workers: int
) -> BarsBatch:
    """``fetch`` for each distinct symbol on ``workers`` threads, under the caller's context
    (its deadline included); typed failures are collected per symbol."""
    unique = list(dict.fromkeys(symbols))
    batch = BarsBatch()

    def one(symbol: str) -> None:
        try:
            batch.bars[symbol] = fetch(symbol)
        except SourceError as exc:
            batch.errors[symbol] = exc

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(unique) or 1))) as pool:
        futures = [pool.submit(contextvars.copy_context().run, one, s) for s in unique]
        for future in futures:
            future.result()
    if batch.errors:
        logger.info("%d of %d tickers failed", len(batch.errors), len(unique))
    return batch


def _between(bars: pd.DataFrame, start: dt.date | None, end: dt.date | None) -> pd.DataFrame:
    return bars.loc[pd.Timestamp(start) if start else None : pd.Timestamp(end) if end else None]


def translate(exc: BaseException) -> SourceError | None:
    return error_from_exception(NAME, exc)


class _PerSymbolBars:
    """Batches built from a source's per-symbol ``daily_bars``."""

    def daily_bars(
        self, symbol: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> pd.DataFrame:
        raise NotImplementedError

    def daily_bars_batch(
        self,
        symbols: Sequence[str],
        start: dt.date | None = None,
        end: dt.date | None = None,
        *,
        workers: int = DEFAULT_BATCH_WORKERS,
    ) -> BarsBatch:
        return fetch_batch(lambda s: self.daily_bars(s, start, end), symbols, workers)


class StooqPrices(_PerSymbolBars):
    """Stooq's CSV endpoint (``/q/d/l/?s=aapl.us&i=d``): the full history, cached, then sliced."""

    name = NAME

    def __init__(
        self, settings: PricesConfig, session: SourceSession, resilience: ResilienceConfig
    ) -> None:
        self.session = session
        self.guard = Guard(NAME, resilience, translate)
        self._url = f"{settings.base_url}/q/d/l/"

    def daily_bars(
        self, symbol: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> pd.DataFrame:
        return _between(
            self.guard.call(f"daily bars {symbol}", lambda: self._fetch(symbol, start, end)),
            start,
            end,
        )

    def close(self) -> None:
        self.guard.close()
        self.session.close()

    def _fetch(self, symbol: str, start: dt.date | None, end: dt.date | None) -> pd.DataFrame:
        # Ask only for the window needed: Stooq's d1/d2 cut the body (and our parsing) to it.
        params = {"s": stooq_symbol(symbol), "i": "d"}
        params |= {k: d.strftime("%Y%m%d") for k, d in (("d1", start), ("d2", end)) if d}
        response = self.session.get(self._url, params=params)
        if not response.ok:
            raise error_from_response(NAME, response)
        return parse_stooq_csv(response.text, symbol)


def stooq_symbol(symbol: str) -> str:
    """ "BRK.B" -> "brk-b.us" (Stooq's US listing names)."""
    return f"{symbol.strip().lower().replace('.', '-')}.us"


def parse_stooq_csv(text: str, symbol: str) -> pd.DataFrame:
    """Stooq CSV (``Date,Open,High,Low,Close,Volume``) to bars; "No data" is :class:`NotFound`."""
    head = text.strip()[:64].lower()
    if not head or head.startswith("no data"):
        raise NotFound(NAME, f"no daily bars for {symbol}")
    if head.startswith("exceeded the daily hits limit"):
        raise RateLimited(NAME, "Stooq's daily hits limit is exhausted", retryable=False)
    fast = _parse_plain_stooq(text)
    if fast is not None:
        return fast
    try:
        return normalise_bars(pd.read_csv(io.StringIO(text)))
    except (BarsError, pd.errors.ParserError, ValueError) as exc:
        raise MalformedResponse(NAME, f"daily bars of {symbol}: {exc}") from None


_STOOQ_HEADER = "Date,Open,High,Low,Close,Volume"


def _parse_plain_stooq(text: str) -> pd.DataFrame | None:
    """The common case, parsed straight into the bar schema (3x faster than the generic
    path, which matters for a universe of ~500 tickers): exactly Stooq's header, complete
    numeric rows, ascending unique dates. ``None`` for anything else."""
    lines = text.strip().splitlines()
    if not lines or lines[0].strip() != _STOOQ_HEADER or len(lines) < 2:
        return None
    try:
        days = np.array([line[:10] for line in lines[1:]], dtype="datetime64[ns]")
        values = np.array([line[11:].split(",") for line in lines[1:]], dtype=np.float64)
    except ValueError:
        return None
    if values.ndim != 2 or values.shape[1] != 5 or np.isnan(values).any():
        return None
    index = pd.DatetimeIndex(days, name=INDEX_NAME)
    if not (index.is_monotonic_increasing and index.is_unique):
        return None
    frame = pd.DataFrame(values[:, :4], index=index, columns=list(PRICE_COLUMNS))
    frame["volume"] = np.rint(values[:, 4]).astype(np.int64)
    return frame


class LocalPrices(_PerSymbolBars):
    """Bars from ``<local_dir>/<TICKER>.csv`` or ``.parquet`` (any vendor's column names)."""

    name = NAME
    _SUFFIXES = (".csv", ".parquet")

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory).expanduser()
        if not self.directory.is_dir():
            raise NotADirectoryError(f"prices local_dir {str(self.directory)!r} is not a folder")

    def daily_bars(
        self, symbol: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> pd.DataFrame:
        path = self._file_of(symbol)
        try:
            raw = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
        except ImportError:
            raise SourceUnavailable(
                NAME, f"cannot read {path.name}: Parquet needs pip install 'tradingagents[parquet]'"
            ) from None
        try:
            bars = normalise_bars(raw)
        except BarsError as exc:
            raise MalformedResponse(NAME, f"{path}: {exc}") from None
        return _between(bars, start, end)

    def close(self) -> None:
        """Nothing to release; present for the common source interface."""

    def _file_of(self, symbol: str) -> Path:
        candidates = [
            self.directory / f"{name}{suffix}"
            for name in dict.fromkeys((symbol, symbol.upper(), symbol.lower()))
            for suffix in self._SUFFIXES
        ]
        for candidate in candidates:
            if candidate.is_file():
                return candidate
        raise NotFound(
            NAME,
            f"no bars file for {symbol} in {self.directory} "
            f"(looked for {symbol.upper()}.csv and .parquet)",
        )

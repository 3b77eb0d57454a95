"""Load a folder of the user's own daily bars (one ``<SYMBOL>.csv`` or ``.parquet`` per
symbol, any vendor's column names) into the market store, as traded.

A ``split_coefficient`` column (Alpha Vantage's: the ratio on the ex-date, 1 elsewhere)
becomes the store's splits; the prices themselves are stored unchanged, so reads can adjust
them as of any date. Sessions the store already has are merged: the imported symbols' rows
replace theirs, the other symbols' rows stay.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tradingagents.sources.bars import BarsError, vendor_bars
from tradingagents.sources.splits import SPLIT_COLUMN
from tradingagents.store.errors import StoreError
from tradingagents.store.market_store import StoreWriter
from tradingagents.store.schema import BAR_FIELDS, BARS, conform_bars

logger = logging.getLogger(__name__)

SUFFIXES = (".csv", ".parquet")
_OPTIONAL = {"vwap": "vwap", "transactions": "transactions", "trade_count": "transactions"}


@dataclass
class ImportResult:
    symbols: int = 0
    sessions: int = 0
    rows: int = 0
    splits: int = 0
    #: File name -> why it was not imported.
    skipped: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        text = (
            f"imported {self.rows:,} bars of {self.symbols:,} symbols over {self.sessions:,}"
            f" sessions, {self.splits} split(s)"
        )
        if self.skipped:
            name, reason = next(iter(self.skipped.items()))
            text += f"; skipped {len(self.skipped)} file(s) (first: {name}: {reason})"
        return text


def bar_files(folder: Path) -> list[Path]:
    """The ``<SYMBOL>.csv`` / ``.parquet`` files of ``folder``, by name."""
    if not folder.is_dir():
        raise StoreError(f"{folder} is not a folder of bar files")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
    if not files:
        raise StoreError(f"{folder} holds no .csv or .parquet bar files")
    return files


def read_as_traded(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One symbol's bars as traded (date, open, high, low, close, volume[, vwap,
    transactions]) and its splits (ex_date, ratio). Raises :class:`BarsError`."""
    try:
        raw = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise BarsError(f"unreadable: {exc}") from None
    # The project's vendor-name matching (Date, timestamp, "5. volume", ...) and date
    # parsing, shared with the price sources so both accept the same files.
    frame = vendor_bars(raw, optional=(*_OPTIONAL, SPLIT_COLUMN))
    bars = frame.drop(columns=SPLIT_COLUMN, errors="ignore").rename(columns=_OPTIONAL)
    bars = bars.dropna(subset=["open", "high", "low", "close", "volume"])
    bars = bars[bars["close"] > 0]
    splits = pd.DataFrame({"ex_date": pd.Series(dtype=object), "ratio": pd.Series(dtype=float)})
    if SPLIT_COLUMN in frame.columns:
        coefficient = frame[SPLIT_COLUMN]
        real = coefficient[(coefficient > 0) & (coefficient != 1.0)]
        splits = pd.DataFrame(
            {"ex_date": pd.DatetimeIndex(real.index).date, "ratio": real.to_numpy(np.float64)}
        )
    return bars, splits


def import_folder(
    writer: StoreWriter,
    folder: Path,
    *,
    source: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import every bar file of ``folder``; ``progress(done, total)`` after each file."""
    files = bar_files(folder)
    result = ImportResult()
    frames, split_frames = [], []
    for done, path in enumerate(files, 1):
        symbol = path.stem.upper()
        try:
            bars, splits = read_as_traded(path)
        except BarsError as exc:
            result.skipped[path.name] = str(exc)
        else:
            if not bars.empty:
                frames.append(bars.assign(symbol=symbol))
                split_frames.append(splits.assign(symbol=symbol))
                result.symbols += 1
        if progress is not None:
            progress(done, len(files))
    if not frames:
        raise StoreError(f"no bars could be read from {folder}: {result.describe()}")
    long = pd.concat(frames).rename_axis("date").reset_index()
    result.rows = len(long)
    label = source or f"import {folder.resolve()}"
    stored = set(writer.store.sessions())
    for session, table in _by_session(long):
        if session in stored:
            table = _merged(writer, session, table)
        writer.write_session(session, table, label)
        result.sessions += 1
    result.splits = writer.add_splits(pd.concat(split_frames, ignore_index=True))
    writer.pack()
    return result


def _by_session(long: pd.DataFrame) -> list[tuple[dt.date, pa.Table]]:
    long = long.sort_values(["date", "symbol"], ignore_index=True)
    columns = ["symbol", *(c for c in BAR_FIELDS if c in long.columns)]
    table = conform_bars(pa.Table.from_pandas(long[columns], preserve_index=False))
    days, starts = np.unique(long["date"].to_numpy(), return_index=True)
    ends = [*starts[1:], len(long)]
    return [
        (pd.Timestamp(day).date(), table.slice(start, end - start))
        for day, start, end in zip(days, starts, ends, strict=True)
    ]


def _merged(writer: StoreWriter, session: dt.date, table: pa.Table) -> pa.Table:
    """``table`` plus the stored rows of that session for symbols it does not have."""
    stored = writer.store.session_table(session).select(BARS.names)
    others = stored.filter(pc.invert(pc.is_in(stored.column("symbol"), table.column("symbol"))))
    return pa.concat_tables([others, table.select(BARS.names)])

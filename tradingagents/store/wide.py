"""Session tables to wide frames (sessions x symbols per field), adjusted as of a date.

The pivot is columnar: every session's rows are concatenated once, each row's symbol is
mapped to its column with one hash lookup in Arrow (``index_in``), and each field is placed
with one numpy scatter. No per-symbol or per-session Python loop touches the values.

Split adjustment is point in time: a read as of D applies only the splits whose ex-date is on
or before D, so it shows the levels a trader saw on D and never a later split.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tradingagents.store.schema import PRICE_FIELDS

SHARE_FIELDS = ("volume",)
"""Counted in shares: multiplied by a split's ratio (prices are divided)."""


@dataclass(frozen=True, repr=False)
class WideFrames:
    """One dates x symbols float frame per field, adjusted for splits as of ``as_of``."""

    frames: Mapping[str, pd.DataFrame]
    as_of: dt.date

    def __getitem__(self, field: str) -> pd.DataFrame:
        return self.frames[field]

    @property
    def sessions(self) -> pd.DatetimeIndex:
        index = next(iter(self.frames.values())).index
        return pd.DatetimeIndex(index)

    @property
    def symbols(self) -> pd.Index:
        return next(iter(self.frames.values())).columns

    def __repr__(self) -> str:
        sessions, symbols = len(self.sessions), len(self.symbols)
        return (
            f"WideFrames({sessions} sessions x {symbols} symbols, as of {self.as_of}, "
            f"fields: {', '.join(self.frames)})"
        )


@dataclass
class Grid:
    """Wide values before they become frames: ``values[field]`` is sessions x symbols."""

    sessions: pd.DatetimeIndex
    symbols: pd.Index
    values: dict[str, np.ndarray]

    def frames(self) -> dict[str, pd.DataFrame]:
        return {
            field: pd.DataFrame(values, index=self.sessions, columns=self.symbols, copy=False)
            for field, values in self.values.items()
        }


def pivot(
    sessions: Sequence[dt.date],
    tables: Sequence[pa.Table],
    fields: Sequence[str],
    symbols: Sequence[str] | None,
) -> Grid:
    """The ``fields`` of one table per session (rows: symbol + fields) as a grid whose columns
    are ``symbols`` in that order, or every symbol present, sorted.

    Consecutive sessions mostly list the same symbols, so each distinct symbol column is
    mapped to grid columns once (an Arrow hash lookup) and reused while it repeats; when a
    session lists exactly the grid's columns its values are copied as a whole row."""
    distinct = _distinct_symbol_columns(tables)
    if symbols is None:
        present: list[str] = (
            pc.unique(pa.chunked_array(distinct, pa.string())).to_pylist() if distinct else []
        )
        columns = pa.array(sorted(present), pa.string())
    else:
        columns = pa.array(list(symbols), pa.string())
    shape = (len(sessions), len(columns))
    values = {field: np.full(shape, np.nan) for field in fields}
    mapping: tuple[pa.Array, np.ndarray | None, np.ndarray] | None = None
    for row, table in enumerate(tables):
        names = table.column("symbol").combine_chunks()
        if mapping is None or not mapping[0].equals(names):
            mapping = _columns_of(names, columns)
        _, wanted, cols = mapping
        for field in fields:
            column = table.column(field).to_numpy()
            if wanted is None:  # exactly the grid's columns, in order
                values[field][row] = column
            else:
                values[field][row, cols] = column[wanted]
    return Grid(
        pd.DatetimeIndex(pd.to_datetime(list(sessions)), name="date"),
        pd.Index(columns.to_pylist(), name="symbol", dtype=object),
        values,
    )


def _distinct_symbol_columns(tables: Sequence[pa.Table]) -> list[pa.Array]:
    distinct: list[pa.Array] = []
    for table in tables:
        names = table.column("symbol").combine_chunks()
        if not distinct or not distinct[-1].equals(names):
            distinct.append(names)
    return distinct


def _columns_of(
    names: pa.Array, columns: pa.Array
) -> tuple[pa.Array, np.ndarray | None, np.ndarray]:
    """(names, which rows have a grid column (None: all, in grid order), their columns)."""
    if names.equals(columns):
        return names, None, np.arange(len(columns))
    codes = pc.index_in(names, value_set=columns)
    wanted = codes.is_valid().to_numpy(zero_copy_only=False)
    cols = codes.fill_null(0).to_numpy(zero_copy_only=False)[wanted]
    return names, wanted, cols


def adjust_as_of(grid: Grid, splits: pd.DataFrame, as_of: dt.date) -> Grid:
    """``grid`` back-adjusted in place for every split with ex-date on or before ``as_of``:
    prices before the ex-date divided by the ratio, share counts multiplied."""
    if splits.empty or not grid.values:
        return grid
    position = {symbol: i for i, symbol in enumerate(grid.symbols)}
    sessions = grid.sessions.to_numpy()
    known = splits[(splits["ex_date"] <= as_of) & splits["symbol"].isin(position.keys())]
    for symbol, ex_date, ratio in known[["symbol", "ex_date", "ratio"]].itertuples(index=False):
        before = int(np.searchsorted(sessions, np.datetime64(ex_date, "ns")))
        if before == 0:
            continue
        column = position[symbol]
        for field, values in grid.values.items():
            if field in PRICE_FIELDS or field == "vwap":
                values[:before, column] /= ratio
            elif field in SHARE_FIELDS:
                values[:before, column] *= ratio
    return grid

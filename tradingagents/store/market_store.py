"""Reading and writing the market store (layout in :mod:`tradingagents.store.layout`).

store = MarketStore(path)
bars = store.read(as_of=date(2020, 9, 1), sessions=300)   # wide frames, adjusted as of D
with store.writer() as writer:                              # one writing process at a time
    writer.write_session(date(2020, 9, 2), table, source="massive grouped daily")
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tradingagents.store import bar_files, layout, schema
from tradingagents.store.errors import StoreError
from tradingagents.store.wide import WideFrames, adjust_as_of, pivot

logger = logging.getLogger(__name__)

READ_FIELDS = ("open", "high", "low", "close", "volume")
"""What the technical scanners read; ``vwap`` and ``transactions`` are there on request."""


def store_path(cache_dir: Path, configured: str | None) -> Path:
    """``data.store.path``, relative paths under the cache dir; default ``<cache>/market``."""
    if configured is None:
        return cache_dir / "market"
    path = Path(configured).expanduser()
    return path if path.is_absolute() else cache_dir / path


class MarketStore:
    """Read access to a store folder; :meth:`writer` for changes. Reads take no lock."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        version = schema.read_version(self.root)
        schema.check_readable(self.root, version)
        if version is not None and version < schema.SCHEMA_VERSION:
            logger.info(
                "the market store %s has schema %d; the next writer migrates it to %d",
                self.root,
                version,
                schema.SCHEMA_VERSION,
            )

    def __repr__(self) -> str:
        return f"MarketStore({str(self.root)!r})"

    @property
    def version(self) -> int | None:
        return schema.read_version(self.root)

    # -- reads ------------------------------------------------------------------------------

    def sessions(self) -> list[dt.date]:
        """Every session the store holds, oldest first."""
        return list(bar_files.locate(self.root))

    def last_session(self) -> dt.date | None:
        sessions = self.sessions()
        return sessions[-1] if sessions else None

    def read(
        self,
        as_of: dt.date,
        *,
        sessions: int | None = None,
        start: dt.date | None = None,
        symbols: Sequence[str] | None = None,
        fields: Sequence[str] = READ_FIELDS,
    ) -> WideFrames:
        """Wide frames of the sessions on or before ``as_of`` (at most the last ``sessions``
        of them, none before ``start``), adjusted for the splits known as of ``as_of``.

        Columns are ``symbols`` in the order given (all NaN for one the store lacks), or
        every symbol with a bar in the window, sorted."""
        unknown = [f for f in fields if f not in schema.BAR_FIELDS]
        if unknown:
            raise StoreError(
                f"no bar field(s) {', '.join(map(repr, unknown))} in the market store "
                f"(fields: {', '.join(schema.BAR_FIELDS)})"
            )
        if sessions is not None and sessions < 1:
            raise StoreError(f"sessions must be at least 1, not {sessions}")

        def window(held: list[dt.date]) -> list[dt.date]:
            chosen = [d for d in held if d <= as_of and (start is None or d >= start)]
            return chosen if sessions is None else chosen[-sessions:]

        days, tables = bar_files.read_sessions(self.root, window, fields)
        grid = pivot(days, tables, fields, symbols)
        adjust_as_of(grid, self.splits(), as_of)
        return WideFrames(grid.frames(), as_of)

    def session_table(self, session: dt.date) -> pa.Table:
        """One session's rows as stored (unadjusted)."""
        days, tables = bar_files.read_sessions(
            self.root, lambda held: [session] if session in held else [], schema.BAR_FIELDS
        )
        if not days:
            raise StoreError(f"the market store has no session {session.isoformat()}")
        return tables[0]

    def splits(self) -> pd.DataFrame:
        """symbol, ex_date (``date``), ratio; sorted by ex-date."""
        table = self._read_small(layout.SPLITS_FILE, schema.SPLITS)
        frame: pd.DataFrame = table.to_pandas(date_as_object=True)
        return frame.sort_values(["ex_date", "symbol"], ignore_index=True)

    def listing(self) -> pd.DataFrame:
        """symbol, name, type, primary_exchange, active, first_seen, last_seen."""
        table = self._read_small(layout.LISTING_FILE, schema.LISTING)
        frame: pd.DataFrame = table.to_pandas(date_as_object=True)
        return frame

    def ingest_log(self) -> pd.DataFrame:
        """session, source, ingested_at, rows: what each session came from, and when."""
        records = [
            {"session": day, "source": p.source, "ingested_at": p.ingested_at, "rows": p.rows}
            for day, p in bar_files.provenance(self.root).items()
        ]
        columns = ["session", "source", "ingested_at", "rows"]
        return pd.DataFrame.from_records(records, columns=columns)

    def writer(self, *, wait: bool = False) -> _WriterContext:
        """The write lock and a :class:`StoreWriter` (``with store.writer() as w:``); without
        ``wait``, :class:`~tradingagents.store.StoreBusy` when another process writes."""
        return _WriterContext(self, wait)

    def _read_small(self, name: str, table_schema: pa.Schema) -> pa.Table:
        path = self.root / name
        if not path.exists():
            return table_schema.empty_table()
        try:
            return pq.read_table(path, schema=table_schema)
        except (OSError, pa.ArrowInvalid) as exc:
            raise StoreError(f"cannot read the market store file {path}: {exc}") from exc


class _WriterContext:
    def __init__(self, store: MarketStore, wait: bool) -> None:
        self._store, self._wait = store, wait
        self._lock: Any = None

    def __enter__(self) -> StoreWriter:
        self._lock = layout.write_lock(self._store.root, wait=self._wait)
        self._lock.__enter__()
        try:
            return StoreWriter(self._store)
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise

    def __exit__(self, *exc: object) -> None:
        self._lock.__exit__(None, None, None)


class StoreWriter:
    """Changes to the store; exists only while its process holds the write lock. Opening one
    deletes a killed writer's temporary files and migrates an older schema."""

    def __init__(self, store: MarketStore) -> None:
        self.store = store
        root = store.root
        removed = layout.remove_leftovers(root)
        if removed:
            logger.info("removed %d unfinished file(s) a stopped writer left in %s", removed, root)
        version = schema.read_version(root)
        if version is None:
            schema.write_version(root, schema.SCHEMA_VERSION)
        else:
            schema.migrate(root, version)

    def write_session(self, session: dt.date, bars: pa.Table | pd.DataFrame, source: str) -> int:
        """Store (or replace) one session's bars as traded; returns the rows written.

        ``bars`` has a ``symbol`` column and open/high/low/close/volume, optionally vwap and
        transactions. A session is written whole or not at all."""
        table = _bars_table(bars, session)
        bar_files.write_session(self.store.root, session, table, source)
        rows: int = table.num_rows
        return rows

    def pack(self) -> int:
        """Pack the sessions of every month before the last session's month into one file per
        month (reads open fewer files); returns how many months were packed."""
        last = self.store.last_session()
        return 0 if last is None else bar_files.pack_months(self.store.root, last)

    def add_splits(self, splits: pd.DataFrame) -> int:
        """Merge splits (symbol, ex_date, ratio); a (symbol, ex_date) already stored is
        replaced. Returns how many rows are new or changed."""
        incoming = _splits_frame(splits)
        current = self.store.splits()
        merged = pd.concat([current, incoming], ignore_index=True)
        merged = merged.drop_duplicates(["symbol", "ex_date"], keep="last")
        merged = merged.sort_values(["ex_date", "symbol"], ignore_index=True)
        known = set(current.itertuples(index=False, name=None))
        changed = sum(row not in known for row in incoming.itertuples(index=False, name=None))
        if changed:
            table = pa.Table.from_pandas(merged, schema=schema.SPLITS, preserve_index=False)
            layout.write_table(self.store.root / layout.SPLITS_FILE, table)
        return changed

    def update_listing(self, snapshot: pd.DataFrame, seen: dt.date, *, complete: bool) -> None:
        """Record a listing snapshot taken on ``seen`` (symbol, name, type, primary_exchange).

        Listed symbols become active with ``last_seen = seen`` (``first_seen`` kept from the
        first snapshot that had them); with ``complete`` (the snapshot is the whole listing),
        stored symbols missing from it become inactive."""
        required = ["symbol", "name", "type", "primary_exchange"]
        missing = [c for c in required if c not in snapshot.columns]
        if missing:
            raise StoreError(f"listing snapshot lacks column(s): {', '.join(missing)}")
        fresh = snapshot[required].drop_duplicates("symbol", keep="last").set_index("symbol")
        current = self.store.listing().set_index("symbol")
        merged = current.reindex(current.index.union(fresh.index))
        listed = merged.index.isin(fresh.index)
        merged.loc[fresh.index, required[1:]] = fresh[required[1:]]
        merged.loc[listed, "active"] = True
        merged.loc[listed, "last_seen"] = seen
        merged.loc[listed & merged["first_seen"].isna(), "first_seen"] = seen
        if complete:
            merged.loc[~listed, "active"] = False
        merged["active"] = merged["active"].astype(bool)
        frame = merged.reset_index(names="symbol")
        table = pa.Table.from_pandas(frame, schema=schema.LISTING, preserve_index=False)
        layout.write_table(self.store.root / layout.LISTING_FILE, table)


def _bars_table(bars: pa.Table | pd.DataFrame, session: dt.date) -> pa.Table:
    table = bars if isinstance(bars, pa.Table) else pa.Table.from_pandas(bars, preserve_index=False)
    where = f"bars for session {session.isoformat()}"
    missing = [c for c in ("symbol", *READ_FIELDS) if c not in table.column_names]
    if missing:
        raise StoreError(f"{where} lack column(s): {', '.join(missing)}")
    try:
        table = schema.conform_bars(table)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise StoreError(f"{where} have a column of the wrong type: {exc}") from exc
    symbols = table.column("symbol")
    if symbols.null_count:
        raise StoreError(f"{where} have {symbols.null_count} row(s) without a symbol")
    if len(pc.unique(symbols)) != table.num_rows:
        counts = pc.value_counts(symbols).to_pylist()
        twice = [c["values"] for c in counts if c["counts"] > 1]
        raise StoreError(f"{where} repeat symbol(s): {', '.join(twice[:5])}")
    close = table.column("close").to_numpy(zero_copy_only=False)
    bad = ~(np.isfinite(close) & (close > 0))
    if bad.any():
        first = symbols[int(np.argmax(bad))].as_py()
        raise StoreError(
            f"{where} have {int(bad.sum())} close(s) that are not positive numbers (first: {first})"
        )
    return table.take(pc.sort_indices(symbols))


def _splits_frame(splits: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("symbol", "ex_date", "ratio") if c not in splits.columns]
    if missing:
        raise StoreError(f"splits lack column(s): {', '.join(missing)}")
    frame = splits[["symbol", "ex_date", "ratio"]].copy()
    frame["ex_date"] = pd.to_datetime(frame["ex_date"]).dt.date
    frame["ratio"] = pd.to_numeric(frame["ratio"], errors="coerce").astype(np.float64)
    bad = ~(np.isfinite(frame["ratio"]) & (frame["ratio"] > 0))
    if bad.any():
        row = frame[bad].iloc[0]
        raise StoreError(
            f"split ratio must be a positive number; {row['symbol']} on"
            f" {row['ex_date']} has {row['ratio']}"
        )
    return frame

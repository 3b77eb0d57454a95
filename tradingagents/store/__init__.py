"""The local market store: daily bars as traded, splits, the listing and the ingest log.

A folder of Parquet files (see :mod:`tradingagents.store.layout` for why not a DuckDB file):

    <root>/store.json                      schema version
    <root>/bars/<YYYY-MM-DD>.parquet       one session's bars, every symbol, unadjusted;
                                           its footer records where they came from and when
    <root>/bars/<YYYY-MM>.parquet          a past month's sessions packed in one file
                                           (see :mod:`tradingagents.store.bar_files`)
    <root>/splits.parquet                  symbol, ex_date, ratio
    <root>/listing.parquet                 symbol, name, type, exchange, active, seen dates

Readers take no lock and see whole files only (every write is a temporary file renamed over
the old one); one writer at a time holds ``write.lock``. Reads come back as wide pandas
frames (sessions x symbols per field) adjusted for the splits known as of the read's date.
"""

from tradingagents.store.errors import StoreBusy, StoreError, StoreVersionError
from tradingagents.store.market_store import MarketStore, StoreWriter, store_path
from tradingagents.store.wide import WideFrames

__all__ = [
    "MarketStore",
    "StoreBusy",
    "StoreError",
    "StoreVersionError",
    "StoreWriter",
    "WideFrames",
    "store_path",
]

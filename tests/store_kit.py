"""Small synthetic sessions for the market-store tests, and the child program the
multi-process tests run (``python -m tests.store_kit write|ingest ROOT ...``)."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

SYMBOLS = 40


def sessions(count: int, start: str = "2024-01-02") -> list[dt.date]:
    return [day.date() for day in pd.bdate_range(start, periods=count)]


def session_bars(day: dt.date, symbols: int = SYMBOLS, version: int = 0) -> pa.Table:
    """Bars whose close encodes the session and symbol (and a rewrite ``version``), so a
    reader can tell exactly which write it saw: close = ordinal + symbol / 1000."""
    index = np.arange(symbols)
    close = day.toordinal() - 738_000 + index / 1000 + version * 10_000
    return pa.table(
        {
            "symbol": [f"S{i:03d}" for i in index],
            "open": close,
            "high": close + 1,
            "low": close - 1,
            "close": close,
            "volume": np.full(symbols, 1000.0 + version),
            "vwap": close,
            "transactions": np.full(symbols, 7, dtype=np.int64),
        }
    )


def _main(argv: list[str]) -> int:
    from tradingagents.store import MarketStore
    from tradingagents.store.ingest import ingest_sessions

    action, root, count = argv[0], Path(argv[1]), int(argv[2])
    store = MarketStore(root)
    days = sessions(count)
    if action == "ingest":
        # Slow enough that the parent can kill it in the middle.
        def fetch(day: dt.date) -> pa.Table:
            time.sleep(0.05)
            return session_bars(day)

        with store.writer(wait=True) as writer:
            ingest_sessions(writer, days, fetch, "test", progress=lambda d, _: print(d, flush=True))
    elif action == "write":
        # Rewrite every session over and over, each pass with a new version.
        version = 0
        deadline = time.monotonic() + float(argv[3])
        with store.writer(wait=True) as writer:
            while time.monotonic() < deadline:
                version += 1
                for day in days:
                    writer.write_session(day, session_bars(day, version=version), "test")
                writer.pack()  # the first pass packs January; later passes rewrite it
                print(version, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))

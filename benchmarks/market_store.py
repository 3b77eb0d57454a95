"""Time the market store: the wide read, one grouped-daily ingest, and peak memory.

Every figure is printed next to a baseline measured in the same run on the same data, so the
ratio means something on a shared, noisy machine:

* read: 10,000 symbols x 300 sessions into wide frames (open, high, low, close, volume), as
  of the last session, with past months packed (as ``data update`` leaves the store), and
  before packing (one file per session). Baseline: the same read from a DuckDB file holding
  the same bars (the layout the store did not choose), pivoted the same way. Target: at most
  0.5 s.
* ingest: one grouped-daily answer of 12,000 rows (Massive's JSON) decoded, checked and
  written to the store. Baseline: the same rows inserted into the DuckDB file (no decoding).
  Target: at most 0.2 s.
* peak RSS of a fresh process doing the read. Baseline: a fresh process that only imports
  the same libraries. Target: at most 1.5 GB.

The bars are the real S&P 500 fixture (``../shared/fixtures/ohlcv/sp500_daily_2019_2021``)
copied to more symbols with a per-copy price scale, or a random walk when it is absent.

    python benchmarks/market_store.py [--symbols 10000] [--sessions 300] [--rows 12000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tradingagents.sources.massive import grouped_table  # noqa: E402
from tradingagents.store import MarketStore  # noqa: E402
from tradingagents.store.wide import pivot  # noqa: E402

FIXTURE = ROOT.parent / "shared" / "fixtures" / "ohlcv" / "sp500_daily_2019_2021"
FIELDS = ("open", "high", "low", "close", "volume")


def real_closes(sessions: int) -> np.ndarray:
    """sessions x N closes from the fixture (complete series only), or a random walk."""
    if FIXTURE.is_dir():
        series = []
        for path in sorted(FIXTURE.glob("*.csv")):
            close = pd.read_csv(path, usecols=["close"])["close"].to_numpy(np.float64)
            if len(close) >= sessions:
                series.append(close[-sessions:])
        return np.column_stack(series)
    rng = np.random.default_rng(7)
    steps = rng.normal(0, 0.02, size=(sessions, 500))
    return np.asarray(50 * np.exp(np.cumsum(steps, axis=0)))


def synthetic_sessions(symbols: int, sessions: int) -> tuple[list[dt.date], list[pa.Table]]:
    base = real_closes(sessions)
    copies = -(-symbols // base.shape[1])
    scale = np.repeat(np.linspace(0.5, 2.0, copies), base.shape[1])[:symbols]
    close = np.tile(base, copies)[:, :symbols] * scale
    rng = np.random.default_rng(11)
    names = pa.array([f"S{i:05d}" for i in range(symbols)])
    days = pd.bdate_range("2024-01-02", periods=sessions).date.tolist()
    tables = []
    for row in range(sessions):
        c = close[row]
        tables.append(
            pa.table(
                {
                    "symbol": names,
                    "open": c * (1 + rng.normal(0, 0.005, symbols)),
                    "high": c * 1.01,
                    "low": c * 0.99,
                    "close": c,
                    "volume": rng.integers(10_000, 5_000_000, symbols).astype(np.float64),
                    "vwap": c,
                    "transactions": rng.integers(10, 50_000, symbols),
                }
            )
        )
    return days, tables


def grouped_body(table: pa.Table, day: dt.date) -> bytes:
    """``table`` as Massive's grouped-daily JSON answer (``T, o, h, l, c, v, vw, n, t``)."""
    millis = int(pd.Timestamp(day, tz="America/New_York").timestamp() * 1000)
    names = {
        "symbol": "T",
        "open": "o",
        "high": "h",
        "low": "l",
        "close": "c",
        "volume": "v",
        "vwap": "vw",
        "transactions": "n",
    }
    rows = [{names[k]: v for k, v in row.items()} | {"t": millis} for row in table.to_pylist()]
    return json.dumps(
        {
            "queryCount": len(rows),
            "resultsCount": len(rows),
            "adjusted": False,
            "status": "OK",
            "request_id": "benchmark",
            "count": len(rows),
            "results": rows,
        }
    ).encode()


def best_of(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def duckdb_file(path: Path, days: list[dt.date], tables: list[pa.Table]) -> None:
    import duckdb

    with duckdb.connect(str(path)) as con:
        con.execute(
            "CREATE TABLE bars (session DATE, symbol VARCHAR, open DOUBLE, high DOUBLE,"
            " low DOUBLE, close DOUBLE, volume DOUBLE, vwap DOUBLE, transactions BIGINT)"
        )
        for day, table in zip(days, tables, strict=True):
            _duckdb_insert(con, day, table)


def _duckdb_insert(con: object, day: dt.date, table: pa.Table) -> None:
    frame = table.append_column("session", pa.array([day] * table.num_rows, pa.date32()))
    con.register("incoming", frame)  # type: ignore[attr-defined]
    con.execute(  # type: ignore[attr-defined]
        "INSERT INTO bars SELECT session, symbol, open, high, low, close, volume, vwap,"
        " transactions FROM incoming"
    )
    con.unregister("incoming")  # type: ignore[attr-defined]


def duckdb_read(path: Path, first: dt.date, last: dt.date) -> None:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        table = con.sql(
            "SELECT session, symbol, open, high, low, close, volume FROM bars"
            f" WHERE session BETWEEN DATE '{first}' AND DATE '{last}' ORDER BY session"
        ).to_arrow_table()
    sessions = table.column("session").to_numpy()  # sorted by the query
    cuts = np.flatnonzero(np.r_[True, sessions[1:] != sessions[:-1]])
    ends = [*cuts[1:], table.num_rows]
    parts = [
        table.slice(a, b - a).drop_columns(["session"]) for a, b in zip(cuts, ends, strict=True)
    ]
    days = [sessions[cut].astype(dt.date) for cut in cuts]
    pivot(days, parts, FIELDS, None)


def peak_rss_mb(code: str) -> float:
    script = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n{code}\n"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forking parent.
        "import re; print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1])"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--rows", type=int, default=12_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    days, tables = synthetic_sessions(args.symbols, args.sessions)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "store"
        store = MarketStore(root)
        with store.writer() as writer:
            for day, table in zip(days, tables, strict=True):
                writer.write_session(day, table, "benchmark")
        duck = Path(scratch) / "bars.duckdb"
        duckdb_file(duck, days, tables)

        last = days[-1]

        def read() -> None:
            store.read(last, sessions=args.sessions)

        unpacked_seconds = best_of(args.repeat, read)
        with store.writer() as writer:
            writer.pack()  # what data update and data import leave behind
        read_seconds = best_of(args.repeat, read)
        cpu = time.process_time()
        store.read(last, sessions=args.sessions)
        read_cpu = time.process_time() - cpu
        duck_seconds = best_of(args.repeat, lambda: duckdb_read(duck, days[0], last))
        shape = store.read(last, sessions=args.sessions)["close"].shape

        _, grouped = synthetic_sessions(args.rows, 1)
        ingest_day = last + dt.timedelta(days=1)

        body = grouped_body(grouped[0], ingest_day)

        def ingest() -> None:
            # What data update does with one answer: decode the JSON, check, write.
            with store.writer() as writer:
                table = grouped_table(body, ingest_day)
                assert table is not None
                writer.write_session(ingest_day, table, "benchmark")

        ingest_seconds = best_of(args.repeat, ingest)

        def duck_ingest() -> None:
            import duckdb

            with duckdb.connect(str(duck)) as con:
                con.execute("DELETE FROM bars WHERE session = ?", [ingest_day])
                _duckdb_insert(con, ingest_day, grouped[0])

        duck_ingest_seconds = best_of(args.repeat, duck_ingest)

        imports = (
            "import datetime, numpy, pandas, pyarrow, pyarrow.parquet\n"
            "from tradingagents.store import MarketStore"
        )
        read_code = (
            f"{imports}\ns = MarketStore({str(root)!r})\n"
            f"f = s.read(datetime.date.fromisoformat({last.isoformat()!r}),"
            f" sessions={args.sessions})"
        )
        rss = peak_rss_mb(read_code)
        rss_baseline = peak_rss_mb(imports)

    def line(
        label: str, value: float, unit: str, base: float, base_label: str, target: float
    ) -> None:
        verdict = "meets" if value <= target else "MISSES"
        print(
            f"{label:<46} {value:8.3f} {unit}  = {value / base:5.2f} x {base_label}"
            f" ({base:.3f} {unit}); target <= {target} {unit}: {verdict}"
        )

    print(f"wide read: {shape[0]} sessions x {shape[1]} symbols, best of {args.repeat}")
    line(
        "read into wide frames (Parquet store)",
        read_seconds,
        "s",
        duck_seconds,
        "DuckDB-file read",
        0.5,
    )
    print(f"{'':<46} (CPU time of one read: {read_cpu:.3f} s)")
    line(
        "  the same read before packing past months",
        unpacked_seconds,
        "s",
        duck_seconds,
        "DuckDB-file read",
        0.5,
    )
    line(
        f"ingest one session of {args.rows:,} rows",
        ingest_seconds,
        "s",
        duck_ingest_seconds,
        "DuckDB-file insert",
        0.2,
    )
    line(
        f"peak RSS reading {args.symbols:,} symbols", rss, "MB", rss_baseline, "imports only", 1536
    )
    print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

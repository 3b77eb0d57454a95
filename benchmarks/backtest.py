"""Time ``tradingagents backtest``: 252 sessions x the five technical scanners x the real
S&P 500 fixture (~500 symbols), in parallel on the batch engine and in one process.

The fixture (``../shared/fixtures/ohlcv/sp500_daily_2019_2021``) is imported into a fresh
store (timed apart) unless ``--store`` names one already filled. The sessions are the last
``--sessions`` of the store. Both runs must produce identical picks (checked), and the
figures printed are: wall seconds, sessions/s, and the ratio one-process wall / parallel
wall measured here, in the same run on the same machine. Target: the parallel run in at
most 60 s on the 2-core machine.

    python benchmarks/backtest.py [--sessions 252] [--workers 2] [--store PATH] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tradingagents.backtest import run_backtest  # noqa: E402
from tradingagents.backtest.run import BacktestResult  # noqa: E402
from tradingagents.batch.engine import usable_cores  # noqa: E402
from tradingagents.store import MarketStore  # noqa: E402
from tradingagents.store.importer import import_folder  # noqa: E402

FIXTURE = ROOT.parent / "shared" / "fixtures" / "ohlcv" / "sp500_daily_2019_2021"
SCANNERS = (
    "trend_template",
    "high_52w_breakout",
    "rsi_oversold",
    "unusual_volume",
    "volume_accumulation",
)
TARGET_SECONDS = 60.0


def _store(path: Path | None, scratch: Path) -> tuple[MarketStore, float | None]:
    if path is not None:
        return MarketStore(path), None
    if not FIXTURE.is_dir():
        raise SystemExit(f"the S&P 500 fixture is not at {FIXTURE}; pass --store PATH")
    store = MarketStore(scratch / "market")
    started = time.perf_counter()
    with store.writer() as writer:
        import_folder(writer, FIXTURE)
    return store, time.perf_counter() - started


def _run(store: MarketStore, sessions: list, backend: str, workers: int) -> BacktestResult:
    return run_backtest(
        store, sessions[0], sessions[-1], scanners=SCANNERS, backend=backend, workers=workers
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=252)
    parser.add_argument("--workers", type=int, default=usable_cores())
    parser.add_argument("--store", type=Path, help="an already filled store (default: import)")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        store, import_seconds = _store(args.store, Path(scratch))
        sessions = store.sessions()[-args.sessions :]
        symbols = store.session_table(sessions[-1]).num_rows
        parallel = _run(store, sessions, "processes", args.workers)
        single = _run(store, sessions, "threads", 1)
    columns = ["session", "scanner", "rank", "ticker", "priority", "close", "context"]
    identical = parallel.picks[columns].equals(single.picks[columns])
    figures = {
        "sessions": len(parallel.sessions),
        "failed_sessions": len(parallel.failed) + len(single.failed),
        "first_session": sessions[0].isoformat(),
        "last_session": sessions[-1].isoformat(),
        "symbols": symbols,
        "scanners": len(SCANNERS),
        "picks": len(parallel.picks),
        "import_seconds": None if import_seconds is None else round(import_seconds, 1),
        "parallel": {
            "backend": "processes",
            "workers": parallel.workers,
            "wall_seconds": round(parallel.wall_seconds, 1),
            "sessions_per_second": round(parallel.sessions_per_second, 2),
        },
        "one_process": {
            "backend": "threads",
            "workers": 1,
            "wall_seconds": round(single.wall_seconds, 1),
            "sessions_per_second": round(single.sessions_per_second, 2),
        },
        "ratio_one_process_over_parallel": round(single.wall_seconds / parallel.wall_seconds, 2),
        "identical_picks": identical,
        "target_seconds": TARGET_SECONDS,
        "target_met": parallel.wall_seconds <= TARGET_SECONDS,
    }
    print(
        f"{figures['sessions']} sessions x {len(SCANNERS)} scanners x {symbols} symbols "
        f"({figures['first_session']} .. {figures['last_session']}), {figures['picks']} picks"
    )
    if import_seconds is not None:
        print(f"fixture import (not part of the run): {import_seconds:.1f} s")
    for label, run in (("parallel", parallel), ("one process", single)):
        print(
            f"{label:<12} {run.backend} x {run.workers}: {run.wall_seconds:6.1f} s, "
            f"{run.sessions_per_second:5.2f} sessions/s"
        )
    print(
        f"ratio (one-process wall / parallel wall): "
        f"{figures['ratio_one_process_over_parallel']:.2f}x; identical picks: {identical}"
    )
    verdict = "met" if figures["target_met"] else "NOT met"
    print(f"target: parallel run in at most {TARGET_SECONDS:.0f} s: {verdict}")
    if args.json:
        print(json.dumps(figures, indent=2))
    ok = identical and not figures["failed_sessions"]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

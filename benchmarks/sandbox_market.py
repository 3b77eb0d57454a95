"""Time and memory of generating sandbox markets, plus the calibration table.

Run: python benchmarks/sandbox_market.py [--seed 7] [--date 2026-11-24] [--dates 5]

Prints, for a cold generation (first market of a seed, seed-level tables included) and for
warm generations (further trade dates of the same seed): wall time and the peak memory
traced by tracemalloc during generation (numpy and pandas allocations included), and the
process's peak RSS. The budget of issue 3 is < 2 s and < 500 MB per market. When
../shared/fixtures is present, it also prints the calibration statistics of the sandbox next
to those of the real S&P 500 bars (the table in tradingagents/sandbox/MARKET.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import pandas as pd

from tradingagents.sandbox import market as market_module
from tradingagents.sandbox.market_stats import (
    PanelStatistics,
    panel_statistics,
    read_alpha_vantage_panel,
)

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "ohlcv"
CALM = slice("2019-04-22", "2020-01-31")  # before the COVID crash
SIMULATED_DAYS = 504  # two years, like the real sample


def _seconds(seed: int, day: dt.date) -> float:
    """Wall time of one uncached generation."""
    started = time.perf_counter()
    market_module.generate_market(seed, day)
    return time.perf_counter() - started


def _peak_mb(seed: int, day: dt.date) -> float:
    """Peak memory traced during one uncached generation (tracemalloc slows it down, so
    timing runs do not trace)."""
    tracemalloc.start()
    market_module.generate_market(seed, day)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def _sandbox_statistics(seed: int, day: dt.date) -> PanelStatistics:
    m = market_module.generate_market(seed, day)
    window = slice(-SIMULATED_DAYS, None)
    return panel_statistics(
        m.close.iloc[window], m.high.iloc[window], m.low.iloc[window], m.volume.iloc[window],
        {company.symbol: company.sector for company in m.companies},
    )


def calibration_table(seeds: range, day: dt.date) -> pd.DataFrame:
    """Real (full sample and calm part) vs the sandbox (median and range over seeds)."""
    panel = read_alpha_vantage_panel(FIXTURES / "sp500_daily_2019_2021",
                                     FIXTURES / "constituents.csv")
    real = panel_statistics(panel.close, panel.high, panel.low, panel.volume, panel.sectors,
                            panel.adjusted_close)
    calm = panel_statistics(panel.close[CALM], panel.high[CALM], panel.low[CALM],
                            panel.volume[CALM], panel.sectors, panel.adjusted_close[CALM])
    simulated = pd.DataFrame({seed: _sandbox_statistics(seed, day).as_dict() for seed in seeds})
    return pd.DataFrame(
        {
            "real 2019-04..2021-04": real.as_dict(),
            "real calm 2019-04..2020-01": calm.as_dict(),
            "sandbox median": simulated.median(axis=1),
            "sandbox min": simulated.min(axis=1),
            "sandbox max": simulated.max(axis=1),
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--date", type=dt.date.fromisoformat, default=dt.date(2026, 11, 24))
    parser.add_argument("--dates", type=int, default=5, help="warm generations to time")
    parser.add_argument("--no-calibration", action="store_true")
    args = parser.parse_args(argv)

    print(f"cold  {args.date}  {_seconds(args.seed, args.date):6.3f} s  (first market of the seed)")
    warm = []
    for offset in range(1, args.dates + 1):
        day = args.date - dt.timedelta(days=offset * 7)
        warm.append(_seconds(args.seed, day))
        print(f"warm  {day}  {warm[-1]:6.3f} s")
    if warm:
        print(f"warm mean {sum(warm) / len(warm):.3f} s, max {max(warm):.3f} s")
    memory_day = args.date - dt.timedelta(days=(args.dates + 1) * 7)
    print(f"peak memory traced during one generation: {_peak_mb(args.seed, memory_day):.1f} MB")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS {rss:.0f} MB (includes the interpreter, numpy and pandas)")

    if args.no_calibration:
        return 0
    if not FIXTURES.is_dir():
        print(f"calibration skipped: {FIXTURES} is absent")
        return 0
    with pd.option_context("display.width", 200, "display.max_columns", 10,
                           "display.float_format", "{:.4g}".format):
        print(calibration_table(range(1, 9), args.date))
    return 0


if __name__ == "__main__":
    sys.exit(main())

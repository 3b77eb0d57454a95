"""Time the six price and movers scanners on one sandbox date with zero latency.

    /work/venv/bin/python benchmarks/technical_scanners.py [--date 2026-06-01] [--seed 7]

Prints each scanner's duration and candidate count, the wall time of the scanner node, and
how long the universe's bar fetch took on its own (the shared cost of the five technical
scanners). The sandbox market is generated before timing starts.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.scanners.builtin.high_52w_breakout import High52wBreakoutScanner
from tradingagents.scanners.builtin.market_movers import MarketMoversScanner
from tradingagents.scanners.builtin.rsi_oversold import RsiOversoldScanner
from tradingagents.scanners.builtin.trend_template import TrendTemplateScanner
from tradingagents.scanners.builtin.unusual_volume import UnusualVolumeScanner
from tradingagents.scanners.builtin.volume_accumulation import VolumeAccumulationScanner
from tradingagents.sources.hub import Sources

SCANNERS = [
    MarketMoversScanner,
    UnusualVolumeScanner,
    VolumeAccumulationScanner,
    High52wBreakoutScanner,
    RsiOversoldScanner,
    TrendTemplateScanner,
]
SERVICES = ("finnhub", "reddit", "alpha_vantage", "sec", "prices")


def config(seed: int) -> dict[str, Any]:
    return {
        "discovery": {"scanner_execution": {"max_workers": 8, "timeout_seconds": 120}},
        "data": {
            "mode": "sandbox",
            "sandbox": {
                "seed": seed,
                "services": {s: {"latency": {"median_ms": 0}} for s in SERVICES},
            },
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", default="2026-06-01")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    settings = config(args.seed)
    started = time.perf_counter()
    with Sources.from_config(settings, trade_date=args.date) as sources:
        print(f"sandbox started (market generated) in {time.perf_counter() - started:.2f} s")
        graph = DiscoveryGraph(settings, scanners=SCANNERS, sources=sources)
        started = time.perf_counter()
        update = graph.scanner_node({"trade_date": args.date})
        wall = time.perf_counter() - started
    print(f"{'scanner':22} {'status':>8} {'seconds':>8} {'found':>6}")
    for report in update["scanner_reports"]:
        print(
            f"{report['name']:22} {report['status']:>8} {report['duration_seconds']:8.2f} "
            f"{report['candidates']:6}"
        )
    fetches = [
        entry["duration_seconds"]
        for entry in update["tool_logs"]
        if entry.get("tool") == "get_daily_bars_batch"
    ]
    print(f"scanner node wall time: {wall:.2f} s")
    print("get_daily_bars_batch calls (s): " + ", ".join(f"{d:.2f}" for d in fetches))


if __name__ == "__main__":
    main()

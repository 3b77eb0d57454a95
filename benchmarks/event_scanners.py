"""Time the six event and social scanners on one sandbox date, with and without latency.

For each latency setting (``zero``: the emulator answers at once, so the client and server
CPU cost shows; ``default``: the emulator's realistic per-service latency), it starts one
sandbox, runs insider_buying, earnings_calendar, analyst_upgrades, news_catalyst,
reddit_trending and reddit_dd together through the scanner node (6 workers), and prints the
node's wall time, each scanner's duration, and its logged tool calls. The market is
generated before the clock starts.

    python benchmarks/event_scanners.py [--date 2026-06-01] [--latency zero default]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tradingagents.scanners.builtin  # noqa: F401 - registers the built-in scanners
from tradingagents.discovery import SCANNER_REGISTRY
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.sources.hub import Sources

NAMES = (
    "insider_buying",
    "earnings_calendar",
    "analyst_upgrades",
    "news_catalyst",
    "reddit_trending",
    "reddit_dd",
)
SERVICES = ("finnhub", "reddit", "alpha_vantage", "sec", "prices")


def config(latency: str) -> dict[str, Any]:
    services = {s: {"latency": {"median_ms": 0}} for s in SERVICES} if latency == "zero" else {}
    return {
        "discovery": {"scanner_execution": {"max_workers": len(NAMES), "timeout_seconds": 120}},
        "data": {"mode": "sandbox", "sandbox": {"seed": 7, "services": services}},
    }


def measure(trade_date: str, latency: str) -> None:
    settings = config(latency)
    classes = [SCANNER_REGISTRY.get(name) for name in NAMES]
    with Sources.from_config(settings, trade_date=trade_date) as sources:
        started = time.perf_counter()
        update = DiscoveryGraph(settings, scanners=classes, sources=sources).scanner_node(
            {"trade_date": trade_date}
        )
        wall = time.perf_counter() - started
    print(f"\n{latency} latency, trade date {trade_date}: scanner node wall {wall:.2f} s")
    print(f"  {'scanner':20} {'status':8} {'seconds':>8} {'tool calls':>11} {'found':>6}")
    for report in update["scanner_reports"]:
        print(
            f"  {report['name']:20} {report['status']:8} {report['duration_seconds']:8.2f} "
            f"{report['tool_calls']:11} {report['candidates']:6}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", default="2026-06-01", help="sandbox trade date (a weekday)")
    parser.add_argument(
        "--latency", nargs="+", choices=("zero", "default"), default=["zero", "default"]
    )
    args = parser.parse_args()
    for latency in args.latency:
        measure(args.date, latency)


if __name__ == "__main__":
    main()

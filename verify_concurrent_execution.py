#!/usr/bin/env python3
"""Verify that concurrent scanner execution works and changes nothing but the time.

Runs the scanner node twice on the same data, once concurrently and once sequentially
(each with fresh data sources, so neither profits from the other's cache), prints each
mode's wall and CPU time and candidate count, the measured speedup (sequential wall over
concurrent wall) and the ideal bound, and exits non-zero unless both modes produced
identical candidates.

    python verify_concurrent_execution.py                 # sandbox, no keys, no internet
    python verify_concurrent_execution.py --workers 4 --timeout 20
    python verify_concurrent_execution.py --live          # real services (keys from env)
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Any

from tradingagents.default_config import default_config
from tradingagents.discovery.reports import ideal_makespan, lower_bound
from tradingagents.graph.discovery_graph import DiscoveryGraph, normalise_trade_date


def run_mode(config: dict[str, Any], trade_date: str, *, concurrent: bool) -> dict[str, Any]:
    config["discovery"]["scanner_execution"]["concurrent"] = concurrent
    with DiscoveryGraph(config) as graph:
        graph.sources_for(trade_date)  # open sources first: their start-up is not scanning
        started = time.monotonic()
        update = graph.scanner_node({"trade_date": trade_date})
        update["elapsed"] = time.monotonic() - started
    return update


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=8, help="concurrent workers (default 8)")
    parser.add_argument("--timeout", type=float, default=30.0, help="per-scanner timeout, seconds")
    parser.add_argument("--date", help="trade date YYYY-MM-DD (default: today)")
    parser.add_argument(
        "--live", action="store_true", help="use the real services (keys from the environment)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    config = default_config()
    config["data"]["mode"] = "live" if args.live else "sandbox"
    config["discovery"]["scanner_execution"].update(
        max_workers=args.workers, timeout_seconds=args.timeout
    )
    trade_date = normalise_trade_date(args.date)

    print(
        f"scanner node on {config['data']['mode']} data for {trade_date}, {args.workers} workers, "
        f"timeout {args.timeout:g} s"
    )
    concurrent = run_mode(config, trade_date, concurrent=True)
    sequential = run_mode(config, trade_date, concurrent=False)

    if not concurrent["scanner_reports"]:
        print("FAIL: no scanner ran: every scanner or pipeline is disabled in the config")
        return 1
    for name, update in (("concurrent", concurrent), ("sequential", sequential)):
        summary = update["scan_summary"]
        counts = ", ".join(f"{k} {v}" for k, v in summary["counts"].items() if v)
        print(
            f"{name:>10}: {summary['wall_seconds']:7.2f} s wall, "
            f"CPU {summary['cpu_seconds']:.2f} s ({summary['cpu_per_wall']:.2f} per wall second), "
            f"{len(update['candidate_metadata'])} candidates ({counts})"
        )
    wall = concurrent["scan_summary"]["wall_seconds"]
    seq_wall = sequential["scan_summary"]["wall_seconds"]
    print(
        f"   speedup: {seq_wall / wall:.2f}x measured "
        f"(sequential {seq_wall:.2f} s / concurrent {wall:.2f} s)"
    )
    # Each scanner's sequential duration is its time without competition for the CPU, so
    # scheduling those is what the concurrent run would take if the cores were unlimited.
    alone = [r["duration_seconds"] for r in sequential["scanner_reports"]]
    ideal = ideal_makespan(alone, args.workers)
    print(
        f"     ideal: {ideal:.2f} s with unlimited cores (the scanners' sequential durations "
        f"on {args.workers} workers; achieved/ideal {ideal / wall:.3f}); "
        f"lower bound {lower_bound(alone, args.workers):.2f} s"
    )
    if concurrent["scan_summary"]["note"]:
        print(f"      note: {concurrent['scan_summary']['note']}")

    same = concurrent["candidate_metadata"] == sequential["candidate_metadata"]
    same_status = [r["status"] for r in concurrent["scanner_reports"]] == [
        r["status"] for r in sequential["scanner_reports"]
    ]
    if not same:
        only_c = set(concurrent["tickers"]) - set(sequential["tickers"])
        only_s = set(sequential["tickers"]) - set(concurrent["tickers"])
        print(
            f"FAIL: the modes disagree (only concurrent: {sorted(only_c)}, "
            f"only sequential: {sorted(only_s)})"
        )
        return 1
    if not same_status:
        print("FAIL: a scanner ended differently in the two modes (see the statuses above)")
        return 1
    print(f"OK: both modes produced the same {len(concurrent['candidate_metadata'])} candidates")
    return 0


if __name__ == "__main__":
    sys.exit(main())

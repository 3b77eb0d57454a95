"""Sandbox costs: market generation (time, peak memory) and the server time of a quote.

    /work/venv/bin/python benchmarks/sandbox_quote.py [--seed 7] [--date 2026-11-24]

Server time is measured inside the server, around the whole request pipeline (routing,
credential check, rate limit, rendering, writing the answer), minus the injected latency:
once with latency off, once with a constant 50 ms latency to show the overhead beyond it.
Every symbol of the universe is quoted (first pass: rendered; later passes: reply cache).
Targets (issue 3): generation < 2 s and < 500 MB; a quote < 5 ms of server time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import time
import tracemalloc
from typing import Any

import requests

from tradingagents.sandbox.knobs import SERVICE_NAMES
from tradingagents.sandbox.server import SandboxServer, _Handler

LATENCY_MS = 50.0


class TimedServer(SandboxServer):
    """A SandboxServer that records how long each request spends in the pipeline."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.timings: list[float] = []

    def _dispatch(self, handler: _Handler) -> None:
        started = time.perf_counter()
        super()._dispatch(handler)
        self.timings.append(time.perf_counter() - started)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def measure_generation(seed: int, date: str) -> None:
    """Time one generation, then trace the memory of another (tracing slows it down)."""
    from tradingagents.sandbox.market import generate_market, latest_trading_day

    started = time.perf_counter()
    market = generate_market(seed, date)
    elapsed = time.perf_counter() - started
    print(f"market generation: {elapsed:.3f} s for {len(market.companies)} symbols x "
          f"{len(market.dates)} days (target < 2 s)")
    day_before = latest_trading_day(market.trade_date - dt.timedelta(days=1))
    tracemalloc.start()
    generate_market(seed, day_before)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak traced allocations of one generation {peak / 2**20:.1f} MB; process max RSS "
          f"{max_rss_mb:.1f} MB with two markets cached (target < 500 MB)")


def measure_quotes(seed: int, date: str, latency_ms: float, passes: int) -> None:
    services: dict[str, Any] = {name: {"latency": {"median_ms": 0}} for name in SERVICE_NAMES}
    services["finnhub"] = {"latency": {"median_ms": latency_ms, "sigma": 0.0}}
    with TimedServer(seed=seed, trade_date=date, services=services) as server, \
            requests.Session() as session:
        symbols = [company.symbol for company in server.market.companies]
        url = f"{server.base_urls['finnhub']}/quote"
        round_trips: list[float] = []
        for _ in range(passes):
            for symbol in symbols:
                started = time.perf_counter()
                answer = session.get(url, params={"symbol": symbol, "token": "bench"}, timeout=10)
                round_trips.append(time.perf_counter() - started)
                answer.raise_for_status()
        overhead_ms = [(t * 1000 - latency_ms) for t in server.timings]
        first, cached = overhead_ms[: len(symbols)], overhead_ms[len(symbols):]
        label = f"latency {latency_ms:g} ms" if latency_ms else "latency off"
        print(f"quote, {label}: {len(overhead_ms)} requests")
        for name, values in (("first pass (rendered)", first), ("later passes (cached)", cached)):
            if values:
                print(f"  server time beyond latency, {name}: median "
                      f"{statistics.median(values):.3f} ms, p99 {percentile(values, 0.99):.3f} ms")
        print(f"  client round trip: median {statistics.median(round_trips) * 1000:.3f} ms, "
              f"p99 {percentile(round_trips, 0.99) * 1000:.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--date", default="2026-11-24")
    parser.add_argument("--passes", type=int, default=4)
    args = parser.parse_args()
    measure_generation(args.seed, args.date)
    measure_quotes(args.seed, args.date, 0.0, args.passes)
    measure_quotes(args.seed, args.date, LATENCY_MS, 1)
    print("target: < 5 ms of server time per quote beyond the injected latency")


if __name__ == "__main__":
    main()

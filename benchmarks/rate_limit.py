"""How close the shared client-side rate limit runs to a service's real limit.

Eight threads call Finnhub's quote endpoint through one ``Sources`` hub, as eight scanners
would, against the sandbox emulator enforcing the same sliding-window limit server-side. The
emulator runs in its own process, like a remote service (in-process, it would compete with
the callers for the GIL and add its own jitter to the measurement).
Printed: server-side 200s and 429s, and the sustained throughput after the first window's
burst as a share of the configured limit (target: no 429, >= 95 %).

    python benchmarks/rate_limit.py [--limit 20] [--windows 10] [--callers 8]
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from tradingagents.sandbox.server import SandboxServer
from tradingagents.sources.hub import Sources

TARGET = 0.95


def serve(limit: int, pipe: Connection) -> None:
    """The emulator process: report the base URL and symbols, serve until told, send counters."""
    instant = {"latency": {"median_ms": 0}, "rate_limit": {"per_second": limit}}
    with SandboxServer(seed=7, trade_date="2026-11-24", services={"finnhub": instant}) as server:
        pipe.send((server.base_urls["finnhub"], [c.symbol for c in server.market.companies]))
        pipe.recv()
        pipe.send(server.counters()["finnhub"]["/quote"])


def run(limit: int, windows: int, callers: int) -> dict[str, Any]:
    total = limit * (windows + 1)
    pipe, child_pipe = multiprocessing.Pipe()
    emulator = multiprocessing.Process(target=serve, args=(limit, child_pipe))
    emulator.start()
    base_url, symbols = pipe.recv()
    with tempfile.TemporaryDirectory() as cache_dir:
        config = {
            "data": {
                "mode": "live",
                "cache_dir": cache_dir,
                "sources": {
                    "finnhub": {
                        "base_url": base_url,
                        "api_key": "benchmark-key",
                        "rate_limit": {"per_second": limit, "per_minute": None},
                        # Every call must reach the server: no cache for quotes.
                        "cache_ttl": {"quote": 0},
                    }
                },
            }
        }
        done: list[float] = []
        lock = threading.Lock()
        next_call = iter(range(total))

        with Sources.from_config(config, env={}) as hub:

            def caller() -> None:
                for index in next_call:
                    hub.finnhub.quote(symbols[index % len(symbols)])
                    with lock:
                        done.append(time.monotonic())

            threads = [threading.Thread(target=caller) for _ in range(callers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    pipe.send("stop")
    served = pipe.recv()
    emulator.join()

    done.sort()
    # The first `limit` calls go out at once (an empty window); after that the limit binds.
    sustained = (len(done) - limit) / (done[-1] - done[limit - 1])
    return {
        "requests": len(done),
        "elapsed": done[-1] - done[0],
        "ok": served.get(200, 0),
        "refused": served.get(429, 0),
        "sustained": sustained,
        "share": sustained / limit,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=20, help="requests per second")
    parser.add_argument("--windows", type=int, default=10, help="seconds of sustained load")
    parser.add_argument("--callers", type=int, default=8, help="concurrent threads")
    args = parser.parse_args()
    result = run(args.limit, args.windows, args.callers)
    verdict = "PASS" if result["refused"] == 0 and result["share"] >= TARGET else "FAIL"
    print(f"limit {args.limit}/s, {args.callers} callers, {result['requests']} quote calls")
    print(f"  served by the emulator: {result['ok']} x 200, {result['refused']} x 429")
    print(f"  elapsed {result['elapsed']:.2f} s")
    print(
        f"  sustained throughput {result['sustained']:.2f}/s = {result['share']:.1%} of the limit"
        f" (target >= {TARGET:.0%}, no 429): {verdict}"
    )


if __name__ == "__main__":
    main()

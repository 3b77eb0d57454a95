"""Benchmark the scanner node against the physical limit of its schedule.

23 scanners with seeded lognormal latencies (median ~1 s, a few slow ones) run once
sequentially and twice on 8 workers: first queued in registration order (no history), then
with that run recorded in a fresh run history, so the graph queues them longest expected
first (``scanner_execution.schedule: longest_first``). For each concurrent run it prints:

* ``ideal``: the makespan a zero-overhead executor would reach with the same submission
  order and the measured per-scanner durations (greedy list scheduling onto the workers);
* ``achieved/ideal``: ideal / concurrent wall (target >= 0.97), and the engine overhead per
  scanner (target <= 1 ms);
* ``lower bound``: max(max d, sum d / workers), and ``wall/lower_bound`` (target with
  history <= 1.10).

``--hang N`` adds N scanners that never return and prints how long the process takes to
exit after the node returned (target <= 1 s); that part runs in a child process, because
interpreter exit is what it measures.

    python benchmarks/scanner_node.py [--scanners 23] [--workers 8] [--hang 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tradingagents.discovery import BaseScanner
from tradingagents.discovery.engine import ProgressCallback
from tradingagents.discovery.reports import ideal_makespan, lower_bound
from tradingagents.discovery.schedule import longest_first
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.history import history_path, record_run

SEED = 20261124


def latencies(count: int) -> list[float]:
    """Seeded lognormal latencies (sigma 0.6), scaled so the median is exactly 1 s: most
    scanners take about a second, a few take 3-4 s."""
    draws = np.random.default_rng(SEED).lognormal(mean=0.0, sigma=0.6, size=count)
    return [round(float(x), 3) for x in draws / np.median(draws)]


def fake_api_call(seconds: float) -> str:
    time.sleep(seconds)  # I/O-bound, like waiting on a real API
    return "ok"


def make_scanners(delays: list[float], hang: int) -> list[type[BaseScanner]]:
    classes: list[type[BaseScanner]] = []
    for i, delay in enumerate(delays):

        def scan(
            self: BaseScanner, state: dict[str, Any], delay: float = delay
        ) -> list[dict[str, Any]]:
            self.tools.call("fetch", fake_api_call, seconds=delay)
            return [{"ticker": f"T{self.name[1:]}", "context": f"waited {delay} s"}]

        attrs = {"name": f"s{i:02d}", "pipeline": "momentum", "scan": scan}
        classes.append(type(f"Bench{i}", (BaseScanner,), attrs))
    for i in range(hang):

        def never(self: BaseScanner, state: dict[str, Any]) -> list[dict[str, Any]]:
            threading.Event().wait()
            return []

        classes.append(
            type(
                f"Hang{i}",
                (BaseScanner,),
                {"name": f"hang{i}", "pipeline": "momentum", "scan": never},
            )
        )
    return classes


def run(
    classes: list[type[BaseScanner]],
    *,
    concurrent: bool,
    workers: int,
    timeout: float,
    progress: ProgressCallback | None = None,
    history_dir: str | None = None,
) -> dict[str, Any]:
    """One scanner node run. Without ``history_dir`` the scanners are queued in
    registration order (whatever the user's own history holds); with it, the graph reads
    the history in that folder and queues them longest expected first."""
    config: dict[str, Any] = {
        "discovery": {
            "scanner_execution": {
                "concurrent": concurrent,
                "max_workers": workers,
                "timeout_seconds": timeout,
                "schedule": "registration" if history_dir is None else "longest_first",
            }
        }
    }
    if history_dir is not None:
        config["data"] = {"cache_dir": history_dir}
    graph = DiscoveryGraph(config, scanners=classes, on_progress=progress)
    return graph.scanner_node({"trade_date": "2026-11-24"})


def child(args: argparse.Namespace) -> None:
    classes = make_scanners(latencies(args.scanners), args.hang)
    late: list[float] = []

    def progress(completed: int, total: int, report: dict[str, Any]) -> None:
        if report["status"] == "timeout":  # "finished" is the deadline; now is when it is reported
            late.append(time.time() - datetime.fromisoformat(report["finished"]).timestamp())

    update = run(
        classes, concurrent=True, workers=args.workers, timeout=args.timeout, progress=progress
    )
    print(
        f"CHILD timeouts reported at most {max(late) * 1000:.1f} ms after their deadline",
        flush=True,
    )
    counts = update["scan_summary"]["counts"]
    print(f"CHILD counts={counts} wall={update['scan_summary']['wall_seconds']:.3f}", flush=True)
    print(f"RETURNED {time.time():.6f}", flush=True)


def report(
    label: str,
    update: dict[str, Any],
    seq_wall: float,
    workers: int,
    order: list[int] | None = None,
) -> None:
    """One concurrent run against its ideal (same queue order) and the lower bound."""
    wall = update["scan_summary"]["wall_seconds"]
    durations = [r["duration_seconds"] for r in update["scanner_reports"]]
    queued = durations if order is None else [durations[i] for i in order]
    ideal = ideal_makespan(queued, workers)
    lower = lower_bound(durations, workers)
    overhead_ms = (wall - ideal) / len(durations) * 1000
    print(f"{label}:")
    print(f"  wall: {wall:.3f} s  (speedup over sequential {seq_wall / wall:.2f}x)")
    print(f"  ideal: {ideal:.3f} s  (greedy list scheduling of the measured durations)")
    print(f"  achieved/ideal: {ideal / wall:.3f}")
    print(f"  engine overhead per scanner: {overhead_ms:.3f} ms")
    print(f"  lower_bound: {lower:.3f} s  wall/lower_bound: {wall / lower:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scanners", type=int, default=23)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=30.0, help="per-scanner timeout (seconds)")
    parser.add_argument("--hang", type=int, default=0, help="add N scanners that never return")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    delays = latencies(args.scanners)
    classes = make_scanners(delays, 0)
    print(
        f"{args.scanners} scanners, latencies median {np.median(delays):.2f} s, "
        f"max {max(delays):.2f} s, sum {sum(delays):.2f} s; {args.workers} workers"
    )

    sequential = run(classes, concurrent=False, workers=args.workers, timeout=args.timeout)
    seq_wall = sequential["scan_summary"]["wall_seconds"]
    concurrent = run(classes, concurrent=True, workers=args.workers, timeout=args.timeout)
    with tempfile.TemporaryDirectory() as history_dir:
        # The history a real run leaves: the registration-order run, recorded.
        record_run(
            history_path(Path(history_dir)),
            {**concurrent, "trade_date": "2026-11-24"},
            config={},
            wall_seconds=concurrent["scan_summary"]["wall_seconds"],
            exit_code=0,
            results_dir=None,
        )
        informed = run(
            classes,
            concurrent=True,
            workers=args.workers,
            timeout=args.timeout,
            history_dir=history_dir,
        )
    for update in (sequential, concurrent, informed):
        counts = update["scan_summary"]["counts"]
        assert counts["ok"] == args.scanners, f"not every scanner succeeded: {counts}"
    assert sequential["candidate_metadata"] == concurrent["candidate_metadata"], "modes disagree"
    assert informed["candidate_metadata"] == concurrent["candidate_metadata"], "orders disagree"

    print(f"sequential: {seq_wall:.3f} s")
    report("concurrent, registration order (no history)", concurrent, seq_wall, args.workers)
    expected = {r["name"]: r["duration_seconds"] for r in concurrent["scanner_reports"]}
    order = longest_first([cls.name for cls in classes], expected)
    report("concurrent, longest first (history)", informed, seq_wall, args.workers, order)

    if args.hang:
        cmd = [
            sys.executable,
            __file__,
            "--child",
            "--scanners",
            str(args.scanners),
            "--workers",
            str(args.workers),
            "--hang",
            str(args.hang),
            "--timeout",
            str(args.timeout),
        ]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        out, _ = proc.communicate()
        exited = time.time()
        returned = float(out.split("RETURNED ")[1].split()[0])
        for line in out.splitlines():
            if line.startswith("CHILD"):
                print(line.replace("CHILD", f"with {args.hang} hung scanners:"))
        print(f"exit after node returned: {exited - returned:.3f} s (exit code {proc.returncode})")


if __name__ == "__main__":
    main()

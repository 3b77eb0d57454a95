"""What the scanner node reports about itself: measured figures under honest names.

Real threads, real sleeps and real CPU work; timing assertions are generous bounds.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from tests.scanner_kit import config, hang, make_scanner
from tradingagents.discovery import BaseScanner
from tradingagents.discovery.reports import summarise
from tradingagents.graph.discovery_graph import DiscoveryGraph
from tradingagents.scanners import abandoned

SUMMARY_KEYS = {
    "mode",
    "workers",
    "scanners",
    "wall_seconds",
    "scanner_seconds_sum",
    "concurrency",
    "cpu_seconds",
    "cpu_per_wall",
    "cpu_bound",
    "note",
    "counts",
    "invalid_candidates",
    "candidates",
    "abandoned_threads",
}


def run_node(scanners: list[type[BaseScanner]], **execution: Any) -> dict[str, Any]:
    graph = DiscoveryGraph(config(**execution), scanners=scanners)
    return graph.scanner_node({"trade_date": "2026-11-24"})  # type: ignore[arg-type]


def _burn(seconds: float) -> int:
    end, n = time.process_time() + seconds, 0
    while time.process_time() < end:
        n += 1
    return n


def burner(seconds: float) -> Any:
    def act(scanner: BaseScanner, state: dict[str, Any]) -> list[dict[str, Any]]:
        scanner.tools.call("burn", _burn, seconds=seconds)
        return []

    return act


# -- item 1: no speedup claimed from one run -----------------------------------------------


def test_summary_has_measured_figures_and_no_estimated_speedup() -> None:
    scanners = [make_scanner(f"s{i}", delay=0.3, tickers=(f"T{i}",)) for i in range(3)]
    summary = run_node(scanners, max_workers=3)["scan_summary"]
    assert set(summary) == SUMMARY_KEYS
    assert summary["scanner_seconds_sum"] == pytest.approx(3 * 0.3, abs=0.3)
    assert summary["concurrency"] == pytest.approx(
        summary["scanner_seconds_sum"] / summary["wall_seconds"], rel=0.01
    )
    assert summary["concurrency"] > 1.5  # three sleeping scanners overlapped
    # Sleeping costs no CPU: the run is not CPU-bound and says nothing about it.
    assert summary["cpu_seconds"] < summary["wall_seconds"]
    assert summary["cpu_per_wall"] < 0.8
    assert summary["cpu_bound"] is False and summary["note"] is None
    # Earlier tests in this process may have left hung threads behind: the summary counts
    # every abandoned thread still alive in the process, none of which this run added.
    assert summary["candidates"] == 3
    assert summary["abandoned_threads"] == len(abandoned.alive())


def test_cpu_time_of_the_node_is_measured() -> None:
    summary = run_node([make_scanner("hot", action=burner(0.4))], max_workers=1)["scan_summary"]
    assert summary["cpu_seconds"] >= 0.35
    assert summary["cpu_per_wall"] == pytest.approx(
        summary["cpu_seconds"] / summary["wall_seconds"], rel=0.01
    )


def test_cpu_bound_run_says_more_workers_will_not_help() -> None:
    reports = [{"duration_seconds": 4.0, "status": "ok", "invalid_candidates": 0}] * 4
    summary = summarise(
        reports, concurrent=True, workers=8, wall_seconds=2.0, cpu_seconds=3.8, cores=2
    )
    assert summary["cpu_per_wall"] == 1.9 and summary["cpu_bound"] is True
    assert summary["note"].startswith("CPU-bound")
    assert "more workers will not help" in summary["note"]
    # The sum of the scanners' times is reported as exactly that: 16 s over 2 s of wall.
    assert summary["scanner_seconds_sum"] == 16.0 and summary["concurrency"] == 8.0


def test_one_busy_interpreter_is_noted_even_on_a_bigger_machine() -> None:
    reports = [{"duration_seconds": 1.0, "status": "ok", "invalid_candidates": 0}]
    summary = summarise(
        reports, concurrent=True, workers=8, wall_seconds=1.0, cpu_seconds=0.9, cores=4
    )
    assert summary["cpu_bound"] is False
    assert "one core" in summary["note"] and "more workers will not help" in summary["note"]


def test_a_run_where_nothing_succeeded_claims_nothing() -> None:
    scanners = [make_scanner(f"h{i}", action=hang) for i in range(3)]
    summary = run_node(scanners, max_workers=3, timeout_seconds=0.2)["scan_summary"]
    assert summary["counts"]["timeout"] == 3
    assert summary["note"] == "no scanner succeeded"
    assert not {"speedup", "time_saved_seconds", "sequential_seconds_estimated"} & set(summary)


def test_log_line_names_what_was_measured(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="tradingagents.discovery.engine")
    run_node([make_scanner("a", delay=0.05), make_scanner("b", delay=0.05)])
    line = next(
        r.getMessage() for r in caplog.records if r.getMessage().startswith("scanners: 2 in")
    )
    assert "sum of scanner times" in line and "CPU" in line
    assert "speedup" not in line and "sequential" not in line
